import * as fs from 'node:fs';
import { numberFlag, parseFlags, stringFlag, type ParsedArgs } from '../cliargs';
import { UserError } from '../errors';
import { applyRecordUpdates } from '../frontier/gate';
import { isSweepShardResult, mergeSweepShards, type MergedSweep, type SweepShardResult } from '../frontier/shard';
import { DEFAULT_STORE_PATH, readStoreFile, updateStoreFile } from '../frontier/store';
import { renderSweepMarkdown } from '../report/frontier';
import { mergeProfiles, spaceHash, PROFILE_KIND, type ProfileResult } from '../search/profile';
import { loadSpace } from '../search/space';
import { isLacsShardResult, mergeLacsShards, type LacsShardResult } from '../lacs/shard';
import { reportProfile, writeFileOrFail } from './profile';
import type { Command, CommandIO } from './types';

const USAGE =
  'frontier-gate merge <shard.json>... [--space space.yaml] [--out merged.json] [--reduce reduced.yaml] [--min-effect PCT] [--json]\n' +
  '       frontier-gate merge <lacs-shard.json>... --out lacs-screen.json   (then: lacs <base> --screened lacs-screen.json)\n' +
  '       frontier-gate merge <sweep-shard.json>... [--frontier STORE] [--latency-tolerance 0.03] [--dry-run] [--json] [--report FILE.md] [--json-report FILE.json]';

function readResult(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read shard result ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

export type ShardResultKind = 'profile' | 'sweep' | 'lacs';

/** What the files hold: profile shards or sweep shards (one kind per merge). */
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

/** The merged sweep as the sweep report (drift table) plus what the merge adds: shards, machines, anchor, gaps. */
export function mergedSweepReport(merged: MergedSweep, storeFile?: string): { markdown: string; json: Record<string, unknown> } {
  const notes = [
    `Merged shards ${merged.shards.join(', ')} of ${merged.count} from ${merged.machines} runner fingerprint(s) through the anchor ${merged.anchors.map((a) => `**${a}**`).join(', ')}; ` +
      `latencies are ratios to it measured side by side, expressed on shard ${merged.reference.shard}'s runner (anchor ${merged.reference.anchor_ms.toFixed(3)} ms).`,
  ];
  if (merged.missing.length) notes.push(`⚠️ Not measured (a shard is missing, or the record changed since the sweep): ${merged.missing.join(', ')}.`);
  for (const c of merged.anchor_checks) {
    if (c.spread > 0.05) notes.push(`⚠️ Anchor ${c.name}'s ratio to ${merged.anchors[0]} differs by ${(c.spread * 100).toFixed(1)}% across shards: the runners may not be one target type.`);
  }
  const { updates: _updates, ...rest } = merged;
  void _updates;
  return {
    markdown: `${renderSweepMarkdown(merged, storeFile)}\n\n${notes.join('\n\n')}\n`,
    json: JSON.parse(JSON.stringify({ command: 'merge', kind: 'sweep', ...rest, ...(storeFile ? { store: storeFile } : {}) })) as Record<string, unknown>,
  };
}

async function mergeSweep(results: SweepShardResult[], files: string[], values: ParsedArgs['values'], io: CommandIO): Promise<number> {
  if (values.space !== undefined || values.reduce !== undefined || values.out !== undefined) {
    throw new UserError('merge: --space, --reduce and --out are for profile shards; sweep shards update the store given by --frontier');
  }
  const storeFile = stringFlag(values, 'frontier') ?? DEFAULT_STORE_PATH;
  const latencyTolerance = numberFlag(values, 'latency-tolerance', 0.03, { min: 0, max: 1 });
  const merged = mergeSweepShards(readStoreFile(storeFile), results, { latencyTolerance, names: files });
  if (!values['dry-run']) await updateStoreFile(storeFile, (current) => applyRecordUpdates(current, merged.updates));
  const report = mergedSweepReport(merged, values['dry-run'] ? undefined : storeFile);
  const write = (flag: string, text: string) => {
    const file = stringFlag(values, flag);
    if (file) writeFileOrFail(file, text, flag === 'report' ? 'report' : 'JSON report');
  };
  const jsonText = JSON.stringify(report.json, null, 2) + '\n';
  write('report', report.markdown);
  write('json-report', jsonText);
  io.out(values.json ? jsonText : report.markdown);
  if (merged.missing.length) io.err(`note: ${merged.missing.length} record(s) not measured by the merged shards: ${merged.missing.join(', ')}`);
  return 0;
}

export const command: Command = {
  name: 'merge',
  summary: 'join the shard results of one `profile` run or one `sweep --shard` (an Actions matrix): profile -> report and reduce; sweep -> the store',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags('merge', argv, {
      space: { type: 'string' },
      out: { type: 'string' },
      reduce: { type: 'string' },
      'min-effect': { type: 'string' },
      json: { type: 'boolean' },
      frontier: { type: 'string' },
      'latency-tolerance': { type: 'string' },
      'dry-run': { type: 'boolean' },
      report: { type: 'string' },
      'json-report': { type: 'string' },
    }, USAGE);
    if (!positionals.length) throw new UserError(`frontier-gate merge: expected shard result files (profile --shard --out, or sweep --shard --out)\nusage: ${USAGE}`);
    const results = positionals.map(readResult);
    const kind = shardKind(results, positionals);
    if (kind === 'sweep') return mergeSweep(results as SweepShardResult[], positionals, values, io);
    if (kind === 'lacs') {
      const out = stringFlag(values, 'out');
      if (!out) throw new UserError('merge: LACS shards are joined into a screen file: give --out lacs-screen.json');
      const screen = mergeLacsShards(results as LacsShardResult[], positionals);
      writeFileOrFail(out, JSON.stringify(screen, null, 1) + '\n', 'merged LACS screen');
      const missing = screen.count - screen.shards.length;
      io.out(`merged ${screen.shards.length} of ${screen.count} LACS shard(s) of ${screen.base.name}: ${screen.entries.length} screened network(s) from ${screen.targets.length} runner(s) -> ${out}` +
        (missing ? `\nnote: ${missing} shard(s) missing; lacs --screened measures their networks itself` : ''));
      return 0;
    }
    for (const flag of ['frontier', 'latency-tolerance', 'dry-run', 'report', 'json-report']) {
      if (values[flag] !== undefined) throw new UserError(`merge: --${flag} is for sweep shards; these are profile shards`);
    }
    const merged = mergeProfiles(results as ProfileResult[], positionals);
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
