/**
 * The action's side of sharded sweeps: `command: sweep` with `search-args: --shard i/n [--anchor NAME]`
 * measures one shard and leaves its result in output-dir (no store write), and `command: merge` without a
 * `space` joins such shard files (search-args: paths or globs inside the workspace) into store updates that
 * the orchestration commits like a sweep's (one commit per target, merged on a 409).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFlags, stringFlag } from '../cliargs';
import { UserError } from '../errors';
import { applyRecordUpdates } from '../frontier/gate';
import { isSweepShardResult, mergeSweepShards, parseShard, runSweepShard, type MergedSweep, type Shard, type SweepShardResult } from '../frontier/shard';
import type { FrontierStore } from '../frontier/store';
import type { MeasureOptions, Measurer } from '../measure/types';
import { mergedSweepReport } from '../commands/merge';
import { walkGlob } from './glob';

const SHARD_USAGE = 'search-args for a sharded sweep: --shard i/n [--anchor NAME[,NAME]]';

export interface ShardArgs {
  shard: Shard;
  anchors?: string[];
}

/** `--shard i/n [--anchor a,b]` in search-args of a sweep; undefined when the sweep is not sharded. */
export function sweepShardArgs(args: readonly string[]): ShardArgs | undefined {
  if (!args.length) return undefined;
  const { values, positionals } = parseFlags('sweep', [...args], { shard: { type: 'string' }, anchor: { type: 'string' } }, SHARD_USAGE);
  if (positionals.length) throw new UserError(`input search-args: a sweep takes only --shard i/n and --anchor, got ${JSON.stringify(positionals[0])}`);
  const text = stringFlag(values, 'shard');
  if (!text) {
    if (values.anchor !== undefined) throw new UserError('input search-args: --anchor goes with --shard i/n');
    return undefined;
  }
  const anchors = stringFlag(values, 'anchor')?.split(',').map((a) => a.trim()).filter(Boolean);
  return { shard: parseShard(text, 'input search-args: --shard'), ...(anchors?.length ? { anchors } : {}) };
}

export function shardFileName(shard: Shard): string {
  return `sweep-shard-${shard.index}-of-${shard.count}.json`;
}

/** Measures one shard and writes its result into outDir. */
export async function measureSweepShard(
  store: FrontierStore,
  args: ShardArgs,
  options: { budgetSeconds: number; measure: Partial<MeasureOptions>; outDir: string },
  deps: { measurer: Measurer; commit?: string },
): Promise<{ result: SweepShardResult; file: string; markdown: string }> {
  const result = await runSweepShard(store, args.shard, { budgetSeconds: options.budgetSeconds, measure: options.measure, anchors: args.anchors }, deps);
  fs.mkdirSync(options.outDir, { recursive: true });
  const file = path.join(options.outDir, shardFileName(args.shard));
  fs.writeFileSync(file, JSON.stringify(result, null, 1) + '\n');
  const markdown =
    `Shard ${result.shard.index}/${result.shard.count}: ${result.models.length} model(s) measured side by side with the anchor ` +
    `${result.anchors.join(', ')} on ${result.target.label}${result.budget_exhausted ? ' (budget spent before the precision target)' : ''}. ` +
    'The store is not written: the merge job joins the shards and commits it.';
  return { result, file, markdown };
}

/** The shard files named by search-args (paths or globs inside the workspace), read and checked. */
export function readSweepShardFiles(workspace: string, args: readonly string[]): { files: string[]; shards: SweepShardResult[] } {
  if (!args.length) throw new UserError('input search-args: merge needs the shard result files (paths or globs, e.g. shards/*.json), or a `space` for profile shards');
  const files: string[] = [];
  for (const arg of args) {
    if (/[*?[{]/.test(arg)) {
      const found = walkGlob(workspace, arg);
      if (!found.length) throw new UserError(`input search-args: ${JSON.stringify(arg)} matches no file in the workspace`);
      files.push(...found);
    } else files.push(arg);
  }
  const unique = [...new Set(files)].sort();
  const shards = unique.map((f) => {
    const abs = path.resolve(workspace, f);
    if (!abs.startsWith(path.resolve(workspace) + path.sep)) throw new UserError(`input search-args: ${JSON.stringify(f)} is outside the workspace`);
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(abs, 'utf8'));
    } catch (err) {
      throw new UserError(`input search-args: ${f}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}`);
    }
    if (!isSweepShardResult(value)) throw new UserError(`input search-args: ${f} is not a sweep shard result; profile shards are merged with a \`space\``);
    return value;
  });
  return { files: unique, shards };
}

/** Joins the shards into the store read at the branch head: the updated store, the report, the drift rows. */
export function mergeSweepShardFiles(
  store: FrontierStore,
  files: string[],
  shards: SweepShardResult[],
  latencyTolerance: number,
): { store: FrontierStore; merged: MergedSweep; report: { markdown: string; json: Record<string, unknown>; targetLabel: string } } {
  const merged = mergeSweepShards(store, shards, { latencyTolerance, names: files });
  const report = mergedSweepReport(merged);
  return { store: applyRecordUpdates(store, merged.updates), merged, report: { ...report, targetLabel: merged.target.label } };
}
