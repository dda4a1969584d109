/**
 * The second half of the fork-PR pattern. A `pull_request` run from a fork has a read-only token, so the
 * check run leaves its JSON report in an artifact; a separate workflow triggered by `workflow_run`
 * downloads it and runs the action, which lands here.
 *
 * The artifact is untrusted: a fork can edit the workflow that produced it. So it is read as data only:
 * - the report file is a regular file inside the workspace, at most FILE_LIMITS.report bytes, and valid
 *   against REPORT_SCHEMA (types, enums, string lengths, list lengths) before anything is used;
 * - no Markdown, body, digest or identity is taken from it: this job renders the comment itself with the
 *   check run's renderer (renderMarkdown, headlineOf, fitMarkdown), takes the comment's identity from its
 *   own workflow and inputs, and the digest from the body it rendered;
 * - the PR number it claims must match the triggering run's head commit AND head repository, both of
 *   which must be known (a deleted fork is refused);
 * - only a comment authored by the token's own login is ever edited (upsertComment).
 */
import Ajv, { type ErrorObject } from 'ajv';
import { UserError } from '../errors';
import type { CheckResult } from '../report/result';
import { renderMarkdown } from '../report';
import { checkChartInputs } from '../report/chart';
import { renderFrontierSvg } from '../report/svg-chart';
import { neutraliseHtmlComments } from '../report/escape';
import { excerpt, readRegularText } from '../util/fs';
import { parseJson } from '../util/json';
import { insideRoot } from '../util/paths';
import type { RepoApi } from './api';
import { maskChartCommits, publishCharts, type ChartSource } from './assets';
import { commentBudget, digestOf, fitMarkdown, upsertComment, type CommentIdentity, type CommentOutcome } from './comment';
import type { EventContext } from './event';
import { headlineOf, reportHead, type HeadlineCandidate } from '../report/headline';
import type { ActionConfig } from './inputs';

/**
 * The comment a check run posted or would have posted, kept in its JSON report for reading. The publisher
 * does NOT use it (it renders the comment itself from the report's data).
 */
export interface CommentRequest {
  issue: number;
  identity: CommentIdentity;
  body: string;
  digest: string;
}

export interface PublishResult {
  outcome: CommentOutcome | 'skipped';
  issue?: number;
  verdict: string;
  reason?: string;
}

/** error: the check run could not judge (src/github/run.ts reportError); nothing is published for it. */
const VERDICTS = ['pass', 'new-frontier', 'dominated', 'inconclusive', 'invalid', 'skipped', 'error'] as const;
const GATE_VERDICTS = ['pass', 'new-frontier', 'dominated', 'inconclusive'] as const;
const NAME = { type: 'string', maxLength: 200 } as const;
const PATH = { type: 'string', maxLength: 500 } as const;
const NUM = { type: 'number' } as const;
const INTERVAL = { type: 'array', items: NUM, minItems: 2, maxItems: 2 } as const;
const MAX_CANDIDATES = 100;
const MAX_MODELS = 64;

const MODEL_ROW = {
  type: 'object',
  required: ['name', 'role', 'accuracy', 'latency_ms', 'ci95_ms', 'on_frontier', 'params', 'macs', 'intensity'],
  properties: {
    name: NAME,
    role: { enum: ['candidate', 'contender', 'neighbour'] },
    accuracy: { type: ['number', 'null'] },
    latency_ms: { type: 'number', exclusiveMinimum: 0 },
    ci95_ms: INTERVAL,
    ratio: NUM,
    ratio_ci95: INTERVAL,
    on_frontier: { type: 'boolean' },
    frontier: { enum: ['on', 'off', 'undecided', 'unrated'] },
    params: NUM,
    macs: NUM,
    intensity: NUM,
    samples: NUM,
  },
  dependencies: { ratio: ['ratio_ci95'] },
} as const;

const CHECK_CANDIDATE = {
  type: 'object',
  required: ['name', 'verdict', 'reason', 'latency_only', 'accuracy', 'latency_ms', 'ci95_ms', 'undecided', 'distance', 'models', 'budget_exhausted', 'rounds', 'wall_s'],
  properties: {
    name: NAME,
    file: PATH,
    verdict: { enum: GATE_VERDICTS },
    reason: { type: 'string', maxLength: 2000 },
    reason_markdown: { type: 'string', maxLength: 4000 },
    latency_only: { type: 'boolean' },
    accuracy: { type: ['number', 'null'] },
    accuracy_source: { type: ['string', 'null'], maxLength: 500 },
    latency_ms: NUM,
    ci95_ms: INTERVAL,
    params: NUM,
    macs: NUM,
    intensity: NUM,
    dominated_by: {
      type: 'object',
      required: ['name', 'accuracy', 'ratio', 'ci95', 'slower_by', 'slower_by_ci95'],
      properties: { name: NAME, accuracy: NUM, ratio: NUM, ci95: INTERVAL, slower_by: NUM, slower_by_ci95: INTERVAL },
    },
    undecided: { type: 'array', maxItems: MAX_MODELS, items: NAME },
    distance: {
      type: 'object',
      properties: {
        latency: { type: 'object', required: ['slower_by', 'reference'], properties: { slower_by: NUM, reference: NAME } },
        accuracy: { type: 'object', required: ['less_accurate_by', 'reference'], properties: { less_accurate_by: NUM, reference: NAME } },
      },
    },
    models: { type: 'array', maxItems: MAX_MODELS, items: MODEL_ROW },
    budget_exhausted: { type: 'boolean' },
    rounds: { type: 'integer', minimum: 0 },
    wall_s: { type: 'number', minimum: 0 },
    // LACS results are not published from an artifact (dropped before rendering).
    lacs: { type: 'object' },
  },
  if: { properties: { verdict: { const: 'dominated' } } },
  then: { required: ['dominated_by'] },
} as const;

/** The typed report a check run writes (src/github/run.ts), as far as the publisher reads it. */
export const REPORT_SCHEMA = {
  type: 'object',
  required: ['tool', 'command', 'verdict', 'candidates'],
  properties: {
    tool: { const: 'frontier-gate' },
    command: { type: 'string', maxLength: 20 },
    verdict: { enum: VERDICTS },
    pull_request: { type: 'integer', minimum: 1, maximum: 1e9 },
    target: { type: 'string', maxLength: 200 },
    candidates: {
      type: 'array',
      maxItems: MAX_CANDIDATES,
      items: {
        type: 'object',
        required: ['name', 'verdict'],
        properties: { name: NAME, file: PATH, verdict: { enum: VERDICTS }, latency_ms: NUM, ratio: NUM, dominated_by: NAME, accuracy: { type: ['number', 'null'] } },
      },
    },
    report: {
      type: 'object',
      required: ['verdict', 'target', 'settings', 'selection', 'candidates'],
      properties: {
        verdict: { enum: GATE_VERDICTS },
        target: { type: 'object', required: ['key', 'label'], properties: { key: NAME, label: NAME } },
        settings: {
          type: 'object',
          required: ['latency_tolerance', 'accuracy_tolerance', 'neighbors', 'budget_s', 'strict'],
          properties: {
            latency_tolerance: NUM, accuracy_tolerance: NUM, neighbors: { type: 'integer', minimum: 0, maximum: 1000 }, budget_s: NUM,
            strict: { type: 'boolean' }, latency_only: { type: 'boolean' }, lacs: { type: 'boolean' }, store: PATH,
          },
        },
        selection: {
          type: 'object',
          required: ['ranked_by'],
          properties: { ranked_by: { enum: ['stored-latency', 'macs'] }, reference_target: NAME },
        },
        candidates: { type: 'array', minItems: 1, maxItems: MAX_CANDIDATES, items: CHECK_CANDIDATE },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: false }).compile(REPORT_SCHEMA);

/** What the publisher takes from an artifact: data only. */
export interface PublishableReport {
  command: string;
  verdict: (typeof VERDICTS)[number];
  pullRequest?: number;
  targetLabel?: string;
  candidates: HeadlineCandidate[];
  check?: Omit<CheckResult, 'command' | 'exitCode'>;
}

function bad(reportFile: string, what: string): UserError {
  return new UserError(`input report-path: ${JSON.stringify(reportFile)} is not a frontier-gate check report: ${what}`);
}

function describeAjvError(e: ErrorObject, data: unknown): string {
  const where = e.instancePath || '(top level)';
  let value: unknown = data;
  for (const part of e.instancePath.split('/').slice(1)) value = (value as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  const shown = value !== null && typeof value === 'object' ? (Array.isArray(value) ? `a list of ${value.length}` : 'an object') : excerpt(value, 40);
  return `${where}: ${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}, got ${shown}`;
}

/** The report file: inside the workspace (symlinks resolved), a regular file within its size cap. */
function readReportText(reportFile: string, workspace: string): string {
  const file = insideRoot(workspace, reportFile, 'input report-path');
  try {
    return readRegularText(file, { what: `input report-path ${JSON.stringify(reportFile)}`, kind: 'report' });
  } catch (err) {
    if (err instanceof UserError && (err as { code?: string }).code === 'ENOENT') {
      throw new UserError(`input report-path: cannot read ${JSON.stringify(reportFile)} (no such file: download the check run's artifact first)`);
    }
    throw err;
  }
}

/** Reads and validates a check run's JSON report; throws a UserError (exit 2) naming the bad field. */
export function readPublishableReport(reportFile: string, workspace: string): PublishableReport {
  const text = readReportText(reportFile, workspace);
  const data = parseJson(text, `input report-path: ${JSON.stringify(reportFile)} is not a frontier-gate check report`);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw bad(reportFile, 'not a JSON object');
  if ((data as Record<string, unknown>).tool !== 'frontier-gate') throw bad(reportFile, 'no "tool": "frontier-gate"');
  if (!validate(data)) throw bad(reportFile, describeAjvError(validate.errors![0], data));
  const d = data as {
    command: string; verdict: PublishableReport['verdict']; pull_request?: number; target?: string;
    candidates: HeadlineCandidate[]; report?: PublishableReport['check'];
  };
  // The headline's verdict is the check's (or "invalid" when some config did not load): no other story.
  if (d.report && d.verdict !== 'invalid' && d.verdict !== d.report.verdict) {
    throw bad(reportFile, `/verdict: ${excerpt(d.verdict, 20)} contradicts the check's own verdict ${excerpt(d.report.verdict, 20)} (/report/verdict)`);
  }
  const candidates = d.candidates.map((c) => ({
    name: c.name, verdict: c.verdict,
    ...(c.file !== undefined ? { file: c.file } : {}),
    ...(c.dominated_by !== undefined ? { dominated_by: c.dominated_by } : {}),
    ...(c.latency_ms !== undefined ? { latency_ms: c.latency_ms } : {}),
    ...(c.ratio !== undefined ? { ratio: c.ratio } : {}),
  }));
  return {
    command: d.command,
    verdict: d.verdict,
    ...(d.pull_request !== undefined ? { pullRequest: d.pull_request } : {}),
    ...(d.target !== undefined ? { targetLabel: d.target } : {}),
    candidates,
    ...(d.report ? { check: d.report } : {}),
  };
}

/**
 * The check report's Markdown, rendered here from data with the check run's renderer (renderMarkdown, which
 * escapes every string it places). LACS results are left out: they are not validated for publishing.
 */
export function renderPublishedReport(check: NonNullable<PublishableReport['check']>): string {
  const candidates = check.candidates.map(({ lacs: _lacs, ...c }) => (void _lacs, c));
  return renderMarkdown({ ...check, command: 'check', exitCode: 0, candidates });
}

/**
 * The check's charts, rendered here from the report's validated data with the check run's chart code (the
 * fork's run may have left an SVG in its artifact: it is never read). Reports of an action version that did
 * not keep the frontier status per model fall back to its on_frontier flag.
 */
export async function renderPublishedCharts(check: NonNullable<PublishableReport['check']>): Promise<ChartSource[]> {
  const candidates = check.candidates.map((c) => ({
    ...c, models: c.models.map((m) => ({ ...m, frontier: m.frontier ?? (m.on_frontier ? 'on' as const : 'off' as const) })),
  }));
  const inputs = checkChartInputs({ candidates, target: check.target });
  const out: ChartSource[] = [];
  for (const [i, input] of inputs.entries()) {
    if (input.points.length) out.push({ name: check.candidates[i].name, input, svg: await renderFrontierSvg(input) });
  }
  return out;
}

/** The comment a publish job posts for a report: body (fitted, marker-free) and its digest. */
export function publishedComment(report: PublishableReport, identity: CommentIdentity, fallbackLabel: string, hint: string, chartMarkdown = ''): { body: string; digest: string } {
  const head = reportHead(report.check?.target.label ?? report.targetLabel ?? fallbackLabel, headlineOf(report.verdict, report.candidates));
  let markdown = '';
  try {
    markdown = report.check ? renderPublishedReport(report.check) : '';
  } catch (err) {
    // The schema admits only what the renderer reads; anything it still cannot render is bad input.
    throw new UserError(`input report-path: the report's data cannot be rendered (${excerpt((err as Error).message, 80)}); not publishing`);
  }
  const body = neutraliseHtmlComments(fitMarkdown(head, markdown + (chartMarkdown ? `\n${chartMarkdown}\n` : ''), commentBudget(identity), hint));
  // A re-published chart is a new commit of the same file: the digest ignores which commit a chart URL names.
  return { body, digest: digestOf(maskChartCommits(body)) };
}

type Json = Record<string, unknown>;

const SHA = /^[0-9a-f]{40}$/i;

export async function publishFromWorkflowRun(
  api: RepoApi,
  ctx: EventContext,
  config: Pick<ActionConfig, 'reportPath' | 'executionProvider' | 'target' | 'comment' | 'onFail' | 'chartBranch'>,
  log: (m: string) => void,
): Promise<PublishResult> {
  const run = ctx.payload.workflow_run as Json | undefined;
  if (!run || typeof run !== 'object') throw new UserError('the workflow_run event payload has no workflow_run');
  const report = readPublishableReport(config.reportPath, ctx.workspace);
  const verdict = report.verdict;
  if (run.event !== 'pull_request' && run.event !== 'pull_request_target') {
    return { outcome: 'skipped', verdict, reason: `the triggering run was a ${excerpt(run.event, 40)} run, not a pull request` };
  }
  if (verdict === 'error') return { outcome: 'skipped', verdict, reason: 'the check run could not judge (its job summary says why); nothing to publish' };
  if (report.command !== 'check' || report.pullRequest === undefined || verdict === 'skipped') {
    return { outcome: 'skipped', verdict, reason: 'the report carries no PR check (nothing was checked)' };
  }
  const failing = verdict === 'dominated' || verdict === 'invalid';
  if (!config.comment && !(failing && config.onFail !== 'fail')) {
    return { outcome: 'skipped', verdict, reason: 'input comment is false' };
  }

  // The artifact names the PR; the triggering run (GitHub's event, not the artifact) says which commit of
  // which repository was checked. Both must be known and agree.
  const issue = report.pullRequest;
  const runSha = typeof run.head_sha === 'string' && SHA.test(run.head_sha) ? run.head_sha.toLowerCase() : null;
  const runRepoRaw = (run.head_repository as Json | null | undefined)?.full_name;
  const runRepo = typeof runRepoRaw === 'string' && runRepoRaw.includes('/') ? runRepoRaw.toLowerCase() : null;
  if (!runSha) throw new UserError(`the triggering run's head commit is unknown (workflow_run.head_sha is ${excerpt(run.head_sha, 48)}); not publishing to PR #${issue}`);
  if (!runRepo) throw new UserError(`the triggering run's head repository is unknown (deleted fork?); not publishing to PR #${issue}`);
  const pr = await api.getPullRequest(issue);
  if (!pr) throw new UserError(`the report names PR #${issue}, which does not exist in ${ctx.repo.owner}/${ctx.repo.repo}; not publishing`);
  if (!pr.headRepo) throw new UserError(`the report names PR #${issue}, whose head repository is unknown (deleted fork); not publishing`);
  if (pr.headSha.toLowerCase() !== runSha || pr.headRepo.toLowerCase() !== runRepo) {
    throw new UserError(
      `the report names PR #${issue}, but that PR's head (${pr.headRepo} @ ${pr.headSha.slice(0, 12)}) is not the run's ` +
        `(${runRepo} @ ${runSha.slice(0, 12)}): the PR moved on or the artifact is not from this run; not publishing`,
    );
  }

  // Identity from this job's own workflow and inputs, never from the artifact.
  const identity: CommentIdentity = { workflow: ctx.workflow, target: `${config.executionProvider}/${config.target}` };
  const url = typeof run.html_url === 'string' && /^https:\/\/[\w.-]+\/[\w./-]+$/.test(run.html_url) ? run.html_url : undefined;
  const hint = url ? `The full report is in the job summary of [the check run](${url}).` : "The full report is in the check run's job summary.";
  // The chart the fork's read-only run could not commit: rendered from the validated data, committed to chart-branch.
  const charts = report.check
    ? await publishCharts(api, await renderPublishedCharts(report.check), {
        branch: config.chartBranch, serverUrl: ctx.serverUrl, repo: ctx.repo, pr: issue, sha: runSha, readOnly: false,
      })
    : undefined;
  for (const w of charts?.warnings ?? []) log(`warning: ${w}`);
  const content = publishedComment(report, identity, `${config.executionProvider} · ${config.target}`, hint, charts?.markdown ?? '');
  const res = await upsertComment(api, issue, identity, content);
  log(`PR #${issue}: comment ${res.outcome} (id ${res.commentId}) from the report of run ${excerpt(run.id, 20)}`);
  return { outcome: res.outcome, issue, verdict };
}
