/**
 * Rendering of LACS results: pure functions of the typed results (LacsResult, GateLacs,
 * CoefficientComparison) to Markdown for PR comments, job summaries and files. The JSON report is the
 * result itself.
 */
import { top1Text } from './format';
import type { CoefficientComparison } from '../lacs/compare';
import type { GateLacs } from '../lacs/gate';
import type { Coefficients } from '../lacs/grid';
import type { FamilyMember, LacsResult, ScoredCandidate } from '../lacs/run';
import { escapeMarkdown } from './escape';

/** Model names come from user configs: table cells and links must not break; LACS's own words are left readable. */
const esc = (s: string) => escapeMarkdown(s).replace(/:\u200b/g, ':').replace(/\\([().])/g, '$1');
const ms = (x: number | null | undefined) => (x === undefined || x === null ? '–' : x.toFixed(2));
const gmacs = (x: number) => (x / 1e9).toFixed(3);
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const coef = (c: Coefficients) => `(${r6(c.alpha)}, ${r6(c.beta)}, ${r6(c.gamma)})`;
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const num = (x: number | null | undefined, digits = 3) => (x === undefined || x === null ? '–' : x.toFixed(digits));

/** A top-1 cell: the value and, unless trained, what it is. */
function top1(value: number | null | undefined, kind: string | undefined, extrapolated?: boolean): string {
  if (value === undefined || value === null) return 'unknown';
  if (kind !== 'predicted') return top1Text(value);
  return `${top1Text(value)} (predicted${extrapolated ? ', extrapolated' : ''})`;
}

/** The first line: what was chosen and on what accuracy, or that nothing was. */
function headline(r: LacsResult): string {
  const where = `${esc(r.base.name)}${r.target ? ` on ${esc(r.target.label)}` : ''}`;
  if (!r.chosen) return `### LACS for ${where}: no choice, accuracy unknown`;
  if (r.chosen.accuracy_kind === 'predicted') return `### LACS for ${where}: ${coef(r.chosen)} chosen on a predicted accuracy, not a trained result`;
  return `### LACS for ${where}: ${coef(r.chosen)} chosen on trained results`;
}

export function renderLacsMarkdown(r: LacsResult, topRows = 10): string {
  const lines: string[] = [headline(r), ''];
  const d = r.decision;
  if (r.chosen) {
    const same = r.chosen.network_hash === r.efficientnet.network_hash;
    const eff = r.efficientnet;
    if (same) {
      lines.push(`EfficientNet's coefficients ${coef(eff)} are the best on this target (objective ${num(r.chosen.objective)}).`);
    } else if (eff.objective !== null && r.improvement !== null) {
      lines.push(
        `Chosen coefficients **${coef(r.chosen)}** score ${num(r.chosen.objective)} vs EfficientNet's ${coef(eff)} ${num(eff.objective)} ` +
          `(${r.improvement > 1 ? '+' : ''}${((r.improvement - 1) * 100).toFixed(2)}%).`,
      );
    } else {
      lines.push(`Chosen coefficients **${coef(r.chosen)}** score ${num(r.chosen.objective)}; EfficientNet's ${coef(eff)} has no known accuracy, so the two are not compared.`);
    }
    if (r.chosen.accuracy_kind === 'predicted') {
      lines.push('');
      lines.push(
        `${esc(capitalize(d.reason))}. Predictions are ranked at their lower bound (prediction − leave-one-out RMSE) and are never chosen ` +
          'when they extrapolate; train the chosen model before relying on it.',
      );
    }
  } else {
    lines.push(`LACS chooses nothing and stores nothing; ${esc(d.reason)}.`);
    lines.push('');
    lines.push('Give `--accuracy` with trained results, or trained records of this base\'s family (same blocks, other multipliers) for a predictor that passes its thresholds.');
  }
  lines.push('');
  if (r.base.latency_ms !== null && r.target_latency_ms !== null) {
    lines.push(
      `Objective = ACC × (LAT / ${r.target_latency_ms.toFixed(2)} ms)^${r.w}; TARGET ${r.target_source === 'option' ? 'given' : "= EfficientNet's phi=1 model, measured here"}. ` +
        `Every latency is the model's ratio to the base measured in the same interleaved call, times the base's latency (${ms(r.base.latency_ms)} ms): one number per network.`,
    );
  } else {
    lines.push('Nothing was measured: without an accuracy to choose with, the PR-sized budget is not spent.');
  }
  if (r.accuracy_source) lines.push(`Accuracy: ${esc(r.accuracy_source)}.${r.candidates.some((c) => c.accuracy_kind === 'predicted') ? ' Predicted values are not trained results.' : ''}`);
  lines.push('');

  const find = (hash: string, ref = false) => r.candidates.find((c) => c.network_hash === hash && (!ref || c.reference));
  const effRow = find(r.efficientnet.network_hash, true);
  lines.push('| | alpha, beta, gamma | latency ms | × base | top-1 | objective | GMACs |');
  lines.push('|---|---|---|---|---|---|---|');
  if (r.chosen) {
    const chosenRow = find(r.chosen.network_hash);
    lines.push(`| chosen | ${coef(r.chosen)} | ${ms(r.chosen.latency_ms)} | ${num(chosenRow?.ratio)} | ${top1(r.chosen.accuracy, r.chosen.accuracy_kind)} | ${num(r.chosen.objective)} | ${chosenRow ? gmacs(chosenRow.macs) : '–'} |`);
  }
  const eff = r.efficientnet;
  lines.push(`| EfficientNet | ${coef(eff)} | ${ms(eff.latency_ms)} | ${num(effRow?.ratio)} | ${top1(eff.accuracy, eff.accuracy_kind, eff.extrapolated)} | ${num(eff.objective)} | ${effRow ? gmacs(effRow.macs) : '–'} |`);
  lines.push('');
  const c = r.counts;
  lines.push(
    `Candidates: ${c.grid} on the grid (step ${r.grid.step}, |αβ²γ² − ${r.grid.flops_budget}| ≤ ${r.grid.tolerance}), ` +
      `${c.filtered_macs} dropped by the MACs filter, ${c.filtered_limits} by resource limits, ${c.shape_errors} unbuildable, ` +
      `${c.distinct_networks} distinct networks; **${r.measured_candidates} measured**, ${c.cached} from the cache, ${c.refined} refined; ` +
      `${d.eligible} could be chosen, ${d.extrapolated} predicted outside the predictor's data, ${d.unknown} with unknown accuracy. ` +
      `${r.timing.wall_s.toFixed(1)} s in ${r.timing.measure_calls} measurement calls` +
      (r.timing.per_candidate_s ? `, ${r.timing.per_candidate_s.toFixed(2)} s per screened candidate.` : '.'),
  );
  if (d.screened_only_higher) {
    const example = r.candidates.find((x) => x.eligible && x.latency_source !== 'refine' && x.latency_source !== 'reference' && x.rank_objective !== undefined);
    lines.push('');
    lines.push(
      `${d.screened_only_higher} candidate(s) scored higher in screening only${example ? ` (e.g. ${coef(example)})` : ''} and were not confirmed by the ` +
        'refine calls; they are not chosen. Raise --refine-top or the screening budget on a noisy runner.',
    );
  }
  lines.push('');
  const measured = r.candidates.filter((x) => x.latency_ms !== undefined);
  if (r.chosen) {
    lines.push('<details><summary>Top candidates</summary>');
    lines.push('');
    lines.push('| alpha, beta, gamma | αβ²γ² | GMACs | latency ms | × base (95% CI) | source | top-1 | objective | ranked by |');
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const x of measured.filter((m) => m.objective !== undefined).slice(0, topRows)) lines.push(candidateRow(x, true));
  } else if (measured.length) {
    lines.push(`<details><summary>Every measured grid point (${measured.length}; ${r.counts.distinct_networks} distinct networks), by latency</summary>`);
    lines.push('');
    lines.push('| alpha, beta, gamma | αβ²γ² | GMACs | latency ms | × base (95% CI) | source | top-1 |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const x of [...measured].sort((a, b) => a.latency_ms! - b.latency_ms!)) lines.push(candidateRow(x, false));
  }
  if (measured.length) {
    lines.push('');
    lines.push('</details>');
  }
  if (r.family.length) {
    lines.push('');
    lines.push(`Family (phi = 0..${r.family.length - 1}) against ${r.frontier.length} frontier model(s); latencies on the same scale as above:`);
    lines.push('');
    lines.push('| phi | model | GMACs | params M | latency ms | top-1 | frontier |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const f of r.family) lines.push(familyRow(r, f));
  }
  lines.push(...predictorLines(r));
  return lines.join('\n') + '\n';
}

function candidateRow(x: ScoredCandidate, withObjective: boolean): string {
  const label = `${coef(x)}${x.reference ? ' (EfficientNet)' : ''}${x.same_as ? ` = ${x.same_as}` : ''}`;
  const ratio = x.ratio === undefined ? '–' : `${x.ratio.toFixed(3)} [${x.ratio_ci95![0].toFixed(3)}, ${x.ratio_ci95![1].toFixed(3)}]`;
  const cells = [label, x.product.toFixed(3), gmacs(x.macs), ms(x.latency_ms), ratio, x.latency_source ?? '–', top1(x.accuracy, x.accuracy_kind, x.extrapolated)];
  if (withObjective) {
    const ranked = !x.eligible ? 'not chosen (extrapolated)' : x.accuracy_kind === 'predicted' ? `${num(x.rank_objective)} (lower bound)` : num(x.rank_objective);
    cells.push(num(x.objective), ranked);
  }
  return `| ${cells.join(' | ')} |`;
}

function familyRow(r: LacsResult, f: FamilyMember): string {
  const pos = r.frontier.length ? `${f.position}${f.position_vs ? ` (${esc(f.position_vs)})` : ''}` : 'no frontier';
  return `| ${f.phi} | ${esc(f.name)} | ${gmacs(f.macs)} | ${(f.params / 1e6).toFixed(2)} | ${ms(f.latency_ms)} | ${top1(f.accuracy, f.accuracy_kind, f.extrapolated)} | ${pos} |`;
}

function predictorLines(r: LacsResult): string[] {
  const out: string[] = [];
  for (const p of r.accuracy.fits) {
    out.push('');
    const verdict = p.usable ? 'used' : `not used: ${p.failures.map(esc).join(', ')}`;
    out.push(`Accuracy predictor (${p.features}, ${verdict}; thresholds R² ≥ ${p.thresholds.minR2}, leave-one-out RMSE ≤ ${p.thresholds.maxLooRmse} pp): ${esc(p.description)}.`);
    out.push(`Residuals (top-1 points): ${p.residuals.map((x) => `${esc(x.name)} ${x.residual >= 0 ? '+' : ''}${x.residual.toFixed(2)}`).join(', ')}.`);
  }
  if (!r.accuracy.fits.length && r.accuracy.predictor_rejected && r.accuracy.source !== 'table') {
    out.push('', `No accuracy predictor: ${esc(r.accuracy.predictor_rejected)}.`);
  }
  return out;
}

/** How the coefficients moved from stored ones (standalone `lacs --previous` or a `family: base` config). */
export function renderCoefficientComparison(c: CoefficientComparison): string {
  if (!c.previous) return `LACS coefficients for this base: **${coef(c.current)}** (no coefficients stored for the previous base).`;
  const arrows = c.moves
    .filter((m) => m.delta !== 0)
    .map((m) => `${m.name} ${r6(m.from)} → ${r6(m.to)} (${m.delta > 0 ? '+' : ''}${m.delta})`)
    .join(', ');
  let out = c.changed
    ? `LACS coefficients moved from ${coef(c.previous)} to **${coef(c.current)}**: ${arrows}.`
    : `LACS coefficients unchanged at **${coef(c.current)}**.`;
  if (!c.sameTarget) out += ` The stored ones were measured on another target (${esc(c.previous.target_key)}), so the move mixes hardware and architecture.`;
  return out;
}

const gcoef = (c: Coefficients) => `(${c.alpha}, ${c.beta}, ${c.gamma})`;

/** The LACS section of a check or record report. */
export function renderGateLacs(g: GateLacs): string {
  const head = `**LACS** for ${esc(g.name)} (\`family: base\`)`;
  if (g.status === 'failed') return `${head} could not run: ${esc(g.error ?? 'unknown error')}. The verdict does not depend on it.\n`;
  if (g.status === 'no-choice') {
    const stored = g.previous || g.other_targets.length ? ' The coefficients stored with the previous base are left as they are.' : '';
    return `${head}: no choice, ${esc(g.error ?? 'accuracy unknown')}. Nothing is stored.${stored} The verdict does not depend on it.\n`;
  }
  const chosen = g.chosen!;
  const eff = g.efficientnet!;
  const out: string[] = [`${head}, recomputed on ${esc(g.target_label ?? g.target_key ?? 'this runner')}: `];
  if (!g.previous) {
    out[0] += `coefficients **${gcoef(chosen)}**; none stored for the previous base on this target, so there is no move to show` +
      (g.other_targets.length ? ` (stored for other targets only: ${g.other_targets.map((k) => `\`${esc(k)}\``).join(', ')})` : '') + '.';
  } else if (!g.changed) {
    out[0] += `coefficients unchanged at **${gcoef(chosen)}**.`;
  } else {
    const arrows = g.moves.filter((m) => m.delta !== 0).map((m) => `${m.name} ${m.from} → ${m.to} (${m.delta > 0 ? '+' : ''}${m.delta})`);
    out[0] += `coefficients moved from ${gcoef(g.previous.chosen)} to **${gcoef(chosen)}**: ${arrows.join(', ')}.`;
  }
  out[0] += g.chosen_basis === 'predicted' ? ' Chosen on a predicted accuracy, not a trained result.' : ' Chosen on trained results.';
  out.push('', '| coefficients | alpha | beta | gamma | objective |', '|---|---:|---:|---:|---:|');
  out.push(`| this change (chosen) | ${chosen.alpha} | ${chosen.beta} | ${chosen.gamma} | ${chosen.objective.toFixed(3)} |`);
  out.push(`| EfficientNet | ${eff.alpha} | ${eff.beta} | ${eff.gamma} | ${eff.objective.toFixed(3)} |`);
  if (g.previous) {
    const p = g.previous;
    const when = `${p.date.slice(0, 10)}${p.commit ? ` @ ${esc(p.commit.slice(0, 12))}` : ''}`;
    out.push(`| stored with the previous base (${when}) | ${p.chosen.alpha} | ${p.chosen.beta} | ${p.chosen.gamma} | ${p.chosen.objective.toFixed(3)} |`);
  }
  out.push('');
  const notes = [
    `${g.measured_candidates} networks measured in ${g.wall_s} s with the PR budget`,
    `accuracy: ${esc(g.accuracy_source ?? 'unknown')}`,
    'objectives of different runs are not comparable (each is scored against its own EfficientNet phi = 1 latency)',
  ];
  if (g.settings_differ) notes.push('the stored coefficients were searched with other grid settings or another w, so part of the move is the settings');
  out.push(`<sub>${notes.join(' · ')}. LACS does not change the verdict.</sub>`);
  return out.join('\n') + '\n';
}
