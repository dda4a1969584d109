import { LIMIT_FLAGS, choiceFlag, limitsFromFlags, numberFlag, parseFlags, stringFlag } from '../cliargs';
import { UserError } from '../errors';
import { createMeasurer } from '../measure';
import type { Measurer } from '../measure/types';
import { analyzeProfile, parseShard, profilePositions, runProfile, type ProfileResult } from '../search/profile';
import { DEFAULT_REDUCTION, reduceSpace } from '../search/reduce';
import { renderProfile, renderReduction } from '../search/report';
import { formatCount, loadSpace, spaceSize, spaceToYaml, type SearchSpace } from '../search/space';
import { zenProxy } from '../search/zen';
import type { Command, CommandIO } from './types';
import { checkOutputPath, writeFileAtomic } from '../util/fs';

const USAGE =
  'frontier-gate profile <space.yaml> [--samples N] [--shard i/n] [--budget SECONDS] [--per-call SECONDS] [--seed N] ' +
  '[--threads N] [--proxy none|zen] [--reduce reduced.yaml] [--min-effect PCT] [--out result.json] [--json]';

/** Seams for tests: the measurer a command uses. */
export const profileDeps: { measurer: () => Measurer } = { measurer: () => createMeasurer() };

/** Output file flags checked before any work. */
export function checkOutputs(values: Record<string, unknown>, flags: string[]): void {
  for (const flag of flags) {
    const file = stringFlag(values as never, flag);
    if (file) checkOutputPath(file, `--${flag}`);
  }
}

export function writeFileOrFail(file: string, text: string, what: string): void {
  writeFileAtomic(file, text, { what });
}

/** Analyses a (complete or partial) profile, writes the reduced space if asked, prints the report. */
export function reportProfile(space: SearchSpace, result: ProfileResult, values: Record<string, unknown>, io: CommandIO): void {
  const analysis = analyzeProfile(space, result);
  const minEffectPct = numberFlag(values as never, 'min-effect', DEFAULT_REDUCTION.minEffectPct, { min: 0, max: 100 });
  const minExcessShare = DEFAULT_REDUCTION.minExcessShare;
  const reducePath = stringFlag(values as never, 'reduce');
  const parts = [renderProfile(space, analysis)];
  if (reducePath) {
    const reduction = reduceSpace(space, analysis, { minEffectPct, minExcessShare });
    const header = [
      `Reduced from ${space.name} by frontier-gate profile on ${analysis.target}`,
      `(${analysis.units} work units, ${analysis.contexts} contexts; rule threshold ${minEffectPct}% of end-to-end latency).`,
      `Space size ${formatCount(reduction.sizeBefore)} -> ${formatCount(reduction.sizeAfter)}.`,
      ...reduction.removals.map((r) => `removed ${r.label} from ${r.stageName} (${r.rule}): ${r.because}`),
    ];
    const extra = {
      reduction: reduction.removals.map((r) => ({ stage: r.stageName, block: r.key, rule: r.rule, because: r.because })),
    };
    writeFileOrFail(reducePath, spaceToYaml(reduction.space, header, extra) + '\n', 'reduced space');
    parts.push(renderReduction(reduction), `Reduced space written to ${reducePath}.`);
  }
  io.out(parts.join('\n\n'));
}

export const command: Command = {
  name: 'profile',
  summary: 'profile block latency per (stage, layer) position of a search space from paired end-to-end measurements; reduce the space',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags('profile', argv, {
      samples: { type: 'string' },
      shard: { type: 'string' },
      budget: { type: 'string' },
      'per-call': { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      proxy: { type: 'string' },
      reduce: { type: 'string' },
      'min-effect': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      ...LIMIT_FLAGS,
    }, USAGE);
    if (positionals.length !== 1) throw new UserError(`frontier-gate profile: expected one search space file, got ${positionals.length}\nusage: ${USAGE}`);
    checkOutputs(values, ['out', 'reduce']);
    const space = loadSpace(positionals[0]);
    const samples = numberFlag(values, 'samples', 4, { min: 1, max: 10000, integer: true });
    const budget = values.budget === undefined ? undefined : numberFlag(values, 'budget', 0, { min: 1 });
    const perCall = numberFlag(values, 'per-call', 1, { min: 0.05, max: 600 });
    const seed = numberFlag(values, 'seed', 1, { min: 0, integer: true });
    const threads = values.threads === undefined ? undefined : numberFlag(values, 'threads', 1, { min: 1, max: 1024, integer: true });
    const proxyName = choiceFlag(values, 'proxy', ['none', 'zen'] as const, 'none');
    const shardText = stringFlag(values, 'shard');
    const shard = shardText ? parseShard(shardText) : undefined;
    const positions = profilePositions(space);
    io.err(`profile ${space.name}: ${positions.length} positions x ${samples} contexts = ${positions.length * samples} work units` +
      `${shard ? `, shard ${shard.index}/${shard.count}` : ''}; space size ${formatCount(spaceSize(space))}`);
    const result = await runProfile(space, profileDeps.measurer(), {
      samples, seed, shard, budgetSeconds: budget, perCallSeconds: perCall, limits: limitsFromFlags(values),
      measure: threads ? { threads } : undefined,
      proxy: proxyName === 'zen' ? zenProxy({ threads }) : undefined,
      onUnit: (done, total, unit) => {
        if (done === 1 || done % 10 === 0 || done === total) io.err(`  unit ${done}/${total} (stage ${unit.stage} layer ${unit.layer}, ${unit.wall_s.toFixed(1)} s)`);
      },
    });
    const out = stringFlag(values, 'out');
    if (out) writeFileOrFail(out, JSON.stringify(result, null, 1) + '\n', 'profile result');
    if (values.json) {
      // The report goes to stderr so stdout stays one JSON document (the reduced space is still written).
      if (values.reduce) reportProfile(space, result, values, { out: io.err, err: io.err });
      io.out(JSON.stringify(result, null, 1));
      return 0;
    }
    reportProfile(space, result, values, io);
    if (result.skipped.length) io.err(`note: ${result.skipped.length} work units were skipped when the ${budget} s budget ran out`);
    return 0;
  },
};
