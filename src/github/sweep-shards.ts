/**
 * The action's side of sharded sweeps: `command: sweep` with `search-args: --shard i/n [--anchor NAME]`
 * measures one shard (the sweep command with --shard) and leaves its result in output-dir (no store write),
 * and `command: merge` without a `space` joins such shard files (search-args: paths or globs inside the
 * workspace) into the store through the merge command, committed like a sweep's (one commit per target,
 * merged on a 409).
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../errors';
import { isSweepShardResult, parseShard, type Shard, type SweepShardResult } from '../frontier/shard';
import { anchorList } from '../commands/sweep';
import { walkGlob } from '../util/glob';
import { FileInputError, readRegularText } from '../util/fs';

export interface ShardArgs {
  shard: Shard;
  anchors?: string[];
}

/** `--shard i/n [--anchor a,b]` in search-args of a sweep; undefined when the sweep is not sharded. */
export function sweepShardArgs(args: readonly string[]): ShardArgs | undefined {
  if (!args.length) return undefined;
  let values: { shard?: string; anchor?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...args], options: { shard: { type: 'string' }, anchor: { type: 'string' } }, allowPositionals: true, strict: true }));
  } catch (err) {
    throw new UserError(`input search-args: a sweep takes only --shard i/n and --anchor NAME[,NAME]: ${(err as Error).message.split('\n')[0]}`);
  }
  if (positionals.length) throw new UserError(`input search-args: a sweep takes only --shard i/n and --anchor, got ${JSON.stringify(positionals[0])}`);
  if (values.shard === undefined) {
    if (values.anchor !== undefined) throw new UserError('input search-args: --anchor goes with --shard i/n');
    return undefined;
  }
  const anchors = anchorList(values.anchor);
  return { shard: parseShard(values.shard, 'input search-args: --shard'), ...(anchors ? { anchors } : {}) };
}

export function shardFileName(shard: Shard): string {
  return `sweep-shard-${shard.index}-of-${shard.count}.json`;
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
      value = JSON.parse(readRegularText(abs, { what: `input search-args ${JSON.stringify(f)}`, kind: 'store' }));
    } catch (err) {
      if (err instanceof UserError && !(err instanceof FileInputError && err.code === 'ENOENT')) throw err;
      throw new UserError(`input search-args: ${f}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}`);
    }
    if (!isSweepShardResult(value)) throw new UserError(`input search-args: ${f} is not a sweep shard result; profile shards are merged with a \`space\``);
    return value;
  });
  return { files: unique, shards };
}
