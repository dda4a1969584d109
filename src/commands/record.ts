import { UserError } from '../errors';
import type { AccuracyFlags } from '../frontier/accuracy';
import { selectPublished, publishedModel, type PublishedPick } from '../frontier/published';
import { runRecord, type RecordInput, type RecordOptions } from '../frontier/record';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import type { RecordResult } from '../report/result';
import {
  ACCURACY_FLAGS, accuracyFlags, budgetFlag, gateCandidate, LACS_FLAGS, lacsFlag, loadCandidates, MEASURE_FLAGS, measureOptions, modelKind, ONNX_FLAGS,
  REPORT_FLAGS, resolutionFlag, STORE_FLAG, storeFlag, stringFlag,
} from './flags';
import { recordWithLacs, type GateLacsOption } from './gate-lacs';
import type { Command, FlagDefs, FlagValues } from './types';

/** The measurement budget of a record call (the whole call, all its configs). */
export const RECORD_BUDGET_S = 20;

/** --zoo: published models of the catalogue put on the store (record, init). */
export const ZOO_FLAG: FlagDefs = {
  zoo: {
    type: 'string', value: 'NAME[:WEIGHTS[@RES]],...',
    help: 'published models of the catalogue (`frontier-gate zoo` lists them): NAME, NAME:WEIGHTS[@RES], NAME:all, family:FAMILY or all, comma-separated',
  },
};

/** The published results --zoo names (pure: catalogue data only); none without the flag. */
export function zooFlag(values: FlagValues): PublishedPick[] {
  const spec = stringFlag(values, 'zoo');
  return spec === undefined ? [] : selectPublished(spec);
}

export interface RecordArgs {
  /** The store (--frontier), read and updated through the context. */
  storeFile: string;
  /** The configs and .onnx models, loaded through the context. */
  files: string[];
  /** .onnx models: the size their symbolic spatial dims are fixed to (--resolution). */
  resolution?: number;
  /** Published models of the catalogue (--zoo). */
  published: PublishedPick[];
  accuracy: AccuracyFlags;
  options: RecordOptions;
  /** --lacs / --no-lacs: LACS coefficients of `family: base` configs, stored with the record (./gate-lacs.ts). */
  lacs: GateLacsOption;
}

export const command: Command<RecordArgs, RecordResult> = {
  name: 'record',
  summary: 'measure configs, .onnx models and published models on this machine and add or update their records in the frontier store',
  args: '<config.yaml|model.onnx>...',
  flags: {
    ...STORE_FLAG,
    budget: { type: 'string', value: 'SECONDS', default: RECORD_BUDGET_S, help: 'measurement budget for the whole call' },
    ...ZOO_FLAG,
    ...ACCURACY_FLAGS,
    ...LACS_FLAGS,
    ...MEASURE_FLAGS,
    ...ONNX_FLAGS,
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
    const options: RecordOptions = { budgetSeconds: budgetFlag(values, RECORD_BUDGET_S), measure: measureOptions(values), storeFile };
    const published = zooFlag(values);
    if (!positionals.length && !published.length) throw new UserError('record: no config, .onnx model or --zoo model given');
    positionals.forEach(modelKind);
    if (!positionals.length && ['accuracy', 'metrics', 'model-card'].some((f) => values[f] !== undefined)) {
      throw new UserError('record: --accuracy, --metrics and --model-card give the accuracy of a config or .onnx model; --zoo models carry their published top-1');
    }
    const resolution = resolutionFlag(values);
    return {
      storeFile, files: [...positionals], ...(resolution !== undefined ? { resolution } : {}), published,
      accuracy: accuracyFlags(values, positionals.length), options, lacs: lacsFlag(values) ? {} : false,
    };
  },
  async run(args, ctx) {
    const access = ctx.files.store(args.storeFile, { allowMissing: true });
    // The store is written after measuring: a folder, special file or read-only path fails now.
    access.checkWritable();
    const loaded = (await loadCandidates(args.files, args.accuracy, ctx, { batch: args.options.measure?.batch, resolution: args.resolution })).map(gateCandidate);
    const inputs: RecordInput[] = [...loaded, ...args.published.map((p) => ({ model: publishedModel(p).model }))];
    // Validate the store before spending time measuring; a bad store is never rewritten.
    const store = await access.read();
    const bases = inputs.filter((i) => i.model.config?.family === 'base').map((i) => i.model.name);
    if (args.lacs && bases.length) {
      ctx.log(`record: ${bases.join(', ')} ${bases.length === 1 ? 'is a' : 'are'} family base${bases.length === 1 ? '' : 's'} (family: base): LACS coefficients are recomputed after the measurement and stored with the record (--no-lacs skips this)`);
    }
    const deps = { measurer: ctx.measurer(), now: ctx.now, commit: ctx.commit(), files: { root: ctx.files.root() } };
    const recorded = await runRecord(store, inputs, args.options, deps);
    const { result, updates } = await recordWithLacs(recorded.report, recorded.updates, store, inputs, { lacs: args.lacs, measure: args.options.measure }, deps);
    const names = inputs.map((i) => i.model.name);
    await access.apply(updates, `frontier-gate: record ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`);
    return result;
  },
};
