/**
 * Markdown for check, record and sweep, from the typed results alone: the verdict sentence first (every figure
 * with its interval), a compact table that fits a PR comment, the rest in a <details> block. Directions and
 * stars come from the typed fields (ModelRow.separation, ModelRow.frontier) decided in frontier/check.ts and position.ts;
 * nothing here re-decides a position. Every untrusted string (model names, file paths, target labels) goes
 * through escapeMarkdown. docs/reading-reports.md explains each part.
 */
import { gapInterval, gapPoint, gapRuns, gapSize, gapUnit, top1Text } from './format';
import type { CandidateResult, ModelRow } from '../frontier/check';
import { type FrontierStatus } from '../frontier/position';
import type { Unavailable } from '../frontier/models';
import type { RecordRow } from '../frontier/record';
import type { StoredFixedDim, StoredOnnx } from '../frontier/store';
import type { CheckedCandidate, CheckResult, RecordResult } from './result';
import { type Skipped } from '../frontier/select';
import { type DriftRow, type SweepReport } from '../frontier/sweep';
import type { Verdict } from '../frontier/verdict';
import { VERDICT_ICON } from './headline';
import { renderGateLacs } from './lacs';
import { escapeCode, escapeMarkdown as md } from './escape';
import { runnerShiftSentence, sparkline, togetherSentence } from './drift';

const VERDICT_WORD: Record<Verdict, string> = { 'new-frontier': 'new frontier', pass: 'pass', inconclusive: 'inconclusive', dominated: 'dominated' };

/** The verdict as a report line opens with it: the one icon table (./headline.ts) and the verdict's words. */
const VERDICT_LABEL = Object.fromEntries(Object.entries(VERDICT_WORD).map(([v, word]) => [v, `${VERDICT_ICON[v]} ${word}`])) as Record<Verdict, string>;

export const ms = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));
export const millions = (x: number) => `${(x / 1e6).toFixed(2)} M`;
export const giga = (x: number) => `${(x / 1e9).toFixed(3)} G`;
const top1 = (x: number | null) => (x === null ? '–' : top1Text(x));
const interval = (ci: [number, number], f: (x: number) => string) => `${f(ci[0])}–${f(ci[1])}`;

type CheckView = CheckResult;
type Settings = CheckView['settings'];

/** A tolerance as the reader types it: 0.03 -> "3%", 0.025 -> "2.5%". */
const tolPct = (t: number) => `${+(t * 100).toFixed(2)}%`;
const bold = (name: string) => `**${md(name)}**`;

/** What the interval of candidate / model - 1 proves, in the words of the table and the sentences alike. */
export function separationText(r: ModelRow, latencyTolerance: number): string {
  if (!r.slower_by_ci95 || !r.separation) return '–';
  const ci = gapInterval(r.slower_by_ci95);
  switch (r.separation) {
    case 'slower':
      return `slower: ${ci}`;
    case 'faster':
      return `faster: ${ci}`;
    case 'within':
      return `within ±${tolPct(latencyTolerance)}: ${ci}`;
    default:
      return `straddles ±${tolPct(latencyTolerance)}: ${ci}`;
  }
}

const STAR: Record<FrontierStatus, string> = { on: '★', off: '', undecided: '?', unrated: '–' };

/** The sentence that opens a candidate's report: built from the verdict's typed fields only. */
export function candidateSentence(c: CandidateResult, settings: Pick<Settings, 'latency_tolerance' | 'accuracy_tolerance'>): string {
  const name = bold(c.name);
  const t = tolPct(settings.latency_tolerance);
  const within = `within ${settings.accuracy_tolerance} points`;
  const rival = (n: string) => c.models.find((r) => r.name === n);
  const asAccurate = c.models.filter((r) => r.as_accurate && r.slower_by_ci95);
  switch (c.verdict) {
    case 'dominated': {
      const d = c.dominated_by!;
      return (
        `${VERDICT_LABEL.dominated}: ${name} (top-1 ${top1(c.accuracy)}) is dominated by ${bold(d.name)} (top-1 ${top1(d.accuracy)}): ` +
        `it runs ${gapRuns(d.slower_by, d.slower_by_ci95)}, beyond the ${t} latency tolerance, measured side by side.`
      );
    }
    case 'inconclusive': {
      const undecided = c.undecided.map(rival).filter((r): r is ModelRow => !!r?.slower_by_ci95);
      if (!undecided.length) return `${VERDICT_LABEL.inconclusive}: ${name} is neither proven dominated nor proven clear: ${md(c.reason)}.`;
      return (
        `${VERDICT_LABEL.inconclusive}: ${name} (top-1 ${top1(c.accuracy)}) is neither proven dominated nor proven clear: ` +
        `its latency against ${undecided.map((r) => `${bold(r.name)} (top-1 ${top1(r.accuracy)}) is ${gapInterval(r.slower_by_ci95!)}`).join(', against ')} (95% CI), ` +
        `which straddles the +${t} tolerance line. A longer \`--budget\` narrows the interval.`
      );
    }
    case 'new-frontier': {
      if (!asAccurate.length) {
        const best = c.store_best_accuracy === null ? 'no stored model has an accuracy' : `the best stored top-1 is ${top1(c.store_best_accuracy)}`;
        return `${VERDICT_LABEL['new-frontier']}: ${name} (top-1 ${top1(c.accuracy)}) moves the frontier: it is more accurate than every stored model by more than ${settings.accuracy_tolerance} points (${best}).`;
      }
      const by = asAccurate.map((r) => {
        const note = r.separation === 'faster' ? '' : r.separation === 'within' ? ` (within the ${t} tolerance)` : ` (not proven beyond the ${t} tolerance)`;
        return `${bold(r.name)} ${gapSize(r.slower_by_ci95!)}${note}`;
      });
      return `${VERDICT_LABEL['new-frontier']}: ${name} (top-1 ${top1(c.accuracy)}) moves the frontier: it is faster than every measured model at least as accurate (${within}), 95% CI: ${by.join(', ')}.`;
    }
    default: {
      if (c.latency_only) {
        return `ℹ️ latency only: ${name} runs in ${ms(c.latency_ms)} ms (95% CI ${interval(c.ci95_ms, ms)} ms) on this machine; no accuracy was given, so there is no verdict on it.`;
      }
      const head = `${VERDICT_LABEL.pass}: ${name} (top-1 ${top1(c.accuracy)}) is on the frontier within tolerance: no measured model at least as accurate (${within}) is proven faster by more than ${t}.`;
      // The models that keep it from moving the frontier: those it is not proven faster than.
      const close = asAccurate.filter((r) => r.separation === 'within' || r.separation === 'straddles');
      if (!close.length) return head;
      const parts = close.map((r) => `${r.separation === 'within' ? 'within tolerance of' : 'not separated beyond the tolerance from'} ${bold(r.name)} (${gapInterval(r.slower_by_ci95!)})`);
      return `${head} Its latency is ${parts.join(' and ')}, 95% CI.`;
    }
  }
}

const ROLE: Record<ModelRow['role'], string> = { candidate: 'candidate', contender: 'could dominate', neighbour: 'neighbour' };

const SKIP_WHY: Record<Skipped['reason'], (r: CheckView) => string> = {
  spread: (r) => `stored latency over ${r.selection.contender_spread}x the fastest one's at least as accurate`,
  limit: (r) => `over the limit of ${r.settings.neighbors} re-measured model${r.settings.neighbors === 1 ? '' : 's'} (--neighbors)`,
  'off-stored-frontier': () => 'a stored model at least as accurate has a lower stored latency',
};

/** The models at least as accurate that the stored-latency pre-filter left out: they could dominate, so the report names them. */
function skippedNote(c: CandidateResult, report: CheckView): string {
  const listed = c.skipped.map((s) => `${md(s.name)} (top-1 ${top1(s.accuracy)}: ${SKIP_WHY[s.reason](report)})`);
  const more = c.skipped_total - c.skipped.length;
  return (
    `<sub>Not re-measured, although at least as accurate: ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}. ` +
    'Stored latencies only decide what is re-measured; the verdict covers the models measured here.</sub>'
  );
}

/** Stored .onnx models the selection picked but could not measure: their file is missing or changed at this commit. */
export function unavailableNote(list: readonly Unavailable[]): string {
  return (
    `<sub>Not measured: ${list.map((u) => `${md(u.name)} (${md(u.detail)})`).join(', ')}. ` +
    'A stored .onnx model is measured only as it was recorded (the sha256 of its bytes).</sub>'
  );
}

/** An .onnx model's inputs as measured, each dim a symbol or flag fixed with how: "input [1 (batch by --batch), 3, 224, 224] NCHW". */
export function onnxInputText(o: { input: StoredOnnx['input']; fixed: StoredFixedDim[] }): string {
  return o.input
    .map((i) => {
      const dims = i.dims.map((d, axis) => {
        const f = o.fixed.find((x) => x.input === i.name && x.axis === axis);
        return f ? `${d} (${f.declared === null ? 'unset' : md(String(f.declared))} by ${f.by === 'default batch 1' ? 'default' : f.by})` : String(d);
      });
      return `${md(i.name)} [${dims.join(', ')}]${i.layout ? ` ${i.layout}` : ''}`;
    })
    .join('; ');
}

function candidateSection(c: CheckedCandidate, report: CheckView): string {
  const t = report.settings.latency_tolerance;
  const out: string[] = [candidateSentence(c, report.settings), ''];
  // At most 6 columns of short cells: fits an 800 px comment without wrapping a number.
  out.push('| model | provenance | top-1 | latency ms | candidate vs this model (95% CI) | frontier |', '|---|---|---:|---:|---|:-:|');
  for (const r of c.models) {
    const cmp = r.role === 'candidate' ? 'candidate' : separationText(r, t);
    out.push(`| ${r.role === 'candidate' ? bold(r.name) : md(r.name)} | ${r.provenance} | ${top1(r.accuracy)} | ${ms(r.latency_ms)} | ${cmp} | ${STAR[r.frontier]} |`);
  }
  out.push(
    '',
    `<sub>Latency: the candidate's against each model's, measured side by side; slower or faster only when the whole interval is beyond ±${tolPct(t)}. ` +
      `Frontier: ★ on the frontier of the models measured here, ? not decided by the intervals${c.models.some((r) => r.frontier === 'unrated') ? ', – no accuracy' : ''}.</sub>`,
    '',
  );
  if (c.skipped_total > 0) out.push(skippedNote(c, report), '');
  if (c.unavailable.length) out.push(unavailableNote(c.unavailable), '');
  // Before the details: a comment cut to fit keeps the coefficients.
  if (c.lacs) out.push(renderGateLacs(c.lacs).trimEnd(), '');
  out.push('<details><summary>Intervals, sizes and how this was measured</summary>', '');
  out.push('| model | role | latency ms (95% CI) | params | MACs | FLOP/byte |', '|---|---|---:|---:|---:|---:|');
  for (const r of c.models) {
    out.push(`| ${md(r.name)} | ${ROLE[r.role]} | ${ms(r.latency_ms)} (${interval(r.ci95_ms, ms)}) | ${millions(r.params)} | ${giga(r.macs)} | ${r.intensity.toFixed(1)} |`);
  }
  out.push('', '<sub>FLOP/byte: arithmetic intensity, the floating-point operations (two per multiply-add) per byte of weights and activations moved; higher leans compute-bound, lower memory-bound.</sub>', '');
  const source = c.accuracy_source ? ` · top-1 from ${md(c.accuracy_source)}${c.accuracy_dataset ? ` (dataset ${md(c.accuracy_dataset)})` : ''}` : '';
  if (c.onnx) out.push(`Model: \`${escapeCode(c.onnx.path)}\` (.onnx, opset ${c.onnx.opset}, ${md(c.onnx.precision)}) · input ${onnxInputText(c.onnx)}${source}`, '');
  else if (c.file) out.push(`Config: \`${escapeCode(c.file)}\`${source}`, '');
  if (c.onnx?.partial) out.push(`<sub>Counts are partial: shapes after ${c.onnx.partial.ops.map((o) => md(o)).join(', ')} are unknown (${c.onnx.partial.unknown_nodes} nodes not counted).</sub>`, '');
  const note = c.budget_exhausted ? ' · budget spent before the precision target' : '';
  out.push(
    `Measured side by side in one interleaved run on ${md(report.target.label)}: ${c.rounds} rounds, ${c.wall_s.toFixed(1)} s${note}. ` +
      `"candidate vs this model" is the candidate's latency / the model's − 1, with the 95% interval of their side-by-side ratio: ` +
      `slower or faster when the whole interval lies beyond ±${tolPct(t)}, within when it lies inside, straddles otherwise. ` +
      `A model is on the frontier (★) when no model at least as accurate (within ${report.settings.accuracy_tolerance} points) is faster beyond the tolerance; ` +
      `? when an interval straddles that line.`,
    '',
    '</details>',
  );
  return out.join('\n');
}

export function renderCheckMarkdown(report: CheckView): string {
  const { verdict, candidates, settings, selection } = report;
  const out: string[] = [];
  if (candidates.length === 1) {
    out.push(candidateSection(candidates[0], report));
  } else {
    if (candidates.every((c) => c.latency_only)) {
      out.push(`ℹ️ latency only (${candidates.length} candidates, no accuracy verdict): ${candidates.map((c) => bold(c.name)).join(', ')}.`, '');
    } else {
      const each = candidates.map((c) => `${bold(c.name)} ${c.latency_only ? 'latency only' : VERDICT_WORD[c.verdict]}`);
      out.push(`${VERDICT_LABEL[verdict]} (the worst of ${candidates.length} candidates): ${each.join(', ')}.`, '');
    }
    for (const c of candidates) out.push(`### ${md(c.name)}`, '', candidateSection(c, report), '');
  }
  const strict = settings.strict ? ', strict (inconclusive fails)' : '';
  out.push(
    '',
    `<sub>frontier-gate check · latency tolerance ${tolPct(settings.latency_tolerance)} · accuracy tolerance ${settings.accuracy_tolerance} points · ` +
      `${settings.neighbors} neighbours · budget ${settings.budget_s} s${strict}${settings.store ? ` · store ${md(settings.store)}` : ''} · ` +
      `models to re-measure chosen by ${selection.ranked_by === 'stored-latency' ? 'stored latencies (ranking only, never compared)' : 'multiply-adds'}</sub>`,
  );
  return out.join('\n').trimEnd() + '\n';
}

export function renderRecordMarkdown(report: RecordResult): string {
  const storeFile = report.store;
  // A stored record that had no measurement on this target (as every record right after `init`) is measured
  // for the first time, not "updated".
  const actionOf = (r: RecordRow) => (r.action === 'updated' && r.previous_ms === null ? 'first measurement' : r.action);
  const count = (action: string) => report.rows.filter((r) => actionOf(r) === action).length;
  const actions = [
    [count('added'), 'added'],
    [count('first measurement'), 'measured for the first time on this target'],
    [count('updated'), 'updated'],
    [count('config-changed'), 'replaced with a changed config (earlier measurements dropped)'],
    [count('network-changed'), 'replaced with another network (earlier measurements dropped)'],
    [count('re-exported'), 're-exported (other bytes, the same network: measurements kept)'],
  ].filter(([n]) => n).map(([n, what]) => `${n} ${what}`);
  const out = [
    `Recorded ${report.rows.length} model${report.rows.length === 1 ? '' : 's'} on ${md(report.target.label)}${storeFile ? ` into ${md(storeFile)}` : ''}: ${actions.join(', ')}.`,
    '',
    '| model | provenance | top-1 | latency ms (95% CI) | previous ms | params · MACs |',
    '|---|---|---:|---:|---:|---:|',
  ];
  // Without a previous measurement the cell says why (the action); a re-export keeps its history and says so.
  const previous = (r: RecordRow) =>
    r.previous_ms === null ? `– (${actionOf(r)})` : `${ms(r.previous_ms)}${r.action === 're-exported' ? ' (re-exported)' : ''}`;
  for (const r of report.rows) {
    out.push(
      `| ${md(r.name)} | ${r.provenance} | ${top1(r.accuracy)} | ${ms(r.latency_ms)} (${interval(r.ci95_ms, ms)}) | ${previous(r)} | ${millions(r.params)} · ${giga(r.macs)} |`,
    );
  }
  out.push('', '<sub>Previous: the stored median of the same network on this target, kept in its history (else why there is none); latencies of other runs are not compared here.</sub>');
  const exported = report.rows.filter((r) => r.onnx);
  if (exported.length) out.push('', `<sub>.onnx models as measured: ${exported.map((r) => `${md(r.name)} (\`${escapeCode(r.onnx!.path)}\`): ${onnxInputText(r.onnx!)}`).join('; ')}.</sub>`);
  const sourced = report.rows.filter((r) => r.accuracy !== null && r.accuracy_source);
  if (sourced.length) {
    const from = (r: RecordRow) => `${md(r.name)}: ${md(r.accuracy_source!)}${r.accuracy_dataset ? ` (dataset ${md(r.accuracy_dataset)})` : ''}`;
    out.push('', `<sub>Top-1 from: ${sourced.map(from).join('; ')}.</sub>`);
  }
  for (const r of report.rows) {
    if (!r.lacs) continue;
    out.push('', renderGateLacs(r.lacs).trimEnd());
    if (r.lacs.status === 'computed') out.push('', `<sub>Stored with ${md(r.name)} for this target; the next change to this base is compared with them.</sub>`);
  }
  return out.join('\n') + '\n';
}

const UNMEASURED_WORD: Record<Unavailable['reason'], string> = {
  missing: 'file missing',
  changed: 'file changed since it was recorded',
  'lfs-pointer': 'file is a Git LFS pointer (check out LFS files)',
  outside: 'path outside the repository',
};

export function renderSweepMarkdown(report: SweepReport): string {
  const storeFile = report.store;
  const t = tolPct(report.latency_tolerance);
  const together = report.together ?? null;
  const anchor = report.anchor ?? null;
  // Moved models are only those confirmed on their ratio (or, without an anchor, on absolute latency); the
  // anchor's own move is the runner, and all models moving together is the anchor's.
  const moved = together ? [] : report.rows.filter((r) => r.basis !== 'anchor' && (r.status === 'slower' || r.status === 'faster'));
  const pending = together ? [] : report.rows.filter((r) => r.status === 'pending');
  const open = report.rows.filter((r) => r.status === 'straddles' && r.basis !== 'anchor');
  const fresh = report.rows.filter((r) => r.status === 'new' && r.basis !== 'anchor').length;
  const compared = report.rows.filter((r) => r.basis !== 'anchor').length - fresh;
  const where = md(report.target.label);
  const drift = (r: DriftRow) => `${gapPoint(r.drift!, r.drift_ci95!)} (${gapInterval(r.drift_ci95!)})`;
  const ratioWords = anchor ? ` in its ratio to **${md(anchor)}**` : '';
  // A dry run says so first: nothing below was stored.
  const sentences: string[] = report.dry_run ? [`Dry run: ${storeFile ? md(storeFile) : 'the store'} was not updated.`] : [];
  if (moved.length) {
    sentences.push(
      `Drift on ${where} beyond the ±${t} tolerance${anchor ? ', confirmed by the history' : ''}: ` +
        `${moved.map((r) => `**${md(r.name)}** ${r.status}${r.since ? ` since ${r.since.slice(0, 10)}` : ''}: ${drift(r)}`).join(', ')}${moved.every((r) => r.basis === 'ratio') ? ratioWords.replace('its', 'the') : ''}.`,
    );
  } else if (compared) {
    sentences.push(`No model drift beyond the ±${t} tolerance on ${where} across the ${compared} model${compared === 1 ? '' : 's'} measured here before.`);
  }
  if (pending.length) {
    sentences.push(
      `Beyond the tolerance tonight but not confirmed by the history (a change alerts after two consistent nights): ${pending.map((r) => `**${md(r.name)}** ${drift(r)}`).join(', ')}.`,
    );
  }
  if (open.length) {
    sentences.push(
      `Not decided: the interval of ${open.map((r) => `**${md(r.name)}** (${drift(r)})`).join(', ')} straddles the ±${t} tolerance; a longer budget narrows it.`,
    );
  }
  if (fresh) sentences.push(`${fresh} model${fresh === 1 ? ' has' : 's have'} no ratio history to this anchor on ${where} yet.`);
  const unmeasured = report.unmeasured ?? [];
  if (unmeasured.length) {
    sentences.push(
      `Not measured at this commit (records and history kept): ${unmeasured.map((u) => `**${md(u.name)}** ${UNMEASURED_WORD[u.reason]}`).join(', ')}.`,
    );
  }
  const out = [sentences.join(' '), ''];
  if (report.runner_shift) out.push(runnerShiftSentence(report.runner_shift, where), '');
  if (together && anchor) out.push(togetherSentence(together, anchor), '');
  if (!anchor && report.common_drift !== null && Math.abs(report.common_drift) > report.latency_tolerance) {
    const common: [number, number] = [report.common_drift, report.common_drift];
    const shift = gapUnit(common) === 'factor' ? `to ${gapPoint(report.common_drift, common)} their latency` : `by ${gapPoint(report.common_drift, common)}`;
    out.push(`All models moved ${shift} in the median: the machine or runtime changed more than the models did.`, '');
  }
  out.push(
    // Six columns, as every table of a PR comment: with an anchor, the ratio and its series take the places of
    // provenance and the previous latency (the drift is judged on them).
    anchor
      ? '| model | status | latency ms (95% CI) | ratio to anchor (95% CI) | drift (interval) | history |'
      : '| model | provenance | status | latency ms (95% CI) | previous ms (date) | drift (interval) |',
    anchor ? '|---|---|---:|---:|---:|---|' : '|---|---|---|---:|---:|---:|',
  );
  for (const r of report.rows) {
    const previous = r.previous_ms === null ? '–' : `${ms(r.previous_ms)}${r.previous_date ? ` (${r.previous_date.slice(0, 10)})` : ''}`;
    const ratio = r.basis === 'anchor' ? 'anchor' : r.ratio != null && r.ratio_ci95 ? `${r.ratio.toFixed(4)} (${r.ratio_ci95[0].toFixed(4)}–${r.ratio_ci95[1].toFixed(4)})` : '–';
    const history = r.series && r.series.length > 1 ? `\`${sparkline(r.series, r.change_point ?? null)}\`` : '–';
    const latency = `${ms(r.latency_ms)} (${interval(r.ci95_ms, ms)})`;
    const change = r.drift === null ? '–' : drift(r);
    out.push(anchor ? `| ${md(r.name)} | ${r.status} | ${latency} | ${ratio} | ${change} | ${history} |` : `| ${md(r.name)} | ${r.provenance} | ${r.status} | ${latency} | ${previous} | ${change} |`);
  }
  out.push(
    '',
    anchor
      ? `<sub>Every model is measured side by side with the anchor ${md(anchor)}; drift is its ratio to the anchor over the level before the last change point in its history (or the history's median), with tonight's 95% interval. ` +
          `Slower or faster when that interval lies beyond ±${t} and the history confirms the change (a change point with at least two nights after it, all beyond ±${t} the same way); pending when only tonight is beyond. ` +
          `The anchor's row is its own latency against the last sweep: the runner. History: one bar per night, | before the change point.</sub>`
      : "<sub>Drift is latency / previous − 1; its interval adds both measurements' relative 95% half-widths. " +
          `Slower or faster when the whole interval lies beyond ±${t}, within when it lies inside, straddles otherwise.</sub>`,
  );
  if (unmeasured.length) {
    out.push('', `<sub>${unmeasured.map((u) => `${md(u.name)}: ${md(u.detail)}`).join('; ')}.</sub>`);
  }
  if (storeFile) {
    out.push('', report.dry_run ? `<sub>Dry run: ${md(storeFile)} was not updated; run without \`--dry-run\` to store these measurements.</sub>` : `<sub>Store ${md(storeFile)} updated with these measurements.</sub>`);
  }
  return out.join('\n') + '\n';
}
