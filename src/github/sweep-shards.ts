/**
 * The action's side of sharded sweeps: `command: sweep` with `search-args: --shard i/n [--anchor NAME]`
 * runs the sweep command with those flags (parsed by its own flag table) and leaves the shard result in
 * output-dir (no store write), and `command: merge` without a `space` hands the shard files named by
 * search-args (paths or globs inside the workspace) to the merge command (`--kind sweep`), which joins them
 * into the store, committed like a sweep's (one commit per target, merged on a 409).
 */
import { UserError } from '../errors';
import type { Shard } from '../frontier/shard';
import { walkGlob } from '../util/glob';
import { insideRoot } from '../util/paths';

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
  // The one path boundary: inside the workspace, links followed (the command reads them through it again).
  for (const f of unique) insideRoot(workspace, f, 'input search-args');
  return unique;
}
