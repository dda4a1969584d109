/**
 * Markdown for check, record and sweep: verdict sentence first, then the side-by-side table, the distances
 * to the frontier and a Mermaid chart. Every untrusted string (model names, file paths, target labels) goes
 * through escapeMarkdown.
 */
import type { CandidateResult, CheckReport, RecordReport, SweepReport } from '../frontier/gate';
import type { Verdict } from '../frontier/verdict';
import { renderGateLacs } from './lacs';
import { frontierChart } from './chart';
import { escapeCode, escapeMarkdown as md } from './markdown';

const VERDICT_LABEL: Record<Verdict, string> = {
  'new-frontier': '🟢 new frontier',
  pass: '✅ pass',
  inconclusive: '🟡 inconclusive',
  dominated: '❌ dominated',
};

export const pct = (x: number, digits = 1) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;
export const ms = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));
export const millions = (x: number) => `${(x / 1e6).toFixed(2)} M`;
export const giga = (x: number) => `${(x / 1e9).toFixed(3)} G`;
const top1 = (x: number | null) => (x === null ? '–' : x.toFixed(2).replace(/0$/, ''));
const interval = (ci: [number, number], f: (x: number) => string) => `${f(ci[0])}–${f(ci[1])}`;

/** The one sentence that opens a candidate's report. */
export function candidateSentence(c: CandidateResult): string {
  const name = `**${md(c.name)}**`;
  switch (c.verdict) {
    case 'dominated': {
      const d = c.dominated_by!;
      return (
        `${VERDICT_LABEL.dominated}: ${name} (top-1 ${top1(c.accuracy)}) is dominated by **${md(d.name)}** (top-1 ${top1(d.accuracy)}), ` +
        `and runs ${pct(d.slower_by).replace('+', '')} slower than it (95% CI ${interval(d.slower_by_ci95, (x) => pct(x).replace('+', ''))}), measured side by side.`
      );
    }
    case 'inconclusive':
      return `${VERDICT_LABEL.inconclusive}: ${name} is neither proven dominated nor clear: ${md(c.reason)}.`;
    case 'new-frontier':
      return `${VERDICT_LABEL['new-frontier']}: ${name} moves the frontier: ${md(c.reason)}.`;
    default:
      return c.latency_only
        ? `ℹ️ latency only: ${name} runs in ${ms(c.latency_ms)} ms beside its neighbours; no accuracy verdict.`
        : `${VERDICT_LABEL.pass}: ${name} is on the frontier within tolerance: ${md(c.reason)}.`;
  }
}

function candidateSection(c: CandidateResult, targetLabel: string): string {
  const out: string[] = [candidateSentence(c), ''];
  if (c.file) out.push(`Config: \`${escapeCode(c.file)}\`${c.accuracy_source ? ` · accuracy from ${md(c.accuracy_source)}` : ''}`, '');
  out.push(
    '| model | role | top-1 | latency ms (95% CI) | vs candidate (95% CI) | params | MACs | FLOP/byte | frontier |',
    '|---|---|---:|---:|---:|---:|---:|---:|:-:|',
  );
  for (const r of c.models) {
    const vs = r.ratio === undefined ? '–' : `×${r.ratio.toFixed(3)} (${interval(r.ratio_ci95!, (x) => x.toFixed(3))})`;
    out.push(
      `| ${r.role === 'candidate' ? `**${md(r.name)}**` : md(r.name)} | ${r.role} | ${top1(r.accuracy)} | ${ms(r.latency_ms)} (${interval(r.ci95_ms, ms)}) | ${vs} | ` +
        `${millions(r.params)} | ${giga(r.macs)} | ${r.intensity.toFixed(1)} | ${r.on_frontier ? '★' : ''} |`,
    );
  }
  out.push('');
  const lines: string[] = [];
  if (c.distance.latency) {
    const d = c.distance.latency;
    lines.push(`- Latency at equal accuracy: ${pct(d.slower_by)} vs **${md(d.reference)}** (${d.slower_by > 0 ? 'slower than' : 'ahead of'} the frontier).`);
  } else if (!c.latency_only) {
    lines.push('- Latency at equal accuracy: no measured model is as accurate; it tops this frontier.');
  }
  if (c.distance.accuracy) {
    const d = c.distance.accuracy;
    lines.push(`- Accuracy at equal latency: ${d.less_accurate_by > 0 ? `${d.less_accurate_by.toFixed(2)} points below` : `${(-d.less_accurate_by).toFixed(2)} points above`} **${md(d.reference)}**.`);
  } else if (!c.latency_only) {
    lines.push('- Accuracy at equal latency: no measured model is as fast; it is the fastest here.');
  }
  if (lines.length) out.push(...lines, '');
  // Before the chart: a comment cut to fit keeps the coefficients.
  if (c.lacs) out.push(renderGateLacs(c.lacs).trimEnd(), '');
  const chart = frontierChart(
    c.models.filter((r) => r.accuracy !== null).map((r) => ({ name: r.name, accuracy: r.accuracy!, latency_ms: r.latency_ms, candidate: r.role === 'candidate', on_frontier: r.on_frontier })),
    `Top-1 vs latency on this machine`,
  );
  if (chart) out.push(chart, '');
  const note = c.budget_exhausted ? ' · budget spent before the precision target' : '';
  out.push(`<sub>Measured side by side in one interleaved run on ${md(targetLabel)}: ${c.rounds} rounds, ${c.wall_s.toFixed(1)} s${note}. Ratios are model / candidate; ★ = on the frontier of the models measured here.</sub>`);
  return out.join('\n');
}

export function renderCheckMarkdown(report: CheckReport): string {
  const { verdict, candidates, settings, selection } = report;
  const out: string[] = [];
  if (candidates.length === 1) {
    out.push(candidateSection(candidates[0], report.target.label));
  } else {
    const counts = candidates.reduce<Record<string, number>>((a, c) => ((a[c.verdict] = (a[c.verdict] ?? 0) + 1), a), {});
    out.push(
      `${VERDICT_LABEL[verdict]}: ${candidates.length} candidates checked (${Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(', ')}).`,
      '',
    );
    for (const c of candidates) out.push(`### ${md(c.name)}`, '', candidateSection(c, report.target.label), '');
  }
  const strict = settings.strict ? ', strict (inconclusive fails)' : '';
  out.push(
    '',
    `<sub>frontier-gate check · latency tolerance ${(settings.latency_tolerance * 100).toFixed(1)}% · accuracy tolerance ${settings.accuracy_tolerance} points · ` +
      `${settings.neighbors} neighbours · budget ${settings.budget_s} s${strict}${settings.store ? ` · store ${md(settings.store)}` : ''} · ` +
      `models to re-measure chosen by ${selection.ranked_by === 'stored-latency' ? 'stored latencies (ranking only, never compared)' : 'multiply-adds'}</sub>`,
  );
  return out.join('\n').trimEnd() + '\n';
}

export function renderRecordMarkdown(report: RecordReport): string {
  const storeFile = report.store;
  const added = report.rows.filter((r) => r.action === 'added').length;
  const out = [
    `Recorded ${report.rows.length} model${report.rows.length === 1 ? '' : 's'} (${added} added, ${report.rows.length - added} updated) on ${md(report.target.label)}${storeFile ? ` into ${md(storeFile)}` : ''}.`,
    '',
    '| model | action | top-1 | latency ms (95% CI) | previous ms | params | MACs |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.rows) {
    out.push(
      `| ${md(r.name)} | ${r.action} | ${top1(r.accuracy)} | ${ms(r.latency_ms)} (${interval(r.ci95_ms, ms)}) | ${r.previous_ms === null ? '–' : ms(r.previous_ms)} | ${millions(r.params)} | ${giga(r.macs)} |`,
    );
  }
  for (const r of report.rows) {
    if (!r.lacs) continue;
    out.push('', renderGateLacs(r.lacs).trimEnd());
    if (r.lacs.status === 'computed') out.push('', `<sub>Stored with ${md(r.name)} for this target; the next change to this base is compared with them.</sub>`);
  }
  return out.join('\n') + '\n';
}

export function renderSweepMarkdown(report: SweepReport): string {
  const storeFile = report.store;
  const moved = report.rows.filter((r) => r.status === 'slower' || r.status === 'faster');
  const head = moved.length
    ? `Drift on ${md(report.target.label)}: ${moved.map((r) => `**${md(r.name)}** ${r.status} (${pct(r.drift!)})`).join(', ')} since the last stored measurement, beyond noise.`
    : `No drift beyond noise on ${md(report.target.label)} across ${report.rows.length} models.`;
  const out = [report.dry_run ? `Dry run, the store is not written. ${head}` : head, ''];
  if (report.common_drift !== null && Math.abs(report.common_drift) > 0.03) {
    out.push(`All models moved by ${pct(report.common_drift)} in the median: the machine or runtime changed more than the models did.`, '');
  }
  out.push('| model | status | latency ms (95% CI) | previous ms | drift | noise band | previous date |', '|---|---|---:|---:|---:|---:|---|');
  for (const r of report.rows) {
    out.push(
      `| ${md(r.name)} | ${r.status} | ${ms(r.latency_ms)} (${interval(r.ci95_ms, ms)}) | ${r.previous_ms === null ? '–' : ms(r.previous_ms)} | ` +
        `${r.drift === null ? '–' : pct(r.drift)} | ${r.noise === null ? '–' : `±${(r.noise * 100).toFixed(1)}%`} | ${r.previous_date ? r.previous_date.slice(0, 10) : '–'} |`,
    );
  }
  if (report.dry_run) out.push('', `<sub>Dry run: the store${storeFile ? ` ${md(storeFile)}` : ''} was not written.</sub>`);
  else if (storeFile) out.push('', `<sub>Store ${md(storeFile)} updated with these measurements.</sub>`);
  return out.join('\n') + '\n';
}
