import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import { choiceFlag, numberFlag, parseFlags, stringFlag } from '../cliargs';
import { UserError } from '../errors';
import { createMeasurer } from '../measure';
import { PROVIDER_NAMES, providerFlagSpec, providerOptions, readProviderOptions } from '../measure/providers';
import { measureGrid, parseBatchList, parsePrecisionList } from '../measure/sweep';
import { DEFAULT_MEASURE_OPTIONS, type MeasureOptions, type MeasureResult, type ModelInput } from '../measure/types';
import type { Command } from './types';

const USAGE =
  `frontier-gate measure <config.yaml|model.onnx>... [--ep ${PROVIDER_NAMES.join('|')}] [--batch N[,N...]] [--precision fp32|fp16|fp32,fp16] ` +
  '[--budget SECONDS] [--precision-target 0.01] [--band 0.02] [--threads N] [--resolution N] [--seed N] ' +
  `${providerOptions().map((o) => `[--${o.flag}${o.type === 'boolean' ? '' : ' X'}]`).join(' ')} [--roofline] [--json] [--raw]`;

/** Model names must be unique to pair ratios; measuring a file against itself is legitimate (noise check). */
function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name}#${i}`;
  taken.add(candidate);
  return candidate;
}

export function modelInputs(files: string[]): ModelInput[] {
  const taken = new Set<string>();
  return files.map((file) => {
    const ext = path.extname(file).toLowerCase();
    if (ext === '.onnx') return { kind: 'onnx', name: uniqueName(path.basename(file, path.extname(file)), taken), path: file };
    if (ext === '.yaml' || ext === '.yml') {
      const config = loadArchConfig(file);
      return { kind: 'config', name: uniqueName(config.name, taken), config };
    }
    throw new UserError(`${file}: expected an architecture config (.yaml, .yml) or an ONNX model (.onnx), got ${JSON.stringify(ext || 'no extension')}`);
  });
}

const ms = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatTable(r: MeasureResult): string {
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

export const command: Command = {
  name: 'measure',
  summary: 'latency of configs and .onnx models side by side, with confidence intervals and ratio verdicts',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags('measure', argv, {
      ep: { type: 'string' },
      batch: { type: 'string' },
      precision: { type: 'string' },
      budget: { type: 'string' },
      'precision-target': { type: 'string' },
      band: { type: 'string' },
      threads: { type: 'string' },
      resolution: { type: 'string' },
      seed: { type: 'string' },
      ...providerFlagSpec(),
      roofline: { type: 'boolean' },
      json: { type: 'boolean' },
      raw: { type: 'boolean' },
    }, USAGE);
    if (positionals.length === 0) throw new UserError(`frontier-gate measure: no model given\nusage: ${USAGE}`);
    const d = DEFAULT_MEASURE_OPTIONS;
    const ep = choiceFlag(values, 'ep', PROVIDER_NAMES, d.ep);
    const batches = parseBatchList(stringFlag(values, 'batch') ?? String(d.batch));
    const precisions = parsePrecisionList(stringFlag(values, 'precision') ?? d.precision);
    const options: Partial<MeasureOptions> = {
      ep,
      ...readProviderOptions(values, ep),
      budgetSeconds: numberFlag(values, 'budget', d.budgetSeconds, { min: 0.1, max: 86400 }),
      precisionTarget: numberFlag(values, 'precision-target', d.precisionTarget, { min: 0.0001, max: 0.5 }),
      band: numberFlag(values, 'band', d.band, { min: 0, max: 0.5 }),
      threads: values.threads === undefined ? undefined : numberFlag(values, 'threads', 1, { min: 1, max: 1024, integer: true }),
      resolution: values.resolution === undefined ? undefined : numberFlag(values, 'resolution', 224, { min: 1, max: 8192, integer: true }),
      seed: values.seed === undefined ? undefined : numberFlag(values, 'seed', 0, { min: 0, max: 2 ** 32 - 1, integer: true }),
      roofline: Boolean(values.roofline),
    };
    const inputs = modelInputs(positionals);
    const log = values.json ? () => undefined : (line: string) => io.err(line);
    const measurer = createMeasurer({ log });
    const shape = (result: MeasureResult) => (values.raw ? result : { ...result, models: result.models.map(({ raw_ms: _raw, ...rest }) => rest) });
    if (batches.length * precisions.length === 1) {
      const result = await measurer.measure(inputs, { ...options, batch: batches[0], precision: precisions[0] });
      io.out(values.json ? JSON.stringify(shape(result), null, 2) : formatTable(result));
      return 0;
    }
    // Batch sizes and precisions in one run: one side-by-side measurement per combination.
    const sweep = await measureGrid(measurer, inputs, options, { batches, precisions }, log);
    if (values.json) io.out(JSON.stringify({ runs: sweep.runs.map(shape) }, null, 2));
    else io.out(sweep.runs.map((r) => `== batch ${r.batch} ${r.precision}\n${formatTable(r)}`).join('\n\n'));
    return 0;
  },
};
