/**
 * What the action takes from a GitHub API response, as a schema of exactly the fields it uses, checked
 * before anything is used (fail closed): a body that is not JSON, a list where an object belongs, a file
 * name that leaves the repository, a sha that is not one, a page with more items than asked for. Anything
 * else is a ServiceError (exit 4) naming the call and the field, never a verdict.
 *
 * The bytes of a response are bounded before they are parsed (src/github/api.ts, RESPONSE_LIMITS).
 */
import Ajv, { type ErrorObject } from 'ajv';
import { ServiceError } from '../errors';
import { isGitPath } from '../util/paths';
import { excerpt } from '../util/fs';

const SHA = { type: 'string', pattern: '^[0-9a-fA-F]{40}$' } as const;
const LOGIN = { type: 'string', minLength: 1, maxLength: 100 } as const;
const USER = { anyOf: [{ type: 'null' }, { type: 'object', required: ['login'], properties: { login: LOGIN } }] } as const;
const ID = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const TEXT = { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 1_000_000 }] } as const;
/** owner/name as GitHub spells repositories. */
const FULL_NAME = { type: 'string', pattern: '^[\\w.-]{1,100}/[\\w.-]{1,100}$' } as const;

/** Files of a PR or a compare: GitHub lists at most 3000 (PR) and 300 (compare). */
const CHANGED_FILE = {
  type: 'object',
  required: ['filename', 'status'],
  properties: {
    filename: { type: 'string', format: 'git-path' },
    status: { type: 'string', maxLength: 40 },
  },
} as const;

/** One schema per call the action makes; a page of a list is checked on its own (its items bounded). */
export const RESPONSE_SCHEMAS = {
  'pulls.get': {
    type: 'object',
    required: ['number', 'state', 'head'],
    properties: {
      number: ID,
      state: { type: 'string', maxLength: 40 },
      head: { type: 'object', required: ['sha', 'repo'], properties: { sha: SHA, repo: { anyOf: [{ type: 'null' }, { type: 'object', required: ['full_name'], properties: { full_name: FULL_NAME } }] } } },
    },
  },
  'pulls.listFiles': { type: 'array', maxItems: 100, items: CHANGED_FILE },
  'repos.compareCommitsWithBasehead': {
    type: 'object',
    properties: { files: { type: 'array', maxItems: 3000, items: CHANGED_FILE } },
  },
  'repos.getContent': {
    anyOf: [
      // A folder: the contents API lists it.
      { type: 'array' },
      {
        type: 'object',
        required: ['type', 'sha'],
        properties: {
          type: { type: 'string', maxLength: 40 },
          sha: SHA,
          encoding: { type: 'string', maxLength: 40 },
          content: { type: 'string' },
          size: { type: 'integer', minimum: 0 },
        },
        if: { properties: { type: { const: 'file' } } },
        then: { required: ['type', 'sha', 'encoding'] },
      },
    ],
  },
  'git.getBlob': {
    type: 'object',
    required: ['sha', 'encoding', 'content'],
    properties: { sha: SHA, encoding: { enum: ['base64', 'utf-8'] }, content: { type: 'string' } },
  },
  'repos.createOrUpdateFileContents': {
    type: 'object',
    required: ['commit', 'content'],
    properties: {
      commit: { type: 'object', required: ['sha'], properties: { sha: SHA } },
      content: { anyOf: [{ type: 'null' }, { type: 'object', required: ['sha'], properties: { sha: SHA } }] },
    },
  },
  'git.getRef': { type: 'object', required: ['object'], properties: { object: { type: 'object', required: ['sha'], properties: { sha: SHA } } } },
  'git.createTree': { type: 'object', required: ['sha'], properties: { sha: SHA } },
  'git.createCommit': { type: 'object', required: ['sha'], properties: { sha: SHA } },
  'users.getAuthenticated': { type: 'object', required: ['login'], properties: { login: LOGIN } },
  'issues.listComments': {
    type: 'array',
    maxItems: 100,
    items: { type: 'object', required: ['id', 'user'], properties: { id: ID, body: TEXT, user: USER } },
  },
  'issues.createComment': { type: 'object', required: ['id'], properties: { id: ID, body: TEXT, user: USER } },
  'issues.updateComment': { type: 'object', required: ['id'], properties: { id: ID } },
  'issues.listForRepo': {
    type: 'array',
    maxItems: 100,
    items: {
      type: 'object',
      required: ['number', 'title'],
      properties: { number: ID, title: { type: 'string', maxLength: 1000 }, body: TEXT, user: USER, pull_request: { type: 'object' } },
    },
  },
  'issues.create': { type: 'object', required: ['number', 'title'], properties: { number: ID, title: { type: 'string', maxLength: 1000 }, body: TEXT, user: USER } },
  'issues.update': { type: 'object', required: ['number'], properties: { number: ID } },
} as const;

export type ResponseKind = keyof typeof RESPONSE_SCHEMAS;

const ajv = new Ajv({ allErrors: false, strict: false });
ajv.addFormat('git-path', { type: 'string', validate: (s: string) => isGitPath(s) });
const validators = Object.fromEntries(Object.entries(RESPONSE_SCHEMAS).map(([k, s]) => [k, ajv.compile(s)])) as Record<ResponseKind, ReturnType<typeof ajv.compile>>;

function valueAt(data: unknown, pointer: string): unknown {
  let v = data;
  for (const part of pointer.split('/').slice(1)) v = (v as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}

function describe(e: ErrorObject, data: unknown): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'the response';
  const value = valueAt(data, e.instancePath);
  const shown = value === null ? 'null' : Array.isArray(value) ? `a list of ${value.length}` : typeof value === 'object' ? 'an object' : excerpt(value, 60);
  const what = e.keyword === 'format' ? 'not a path inside the repository' : e.message ?? 'invalid';
  return `${where}: ${what}, got ${shown}`;
}

/**
 * `data` as the schema of `kind` says, or a ServiceError (exit 4) naming the call: "GET pulls/2/files: the
 * response is not what the GitHub API documents (0.filename: not a path inside the repository, got "../x")".
 */
export function checkResponse<T>(kind: ResponseKind, call: string, data: unknown, status?: number): T {
  const validate = validators[kind];
  if (validate(data)) return data as T;
  const detail = typeof data === 'string' ? `the body is not the JSON object or list the call answers (${data ? `got text ${excerpt(data, 60)}` : 'got an empty or unparsable body'})` : describe(validate.errors![0], data);
  throw new ServiceError(`${call}: the response is not what the GitHub API documents: ${detail}; nothing was used from it`, status);
}
