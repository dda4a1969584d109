import { UserError } from '../errors';
import { checkCandidateCount, DEFAULT_CHECK_OPTIONS, runCheck, type CheckOptions } from '../frontier/check';
import type { AccuracyFlags } from '../frontier/accuracy';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import type { CheckResult } from '../report/result';
import { chartFiles, chartFlag, writeCheckCharts } from './chart-files';
import {
  ACCURACY_FLAGS, accuracyFlags, budgetFlag, gateCandidate, LACS_FLAGS, lacsFlag, loadCandidates, MEASURE_FLAGS, measureOptions, modelKind, numberFlag, ONNX_FLAGS,
  REPORT_FLAGS, resolutionFlag, STORE_FLAG, storeFlag,
} from './flags';
import { checkWithLacs, type GateLacsOption } from './gate-lacs';
import type { Command } from './types';

export interface CheckArgs {
  /** The store (--frontier), read through the context. */
  storeFile: string;
  /** The candidate configs and .onnx models, loaded through the context. */
  files: string[];
  /** .onnx candidates: the size their symbolic spatial dims are fixed to (--resolution). */
  resolution?: number;
  accuracy: AccuracyFlags;
  options: CheckOptions;
  /** --lacs / --no-lacs: LACS beside the verdict for `family: base` candidates (./gate-lacs.ts). */
  lacs: GateLacsOption;
  /** --chart FILE.svg: the frontier chart of each candidate. */
  chart?: string;
}

export const command: Command<CheckArgs, CheckResult> = {
  name: 'check',
  summary:
    'judge candidate configs and .onnx models against the stored frontier, re-measured side by side on this machine ' +
    '(exit 0 pass/new-frontier/inconclusive, 1 dominated or inconclusive with --strict, 2 bad input)',
  args: '<config.yaml|model.onnx>...',
  flags: {
    ...STORE_FLAG,
    'latency-tolerance': { type: 'string', value: 'FRACTION', default: DEFAULT_CHECK_OPTIONS.latencyTolerance, help: 'a stored model must be faster by more than this to dominate' },
    'accuracy-tolerance': { type: 'string', value: 'POINTS', default: DEFAULT_CHECK_OPTIONS.accuracyTolerance, help: 'top-1 points within which a stored model counts as as accurate' },
    neighbors: { type: 'string', value: 'N', default: DEFAULT_CHECK_OPTIONS.neighbors, help: 'frontier neighbours re-measured beside the candidate' },
    budget: { type: 'string', value: 'SECONDS', default: DEFAULT_CHECK_OPTIONS.budgetSeconds, help: 'measurement budget per candidate' },
    ...ACCURACY_FLAGS,
    'latency-only': { type: 'boolean', help: 'report the latency position only, no accuracy verdict' },
    strict: { type: 'boolean', help: 'inconclusive fails the gate (exit 1)' },
    ...LACS_FLAGS,
    ...MEASURE_FLAGS,
    ...ONNX_FLAGS,
    ...REPORT_FLAGS,
    chart: { type: 'string', value: 'FILE.svg', help: 'also write the frontier chart as SVG (several candidates: FILE-<name>.svg)' },
  },
  parse(values, positionals) {
    checkCandidateCount(positionals.length);
    const storeFile = storeFlag(values, DEFAULT_STORE_PATH);
    const options: CheckOptions = {
      latencyTolerance: numberFlag(values, 'latency-tolerance', DEFAULT_CHECK_OPTIONS.latencyTolerance, { min: 0, max: 1 }),
      accuracyTolerance: numberFlag(values, 'accuracy-tolerance', DEFAULT_CHECK_OPTIONS.accuracyTolerance, { min: 0, max: 100 }),
      neighbors: numberFlag(values, 'neighbors', DEFAULT_CHECK_OPTIONS.neighbors, { min: 0, max: 50, integer: true }),
      budgetSeconds: budgetFlag(values, DEFAULT_CHECK_OPTIONS.budgetSeconds),
      latencyOnly: Boolean(values['latency-only']),
      strict: Boolean(values.strict),
      measure: measureOptions(values),
      storeFile,
    };
    if (!positionals.length) throw new UserError('check: no config or .onnx model given');
    positionals.forEach(modelKind);
    const chart = chartFlag(values.chart);
    const resolution = resolutionFlag(values);
    return {
      storeFile, files: [...positionals], ...(resolution !== undefined ? { resolution } : {}), accuracy: accuracyFlags(values, positionals.length), options,
      lacs: lacsFlag(values) ? {} : false, ...(chart ? { chart } : {}),
    };
  },
  async run(args, ctx) {
    // Everything that can fail on its input fails before anything is measured.
    const candidates = (await loadCandidates(args.files, args.accuracy, ctx, { batch: args.options.measure?.batch, resolution: args.resolution })).map(gateCandidate);
    const charts = args.chart ? chartFiles(args.chart, candidates.map((c) => c.model.name)) : [];
    for (const f of charts) ctx.files.checkOutput(f, { what: '--chart', named: charts.length === 1 });
    const store = await ctx.files.store(args.storeFile).read();
    // Several candidates: one progress line over them, beside each measurement's own.
    const task = candidates.length > 1 ? ctx.progress.start(`checking ${candidates.length} candidates`, candidates.length, 'models') : undefined;
    const deps = {
      measurer: ctx.measurer(), now: ctx.now, commit: ctx.commit(), files: { root: ctx.files.root() },
      onItem: (done: number, _total: number, name: string) => task?.update(done, name),
    };
    const report = await runCheck(store, candidates, args.options, deps);
    task?.end(`${candidates.length} candidates checked`);
    const result = await checkWithLacs(report, store, candidates, { lacs: args.lacs, measure: args.options.measure }, deps);
    await writeCheckCharts(args.chart, result, ctx);
    return result;
  },
};
