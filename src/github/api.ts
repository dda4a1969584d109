/**
 * The few GitHub REST calls the action makes, behind a small interface so that the orchestration is
 * tested against a recording fake or a loopback server. The Octokit comes from @actions/github with
 * the retry and throttling plugins; the base URL is GITHUB_API_URL read at call time (GHES).
 */
import { getOctokit } from '@actions/github';
import { getProxyAgent, getProxyFetch } from '@actions/github/lib/internal/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { ServiceError } from '../errors';
import type { RepoRef } from './event';

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
  const detail = e?.response?.data?.message ?? e?.message ?? String(err);
  return new ServiceError(`${describeCall(call)}: ${status !== undefined ? `HTTP ${status} ` : ''}${detail}`.trim(), status);
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
 * The runner's proxy-aware fetch (as @actions/github sets it up), rethrowing a network failure with its
 * socket-level reason: @octokit/request only unwraps the cause when it is an Error of its own realm.
 */
function describedFetch(baseUrl: string): typeof fetch {
  const inner = getProxyFetch(baseUrl) as unknown as typeof fetch;
  return (async (url: string | URL | Request, init?: RequestInit) => {
    try {
      return await inner(url, init);
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new Error(networkDetail(err));
    }
  }) as typeof fetch;
}

function createBareOctokit(settings: OctokitSettings): ActionOctokit {
  const { log } = settings;
  return getOctokit(
    settings.token,
    {
      baseUrl: settings.baseUrl,
      request: { agent: getProxyAgent(settings.baseUrl), fetch: describedFetch(settings.baseUrl) },
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
        onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log.warning(`GitHub API rate limit hit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
          return retryCount < 2;
        },
        onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log.warning(`GitHub API secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
          return retryCount < 1;
        },
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

export function createRepoApi(octokit: ActionOctokit, repo: RepoRef): RepoApi {
  const { owner, repo: name } = repo;
  let login: Promise<string> | undefined;
  return {
    authenticatedLogin() {
      login ??= (async () => {
        try {
          const { data } = await octokit.rest.users.getAuthenticated();
          if (typeof data?.login !== 'string' || !data.login) throw new Error('GET /user returned no login');
          return data.login;
        } catch (err) {
          // "Resource not accessible by integration": an installation token (GITHUB_TOKEN).
          const status = statusOf(err);
          if (status === 403 || status === 401 || status === 404) return ACTIONS_BOT_LOGIN;
          throw err;
        }
      })();
      return login;
    },

    async getPullRequest(pr) {
      try {
        const { data } = await octokit.rest.pulls.get({ owner, repo: name, pull_number: pr });
        return { number: data.number, headSha: data.head.sha, headRepo: data.head.repo?.full_name ?? null, state: data.state };
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
    },

    async listPullRequestFiles(pr) {
      const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo: name, pull_number: pr, per_page: 100 });
      return files.filter((f) => f.status !== 'removed').map((f) => f.filename);
    },

    async compareFiles(base, head) {
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo: name, basehead: `${base}...${head}` });
      return (data.files ?? []).filter((f) => f.status !== 'removed').map((f) => f.filename);
    },

    async getFile(path, ref) {
      let data: unknown;
      try {
        ({ data } = await octokit.rest.repos.getContent({ owner, repo: name, path, ref }));
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
      if (Array.isArray(data) || (data as { type?: string }).type !== 'file') {
        throw new Error(`${path} at ${ref} is not a file`);
      }
      const file = data as { sha: string; content?: string; encoding?: string; size?: number };
      if (file.encoding === 'base64' && typeof file.content === 'string') {
        return { sha: file.sha, text: Buffer.from(file.content, 'base64').toString('utf8') };
      }
      // Files over 1 MB come back without content ("encoding": "none"): fetch the blob itself.
      const blob = await octokit.rest.git.getBlob({ owner, repo: name, file_sha: file.sha });
      const text = blob.data.encoding === 'base64' ? Buffer.from(blob.data.content, 'base64').toString('utf8') : blob.data.content;
      return { sha: file.sha, text };
    },

    async putFile(path, branch, text, sha, message) {
      try {
        const { data } = await octokit.rest.repos.createOrUpdateFileContents({
          owner,
          repo: name,
          path,
          branch,
          message,
          content: Buffer.from(text, 'utf8').toString('base64'),
          ...(sha ? { sha } : {}),
        });
        return { commitSha: data.commit.sha ?? '', blobSha: data.content?.sha ?? '' };
      } catch (err) {
        const status = statusOf(err);
        const msg = (err as HttpError).message ?? String(err);
        // 409: the sha no longer matches the branch head's blob; 422: sha missing for an existing file
        // (someone created it meanwhile) or not matching.
        if (status === 409 || (status === 422 && /sha/i.test(msg))) throw new WriteConflict(status, msg);
        if (status === 403 || status === 401) throw new WriteForbidden(status, msg);
        throw err;
      }
    },

    async getBranchHead(branch) {
      try {
        const { data } = await octokit.rest.git.getRef({ owner, repo: name, ref: `heads/${branch}` });
        return typeof data?.object?.sha === 'string' ? data.object.sha : null;
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
    },

    async createOrphanBranch(branch, files, message) {
      const forbidden = (err: unknown) => {
        const status = statusOf(err);
        return status === 403 || status === 401 ? new WriteForbidden(status, (err as HttpError).message ?? String(err)) : err;
      };
      try {
        const tree = await octokit.rest.git.createTree({
          owner, repo: name, tree: Object.entries(files).map(([path, content]) => ({ path, mode: '100644' as const, type: 'blob' as const, content })),
        });
        // parents: [] makes the commit a root: the branch shares no history with the repository's code.
        const commit = await octokit.rest.git.createCommit({ owner, repo: name, message, tree: tree.data.sha, parents: [] });
        try {
          await octokit.rest.git.createRef({ owner, repo: name, ref: `refs/heads/${branch}`, sha: commit.data.sha });
        } catch (err) {
          if (statusOf(err) === 422 && /already exists/i.test((err as HttpError).message ?? '')) throw new BranchExists(branch);
          throw err;
        }
        return commit.data.sha;
      } catch (err) {
        throw forbidden(err);
      }
    },

    async listIssueComments(issue) {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo: name, issue_number: issue, per_page: 100 });
      return comments.map((c) => ({ id: c.id, body: c.body ?? '', author: c.user?.login ?? '' }));
    },

    async createIssueComment(issue, body) {
      try {
        const { data } = await octokit.rest.issues.createComment({ owner, repo: name, issue_number: issue, body });
        return { id: data.id, body: data.body ?? body, author: data.user?.login ?? '' };
      } catch (err) {
        const status = statusOf(err);
        if (status === 403 || status === 401) throw new WriteForbidden(status, (err as HttpError).message ?? String(err));
        throw err;
      }
    },

    async updateIssueComment(id, body) {
      try {
        await octokit.rest.issues.updateComment({ owner, repo: name, comment_id: id, body });
      } catch (err) {
        const status = statusOf(err);
        if (status === 403 || status === 401) throw new WriteForbidden(status, (err as HttpError).message ?? String(err));
        throw err;
      }
    },

    async listOpenIssues() {
      const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo: name, state: 'open', per_page: 100 });
      return issues.filter((i) => !i.pull_request).map((i) => ({ number: i.number, title: i.title, body: i.body ?? '', author: i.user?.login ?? '' }));
    },

    async createIssue(title, body) {
      try {
        const { data } = await octokit.rest.issues.create({ owner, repo: name, title, body });
        return { number: data.number, title: data.title, body: data.body ?? body, author: data.user?.login ?? '' };
      } catch (err) {
        const status = statusOf(err);
        if (status === 403 || status === 401) throw new WriteForbidden(status, (err as HttpError).message ?? String(err));
        throw err;
      }
    },

    async updateIssue(issue, change) {
      try {
        await octokit.rest.issues.update({ owner, repo: name, issue_number: issue, ...change });
      } catch (err) {
        const status = statusOf(err);
        if (status === 403 || status === 401) throw new WriteForbidden(status, (err as HttpError).message ?? String(err));
        throw err;
      }
    },
  };
}
