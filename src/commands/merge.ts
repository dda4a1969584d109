import { UserError } from '../errors';
import { mergeProfiles, spaceHash, type ProfileResult } from '../search/profile';
import { loadSpace, type SearchSpace } from '../search/space';
import type { ProfileCommandResult } from '../report/result';
import { checkOutputs, profileResult, REDUCE_FLAGS, reduceArgs, writeFileOrFail, type ReduceArgs } from './profile';
import { REPORT_FLAGS, stringFlag } from './flags';
import type { Command } from './types';
import { readRegularText } from '../util/fs';

function readResult(file: string): ProfileResult {
  let text: string;
  try {
    text = readRegularText(file, { what: 'profile result', kind: 'metrics' });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read profile result ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text) as ProfileResult;
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

export interface MergeArgs {
  merged: ProfileResult;
  files: string[];
  space?: SearchSpace;
  out?: string;
  reduce: ReduceArgs;
}

export const command: Command<MergeArgs, ProfileCommandResult> = {
  name: 'merge',
  summary: 'join the shard results of one `profile` run (an Actions matrix); with --space, report and reduce',
  args: '<shard.json>...',
  flags: {
    space: { type: 'string', value: 'FILE.yaml', help: 'the space the shards profiled: analyse and report the merged result' },
    out: { type: 'string', value: 'FILE.json', help: 'write the merged profile result' },
    ...REDUCE_FLAGS,
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    if (!positionals.length) throw new UserError('merge: expected profile result files (--out of profile --shard i/n)');
    checkOutputs(values, ['out', 'reduce']);
    const merged = mergeProfiles(positionals.map(readResult), positionals);
    const reduce = reduceArgs(values);
    const spacePath = stringFlag(values, 'space');
    if (!spacePath && reduce.reducePath) throw new UserError('merge --reduce needs --space <space.yaml> (the space the profile ran on)');
    const space = spacePath ? loadSpace(spacePath) : undefined;
    if (space && spaceHash(space) !== merged.space.hash) {
      throw new UserError(`--space ${spacePath}: this space (${space.name}, hash ${spaceHash(space)}) is not the one profiled (${merged.space.name}, hash ${merged.space.hash})`);
    }
    return { merged, files: positionals, space, out: stringFlag(values, 'out'), reduce };
  },
  async run(a, ctx) {
    if (a.out) writeFileOrFail(a.out, JSON.stringify(a.merged, null, 1) + '\n', 'merged profile');
    const missing = a.merged.units_total - a.merged.planned.length;
    if (missing > 0) ctx.log(`note: the merged shards cover ${a.merged.planned.length} of ${a.merged.units_total} work units; a shard is missing`);
    const files = a.out ? [a.out] : [];
    if (!a.space) return { command: 'merge', profile: a.merged, files, missing_units: missing };
    return profileResult('merge', a.space, a.merged, a.reduce, files);
  },
};
