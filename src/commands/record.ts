import { UserError } from '../errors';
import { runRecord, type RecordInput, type RecordOptions } from '../frontier/record';
import type { RecordResult } from '../report/result';
import { recordWithLacs, type GateLacsOption } from './gate-lacs';
import { fileStore, type StoreAccess } from '../frontier/access';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import { ACCURACY_FLAGS, budgetFlag, gateCandidate, LACS_FLAGS, lacsFlag, loadCandidates, MEASURE_FLAGS, measureOptions, REPORT_FLAGS, STORE_FLAG, storeFlag } from './flags';
import type { Command } from './types';
import { checkOutputPath } from '../util/fs';

export interface RecordArgs {
  store: StoreAccess;
  inputs: RecordInput[];
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
    budget: { type: 'string', value: 'SECONDS', default: 20, help: 'measurement budget for the whole call' },
    ...ACCURACY_FLAGS,
    ...LACS_FLAGS,
    ...MEASURE_FLAGS,
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
    // The store is written after measuring: a folder, special file or read-only path fails now.
    checkOutputPath(storeFile, '--frontier');
    const options: RecordOptions = { budgetSeconds: budgetFlag(values, 20), measure: measureOptions(values), storeFile };
    if (!positionals.length) throw new UserError('record: no config given');
    return { store: fileStore(storeFile, { allowMissing: true }), options, lacs: lacsFlag(values) ? {} : false, inputs: loadCandidates(positionals, values).map(gateCandidate) };
  },
  async run(args, ctx) {
    // Validate the store before spending time measuring; a bad store is never rewritten.
    const store = await args.store.read();
    const bases = args.inputs.filter((i) => i.config.family === 'base').map((i) => i.config.name);
    if (args.lacs && bases.length) {
      ctx.log(`record: ${bases.join(', ')} ${bases.length === 1 ? 'is a' : 'are'} family base${bases.length === 1 ? '' : 's'} (family: base): LACS coefficients are recomputed after the measurement and stored with the record (--no-lacs skips this)`);
    }
    const deps = { measurer: ctx.measurer(), now: ctx.now, commit: ctx.commit() };
    const recorded = await runRecord(store, args.inputs, args.options, deps);
    const { result, updates } = await recordWithLacs(recorded.report, recorded.updates, store, args.inputs, { lacs: args.lacs, measure: args.options.measure }, deps);
    const names = args.inputs.map((i) => i.config.name);
    await args.store.apply(updates, `frontier-gate: record ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`);
    return result;
  },
};
