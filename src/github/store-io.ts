/**
 * The frontier store read and written through the contents API. Reads name a commit (a PR is judged
 * against its base, never against the store the PR itself may have edited). Writes carry the blob sha
 * the update was computed from; when the branch moved meanwhile (409/422), the store is re-read,
 * three-way merged (mergeStores keeps every record and history entry of both sides) and written again.
 */
import { execFileSync } from 'node:child_process';
import { EnvironmentError, ServiceError, UserError } from '../errors';
import { emptyStore, mergeStores, parseStore, serializeStore, type FrontierStore } from '../frontier/store';
import { WriteConflict, WriteForbidden, type RepoApi, ACTIONS_BOT_LOGIN } from './api';

export interface StoreSnapshot {
  store: FrontierStore;
  /** Blob sha of the file read; null when the store does not exist yet at that ref. */
  sha: string | null;
  ref: string;
}

export async function readStoreAt(api: RepoApi, path: string, ref: string): Promise<StoreSnapshot> {
  // Fail closed: an empty ref would read the default branch (or nothing) and judge against the wrong store.
  if (!ref || !/^[\w./-]+$/.test(ref)) throw new UserError(`cannot tell which commit to read the store ${path} at (ref ${JSON.stringify(ref)}); not judging against an empty or unknown frontier`);
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
  // Ten: a matrix of 8 targets whose merge jobs finish together still lands every writer (each round of
  // conflicts lets at least one through, and the jittered back-off spreads the rest).
  const maxAttempts = opts.maxAttempts ?? 10;
  const backoff = opts.backoffMs ?? ((n) => Math.min(250 * 2 ** (n - 1), 8000) * (0.5 + Math.random()));
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
          throw new ServiceError(`PUT contents ${path}@${branch}: still conflicting after ${maxAttempts} attempts (HTTP ${err.status}); nothing was written`, err.status);
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

// ---------------------------------------------------------------------------------------------------------
// store-source: git — the same reads from the workspace's git repository, with no API call at all

export interface GitRunner {
  /** Runs git in the workspace; returns stdout, or null when git exits non-zero. */
  (args: string[]): string | null;
}

/** Time limit of one git call of store-source: git. */
export const GIT_TIMEOUT_MS = 60_000;

export function workspaceGit(workspace: string): GitRunner {
  return (args) => {
    try {
      // Bounded like an API call: a git that hangs (a lock, a network remote) ends the run, not the job.
      return execFileSync('git', args, { cwd: workspace, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024, timeout: GIT_TIMEOUT_MS });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { status?: number | null };
      if (e.code === 'ENOENT') throw new EnvironmentError('store-source: git needs git on PATH');
      // Only git's own "no" (a non-zero exit) means "not there"; a git that did not finish is an error, never
      // an empty store (fail closed).
      if (typeof e.status !== 'number') throw new EnvironmentError(`store-source: git ${args[0]} did not finish (${e.code ?? e.message}; limit ${GIT_TIMEOUT_MS / 1000} s, 256 MiB of output)`);
      return null;
    }
  };
}

const notAnApiCall = (what: string) => new WriteForbidden(0, `store-source is git: ${what} makes no API call`);

/**
 * A RepoApi over the workspace's git repository (`git show <ref>:<path>`, `git diff --name-only`), for
 * store-source: git. Reads only: every write answers WriteForbidden, so the run behaves as with a
 * read-only token (the updated store is left as a file, the report goes to the summary). A ref that is
 * not in the checkout's history is an error that says to fetch it (actions/checkout: fetch-depth: 0).
 */
export function createGitRepoApi(workspace: string, ctx: { pullRequest?: { number: number; baseSha: string; headSha: string } }, git: GitRunner = workspaceGit(workspace)): RepoApi {
  if (git(['rev-parse', '--git-dir']) === null) {
    throw new UserError(`input store-source: git, but ${workspace} is not a git repository (check it out with actions/checkout, fetch-depth: 0)`);
  }
  const resolve = (ref: string): string => {
    for (const candidate of [ref || 'HEAD', `origin/${ref}`]) {
      const sha = git(['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]);
      if (sha) return sha.trim();
    }
    throw new UserError(`store-source: git: ${JSON.stringify(ref)} is not in the workspace's git history (check out with fetch-depth: 0, or fetch the ref)`);
  };
  const diff = (base: string, head: string): string[] => {
    const out = git(['diff', '--name-only', '--diff-filter=d', '-z', resolve(base), resolve(head)]);
    if (out === null) throw new UserError(`store-source: git: cannot diff ${base.slice(0, 12)}..${head.slice(0, 12)} in the workspace`);
    return out.split('\0').filter(Boolean);
  };
  return {
    async getPullRequest() {
      return null;
    },
    // Writes are refused, so no comment is ever adopted or edited through this API.
    async authenticatedLogin() {
      return ACTIONS_BOT_LOGIN;
    },
    async listPullRequestFiles(pr) {
      const info = ctx.pullRequest;
      if (!info || info.number !== pr) throw new UserError(`store-source: git: no base and head commits for PR #${pr} in the event`);
      return diff(info.baseSha, info.headSha);
    },
    async compareFiles(base, head) {
      return diff(base, head);
    },
    async getFile(path, ref) {
      const commit = resolve(ref);
      const blob = git(['rev-parse', '--verify', '--quiet', `${commit}:${path}`]);
      if (!blob) return null;
      const text = git(['cat-file', 'blob', blob.trim()]);
      if (text === null) throw new UserError(`store-source: git: cannot read ${path} at ${ref}`);
      return { text, sha: blob.trim() };
    },
    async putFile(path) {
      throw notAnApiCall(`writing ${path}`);
    },
    async listIssueComments() {
      throw notAnApiCall('a PR comment');
    },
    async createIssueComment() {
      throw notAnApiCall('a PR comment');
    },
    async updateIssueComment() {
      throw notAnApiCall('a PR comment');
    },
  };
}
