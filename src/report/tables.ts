/** Plain-text tables of numbers (measure, stats): the same in a terminal and in a Markdown code block. */
import type { NetworkStats } from '../arch/counts';
import type { GraphStats } from '../onnx/count';
import { escapeCode } from './escape';
import { formatBytes, formatCount } from '../arch/format';
import { DEFAULT_MEASURE_OPTIONS, type MeasureResult } from '../measure/types';

const ms = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatMeasureTable(r: MeasureResult): string {
  const nameWidth = Math.max(5, ...r.models.map((m) => m.name.length));
  const lines = [
    `target ${r.target.key}  ${r.target.label}`,
    '',
    `${'model'.padEnd(nameWidth)}  ${'median ms'.padStart(10)}  ${'95% CI'.padStart(19)}  ${'p90'.padStart(8)}  ${'p99'.padStart(8)}  ${'CV'.padStart(6)}  ${'n'.padStart(6)}  ${'outl.'.padStart(5)}  ${'session'.padStart(9)}  ${'1st run'.padStart(9)}`,
  ];
  for (const m of r.models) {
    const ci = `[${ms(m.ci95_ms[0])}, ${ms(m.ci95_ms[1])}]`;
    lines.push(
      `${m.name.padEnd(nameWidth)}  ${ms(m.median_ms).padStart(10)}  ${ci.padStart(19)}  ${ms(m.p90_ms).padStart(8)}  ${ms(m.p99_ms).padStart(8)}  ${pct(m.cv).padStart(6)}  ${String(m.samples).padStart(6)}  ${String(m.outliers).padStart(5)}  ${(ms(m.session_ms) + ' ms').padStart(9)}  ${(ms(m.first_run_ms) + ' ms').padStart(9)}`,
    );
  }
  const copies = r.models.filter((m) => m.with_copies_ms !== undefined);
  if (copies.length) {
    lines.push('', 'inputs and outputs stay on the device in the timed runs; with host copies of inputs and outputs (median):');
    for (const m of copies) lines.push(`  ${m.name.padEnd(nameWidth)}  ${ms(m.with_copies_ms!)} ms (x${(m.with_copies_ms! / m.median_ms).toFixed(2)})`);
  }
  if (r.ratios.length) {
    lines.push('', `ratios against ${r.ratios[0].vs} (noise band +/- ${pct(r.band ?? DEFAULT_MEASURE_OPTIONS.band)})`);
    for (const q of r.ratios) {
      lines.push(`  ${q.model.padEnd(nameWidth)}  x${q.ratio.toFixed(4)}  95% CI [${q.ci95[0].toFixed(4)}, ${q.ci95[1].toFixed(4)}]  ${q.verdict}`);
    }
  }
  if (r.roofline) {
    const f = r.roofline;
    lines.push('', `roofline: peak ${f.peak_gflops.toFixed(1)} GFLOP/s (MatMul ${f.matmul_n}^3), bandwidth ${f.bandwidth_gbs.toFixed(1)} GB/s, ridge ${f.ridge_flops_per_byte.toFixed(1)} FLOP/B`);
    for (const m of r.models) {
      if (m.roofline) {
        const q = m.roofline;
        lines.push(`  ${m.name.padEnd(nameWidth)}  ${q.achieved_gflops.toFixed(1)} GFLOP/s achieved, intensity ${q.intensity.toFixed(1)} FLOP/B -> ${q.bound}-bound, ${pct(q.roof_fraction)} of its roof`);
      }
    }
  }
  lines.push('', `${r.rounds} rounds, ${r.wall_s.toFixed(1)} s${r.budget_exhausted ? '; budget ran out before the precision target was met' : ''}`);
  return lines.join('\n');
}

export function formatStatsTable(s: NetworkStats, layers: boolean): string {
  const lines = [
    `${s.name} @ ${s.resolution}px (${s.precision})`,
    `  params            ${s.params.toLocaleString('en-US')} (${formatCount(s.params)})`,
    `  multiply-adds     ${s.macs.toLocaleString('en-US')} (${formatCount(s.macs)})`,
    `  weight bytes      ${formatBytes(s.weight_bytes)}`,
    `  activation bytes  ${formatBytes(s.activation_bytes)} moved, ${formatBytes(s.peak_activation_bytes)} peak`,
    `  intensity         ${s.intensity.toFixed(2)} FLOP/byte (arithmetic intensity: floating-point operations, two per multiply-add, per byte of weights and activations moved; higher leans compute-bound)`,
  ];
  if (layers) {
    lines.push('', `  ${'layer'.padEnd(28)} ${'type'.padEnd(14)} ${'out'.padEnd(14)} ${'params'.padStart(10)} ${'MACs'.padStart(12)} ${'FLOP/B'.padStart(7)}`);
    for (const l of s.layers) {
      const out = `${l.outShape.c}x${l.outShape.h}x${l.outShape.w}`;
      lines.push(`  ${l.name.padEnd(28)} ${l.type.padEnd(14)} ${out.padEnd(14)} ${String(l.params).padStart(10)} ${String(l.macs).padStart(12)} ${l.intensity.toFixed(1).padStart(7)}`);
    }
  }
  return lines.join('\n');
}

/**
 * Names from an .onnx file (model, node, input and op names, the producer, dim symbols) are untrusted: one
 * line, no control or bidi characters, no backticks (the text also sits in a Markdown code fence).
 */
const clean = (text: string) => escapeCode(text);

/** How an input dim got its value, in words: "batch 1 (default)", "224 (--resolution)". */
function fixedText(s: GraphStats): string {
  return s.inputs
    .map((i) => {
      const dims = i.dims.map((d, axis) => {
        const f = s.fixed.find((x) => x.input === i.name && x.axis === axis);
        if (!f || f.by === 'graph') return String(d);
        const by = f.by === 'default batch 1' ? 'default' : f.by;
        return `${d} (${f.declared === null ? '?' : clean(String(f.declared))} by ${by})`;
      });
      return `${clean(i.name)} [${dims.join(', ')}]${i.layout ? ` ${i.layout.order}` : ''}`;
    })
    .join('; ');
}

/** stats of an .onnx model: the same figures as a config's, plus how its inputs were fixed and what was not counted. */
export function formatGraphStatsTable(s: GraphStats, layers: boolean): string {
  const at = s.resolution !== null ? `${s.resolution}px` : 'its input size';
  const lines = [
    `${clean(s.name)} @ ${at}, batch ${s.batch} (${s.precision}; ONNX opset ${s.opset}${s.producer ? `, ${clean(s.producer)}` : ''})`,
    `  input             ${fixedText(s)}`,
    `  params            ${s.params.toLocaleString('en-US')} (${formatCount(s.params)}), counted after the exporter folded batch norm`,
    `  multiply-adds     ${Math.round(s.macs).toLocaleString('en-US')} (${formatCount(s.macs)}) per image`,
    `  weight bytes      ${formatBytes(s.weight_bytes)}`,
    `  activation bytes  ${formatBytes(s.activation_bytes)} moved, ${formatBytes(s.peak_activation_bytes)} peak, per image`,
    `  intensity         ${s.intensity.toFixed(2)} FLOP/byte`,
  ];
  if (s.partial) {
    const list = (ops: { op: string; nodes: number }[]) => ops.map((o) => `${clean(o.op)}${o.nodes > 1 ? ` x${o.nodes}` : ''}`).join(', ');
    const missing = s.partial.uncounted.length ? `; multiply-adds not counted for ${list(s.partial.uncounted)}` : '';
    lines.push(`  partial           ${s.partial.unknown_nodes} node${s.partial.unknown_nodes === 1 ? '' : 's'} with unknown shapes after ops outside the inference set: ${list(s.partial.ops) || '(none)'}${missing}`);
  }
  if (layers) {
    const rows = s.layers.map((l) => ({ ...l, name: clean(l.name), op: clean(l.op) }));
    const nameWidth = Math.min(48, Math.max(5, ...rows.map((l) => l.name.length)));
    lines.push('', `  ${'layer'.padEnd(nameWidth)} ${'op'.padEnd(22)} ${'out'.padEnd(18)} ${'params'.padStart(10)} ${'MACs'.padStart(12)} ${'FLOP/B'.padStart(7)}`);
    for (const l of rows) {
      const name = l.name.length > nameWidth ? `…${l.name.slice(l.name.length - nameWidth + 1)}` : l.name;
      const op = l.op.length > 22 ? `${l.op.slice(0, 21)}…` : l.op;
      lines.push(`  ${name.padEnd(nameWidth)} ${op.padEnd(22)} ${l.outShape.join('x').padEnd(18)} ${String(l.params).padStart(10)} ${String(Math.round(l.macs)).padStart(12)} ${l.intensity.toFixed(1).padStart(7)}`);
    }
  }
  return lines.join('\n');
}
