import { UserError } from '../errors';
import type { AccuracyFlags } from '../frontier/accuracy';
import { runRecord, type RecordOptions } from '../frontier/record';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import type { RecordResult } from '../report/result';
import { ACCURACY_FLAGS, accuracyFlags, budgetFlag, gateCandidate, LACS_FLAGS, lacsFlag, loadCandidates, MEASURE_FLAGS, measureOptions, REPORT_FLAGS, STORE_FLAG, storeFlag } from './flags';
import { recordWithLacs, type GateLacsOption } from './gate-lacs';
import type { Command } from './types';

/** The measurement budget of a record call (the whole call, all its configs). */
export const RECORD_BUDGET_S = 20;

export interface RecordArgs {
  /** The store (--frontier), read and updated through the context. */
  storeFile: string;
  /** The configs, loaded through the context. */
  files: string[];
  accuracy: AccuracyFlags;
  options: RecordOptions;
  /** --lacs / --no-lacs: LACS coefficients of `family: base` configs, stored with the record (./gate-lacs.ts). */
  lacs: GateLacsOption;
}

export const command: Command<RecordArgs, RecordResult> = {
  name: 'record',
  summary: 'measure configs on this machine and add or update their records in the frontier store',
  args: '<config.yaml>...',
  flags: {
    ...STORE_FLAG,
    budget: { type: 'string', value: 'SECONDS', default: RECORD_BUDGET_S, help: 'measurement budget for the whole call' },
    ...ACCURACY_FLAGS,
    ...LACS_FLAGS,
    ...MEASURE_FLAGS,
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
    const options: RecordOptions = { budgetSeconds: budgetFlag(values, RECORD_BUDGET_S), measure: measureOptions(values), storeFile };
    if (!positionals.length) throw new UserError('record: no config given');
    return { storeFile, files: [...positionals], accuracy: accuracyFlags(values, positionals.length), options, lacs: lacsFlag(values) ? {} : false };
  },
  async run(args, ctx) {
    const access = ctx.files.store(args.storeFile, { allowMissing: true });
    // The store is written after measuring: a folder, special file or read-only path fails now.
    access.checkWritable();
    const inputs = (await loadCandidates(args.files, args.accuracy, ctx)).map(gateCandidate);
    // Validate the store before spending time measuring; a bad store is never rewritten.
    const store = await access.read();
    const bases = inputs.filter((i) => i.config.family === 'base').map((i) => i.config.name);
    if (args.lacs && bases.length) {
      ctx.log(`record: ${bases.join(', ')} ${bases.length === 1 ? 'is a' : 'are'} family base${bases.length === 1 ? '' : 's'} (family: base): LACS coefficients are recomputed after the measurement and stored with the record (--no-lacs skips this)`);
    }
    const deps = { measurer: ctx.measurer(), now: ctx.now, commit: ctx.commit() };
    const recorded = await runRecord(store, inputs, args.options, deps);
    const { result, updates } = await recordWithLacs(recorded.report, recorded.updates, store, inputs, { lacs: args.lacs, measure: args.options.measure }, deps);
    const names = inputs.map((i) => i.config.name);
    await access.apply(updates, `frontier-gate: record ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`);
    return result;
  },
};
