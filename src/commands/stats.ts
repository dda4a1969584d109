import { countConfig } from '../arch/counts';
import { loadArchConfig } from '../arch/parse';
import { UserError } from '../errors';
import type { StatsResult } from '../report/result';
import { choiceFlag, LIMIT_FLAGS, limitsFromFlags, PRECISIONS } from './flags';
import type { Command } from './types';

export interface StatsArgs {
  networks: StatsResult['networks'];
  layers: boolean;
}

export const command: Command<StatsArgs, StatsResult> = {
  name: 'stats',
  summary: 'exact params, multiply-adds, bytes and operational intensity of architecture configs',
  args: '<config.yaml>...',
  flags: {
    layers: { type: 'boolean', help: 'one row per layer (shape, params, MACs, FLOP/byte)' },
    precision: { type: 'string', value: PRECISIONS.join('|'), default: 'fp32', help: 'precision the byte counts assume' },
    ...LIMIT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length === 0) throw new UserError('stats: no config given');
    const precision = choiceFlag(values, 'precision', PRECISIONS, 'fp32');
    const limits = limitsFromFlags(values);
    // Counting is analytic and fast: it happens here, so run() has nothing left to fail on.
    return { networks: positionals.map((file) => countConfig(loadArchConfig(file, limits), precision)), layers: Boolean(values.layers) };
  },
  async run(args) {
    return { command: 'stats', networks: args.networks, layers: args.layers };
  },
};
