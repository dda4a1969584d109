import { countConfig } from '../arch/counts';
import type { Precision, ResourceLimits } from '../arch/types';
import { UserError } from '../errors';
import { DEFAULT_MEASURE_OPTIONS } from '../measure/types';
import type { StatsResult } from '../report/result';
import { choiceFlag, LIMIT_FLAGS, limitsFromFlags, PRECISIONS } from './flags';
import type { Command } from './types';

export interface StatsArgs {
  files: string[];
  precision: Precision;
  limits: Partial<ResourceLimits>;
  layers: boolean;
}

export const command: Command<StatsArgs, StatsResult> = {
  name: 'stats',
  summary: 'exact params, multiply-adds, bytes and operational intensity of architecture configs',
  args: '<config.yaml>...',
  flags: {
    layers: { type: 'boolean', help: 'one row per layer (shape, params, MACs, FLOP/byte)' },
    precision: { type: 'string', value: PRECISIONS.join('|'), default: DEFAULT_MEASURE_OPTIONS.precision, help: 'precision the byte counts assume' },
    ...LIMIT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length === 0) throw new UserError('stats: no config given');
    return { files: [...positionals], precision: choiceFlag(values, 'precision', PRECISIONS, DEFAULT_MEASURE_OPTIONS.precision), limits: limitsFromFlags(values), layers: Boolean(values.layers) };
  },
  async run(args, ctx) {
    const networks: StatsResult['networks'] = [];
    for (const file of args.files) networks.push(countConfig((await ctx.files.config(file, args.limits)).config, args.precision));
    return { command: 'stats', networks, layers: args.layers };
  },
};
