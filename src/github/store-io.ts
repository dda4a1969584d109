/**
 * The frontier store read and written through the contents API. Reads name a commit (a PR is judged
 * against its base, never against the store the PR itself may have edited). Writes carry the blob sha
 * the update was computed from; when the branch moved meanwhile (409/422), the store is re-read,
 * three-way merged (mergeStores keeps every record and history entry of both sides) and written again.
 */
import { emptyStore, mergeStores, parseStore, serializeStore, type FrontierStore } from '../frontier/store';
import { WriteConflict, type RepoApi } from './api';

export interface StoreSnapshot {
  store: FrontierStore;
  /** Blob sha of the file read; null when the store does not exist yet at that ref. */
  sha: string | null;
  ref: string;
}

export async function readStoreAt(api: RepoApi, path: string, ref: string): Promise<StoreSnapshot> {
  const file = await api.getFile(path, ref);
  if (!file) return { store: emptyStore(), sha: null, ref };
  // parseStore throws a UserError naming the file and the field: an invalid store is never rewritten.
  return { store: parseStore(file.text, `${path}@${ref.slice(0, 12)}`), sha: file.sha, ref };
}

export interface CommitOutcome {
  /** 'committed' (new commit), 'unchanged' (nothing to write after merging). */
  status: 'committed' | 'unchanged';
  commitSha?: string;
  attempts: number;
  /** Conflicts resolved by merging with what another writer committed meanwhile. */
  merges: number;
  store: FrontierStore;
}

export interface CommitOptions {
  message: string;
  maxAttempts?: number;
  /** Pause before attempt n (1-based) after a conflict; jittered so racing jobs spread out. */
  backoffMs?: (attempt: number) => number;
  log?: (message: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function commitStore(
  api: RepoApi,
  path: string,
  branch: string,
  base: StoreSnapshot,
  updated: FrontierStore,
  opts: CommitOptions,
): Promise<CommitOutcome> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const backoff = opts.backoffMs ?? ((n) => 250 * 2 ** (n - 1) * (0.5 + Math.random()));
  let baseStore = base.store;
  let baseText = base.sha ? serializeStore(base.store) : null;
  let sha = base.sha;
  let ours = updated;
  let merges = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const text = serializeStore(ours);
    if (text === baseText) return { status: 'unchanged', attempts: attempt - 1, merges, store: ours };
    try {
      const put = await api.putFile(path, branch, text, sha, opts.message);
      return { status: 'committed', commitSha: put.commitSha, attempts: attempt, merges, store: ours };
    } catch (err) {
      if (!(err instanceof WriteConflict) || attempt === maxAttempts) {
        if (err instanceof WriteConflict) {
          throw new Error(`${path}: still conflicting after ${maxAttempts} attempts to commit to ${branch}; nothing was written`);
        }
        throw err;
      }
      opts.log?.(`${path} changed on ${branch} while measuring (HTTP ${err.status}); re-reading and merging`);
      await sleep(backoff(attempt));
      const theirs = await readStoreAt(api, path, branch);
      ours = mergeStores(baseStore, ours, theirs.store);
      merges++;
      baseStore = theirs.store;
      baseText = theirs.sha ? serializeStore(theirs.store) : null;
      sha = theirs.sha;
    }
  }
  /* istanbul ignore next: the loop always returns or throws */
  throw new Error('unreachable');
}
