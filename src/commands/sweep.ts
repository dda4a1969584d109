import { UserError } from '../errors';
import { runSweep, type SweepOptions, type SweepReport } from '../frontier/gate';
import { fileStore, type StoreAccess } from '../frontier/access';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import { budgetFlag, MEASURE_FLAGS, measureOptions, numberFlag, REPORT_FLAGS, STORE_FLAG, storeFlag } from './flags';
import type { Command } from './types';
import { checkOutputPath } from '../util/fs';

export interface SweepArgs {
  store: StoreAccess;
  options: SweepOptions;
}

export const command: Command<SweepArgs, SweepReport> = {
  name: 'sweep',
  summary: 're-measure every stored model on this machine, update the store and report drift since the last measurement',
  args: '',
  flags: {
    ...STORE_FLAG,
    'latency-tolerance': { type: 'string', value: 'FRACTION', default: 0.03, help: 'a change smaller than this (or than the intervals) is noise, not drift' },
    budget: { type: 'string', value: 'SECONDS', default: 60, help: 'measurement budget for the whole sweep' },
    'dry-run': { type: 'boolean', help: 'measure and report, but do not write the store' },
    ...MEASURE_FLAGS,
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length) throw new UserError(`sweep: takes no configs (it re-measures the store's records), got ${JSON.stringify(positionals[0])}`);
    const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
    // The store is written after measuring: a folder, special file or read-only path fails now.
    if (!values['dry-run']) checkOutputPath(storeFile, '--frontier');
    return {
      store: fileStore(storeFile),
      options: {
        budgetSeconds: budgetFlag(values, 60),
        latencyTolerance: numberFlag(values, 'latency-tolerance', 0.03, { min: 0, max: 1 }),
        measure: measureOptions(values),
        storeFile,
        dryRun: Boolean(values['dry-run']),
      },
    };
  },
  async run(args, ctx) {
    const store = await args.store.read();
    const { report, updates } = await runSweep(store, args.options, { measurer: ctx.measurer(), now: ctx.now, commit: ctx.commit() });
    if (!args.options.dryRun) await args.store.apply(updates, `frontier-gate: sweep ${store.records.length} model(s)`);
    return report;
  },
};
