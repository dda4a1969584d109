import { parseFlags, stringFlag } from '../cliargs';
import { UserError } from '../errors';
import { mergeProfiles, spaceHash, type ProfileResult } from '../search/profile';
import { loadSpace } from '../search/space';
import { checkOutputs, reportProfile, writeFileOrFail } from './profile';
import type { Command } from './types';
import { readRegularText } from '../util/fs';

const USAGE = 'frontier-gate merge <shard.json>... [--space space.yaml] [--out merged.json] [--reduce reduced.yaml] [--min-effect PCT] [--json]';

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

export const command: Command = {
  name: 'merge',
  summary: 'join the shard results of one `profile` run (an Actions matrix); with --space, report and reduce',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags('merge', argv, {
      space: { type: 'string' },
      out: { type: 'string' },
      reduce: { type: 'string' },
      'min-effect': { type: 'string' },
      json: { type: 'boolean' },
    }, USAGE);
    if (!positionals.length) throw new UserError(`frontier-gate merge: expected profile result files (--json or --out of profile --shard)\nusage: ${USAGE}`);
    checkOutputs(values, ['out', 'reduce']);
    const merged = mergeProfiles(positionals.map(readResult), positionals);
    const out = stringFlag(values, 'out');
    if (out) writeFileOrFail(out, JSON.stringify(merged, null, 1) + '\n', 'merged profile');
    const missing = merged.units_total - merged.planned.length;
    if (missing > 0) io.err(`note: the merged shards cover ${merged.planned.length} of ${merged.units_total} work units; a shard is missing`);
    const spacePath = stringFlag(values, 'space');
    if (values.json || !spacePath) {
      if (!spacePath && values.reduce) throw new UserError('merge --reduce needs --space <space.yaml> (the space the profile ran on)');
      io.out(values.json ? JSON.stringify(merged, null, 1) : `merged ${positionals.length} results: ${merged.units.length} units (${merged.skipped.length} skipped)`);
      return 0;
    }
    const space = loadSpace(spacePath);
    if (spaceHash(space) !== merged.space.hash) {
      throw new UserError(`--space ${spacePath}: this space (${space.name}, hash ${spaceHash(space)}) is not the one profiled (${merged.space.name}, hash ${merged.space.hash})`);
    }
    reportProfile(space, merged, values, io);
    return 0;
  },
};
