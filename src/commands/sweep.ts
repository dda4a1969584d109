import { numberFlag, parseFlags, stringFlag } from '../cliargs';
import { writeFileOrFail } from './profile';
import { budgetFlag, defaultCliDeps, emitReport, MEASURE_FLAGS, measureOptions, OUTPUT_FLAGS, storeFlag, type CliDeps } from '../frontier/cli';
import { applyRecordUpdates, runSweep } from '../frontier/gate';
import { parseShard, runSweepShard } from '../frontier/shard';
import { DEFAULT_STORE_PATH, readStoreFile, updateStoreFile } from '../frontier/store';
import { UserError } from '../errors';
import type { Command } from './types';

const USAGE =
  'frontier-gate sweep [--frontier .frontier/frontier.json] [--latency-tolerance 0.03] [--budget 60] [--dry-run] ' +
  '[--target auto|cpu|cuda|tensorrt] [--json] [--report FILE.md] [--json-report FILE.json] [--batch N] [--precision fp32|fp16] [--threads N] [--verbose] ' +
  '[--shard i/n --out shard.json [--anchor NAME[,NAME]]]';

export function makeSweepCommand(deps: CliDeps): Command {
  return {
    name: 'sweep',
    summary: 're-measure every stored model on this machine, update the store and report drift since the last measurement',
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseFlags('sweep', argv, {
        ...MEASURE_FLAGS, ...OUTPUT_FLAGS,
        'latency-tolerance': { type: 'string' },
        'dry-run': { type: 'boolean' },
        shard: { type: 'string' },
        anchor: { type: 'string' },
        out: { type: 'string' },
      }, USAGE);
      if (positionals.length) throw new UserError(`frontier-gate sweep: takes no configs (it re-measures the store's records), got ${JSON.stringify(positionals[0])}\nusage: ${USAGE}`);
      const latencyTolerance = numberFlag(values, 'latency-tolerance', 0.03, { min: 0, max: 1 });
      const budgetSeconds = budgetFlag(values, 60);
      const measure = measureOptions(values);
      const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
      const store = readStoreFile(storeFile);
      const shardText = stringFlag(values, 'shard');
      if (shardText !== undefined) {
        // One shard of a sweep spread over runners: measured against the anchor, written for `merge`; the store is not touched.
        const out = stringFlag(values, 'out');
        if (!out && !values.json) throw new UserError(`sweep --shard: give --out shard.json (or --json) for the shard result; merge joins them\nusage: ${USAGE}`);
        const anchors = stringFlag(values, 'anchor')?.split(',').map((a) => a.trim()).filter(Boolean);
        const result = await runSweepShard(store, parseShard(shardText), { budgetSeconds, measure, anchors },
          { measurer: deps.measurer(io, Boolean(values.verbose)), now: deps.now, commit: deps.commit?.() });
        const text = JSON.stringify(result, null, 1) + '\n';
        if (out) writeFileOrFail(out, text, 'sweep shard result');
        io.out(values.json ? text : `sweep shard ${result.shard.index}/${result.shard.count}: ${result.models.length} models measured against ${result.anchors.join(', ')} on ${result.target.label}${out ? ` -> ${out}` : ''}`);
        return 0;
      }
      if (values.anchor !== undefined || values.out !== undefined) throw new UserError(`sweep: --anchor and --out go with --shard i/n\nusage: ${USAGE}`);
      const { report, updates } = await runSweep(
        store,
        { budgetSeconds, latencyTolerance, measure, storeFile: values['dry-run'] ? undefined : storeFile },
        { measurer: deps.measurer(io, Boolean(values.verbose)), now: deps.now, commit: deps.commit?.() },
      );
      if (!values['dry-run']) await updateStoreFile(storeFile, (current) => applyRecordUpdates(current, updates));
      emitReport(values, io, report);
      return 0;
    },
  };
}

export const command: Command = makeSweepCommand(defaultCliDeps);
