import { numberFlag, parseFlags } from '../cliargs';
import { ACCURACY_FLAGS, budgetFlag, defaultCliDeps, emitReport, LACS_FLAGS, lacsFlag, loadCandidates, MEASURE_FLAGS, measureOptions, OUTPUT_FLAGS, checkOutputFlags, storeFlag, type CliDeps } from '../frontier/cli';
import { DEFAULT_CHECK_OPTIONS, runCheck } from '../frontier/gate';
import { DEFAULT_STORE_PATH, readStoreFile } from '../frontier/store';
import type { Command } from './types';

const USAGE =
  'frontier-gate check <config.yaml>... [--frontier .frontier/frontier.json] [--target auto|cpu|cuda|tensorrt] ' +
  '[--latency-tolerance 0.03] [--accuracy-tolerance 0.1] [--neighbors 3] [--budget 20] ' +
  '[--accuracy PERCENT | --metrics FILE --metrics-key a.b.c | --latency-only] [--strict] [--json] ' +
  '[--report FILE.md] [--json-report FILE.json] [--batch N] [--precision fp32|fp16] [--threads N] [--seed N] [--verbose] ' +
  '[--lacs | --no-lacs] (LACS on by default for configs with family: base)';

const SUMMARY =
  'judge candidate configs against the stored frontier, re-measured side by side on this machine ' +
  '(exit 0 pass/new-frontier/inconclusive, 1 dominated or inconclusive with --strict, 2 bad input)';

export function makeCheckCommand(deps: CliDeps): Command {
  return {
    name: 'check',
    summary: SUMMARY,
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseFlags('check', argv, {
        ...MEASURE_FLAGS, ...ACCURACY_FLAGS, ...OUTPUT_FLAGS, ...LACS_FLAGS,
        'latency-tolerance': { type: 'string' },
        'accuracy-tolerance': { type: 'string' },
        neighbors: { type: 'string' },
        'latency-only': { type: 'boolean' },
        strict: { type: 'boolean' },
      }, USAGE);
      // Every flag and file is checked before anything is measured.
      const options = {
        latencyTolerance: numberFlag(values, 'latency-tolerance', DEFAULT_CHECK_OPTIONS.latencyTolerance, { min: 0, max: 1 }),
        accuracyTolerance: numberFlag(values, 'accuracy-tolerance', DEFAULT_CHECK_OPTIONS.accuracyTolerance, { min: 0, max: 100 }),
        neighbors: numberFlag(values, 'neighbors', DEFAULT_CHECK_OPTIONS.neighbors, { min: 0, max: 50, integer: true }),
        budgetSeconds: budgetFlag(values, DEFAULT_CHECK_OPTIONS.budgetSeconds),
        latencyOnly: Boolean(values['latency-only']),
        strict: Boolean(values.strict),
        measure: measureOptions(values),
        lacs: lacsFlag(values) ? {} : (false as const),
      };
      const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
      checkOutputFlags(values);
      const candidates = loadCandidates('check', positionals, values, USAGE);
      const store = readStoreFile(storeFile);
      const report = await runCheck(
        store,
        candidates.map((c) => ({ config: c.config, file: c.file, ...(c.accuracy ? { accuracy: c.accuracy.top1, accuracySource: c.accuracy.source } : {}) })),
        { ...options, storeFile },
        { measurer: deps.measurer(io, Boolean(values.verbose)), now: deps.now, commit: deps.commit?.() },
      );
      emitReport(values, io, report);
      return report.exitCode;
    },
  };
}

export const command: Command = makeCheckCommand(defaultCliDeps);
