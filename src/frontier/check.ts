/**
 * check: a candidate against the stored frontier, re-measured side by side. Pure with respect to files: it
 * takes a store object and a Measurer and returns a typed report (rendered by src/report). The stored
 * models to measure come from ./select.ts; the verdict, the rows' words and every frontier mark come from
 * the one band rule (./position.ts on measure/band.ts). LACS for a `family: base` candidate is composed
 * beside it by the command (src/commands/gate-lacs.ts), never part of the verdict.
 */
import { EXIT, UserError } from '../errors';
import { change, invert } from '../measure/band';
import type { MeasureOptions, Target } from '../measure/types';
import { checkStoredConfig, measurementOf, type GateDeps } from './measuring';
import { isUnavailable, modelCounter, modelInput, storedModel, type GateModel, type Unavailable } from './models';
import { accuracyGap, latencyGap, type AccuracyGap, type LatencyGap } from './pareto';
import { frontierStatuses, separationOf, type FrontierStatus, type Separation } from './position';
import { CONTENDER_SPREAD, DEFAULT_NEIGHBORS, selectionEstimate, selectModels, type Skipped } from './select';
import type { FrontierRecord, FrontierStore, Provenance, StoredOnnx } from './store';
import { ACCURACY_EPSILON, decide, DEFAULT_TOLERANCES, slowerBy, worstVerdict, type Verdict } from './verdict';

export interface CheckCandidate {
  model: GateModel;
  file?: string;
  /** Overrides the config's accuracy (from --accuracy, --metrics or a model card). */
  accuracy?: number;
  accuracySource?: string;
  /** The dataset the source states (a model card), shown beside the source. */
  accuracyDataset?: string | null;
}

export interface CheckOptions {
  latencyTolerance: number;
  accuracyTolerance: number;
  neighbors: number;
  /** Timed-phase budget per candidate, seconds. */
  budgetSeconds: number;
  /** Report latency position only; no accuracy verdict (and no accuracy needed). */
  latencyOnly?: boolean;
  /** Inconclusive fails the gate (exit 1). */
  strict?: boolean;
  /** Passed through to the measurer (ep, batch, precision, threads, seed...). */
  measure?: Partial<MeasureOptions>;
  /** Path of the store, for the report only. */
  storeFile?: string;
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
  latencyTolerance: DEFAULT_TOLERANCES.latency,
  accuracyTolerance: DEFAULT_TOLERANCES.accuracy,
  neighbors: DEFAULT_NEIGHBORS,
  budgetSeconds: 20,
};

export interface ModelRow {
  name: string;
  provenance: Provenance;
  /** contender: at least as accurate as the candidate minus the accuracy tolerance (it could dominate); neighbour: the rest. */
  role: 'candidate' | 'contender' | 'neighbour';
  accuracy: number | null;
  latency_ms: number;
  ci95_ms: [number, number];
  /** median(model) / median(candidate) with its 95% CI; absent for the candidate. */
  ratio?: number;
  ratio_ci95?: [number, number];
  /** The candidate against this model: candidate / model - 1 (> 0: the candidate is slower), its CI, and what the CI proves. */
  slower_by?: number;
  slower_by_ci95?: [number, number];
  separation?: Separation;
  /** As accurate as the candidate within the accuracy tolerance: a model that could dominate it. */
  as_accurate?: boolean;
  /** Place on the frontier of the models measured in this run (see FrontierStatus); on_frontier = frontier === 'on'. */
  frontier: FrontierStatus;
  on_frontier: boolean;
  params: number;
  macs: number;
  intensity: number;
  samples: number;
}

export interface CandidateResult {
  name: string;
  file?: string;
  provenance: Provenance;
  /** An .onnx candidate: its repository path, inputs as measured and how their symbolic dims were fixed. */
  onnx?: Pick<StoredOnnx, 'path' | 'input' | 'fixed' | 'precision' | 'opset' | 'producer'> & { partial: StoredOnnx['counts']['partial'] };
  verdict: Verdict;
  /** The candidate's own place on the frontier of this run, from its verdict (see FrontierStatus). */
  frontier: FrontierStatus;
  /** The best top-1 among the stored models (other than the candidate's previous version); null when none has one. */
  store_best_accuracy: number | null;
  /** One sentence saying why (plain text). */
  reason: string;
  latency_only: boolean;
  accuracy: number | null;
  accuracy_source: string | null;
  /** The dataset the accuracy is on, when its source states one (a config, a model card, a published result). */
  accuracy_dataset: string | null;
  latency_ms: number;
  ci95_ms: [number, number];
  params: number;
  macs: number;
  intensity: number;
  dominated_by?: { name: string; accuracy: number; ratio: number; ci95: [number, number]; slower_by: number; slower_by_ci95: [number, number] };
  undecided: string[];
  /**
   * Stored models at least as accurate (contenders by the rule) that were not re-measured, fastest stored
   * first, at most SKIPPED_LISTED; skipped_total counts them all. Stored latencies decide only this.
   */
  skipped: Skipped[];
  skipped_total: number;
  /** Stored .onnx models the selection picked whose file is missing, changed or an LFS pointer at this commit: not measured. */
  unavailable: Unavailable[];
  /** Distance to the frontier of this run's measurements, both ways, from the medians (the report states ModelRow.separation instead). */
  distance: { latency?: LatencyGap; accuracy?: AccuracyGap };
  models: ModelRow[];
  budget_exhausted: boolean;
  rounds: number;
  wall_s: number;
}

export interface CheckReport {
  command: 'check';
  verdict: Verdict;
  /** 0 pass/new-frontier/inconclusive, 1 dominated (or inconclusive with strict). */
  exitCode: number;
  target: { key: string; label: string };
  settings: { latency_tolerance: number; accuracy_tolerance: number; neighbors: number; budget_s: number; strict: boolean; latency_only: boolean; store?: string };
  /** How the re-measured models were chosen: stored latencies of one target (ranking only), or MACs. */
  selection: {
    ranked_by: 'stored-latency' | 'macs';
    reference_target?: string;
    /** Contenders whose proxy latency is within this factor of the fastest one's are re-measured (CONTENDER_SPREAD). */
    contender_spread: number;
  };
  candidates: CandidateResult[];
}

function setFrontier(row: ModelRow, status: FrontierStatus): void {
  row.frontier = status;
  row.on_frontier = status === 'on';
}

function describeNoAccuracy(c: CheckCandidate): string {
  const where = c.file ? `${c.file}: ` : '';
  if (c.model.onnx) {
    return (
      `${where}candidate ${JSON.stringify(c.model.name)} has no accuracy: put a model card (README.md with model-index) beside it, ` +
      'pass --model-card FILE, --accuracy <percent>, or --metrics FILE --metrics-key a.b.c; or use --latency-only for a latency position without an accuracy verdict'
    );
  }
  return (
    `${where}candidate ${JSON.stringify(c.model.name)} has no accuracy: add "accuracy: {top1: <percent>}" to the config, ` +
    'pass --accuracy <percent>, or --metrics FILE --metrics-key a.b.c; or use --latency-only for a latency position without an accuracy verdict'
  );
}

/**
 * Candidates of one check: each is measured beside its own contenders (about the budget each), so a PR
 * that changes hundreds of configs would hold a runner for hours. Documented in the README (Limits).
 */
export const MAX_CHECK_CANDIDATES = 100;

/** Refuses more candidates than one check takes (exit 2), before anything is read or measured. */
export function checkCandidateCount(n: number, where = 'check'): void {
  if (n > MAX_CHECK_CANDIDATES) {
    throw new UserError(`${where}: ${n} candidate configs; allowed: at most ${MAX_CHECK_CANDIDATES} in one check (MAX_CHECK_CANDIDATES): check them in several runs, or narrow the configs glob`);
  }
}

/** The candidate's accuracy, where it comes from and its dataset (flags and cards first, then the config's own). */
function candidateAccuracy(c: CheckCandidate): { top1: number; source: string; dataset: string | null } | undefined {
  const own = c.model.config?.accuracy;
  if (c.accuracy !== undefined) return { top1: c.accuracy, source: c.accuracySource ?? '--accuracy', dataset: c.accuracyDataset ?? null };
  if (!own) return undefined;
  const what = c.model.provenance === 'published' ? 'the published result' : 'the config';
  return { top1: own.top1, source: own.source ? `${what} (its source: ${own.source})` : what, dataset: own.dataset ?? null };
}

/**
 * The stored models to measure beside a candidate (./select.ts), each as a model to measure: a stored .onnx
 * model whose file is not at hand with its recorded bytes is set aside and the selection made again without it.
 */
function selectAvailable(
  records: readonly FrontierRecord[], candidate: Parameters<typeof selectModels>[1], opts: Parameters<typeof selectModels>[2],
  estimate: Parameters<typeof selectModels>[3], files: GateDeps['files'],
) {
  const unavailable: Unavailable[] = [];
  const known = new Map<string, GateModel>();
  for (;;) {
    const pool = records.filter((r) => !unavailable.some((u) => u.name === r.name));
    const selection = selectModels(pool, candidate, opts, estimate);
    let missing = false;
    for (const s of selection.models) {
      if (known.has(s.record.name)) continue;
      const m = storedModel(s.record, files);
      if (isUnavailable(m)) {
        unavailable.push(m);
        missing = true;
      } else known.set(s.record.name, m);
    }
    if (!missing) return { selection, models: selection.models.map((s) => known.get(s.record.name)!), unavailable };
  }
}

export async function runCheck(store: FrontierStore, candidates: readonly CheckCandidate[], options: Partial<CheckOptions>, deps: GateDeps): Promise<CheckReport> {
  const opts: CheckOptions = { ...DEFAULT_CHECK_OPTIONS, ...options };
  if (!candidates.length) throw new UserError('check: give at least one candidate config or .onnx model');
  checkCandidateCount(candidates.length);
  const names = new Set<string>();
  for (const c of candidates) {
    if (names.has(c.model.name)) throw new UserError(`check: two candidates are named ${JSON.stringify(c.model.name)}; names must differ`);
    names.add(c.model.name);
    if (!opts.latencyOnly && !candidateAccuracy(c)) throw new UserError(describeNoAccuracy(c));
  }
  const countsOf = modelCounter(opts.measure?.precision ?? 'fp32');
  const estimate = selectionEstimate(store.records, (r) => checkStoredConfig(r, opts.storeFile).macs);
  const results: CandidateResult[] = [];
  let target: Target | undefined;
  for (const [index, c] of candidates.entries()) {
    if (index > 0) deps.onItem?.(index, candidates.length, candidates[index - 1].model.name);
    const name = c.model.name;
    const resolved = opts.latencyOnly ? undefined : candidateAccuracy(c);
    const accuracy = resolved?.top1 ?? null;
    const candStats = countsOf(c.model);
    const { selection, models: selected, unavailable } = selectAvailable(store.records, { name, accuracy, macs: candStats.macs }, opts, estimate, deps.files);
    const inputs = [modelInput(c.model), ...selected.map(modelInput)];
    // The stopping rule judges the candidate (first) against each model, with the verdict's band.
    const result = await deps.measurer.measure(inputs, { ...opts.measure, budgetSeconds: opts.budgetSeconds, band: opts.latencyTolerance, bandSubject: 'first' });
    target ??= result.target;
    const candM = measurementOf(result, name);

    const rows: ModelRow[] = [];
    const row = (m: GateModel, role: ModelRow['role'], acc: number | null): ModelRow => {
      const measured = measurementOf(result, m.name);
      const s = countsOf(m);
      const ratio = result.ratios.find((r) => r.model === m.name);
      return {
        name: m.name, provenance: m.provenance, role, accuracy: acc, latency_ms: measured.median_ms, ci95_ms: measured.ci95_ms,
        ...(ratio ? { ratio: ratio.ratio, ratio_ci95: ratio.ci95 } : {}),
        // candidate / model - 1: the band's r - 1, and its band as the row's words.
        ...(ratio ? { slower_by: slowerBy(ratio.ratio), slower_by_ci95: change(invert(ratio.ci95)), separation: separationOf(ratio.ci95, opts.latencyTolerance) } : {}),
        ...(ratio && accuracy !== null ? { as_accurate: acc !== null && acc >= accuracy - opts.accuracyTolerance - ACCURACY_EPSILON } : {}),
        frontier: 'unrated', on_frontier: false, params: s.params, macs: s.macs, intensity: s.intensity, samples: measured.samples,
      };
    };
    rows.push(row(c.model, 'candidate', accuracy));
    // The role is the documented rule, decided on accuracy alone: every measured model at least as accurate
    // (minus the tolerance) could dominate the candidate, whatever the stored-latency pre-filter picked it for.
    const roleOf = (acc: number | null): ModelRow['role'] =>
      accuracy !== null && acc !== null && acc >= accuracy - opts.accuracyTolerance - ACCURACY_EPSILON ? 'contender' : 'neighbour';
    selection.models.forEach((s, i) => rows.push(row(selected[i], roleOf(s.record.accuracy?.top1 ?? null), s.record.accuracy?.top1 ?? null)));
    const points = rows.filter((r) => r.accuracy !== null).map((r) => ({ name: r.name, accuracy: r.accuracy!, latency: r.latency_ms }));
    // The candidate's ratio to itself is exactly 1; a model without a ratio has no interval to compare.
    const status = frontierStatuses(
      rows.map((r) => ({ accuracy: r.accuracy, latency: r.role === 'candidate' ? ([1, 1] as const) : r.ratio_ci95 })),
      { latency: opts.latencyTolerance, accuracy: opts.accuracyTolerance },
    );
    rows.forEach((r, i) => setFrontier(r, status[i]));

    const onnx = c.model.onnx;
    const base = {
      name, ...(c.file ? { file: c.file } : {}), provenance: c.model.provenance,
      ...(onnx ? { onnx: { path: onnx.path, input: onnx.input, fixed: onnx.fixed, precision: onnx.precision, opset: onnx.opset, producer: onnx.producer, partial: onnx.counts.partial } } : {}),
      accuracy, accuracy_source: resolved?.source ?? null, accuracy_dataset: resolved?.dataset ?? null, latency_ms: candM.median_ms, ci95_ms: candM.ci95_ms,
      params: candStats.params, macs: candStats.macs, intensity: candStats.intensity, models: rows,
      skipped: selection.skipped, skipped_total: selection.skipped_total, unavailable,
      budget_exhausted: result.budget_exhausted, rounds: result.rounds, wall_s: result.wall_s,
    };
    const others = store.records.filter((r) => r.name !== name && r.accuracy).map((r) => r.accuracy!.top1);
    const storeBest = others.length ? Math.max(...others) : null;
    if (accuracy === null) {
      results.push({
        ...base, verdict: 'pass', frontier: 'unrated', store_best_accuracy: storeBest, latency_only: true, undecided: [], distance: {},
        reason: 'latency only: position beside its neighbours, no verdict on accuracy',
      });
      continue;
    }
    const comparisons = rows.filter((r) => r.role !== 'candidate' && r.ratio !== undefined).map((r) => ({ name: r.name, accuracy: r.accuracy, ratio: r.ratio!, ci95: r.ratio_ci95! }));
    const tolerances = { latency: opts.latencyTolerance, accuracy: opts.accuracyTolerance };
    const decision = decide(accuracy, comparisons, tolerances, storeBest);
    const candPoint = { name, accuracy, latency: candM.median_ms };
    // The candidate's star is its pairwise status: the verdict's rule on the same intervals.
    const own = rows[0].frontier;
    results.push({
      ...base, verdict: decision.verdict, frontier: own, store_best_accuracy: storeBest, reason: decision.reason, latency_only: false, undecided: decision.undecided,
      ...(decision.dominatedBy ? { dominated_by: decision.dominatedBy } : {}),
      distance: { latency: latencyGap(candPoint, points), accuracy: accuracyGap(candPoint, points) },
    });
  }
  const verdict = worstVerdict(results.map((r) => r.verdict));
  const exitCode = verdict === 'dominated' || (verdict === 'inconclusive' && opts.strict) ? EXIT.GATE_FAILED : EXIT.OK;
  return {
    command: 'check', verdict, exitCode,
    target: { key: target!.key, label: target!.label },
    settings: {
      latency_tolerance: opts.latencyTolerance, accuracy_tolerance: opts.accuracyTolerance, neighbors: opts.neighbors,
      budget_s: opts.budgetSeconds, strict: !!opts.strict, latency_only: !!opts.latencyOnly, ...(opts.storeFile ? { store: opts.storeFile } : {}),
    },
    selection: {
      ...(estimate.referenceTarget ? { ranked_by: 'stored-latency', reference_target: estimate.referenceTarget } : { ranked_by: 'macs' }),
      contender_spread: CONTENDER_SPREAD,
    },
    candidates: results,
  };
}
