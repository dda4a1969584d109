import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import { UserError } from '../errors';
import { DEFAULT_MEASURE_OPTIONS, type MeasureOptions, type ModelInput } from '../measure/types';
import type { MeasureCommandResult } from '../report/result';
import { choiceFlag, MEASURE_FLAGS, numberFlag, optionalNumber, PRECISIONS, PROVIDERS, stringFlag } from './flags';
import type { Command } from './types';

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

export interface MeasureArgs {
  inputs: ModelInput[];
  options: Partial<MeasureOptions>;
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
    resolution: { type: 'string', value: 'N', help: 'input size for .onnx models with dynamic spatial dimensions' },
    'device-id': { type: 'string', value: 'N', help: 'GPU index (cuda, tensorrt)' },
    'trt-fp16': { type: 'boolean', help: 'TensorRT: allow fp16 kernels' },
    'trt-cache': { type: 'string', value: 'DIR', help: 'TensorRT: engine cache folder' },
    roofline: { type: 'boolean', help: "also probe this machine's roofline and place each config under it" },
    raw: { type: 'boolean', help: 'with --json: keep every raw sample' },
  },
  parse(values, positionals) {
    if (positionals.length === 0) throw new UserError('measure: no model given');
    const options: Partial<MeasureOptions> = {
      ep: choiceFlag(values, 'ep', PROVIDERS, d.ep),
      batch: numberFlag(values, 'batch', d.batch, { min: 1, max: 4096, integer: true }),
      precision: choiceFlag(values, 'precision', PRECISIONS, d.precision),
      budgetSeconds: numberFlag(values, 'budget', d.budgetSeconds, { min: 0.1, max: 86400 }),
      precisionTarget: numberFlag(values, 'precision-target', d.precisionTarget, { min: 0.0001, max: 0.5 }),
      band: numberFlag(values, 'band', d.band, { min: 0, max: 0.5 }),
      threads: optionalNumber(values, 'threads', { min: 1, max: 1024, integer: true }),
      resolution: optionalNumber(values, 'resolution', { min: 1, max: 8192, integer: true }),
      seed: optionalNumber(values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true }),
      deviceId: optionalNumber(values, 'device-id', { min: 0, max: 64, integer: true }),
      trtFp16: Boolean(values['trt-fp16']),
      trtCachePath: stringFlag(values, 'trt-cache'),
      roofline: Boolean(values.roofline),
    };
    return { inputs: modelInputs(positionals), options, raw: Boolean(values.raw) };
  },
  async run(args, ctx) {
    const measurement = await ctx.measurer().measure(args.inputs, args.options);
    return { command: 'measure', measurement, raw: args.raw };
  },
};
