/**
 * The action's orchestration: event -> inputs -> the same commands the CLI runs (src/commands) -> GitHub
 * I/O. This file maps the event and inputs onto command arguments and does the GitHub side (store at a
 * commit, the PR comment, annotations, outputs); what a command computes and how a result reads are not
 * its business. All effects go through injected interfaces (RepoApi, ActionIO, a Measurer factory, a config
 * loader) so tests run it in-process against a loopback API; src/main.ts wires the real ones.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadedArchConfig } from '../arch/parse';
import { findCommand } from '../commands';
import { parseCommandArgv } from '../commands/argv';
import { defaultProxy } from '../commands/context';
import { command as checkCommand } from '../commands/check';
import { command as lacsCommand } from '../commands/lacs';
import { command as mergeCommand } from '../commands/merge';
import { streamProgress } from '../commands/progress';
import { command as recordCommand } from '../commands/record';
import { command as sweepCommand } from '../commands/sweep';
import type { CommandContext } from '../commands/types';
import { ConfigError, UserError } from '../errors';
import { readMetricsAccuracy } from '../frontier/accuracy';
import { memoryStore, type StoreAccess } from '../frontier/access';
import { DEFAULT_CHECK_OPTIONS, type CandidateResult, type CheckCandidate } from '../frontier/check';
import { applyRecordUpdates, type RecordUpdate } from '../frontier/updates';
import type { FrontierStore } from '../frontier/store';
import { serializeStore } from '../frontier/store';
import type { Verdict } from '../frontier/verdict';
import type { MeasureOptions, Measurer } from '../measure/types';
import { renderMarkdown, toJson, type Result } from '../report';
import { checkChartInputs } from '../report/chart';
import { escapeMarkdown } from '../report/markdown';
import { WriteForbidden, type RepoApi } from './api';
import { publishCheckCharts } from './assets';
import { commentBudget, digestOf, fitMarkdown, upsertComment, type CommentIdentity, type CommentOutcome } from './comment';
import { branchOf, isZeroSha, readEventContext, type EventContext } from './event';
import { compileGlobs, walkGlob } from '../util/glob';
import { headlineOf, reportHead, VERDICT_ICON } from './headline';
import { checkInsideFolder, checkOutputFolder, checkOutputPath, writeFileAtomic } from '../util/fs';
import { envInputReader, parseActionInputs, type ActionCommand, type ActionConfig } from './inputs';
import { safeIO, type ActionIO, type AnnotationAt } from './io';
import { publishFromWorkflowRun, type CommentRequest } from './publish';
import { applyDriftPolicy } from './drift';
import { commitStore, createGitRepoApi, readStoreAt, type StoreSnapshot } from './store-io';
import { readSweepShardFiles, shardFileName, sweepShardArgs, type ShardArgs } from './sweep-shards';

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
  command: Exclude<ActionCommand, 'auto'> | 'skip' | 'publish';
  verdict: string;
  failing: boolean;
  readOnly: boolean;
  readOnlyReason?: string;
  comment?: CommentOutcome | 'skipped-read-only' | 'disabled';
  commit?: { status: string; sha?: string; attempts: number; merges: number };
  reportPath: string;
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
  const readOnlyReason = config.storeSource === 'git' ? 'store-source is git: the store is read through git and no API call is made' : detectReadOnly(ctx);
  let readOnly = readOnlyReason !== undefined;
  if (readOnly) io.warning(`frontier-gate makes no write calls in this run: ${readOnlyReason}. The report goes to the job summary and ${config.reportPath}.`);

  const api = config.storeSource === 'git' ? createGitRepoApi(ctx.workspace, ctx) : deps.api(ctx, config);
  if (command === 'publish') return runPublishCommand(deps, config, ctx, api);
  // The report file is written at the end: a folder or read-only path fails now, before any measuring.
  checkInsideFolder(path.resolve(ctx.workspace, config.reportPath), ctx.workspace, 'input report-path');
  checkOutputPath(path.resolve(ctx.workspace, config.reportPath), 'input report-path');
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
  }
  readOnly = run.readOnly;

  // Report: file, summary, outputs, comment; then the step's status.
  const reportPath = path.resolve(ctx.workspace, config.reportPath);
  const commentId: CommentIdentity = { workflow: ctx.workflow, target: `${config.executionProvider}/${config.target}` };
  const head = reportHead(outcome.targetLabel ?? `${config.executionProvider} · ${config.target}`, outcome.headline);
  const pr = ctx.pullRequest;
  // The check's frontier chart: beside the report, and on the assets branch when chart-branch names one.
  const charts = outcome.result?.command === 'check'
    ? await publishCheckCharts(api, checkChartInputs(outcome.result), {
        branch: config.chartBranch, reportPath, serverUrl: ctx.serverUrl, repo: ctx.repo, pr: pr?.number, sha: pr?.headSha ?? ctx.sha, readOnly,
      })
    : undefined;
  for (const w of charts?.warnings ?? []) io.warning(w);
  const chartMarkdown = charts?.markdown ? `\n${charts.markdown}\n` : '';
  const reportMarkdown = outcome.result ? renderMarkdown(outcome.result) + (outcome.reportNote ? `\n${outcome.reportNote}\n` : '') + chartMarkdown : '';

  let comment: ActionResult['comment'];
  let commentRequest: CommentRequest | undefined;
  const wantsComment = config.comment || (outcome.failing && config.onFail !== 'fail');
  if (pr && outcome.command === 'check' && outcome.verdict !== 'skipped') {
    const hint = ctx.runUrl ? `The full report is in the job summary of [this run](${ctx.runUrl}).` : 'The full report is in the job summary.';
    const body = fitMarkdown(head, reportMarkdown, commentBudget(commentId), hint);
    // Kept in the JSON report: the workflow_run pattern publishes it for fork PRs (src/github/publish.ts).
    commentRequest = { issue: pr.number, identity: commentId, body, digest: digestOf(outcome.digestParts ?? body) };
    if (!wantsComment) comment = 'disabled';
    else if (readOnly) comment = 'skipped-read-only';
    else {
      try {
        const res = await upsertComment(api, pr.number, commentId, { body, digest: commentRequest.digest });
        comment = res.outcome;
        io.info(`PR comment ${res.outcome} (id ${res.commentId})`);
      } catch (err) {
        if (!(err instanceof WriteForbidden)) throw err;
        readOnly = true;
        comment = 'skipped-read-only';
        io.warning(`the token may not comment on this PR (HTTP ${err.status}); the report is in the job summary and ${config.reportPath}`);
      }
    }
  }

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
  fs.mkdirSync(path.dirname(reportPath), { recursive: true });
  writeFileAtomic(reportPath, JSON.stringify(json, null, 2) + '\n', { what: 'input report-path' });
  await io.writeSummary(fitMarkdown(head, reportMarkdown, 1_000_000, `The full report is in ${config.reportPath}.`));

  const first = outcome.candidates.find((c) => c.verdict === outcome.verdict) ?? outcome.candidates[0];
  io.setOutput('verdict', outcome.verdict);
  io.setOutput('report-json', reportPath);
  io.setOutput('latency-ms', first?.latency_ms !== undefined ? String(round(first.latency_ms, 4)) : '');
  io.setOutput('ratio', first?.ratio !== undefined ? String(round(first.ratio, 4)) : '');
  io.setOutput('new-frontier', String(outcome.candidates.some((c) => c.verdict === 'new-frontier')));
  io.setOutput('chart-svg', (charts?.charts ?? []).map((c) => c.file).join('\n'));

  if (outcome.failing && config.onFail !== 'comment') {
    io.setFailed(`frontier-gate: ${outcome.verdict}: ${plainHeadline(outcome)}`);
  } else if (outcome.failing) {
    io.warning(`frontier-gate: ${outcome.verdict} (on-fail: comment, so the step passes)`);
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
  };
}

/** workflow_run: post the comment a fork PR's check run could not (its report arrives as an artifact). */
async function runPublishCommand(deps: ActionDeps, config: ActionConfig, ctx: EventContext, api: RepoApi): Promise<ActionResult> {
  const reportPath = path.resolve(ctx.workspace, config.reportPath);
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
  return { command: 'publish', verdict: res.verdict, failing: false, readOnly: false, comment: res.outcome === 'skipped' ? undefined : res.outcome, reportPath };
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
      throw new UserError(`input command: "auto" cannot choose for workflow_dispatch; set command to check, record, sweep, lacs, profile, search or merge (got ${JSON.stringify(command)})`);
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

/** What the inputs say about measuring: the same options the CLI's flags set. */
function measureOptions(config: ActionConfig): Partial<MeasureOptions> {
  return { ep: config.executionProvider, batch: config.batchSize, precision: config.precision };
}

/** LACS for `family: base` configs (input lacs-on-base, default on): the PR-sized budget, or off. */
const lacsOption = (config: ActionConfig) => (config.lacsOnBase === false ? (false as const) : {});

async function measurerOf(run: RunState): Promise<Measurer> {
  if (!run.measurer) run.measurer = await run.deps.createMeasurer(run.config);
  return run.measurer;
}

/** The commands' context in the action: its measurer, progress and notes in the step's log. */
async function commandContext(run: RunState, commit: string | undefined, opts: { measure?: boolean } = {}): Promise<CommandContext> {
  const measurer = opts.measure === false ? undefined : await measurerOf(run);
  const info = (line: string) => run.deps.io.info(line);
  return {
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

interface LoadedCandidate {
  file: string;
  loaded?: LoadedArchConfig;
  error?: ConfigError | UserError;
}

/**
 * Configs are data: parsed, never executed. Read from the checked-out workspace; on a PR without a
 * checkout they are fetched at the head commit so the action also works without actions/checkout.
 */
async function loadCandidates(run: RunState, files: string[], headRef?: string, alwaysFetch = false): Promise<LoadedCandidate[]> {
  const out: LoadedCandidate[] = [];
  let fetchedDir: string | undefined;
  for (const file of files) {
    let local = path.join(run.ctx.workspace, file);
    if (headRef && (alwaysFetch || !fs.existsSync(local))) {
      const remote = await run.api.getFile(file, headRef);
      if (remote) {
        fetchedDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'frontier-gate-configs-'));
        local = path.join(fetchedDir, file);
        fs.mkdirSync(path.dirname(local), { recursive: true });
        fs.writeFileSync(local, remote.text);
      }
    }
    if (local.startsWith(run.ctx.workspace) && fs.existsSync(local) && !insideWorkspace(run.ctx.workspace, local)) {
      // A PR can add a symlink to /etc/... or the runner's files: its text could leak into errors and the comment.
      out.push({ file, error: new UserError(`${file}: a symbolic link to a file outside the repository; not read`) });
      continue;
    }
    try {
      out.push({ file, loaded: run.deps.loadConfig(local) });
    } catch (err) {
      if (err instanceof UserError) {
        // Messages name the local path; the repository-relative one is what the user knows.
        out.push({ file, error: err });
      } else throw err;
    }
  }
  return out;
}

function insideWorkspace(workspace: string, file: string): boolean {
  const root = fs.realpathSync(workspace);
  const real = fs.realpathSync(file);
  return real.startsWith(root + path.sep);
}

function annotateConfigErrors(run: RunState, loaded: LoadedCandidate[]): ReportedCandidate[] {
  const invalid: ReportedCandidate[] = [];
  for (const c of loaded) {
    if (!c.error) continue;
    const at: AnnotationAt = { file: c.file, title: 'frontier-gate: invalid architecture config' };
    let message = c.error.message;
    if (c.error instanceof ConfigError) {
      if (c.error.position) {
        at.line = c.error.position.line;
        at.col = c.error.position.col;
      }
      message = `${c.error.field ? `${c.error.field}: ` : ''}${c.error.detail}`;
    }
    run.deps.io.error(message, at);
    invalid.push({ name: path.basename(c.file).replace(/\.ya?ml$/, ''), file: c.file, verdict: 'invalid' });
  }
  return invalid;
}

function accuracyFor(run: RunState, cand: LoadedCandidate, many: boolean): { accuracy?: number; accuracySource?: string } {
  const { metricsFile, metricsKey } = run.config;
  if (!metricsFile) return {};
  const key = metricsKey?.replace(/\{name\}/g, cand.loaded!.config.name);
  if (many && metricsKey && !metricsKey.includes('{name}')) {
    run.deps.io.warning(`input metrics-key: ${JSON.stringify(metricsKey)} gives one accuracy to ${cand.file}; with several changed configs use "{name}" in the key`);
  }
  const metricsPath = path.resolve(run.ctx.workspace, metricsFile);
  if (fs.existsSync(metricsPath) && !insideWorkspace(run.ctx.workspace, metricsPath)) {
    throw new UserError(`input metrics-file: ${JSON.stringify(metricsFile)} resolves outside the workspace (a symbolic link?); not read`);
  }
  try {
    const acc = readMetricsAccuracy(metricsPath, key);
    return { accuracy: acc.top1, accuracySource: `${metricsFile}:${key}` };
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`inputs metrics-file/metrics-key: ${err.message}`);
    throw err;
  }
}

function annotateVerdicts(run: RunState, loaded: LoadedCandidate[], results: ReportedCandidate[]): void {
  for (const r of results) {
    if (r.verdict !== 'dominated' && r.verdict !== 'inconclusive') continue;
    const cand = loaded.find((c) => c.loaded && (c.file === r.file || c.loaded.config.name === r.name));
    if (!cand?.loaded) continue;
    const nameAt = cand.loaded.locate(['name']);
    const msg =
      r.verdict === 'dominated'
        ? `${r.name} is dominated by ${r.dominated_by ?? 'a stored model'}${r.ratio !== undefined ? ` (latency ratio ${r.ratio.toFixed(3)})` : ''}`
        : `${r.name}: inconclusive, the latency interval still straddles the tolerance band`;
    const at: AnnotationAt = { file: cand.file, line: nameAt.line, col: nameAt.col, title: `frontier-gate: ${r.verdict}` };
    if (r.verdict === 'dominated') run.deps.io.error(msg, at);
    else run.deps.io.warning(msg, at);
  }
}

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
    files = changed.filter(matches).sort();
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
  deps.io.info(`checking ${files.length} config(s): ${files.join(', ')} against ${config.frontier} at ${storeRef}`);
  const snapshot = await readStoreAt(api, config.frontier, storeRef);
  if (!snapshot.sha) deps.io.notice(`${config.frontier} does not exist at ${storeRef.slice(0, 12)}: checking against an empty frontier`);

  // pull_request_target checks out the base branch: the PR's configs must come from its head commit.
  const loaded = await loadCandidates(run, files, pr?.headSha, ctx.name === 'pull_request_target');
  const invalid = annotateConfigErrors(run, loaded);
  const valid = loaded.filter((c) => c.loaded);
  const candidates: CheckCandidate[] = valid.map((c) => ({ config: c.loaded!.config, file: c.file, ...accuracyFor(run, c, valid.length > 1) }));

  let results: ReportedCandidate[] = [];
  let verdict: string = 'invalid';
  let result: Result | undefined;
  let targetLabel: string | undefined;
  if (candidates.length) {
    const checked = await checkCommand.run(
      {
        store: memoryStore(`${config.frontier}@${storeRef.slice(0, 12)}`, snapshot.store),
        candidates,
        options: {
          ...DEFAULT_CHECK_OPTIONS,
          latencyTolerance: config.latencyTolerance,
          accuracyTolerance: config.accuracyTolerance,
          ...(config.budgetSeconds !== undefined ? { budgetSeconds: config.budgetSeconds } : {}),
          measure: measureOptions(config),
          storeFile: config.frontier,
        },
        lacs: lacsOption(config),
      },
      await commandContext(run, pr?.headSha ?? ctx.sha),
    );
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
async function runStoreCommand(run: RunState, command: 'record' | 'sweep' | 'merge'): Promise<Outcome> {
  const { config, ctx, api, deps } = run;
  const shardArgs = command === 'sweep' ? sweepShardArgs(config.searchArgs) : undefined;
  if (shardArgs) return runSweepShardCommand(run, shardArgs);
  if (command === 'sweep' && config.searchArgs.length) throw new UserError('input search-args: a sweep takes only --shard i/n and --anchor');
  const branch = writeBranch(ctx);
  const storeRef = config.frontierRef ?? branch;
  let loaded: LoadedCandidate[] = [];
  let invalid: ReportedCandidate[] = [];
  if (command === 'record') {
    const matches = compileGlobs(config.configs);
    const changed = await changedOnPush(run);
    const files = changed ? changed.filter(matches).sort() : walkGlob(ctx.workspace, config.configs);
    if (files.length === 0) return skipped(`no config matching ${config.configs} changed in this push`);
    loaded = await loadCandidates(run, files);
    invalid = annotateConfigErrors(run, loaded);
    if (loaded.every((c) => !c.loaded)) {
      return { command, verdict: 'invalid', headline: headlineOf('invalid', invalid), candidates: invalid, failing: true };
    }
  }
  const shardFiles = command === 'merge' ? readSweepShardFiles(ctx.workspace, config.searchArgs) : undefined;
  const snapshot: StoreSnapshot = await readStoreAt(api, config.frontier, storeRef);
  const valid = loaded.filter((c) => c.loaded);
  const access = apiStore(run, snapshot, branch);
  const options = { budgetSeconds: config.budgetSeconds ?? 20, measure: measureOptions(config), storeFile: config.frontier };
  let result: Result;
  if (command === 'merge') {
    // Joining shards measures nothing: no measurer is created.
    result = await mergeCommand.run(
      { kind: 'sweep', shards: shardFiles!.shards, files: shardFiles!.files, store: access, latencyTolerance: config.latencyTolerance, dryRun: false },
      await commandContext(run, ctx.sha, { measure: false }),
    );
  } else {
    const commandCtx = await commandContext(run, ctx.sha);
    result = command === 'record'
      ? await recordCommand.run(
        { store: access, inputs: valid.map((c) => ({ config: c.loaded!.config, file: c.file, ...accuracyFor(run, c, valid.length > 1) })), options, lacs: lacsOption(config) },
        commandCtx,
      )
      : await sweepCommand.run({ store: access, options: { ...options, latencyTolerance: config.latencyTolerance } }, commandCtx);
  }
  const commit = access.outcome.commit;
  const note = access.outcome.notes;
  // Drift beyond noise, after the commit: report, an issue listing the moved models, or a failed run (input on-drift).
  const driftInput = result.command === 'sweep' || result.command === 'merge-sweep' ? { target: result.target, rows: result.rows, common_drift: result.common_drift, latency_tolerance: result.latency_tolerance } : undefined;
  const drift = driftInput
    ? await applyDriftPolicy(api, config.onDrift, driftInput, { date: new Date().toISOString().slice(0, 10), runUrl: ctx.runUrl, sha: ctx.sha, readOnly: run.readOnly, log: (m) => deps.io.info(m) })
    : undefined;
  if (drift?.note) note.push(drift.note);
  const verdict = invalid.length ? 'invalid' : command === 'record' ? 'recorded' : drift?.failing ? 'drift' : 'swept';
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
    async apply(updates: readonly RecordUpdate[], message: string) {
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
async function runSweepShardCommand(run: RunState, args: ShardArgs): Promise<Outcome> {
  const { config, ctx } = run;
  // Every shard reads the store at the triggering commit, so all shards of one run share the records.
  const storeRef = config.frontierRef ?? ctx.sha;
  const snapshot = await readStoreAt(run.api, config.frontier, storeRef);
  const outDir = path.resolve(ctx.workspace, config.outputDir);
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, shardFileName(args.shard));
  const result = await sweepCommand.run(
    {
      store: memoryStore(`${config.frontier}@${storeRef.slice(0, 12)}`, snapshot.store),
      options: { budgetSeconds: config.budgetSeconds ?? 60, latencyTolerance: config.latencyTolerance, measure: measureOptions(config), storeFile: config.frontier },
      shard: { ...args, out },
    },
    await commandContext(run, ctx.sha),
  );
  if (result.command !== 'sweep-shard') throw new Error('sweep --shard returned no shard result');
  const target = result.shard.target;
  warnOnTargetMismatch(run, target.key, target.label);
  const file = path.relative(ctx.workspace, out);
  return {
    command: 'sweep',
    verdict: 'swept',
    headline: `${VERDICT_ICON.swept} **swept** shard ${args.shard.index}/${args.shard.count}: \`${file.replace(/`/g, '')}\``,
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
  const file = path.resolve(run.ctx.workspace, 'frontier-gate-store.json');
  checkInsideFolder(file, run.ctx.workspace, 'frontier-gate-store.json');
  writeFileAtomic(file, serializeStore(store), { what: 'frontier-gate-store.json' });
  run.deps.io.notice(`updated store written to ${file} (not committed: read-only token)`);
  return `The store was not committed (read-only token); the updated store is in \`frontier-gate-store.json\`.`;
}

async function runLacsCommand(run: RunState): Promise<Outcome> {
  const { config, ctx } = run;
  const files = walkGlob(ctx.workspace, config.configs);
  const loaded = await loadCandidates(run, files);
  const invalid = annotateConfigErrors(run, loaded);
  const bases = loaded.filter((c) => c.loaded && c.loaded.config.family === 'base');
  if (invalid.length) return { command: 'lacs', verdict: 'invalid', headline: headlineOf('invalid', invalid), candidates: invalid, failing: true };
  if (bases.length !== 1) {
    throw new UserError(`input configs: lacs needs exactly one config with "family: base" among ${JSON.stringify(config.configs)}, found ${bases.length}`);
  }
  const storeRef = config.frontierRef ?? ctx.sha;
  const snapshot = await readStoreAt(run.api, config.frontier, storeRef);
  const base = bases[0];
  const result = await lacsCommand.run(
    {
      baseFile: path.join(ctx.workspace, base.file),
      base: base.loaded!.config,
      options: { measure: measureOptions(config) },
      recordSources: [],
      store: memoryStore(`${config.frontier}@${storeRef.slice(0, 12)}`, snapshot.store),
      familyDir: path.resolve(ctx.workspace, config.outputDir, 'lacs-family'),
    },
    await commandContext(run, ctx.sha),
  );
  if (result.command !== 'lacs') throw new Error('lacs without --shard returned no LACS result');
  return { command: 'lacs', verdict: 'lacs', headline: `🧮 **lacs** for ${escapeMarkdown(base.loaded!.config.name)}`, result, targetLabel: result.lacs.target?.label ?? 'not measured', candidates: [], failing: false };
}

/**
 * workflow_dispatch profile / search / merge: the CLI command runs in-process on the space file with the
 * `search-args` flags (parsed by the command's own flag parser, never a shell); results go to output-dir
 * and the report to the job summary. The measurer is the action's, with its provider, batch and precision.
 */
async function runSearchCommand(run: RunState, command: 'profile' | 'search' | 'merge'): Promise<Outcome> {
  const { config, ctx } = run;
  if (!config.space) throw new UserError(`input space: ${command} needs a search space file (e.g. fixtures/spaces/genet.yaml)`);
  const space = path.resolve(ctx.workspace, config.space);
  const outDir = path.resolve(ctx.workspace, config.outputDir);
  checkInsideFolder(outDir, ctx.workspace, 'input output-dir');
  checkOutputFolder(outDir, 'input output-dir');
  fs.mkdirSync(outDir, { recursive: true });
  const argv =
    command === 'profile' ? [space, ...config.searchArgs, '--out', path.join(outDir, 'profile.json'), '--reduce', path.join(outDir, 'reduced.yaml')]
      : command === 'search' ? [space, ...config.searchArgs, '--out', outDir]
        : [...config.searchArgs.map((f) => path.resolve(ctx.workspace, f)), '--space', space, '--out', path.join(outDir, 'merged.json'), '--reduce', path.join(outDir, 'reduced.yaml')];
  const cmd = findCommand(command)!;
  // The command's own flag parser reads search-args: never a shell, the same errors as the CLI.
  let args: unknown;
  try {
    const { values, positionals } = parseCommandArgv(cmd, argv);
    args = cmd.parse(values, positionals);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`input search-args: ${err.message}`, err.exitCode);
    throw err;
  }
  const base = await commandContext(run, ctx.sha);
  const measurer = base.measurer();
  // The action's provider, batch and precision, unless the command sets its own.
  const defaults = measureOptions(config);
  const withDefaults: Measurer = { measure: (models, options) => measurer.measure(models, { ...defaults, ...options }) };
  const result = await cmd.run(args, { ...base, measurer: () => withDefaults });
  const files = fs.readdirSync(outDir).map((f) => path.join(config.outputDir, f));
  return {
    command, verdict: command === 'profile' ? 'profiled' : command === 'search' ? 'searched' : 'merged',
    headline: `🔬 **${command}** of \`${config.space.replace(/`/g, '')}\``,
    result,
    reportNote: `Files in \`${config.outputDir.replace(/`/g, '')}\`: ${files.map((f) => `\`${f.replace(/`/g, '')}\``).join(', ')}.`,
    candidates: [], failing: false,
  };
}
