/**
 * What the runner tells us about the triggering event, read from the environment at call time (the
 * @actions/github context is frozen at import, which would make the action untestable in-process).
 */
import * as fs from 'node:fs';
import { UserError } from '../errors';
import { readRegularText } from '../util/fs';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestInfo {
  number: number;
  baseSha: string;
  baseRef: string;
  headSha: string;
  headRef: string;
  /** The head branch lives in another repository: the token is read-only and no write may be tried. */
  fromFork: boolean;
}

export interface PushInfo {
  ref: string;
  before: string;
  after: string;
  /** Files added or modified by the pushed commits as listed in the payload (may be truncated). */
  changedFiles: string[];
  /** The payload listed every commit (GitHub includes at most 20; more means ask the compare API). */
  complete: boolean;
}

export interface EventContext {
  name: string;
  repo: RepoRef;
  /** The workflow's name: part of the PR comment marker so two workflows keep separate comments. */
  workflow: string;
  sha: string;
  ref: string;
  defaultBranch?: string;
  actor: string;
  workspace: string;
  apiUrl: string;
  serverUrl: string;
  runUrl?: string;
  pullRequest?: PullRequestInfo;
  push?: PushInfo;
  payload: Record<string, unknown>;
}

const ZERO_SHA = /^0+$/;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function readEventContext(env: NodeJS.ProcessEnv): EventContext {
  const name = env.GITHUB_EVENT_NAME ?? '';
  let payload: Json = {};
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath && fs.existsSync(eventPath)) {
    try {
      payload = JSON.parse(readRegularText(eventPath, { what: 'GITHUB_EVENT_PATH', kind: 'event' })) as Json;
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`GITHUB_EVENT_PATH ${JSON.stringify(eventPath)}: not valid JSON (${(err as Error).message})`);
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new UserError(`GITHUB_EVENT_PATH ${JSON.stringify(eventPath)}: the event payload is not a JSON object`);
    }
  }
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? `${payload.repository?.owner?.login ?? ''}/${payload.repository?.name ?? ''}`).split('/');
  if (!owner || !repo) {
    throw new UserError('GITHUB_REPOSITORY is not set: run frontier-gate as a GitHub Action step (or set it to owner/name)');
  }
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '');
  const ctx: EventContext = {
    name,
    repo: { owner, repo },
    workflow: env.GITHUB_WORKFLOW ?? 'frontier-gate',
    sha: env.GITHUB_SHA ?? payload.after ?? '',
    ref: env.GITHUB_REF ?? payload.ref ?? '',
    defaultBranch: payload.repository?.default_branch,
    actor: env.GITHUB_ACTOR ?? payload.sender?.login ?? '',
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
    serverUrl,
    runUrl: env.GITHUB_RUN_ID ? `${serverUrl}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    payload,
  };
  const pr = payload.pull_request as Json | undefined;
  if (pr && (name === 'pull_request' || name === 'pull_request_target')) {
    const baseRepo = pr.base?.repo?.full_name ?? `${owner}/${repo}`;
    // A deleted fork leaves head.repo null: still not ours, so still read-only.
    const headRepo = pr.head?.repo?.full_name ?? null;
    ctx.pullRequest = {
      number: Number(pr.number ?? payload.number),
      baseSha: pr.base?.sha ?? '',
      baseRef: pr.base?.ref ?? '',
      headSha: pr.head?.sha ?? '',
      headRef: pr.head?.ref ?? '',
      fromFork: headRepo === null || headRepo.toLowerCase() !== String(baseRepo).toLowerCase(),
    };
  }
  if (name === 'push') {
    const commits = Array.isArray(payload.commits) ? (payload.commits as Json[]) : [];
    const changed = new Set<string>();
    const removed = new Set<string>();
    for (const c of commits) {
      for (const f of [...(c.added ?? []), ...(c.modified ?? [])]) {
        changed.add(f);
        removed.delete(f);
      }
      for (const f of c.removed ?? []) {
        removed.add(f);
        changed.delete(f);
      }
    }
    ctx.push = {
      ref: payload.ref ?? ctx.ref,
      before: payload.before ?? '',
      after: payload.after ?? ctx.sha,
      changedFiles: [...changed].sort(),
      complete: commits.length < 20,
    };
  }
  return ctx;
}

export function isZeroSha(sha: string): boolean {
  return ZERO_SHA.test(sha);
}

/** "refs/heads/main" -> "main"; undefined for tags and other refs. */
export function branchOf(ref: string): string | undefined {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}
