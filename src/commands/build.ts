import { countConfig } from '../arch/counts';
import { checkResourceLimits } from '../arch/parse';
import type { ResourceLimits } from '../arch/types';
import { UserError } from '../errors';
import { DEFAULT_MEASURE_OPTIONS, type Precision } from '../measure/types';
import { buildModel } from '../onnx/build';
import type { BuildResult } from '../report/result';
import { choiceFlag, LIMIT_FLAGS, limitsFromFlags, numberFlag, PRECISIONS, stringFlag } from './flags';
import type { Command } from './types';

export interface BuildArgs {
  file: string;
  limits: Partial<ResourceLimits>;
  output: string;
  batch: number;
  precision: Precision;
  seed: number;
}

export const command: Command<BuildArgs, BuildResult> = {
  name: 'build',
  summary: 'build an architecture config into an ONNX model (BN folded, seeded weights)',
  args: '<config.yaml> -o model.onnx',
  flags: {
    output: { type: 'string', short: 'o', value: 'FILE', help: 'the .onnx file to write (required)' },
    batch: { type: 'string', value: 'N', default: DEFAULT_MEASURE_OPTIONS.batch, help: 'batch size fixed in the graph' },
    precision: { type: 'string', value: PRECISIONS.join('|'), default: DEFAULT_MEASURE_OPTIONS.precision, help: 'weights and activations precision' },
    seed: { type: 'string', value: 'N', default: 1, help: 'seed of the deterministic weights' },
    ...LIMIT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length !== 1) throw new UserError(`build: expected one config, got ${positionals.length}`);
    const output = stringFlag(values, 'output');
    if (!output) throw new UserError('build: -o/--output is required');
    return {
      file: positionals[0], limits: limitsFromFlags(values), output,
      batch: numberFlag(values, 'batch', DEFAULT_MEASURE_OPTIONS.batch, { min: 1, max: 4096, integer: true }),
      precision: choiceFlag(values, 'precision', PRECISIONS, DEFAULT_MEASURE_OPTIONS.precision),
      seed: numberFlag(values, 'seed', 1, { min: 0, max: 2 ** 32 - 1, integer: true }),
    };
  },
  async run({ file, limits, output, batch, precision, seed }, ctx) {
    ctx.files.checkOutput(output, { what: '-o', named: true });
    const { config } = await ctx.files.config(file, limits);
    checkResourceLimits(config, limits, batch);
    const bytes = buildModel(config, { batch, precision, seed });
    ctx.files.write(output, bytes, { what: '-o', named: true });
    return { command: 'build', file: output, name: config.name, batch, precision, params: countConfig(config, precision).params, bytes: bytes.length };
  },
};
