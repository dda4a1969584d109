import { parseFlags } from '../cliargs';
import { ACCURACY_FLAGS, budgetFlag, defaultCliDeps, emitReport, LACS_FLAGS, lacsFlag, loadCandidates, MEASURE_FLAGS, measureOptions, OUTPUT_FLAGS, checkOutputFlags, storeFlag, type CliDeps } from '../frontier/cli';
import { applyRecordUpdates, runRecord } from '../frontier/gate';
import { DEFAULT_STORE_PATH, readStoreFile, updateStoreFile } from '../frontier/store';
import type { Command } from './types';

const USAGE =
  'frontier-gate record <config.yaml>... [--frontier .frontier/frontier.json] [--accuracy PERCENT | --metrics FILE --metrics-key a.b.c] ' +
  '[--target auto|cpu|cuda|tensorrt] [--budget 20] [--json] [--report FILE.md] [--json-report FILE.json] [--batch N] [--precision fp32|fp16] [--threads N] [--verbose] ' +
  '[--lacs | --no-lacs] (on by default: configs with family: base get LACS coefficients stored with their record)';

export function makeRecordCommand(deps: CliDeps): Command {
  return {
    name: 'record',
    summary: 'measure configs on this machine and add or update their records in the frontier store',
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseFlags('record', argv, { ...MEASURE_FLAGS, ...ACCURACY_FLAGS, ...OUTPUT_FLAGS, ...LACS_FLAGS }, USAGE);
      const budgetSeconds = budgetFlag(values, 20);
      const measure = measureOptions(values);
      const lacs = lacsFlag(values);
      const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
      checkOutputFlags(values, storeFile);
      const inputs = loadCandidates('record', positionals, values, USAGE);
      // Validate the store before spending time measuring; a bad store is never rewritten.
      const store = readStoreFile(storeFile, { allowMissing: true });
      const { report, updates } = await runRecord(
        store,
        inputs.map((c) => ({ config: c.config, file: c.file, ...(c.accuracy ? { accuracy: c.accuracy.top1, accuracySource: c.accuracy.source } : {}) })),
        { budgetSeconds, measure, storeFile, lacs: lacs ? {} : false },
        { measurer: deps.measurer(io, Boolean(values.verbose)), now: deps.now, commit: deps.commit?.() },
      );
      // Re-read under the lock and apply our updates: whatever another writer added meanwhile stays.
      await updateStoreFile(storeFile, (current) => applyRecordUpdates(current, updates));
      emitReport(values, io, report);
      return 0;
    },
  };
}

export const command: Command = makeRecordCommand(defaultCliDeps);
