import { countConfig } from '../arch/counts';
import { formatBytes } from '../arch/format';
import { checkResourceLimits, loadArchConfig } from '../arch/parse';
import { LIMIT_FLAGS, choiceFlag, limitsFromFlags, numberFlag, parseFlags, stringFlag } from '../cliargs';
import { UserError } from '../errors';
import { checkOutputPath, writeFileAtomic } from '../util/fs';
import { buildModel } from '../onnx/build';
import type { Command } from './types';

const USAGE = 'frontier-gate build <config.yaml> -o model.onnx [--batch N] [--precision fp32|fp16] [--seed N] [--max-params N] [--max-macs N] [--max-activation-bytes N]';

export const command: Command = {
  name: 'build',
  summary: 'build an architecture config into an ONNX model (BN folded, seeded weights)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags('build', argv, {
      output: { type: 'string', short: 'o' },
      batch: { type: 'string' },
      precision: { type: 'string' },
      seed: { type: 'string' },
      ...LIMIT_FLAGS,
    }, USAGE);
    if (positionals.length !== 1) throw new UserError(`frontier-gate build: expected one config, got ${positionals.length}\nusage: ${USAGE}`);
    const output = stringFlag(values, 'output');
    if (!output) throw new UserError(`frontier-gate build: -o/--output is required\nusage: ${USAGE}`);
    checkOutputPath(output, '-o');
    const batch = numberFlag(values, 'batch', 1, { min: 1, max: 4096, integer: true });
    const precision = choiceFlag(values, 'precision', ['fp32', 'fp16'] as const, 'fp32');
    const seed = numberFlag(values, 'seed', 1, { min: 0, max: 2 ** 32 - 1, integer: true });
    const limits = limitsFromFlags(values);
    const config = loadArchConfig(positionals[0], limits);
    checkResourceLimits(config, limits, batch);
    const bytes = buildModel(config, { batch, precision, seed });
    writeFileAtomic(output, bytes, { what: '-o' });
    const s = countConfig(config, precision);
    io.out(`wrote ${output}: ${config.name}, batch ${batch}, ${precision}, ${s.params.toLocaleString('en-US')} params, ${formatBytes(bytes.length)}`);
    return 0;
  },
};
