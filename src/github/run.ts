/**
 * The action's orchestration: event -> inputs -> the same commands the CLI runs (src/commands), the one way
 * the CLI runs them (flag values -> parse -> run) -> GitHub I/O. This file maps the event and inputs onto
 * flag values and the files a command reads (CommandFiles: the workspace, a PR's configs at its head, the
 * store at a commit) and does the GitHub side (the PR comment, annotations, outputs, commits); what a
 * command computes and how a result reads are not its business. All effects go through injected interfaces (RepoApi, ActionIO, a Measurer factory, a config
 * loader) so tests run it in-process against a loopback API; src/main.ts wires the real ones.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadedArchConfig } from '../arch/parse';
import { findCommand } from '../commands';
import { parseCommandArgv } from '../commands/argv';
import { chartFiles } from '../commands/chart-files';
import { defaultProxy } from '../commands/context';
import { streamProgress } from '../commands/progress';
import { SWEEP_SHARD_FLAGS } from '../commands/sweep';
import type { CommandContext, CommandFiles, FlagValues } from '../commands/types';
import { ConfigError, EXIT, ServiceError, UserError } from '../errors';
import { memoryStore, type StoreAccess } from '../frontier/access';
import { checkCandidateCount, type CandidateResult } from '../frontier/check';
import { parseShard } from '../frontier/shard';
import { serializeStore, type FrontierStore } from '../frontier/store';
import { applyRecordUpdates, type StoreUpdate } from '../frontier/updates';
import type { Verdict } from '../frontier/verdict';
import type { Measurer } from '../measure/types';
import { renderMarkdown, toJson, type Result } from '../report';
import type { CheckResult } from '../report/result';
import { checkChartInputs } from '../report/chart';
import { headlineOf, reportHead, VERDICT_ICON } from '../report/headline';
import { escapeMarkdown } from '../report/escape';
import { isLfsPointer } from '../frontier/models';
import { checkOutputFolder, checkOutputPath, readRegularText, writeFileAtomic } from '../util/fs';
import { cleanRepoPath, insideRoot, repoPath } from '../util/paths';
import { compileGlobs, walkGlob } from '../util/glob';
import { WriteForbidden, type RepoApi } from './api';
import { chartFileBesideReport, publishCharts, type ChartSource } from './assets';
import { commentBudget, digestOf, fitMarkdown, upsertComment, type CommentIdentity, type CommentOutcome } from './comment';
import { applyDriftPolicy } from './drift';
import { branchOf, isZeroSha, readEventContext, type EventContext } from './event';
import { COMMANDS, DEFAULT_REPORT_PATH, envInputReader, onErrorInput, parseActionInputs, type ActionCommand, type ActionConfig } from './inputs';
import { safeIO, type ActionIO, type AnnotationAt } from './io';
import { publishFromWorkflowRun, type CommentRequest } from './publish';
import { commitStore, createGitRepoApi, readStoreAt, type StoreSnapshot } from './store-io';
import { shardFileName, sweepShardFiles } from './sweep-shards';

export interface ActionDeps {
  env: NodeJS.ProcessEnv;
  io: ActionIO;
  /** Builds the API client once the token and repository are known. */
  api(ctx: EventContext, config: ActionConfig): RepoApi;
  /** Called once, after the execution provider's libraries are in place. */
  createMeasurer(config: ActionConfig): Promise<Measurer> | Measurer;
  loadConfig(path: string): LoadedArchConfig;
  /** Back-off between store write attempts (tests pass 0). */
  conflictBackoffMs?: (attempt: number) => number;
  /** The accuracy proxy of profile --proxy zen and search (default: Zen-score through onnxruntime). */
  proxy?: CommandContext['proxy'];
}

/** What a run produced; also returned to tests. */
export interface ActionResult {
  /** The command run (one of the registry's), or skip / publish. */
  command: string;
  verdict: string;
  failing: boolean;
  readOnly: boolean;
  readOnlyReason?: string;
  comment?: CommentOutcome | 'skipped-read-only' | 'disabled' | 'failed';
  commit?: { status: string; sha?: string; attempts: number; merges: number };
  reportPath: string;
  /**
   * The step's exit code: 0, 1 for a failed gate (dominated, drift with on-drift fail), 2 for configs that
   * did not load, 4 when the PR comment could not be posted after the verdict; 0 for any of them where
   * on-fail or on-error lets the step pass.
   */
  exitCode: number;
}

interface Outcome {
  command: ActionResult['command'];
  verdict: string;
  /** Verdict line(s), never truncated. */
  headline: string;
  /** The command's typed result: the report's Markdown and JSON are rendered from it. */
  result?: Result;
  /** Extra Markdown after the rendered result (e.g. which files a search wrote). */
  reportNote?: string;
  candidates: ReportedCandidate[];
  failing: boolean;
  targetLabel?: string;
  storeRef?: string;
  digestParts?: unknown;
  commit?: ActionResult['commit'];
  extra?: Record<string, unknown>;
}

/** Verdicts that count as a failure for `on-fail`. */
const FAILING = new Set(['dominated', 'invalid', 'drift']);

/** A candidate as the action reports it (outputs, annotations, headline): a checked config, or one that failed to load. */
interface ReportedCandidate {
  name: string;
  file?: string;
  verdict: Verdict | 'invalid';
  latency_ms?: number;
  ci95_ms?: [number, number];
  /** Candidate latency over its closest competitor's (the dominating model, else the nearest measured neighbour). */
  ratio?: number;
  dominated_by?: string;
  accuracy?: number | null;
}

/** Rows carry model / candidate; the action's `ratio` output is candidate / competitor. */
function competitorRatio(c: CandidateResult): number | undefined {
  if (c.dominated_by) return 1 / c.dominated_by.ratio;
  const rows = c.models.filter((m) => m.role !== 'candidate' && m.ratio !== undefined && m.ratio > 0);
  if (!rows.length) return undefined;
  const closest = rows.reduce((a, b) => (Math.abs(Math.log(b.ratio!)) < Math.abs(Math.log(a.ratio!)) ? b : a));
  return 1 / closest.ratio!;
}

function reported(c: CandidateResult): ReportedCandidate {
  return {
    name: c.name, file: c.file, verdict: c.verdict, latency_ms: c.latency_ms, ci95_ms: c.ci95_ms,
    ratio: competitorRatio(c), dominated_by: c.dominated_by?.name, accuracy: c.accuracy,
  };
}

export async function runAction(rawDeps: ActionDeps): Promise<ActionResult> {
  // Everything logged, annotated or summarised is made inert once, here (bidi overrides, commands).
  const deps: ActionDeps = { ...rawDeps, io: safeIO(rawDeps.io) };
  const { io, env } = deps;
  const config = parseActionInputs(envInputReader(env));
  const ctx = readEventContext(env);
  const command = resolveCommand(config.command, ctx);
  checkChartBranch(config, ctx);
  const readOnlyReason = config.storeSource === 'git' ? 'store-source is git: the store is read through git and no API call is made' : detectReadOnly(ctx);
  let readOnly = readOnlyReason !== undefined;
  if (readOnly) io.warning(`frontier-gate makes no write calls in this run: ${readOnlyReason}. The report goes to the job summary and ${config.reportPath}.`);

  const api = config.storeSource === 'git' ? createGitRepoApi(ctx.workspace, ctx) : deps.api(ctx, config);
  if (command === 'publish') return runPublishCommand(deps, config, ctx, api);
  // The report file is written at the end: a path out of the workspace (a link), a folder or a read-only
  // file fails now, before any measuring.
  const reportPath = insideRoot(ctx.workspace, config.reportPath, 'input report-path');
  checkOutputPath(reportPath, 'input report-path');
  const run: RunState = { deps, config, ctx, api, readOnly, measurer: undefined };

  let outcome: Outcome;
  switch (command) {
    case 'skip':
      outcome = skipped(`nothing to do for ${ctx.name || 'this event'} on ${ctx.ref || 'this ref'}`);
      break;
    case 'check':
      outcome = await runCheckCommand(run);
      break;
    case 'record':
    case 'sweep':
    case 'accept-drift':
      outcome = await runStoreCommand(run, command);
      break;
    case 'lacs':
      outcome = await runLacsCommand(run);
      break;
    case 'merge':
      // Without a search space, merge joins the shards of a sharded sweep into the store.
      outcome = config.space ? await runSearchCommand(run, command) : await runStoreCommand(run, 'merge');
      break;
    case 'profile':
    case 'search':
      outcome = await runSearchCommand(run, command);
      break;
    default:
      outcome = await runOtherCommand(run, command);
  }
  readOnly = run.readOnly;

  // Report: file, summary and outputs first (a comment call that hangs or fails cannot keep them from being
  // written), then the comment, then the step's status.
  const commentId: CommentIdentity = { workflow: ctx.workflow, target: `${config.executionProvider}/${config.target}` };
  const head = reportHead(outcome.targetLabel ?? `${config.executionProvider} · ${config.target}`, outcome.headline);
  const pr = ctx.pullRequest;
  // The check's frontier charts, written beside the report by the check command (--chart), and committed to
  // the assets branch when chart-branch names one.
  const checkResult = outcome.result?.command === 'check' ? outcome.result : undefined;
  const charts = checkResult
    ? await publishCharts(api, chartSourcesOf(checkResult, reportPath, ctx.workspace), {
        branch: config.chartBranch, serverUrl: ctx.serverUrl, repo: ctx.repo, pr: pr?.number, sha: pr?.headSha ?? ctx.sha, readOnly,
        readOnlyReason, forkPr: Boolean(pr?.fromFork) && ctx.name === 'pull_request',
      })
    : undefined;
  for (const w of charts?.warnings ?? []) io.warning(w);
  const chartMarkdown = charts?.markdown ? `\n${charts.markdown}\n` : '';
  const reportMarkdown = outcome.result ? renderMarkdown(outcome.result) + (outcome.reportNote ? `\n${outcome.reportNote}\n` : '') + chartMarkdown : '';

  let comment: ActionResult['comment'];
  let commentRequest: CommentRequest | undefined;
  const wantsComment = config.comment || (outcome.failing && config.onFail !== 'fail');
  const commentable = Boolean(pr && outcome.command === 'check' && outcome.verdict !== 'skipped');
  if (pr && commentable) {
    const hint = ctx.runUrl ? `The full report is in the job summary of [this run](${ctx.runUrl}).` : 'The full report is in the job summary.';
    const body = fitMarkdown(head, reportMarkdown, commentBudget(commentId), hint);
    // Kept in the JSON report: the workflow_run pattern publishes it for fork PRs (src/github/publish.ts).
    commentRequest = { issue: pr.number, identity: commentId, body, digest: digestOf(outcome.digestParts ?? body) };
    if (!wantsComment) comment = 'disabled';
    else if (readOnly) comment = 'skipped-read-only';
  }

  const writeReport = () => {
    const json = {
      tool: 'frontier-gate',
      command: outcome.command,
      event: ctx.name,
      repository: `${ctx.repo.owner}/${ctx.repo.repo}`,
      pull_request: pr?.number,
      verdict: outcome.verdict,
      failing: outcome.failing,
      store: { path: config.frontier, ref: outcome.storeRef },
      target: outcome.targetLabel,
      read_only: readOnly,
      read_only_reason: readOnlyReason,
      comment,
      commit: outcome.commit,
      candidates: outcome.candidates,
      ...outcome.extra,
      report: outcome.result ? toJson(outcome.result) : undefined,
      comment_request: wantsComment ? commentRequest : undefined,
    };
    writeFileAtomic(reportPath, JSON.stringify(json, null, 2) + '\n', { what: 'input report-path' });
  };
  writeReport();
  await io.writeSummary(fitMarkdown(head, reportMarkdown, 1_000_000, `The full report is in ${config.reportPath}.`));

  const first = outcome.candidates.find((c) => c.verdict === outcome.verdict) ?? outcome.candidates[0];
  io.setOutput('verdict', outcome.verdict);
  io.setOutput('report-json', reportPath);
  io.setOutput('latency-ms', first?.latency_ms !== undefined ? String(round(first.latency_ms, 4)) : '');
  io.setOutput('ratio', first?.ratio !== undefined ? String(round(first.ratio, 4)) : '');
  io.setOutput('new-frontier', String(outcome.candidates.some((c) => c.verdict === 'new-frontier')));
  io.setOutput('chart-svg', (charts?.charts ?? []).flatMap((c) => (c.file ? [c.file] : [])).join('\n'));

  let commentError: ServiceError | undefined;
  if (pr && commentRequest && comment === undefined) {
    try {
      const res = await upsertComment(api, pr.number, commentId, { body: commentRequest.body, digest: commentRequest.digest });
      comment = res.outcome;
      io.info(`PR comment ${res.outcome} (id ${res.commentId})`);
    } catch (err) {
      if (err instanceof WriteForbidden) {
        readOnly = true;
        comment = 'skipped-read-only';
        io.warning(`the token may not comment on this PR (HTTP ${err.status}); the report is in the job summary and ${config.reportPath}`);
      } else if (err instanceof ServiceError) {
        // The verdict stands and is in the report and the summary; the comment could not be posted.
        comment = 'failed';
        commentError = err;
      } else throw err;
    }
    writeReport();
  }

  let exitCode: number = EXIT.OK;
  if (outcome.failing && config.onFail !== 'comment') {
    exitCode = outcome.verdict === 'invalid' ? EXIT.BAD_INPUT : EXIT.GATE_FAILED;
    io.setFailed(`frontier-gate: ${outcome.verdict}: ${plainHeadline(outcome)}`);
  } else if (outcome.failing) {
    io.warning(`frontier-gate: ${outcome.verdict} (on-fail: comment, so the step passes)`);
  }
  if (commentError) {
    const code = failStep(io, config.onError, `frontier-gate: the verdict (${outcome.verdict}) is in the report and the job summary, but the PR comment could not be posted: ${commentError.message}`, EXIT.SERVICE);
    exitCode = exitCode || code;
  }
  return {
    command: outcome.command,
    verdict: outcome.verdict,
    failing: outcome.failing,
    readOnly,
    readOnlyReason,
    comment,
    commit: outcome.commit,
    reportPath,
    exitCode,
  };
}

/**
 * A step that could not finish says so and fails (exit `code`), unless on-error: pass lets it pass with a
 * warning. Returns the exit code the step ends with.
 */
export function failStep(io: ActionIO, onError: ActionConfig['onError'], message: string, code: number): number {
  if (onError === 'pass') {
    io.warning(`${message} (on-error: pass, so the step passes; exit ${code} otherwise)`);
    return EXIT.OK;
  }
  io.setFailed(message);
  return code;
}

/**
 * A run that could not judge (bad input or usage, an API that failed, a provider that cannot load, a bug of
 * ours) says so: in the job summary, in the JSON report (verdict "error", where report-path is usable), in
 * the outputs, and by failing the step with the documented exit code (2, 3, 4; 70 for an internal error),
 * unless on-error: pass lets it pass with a warning. Never a verdict. Returns the exit code.
 */
export async function reportError(env: NodeJS.ProcessEnv, rawIO: ActionIO, err: unknown): Promise<number> {
  const io = safeIO(rawIO);
  const user = err instanceof UserError;
  const code = user ? err.exitCode : EXIT_INTERNAL;
  if (!user) io.debug((err as Error)?.stack ?? String(err));
  const message = user ? err.message : `frontier-gate: internal error (a bug; please report it): ${(err as Error)?.message ?? String(err)}`;
  const read = envInputReader(env);
  let onError: ActionConfig['onError'] = 'fail';
  try {
    onError = onErrorInput(read);
  } catch {
    // An on-error that is itself wrong cannot ask for a pass: fail closed.
  }
  const kind = code === EXIT.BAD_INPUT ? 'bad input' : code === EXIT.ENVIRONMENT ? 'environment' : code === EXIT.SERVICE ? 'the GitHub API' : 'internal error';
  try {
    const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
    const reportPath = insideRoot(workspace, cleanRepoPath(read('report-path') || DEFAULT_REPORT_PATH, 'input report-path'), 'input report-path');
    checkOutputPath(reportPath, 'input report-path');
    const json = { tool: 'frontier-gate', command: (read('command') || 'auto').slice(0, 20), verdict: 'error', failing: onError !== 'pass', error: { exit_code: code, kind, message }, candidates: [] };
    writeFileAtomic(reportPath, JSON.stringify(json, null, 2) + '\n', { what: 'input report-path' });
    io.setOutput('report-json', reportPath);
  } catch {
    // The report path is what is wrong (or unusable): the summary and the step say why.
  }
  io.setOutput('verdict', 'error');
  await io.writeSummary(`### ❗ frontier-gate could not judge (${kind}, exit ${code})\n\n${escapeMarkdown(message)}\n\nNo verdict was reached: nothing was measured against the frontier, or the result could not be trusted.\n`).catch(() => undefined);
  return failStep(io, onError, message, code);
}

/** Exit code of an internal error (a bug of ours), as the CLI's. */
export const EXIT_INTERNAL = 70;

/**
 * The charts the check command wrote beside the report (--chart), one per candidate with points. Read back
 * as regular files of the workspace only: a link a PR planted at a chart's name is never read (and the
 * check command refused to write through it).
 */
function chartSourcesOf(result: CheckResult, reportPath: string, workspace: string): ChartSource[] {
  const inputs = checkChartInputs(result);
  const files = chartFiles(chartFileBesideReport(reportPath), result.candidates.map((c) => c.name));
  return result.candidates.flatMap((c, i) => {
    if (!inputs[i].points.length || !fs.existsSync(files[i]) || fs.lstatSync(files[i]).isSymbolicLink()) return [];
    const svg = readRegularText(insideRoot(workspace, files[i], '--chart'), { what: '--chart', kind: 'report' });
    return [{ name: c.name, input: inputs[i], svg, file: files[i] }];
  });
}

/**
 * `chart-branch` names a branch of its own: the action commits charts to it (and creates it), so it must not be
 * the branch of the code or the store.
 */
function checkChartBranch(config: ActionConfig, ctx: EventContext): void {
  const branch = config.chartBranch;
  if (!branch) return;
  const taken = [ctx.defaultBranch, ctx.pullRequest?.baseRef, branchOf(ctx.ref)].filter((b): b is string => Boolean(b));
  if (taken.includes(branch)) {
    throw new UserError(`input chart-branch: ${JSON.stringify(branch)} is a branch of the repository's code; charts need a branch of their own, e.g. frontier-assets (created by the action), or '' for none`);
  }
}

/** workflow_run: post the comment a fork PR's check run could not (its report arrives as an artifact). */
async function runPublishCommand(deps: ActionDeps, config: ActionConfig, ctx: EventContext, api: RepoApi): Promise<ActionResult> {
  const reportPath = insideRoot(ctx.workspace, config.reportPath, 'input report-path');
  const res = await publishFromWorkflowRun(api, ctx, config, (m) => deps.io.info(m));
  if (res.reason) deps.io.info(`nothing to publish: ${res.reason}`);
  deps.io.setOutput('verdict', res.verdict);
  deps.io.setOutput('report-json', reportPath);
  deps.io.setOutput('latency-ms', '');
  deps.io.setOutput('ratio', '');
  deps.io.setOutput('new-frontier', 'false');
  deps.io.setOutput('chart-svg', '');
  await deps.io.writeSummary(
    res.issue ? `frontier-gate: published the check report to PR #${res.issue} (${res.outcome}).` : `frontier-gate: nothing published (${escapeMarkdown(res.reason ?? '')}).`,
  );
  return { command: 'publish', verdict: res.verdict, failing: false, readOnly: false, comment: res.outcome === 'skipped' ? undefined : res.outcome, reportPath, exitCode: EXIT.OK };
}

interface RunState {
  deps: ActionDeps;
  config: ActionConfig;
  ctx: EventContext;
  api: RepoApi;
  readOnly: boolean;
  measurer: Measurer | undefined;
}

function round(n: number, digits: number): number {
  return Number(n.toFixed(digits));
}

function plainHeadline(o: Outcome): string {
  const bad = o.candidates.filter((c) => FAILING.has(c.verdict));
  if (bad.length === 0) return o.verdict;
  return bad.map((c) => `${c.name}${c.dominated_by ? ` is dominated by ${c.dominated_by}` : ` is ${c.verdict}`}`).join('; ');
}

export function resolveCommand(command: ActionCommand, ctx: EventContext): ActionResult['command'] {
  if (command !== 'auto') return command;
  switch (ctx.name) {
    case 'pull_request':
    case 'pull_request_target':
      return 'check';
    case 'push': {
      const branch = branchOf(ctx.ref);
      if (branch && ctx.defaultBranch && branch === ctx.defaultBranch) return 'record';
      return 'skip';
    }
    case 'schedule':
      return 'sweep';
    case 'workflow_run':
      return 'publish';
    case 'workflow_dispatch':
      throw new UserError(`input command: "auto" cannot choose for workflow_dispatch; set command to one of ${COMMANDS.filter((c) => c !== 'auto').join(', ')} (got ${JSON.stringify(command)})`);
    default:
      throw new UserError(`input command: "auto" does not handle the ${JSON.stringify(ctx.name)} event; use pull_request, push, schedule, or set command explicitly`);
  }
}

function detectReadOnly(ctx: EventContext): string | undefined {
  if (ctx.pullRequest?.fromFork && ctx.name === 'pull_request') return 'the pull request comes from a fork, whose token is read-only';
  if (ctx.name === 'pull_request' && /^dependabot\[bot\]$/.test(ctx.actor)) return 'Dependabot runs get a read-only token';
  return undefined;
}

function skipped(reason: string): Outcome {
  return { command: 'skip', verdict: 'skipped', headline: `${VERDICT_ICON.skipped} **skipped**: ${escapeMarkdown(reason)}`, candidates: [], failing: false };
}

// ---------------------------------------------------------------------------------------------------------
// One way into the commands: the inputs become the same flag values the CLI parses, then parse + run.

/** The command flag each action input sets; an error that names the flag names the input instead. */
const INPUT_OF_FLAG: Readonly<Record<string, string>> = {
  frontier: 'frontier',
  'latency-tolerance': 'latency-tolerance',
  'accuracy-tolerance': 'accuracy-tolerance',
  ep: 'execution-provider',
  batch: 'batch-size',
  precision: 'precision',
  budget: 'budget-seconds',
  metrics: 'metrics-file',
  'metrics-key': 'metrics-key',
  lacs: 'lacs-on-base',
  'no-lacs': 'lacs-on-base',
};

/**
 * The inputs as flag values. An input left empty is a flag not given, so the command's own default applies
 * (the budget: check and record 20 s, sweep 60 s); the others carry the input's value, whose default
 * comes from the same source as the flag's.
 */
function inputValues(config: ActionConfig): FlagValues {
  return {
    frontier: config.frontier,
    'latency-tolerance': String(config.latencyTolerance),
    'accuracy-tolerance': String(config.accuracyTolerance),
    ep: config.executionProvider,
    batch: String(config.batchSize),
    precision: config.precision,
    ...(config.budgetSeconds !== undefined ? { budget: String(config.budgetSeconds) } : {}),
    ...(config.metricsFile !== undefined ? { metrics: config.metricsFile } : {}),
    ...(config.metricsKey !== undefined ? { 'metrics-key': config.metricsKey } : {}),
    ...(config.lacsOnBase ? { lacs: true } : { 'no-lacs': true }),
  };
}

/** An error about a flag the action set, told as the input the flag came from. */
function asInputError(err: unknown): unknown {
  if (!(err instanceof UserError) || err instanceof ConfigError) return err;
  const flag = /^--([a-z-]+)(?![\w-])/.exec(err.message)?.[1];
  const input = flag && INPUT_OF_FLAG[flag];
  return input ? new UserError(`input ${input}${err.message.slice(2 + flag.length)}`, err.exitCode) : err;
}

/**
 * The inputs a command takes: the gate's commands (check, record, sweep, merge of sweep shards, lacs) all
 * of them; profile, search and profile merges only how to measure (their budgets and flags are search-args').
 */
const MEASURING_INPUTS = ['ep', 'batch', 'precision'];

/**
 * Runs command `name` as the CLI would with these flag values and positionals: `extra` values (the user's
 * search-args, files the action chooses) on top of the inputs', and only the flags the command defines.
 */
async function runCommand(
  run: RunState, name: string, extra: FlagValues, positionals: string[], files: ActionFilesOptions,
  opts: { commit?: string; measure?: boolean; inputs?: 'all' | 'measuring' } = {},
): Promise<Result> {
  const cmd = findCommand(name)!;
  const fromInputs = Object.entries(inputValues(run.config)).filter(([flag]) => opts.inputs !== 'measuring' || MEASURING_INPUTS.includes(flag));
  const values = Object.fromEntries([...fromInputs, ...Object.entries(extra)].filter(([flag, v]) => v !== undefined && flag in cmd.flags));
  let args: unknown;
  try {
    args = cmd.parse(values, positionals);
  } catch (err) {
    throw asInputError(err);
  }
  const ctx = await commandContext(run, opts.commit ?? run.ctx.sha, files, { measure: opts.measure });
  try {
    return await cmd.run(args, ctx);
  } catch (err) {
    throw asInputError(err);
  }
}

/** The user's search-args, parsed by the command's own flag table (never a shell); `only` limits them. */
function searchArgValues(command: string, args: readonly string[], only?: readonly string[]): { values: FlagValues; positionals: string[] } {
  const cmd = findCommand(command)!;
  let parsed: { values: FlagValues; positionals: string[] };
  try {
    parsed = parseCommandArgv(cmd, [...args]);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`input search-args: ${err.message}`, err.exitCode);
    throw err;
  }
  if (only) {
    const extra = Object.keys(parsed.values).find((k) => parsed.values[k] !== undefined && !only.includes(k));
    if (extra || parsed.positionals.length) {
      throw new UserError(`input search-args: a ${command} takes only ${only.map((f) => `--${f}`).join(' and ')} here, got ${JSON.stringify(extra ? `--${extra}` : parsed.positionals[0])}`);
    }
  }
  return parsed;
}

/** What a command may open in the action: configs (at a PR's head when needed) and the store prepared for it. */
interface ActionFilesOptions {
  store?: StoreAccess;
  configs?: ConfigLoader;
}

/**
 * The action's files: every path inside the workspace, symbolic links followed (util/paths.ts insideRoot: a
 * path or link out of it is refused); configs through the run's loader; the store this run prepared (read
 * at a commit, committed back through the API). Outputs never write through a symbolic link: in a
 * checkout, any link may be the PR's.
 */
function actionFiles(run: RunState, opts: ActionFilesOptions): CommandFiles {
  const workspace = run.ctx.workspace;
  const configs = opts.configs ?? configLoader(run);
  const inside = (file: string, what: string) => insideRoot(workspace, file, what);
  return {
    resolve: (file) => inside(file, JSON.stringify(file)),
    config: async (file) => configs.load(file),
    store: (file) => {
      if (!opts.store || file !== run.config.frontier) throw new Error(`the action prepared no store ${JSON.stringify(file)} for this command`);
      return opts.store;
    },
    root: () => workspace,
    checkOutput: (file, out) => checkOutputPath(inside(file, out.what), out.what),
    checkOutputFolder: (dir, what) => checkOutputFolder(inside(dir, what), what),
    write: (file, data, out) => writeFileAtomic(inside(file, out.what), data, { what: out.what }),
  };
}

async function measurerOf(run: RunState): Promise<Measurer> {
  if (!run.measurer) run.measurer = await run.deps.createMeasurer(run.config);
  return run.measurer;
}

/** The commands' context in the action: its files, its measurer, progress and notes in the step's log. */
async function commandContext(run: RunState, commit: string | undefined, files: ActionFilesOptions, opts: { measure?: boolean } = {}): Promise<CommandContext> {
  const measurer = opts.measure === false ? undefined : await measurerOf(run);
  const info = (line: string) => run.deps.io.info(line);
  return {
    files: actionFiles(run, files),
    measurer: () => {
      if (!measurer) throw new Error('this command was started without a measurer');
      return measurer;
    },
    proxy: run.deps.proxy ?? defaultProxy,
    log: info,
    progress: streamProgress({ write: (t) => info(t.replace(/\n$/, '')), isTTY: false }),
    now: () => new Date(),
    commit: () => commit,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Configs: one loader per run, the one the commands read through

interface LoadedCandidate {
  file: string;
  loaded?: LoadedArchConfig;
  /** An .onnx model present in the workspace (the command reads, checks and counts it). */
  onnx?: true;
  error?: ConfigError | UserError;
}

const isOnnxFile = (file: string) => path.extname(file).toLowerCase() === '.onnx';

interface ConfigLoader {
  /** The config, or its error (a bad config is reported, and the others go on). */
  try(file: string): Promise<LoadedCandidate>;
  /** The config, or the error thrown (what a command calls). */
  load(file: string): Promise<LoadedArchConfig>;
}

/**
 * Configs are data: parsed, never executed. Read from the checked-out workspace; on a PR without a
 * checkout they are fetched at the head commit so the action also works without actions/checkout. Each
 * file is read once: the action sorts out the configs that fail to load, the command reads the rest.
 */
function configLoader(run: RunState, headRef?: string, alwaysFetch = false): ConfigLoader {
  const seen = new Map<string, Promise<LoadedCandidate>>();
  let fetchedDir: string | undefined;
  const read = async (file: string): Promise<LoadedCandidate> => {
    if (isOnnxFile(file)) return onnxCandidate(run, file, alwaysFetch);
    let local: string;
    try {
      // A PR's file name (from the API or the event) and a link in its checkout stay inside the workspace:
      // a symbolic link to /etc/... or the runner's files would leak its text into errors and the comment.
      local = insideRoot(run.ctx.workspace, cleanRepoPath(file, 'config'), 'config');
    } catch (err) {
      if (err instanceof UserError) return { file, error: err };
      throw err;
    }
    if (headRef && (alwaysFetch || !fs.existsSync(local))) {
      const remote = await run.api.getFile(file, headRef);
      if (remote) {
        fetchedDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'frontier-gate-configs-'));
        local = insideRoot(fetchedDir, file, 'config');
        writeFileAtomic(local, remote.text, { what: 'config' });
      }
    }
    try {
      return { file, loaded: run.deps.loadConfig(local) };
    } catch (err) {
      // Messages name the local path; the repository-relative one is what the user knows.
      if (err instanceof UserError) return { file, error: err };
      throw err;
    }
  };
  const tryLoad = (file: string) => {
    let p = seen.get(file);
    if (!p) seen.set(file, (p = read(file)));
    return p;
  };
  return {
    try: tryLoad,
    load: async (file) => {
      const c = await tryLoad(file);
      if (c.error) throw c.error;
      return c.loaded!;
    },
  };
}

/**
 * An .onnx model changed by a PR or a push is a candidate like a config, read from the checkout (a binary
 * file is not fetched through the API): it must be in the workspace, inside it, and the file itself rather
 * than a Git LFS pointer. A pull_request_target run checks out the base branch, whose file is not the PR's.
 */
function onnxCandidate(run: RunState, file: string, baseCheckedOut: boolean): LoadedCandidate {
  const fail = (message: string): LoadedCandidate => ({ file, error: new UserError(`${file}: ${message}`) });
  if (baseCheckedOut) {
    return fail('an .onnx model is read from the checkout, and a pull_request_target run checks out the base branch, not this PR; gate .onnx models on pull_request');
  }
  let at: string;
  try {
    at = repoPath(run.ctx.workspace, file, file).abs;
  } catch (err) {
    if (err instanceof UserError) return { file, error: err };
    throw err;
  }
  if (!fs.existsSync(at)) return fail('not in the workspace: .onnx models are read from the checkout; add actions/checkout (with lfs: true for Git LFS files) before this step');
  if (isLfsPointer(at)) return fail('a Git LFS pointer, not the model: check out the LFS files (actions/checkout with lfs: true, or git lfs pull) before this step');
  return { file, onnx: true };
}

async function loadAll(loader: ConfigLoader, files: readonly string[]): Promise<LoadedCandidate[]> {
  const out: LoadedCandidate[] = [];
  for (const f of files) out.push(await loader.try(f));
  return out;
}

function annotateConfigErrors(run: RunState, loaded: LoadedCandidate[]): ReportedCandidate[] {
  const invalid: ReportedCandidate[] = [];
  for (const c of loaded) {
    if (!c.error) continue;
    const at: AnnotationAt = { file: c.file, title: isOnnxFile(c.file) ? 'frontier-gate: invalid .onnx model' : 'frontier-gate: invalid architecture config' };
    let message = c.error.message;
    if (c.error instanceof ConfigError) {
      if (c.error.position) {
        at.line = c.error.position.line;
        at.col = c.error.position.col;
      }
      message = `${c.error.field ? `${c.error.field}: ` : ''}${c.error.detail}`;
    }
    run.deps.io.error(message, at);
    invalid.push({ name: path.basename(c.file).replace(/\.(ya?ml|onnx)$/i, ''), file: c.file, verdict: 'invalid' });
  }
  return invalid;
}

function annotateVerdicts(run: RunState, loaded: LoadedCandidate[], results: ReportedCandidate[]): void {
  for (const r of results) {
    if (r.verdict !== 'dominated' && r.verdict !== 'inconclusive') continue;
    const cand = loaded.find((c) => c.file === r.file || c.loaded?.config.name === r.name);
    if (!cand) continue;
    // A config is annotated at its name; an .onnx model, a binary file, as a whole.
    const nameAt = cand.loaded ? cand.loaded.locate(['name']) : { line: undefined, col: undefined };
    const msg =
      r.verdict === 'dominated'
        ? `${r.name} is dominated by ${r.dominated_by ?? 'a stored model'}${r.ratio !== undefined ? ` (latency ratio ${r.ratio.toFixed(3)})` : ''}`
        : `${r.name}: inconclusive, the latency interval still straddles the tolerance band`;
    const at: AnnotationAt = { file: cand.file, line: nameAt.line, col: nameAt.col, title: `frontier-gate: ${r.verdict}` };
    if (r.verdict === 'dominated') run.deps.io.error(msg, at);
    else run.deps.io.warning(msg, at);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The commands

/** Check: on a PR the changed configs against the store at the PR's base; on dispatch the glob. */
async function runCheckCommand(run: RunState): Promise<Outcome> {
  const { config, ctx, api, deps } = run;
  const pr = ctx.pullRequest;
  const matches = compileGlobs(config.configs);
  let files: string[];
  let storeRef: string;
  const notes: string[] = [];
  if (pr) {
    const changed = await api.listPullRequestFiles(pr.number);
    // changed-only: false checks every matching file, such as a model an earlier step exported.
    files = config.changedOnly ? changed.filter(matches).sort() : walkGlob(ctx.workspace, config.configs);
    storeRef = config.frontierRef ?? pr.baseSha;
    if (changed.includes(config.frontier)) {
      const msg = `this PR edits the frontier store ${config.frontier}; it is judged against the base version (${storeRef.slice(0, 12)}), not its own`;
      deps.io.warning(msg, { file: config.frontier, title: 'frontier-gate: store edited in PR' });
      notes.push(`> ⚠️ ${escapeMarkdown(msg)}`);
    }
  } else {
    files = walkGlob(ctx.workspace, config.configs);
    storeRef = config.frontierRef ?? ctx.sha;
  }
  if (files.length === 0) {
    return skipped(pr ? `this PR changes no file matching ${config.configs}` : `no file matches ${config.configs}`);
  }
  checkCandidateCount(files.length, `input configs (${JSON.stringify(config.configs)}${pr ? ', changed by this PR' : ''})`);
  deps.io.info(`checking ${files.length} config(s): ${files.slice(0, 20).join(', ')}${files.length > 20 ? ', …' : ''} against ${config.frontier} at ${storeRef}`);
  const snapshot = await readStoreAt(api, config.frontier, storeRef);
  if (!snapshot.sha) deps.io.notice(`${config.frontier} does not exist at ${storeRef.slice(0, 12)}: checking against an empty frontier`);

  // pull_request_target checks out the base branch: the PR's configs must come from its head commit.
  const configs = configLoader(run, pr?.headSha, ctx.name === 'pull_request_target');
  const loaded = await loadAll(configs, files);
  const invalid = annotateConfigErrors(run, loaded);
  const valid = loaded.filter((c) => c.loaded || c.onnx);

  let results: ReportedCandidate[] = [];
  let verdict: string = 'invalid';
  let result: Result | undefined;
  let targetLabel: string | undefined;
  if (valid.length) {
    const reportPath = insideRoot(ctx.workspace, config.reportPath, 'input report-path');
    const store = memoryStore(`${config.frontier}@${storeRef.slice(0, 12)}`, snapshot.store);
    const checked = await runCommand(run, 'check', { chart: chartFileBesideReport(reportPath) }, valid.map((c) => c.file), { store, configs }, { commit: pr?.headSha ?? ctx.sha });
    if (checked.command !== 'check') throw new Error('check returned no check result');
    results = checked.candidates.map(reported);
    verdict = checked.verdict;
    result = checked;
    targetLabel = checked.target.label;
    warnOnTargetMismatch(run, checked.target.key, checked.target.label);
    annotateVerdicts(run, valid, results);
  }
  const all = [...invalid, ...results];
  if (invalid.length) verdict = 'invalid';
  const failing = FAILING.has(verdict);
  return {
    command: 'check',
    verdict,
    // The report opens with each checked candidate's verdict sentence (with intervals); the headline lists only configs that failed to load.
    headline: headlineOf(verdict, result ? invalid : all, notes.join('\n') || undefined),
    result,
    candidates: all,
    failing,
    targetLabel,
    storeRef,
    digestParts: { verdict, head: pr?.headSha ?? ctx.sha, store: snapshot.sha, c: all.map((r) => [r.name, r.verdict, r.dominated_by ?? null]) },
  };
}

/** `target` other than auto names the target this workflow is meant for: say so when the runner is another. */
function warnOnTargetMismatch(run: RunState, key: string | undefined, label: string): void {
  const want = run.config.target;
  if (want === 'auto' || want === key || label.includes(want)) return;
  run.deps.io.warning(`input target: ${JSON.stringify(want)} does not match this runner's target ${JSON.stringify(label)}; measurements are filed under the runner's own target`);
}

/** The branch a store write goes to: the pushed/scheduled/dispatched branch. */
function writeBranch(ctx: EventContext): string {
  const branch = branchOf(ctx.ref) ?? ctx.defaultBranch;
  if (!branch) throw new UserError(`cannot tell which branch to commit the store to: GITHUB_REF is ${JSON.stringify(ctx.ref)}`);
  return branch;
}

async function changedOnPush(run: RunState): Promise<string[] | undefined> {
  const push = run.ctx.push;
  if (!push) return undefined;
  if (push.complete || isZeroSha(push.before)) return push.changedFiles;
  return run.api.compareFiles(push.before, push.after);
}

/**
 * Record (merged configs), sweep (re-measure everything) and merge (join a sharded sweep's shards): the
 * command runs on the store at the branch head and commits it back (apiStore). A sweep with --shard in
 * search-args measures one shard instead and writes no store.
 */
async function runStoreCommand(run: RunState, command: 'record' | 'sweep' | 'merge' | 'accept-drift'): Promise<Outcome> {
  const { config, ctx, api, deps } = run;
  const shardArgs = command === 'sweep' ? searchArgValues('sweep', config.searchArgs, SWEEP_SHARD_FLAGS).values : undefined;
  if (shardArgs?.shard !== undefined) return runSweepShardCommand(run, shardArgs);
  // A sweep's --anchor (without --shard) pins the anchor; accept-drift takes its own flags from search-args.
  const extra: FlagValues = command === 'accept-drift'
    ? searchArgValues('accept-drift', config.searchArgs, ['target', 'model', 'since', 'note', 'dry-run']).values
    : shardArgs?.anchor !== undefined ? { anchor: shardArgs.anchor } : {};
  const branch = writeBranch(ctx);
  const storeRef = config.frontierRef ?? branch;
  const configs = configLoader(run);
  let files: string[] = [];
  let invalid: ReportedCandidate[] = [];
  if (command === 'record') {
    const matches = compileGlobs(config.configs);
    const changed = config.changedOnly ? await changedOnPush(run) : undefined;
    const candidates = changed ? changed.filter(matches).sort() : walkGlob(ctx.workspace, config.configs);
    if (candidates.length === 0) return skipped(`no config matching ${config.configs} changed in this push`);
    const loaded = await loadAll(configs, candidates);
    invalid = annotateConfigErrors(run, loaded);
    if (loaded.every((c) => !c.loaded && !c.onnx)) {
      return { command, verdict: 'invalid', headline: headlineOf('invalid', invalid), candidates: invalid, failing: true };
    }
    files = loaded.filter((c) => c.loaded || c.onnx).map((c) => c.file);
  }
  const shardFiles = command === 'merge' ? sweepShardFiles(ctx.workspace, config.searchArgs) : undefined;
  const snapshot: StoreSnapshot = await readStoreAt(api, config.frontier, storeRef);
  const access = apiStore(run, snapshot, branch);
  // Joining shards and accepting a baseline measure nothing: no measurer is created.
  const result = command === 'merge'
    ? await runCommand(run, 'merge', { kind: 'sweep' }, shardFiles!, { store: access }, { measure: false })
    : command === 'accept-drift'
      ? await runCommand(run, command, extra, [], { store: access }, { measure: false })
      : await runCommand(run, command, extra, files, { store: access, configs });
  const commit = access.outcome.commit;
  const note = access.outcome.notes;
  // Drift beyond the tolerance, after the commit: report, an issue listing the moved models, or a failed run (input on-drift).
  const driftInput = result.command === 'sweep' || result.command === 'merge-sweep' ? { target: result.target, rows: result.rows, common_drift: result.common_drift, latency_tolerance: result.latency_tolerance, anchor: result.anchor, runner_shift: result.runner_shift, together: result.together } : undefined;
  const drift = driftInput
    ? await applyDriftPolicy(api, config.onDrift, driftInput, { date: new Date().toISOString().slice(0, 10), runUrl: ctx.runUrl, sha: ctx.sha, readOnly: run.readOnly, log: (m) => deps.io.info(m) })
    : undefined;
  if (drift?.note) note.push(drift.note);
  const verdict = invalid.length ? 'invalid' : command === 'record' ? 'recorded' : command === 'accept-drift' ? 'accepted' : drift?.failing ? 'drift' : 'swept';
  return {
    command,
    verdict,
    headline: headlineOf(verdict, invalid, note.join('\n')),
    result,
    candidates: invalid,
    failing: invalid.length > 0 || Boolean(drift?.failing),
    ...(drift?.issue ? { extra: { drift: { moved: drift.moved.map((r) => r.name), issue: drift.issue } } } : {}),
    storeRef,
    commit,
    targetLabel: 'target' in result ? (result.target as { label: string }).label : undefined,
  };
}

/**
 * The store as record and sweep see it in the action: read at a commit through the API, and updated by
 * committing back to the branch (merging with a concurrent writer on conflict), or, with a read-only
 * token, kept as a file for a later step.
 */
function apiStore(run: RunState, snapshot: StoreSnapshot, branch: string): StoreAccess & { outcome: { commit?: ActionResult['commit']; notes: string[] } } {
  const { config, api, deps } = run;
  const outcome: { commit?: ActionResult['commit']; notes: string[] } = { notes: [] };
  return {
    name: `${config.frontier}@${branch}`,
    outcome,
    read: async () => snapshot.store,
    // Committed through the API: nothing on this runner's disk to check.
    checkWritable: () => undefined,
    async apply(updates: readonly StoreUpdate[], message: string) {
      const updated = applyRecordUpdates(snapshot.store, updates);
      if (run.readOnly) {
        outcome.notes.push(writeStoreCopy(run, updated));
        return;
      }
      try {
        const res = await commitStore(api, config.frontier, branch, snapshot, updated, { message, backoffMs: deps.conflictBackoffMs, log: (m) => deps.io.info(m) });
        outcome.commit = { status: res.status, sha: res.commitSha, attempts: res.attempts, merges: res.merges };
        outcome.notes.push(
          res.status === 'committed'
            ? `Store committed to \`${escapeMarkdown(branch)}\` as ${res.commitSha?.slice(0, 12)}${res.merges ? ` after merging ${res.merges} concurrent update(s)` : ''}.`
            : 'The store is unchanged; nothing was committed.',
        );
      } catch (err) {
        if (!(err instanceof WriteForbidden)) throw err;
        run.readOnly = true;
        deps.io.warning(`the token may not write ${config.frontier} (HTTP ${err.status}); grant \`contents: write\`. The updated store is kept as a file instead.`);
        outcome.notes.push(writeStoreCopy(run, updated));
      }
    },
  };
}

/** One shard of a sharded sweep: the sweep command with --shard, its result in output-dir; no store write. */
async function runSweepShardCommand(run: RunState, shardValues: FlagValues): Promise<Outcome> {
  const { config, ctx } = run;
  // Every shard reads the store at the triggering commit, so all shards of one run share the records.
  const storeRef = config.frontierRef ?? ctx.sha;
  const snapshot = await readStoreAt(run.api, config.frontier, storeRef);
  const outDir = insideRoot(ctx.workspace, config.outputDir, 'input output-dir');
  checkOutputFolder(outDir, 'input output-dir');
  const shard = parseShard(String(shardValues.shard), 'input search-args: --shard');
  const out = path.join(outDir, shardFileName(shard));
  const result = await runCommand(run, 'sweep', { ...shardValues, out }, [], { store: memoryStore(`${config.frontier}@${storeRef.slice(0, 12)}`, snapshot.store) });
  if (result.command !== 'sweep-shard') throw new Error('sweep --shard returned no shard result');
  const target = result.shard.target;
  warnOnTargetMismatch(run, target.key, target.label);
  const file = path.relative(ctx.workspace, out);
  return {
    command: 'sweep',
    verdict: 'swept',
    headline: `${VERDICT_ICON.swept} **swept** shard ${shard.index}/${shard.count}: \`${file.replace(/`/g, '')}\``,
    result: { ...result, file },
    candidates: [],
    failing: false,
    storeRef,
    targetLabel: target.label,
    extra: { shard_file: file },
  };
}

/** With no write access the updated store is left as a file a later step can upload or commit. */
function writeStoreCopy(run: RunState, store: FrontierStore): string {
  const file = insideRoot(run.ctx.workspace, 'frontier-gate-store.json', 'frontier-gate-store.json');
  writeFileAtomic(file, serializeStore(store), { what: 'frontier-gate-store.json' });
  run.deps.io.notice(`updated store written to ${file} (not committed: read-only token)`);
  return `The store was not committed (read-only token); the updated store is in \`frontier-gate-store.json\`.`;
}

async function runLacsCommand(run: RunState): Promise<Outcome> {
  const { config, ctx } = run;
  const files = walkGlob(ctx.workspace, config.configs);
  const configs = configLoader(run);
  const loaded = await loadAll(configs, files);
  const invalid = annotateConfigErrors(run, loaded);
  const bases = loaded.filter((c) => c.loaded && c.loaded.config.family === 'base');
  if (invalid.length) return { command: 'lacs', verdict: 'invalid', headline: headlineOf('invalid', invalid), candidates: invalid, failing: true };
  if (bases.length !== 1) {
    throw new UserError(`input configs: lacs needs exactly one config with "family: base" among ${JSON.stringify(config.configs)}, found ${bases.length}`);
  }
  const storeRef = config.frontierRef ?? ctx.sha;
  const snapshot = await readStoreAt(run.api, config.frontier, storeRef);
  const base = bases[0];
  const result = await runCommand(
    run, 'lacs', { 'family-dir': path.resolve(ctx.workspace, config.outputDir, 'lacs-family') }, [base.file],
    { store: memoryStore(`${config.frontier}@${storeRef.slice(0, 12)}`, snapshot.store), configs },
  );
  if (result.command !== 'lacs') throw new Error('lacs without --shard returned no LACS result');
  return {
    command: 'lacs', verdict: 'lacs', headline: `${VERDICT_ICON.lacs} **lacs** for ${escapeMarkdown(base.loaded!.config.name)}`, result,
    targetLabel: result.lacs.target?.label ?? 'not measured', candidates: [], failing: false,
  };
}

/**
 * workflow_dispatch profile / search / merge: the command runs on the space file with the `search-args`
 * flags (parsed by the command's own flag table, never a shell) on top of the inputs' (provider, batch,
 * precision); results go to output-dir and the report to the job summary.
 */
async function runSearchCommand(run: RunState, command: 'profile' | 'search' | 'merge'): Promise<Outcome> {
  const { config, ctx } = run;
  if (!config.space) throw new UserError(`input space: ${command} needs a search space file (e.g. fixtures/spaces/genet.yaml)`);
  const outDir = insideRoot(ctx.workspace, config.outputDir, 'input output-dir');
  checkOutputFolder(outDir, 'input output-dir');
  fs.mkdirSync(outDir, { recursive: true });
  const user = searchArgValues(command, config.searchArgs);
  const owned: FlagValues =
    command === 'profile' ? { out: path.join(outDir, 'profile.json'), reduce: path.join(outDir, 'reduced.yaml') }
      : command === 'search' ? { out: outDir }
        : { kind: 'profile', space: config.space, out: path.join(outDir, 'merged.json'), reduce: path.join(outDir, 'reduced.yaml') };
  const positionals = command === 'merge' ? user.positionals : [config.space, ...user.positionals];
  const result = await runCommand(run, command, { ...user.values, ...owned }, positionals, {}, { inputs: 'measuring' });
  const files = fs.readdirSync(outDir).map((f) => path.join(config.outputDir, f));
  return {
    command, verdict: command === 'profile' ? 'profiled' : command === 'search' ? 'searched' : 'merged',
    headline: `${VERDICT_ICON[command === 'profile' ? 'profiled' : command === 'search' ? 'searched' : 'merged']} **${command}** of \`${config.space.replace(/`/g, '')}\``,
    result,
    reportNote: `Files in \`${config.outputDir.replace(/`/g, '')}\`: ${files.map((f) => `\`${f.replace(/`/g, '')}\``).join(', ')}.`,
    candidates: [], failing: false,
  };
}

/**
 * Any other command of the registry (a new command is reachable with no change here): its positionals and
 * flags from search-args (the command's own flag table, never a shell), the inputs' store, provider, batch
 * and precision, files inside the workspace, the store read at frontier-ref (or this commit) and never
 * committed; the report in the job summary.
 */
async function runOtherCommand(run: RunState, command: string): Promise<Outcome> {
  const { config, ctx } = run;
  if (!findCommand(command)) throw new UserError(`input command: ${JSON.stringify(command)} is not a frontier-gate command`);
  const user = searchArgValues(command, config.searchArgs);
  const storeRef = config.frontierRef ?? ctx.sha;
  const snapshot = await readStoreAt(run.api, config.frontier, storeRef);
  const result = await runCommand(
    run, command, { frontier: config.frontier, ...user.values }, user.positionals,
    { store: memoryStore(`${config.frontier}@${storeRef.slice(0, 12)}`, snapshot.store) }, { inputs: 'measuring' },
  );
  return {
    command, verdict: 'ran', headline: `${VERDICT_ICON.ran} **${escapeMarkdown(command)}**`, result, storeRef,
    targetLabel: (result as { target?: { label?: string } | null }).target?.label, candidates: [], failing: false,
  };
}
