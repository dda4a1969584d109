import { UserError } from '../errors';
import { DEFAULT_TOLERANCES } from '../frontier/position';
import { parseShard, runSweepShard, type Shard } from '../frontier/shard';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import { runSweep, type SweepOptions, type SweepReport } from '../frontier/sweep';
import type { SweepShardCommandResult } from '../report/result';
import { budgetFlag, MEASURE_FLAGS, measureOptions, numberFlag, REPORT_FLAGS, STORE_FLAG, storeFlag, stringFlag } from './flags';
import type { Command } from './types';

/**
 * The measurement budget of a sweep (the whole call, every record; with --shard, the shard's). One default
 * for the CLI and the action: a sweep measures every stored model, so it gets more than a check's 20 s.
 */
export const SWEEP_BUDGET_S = 60;

export interface SweepShardArgs {
  shard: Shard;
  /** The anchor model(s); default: the record with the median MACs. */
  anchors?: string[];
  /** Where the shard result goes, for `merge`. */
  out?: string;
}

export interface SweepArgs {
  /** The store (--frontier), read (and, without --dry-run or --shard, updated) through the context. */
  storeFile: string;
  options: SweepOptions;
  /** One shard of a sweep spread over runners: measured against the anchor, written for `merge`; the store is not touched. */
  shard?: SweepShardArgs;
}

/** `--anchor a,b`: names, trimmed; undefined when not given. */
export function anchorList(text: string | undefined): string[] | undefined {
  const names = text?.split(',').map((a) => a.trim()).filter(Boolean);
  return names?.length ? names : undefined;
}

/** The flags of a shard of a sweep: what the action's search-args may set for `command: sweep`. */
export const SWEEP_SHARD_FLAGS = ['shard', 'anchor'] as const;

export const command: Command<SweepArgs, SweepReport | SweepShardCommandResult> = {
  name: 'sweep',
  summary: 're-measure every stored model beside an anchor on this machine (an .onnx model only as it was recorded), update the store and report drift judged on ratios to the anchor and their history',
  args: '',
  flags: {
    ...STORE_FLAG,
    'latency-tolerance': { type: 'string', value: 'FRACTION', default: DEFAULT_TOLERANCES.latency, help: 'a drift is slower or faster only with its whole interval beyond this' },
    budget: { type: 'string', value: 'SECONDS', default: SWEEP_BUDGET_S, help: 'measurement budget for the whole sweep (with --shard: for this shard)' },
    'dry-run': { type: 'boolean', help: 'measure and report, but do not write the store' },
    shard: { type: 'string', value: 'i/n', help: 'measure only shard i of n against the anchor and write it to --out; merge joins the shards into the store' },
    anchor: { type: 'string', value: 'NAME[,NAME]', help: 'the model every other is measured beside, drift being judged on ratios to it (default: the anchor of the last sweep, else the record with the median MACs); with --shard, further names are cross-checks' },
    out: { type: 'string', value: 'FILE.json', help: 'with --shard: where the shard result goes' },
    ...MEASURE_FLAGS,
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length) throw new UserError(`sweep: takes no configs (it re-measures the store's records), got ${JSON.stringify(positionals[0])}`);
    const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
    const shardText = stringFlag(values, 'shard');
    let shard: SweepShardArgs | undefined;
    if (shardText !== undefined) {
      const out = stringFlag(values, 'out');
      if (!out && !values.json && values.format !== 'json') throw new UserError('sweep --shard: give --out shard.json (or --json) for the shard result; merge joins them');
      if (values['dry-run']) throw new UserError('sweep: --dry-run has no meaning with --shard i/n (a shard never writes the store)');
      shard = { shard: parseShard(shardText), anchors: anchorList(stringFlag(values, 'anchor')), ...(out ? { out } : {}) };
    } else if (values.out !== undefined) {
      throw new UserError('sweep: --out goes with --shard i/n');
    }
    const anchors = anchorList(stringFlag(values, 'anchor'));
    if (!shard && anchors && anchors.length > 1) throw new UserError(`sweep: --anchor takes one model without --shard (the cross-check anchors are for shards), got ${JSON.stringify(anchors.join(','))}`);
    return {
      storeFile,
      options: {
        budgetSeconds: budgetFlag(values, SWEEP_BUDGET_S),
        latencyTolerance: numberFlag(values, 'latency-tolerance', DEFAULT_TOLERANCES.latency, { min: 0, max: 1 }),
        measure: measureOptions(values),
        storeFile,
        dryRun: Boolean(values['dry-run']),
        ...(!shard && anchors ? { anchor: anchors[0] } : {}),
      },
      ...(shard ? { shard } : {}),
    };
  },
  async run(args, ctx) {
    const access = ctx.files.store(args.storeFile);
    // The store is written after measuring: a folder, special file or read-only path fails now.
    if (!args.options.dryRun && !args.shard) access.checkWritable();
    if (args.shard?.out) ctx.files.checkOutput(args.shard.out, { what: '--out', named: true });
    const store = await access.read();
    if (args.shard) {
      const { shard, anchors, out } = args.shard;
      const result = await runSweepShard(store, shard, { budgetSeconds: args.options.budgetSeconds, measure: args.options.measure, anchors },
        { measurer: ctx.measurer(), now: ctx.now, commit: ctx.commit(), files: { root: ctx.files.root() } });
      if (out) ctx.files.write(out, JSON.stringify(result, null, 1) + '\n', { what: '--out', named: true });
      return { command: 'sweep-shard', shard: result, ...(out ? { file: out } : {}) };
    }
    const { report, updates } = await runSweep(store, args.options, { measurer: ctx.measurer(), now: ctx.now, commit: ctx.commit(), files: { root: ctx.files.root() } });
    if (!args.options.dryRun) await access.apply(updates, `frontier-gate: sweep ${store.records.length} model(s)`);
    return report;
  },
};
