import { UserError } from '../errors';
import { analyzeProfile, parseShard, profilePositions, runProfile, type ProfileResult } from '../search/profile';
import { DEFAULT_REDUCTION, reduceSpace } from '../search/reduce';
import { formatCount, loadSpace, spaceSize, spaceToYaml, type SearchSpace } from '../search/space';
import type { ProfileCommandResult } from '../report/result';
import type { MeasureOptions } from '../measure/types';
import { LIMIT_FLAGS, limitsFromFlags, MEASURE_FLAGS, REPORT_FLAGS, choiceFlag, measureOptions, numberFlag, optionalNumber, stringFlag } from './flags';
import type { Command, CommandContext, FlagDefs, FlagValues, ProgressTask } from './types';
import type { ResourceLimits } from '../arch/types';
import { profileBars } from '../report/search';
import { renderProfileSvg } from '../report/profile-chart';
import { chartFlag } from './chart-files';

/** `--chart FILE.svg`: the report's block chart as SVG (profile, and merge of profile shards with --space). */
export const CHART_FLAG: FlagDefs = {
  chart: { type: 'string', value: 'FILE.svg', help: "write the report's block chart as SVG (each block's latency over the fastest, % of end-to-end)" },
};

/** Writes the block chart of an analysed profile; the file (as given) joins the result's files. */
export async function writeProfileChart(file: string | undefined, result: ProfileCommandResult, ctx: Pick<CommandContext, 'files' | 'log'>): Promise<ProfileCommandResult> {
  if (!file || !result.analysis || !result.space) return result;
  const svg = await renderProfileSvg({ title: `Block latency: ${result.space.name}`, target: result.analysis.target, bars: profileBars(result.analysis) });
  ctx.files.write(file, svg, { what: '--chart', named: true });
  ctx.log(`chart: ${file}`);
  return { ...result, files: [...result.files, file] };
}

/** Output files the user named (flag -> path), checked before any work. */
export function checkOutputs(ctx: Pick<CommandContext, 'files'>, files: Record<string, string | undefined>): void {
  for (const [flag, file] of Object.entries(files)) if (file) ctx.files.checkOutput(file, { what: `--${flag}`, named: true });
}

/** The reduction flags profile and merge share. */
export const REDUCE_FLAGS: FlagDefs = {
  reduce: { type: 'string', value: 'FILE.yaml', help: 'write the reduced search space here' },
  'min-effect': { type: 'string', value: 'PCT', default: DEFAULT_REDUCTION.minEffectPct, help: 'a block is dropped only if it costs more than this % of end-to-end latency' },
};

export interface ReduceArgs {
  reducePath?: string;
  minEffectPct: number;
}

export function reduceArgs(values: FlagValues): ReduceArgs {
  return { reducePath: stringFlag(values, 'reduce'), minEffectPct: numberFlag(values, 'min-effect', DEFAULT_REDUCTION.minEffectPct, { min: 0, max: 100 }) };
}

/** Analyses a (complete or partial) profile and writes the reduced space when asked: the result of profile and merge. */
export function profileResult(command: 'profile' | 'merge', space: SearchSpace, profile: ProfileResult, reduce: ReduceArgs, files: string[], ctx: Pick<CommandContext, 'files'>): ProfileCommandResult {
  const analysis = analyzeProfile(space, profile);
  const missing = profile.units_total - profile.planned.length;
  if (!reduce.reducePath) return { command, profile, space, analysis, files, missing_units: missing };
  const reduction = reduceSpace(space, analysis, { minEffectPct: reduce.minEffectPct, minExcessShare: DEFAULT_REDUCTION.minExcessShare });
  const header = [
    `Reduced from ${space.name} by frontier-gate ${command} on ${analysis.target}`,
    `(${analysis.units} work units, ${analysis.contexts} contexts; rule threshold ${reduce.minEffectPct}% of end-to-end latency).`,
    `Space size ${formatCount(reduction.sizeBefore)} -> ${formatCount(reduction.sizeAfter)}.`,
    ...reduction.removals.map((r) => `removed ${r.label} from ${r.stageName} (${r.rule}): ${r.because}`),
  ];
  const extra = { reduction: reduction.removals.map((r) => ({ stage: r.stageName, block: r.key, rule: r.rule, because: r.because })) };
  ctx.files.write(reduce.reducePath, spaceToYaml(reduction.space, header, extra) + '\n', { what: '--reduce', named: true });
  return {
    command, profile, space, analysis, files: [...files, reduce.reducePath], missing_units: missing,
    reduction: { ...reduction, file: reduce.reducePath, min_effect_pct: reduce.minEffectPct },
  };
}

export interface ProfileArgs {
  /** The search space file, read through the context. */
  space: string;
  /** --max-params / --max-macs / --max-activation-bytes: every sampled network passes them before it is built. */
  limits: Partial<ResourceLimits>;
  samples: number;
  shard?: { index: number; count: number };
  budgetSeconds?: number;
  perCallSeconds: number;
  seed: number;
  threads?: number;
  /** --ep, --batch, --precision (and provider options) of the paired measurements. */
  measure: Partial<MeasureOptions>;
  proxy: 'none' | 'zen';
  out?: string;
  reduce: ReduceArgs;
  /** --chart FILE.svg: the block chart. */
  chart?: string;
}

export const command: Command<ProfileArgs, ProfileCommandResult> = {
  name: 'profile',
  summary: 'profile block latency per (stage, layer) position of a search space from paired end-to-end measurements; reduce the space',
  args: '<space.yaml>',
  flags: {
    ...LIMIT_FLAGS,
    samples: { type: 'string', value: 'N', default: 4, help: 'context networks sampled per position' },
    shard: { type: 'string', value: 'i/n', help: 'measure only shard i of n (an Actions matrix); join with merge' },
    budget: { type: 'string', value: 'SECONDS', help: 'stop starting work units after this long (the rest are reported skipped)' },
    'per-call': { type: 'string', value: 'SECONDS', default: 1, help: 'measurement budget of each paired call' },
    seed: { type: 'string', value: 'N', default: 1, help: 'seed of the sampled contexts' },
    threads: { type: 'string', value: 'N', default: 'cores - 1', help: 'intra-op threads' },
    ep: MEASURE_FLAGS.ep,
    batch: MEASURE_FLAGS.batch,
    precision: MEASURE_FLAGS.precision,
    proxy: { type: 'string', value: 'none|zen', default: 'none', help: 'also score each block with the Zen-score accuracy proxy' },
    ...REDUCE_FLAGS,
    ...CHART_FLAG,
    out: { type: 'string', value: 'FILE.json', help: 'write the profile result (the input of merge)' },
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length !== 1) throw new UserError(`profile: expected one search space file, got ${positionals.length}`);
    const shardText = stringFlag(values, 'shard');
    return {
      limits: limitsFromFlags(values),
      space: positionals[0],
      samples: numberFlag(values, 'samples', 4, { min: 1, max: 10000, integer: true }),
      shard: shardText ? parseShard(shardText) : undefined,
      budgetSeconds: optionalNumber(values, 'budget', { min: 1 }),
      perCallSeconds: numberFlag(values, 'per-call', 1, { min: 0.05, max: 600 }),
      seed: numberFlag(values, 'seed', 1, { min: 0, integer: true }),
      threads: optionalNumber(values, 'threads', { min: 1, max: 1024, integer: true }),
      measure: measureOptions(values),
      proxy: choiceFlag(values, 'proxy', ['none', 'zen'] as const, 'none'),
      out: stringFlag(values, 'out'),
      reduce: reduceArgs(values),
      chart: chartFlag(values.chart),
    };
  },
  async run(a, ctx) {
    checkOutputs(ctx, { out: a.out, reduce: a.reduce.reducePath, chart: a.chart });
    const space = loadSpace(ctx.files.resolve(a.space));
    const positions = profilePositions(space);
    const units = positions.length * a.samples;
    ctx.log(`profile ${space.name}: ${positions.length} positions x ${a.samples} contexts = ${units} work units` +
      `${a.shard ? `, shard ${a.shard.index}/${a.shard.count}` : ''}; space size ${formatCount(spaceSize(space))}`);
    let task: ProgressTask | undefined;
    const profile = await runProfile(space, ctx.measurer(), {
      samples: a.samples, seed: a.seed, shard: a.shard, budgetSeconds: a.budgetSeconds, perCallSeconds: a.perCallSeconds, limits: a.limits,
      measure: { ...a.measure, ...(a.threads ? { threads: a.threads } : {}) },
      proxy: a.proxy === 'zen' ? ctx.proxy({ threads: a.threads }) : undefined,
      onUnit: (done, total, unit) => {
        task ??= ctx.progress.start(`profile ${space.name}`, total);
        task.update(done, `stage ${unit.stage} layer ${unit.layer}`);
      },
    });
    task?.end(`${profile.units.length} work units measured`);
    if (a.out) ctx.files.write(a.out, JSON.stringify(profile, null, 1) + '\n', { what: '--out', named: true });
    return writeProfileChart(a.chart, profileResult('profile', space, profile, a.reduce, a.out ? [a.out] : [], ctx), ctx);
  },
};
