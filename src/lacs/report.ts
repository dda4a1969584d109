/** The LACS report: Markdown for PR comments and job summaries; the JSON is the LacsResult itself. */
import { formatCoefficients } from './grid';
import type { LacsResult, ScoredCandidate } from './run';

// Model names come from user configs; keep table cells from breaking.
const esc = (s: string) => s.replace(/[\\`*_[\]|<>]/g, (ch) => `\\${ch}`);
const ms = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(2));
const acc = (value: number | null | undefined, kind: string | undefined) =>
  value === undefined || value === null ? '–' : `${value.toFixed(2)}${kind === 'predicted' ? ' (predicted)' : ''}`;
const gmacs = (x: number) => (x / 1e9).toFixed(3);

export function renderMarkdown(r: LacsResult, topRows = 10): string {
  const lines: string[] = [];
  const better = r.improvement > 1;
  const same = r.chosen.config_hash === r.efficientnet.config_hash;
  lines.push(`### LACS for ${esc(r.base.name)} on ${esc(r.target.label)}`);
  lines.push('');
  lines.push(
    same
      ? `EfficientNet's coefficients ${formatCoefficients(r.efficientnet)} are the best on this target (objective ${r.chosen.objective.toFixed(3)}).`
      : `Chosen coefficients **${formatCoefficients(r.chosen)}** score ${r.chosen.objective.toFixed(3)} vs EfficientNet's ` +
          `${formatCoefficients(r.efficientnet)} ${r.efficientnet.objective.toFixed(3)} (${better ? '+' : ''}${((r.improvement - 1) * 100).toFixed(2)}%).`,
  );
  lines.push('');
  const anyPredicted = r.candidates.some((c) => c.accuracy_kind === 'predicted') || r.family.some((f) => f.accuracy_kind === 'predicted');
  lines.push(
    `Objective = ACC × (LAT / ${r.target_latency_ms.toFixed(2)} ms)^${r.w}; TARGET ${r.target_source === 'option' ? 'given' : "= EfficientNet's phi=1 model, measured here"}. ` +
      `Latencies are ratios to the base (${ms(r.base.latency_ms)} ms) measured interleaved, times the base's median.`,
  );
  if (anyPredicted) lines.push(`Accuracy: ${esc(r.accuracy_source)}. Predicted values are not trained results.`);
  else lines.push(`Accuracy: ${esc(r.accuracy_source)}.`);
  lines.push('');
  lines.push('| | alpha, beta, gamma | latency ms | × base | top-1 | objective | GMACs |');
  lines.push('|---|---|---|---|---|---|---|');
  const row = (label: string, c: { alpha: number; beta: number; gamma: number; latency_ms: number; accuracy: number; accuracy_kind: string; objective: number }, macs?: number, ratio?: number) =>
    `| ${label} | ${formatCoefficients(c)} | ${ms(c.latency_ms)} | ${ratio === undefined ? '–' : ratio.toFixed(3)} | ${acc(c.accuracy, c.accuracy_kind)} | ${c.objective.toFixed(3)} | ${macs === undefined ? '–' : gmacs(macs)} |`;
  const find = (hash: string, ref = false) => r.candidates.find((c) => c.config_hash === hash && (!ref || c.reference));
  const chosenRow = find(r.chosen.config_hash);
  const effRow = find(r.efficientnet.config_hash, true);
  lines.push(row('chosen', r.chosen, chosenRow?.macs, chosenRow?.ratio));
  lines.push(row('EfficientNet', r.efficientnet, effRow?.macs, effRow?.ratio));
  lines.push('');
  const c = r.counts;
  lines.push(
    `Candidates: ${c.grid} on the grid (step ${r.grid.step}, |αβ²γ² − ${r.grid.flops_budget}| ≤ ${r.grid.tolerance}), ` +
      `${c.filtered_macs} dropped by the MACs filter, ${c.filtered_limits} by resource limits, ${c.shape_errors} unbuildable, ` +
      `${c.distinct_networks} distinct networks; **${r.measured_candidates} measured**, ${c.cached} from the cache, ${c.refined} refined. ` +
      `${r.timing.wall_s.toFixed(1)} s in ${r.timing.measure_calls} measurement calls` +
      (r.timing.per_candidate_s ? `, ${r.timing.per_candidate_s.toFixed(2)} s per screened candidate.` : '.'),
  );
  const unconfirmed = r.candidates.filter((x) => x.objective !== undefined && x.objective > r.chosen.objective && x.latency_source !== 'refine' && x.latency_source !== 'reference');
  if (unconfirmed.length) {
    lines.push('');
    lines.push(
      `${unconfirmed.length} candidate(s) scored higher in screening only (e.g. ${formatCoefficients(unconfirmed[0])}) and were not confirmed by the ` +
        'refine calls; they are not chosen. Raise --refine-top or the screening budget on a noisy runner.',
    );
  }
  lines.push('');
  lines.push('<details><summary>Top candidates</summary>');
  lines.push('');
  lines.push('| alpha, beta, gamma | αβ²γ² | GMACs | latency ms | × base (95% CI) | source | top-1 | objective |');
  lines.push('|---|---|---|---|---|---|---|---|');
  const scored = r.candidates.filter((x): x is ScoredCandidate & { objective: number } => x.objective !== undefined);
  for (const x of scored.slice(0, topRows)) {
    const label = `${formatCoefficients(x)}${x.reference ? ' (EfficientNet)' : ''}${x.same_as ? ` = ${x.same_as}` : ''}`;
    const ratio = x.ratio === undefined ? '–' : `${x.ratio.toFixed(3)} [${x.ratio_ci95![0].toFixed(3)}, ${x.ratio_ci95![1].toFixed(3)}]`;
    lines.push(`| ${label} | ${x.product.toFixed(3)} | ${gmacs(x.macs)} | ${ms(x.latency_ms)} | ${ratio} | ${x.latency_source ?? '–'} | ${acc(x.accuracy, x.accuracy_kind)} | ${x.objective.toFixed(3)} |`);
  }
  lines.push('');
  lines.push('</details>');
  lines.push('');
  lines.push(`Family (phi = 0..${r.family.length - 1}), measured in one interleaved call with ${r.frontier.length} frontier model(s):`);
  lines.push('');
  lines.push('| phi | model | GMACs | params M | latency ms | top-1 | frontier |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const f of r.family) {
    const pos = r.frontier.length ? `${f.position}${f.position_vs ? ` (${esc(f.position_vs)})` : ''}` : 'no frontier';
    lines.push(`| ${f.phi} | ${esc(f.name)} | ${gmacs(f.macs)} | ${(f.params / 1e6).toFixed(2)} | ${ms(f.latency_ms)} | ${acc(f.accuracy, f.accuracy_kind)} | ${pos} |`);
  }
  if (r.predictor) {
    const p = r.predictor;
    lines.push('');
    lines.push(`Accuracy predictor: ${esc(p.description)}.`);
    lines.push(`Residuals (top-1 points): ${p.residuals.map((x) => `${esc(x.name)} ${x.residual >= 0 ? '+' : ''}${x.residual.toFixed(2)}`).join(', ')}.`);
  }
  return lines.join('\n') + '\n';
}
