import * as path from 'node:path';
import { countConfig } from '../arch/counts';
import type { Precision, ResourceLimits } from '../arch/types';
import { UserError } from '../errors';
import { DEFAULT_MEASURE_OPTIONS } from '../measure/types';
import { inspectOnnx } from '../onnx/inspect';
import type { StatsResult } from '../report/result';
import { choiceFlag, LIMIT_FLAGS, limitsFromFlags, optionalNumber, PRECISIONS } from './flags';
import type { Command } from './types';

export interface StatsArgs {
  files: string[];
  precision: Precision;
  limits: Partial<ResourceLimits>;
  /** .onnx models: the batch and size their symbolic dims are fixed to. */
  batch?: number;
  resolution?: number;
  layers: boolean;
}

export const command: Command<StatsArgs, StatsResult> = {
  name: 'stats',
  summary: 'exact params, multiply-adds, bytes and operational intensity of architecture configs and .onnx models',
  args: '<config.yaml|model.onnx>...',
  flags: {
    layers: { type: 'boolean', help: 'one row per layer (shape, params, MACs, FLOP/byte)' },
    precision: { type: 'string', value: PRECISIONS.join('|'), default: DEFAULT_MEASURE_OPTIONS.precision, help: 'precision the byte counts of a config assume (an .onnx model has its own)' },
    batch: { type: 'string', value: 'N', help: '.onnx models: the batch a symbolic batch dim is fixed to (default 1)' },
    resolution: { type: 'string', value: 'N', help: '.onnx models: the size symbolic height and width are fixed to' },
    ...LIMIT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length === 0) throw new UserError('stats: no config or .onnx model given');
    return {
      files: [...positionals],
      precision: choiceFlag(values, 'precision', PRECISIONS, DEFAULT_MEASURE_OPTIONS.precision),
      limits: limitsFromFlags(values),
      batch: optionalNumber(values, 'batch', { min: 1, max: 65536, integer: true }),
      resolution: optionalNumber(values, 'resolution', { min: 1, max: 8192, integer: true }),
      layers: Boolean(values.layers),
    };
  },
  async run(args, ctx) {
    // Files are routed by kind: an .onnx model has its own reader and size limit (FILE_LIMITS.onnx), a
    // config the config's (through the context, like every command's configs).
    const networks: StatsResult['networks'] = [];
    for (const file of args.files) {
      networks.push(
        path.extname(file).toLowerCase() === '.onnx'
          ? inspectOnnx(ctx.files.resolve(file), { batch: args.batch, resolution: args.resolution, limits: args.limits }).stats
          : countConfig((await ctx.files.config(file, args.limits)).config, args.precision),
      );
    }
    return { command: 'stats', networks, layers: args.layers };
  },
};
