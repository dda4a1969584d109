/** Markdown views of a profile and a reduction: friendliness heatmap, placement effect, Mermaid chart. */
import type { ProfileCommandResult, SearchCommandResult } from './result';
import type { ProfileAnalysis } from '../search/profile';
import type { Reduction } from '../search/reduce';
import { formatCount, type SearchSpace } from '../search/space';
import type { MeanCI } from '../measure/stats';
import { escapeCode, escapeMarkdown as md, escapeMermaid } from './escape';

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const signed = (x: number, d = 2) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(d)}` : 'n/a');
const ciText = (c: MeanCI, d = 2) => (Number.isFinite(c.ci95[0]) ? ` [${signed(c.ci95[0], d)}, ${signed(c.ci95[1], d)}]` : '');

/** A colour square for a latency effect (% of end-to-end): a heatmap that renders in any markdown. */
function square(pct: MeanCI): string {
  const significant = Number.isFinite(pct.ci95[0]) && (pct.ci95[0] > 0 || pct.ci95[1] < 0);
  if (!significant) return '⬜';
  if (pct.mean >= 2) return '🟥';
  if (pct.mean > 0) return '🟧';
  if (pct.mean <= -2) return '🟩';
  return '🟨';
}

/**
 * The profile chart's data (the Mermaid chart of the report and `profile --chart`'s SVG): each block's mean
 * effect over the stages it appears in, as % of end-to-end latency over the fastest block's, so that the
 * fastest block is 0 and every bar's length is its value.
 */
export function profileBars(a: ProfileAnalysis): { label: string; pct: number }[] {
  const keys = [...new Set(a.stages.map((s) => s.key))];
  const overall = keys.map((k) => {
    const cells = a.stages.filter((s) => s.key === k);
    return { label: a.labels[k] ?? k, pct: cells.reduce((s, c) => s + c.pct.mean, 0) / cells.length };
  });
  const fastest = Math.min(...overall.map((o) => o.pct));
  return overall.map((o) => ({ label: o.label, pct: o.pct - fastest }));
}

export function renderProfile(space: SearchSpace, a: ProfileAnalysis): string {
  const lines: string[] = [];
  lines.push(`### Block profile: ${md(space.name)} on ${md(a.target)}`);
  lines.push('');
  lines.push(
    `${a.units} work units (${a.contexts} context networks), mean end-to-end latency ${f(a.e2e_ms, 3)} ms` +
      (a.skipped ? `; ${a.skipped} units skipped when the budget ran out` : '') +
      '. Effects are paired: each block against the mean of the choices at the same position in the same network, ' +
      'measured interleaved in one call; 95% intervals over contexts.',
  );
  lines.push('');
  lines.push('Legend: 🟥 slower by ≥2% of end-to-end, 🟧 slower, 🟨 faster, 🟩 faster by ≥2%, ⬜ within noise.');

  // Friendliness per block and position.
  const positions = [...new Set(a.cells.map((c) => `${c.stage}.${c.layer}`))];
  for (const [si, stage] of space.stages.entries()) {
    const mine = positions.filter((p) => p.startsWith(`${si}.`));
    if (!mine.length) continue;
    const keys = [...new Set(a.cells.filter((c) => c.stage === si).map((c) => c.key))];
    lines.push('');
    lines.push(`#### Stage ${si} (${md(stage.name)}): ms and % of end-to-end per layer`);
    lines.push('');
    lines.push(`| block | ${mine.map((p) => `layer ${p.split('.')[1]}`).join(' | ')} |`);
    lines.push(`|---|${mine.map(() => '---').join('|')}|`);
    for (const k of keys) {
      const row = mine.map((p) => {
        const c = a.cells.find((x) => `${x.stage}.${x.layer}` === p && x.key === k);
        return c ? `${square(c.pct)} ${signed(c.effect.mean, 3)} ms (${signed(c.pct.mean, 1)}%)` : '';
      });
      lines.push(`| ${md(a.labels[k] ?? k)} | ${row.join(' | ')} |`);
    }
  }

  // Placement effect: the same block in different stages.
  const keys = [...new Set(a.stages.map((s) => s.key))];
  const stageIdx = [...new Set(a.stages.map((s) => s.stage))].sort((x, y) => x - y);
  lines.push('');
  lines.push('#### Placement effect: stage average, % of end-to-end (ms, MACs against the mean choice); MAC-unexplained excess in brackets');
  lines.push('');
  lines.push(`| block | ${stageIdx.map((s) => md(space.stages[s].name)).join(' | ')} |`);
  lines.push(`|---|${stageIdx.map(() => '---').join('|')}|`);
  for (const k of keys) {
    const row = stageIdx.map((si) => {
      const s = a.stages.find((x) => x.stage === si && x.key === k);
      return s ? `${square(s.pct)} ${signed(s.pct.mean, 1)}% (${signed(s.effect.mean, 3)} ms, ${signed(s.macsDelta / 1e6, 0)} MMAC) [${signed(s.excessPct.mean, 1)}%]` : '';
    });
    lines.push(`| ${md(a.labels[k] ?? k)} | ${row.join(' | ')} |`);
  }
  lines.push('');
  lines.push(`Device rate between variants (median ms per GMAC, by stage): ${a.msPerGMac.map((r, i) => (a.replicates[i].length ? `${md(space.stages[i].name)} ${f(r, 1)}` : '')).filter(Boolean).join(', ')}.`);

  if (a.hasProxy) {
    lines.push('');
    lines.push(`#### Accuracy side (${md(a.proxyName ?? 'proxy')} — a **proxy**, not measured accuracy): stage average vs the mean choice`);
    lines.push('');
    lines.push(`| block | ${stageIdx.map((s) => md(space.stages[s].name)).join(' | ')} |`);
    lines.push(`|---|${stageIdx.map(() => '---').join('|')}|`);
    for (const k of keys) {
      const row = stageIdx.map((si) => {
        const s = a.stages.find((x) => x.stage === si && x.key === k);
        return s?.proxy ? `proxy ${signed(s.proxy.mean, 3)}${ciText(s.proxy, 3)}` : '';
      });
      lines.push(`| ${md(a.labels[k] ?? k)} | ${row.join(' | ')} |`);
    }
  }

  // Mermaid bars grow from the bottom of the y-axis, not from zero: chart a quantity that is zero at its
  // least (each block's mean latency over the fastest block's) on an axis that starts at 0, so every bar's
  // height is its value.
  const extra = profileBars(a);
  const top = Math.max(0.1, ...extra.map((o) => o.pct));
  lines.push('');
  lines.push('```mermaid');
  lines.push('xychart-beta');
  lines.push(`  title "Mean latency over the fastest block, % of end-to-end (${escapeMermaid(space.name)})"`);
  lines.push(`  x-axis [${extra.map((o) => `"${escapeMermaid(o.label)}"`).join(', ')}]`);
  lines.push(`  y-axis "% of end-to-end over the fastest" 0 --> ${f(top * 1.1, 2)}`);
  lines.push(`  bar [${extra.map((o) => f(o.pct, 2)).join(', ')}]`);
  lines.push('```');
  return lines.join('\n');
}

export function renderReduction(r: Reduction): string {
  const lines = [`### Reduced space: ${md(r.space.name)}`, ''];
  lines.push(`Space size ${formatCount(r.sizeBefore)} -> ${formatCount(r.sizeAfter)} networks; rule threshold ${r.options.minEffectPct}% of end-to-end latency.`);
  lines.push('');
  if (!r.removals.length) {
    lines.push('No block met a removal rule: every block is within noise of what its compute predicts (or buys proxy accuracy).');
    return lines.join('\n');
  }
  lines.push('| stage | block | rule | numbers |');
  lines.push('|---|---|---|---|');
  for (const m of r.removals) lines.push(`| ${md(m.stageName)} | ${md(m.label)} | ${md(m.rule)} | ${md(m.because)} |`);
  return lines.join('\n');
}

const f3 = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** The search report: each run's Pareto front and hypervolume at one shared reference point. */
export function renderSearch(r: SearchCommandResult): string {
  const { runs, reference: ref } = r;
  const target = runs[0]?.result.target;
  const lines = [`### Search: latency target ${f3(ref.latency_ms)} ms${target ? ` on ${md(target)}` : ''}`, ''];
  lines.push(`Accuracy side is the ${md(runs[0]?.result.proxy ?? 'proxy')} **proxy**, not a measured accuracy. Hypervolume: area dominated up to (latency target, lowest proxy seen in any run), in ms x proxy units.`);
  lines.push('');
  lines.push('| run | networks | measured | front size | hypervolume | best proxy within target |');
  lines.push('|---|---:|---:|---:|---:|---|');
  for (const { label, result, hypervolume } of runs) {
    const best = result.front[result.front.length - 1];
    lines.push(`| ${md(label)} | ${result.evaluations} | ${result.measured} | ${result.front.length} | ${f3(hypervolume, 3)} | ${best ? `${f3(best.proxy)} (proxy) at ${f3(best.latency_ms)} ms` : 'none within target'} |`);
  }
  for (const { label, result } of runs) {
    lines.push('', `#### Pareto front: ${md(label)}`, '', '| network | latency ms | proxy | blocks per stage |', '|---|---:|---:|---|');
    for (const c of result.front) {
      const desc = c.config.stages.map((s) => `${s.block === 'mbconv' ? '' : s.block + ' '}e${s.expand}k${s.kernel}${s.repeats > 1 ? `x${s.repeats}` : ''}`).join(' ');
      lines.push(`| ${md(c.config.name)} | ${f3(c.latency_ms)} | ${f3(c.proxy)} | r${c.config.resolution}: ${desc} |`);
    }
  }
  if (r.files.length) lines.push('', `Written: ${r.files.map((x) => `\`${escapeCode(x)}\``).join(', ')}.`);
  return lines.join('\n') + '\n';
}

/** A profile (or merged shards): the block table, and the reduction when one was asked for. */
export function renderProfileResult(r: ProfileCommandResult): string {
  const parts: string[] = [];
  if (!r.analysis || !r.space) {
    parts.push(`Merged ${r.profile.units.length} work units (${r.profile.skipped.length} skipped) of ${md(r.profile.space.name)}; give --space to analyse them.`);
  } else {
    parts.push(renderProfile(r.space, r.analysis));
  }
  if (r.reduction) parts.push(renderReduction(r.reduction), `Reduced space written to \`${escapeCode(r.reduction.file)}\`.`);
  if (r.missing_units > 0) parts.push(`Note: the results cover ${r.profile.planned.length} of ${r.profile.units_total} work units; a shard is missing.`);
  if (r.profile.skipped.length) parts.push(`Note: ${r.profile.skipped.length} work units were skipped when the budget ran out.`);
  return parts.join('\n\n') + '\n';
}
