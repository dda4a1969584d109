/**
 * The action's inputs, read once into a typed config. Every error names the input and quotes the bad
 * value, so a typo in a workflow file is fixed from the log line alone.
 */
import { PRECISIONS } from '../arch/types';
import { COMMANDS as COMMAND_REGISTRY } from '../commands';
import { UserError } from '../errors';
import { excerpt } from '../util/fs';
import { cleanRepoPath, isRepoPath } from '../util/paths';
import { DEFAULT_TOLERANCES } from '../frontier/position';
import { PROVIDER_NAMES } from '../measure/providers';
import { DEFAULT_MEASURE_OPTIONS, type ExecutionProvider, type Precision } from '../measure/types';
import { DEFAULT_API_TIMEOUT_S } from './api';

/**
 * `command`: auto, or any command of the registry (src/commands/index.ts): a new command is reachable from
 * the action with no change here. check, record, sweep, lacs, profile, search and merge have flows of their
 * own (changed files, the store at a commit, commits back); any other runs on its search-args.
 */
export const COMMANDS: readonly string[] = ['auto', ...COMMAND_REGISTRY.map((c) => c.name)];
export type ActionCommand = string;
export const ON_FAIL = ['fail', 'comment', 'both'] as const;
export type OnFail = (typeof ON_FAIL)[number];
export const STORE_SOURCES = ['api', 'git'] as const;
export type StoreSource = (typeof STORE_SOURCES)[number];
export const ON_DRIFT = ['report', 'issue', 'fail', 'issue+fail'] as const;
export type OnDrift = (typeof ON_DRIFT)[number];
/** What a run that could not judge (bad input, an API failure, a provider that cannot load) does to the step. */
export const ON_ERROR = ['fail', 'pass'] as const;
export type OnError = (typeof ON_ERROR)[number];
/** Bounds of the api-timeout input, seconds (the default is api.ts DEFAULT_API_TIMEOUT_S). */
export const API_TIMEOUT_RANGE = { min: 1, max: 600 } as const;

export interface ActionConfig {
  command: ActionCommand;
  /** Glob of architecture configs and .onnx models; on a PR only the changed files that match it are checked. */
  configs: string;
  /**
   * true: a PR checks (a push records) only the changed files that match `configs`; false: every matching
   * file in the workspace (models a workflow step generates, such as an .onnx export).
   */
  changedOnly: boolean;
  /** Store path inside the repository (also the path used with the contents API). */
  frontier: string;
  /** Ref the store is read at; undefined = the PR's base commit (or the pushed/scheduled ref). */
  frontierRef?: string;
  target: string;
  executionProvider: ExecutionProvider;
  batchSize: number;
  precision: Precision;
  latencyTolerance: number;
  accuracyTolerance: number;
  metricsFile?: string;
  metricsKey?: string;
  onFail: OnFail;
  comment: boolean;
  /** Undefined when the input is empty: the command's own budget applies (check and record 20 s, sweep 60 s). */
  budgetSeconds?: number;
  /** check/record of a `family: base` config also run LACS (report the coefficients' move / store them). */
  lacsOnBase: boolean;
  githubToken: string;
  /** Where the JSON report is written (also the `report-json` output). */
  reportPath: string;
  /** profile/search/merge: the search space file. */
  space?: string;
  /** profile/search/merge: further arguments of the CLI command, split on white space (never a shell). */
  searchArgs: string[];
  /** profile/search/merge: where result files go. */
  outputDir: string;
  /** check: branch to commit the frontier chart to, for the comment's image; '' = none (src/github/assets.ts). */
  chartBranch: string;
  /** api: the contents API; git: the workspace's git repository at the ref (no API call at all). */
  storeSource: StoreSource;
  /** What a sweep (or a merge of sweep shards) that finds drift beyond the latency tolerance does. */
  onDrift: OnDrift;
  /** fail (default): a run that could not judge fails the step with its exit code; pass: it warns and passes. */
  onError: OnError;
  /** Time limit of each GitHub API request, seconds. */
  apiTimeoutSeconds: number;
}

export const DEFAULT_CONFIGS_GLOB = 'models/**/*.{yaml,yml}';
export const DEFAULT_FRONTIER = '.frontier/frontier.json';
export const DEFAULT_REPORT_PATH = 'frontier-gate-report.json';
export const DEFAULT_OUTPUT_DIR = 'frontier-gate-out';

/** `search-args`: flags for profile/search/merge. Split on white space; an output flag is the action's to set. */
function searchArgs(read: InputReader): string[] {
  const args = read('search-args').split(/\s+/).filter(Boolean);
  const owned = args.find((a) => /^--(out|reduce|json)(=|$)/.test(a));
  if (owned) throw new UserError(`input search-args: ${JSON.stringify(owned)} is set by the action (results go to output-dir); remove it`);
  return args;
}

/** `chart-branch`: a branch name as git allows it (no "..", no leading "-" or "/", no spaces or specials). */
function chartBranch(read: InputReader): string {
  const branch = read('chart-branch');
  if (branch && (!/^[\w./-]{1,200}$/.test(branch) || /^[-/.]|\.\.|\/$|\.lock$/.test(branch))) {
    throw new UserError(`input chart-branch: expected a branch name like frontier-assets, got ${JSON.stringify(branch)}`);
  }
  return branch;
}

export type InputReader = (name: string) => string;

/** on-error, read on its own: the error path needs it even when another input is wrong (then: fail). */
export function onErrorInput(read: InputReader): OnError {
  return choice(read, 'on-error', ON_ERROR, 'fail');
}

/** Build a reader over an environment the way the runner passes inputs (INPUT_<NAME>, spaces -> _). */
export function envInputReader(env: NodeJS.ProcessEnv): InputReader {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function choice<T extends string>(read: InputReader, name: string, choices: readonly T[], fallback: T): T {
  const raw = read(name);
  if (raw === '') return fallback;
  const lowered = raw.toLowerCase();
  if ((choices as readonly string[]).includes(lowered)) return lowered as T;
  throw new UserError(`input ${name}: expected one of ${choices.join(' | ')}, got ${JSON.stringify(raw)}`);
}

function num(
  read: InputReader,
  name: string,
  fallback: number | undefined,
  range: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean },
): number | undefined {
  const raw = read(name);
  if (raw === '') return fallback;
  const n = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false, exclusiveMin = false } = range;
  const belowMin = exclusiveMin ? n <= min : n < min;
  if (!Number.isFinite(n) || belowMin || n > max || (integer && !Number.isInteger(n))) {
    const kind = integer ? 'an integer' : 'a number';
    const lo = Number.isFinite(min) ? `${exclusiveMin ? '>' : '>='} ${min}` : '';
    const hi = Number.isFinite(max) ? `<= ${max}` : '';
    const bounds = [lo, hi].filter(Boolean).join(' and ');
    throw new UserError(`input ${name}: expected ${kind}${bounds ? ' ' + bounds : ''}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function bool(read: InputReader, name: string, fallback: boolean): boolean {
  const raw = read(name);
  if (raw === '') return fallback;
  // The YAML 1.2 core schema booleans, as @actions/core's getBooleanInput accepts them.
  if (['true', 'True', 'TRUE'].includes(raw)) return true;
  if (['false', 'False', 'FALSE'].includes(raw)) return false;
  throw new UserError(`input ${name}: expected true or false, got ${JSON.stringify(raw)}`);
}

/** A repository-relative path (util/paths.ts: no absolute path, no "..", no hidden characters), normalised. */
function repoPathInput(read: InputReader, name: string, fallback: string): string {
  const raw = read(name) || fallback;
  if (!isRepoPath(raw)) throw new UserError(`input ${name}: expected a path inside the repository, got ${excerpt(raw, 80)}`);
  return cleanRepoPath(raw, `input ${name}`);
}

export function parseActionInputs(read: InputReader): ActionConfig {
  // Confined to the workspace like configs: a PR must not make the action read the runner's files.
  const metricsFile = read('metrics-file') ? repoPathInput(read, 'metrics-file', '') : undefined;
  const metricsKey = read('metrics-key') || undefined;
  if (metricsKey && !metricsFile) {
    throw new UserError(`input metrics-key: set metrics-file too (metrics-key is ${JSON.stringify(metricsKey)})`);
  }
  const configs = read('configs') || DEFAULT_CONFIGS_GLOB;
  if (/^\//.test(configs) || configs.split('/').includes('..')) {
    throw new UserError(`input configs: expected a glob inside the repository, got ${JSON.stringify(configs)}`);
  }
  const githubToken = read('github-token');
  const storeSource = choice(read, 'store-source', STORE_SOURCES, 'api');
  // With store-source: git the run makes no API call, so it needs no token (a local try-out).
  if (!githubToken && storeSource !== 'git') {
    throw new UserError('input github-token: empty; leave it unset (it defaults to ${{ github.token }}) or pass a token');
  }
  const frontierRef = read('frontier-ref') || undefined;
  if (frontierRef !== undefined && !/^[\w./-]+$/.test(frontierRef)) {
    throw new UserError(`input frontier-ref: expected a commit sha, branch or tag, got ${JSON.stringify(frontierRef)}`);
  }
  const target = read('target') || 'auto';
  if (!/^[\w.:@+ -]{1,200}$/.test(target)) {
    throw new UserError(`input target: expected "auto" or a target key/label, got ${JSON.stringify(target)}`);
  }
  return {
    command: choice(read, 'command', COMMANDS, 'auto'),
    configs,
    changedOnly: bool(read, 'changed-only', true),
    frontier: repoPathInput(read, 'frontier', DEFAULT_FRONTIER),
    frontierRef,
    target,
    // Defaults from the sources the CLI's flags take theirs from (action.yml states the same values; a lint checks it).
    executionProvider: choice(read, 'execution-provider', PROVIDER_NAMES, DEFAULT_MEASURE_OPTIONS.ep),
    batchSize: num(read, 'batch-size', DEFAULT_MEASURE_OPTIONS.batch, { min: 1, max: 4096, integer: true })!,
    precision: choice(read, 'precision', PRECISIONS, DEFAULT_MEASURE_OPTIONS.precision),
    latencyTolerance: num(read, 'latency-tolerance', DEFAULT_TOLERANCES.latency, { min: 0, max: 1 })!,
    accuracyTolerance: num(read, 'accuracy-tolerance', DEFAULT_TOLERANCES.accuracy, { min: 0, max: 100 })!,
    metricsFile,
    metricsKey,
    onFail: choice(read, 'on-fail', ON_FAIL, 'both'),
    comment: bool(read, 'comment', true),
    budgetSeconds: num(read, 'budget-seconds', undefined, { min: 0, max: 6 * 3600, exclusiveMin: true }),
    lacsOnBase: bool(read, 'lacs-on-base', true),
    githubToken,
    reportPath: repoPathInput(read, 'report-path', DEFAULT_REPORT_PATH),
    space: read('space') ? repoPathInput(read, 'space', '') : undefined,
    searchArgs: searchArgs(read),
    outputDir: repoPathInput(read, 'output-dir', DEFAULT_OUTPUT_DIR),
    chartBranch: chartBranch(read),
    storeSource,
    onDrift: choice(read, 'on-drift', ON_DRIFT, 'report'),
    onError: onErrorInput(read),
    apiTimeoutSeconds: num(read, 'api-timeout', DEFAULT_API_TIMEOUT_S, API_TIMEOUT_RANGE)!,
  };
}
