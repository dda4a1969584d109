import { countConfig, type NetworkStats } from '../arch/counts';
import { formatBytes, formatCount } from '../arch/format';
import { loadArchConfig } from '../arch/parse';
import { LIMIT_FLAGS, choiceFlag, limitsFromFlags, parseFlags } from '../cliargs';
import { UserError } from '../errors';
import type { Command } from './types';

const USAGE = 'frontier-gate stats <config.yaml>... [--json] [--layers] [--precision fp32|fp16] [--max-params N] [--max-macs N] [--max-activation-bytes N]';

function table(s: NetworkStats, layers: boolean): string {
  const lines = [
    `${s.name} @ ${s.resolution}px (${s.precision})`,
    `  params            ${s.params.toLocaleString('en-US')} (${formatCount(s.params)})`,
    `  multiply-adds     ${s.macs.toLocaleString('en-US')} (${formatCount(s.macs)})`,
    `  weight bytes      ${formatBytes(s.weight_bytes)}`,
    `  activation bytes  ${formatBytes(s.activation_bytes)} moved, ${formatBytes(s.peak_activation_bytes)} peak`,
    `  intensity         ${s.intensity.toFixed(2)} FLOP/byte`,
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

export const command: Command = {
  name: 'stats',
  summary: 'exact params, multiply-adds, bytes and operational intensity of architecture configs',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags('stats', argv, {
      json: { type: 'boolean' },
      layers: { type: 'boolean' },
      precision: { type: 'string' },
      ...LIMIT_FLAGS,
    }, USAGE);
    if (positionals.length === 0) throw new UserError(`frontier-gate stats: no config given\nusage: ${USAGE}`);
    const precision = choiceFlag(values, 'precision', ['fp32', 'fp16'] as const, 'fp32');
    const stats = positionals.map((file) => countConfig(loadArchConfig(file, limitsFromFlags(values)), precision));
    if (values.json) {
      const shaped = stats.map((s) => (values.layers ? s : { ...s, layers: undefined }));
      io.out(JSON.stringify(shaped.length === 1 ? shaped[0] : shaped, null, 2));
    } else {
      io.out(stats.map((s) => table(s, Boolean(values.layers))).join('\n\n'));
    }
    return 0;
  },
};
