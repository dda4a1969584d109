import * as path from 'node:path';
import { UserError } from '../errors';
import { DEFAULT_MEASURE_OPTIONS, type MeasureOptions, type ModelInput } from '../measure/types';
import type { MeasureCommandResult } from '../report/result';
import { readProviderOptions } from '../measure/providers';
import { measureGrid, parseBatchList, parsePrecisionList, type MeasureGrid } from '../measure/sweep';
import { choiceFlag, MEASURE_FLAGS, modelKind, numberFlag, optionalNumber, PROVIDERS, stringFlag } from './flags';
import type { Command, CommandContext } from './types';

/** Model names must be unique to pair ratios; measuring a file against itself is legitimate (noise check). */
function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name}#${i}`;
  taken.add(candidate);
  return candidate;
}

/** The models to measure, configs read through the context; names made unique in argument order. */
export async function modelInputs(files: readonly string[], ctx: Pick<CommandContext, 'files'>): Promise<ModelInput[]> {
  const taken = new Set<string>();
  const out: ModelInput[] = [];
  for (const file of files) {
    if (modelKind(file) === 'onnx') out.push({ kind: 'onnx', name: uniqueName(path.basename(file, path.extname(file)), taken), path: ctx.files.resolve(file) });
    else {
      const { config } = await ctx.files.config(file);
      out.push({ kind: 'config', name: uniqueName(config.name, taken), config });
    }
  }
  return out;
}

export interface MeasureArgs {
  files: string[];
  options: Partial<MeasureOptions>;
  grid: MeasureGrid;
  raw: boolean;
}

const d = DEFAULT_MEASURE_OPTIONS;

export const command: Command<MeasureArgs, MeasureCommandResult> = {
  name: 'measure',
  summary: 'latency of configs and .onnx models side by side, with confidence intervals and ratio verdicts',
  args: '<config.yaml|model.onnx>...',
  flags: {
    ...MEASURE_FLAGS,
    budget: { type: 'string', value: 'SECONDS', default: d.budgetSeconds, help: 'wall-clock budget for warm-up and timed rounds' },
    'precision-target': { type: 'string', value: 'FRACTION', default: d.precisionTarget, help: "stop when every 95% interval's relative half-width is below this" },
    band: { type: 'string', value: 'FRACTION', default: d.band, help: 'noise band of the ratio verdicts (same / slower / faster)' },
    batch: { type: 'string', value: 'N[,N...]', default: d.batch, help: 'batch size(s) the models are built with; several (1,8,64) are measured in turn' },
    precision: { type: 'string', value: 'fp32|fp16|fp32,fp16', default: d.precision, help: 'precision(s); both are measured in turn' },
    resolution: { type: 'string', value: 'N', help: 'input size for .onnx models with dynamic spatial dimensions' },
    roofline: { type: 'boolean', help: "also probe this machine's roofline and place each config under it" },
    raw: { type: 'boolean', help: 'with --json: keep every raw sample' },
  },
  parse(values, positionals) {
    if (positionals.length === 0) throw new UserError('measure: no model given');
    const ep = choiceFlag(values, 'ep', PROVIDERS, d.ep);
    const options: Partial<MeasureOptions> = {
      ep,
      ...readProviderOptions(values, ep),
      budgetSeconds: numberFlag(values, 'budget', d.budgetSeconds, { min: 0.1, max: 86400 }),
      precisionTarget: numberFlag(values, 'precision-target', d.precisionTarget, { min: 0.0001, max: 0.5 }),
      band: numberFlag(values, 'band', d.band, { min: 0, max: 0.5 }),
      threads: optionalNumber(values, 'threads', { min: 1, max: 1024, integer: true }),
      resolution: optionalNumber(values, 'resolution', { min: 1, max: 8192, integer: true }),
      seed: optionalNumber(values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true }),
      roofline: Boolean(values.roofline),
    };
    const grid = { batches: parseBatchList(stringFlag(values, 'batch') ?? String(d.batch)), precisions: parsePrecisionList(stringFlag(values, 'precision') ?? d.precision) };
    positionals.forEach(modelKind);
    return { files: [...positionals], options, grid, raw: Boolean(values.raw) };
  },
  async run(args, ctx) {
    const inputs = await modelInputs(args.files, ctx);
    const { batches, precisions } = args.grid;
    if (batches.length * precisions.length === 1) {
      const measurement = await ctx.measurer().measure(inputs, { ...args.options, batch: batches[0], precision: precisions[0] });
      return { command: 'measure', measurement, raw: args.raw };
    }
    // Batch sizes and precisions in one run: one side-by-side measurement per combination.
    const sweep = await measureGrid(ctx.measurer(), inputs, args.options, args.grid, ctx.log);
    return { command: 'measure', measurement: sweep.runs[0], runs: sweep.runs, raw: args.raw };
  },
};
