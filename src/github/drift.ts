/**
 * What a sweep that finds drift beyond the tolerance does (a model `slower` or `faster` by the band rule,
 * measure/band.ts; input on-drift): report it only, open or update one
 * issue listing the moved models, fail the run, or both. The issue is found again by a hidden marker that
 * names the target, like the PR comment, so each target keeps one issue; a later sweep without drift
 * closes it with a note.
 */
import type { DriftRow, SweepReport } from '../frontier/sweep';
import { renderSweepMarkdown } from '../report/frontier';
import { escapeMarkdown } from '../report/escape';
import { WriteForbidden, type RepoApi, type RepoIssue } from './api';
import type { OnDrift } from './inputs';

export type DriftInput = Pick<SweepReport, 'target' | 'rows' | 'common_drift' | 'latency_tolerance' | 'anchor' | 'runner_shift' | 'together'>;

export interface DriftOutcome {
  moved: DriftRow[];
  /** True when on-drift fails the run and something moved. */
  failing: boolean;
  issue?: { number: number; outcome: 'created' | 'updated' | 'closed' | 'unchanged' } | 'skipped-read-only' | 'unavailable';
  /** One line for the report. */
  note?: string;
}

const MARKER_PREFIX = '<!-- frontier-gate:drift;target=';

export function driftMarker(targetKey: string): string {
  return `${MARKER_PREFIX}${targetKey.replace(/-->|[;\s]/g, '_')} -->`;
}

/**
 * Models that drifted: slower or faster beyond the tolerance, confirmed by their history where they are
 * judged on ratios to the anchor (frontier/drift.ts). Never the anchor's own row (that is the runner), never
 * a `pending` night, and none when every model moved together against the anchor (one fact about the anchor).
 */
export function movedModels(rows: readonly DriftRow[], together: DriftInput['together'] = null): DriftRow[] {
  if (together) return [];
  return rows.filter((r) => r.basis !== 'anchor' && (r.status === 'slower' || r.status === 'faster'));
}


/** Title and body of the drift issue: the marker, the run it comes from, and the sweep report of the moved models. Pure. */
export function driftIssue(input: DriftInput, moved: readonly DriftRow[], meta: { date: string; runUrl?: string; sha?: string }): { title: string; body: string } {
  const title = `frontier-gate: latency drift on ${input.target.label}`.slice(0, 250);
  // The moved models' rows, and the anchor's row so the runner's own change is in the table beside them.
  const anchorRows = input.rows.filter((r) => r.basis === 'anchor');
  const report: SweepReport = {
    command: 'sweep', target: input.target, rows: [...moved, ...anchorRows], common_drift: moved.length > 1 ? input.common_drift : null, latency_tolerance: input.latency_tolerance, dry_run: false,
    anchor: input.anchor ?? null, runner_shift: input.runner_shift ?? null, together: null,
  };
  const evidence = input.anchor
    ? `a change in its latency relative to the anchor **${escapeMarkdown(input.anchor)}**, significant both in tonight's side-by-side interval and in its history (a change point with at least two nights after it)`
    : 'the whole drift interval beyond the latency tolerance from the last stored measurement';
  const lines = [
    driftMarker(input.target.key),
    `The sweep of ${meta.date}${meta.sha ? ` (commit ${meta.sha.slice(0, 12)})` : ''} found **${moved.length}** model(s) drifting: ${evidence}.` +
      `${meta.runUrl ? ` [Run](${meta.runUrl}).` : ''}`,
    '',
    renderSweepMarkdown(report).trimEnd(),
    '',
    // What else changed on the runner: the report says it when the anchor moved; say so when it did not.
    ...(input.anchor && !input.runner_shift
      ? [`The runner itself did not move: the anchor **${escapeMarkdown(input.anchor)}** did not move beyond ±${+(input.latency_tolerance * 100).toFixed(2)}% of its last sweep, so this is the model's own change.`, '']
      : []),
    'This issue is kept up to date by the nightly sweep and closed by the first sweep in which the change has reverted. ' +
      'A change the team has understood (a new driver, a runtime upgrade) becomes the new baseline with `frontier-gate accept-drift` (action: `command: accept-drift`).',
  ];
  return { title, body: lines.join('\n') };
}

/** The open drift issue of this target, if any (found by its marker; only our own bot's issues). */
export function findDriftIssue(issues: readonly RepoIssue[], targetKey: string): RepoIssue | undefined {
  const marker = driftMarker(targetKey);
  // A person can paste the marker into an issue of their own: only a bot's issue is ours to edit.
  return issues.find((i) => i.body.startsWith(marker) && /\[bot\]$/.test(i.author));
}

export async function applyDriftPolicy(
  api: RepoApi,
  onDrift: OnDrift,
  input: DriftInput,
  meta: { date: string; runUrl?: string; sha?: string; readOnly: boolean; log: (m: string) => void },
): Promise<DriftOutcome> {
  const moved = movedModels(input.rows, input.together ?? null);
  const failing = moved.length > 0 && (onDrift === 'fail' || onDrift === 'issue+fail');
  const out: DriftOutcome = { moved, failing };
  if (onDrift !== 'issue' && onDrift !== 'issue+fail') {
    if (moved.length) out.note = `Drift beyond the tolerance: ${moved.map((r) => `${escapeMarkdown(r.name)} ${r.status}`).join(', ')}${failing ? ' (on-drift: fail)' : ''}.`;
    return out;
  }
  if (meta.readOnly) {
    out.issue = 'skipped-read-only';
    if (moved.length) out.note = 'The drift issue was not written: this run makes no write call.';
    return out;
  }
  if (!api.listOpenIssues || !api.createIssue || !api.updateIssue) {
    out.issue = 'unavailable';
    return out;
  }
  try {
    const existing = findDriftIssue(await api.listOpenIssues(), input.target.key);
    if (!moved.length) {
      if (existing) {
        await api.updateIssue(existing.number, {
          body: `${driftMarker(input.target.key)}\nNo model drift on ${escapeMarkdown(input.target.label)} in the sweep of ${meta.date} (the change reverted, or was accepted as the new baseline); closed by frontier-gate.\n\n<details><summary>Last report</summary>\n\n${existing.body.split('\n').slice(1).join('\n')}\n</details>`,
          state: 'closed',
        });
        out.issue = { number: existing.number, outcome: 'closed' };
        out.note = `No drift: closed drift issue #${existing.number}.`;
      }
      return out;
    }
    const { title, body } = driftIssue(input, moved, meta);
    if (existing) {
      if (existing.body === body && existing.title === title) out.issue = { number: existing.number, outcome: 'unchanged' };
      else {
        await api.updateIssue(existing.number, { title, body });
        out.issue = { number: existing.number, outcome: 'updated' };
      }
    } else {
      const created = await api.createIssue(title, body);
      out.issue = { number: created.number, outcome: 'created' };
    }
    const n = (out.issue as { number: number }).number;
    out.note = `Drift beyond the tolerance in ${moved.length} model(s): issue #${n} ${(out.issue as { outcome: string }).outcome}.`;
    meta.log(out.note);
  } catch (err) {
    if (!(err instanceof WriteForbidden)) throw err;
    out.issue = 'skipped-read-only';
    out.note = `The drift issue was not written: the token may not write issues (HTTP ${err.status}); grant \`issues: write\`.`;
  }
  return out;
}
