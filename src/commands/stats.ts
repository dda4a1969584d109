import * as path from 'node:path';
import { countConfig } from '../arch/counts';
import { loadArchConfig } from '../arch/parse';
import { UserError } from '../errors';
import { inspectOnnx } from '../onnx/inspect';
import type { StatsResult } from '../report/result';
import { choiceFlag, LIMIT_FLAGS, limitsFromFlags, optionalNumber, PRECISIONS } from './flags';
import type { Command } from './types';

export interface StatsArgs {
  networks: StatsResult['networks'];
  layers: boolean;
}

export const command: Command<StatsArgs, StatsResult> = {
  name: 'stats',
  summary: 'exact params, multiply-adds, bytes and operational intensity of architecture configs and .onnx models',
  args: '<config.yaml|model.onnx>...',
  flags: {
    layers: { type: 'boolean', help: 'one row per layer (shape, params, MACs, FLOP/byte)' },
    precision: { type: 'string', value: PRECISIONS.join('|'), default: 'fp32', help: 'precision the byte counts of a config assume (an .onnx model has its own)' },
    batch: { type: 'string', value: 'N', help: '.onnx models: the batch a symbolic batch dim is fixed to (default 1)' },
    resolution: { type: 'string', value: 'N', help: '.onnx models: the size symbolic height and width are fixed to' },
    ...LIMIT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length === 0) throw new UserError('stats: no config or .onnx model given');
    const precision = choiceFlag(values, 'precision', PRECISIONS, 'fp32');
    const limits = limitsFromFlags(values);
    const batch = optionalNumber(values, 'batch', { min: 1, max: 65536, integer: true });
    const resolution = optionalNumber(values, 'resolution', { min: 1, max: 8192, integer: true });
    // Counting is analytic and fast: it happens here, so run() has nothing left to fail on. Files are routed
    // by kind: an .onnx model has its own reader and size limit (FILE_LIMITS.onnx), a config the config's.
    const networks = positionals.map((file) =>
      path.extname(file).toLowerCase() === '.onnx' ? inspectOnnx(file, { batch, resolution, limits }).stats : countConfig(loadArchConfig(file, limits), precision),
    );
    return { networks, layers: Boolean(values.layers) };
  },
  async run(args) {
    return { command: 'stats', networks: args.networks, layers: args.layers };
  },
};
