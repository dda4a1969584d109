import { numberFlag, parseFlags } from '../cliargs';
import { budgetFlag, defaultCliDeps, emitReport, MEASURE_FLAGS, measureOptions, OUTPUT_FLAGS, checkOutputFlags, storeFlag, type CliDeps } from '../frontier/cli';
import { applyRecordUpdates, runSweep } from '../frontier/gate';
import { DEFAULT_STORE_PATH, readStoreFile, updateStoreFile } from '../frontier/store';
import { UserError } from '../errors';
import type { Command } from './types';

const USAGE =
  'frontier-gate sweep [--frontier .frontier/frontier.json] [--latency-tolerance 0.03] [--budget 60] [--dry-run] ' +
  '[--target auto|cpu|cuda|tensorrt] [--json] [--report FILE.md] [--json-report FILE.json] [--batch N] [--precision fp32|fp16] [--threads N] [--verbose]';

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
      }, USAGE);
      if (positionals.length) throw new UserError(`frontier-gate sweep: takes no configs (it re-measures the store's records), got ${JSON.stringify(positionals[0])}\nusage: ${USAGE}`);
      const latencyTolerance = numberFlag(values, 'latency-tolerance', 0.03, { min: 0, max: 1 });
      const budgetSeconds = budgetFlag(values, 60);
      const measure = measureOptions(values);
      const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
      checkOutputFlags(values, values['dry-run'] ? undefined : storeFile);
      const store = readStoreFile(storeFile);
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
