import { UserError } from '../errors';
import type { StoreAccess } from '../frontier/access';
import { DEFAULT_TOLERANCES } from '../frontier/position';
import { isSweepShardResult, mergeSweepShards, type SweepShardResult } from '../frontier/shard';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import { isLacsShardResult, mergeLacsShards, readLacsShardFile, type LacsShardResult } from '../lacs/shard';
import { checkUnitsAgainstSpace, mergeProfiles, spaceHash, PROFILE_KIND, type ProfileResult } from '../search/profile';
import { loadSpace } from '../search/space';
import type { LacsScreenCommandResult, MergedSweepResult, ProfileCommandResult } from '../report/result';
import { CHART_FLAG, profileResult, REDUCE_FLAGS, reduceArgs, writeProfileChart, type ReduceArgs } from './profile';
import { chartFlag } from './chart-files';
import { choiceFlag, numberFlag, REPORT_FLAGS, storeFlag, stringFlag } from './flags';
import type { Command } from './types';
import { checkOutputs } from './profile';
import { readRegularText } from '../util/fs';
import { parseJson } from '../util/json';

/** A shard result file, `name` as given on the command line (messages quote it). */
function readResult(file: string, name = file): unknown {
  let text: string;
  try {
    text = readRegularText(file, { what: 'profile result', kind: 'metrics' });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read shard result ${JSON.stringify(name)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return readLacsShardFile(parseJson(text, name), name);
}

export type ShardResultKind = 'profile' | 'sweep' | 'lacs';

/** What the files hold: profile, sweep or LACS shards (one kind per merge). */
export function shardKind(results: readonly unknown[], files: readonly string[]): ShardResultKind {
  const kinds = results.map((r, i) => {
    if (isSweepShardResult(r)) return 'sweep';
    if (isLacsShardResult(r)) return 'lacs';
    if ((r as { kind?: unknown })?.kind === PROFILE_KIND) return 'profile';
    throw new UserError(`merge: ${files[i]} is not a profile, sweep or lacs shard result (kind ${JSON.stringify((r as { kind?: unknown })?.kind)})`);
  });
  const mixed = kinds.findIndex((k) => k !== kinds[0]);
  if (mixed >= 0) throw new UserError(`merge: ${files[mixed]} is a ${kinds[mixed]} result but ${files[0]} is a ${kinds[0]} result; merge one kind at a time`);
  return kinds[0] as ShardResultKind;
}

/** The shard files and flags of a merge (pure); what the files hold decides the kind when the command runs. */
export interface MergeArgs {
  files: string[];
  /** --kind: the kind the files must hold (the action says sweep or profile); undefined: whatever they hold. */
  kind?: ShardResultKind;
  space?: string;
  out?: string;
  reduce: ReduceArgs;
  /** --chart FILE.svg: the analysed profile's block chart (needs --space). */
  chart?: string;
  storeFile: string;
  latencyTolerance: number;
  dryRun: boolean;
  /** The flags given, to refuse those of another kind once the kind is known. */
  given: string[];
}

export const SHARD_KINDS: readonly ShardResultKind[] = ['profile', 'sweep', 'lacs'];
const PROFILE_ONLY = ['space', 'reduce', 'min-effect', 'chart'];
const SWEEP_ONLY = ['frontier', 'latency-tolerance', 'dry-run'];

function refuse(given: readonly string[], flags: readonly string[], why: string): void {
  for (const flag of flags) if (given.includes(flag)) throw new UserError(`merge: --${flag} ${why}`);
}

/** Sweep shards into the store: `mergeSweepShards(store, shards)`, then the store's own apply (a lock, or a 409-merge). */
export async function mergeSweep(a: { shards: SweepShardResult[]; files: string[]; store: StoreAccess; latencyTolerance: number; dryRun: boolean }): Promise<MergedSweepResult> {
  const merged = mergeSweepShards(await a.store.read(), a.shards, { latencyTolerance: a.latencyTolerance, names: a.files });
  if (!a.dryRun) {
    await a.store.apply(merged.updates, `frontier-gate: sweep ${merged.updates.length} model(s) on ${merged.target.label} (${a.shards.length} shard${a.shards.length === 1 ? '' : 's'} merged)`);
  }
  const { updates: _updates, ...rest } = merged;
  return { command: 'merge-sweep', ...rest, latency_tolerance: a.latencyTolerance, ...(a.dryRun ? {} : { store: a.store.name }), dry_run: a.dryRun, files: a.files };
}

export const command: Command<MergeArgs, ProfileCommandResult | MergedSweepResult | LacsScreenCommandResult> = {
  name: 'merge',
  summary: 'join shard results of an Actions matrix: profile -> report and reduce; sweep -> the store; lacs -> the screen for lacs --screened',
  args: '<shard.json>...',
  flags: {
    space: { type: 'string', value: 'FILE.yaml', help: 'profile shards: the space they profiled; analyse and report the merged result' },
    out: { type: 'string', value: 'FILE.json', help: 'write the merged profile result, or the merged LACS screen (required for LACS shards)' },
    ...REDUCE_FLAGS,
    ...CHART_FLAG,
    frontier: { type: 'string', value: 'STORE', default: DEFAULT_STORE_PATH, help: 'sweep shards: the store they update' },
    'latency-tolerance': { type: 'string', value: 'FRACTION', default: DEFAULT_TOLERANCES.latency, help: 'sweep shards: a drift is slower or faster only with its whole interval beyond this' },
    'dry-run': { type: 'boolean', help: 'sweep shards: merge and report, but do not write the store' },
    kind: { type: 'string', value: SHARD_KINDS.join('|'), help: 'the kind of shard results expected (default: what the files hold)' },
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    if (!positionals.length) throw new UserError('merge: expected shard result files (the --out of profile, sweep or lacs --shard i/n)');
    const kind = values.kind === undefined ? undefined : choiceFlag(values, 'kind', SHARD_KINDS, 'profile');
    return {
      files: [...positionals], ...(kind ? { kind } : {}),
      space: stringFlag(values, 'space'), out: stringFlag(values, 'out'), reduce: reduceArgs(values), chart: chartFlag(values.chart),
      storeFile: storeFlag(values, DEFAULT_STORE_PATH),
      latencyTolerance: numberFlag(values, 'latency-tolerance', DEFAULT_TOLERANCES.latency, { min: 0, max: 1 }),
      dryRun: Boolean(values['dry-run']),
      given: Object.keys(values).filter((k) => values[k] !== undefined),
    };
  },
  async run(a, ctx) {
    checkOutputs(ctx, { out: a.out, reduce: a.reduce.reducePath, chart: a.chart });
    const results = a.files.map((f) => readResult(ctx.files.resolve(f), f));
    const kind = shardKind(results, a.files);
    if (a.kind && kind !== a.kind) throw new UserError(`merge: ${a.files[0]} is a ${kind} shard result; expected ${a.kind} shard results here`);
    if (kind === 'sweep') {
      refuse(a.given, [...PROFILE_ONLY, 'out'], 'is for profile shards; sweep shards update the store given by --frontier');
      const store = ctx.files.store(a.storeFile);
      if (!a.dryRun) store.checkWritable();
      const result = await mergeSweep({ shards: results as SweepShardResult[], files: a.files, store, latencyTolerance: a.latencyTolerance, dryRun: a.dryRun });
      if (result.missing.length) ctx.log(`note: ${result.missing.length} record(s) not measured by the merged shards: ${result.missing.join(', ')}`);
      return result;
    }
    refuse(a.given, SWEEP_ONLY, `is for sweep shards; these are ${kind} shards`);
    if (kind === 'lacs') {
      refuse(a.given, PROFILE_ONLY, 'is for profile shards; LACS shards are joined into a screen file');
      if (!a.out) throw new UserError('merge: LACS shards are joined into a screen file: give --out lacs-screen.json');
      const screen = mergeLacsShards(results as LacsShardResult[], a.files);
      ctx.files.write(a.out, JSON.stringify(screen, null, 1) + '\n', { what: '--out', named: true });
      return { command: 'lacs-screen', screen, file: a.out, files: a.files };
    }
    const merged = mergeProfiles(results as ProfileResult[], a.files);
    if (!a.space && a.reduce.reducePath) throw new UserError('merge --reduce needs --space <space.yaml> (the space the profile ran on)');
    if (!a.space && a.chart) throw new UserError('merge --chart needs --space <space.yaml> (the chart is of the analysed profile)');
    const space = a.space ? loadSpace(ctx.files.resolve(a.space)) : undefined;
    if (space && spaceHash(space) !== merged.space.hash) {
      throw new UserError(`--space ${a.space}: this space (${space.name}, hash ${spaceHash(space)}) is not the one profiled (${merged.space.name}, hash ${merged.space.hash})`);
    }
    if (space) checkUnitsAgainstSpace(merged, space, a.files.join(', '));
    if (a.out) ctx.files.write(a.out, JSON.stringify(merged, null, 1) + '\n', { what: '--out', named: true });
    const missing = merged.units_total - merged.planned.length;
    if (missing > 0) ctx.log(`note: the merged shards cover ${merged.planned.length} of ${merged.units_total} work units; a shard is missing`);
    const files = a.out ? [a.out] : [];
    if (!space) return { command: 'merge', profile: merged, files, missing_units: missing };
    return writeProfileChart(a.chart, profileResult('merge', space, merged, a.reduce, files, ctx), ctx);
  },
};
