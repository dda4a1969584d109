/**
 * The few GitHub REST calls the action makes, behind a small interface so that the orchestration is
 * tested against a recording fake or a loopback server. The Octokit comes from @actions/github with
 * the retry and throttling plugins; the base URL is GITHUB_API_URL read at call time (GHES).
 *
 * Every call is bounded and every answer checked before use (fail closed):
 * - a timeout on each request, the body's reading included (30 s unless `api-timeout` says otherwise), and
 *   a cap on the bytes of a response, checked while it arrives (RESPONSE_LIMITS), before it is parsed;
 * - rate-limit waits of at most 60 s (RATE_LIMIT_MAX_WAIT_S); a longer reset is exit 4, not an hour's wait;
 * - lists are read page by page with explicit page numbers (the Link header is not followed), up to a
 *   documented number of items;
 * - each response is checked against a schema of the fields used (src/github/responses.ts).
 * A failure is a ServiceError (exit 4) naming the call.
 */
import { getOctokit } from '@actions/github';
import { getProxyAgent, getProxyFetch } from '@actions/github/lib/internal/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { ServiceError, UserError } from '../errors';
import { decodeText, FILE_LIMITS } from '../util/fs';
import type { RepoRef } from './event';
import { checkResponse, type ResponseKind } from './responses';

const MiB = 1024 * 1024;

/** Per-request time limit unless configured (input api-timeout). */
export const DEFAULT_API_TIMEOUT_S = 30;
/** The longest rate-limit reset the action waits for; a later one fails the call (exit 4). */
export const RATE_LIMIT_MAX_WAIT_S = 60;
/** Bytes of one response: a blob may hold a whole store (base64: 4/3 of its bytes); anything else is small. */
export const RESPONSE_LIMITS = { bytes: 16 * MiB, blobBytes: Math.ceil((FILE_LIMITS.store * 4) / 3) + MiB } as const;
/** Items the action reads from a list: GitHub itself lists at most 3000 files of a PR and 300 of a compare. */
export const LIST_LIMITS = { prFiles: 3000, comments: 5000, issues: 3000 } as const;

export interface RepoFile {
  text: string;
  /** Blob sha: the precondition for the next write. */
  sha: string;
}

export interface IssueComment {
  id: number;
  body: string;
  /** Login of the author; only our own (bot) comments are edited. */
  author: string;
}

export interface PutFileResult {
  commitSha: string;
  blobSha: string;
}

export interface PullRequestHead {
  number: number;
  headSha: string;
  /** owner/name of the head branch's repository; null when the fork was deleted. */
  headRepo: string | null;
  state: string;
}

export interface RepoApi {
  getPullRequest(pr: number): Promise<PullRequestHead | null>;
  /** Files changed by the PR (added, modified, renamed; not removed), paths relative to the repo root. */
  listPullRequestFiles(pr: number): Promise<string[]>;
  /** Files changed between two commits (added, modified, renamed), for pushes of more than 20 commits. */
  compareFiles(base: string, head: string): Promise<string[]>;
  /** A file at a ref; null when it does not exist there. */
  getFile(path: string, ref: string): Promise<RepoFile | null>;
  /** Create or update a file on a branch; `sha` null creates. Throws WriteConflict on a stale sha. */
  putFile(path: string, branch: string, text: string, sha: string | null, message: string): Promise<PutFileResult>;
  /**
   * The login the token acts as: GET /user for a personal token; GITHUB_TOKEN (and other installation
   * tokens) may not call it and comment as github-actions[bot]. Resolved once per client.
   */
  authenticatedLogin(): Promise<string>;
  listIssueComments(issue: number): Promise<IssueComment[]>;
  createIssueComment(issue: number, body: string): Promise<IssueComment>;
  updateIssueComment(id: number, body: string): Promise<void>;
  /** The commit a branch points at; null when the repository has no such branch. */
  getBranchHead?(branch: string): Promise<string | null>;
  /**
   * Creates `branch` as an orphan commit (no parent) holding only `files`: a new ref, never a change to an
   * existing one. Throws BranchExists when the ref exists already (another run created it meanwhile).
   */
  createOrphanBranch?(branch: string, files: Readonly<Record<string, string>>, message: string): Promise<string>;
  /** Open issues (not pull requests) of the repository; the drift issue is found among them by its marker. */
  listOpenIssues?(): Promise<RepoIssue[]>;
  createIssue?(title: string, body: string): Promise<RepoIssue>;
  updateIssue?(issue: number, change: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<void>;
}

export interface RepoIssue {
  number: number;
  title: string;
  body: string;
  author: string;
}

/** The blob sha given as precondition is no longer the branch's: re-read, merge and retry. */
export class WriteConflict extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'WriteConflict';
  }
}

/** A branch to be created exists already. */
export class BranchExists extends Error {
  constructor(readonly branch: string) {
    super(`branch ${branch} exists already`);
    this.name = 'BranchExists';
  }
}

/** The token may not write (fork PR, `permissions: read`, Dependabot): stop writing, report elsewhere. */
export class WriteForbidden extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'WriteForbidden';
  }
}

export interface OctokitLogger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
}

export interface OctokitSettings {
  token: string;
  baseUrl: string;
  log: OctokitLogger;
  /** Base of the retry back-off in ms (the plugin's default is 1000); tests shorten it. */
  retryBaseMs?: number;
  retries?: number;
  /** false turns the throttling plugin's pacing off (it spaces writes 1 s and comments 3 s apart); tests only. */
  throttle?: boolean;
  /** Time limit of one request, its body included (default DEFAULT_API_TIMEOUT_S). */
  timeoutMs?: number;
  /** Longest rate-limit wait (default RATE_LIMIT_MAX_WAIT_S). */
  maxRateLimitWaitS?: number;
  /** Unit of the throttling plugin's waits in ms (default 1000: retry-after is in seconds); tests shorten it. */
  rateLimitBaseMs?: number;
}

export type ActionOctokit = ReturnType<typeof getOctokit>;

/** The parts of an Octokit request's options that name the call. */
export interface RequestCall {
  method?: string;
  url?: string;
  [param: string]: unknown;
}

/**
 * A short name of a REST call for error messages: the method and the route below /repos/{owner}/{repo}/
 * with its parameters filled in, and the ref a read was made at: "GET contents .frontier/frontier.json@1a2b3c4d5e6f".
 */
export function describeCall(call: RequestCall): string {
  const method = (call.method ?? 'GET').toUpperCase();
  const route = (call.url ?? '').replace(/^https?:\/\/[^/]+/, '').replace(/^\/repos\/\{owner\}\/\{repo\}\/?/, '').replace(/\?.*$/, '');
  const filled = route.replace(/\{(\w+)\}/g, (_, k: string) => (call[k] === undefined ? `{${k}}` : String(call[k])));
  const contents = /^contents\/(.+)$/.exec(filled);
  const what = contents ? `contents ${contents[1]}` : filled || '/';
  const ref = typeof call.ref === 'string' ? call.ref : typeof call.branch === 'string' ? call.branch : undefined;
  return `${method} ${what}${ref ? `@${/^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 12) : ref}` : ''}`;
}

/** Turns a failed request (after the retry plugin gave up) into a ServiceError that names the call. */
export function requestError(err: unknown, call: RequestCall): ServiceError {
  const e = err as { status?: number; message?: string; response?: { data?: { message?: string } } };
  // @octokit/request reports a network failure as status 500 with the socket error as the message.
  const network = e?.status === 500 && !e.response;
  const status = network ? undefined : typeof e?.status === 'number' ? e.status : undefined;
  const data = e?.response?.data;
  const detail = (typeof data?.message === 'string' ? data.message : undefined) ?? e?.message ?? String(err);
  const rate = status !== undefined && (status === 403 || status === 429) && /rate limit/i.test(detail)
    ? ` (frontier-gate waits at most ${RATE_LIMIT_MAX_WAIT_S} s for a rate limit)` : '';
  return new ServiceError(`${describeCall(call)}: ${status !== undefined ? `HTTP ${status} ` : ''}${String(detail).slice(0, 500)}${rate}`.trim(), status);
}

export function createOctokit(settings: OctokitSettings): ActionOctokit {
  const octokit = createBareOctokit(settings);
  // Outermost hook: sees the error after the retry and throttling plugins are done with it.
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options);
    } catch (err) {
      throw requestError(err, options as unknown as RequestCall);
    }
  });
  return octokit;
}

/** The socket-level reason of a failed fetch ("connect ECONNREFUSED 127.0.0.1:443"), not undici's "fetch failed". */
export function networkDetail(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string; errors?: { message?: string }[] } };
  const cause = e?.cause;
  const nested = cause?.errors?.map((x) => x.message).filter(Boolean).join('; ');
  return nested || cause?.message || cause?.code || e?.message || String(err);
}

/**
 * A failure of the request itself that a retry would not cure (no answer in time, an answer too large).
 * Named AbortError so @octokit/request passes it on untouched and the retry plugin does not retry it; the
 * outer hook (createOctokit) turns it into a ServiceError naming the call.
 */
class BoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AbortError';
  }
}

/** Reads a body to the end, refusing it as soon as it passes `cap` bytes. */
async function readCapped(body: ReadableStream<Uint8Array> | null, cap: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => undefined);
      throw new BoundError(`the response is over ${Math.round(cap / MiB)} MiB; not read further`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

/**
 * The runner's proxy-aware fetch (as @actions/github sets it up) with a deadline for the whole exchange
 * (the body's reading included, so an API that trickles a byte a second is cut off) and a cap on the bytes
 * of the answer; a network failure is rethrown with its socket-level reason (@octokit/request only unwraps
 * the cause when it is an Error of its own realm).
 */
function boundedFetch(baseUrl: string, timeoutMs: number): typeof fetch {
  const inner = getProxyFetch(baseUrl) as unknown as typeof fetch;
  return (async (url: string | URL | Request, init?: RequestInit) => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    init?.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    try {
      const res = await inner(url, { ...init, signal: controller.signal });
      const cap = /\/git\/blobs\//.test(String(url)) ? RESPONSE_LIMITS.blobBytes : RESPONSE_LIMITS.bytes;
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > cap) {
        controller.abort();
        throw new BoundError(`the response announces ${Math.round(declared / MiB)} MiB, over the ${Math.round(cap / MiB)} MiB limit; not read`);
      }
      const body = await readCapped(res.body, cap);
      const empty = [101, 204, 205, 304].includes(res.status);
      return new Response(empty ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (err) {
      if (timedOut) throw new BoundError(`no complete answer within ${timeoutMs / 1000} s (the request's time limit; input api-timeout)`);
      if (err instanceof BoundError || (err as Error)?.name === 'AbortError') throw err;
      throw new Error(networkDetail(err));
    } finally {
      clearTimeout(timer);
    }
  }) as typeof fetch;
}

function createBareOctokit(settings: OctokitSettings): ActionOctokit {
  const { log } = settings;
  const maxWait = settings.maxRateLimitWaitS ?? RATE_LIMIT_MAX_WAIT_S;
  // A reset further away than maxWait is not waited for: the call fails (exit 4) and says so.
  const wait = (kind: string, retryAfter: number, options: { method: string; url: string }, retryCount: number, tries: number) => {
    if (retryAfter > maxWait) {
      log.warning(`GitHub API ${kind} on ${options.method} ${options.url}: the reset is ${retryAfter} s away, more than the ${maxWait} s frontier-gate waits; failing the call`);
      return false;
    }
    if (retryCount >= tries) return false;
    log.warning(`GitHub API ${kind} on ${options.method} ${options.url}; retrying in ${retryAfter} s`);
    return true;
  };
  return getOctokit(
    settings.token,
    {
      baseUrl: settings.baseUrl,
      request: { agent: getProxyAgent(settings.baseUrl), fetch: boundedFetch(settings.baseUrl, settings.timeoutMs ?? DEFAULT_API_TIMEOUT_S * 1000) },
      userAgent: 'frontier-gate-action',
      log: { debug: log.debug, info: log.debug, warn: log.warning, error: log.warning },
      retry: {
        // 409/422 on a contents write mean a stale sha: the caller merges, a blind retry would not help.
        doNotRetry: [400, 401, 403, 404, 409, 422, 451],
        retries: settings.retries ?? 3,
        retryAfterBaseValue: settings.retryBaseMs ?? 1000,
      },
      throttle: {
        enabled: settings.throttle ?? true,
        // With pacing off (tests), the limit handlers still decide; only the pacing of writes is skipped.
        ...(settings.rateLimitBaseMs !== undefined ? { retryAfterBaseValue: settings.rateLimitBaseMs } : {}),
        onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => wait('rate limit', retryAfter, options, retryCount, 2),
        onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => wait('secondary rate limit', retryAfter, options, retryCount, 1),
      },
    },
    retry,
    throttling,
  );
}

interface HttpError {
  status?: number;
  message?: string;
}

function statusOf(err: unknown): number | undefined {
  return typeof (err as HttpError)?.status === 'number' ? (err as HttpError).status : undefined;
}

/** The login GITHUB_TOKEN comments as. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

type Json = Record<string, unknown>;
type Page = (page: number) => Promise<{ data: unknown }>;

/**
 * Every page of a list, by explicit page number (100 items a page; the Link header is not followed, so a
 * response cannot send the token elsewhere), each page checked, at most `max` items.
 */
async function allPages<T>(kind: ResponseKind, call: string, page: Page, max: number): Promise<T[]> {
  const out: T[] = [];
  for (let n = 1; ; n++) {
    const items = checkResponse<T[]>(kind, `${call} (page ${n})`, (await page(n)).data);
    out.push(...items);
    if (items.length < 100) return out;
    if (out.length >= max) throw new ServiceError(`${call}: more than ${max} items (LIST_LIMITS); frontier-gate reads at most ${max}`, undefined);
  }
}

export function createRepoApi(octokit: ActionOctokit, repo: RepoRef): RepoApi {
  const { owner, repo: name } = repo;
  let login: Promise<string> | undefined;
  const forbidden = (err: unknown) => {
    const status = statusOf(err);
    return status === 403 || status === 401 ? new WriteForbidden(status, (err as HttpError).message ?? String(err)) : err;
  };
  return {
    authenticatedLogin() {
      login ??= (async () => {
        let data: unknown;
        try {
          ({ data } = await octokit.rest.users.getAuthenticated());
        } catch (err) {
          // "Resource not accessible by integration": an installation token (GITHUB_TOKEN).
          const status = statusOf(err);
          if (status === 403 || status === 401 || status === 404) return ACTIONS_BOT_LOGIN;
          throw err;
        }
        return checkResponse<{ login: string }>('users.getAuthenticated', 'GET /user', data).login;
      })();
      return login;
    },

    async getPullRequest(pr) {
      let data: unknown;
      try {
        ({ data } = await octokit.rest.pulls.get({ owner, repo: name, pull_number: pr }));
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
      const d = checkResponse<{ number: number; state: string; head: { sha: string; repo: { full_name: string } | null } }>('pulls.get', `GET pulls/${pr}`, data);
      return { number: d.number, headSha: d.head.sha, headRepo: d.head.repo?.full_name ?? null, state: d.state };
    },

    async listPullRequestFiles(pr) {
      const files = await allPages<{ filename: string; status: string }>(
        'pulls.listFiles', `GET pulls/${pr}/files`,
        (page) => octokit.rest.pulls.listFiles({ owner, repo: name, pull_number: pr, per_page: 100, page }), LIST_LIMITS.prFiles,
      );
      return files.filter((f) => f.status !== 'removed').map((f) => f.filename);
    },

    async compareFiles(base, head) {
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo: name, basehead: `${base}...${head}` });
      const d = checkResponse<{ files?: { filename: string; status: string }[] }>('repos.compareCommitsWithBasehead', `GET compare/${base.slice(0, 12)}...${head.slice(0, 12)}`, data);
      return (d.files ?? []).filter((f) => f.status !== 'removed').map((f) => f.filename);
    },

    async getFile(path, ref) {
      const call = `GET contents ${path}@${/^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 12) : ref}`;
      let data: unknown;
      try {
        ({ data } = await octokit.rest.repos.getContent({ owner, repo: name, path, ref }));
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
      const d = checkResponse<Json[] | { type: string; sha: string; encoding?: string; content?: string }>('repos.getContent', call, data);
      // A folder, a symbolic link or a submodule in the repository: only regular files are read.
      if (Array.isArray(d)) throw new UserError(`${path} at ${ref.slice(0, 12)} is a folder in the repository, not a file`);
      if (d.type !== 'file') throw new UserError(`${path} at ${ref.slice(0, 12)} is a ${d.type === 'symlink' ? 'symbolic link' : JSON.stringify(d.type)} in the repository, not a regular file; not read`);
      if (d.encoding === 'base64' && typeof d.content === 'string') {
        return { sha: d.sha, text: decodeText(Buffer.from(d.content, 'base64'), `${path} at ${ref.slice(0, 12)}`) };
      }
      // Files over 1 MB come back without content ("encoding": "none"): fetch the blob itself.
      const blob = checkResponse<{ encoding: string; content: string }>(
        'git.getBlob', `GET git/blobs/${d.sha.slice(0, 12)} (${path})`, (await octokit.rest.git.getBlob({ owner, repo: name, file_sha: d.sha })).data,
      );
      const bytes = blob.encoding === 'base64' ? Buffer.from(blob.content, 'base64') : Buffer.from(blob.content, 'utf8');
      return { sha: d.sha, text: decodeText(bytes, `${path} at ${ref.slice(0, 12)}`) };
    },

    async putFile(path, branch, text, sha, message) {
      let data: unknown;
      try {
        ({ data } = await octokit.rest.repos.createOrUpdateFileContents({
          owner,
          repo: name,
          path,
          branch,
          message,
          content: Buffer.from(text, 'utf8').toString('base64'),
          ...(sha ? { sha } : {}),
        }));
      } catch (err) {
        const status = statusOf(err);
        const msg = (err as HttpError).message ?? String(err);
        // 409: the sha no longer matches the branch head's blob; 422: sha missing for an existing file
        // (someone created it meanwhile) or not matching.
        if (status === 409 || (status === 422 && /sha/i.test(msg))) throw new WriteConflict(status, msg);
        throw forbidden(err);
      }
      const d = checkResponse<{ commit: { sha: string }; content: { sha: string } | null }>('repos.createOrUpdateFileContents', `PUT contents ${path}@${branch}`, data);
      return { commitSha: d.commit.sha, blobSha: d.content?.sha ?? '' };
    },

    async getBranchHead(branch) {
      let data: unknown;
      try {
        ({ data } = await octokit.rest.git.getRef({ owner, repo: name, ref: `heads/${branch}` }));
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
      return checkResponse<{ object: { sha: string } }>('git.getRef', `GET git/ref/heads/${branch}`, data).object.sha;
    },

    async createOrphanBranch(branch, files, message) {
      try {
        const tree = checkResponse<{ sha: string }>('git.createTree', 'POST git/trees', (await octokit.rest.git.createTree({
          owner, repo: name, tree: Object.entries(files).map(([path, content]) => ({ path, mode: '100644' as const, type: 'blob' as const, content })),
        })).data);
        // parents: [] makes the commit a root: the branch shares no history with the repository's code.
        const commit = checkResponse<{ sha: string }>('git.createCommit', 'POST git/commits', (await octokit.rest.git.createCommit({ owner, repo: name, message, tree: tree.sha, parents: [] })).data);
        try {
          await octokit.rest.git.createRef({ owner, repo: name, ref: `refs/heads/${branch}`, sha: commit.sha });
        } catch (err) {
          if (statusOf(err) === 422 && /already exists/i.test((err as HttpError).message ?? '')) throw new BranchExists(branch);
          throw err;
        }
        return commit.sha;
      } catch (err) {
        throw forbidden(err);
      }
    },

    async listIssueComments(issue) {
      const comments = await allPages<{ id: number; body?: string | null; user: { login: string } | null }>(
        'issues.listComments', `GET issues/${issue}/comments`,
        (page) => octokit.rest.issues.listComments({ owner, repo: name, issue_number: issue, per_page: 100, page }), LIST_LIMITS.comments,
      );
      return comments.map((c) => ({ id: c.id, body: c.body ?? '', author: c.user?.login ?? '' }));
    },

    async createIssueComment(issue, body) {
      let data: unknown;
      try {
        ({ data } = await octokit.rest.issues.createComment({ owner, repo: name, issue_number: issue, body }));
      } catch (err) {
        throw forbidden(err);
      }
      const d = checkResponse<{ id: number; body?: string | null; user?: { login: string } | null }>('issues.createComment', `POST issues/${issue}/comments`, data);
      return { id: d.id, body: d.body ?? body, author: d.user?.login ?? '' };
    },

    async updateIssueComment(id, body) {
      let data: unknown;
      try {
        ({ data } = await octokit.rest.issues.updateComment({ owner, repo: name, comment_id: id, body }));
      } catch (err) {
        throw forbidden(err);
      }
      checkResponse('issues.updateComment', `PATCH issues/comments/${id}`, data);
    },

    async listOpenIssues() {
      const issues = await allPages<{ number: number; title: string; body?: string | null; user?: { login: string } | null; pull_request?: unknown }>(
        'issues.listForRepo', 'GET issues',
        (page) => octokit.rest.issues.listForRepo({ owner, repo: name, state: 'open', per_page: 100, page }), LIST_LIMITS.issues,
      );
      return issues.filter((i) => !i.pull_request).map((i) => ({ number: i.number, title: i.title, body: i.body ?? '', author: i.user?.login ?? '' }));
    },

    async createIssue(title, body) {
      let data: unknown;
      try {
        ({ data } = await octokit.rest.issues.create({ owner, repo: name, title, body }));
      } catch (err) {
        throw forbidden(err);
      }
      const d = checkResponse<{ number: number; title: string; body?: string | null; user?: { login: string } | null }>('issues.create', 'POST issues', data);
      return { number: d.number, title: d.title, body: d.body ?? body, author: d.user?.login ?? '' };
    },

    async updateIssue(issue, change) {
      let data: unknown;
      try {
        ({ data } = await octokit.rest.issues.update({ owner, repo: name, issue_number: issue, ...change }));
      } catch (err) {
        throw forbidden(err);
      }
      checkResponse('issues.update', `PATCH issues/${issue}`, data);
    },
  };
}
