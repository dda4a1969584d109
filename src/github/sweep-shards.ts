/**
 * The action's side of sharded sweeps: `command: sweep` with `search-args: --shard i/n [--anchor NAME]`
 * runs the sweep command with those flags (parsed by its own flag table) and leaves the shard result in
 * output-dir (no store write), and `command: merge` without a `space` hands the shard files named by
 * search-args (paths or globs inside the workspace) to the merge command (`--kind sweep`), which joins them
 * into the store, committed like a sweep's (one commit per target, merged on a 409).
 */
import * as path from 'node:path';
import { UserError } from '../errors';
import type { Shard } from '../frontier/shard';
import { walkGlob } from '../util/glob';

export function shardFileName(shard: Shard): string {
  return `sweep-shard-${shard.index}-of-${shard.count}.json`;
}

/** The shard files named by search-args: paths or globs inside the workspace, workspace-relative, sorted. */
export function sweepShardFiles(workspace: string, args: readonly string[]): string[] {
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
  for (const f of unique) {
    if (!path.resolve(workspace, f).startsWith(path.resolve(workspace) + path.sep)) throw new UserError(`input search-args: ${JSON.stringify(f)} is outside the workspace`);
  }
  return unique;
}
