import { UserError } from '../errors';
import { fileStore, type StoreAccess } from '../frontier/access';
import { isSweepShardResult, mergeSweepShards, type SweepShardResult } from '../frontier/shard';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import { isLacsShardResult, mergeLacsShards, type LacsShardResult } from '../lacs/shard';
import { mergeProfiles, spaceHash, PROFILE_KIND, type ProfileResult } from '../search/profile';
import { loadSpace, type SearchSpace } from '../search/space';
import type { LacsScreenCommandResult, MergedSweepResult, ProfileCommandResult } from '../report/result';
import { CHART_FLAG, profileResult, REDUCE_FLAGS, reduceArgs, writeFileOrFail, writeProfileChart, type ReduceArgs } from './profile';
import { chartFlag } from './chart-files';
import { numberFlag, REPORT_FLAGS, storeFlag, stringFlag } from './flags';
import type { Command, FlagValues } from './types';
import { checkOutputs } from './profile';
import { readRegularText } from '../util/fs';

function readResult(file: string): unknown {
  let text: string;
  try {
    text = readRegularText(file, { what: 'profile result', kind: 'metrics' });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read shard result ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
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

/** Profile shards: joined, and with --space analysed and reduced. */
export interface MergeProfileArgs {
  kind: 'profile';
  merged: ProfileResult;
  files: string[];
  space?: SearchSpace;
  out?: string;
  reduce: ReduceArgs;
  /** --chart FILE.svg: the analysed profile's block chart (needs --space). */
  chart?: string;
}

/** Sweep shards of one target: joined through the anchor into the store. */
export interface MergeSweepArgs {
  kind: 'sweep';
  shards: SweepShardResult[];
  files: string[];
  store: StoreAccess;
  latencyTolerance: number;
  dryRun: boolean;
}

/** LACS shards: joined into one screen file for `lacs --screened`. */
export interface MergeLacsArgs {
  kind: 'lacs';
  shards: LacsShardResult[];
  files: string[];
  out: string;
}

export type MergeArgs = MergeProfileArgs | MergeSweepArgs | MergeLacsArgs;

const PROFILE_ONLY = ['space', 'reduce', 'min-effect', 'chart'];
const SWEEP_ONLY = ['frontier', 'latency-tolerance', 'dry-run'];

function refuse(values: FlagValues, flags: readonly string[], why: string): void {
  for (const flag of flags) if (values[flag] !== undefined) throw new UserError(`merge: --${flag} ${why}`);
}

/** Sweep shards into the store: `mergeSweepShards(store, shards)`, then the store's own apply (a lock, or a 409-merge). */
export async function mergeSweep(a: MergeSweepArgs): Promise<MergedSweepResult> {
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
    'latency-tolerance': { type: 'string', value: 'FRACTION', default: 0.03, help: 'sweep shards: a change smaller than this (or than the intervals) is noise, not drift' },
    'dry-run': { type: 'boolean', help: 'sweep shards: merge and report, but do not write the store' },
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    if (!positionals.length) throw new UserError('merge: expected shard result files (the --out of profile, sweep or lacs --shard i/n)');
    checkOutputs(values, ['out', 'reduce']);
    const results = positionals.map(readResult);
    const kind = shardKind(results, positionals);
    if (kind === 'sweep') {
      refuse(values, [...PROFILE_ONLY, 'out'], 'is for profile shards; sweep shards update the store given by --frontier');
      return {
        kind, shards: results as SweepShardResult[], files: positionals, store: fileStore(storeFlag(values, DEFAULT_STORE_PATH)),
        latencyTolerance: numberFlag(values, 'latency-tolerance', 0.03, { min: 0, max: 1 }), dryRun: Boolean(values['dry-run']),
      };
    }
    refuse(values, SWEEP_ONLY, `is for sweep shards; these are ${kind} shards`);
    if (kind === 'lacs') {
      refuse(values, PROFILE_ONLY, 'is for profile shards; LACS shards are joined into a screen file');
      const out = stringFlag(values, 'out');
      if (!out) throw new UserError('merge: LACS shards are joined into a screen file: give --out lacs-screen.json');
      return { kind, shards: results as LacsShardResult[], files: positionals, out };
    }
    const merged = mergeProfiles(results as ProfileResult[], positionals);
    const reduce = reduceArgs(values);
    const spacePath = stringFlag(values, 'space');
    if (!spacePath && reduce.reducePath) throw new UserError('merge --reduce needs --space <space.yaml> (the space the profile ran on)');
    const chart = chartFlag(values.chart);
    if (!spacePath && chart) throw new UserError('merge --chart needs --space <space.yaml> (the chart is of the analysed profile)');
    const space = spacePath ? loadSpace(spacePath) : undefined;
    if (space && spaceHash(space) !== merged.space.hash) {
      throw new UserError(`--space ${spacePath}: this space (${space.name}, hash ${spaceHash(space)}) is not the one profiled (${merged.space.name}, hash ${merged.space.hash})`);
    }
    return { kind, merged, files: positionals, space, out: stringFlag(values, 'out'), reduce, chart };
  },
  async run(a, ctx) {
    if (a.kind === 'sweep') {
      const result = await mergeSweep(a);
      if (result.missing.length) ctx.log(`note: ${result.missing.length} record(s) not measured by the merged shards: ${result.missing.join(', ')}`);
      return result;
    }
    if (a.kind === 'lacs') {
      const screen = mergeLacsShards(a.shards, a.files);
      writeFileOrFail(a.out, JSON.stringify(screen, null, 1) + '\n', 'merged LACS screen');
      return { command: 'lacs-screen', screen, file: a.out, files: a.files };
    }
    if (a.out) writeFileOrFail(a.out, JSON.stringify(a.merged, null, 1) + '\n', 'merged profile');
    const missing = a.merged.units_total - a.merged.planned.length;
    if (missing > 0) ctx.log(`note: the merged shards cover ${a.merged.planned.length} of ${a.merged.units_total} work units; a shard is missing`);
    const files = a.out ? [a.out] : [];
    if (!a.space) return { command: 'merge', profile: a.merged, files, missing_units: missing };
    return writeProfileChart(a.chart, profileResult('merge', a.space, a.merged, a.reduce, files), ctx.log);
  },
};
