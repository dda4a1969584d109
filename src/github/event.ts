/**
 * What the runner tells us about the triggering event, read from the environment at call time (the
 * @actions/github context is frozen at import, which would make the action untestable in-process).
 */
import * as fs from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import { UserError } from '../errors';
import { excerpt, readRegularText } from '../util/fs';
import { parseJson } from '../util/json';
import { isGitPath } from '../util/paths';

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

const SHA = { type: 'string', pattern: '^[0-9a-fA-F]{40}$' } as const;
const REF = { type: 'string', minLength: 1, maxLength: 1000 } as const;
const FULL_NAME = { type: 'string', pattern: '^[\\w.-]{1,100}/[\\w.-]{1,100}$' } as const;
const FILES = { type: 'array', maxItems: 100_000, items: { type: 'string', format: 'git-path' } } as const;
const REPOSITORY = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 100 }, owner: { type: 'object', properties: { login: { type: 'string', maxLength: 100 } } }, default_branch: REF },
} as const;

/**
 * The fields of each event's payload the action reads, checked before any is used (fail closed): a
 * `pull_request` that is not an object with a number and both commits, a push whose file lists hold a path
 * out of the repository, are exit 2 naming the field, never a run against an empty ref.
 */
export const EVENT_SCHEMAS: Record<string, object> = {
  pull_request: {
    type: 'object',
    required: ['pull_request'],
    properties: {
      number: { type: 'integer', minimum: 1 },
      repository: REPOSITORY,
      pull_request: {
        type: 'object',
        required: ['number', 'base', 'head'],
        properties: {
          number: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          base: { type: 'object', required: ['sha', 'ref'], properties: { sha: SHA, ref: REF, repo: { type: 'object', required: ['full_name'], properties: { full_name: FULL_NAME } } } },
          head: {
            type: 'object',
            required: ['sha', 'ref', 'repo'],
            properties: { sha: SHA, ref: REF, repo: { anyOf: [{ type: 'null' }, { type: 'object', required: ['full_name'], properties: { full_name: FULL_NAME } }] } },
          },
        },
      },
    },
  },
  push: {
    type: 'object',
    required: ['ref', 'before', 'after'],
    properties: {
      ref: REF,
      before: SHA,
      after: SHA,
      repository: REPOSITORY,
      commits: { type: 'array', maxItems: 10_000, items: { type: 'object', properties: { added: FILES, modified: FILES, removed: FILES } } },
    },
  },
  workflow_run: {
    type: 'object',
    required: ['workflow_run'],
    properties: { repository: REPOSITORY, workflow_run: { type: 'object' } },
  },
};
EVENT_SCHEMAS.pull_request_target = EVENT_SCHEMAS.pull_request;
/** Every other event: only the repository is read (and only when GITHUB_REPOSITORY is unset). */
const ANY_EVENT = { type: 'object', properties: { repository: REPOSITORY } };

const ajv = new Ajv({ allErrors: false, strict: false });
ajv.addFormat('git-path', { type: 'string', validate: (v: string) => isGitPath(v) });
const validators = new Map<string, ValidateFunction>();
function validatorOf(event: string): ValidateFunction {
  const schema = EVENT_SCHEMAS[event] ?? ANY_EVENT;
  let v = validators.get(event);
  if (!v) validators.set(event, (v = ajv.compile(schema)));
  return v;
}

/** The payload, or exit 2 naming the event, the field and what was there. */
function checkPayload(event: string, payload: unknown, where: string): Json {
  const validate = validatorOf(event);
  if (validate(payload)) return payload as Json;
  const e = validate.errors![0];
  let value: unknown = payload;
  for (const part of e.instancePath.split('/').slice(1)) value = (value as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  const field = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  const shown = value === null ? 'null' : Array.isArray(value) ? `a list of ${value.length}` : typeof value === 'object' ? 'an object' : excerpt(value, 60);
  const what = e.keyword === 'format' ? 'not a path inside the repository' : e.message ?? 'invalid';
  throw new UserError(`${where}: the ${event} event's payload: ${field}: ${what}, got ${shown}; not running on a payload the action cannot trust`);
}

export function readEventContext(env: NodeJS.ProcessEnv): EventContext {
  const name = env.GITHUB_EVENT_NAME ?? '';
  let payload: Json = {};
  const eventPath = env.GITHUB_EVENT_PATH;
  const where = `GITHUB_EVENT_PATH ${JSON.stringify(eventPath ?? '')}`;
  if (eventPath && fs.existsSync(eventPath)) {
    const text = readRegularText(eventPath, { what: 'GITHUB_EVENT_PATH', kind: 'event' });
    payload = parseJson(text, where, { notJson: 'not valid JSON' }) as Json;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new UserError(`${where}: the event payload is not a JSON object`);
    }
  } else if (EVENT_SCHEMAS[name]) {
    // The events the action judges or writes on must say what they are about.
    throw new UserError(`${where}: the ${name} event has no payload file; run frontier-gate as a GitHub Action step (the runner writes it)`);
  }
  payload = checkPayload(name, payload, where);
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
    const baseRepo = pr.base.repo?.full_name ?? `${owner}/${repo}`;
    // A deleted fork leaves head.repo null: still not ours, so still read-only.
    const headRepo = pr.head.repo?.full_name ?? null;
    ctx.pullRequest = {
      number: pr.number,
      baseSha: pr.base.sha,
      baseRef: pr.base.ref,
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      fromFork: headRepo === null || headRepo.toLowerCase() !== String(baseRepo).toLowerCase(),
    };
  }
  if (name === 'push') {
    const commits = Array.isArray(payload.commits) ? (payload.commits as Json[]) : [];
    const changed = new Set<string>();
    const removed = new Set<string>();
    for (const c of commits) {
      // Names are paths git could hold (the schema); a name that hides characters is refused where it is read.
      for (const f of [...(c.added ?? []), ...(c.modified ?? [])] as string[]) {
        changed.add(f);
        removed.delete(f);
      }
      for (const f of (c.removed ?? []) as string[]) {
        removed.add(f);
        changed.delete(f);
      }
    }
    ctx.push = {
      ref: payload.ref,
      before: payload.before,
      after: payload.after,
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
