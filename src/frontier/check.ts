/**
 * check: a candidate against the stored frontier, re-measured side by side. Pure with respect to files: it
 * takes a store object and a Measurer and returns a typed report (rendered by src/report). The stored
 * models to measure come from ./select.ts; the verdict, the rows' words and every frontier mark come from
 * the one band rule (./position.ts on measure/band.ts). LACS for a `family: base` candidate is composed
 * beside it by the command (src/commands/gate-lacs.ts), never part of the verdict.
 */
import { countConfig } from '../arch/counts';
import type { ArchConfig } from '../arch/types';
import { EXIT, UserError } from '../errors';
import { change, invert } from '../measure/band';
import type { MeasureOptions, Target } from '../measure/types';
import { checkStoredConfig, configInput, measurementOf, type GateDeps } from './measuring';
import { accuracyGap, latencyGap, type AccuracyGap, type LatencyGap } from './pareto';
import { frontierStatuses, separationOf, type FrontierStatus, type Separation } from './position';
import { CONTENDER_SPREAD, DEFAULT_NEIGHBORS, selectionEstimate, selectModels, type Skipped } from './select';
import { configHash, type FrontierStore } from './store';
import { ACCURACY_EPSILON, decide, DEFAULT_TOLERANCES, slowerBy, worstVerdict, type Verdict } from './verdict';

export interface CheckCandidate {
  config: ArchConfig;
  file?: string;
  /** Overrides config.accuracy (from --accuracy or --metrics). */
  accuracy?: number;
  accuracySource?: string;
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
  return (
    `${where}candidate ${JSON.stringify(c.config.name)} has no accuracy: add "accuracy: {top1: <percent>}" to the config, ` +
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

export async function runCheck(store: FrontierStore, candidates: readonly CheckCandidate[], options: Partial<CheckOptions>, deps: GateDeps): Promise<CheckReport> {
  const opts: CheckOptions = { ...DEFAULT_CHECK_OPTIONS, ...options };
  if (!candidates.length) throw new UserError('check: give at least one candidate config');
  checkCandidateCount(candidates.length);
  const names = new Set<string>();
  for (const c of candidates) {
    if (names.has(c.config.name)) throw new UserError(`check: two candidates are named ${JSON.stringify(c.config.name)}; names must differ`);
    names.add(c.config.name);
    if (!opts.latencyOnly && c.accuracy === undefined && c.config.accuracy === undefined) throw new UserError(describeNoAccuracy(c));
  }
  const statsCache = new Map<string, ReturnType<typeof countConfig>>();
  const statsOf = (config: ArchConfig) => {
    const key = configHash(config);
    let s = statsCache.get(key);
    if (!s) statsCache.set(key, (s = countConfig(config, opts.measure?.precision ?? 'fp32')));
    return s;
  };
  const estimate = selectionEstimate(store.records, (r) => checkStoredConfig(r, opts.storeFile).macs);
  const results: CandidateResult[] = [];
  let target: Target | undefined;
  for (const [index, c] of candidates.entries()) {
    if (index > 0) deps.onItem?.(index, candidates.length, candidates[index - 1].config.name);
    const accuracy = opts.latencyOnly ? null : (c.accuracy ?? c.config.accuracy!.top1);
    const accuracySource = opts.latencyOnly ? null : c.accuracy !== undefined ? (c.accuracySource ?? '--accuracy') : (c.config.accuracy?.source ? `the config (its source: ${c.config.accuracy.source})` : 'the config');
    const candStats = statsOf(c.config);
    const selection = selectModels(store.records, { name: c.config.name, accuracy, macs: candStats.macs }, opts, estimate);
    const selected = selection.models;
    const inputs = [configInput(c.config.name, c.config), ...selected.map((s) => configInput(s.record.name, s.record.config))];
    // The stopping rule judges the candidate (first) against each model, with the verdict's band.
    const result = await deps.measurer.measure(inputs, { ...opts.measure, budgetSeconds: opts.budgetSeconds, band: opts.latencyTolerance, bandSubject: 'first' });
    target ??= result.target;
    const candM = measurementOf(result, c.config.name);

    const rows: ModelRow[] = [];
    const row = (name: string, role: ModelRow['role'], acc: number | null, config: ArchConfig): ModelRow => {
      const m = measurementOf(result, name);
      const s = statsOf(config);
      const ratio = result.ratios.find((r) => r.model === name);
      return {
        name, role, accuracy: acc, latency_ms: m.median_ms, ci95_ms: m.ci95_ms,
        ...(ratio ? { ratio: ratio.ratio, ratio_ci95: ratio.ci95 } : {}),
        // candidate / model - 1: the band's r - 1, and its band as the row's words.
        ...(ratio ? { slower_by: slowerBy(ratio.ratio), slower_by_ci95: change(invert(ratio.ci95)), separation: separationOf(ratio.ci95, opts.latencyTolerance) } : {}),
        ...(ratio && accuracy !== null ? { as_accurate: acc !== null && acc >= accuracy - opts.accuracyTolerance - ACCURACY_EPSILON } : {}),
        frontier: 'unrated', on_frontier: false, params: s.params, macs: s.macs, intensity: s.intensity, samples: m.samples,
      };
    };
    rows.push(row(c.config.name, 'candidate', accuracy, c.config));
    // The role is the documented rule, decided on accuracy alone: every measured model at least as accurate
    // (minus the tolerance) could dominate the candidate, whatever the stored-latency pre-filter picked it for.
    const roleOf = (acc: number | null): ModelRow['role'] =>
      accuracy !== null && acc !== null && acc >= accuracy - opts.accuracyTolerance - ACCURACY_EPSILON ? 'contender' : 'neighbour';
    for (const s of selected) rows.push(row(s.record.name, roleOf(s.record.accuracy?.top1 ?? null), s.record.accuracy?.top1 ?? null, s.record.config));
    const points = rows.filter((r) => r.accuracy !== null).map((r) => ({ name: r.name, accuracy: r.accuracy!, latency: r.latency_ms }));
    // The candidate's ratio to itself is exactly 1; a model without a ratio has no interval to compare.
    const status = frontierStatuses(
      rows.map((r) => ({ accuracy: r.accuracy, latency: r.role === 'candidate' ? ([1, 1] as const) : r.ratio_ci95 })),
      { latency: opts.latencyTolerance, accuracy: opts.accuracyTolerance },
    );
    rows.forEach((r, i) => setFrontier(r, status[i]));

    const base = {
      name: c.config.name, ...(c.file ? { file: c.file } : {}),
      accuracy, accuracy_source: accuracySource, latency_ms: candM.median_ms, ci95_ms: candM.ci95_ms,
      params: candStats.params, macs: candStats.macs, intensity: candStats.intensity, models: rows,
      skipped: selection.skipped, skipped_total: selection.skipped_total,
      budget_exhausted: result.budget_exhausted, rounds: result.rounds, wall_s: result.wall_s,
    };
    const others = store.records.filter((r) => r.name !== c.config.name && r.accuracy).map((r) => r.accuracy!.top1);
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
    const candPoint = { name: c.config.name, accuracy, latency: candM.median_ms };
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
