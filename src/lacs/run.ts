/**
 * LACS (latency-aware compound scaling, EfficientNet-X): search the compound-scaling coefficients
 * (alpha, beta, gamma) for depth, width and resolution with latency measured on this target.
 *
 * Each grid candidate's phi = 1 model is scale(base, {depth: alpha, width: beta, resolution: gamma}) and
 * is scored with the MnasNet-style reward ACC * (LAT / TARGET)^w. Latencies are ratios to the base
 * measured in the same interleaved call, times the base's median, so machine drift between calls cancels.
 *
 * Measurement plan (budgets in LacsOptions):
 *   1. reference: the base and EfficientNet's phi = 1 model, interleaved;
 *   2. screen: every distinct remaining network (after the analytic filters and dedupe by config hash,
 *      and minus cache hits) in chunks of `chunkSize`, each chunk interleaved with the base;
 *   3. refine: the `refineTop` best by screened objective, re-measured beside the base and EfficientNet's
 *      model in one call, so the winner and the reference are compared on the same measurements;
 *   4. family: the chosen family phi = 0..N and the frontier models, measured beside the base in one
 *      interleaved call; networks already measured (the base, the chosen phi = 1 model, a frontier model
 *      that is one of them) are not measured again, so every model has one latency in the result.
 *
 * Accuracy comes from a table of trained results, a scaling-law predictor fitted on the base's own family
 * (used only when it passes its thresholds), or nowhere. Only candidates whose accuracy is known, or
 * predicted inside the range the predictor was fitted on, can be chosen; predicted values are ranked at
 * their lower bound (prediction - leave-one-out RMSE), so they never stand level with trained results.
 * When no candidate can be chosen, the result says so (decision.status 'none') and chooses nothing.
 *
 * The result is plain JSON-safe data; rendering is src/report/lacs.ts.
 */
import type { ArchConfig, ResourceLimits } from '../arch/types';
import { DEFAULT_LIMITS } from '../arch/types';
import { countConfig } from '../arch/counts';
import { scale } from '../arch/scale';
import { lower, ShapeError } from '../arch/lower';
import { checkResourceLimits } from '../arch/parse';
import { UserError } from '../errors';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, Target } from '../measure/types';
import {
  candidateGrid, compoundFactors, DEFAULT_GRID_STEP, DEFAULT_TOLERANCE, EFFICIENTNET_COEFFICIENTS, FLOPS_BUDGET,
  formatCoefficients, type Coefficients,
} from './grid';
import { configHash, networkHash } from '../arch/identity';
import {
  DEFAULT_PREDICTOR_THRESHOLDS, fitAccuracyPredictor, resolveAccuracy, type AccuracyKind, type AccuracyRecord, type AccuracyTable,
  type PredictorFit, type PredictorThresholds,
} from './accuracy';
import { MemoryCache, type MeasurementCache } from './cache';
import {
  DEFAULT_POSITION_TOLERANCE, frontierPosition, paretoFrontier, type FrontierPoint, type FrontierPosition, type PositionTolerance,
} from './position';

export interface LacsOptions {
  /** Family members phi = 0..phi are built, measured and written. */
  phi: number;
  gridStep: number;
  /** |alpha beta^2 gamma^2 - 2| <= tolerance. */
  tolerance: number;
  /** Reward exponent (MnasNet's soft constraint): objective = ACC * (LAT / TARGET)^w. */
  w: number;
  /** TARGET in ms; default: the measured latency of EfficientNet's phi = 1 model. */
  targetLatencyMs?: number;
  /**
   * Analytic filter: drop candidates whose realised MACs (after rounding repeats and channels) exceed
   * EfficientNet's phi = 1 model's by more than this fraction: rounding, not the budget, bought them.
   */
  macsSlack: number;
  limits: ResourceLimits;
  /** Passed to the measurer (provider, batch, precision, threads, seed...). Budgets are set per call. */
  measure: Partial<MeasureOptions>;
  referenceSeconds: number;
  /** Timed budget per screened candidate. */
  screenSeconds: number;
  /** Candidates per interleaved screening call (plus the base). */
  chunkSize: number;
  refineTop: number;
  /** At most this many refine calls (each re-measures the current top K beside the reference). */
  refineRounds: number;
  refineSeconds: number;
  familySeconds: number;
  position: PositionTolerance;
  /** When the accuracy predictor may be used to choose (in-sample R², leave-one-out RMSE). */
  predictor: PredictorThresholds;
  /**
   * When no candidate can be chosen (accuracy unknown), still measure every candidate to report its
   * latency (true, the standalone command) or stop before measuring (false, the PR gate's budget).
   */
  measureWithoutAccuracy: boolean;
}

export const DEFAULT_LACS_OPTIONS: LacsOptions = {
  phi: 3,
  gridStep: DEFAULT_GRID_STEP,
  tolerance: DEFAULT_TOLERANCE,
  w: -0.07,
  macsSlack: 0.15,
  limits: DEFAULT_LIMITS,
  measure: {},
  referenceSeconds: 8,
  screenSeconds: 1.5,
  chunkSize: 5,
  refineTop: 3,
  refineRounds: 3,
  refineSeconds: 16,
  familySeconds: 20,
  position: DEFAULT_POSITION_TOLERANCE,
  predictor: DEFAULT_PREDICTOR_THRESHOLDS,
  measureWithoutAccuracy: true,
};

/** A frontier model: measured in the family call when `model` is given, else taken at `latency_ms`. */
export interface FrontierInput {
  name: string;
  accuracy: number;
  latency_ms?: number;
  model?: ModelInput;
}

export interface LacsDeps {
  measurer: Measurer;
  accuracyTable?: AccuracyTable;
  /** Trained records ({config, top1}) for the accuracy predictor. */
  records?: AccuracyRecord[];
  cache?: MeasurementCache;
  frontier?: FrontierInput[];
  log?: (message: string) => void;
  now?: () => number;
}

export type CandidateStatus = 'measured' | 'cached' | 'same-network' | 'filtered-macs' | 'filtered-limits' | 'shape-error';
export type LatencySource = 'reference' | 'screen' | 'refine' | 'cache';

export interface ScoredCandidate extends Coefficients {
  product: number;
  within_tolerance: boolean;
  reference: boolean;
  name: string;
  network_hash: string;
  macs: number;
  params: number;
  /** Realised MACs / base MACs. */
  macs_ratio: number;
  /** Input resolution of the phi = 1 model. */
  resolution: number;
  /** The rounded resolution did not build (e.g. an odd size before space_to_depth); the nearest one that does was used. */
  resolution_snapped_from?: number;
  status: CandidateStatus;
  /** For same-network candidates: the coefficients whose measurement they share. */
  same_as?: string;
  filter_reason?: string;
  latency_ms?: number;
  /** LAT / base latency, interleaved. */
  ratio?: number;
  ratio_ci95?: [number, number];
  latency_source?: LatencySource;
  /** Absent when accuracy is unknown (no table entry, no usable predictor). */
  accuracy?: number;
  accuracy_kind?: AccuracyKind;
  /** A prediction outside the range of the predictor's data: reported, never chosen. */
  extrapolated?: boolean;
  /** May be chosen: known accuracy, or predicted within the predictor's range. */
  eligible: boolean;
  objective?: number;
  /**
   * What the choice ranks by: the objective for a known accuracy; for a predicted one, the objective at
   * the prediction's lower bound (prediction - leave-one-out RMSE). Absent for candidates that cannot be chosen.
   */
  rank_objective?: number;
}

export interface ChosenSummary extends Coefficients {
  objective: number;
  latency_ms: number;
  accuracy: number;
  accuracy_kind: AccuracyKind;
  network_hash: string;
}

/** EfficientNet's point: always measured; its accuracy (and so its objective) may be unknown. */
export interface ReferenceSummary extends Coefficients {
  objective: number | null;
  latency_ms: number | null;
  accuracy: number | null;
  accuracy_kind: AccuracyKind | 'unknown';
  extrapolated: boolean;
  network_hash: string;
}

/** What LACS decided and on what it rests. */
export interface LacsDecision {
  /** 'chosen': coefficients chosen; 'none': no candidate's accuracy is known well enough to choose. */
  status: 'chosen' | 'none';
  /** The chosen candidate's accuracy kind: a trained result or a prediction (null when nothing is chosen). */
  basis: AccuracyKind | null;
  /** One plain-text sentence: why nothing was chosen, or what the choice rests on. */
  reason: string;
  /** Candidates (distinct grid points scored) that could be chosen. */
  eligible: number;
  /** Candidates with a predicted accuracy outside the predictor's data: not chosen. */
  extrapolated: number;
  /** Candidates whose accuracy is unknown. */
  unknown: number;
  /** Candidates that ranked higher in screening only and were not confirmed by a refine call. */
  screened_only_higher: number;
}

/** Where accuracies came from. */
export interface LacsAccuracy {
  source: 'table' | 'predictor' | 'table+predictor' | 'none';
  table: { file: string; entries: number } | null;
  /** Trained records of the base's family and of other families (the latter never fitted). */
  records: { same_family: number; other_family: number };
  /** Every fit tried, richest first, with its thresholds and failures. */
  fits: PredictorFit[];
  /** Why no predictor is used (plain text); null when one is. */
  predictor_rejected: string | null;
}

export interface FamilyMember {
  phi: number;
  name: string;
  config: ArchConfig;
  network_hash: string;
  macs: number;
  params: number;
  /** Ratio to the base (measured interleaved) times the base's latency: the one number for this network. */
  latency_ms: number;
  ratio_ci95: [number, number];
  /** The call this network's latency came from ('family' for members first measured there). */
  latency_source: LatencySource | 'family';
  /** Null when neither the table nor a usable predictor covers the member. */
  accuracy: number | null;
  accuracy_kind: AccuracyKind | 'unknown';
  extrapolated: boolean;
  position: FrontierPosition | 'unknown';
  /** The frontier point it ties (on) or that dominates it (below). */
  position_vs?: string;
}

/** A frontier model as placed against the family: its one latency, on the same scale as the family's. */
export interface LacsFrontierPoint extends FrontierPoint {
  latency_source: LatencySource | 'family' | 'given';
  ratio_ci95?: [number, number];
}

/** The whole LACS result: plain JSON-safe data (the JSON report is this object). */
export interface LacsResult {
  /** latency_ms: the base's one latency, the scale every other latency is a ratio to (null when nothing was measured). */
  base: { name: string; network_hash: string; macs: number; params: number; latency_ms: number | null };
  /** The measurement target; null when nothing was measured (accuracy unknown and measureWithoutAccuracy off). */
  target: Target | null;
  w: number;
  target_latency_ms: number | null;
  target_source: 'efficientnet-phi1' | 'option';
  grid: { step: number; tolerance: number; flops_budget: number };
  decision: LacsDecision;
  /** Null when nothing was chosen (decision.status 'none'). */
  chosen: ChosenSummary | null;
  efficientnet: ReferenceSummary;
  /** Chosen objective / EfficientNet's objective; null when either is unknown. */
  improvement: number | null;
  /** phi = 0..N of the chosen coefficients; empty when nothing was chosen. */
  family: FamilyMember[];
  frontier: LacsFrontierPoint[];
  measured_candidates: number;
  counts: { grid: number; filtered_macs: number; filtered_limits: number; shape_errors: number; distinct_networks: number; cached: number; measured: number; refined: number };
  candidates: ScoredCandidate[];
  /** The fit used to predict accuracies; null when none is (see accuracy.fits for rejected ones). */
  predictor: PredictorFit | null;
  accuracy: LacsAccuracy;
  /** One line: how many accuracies came from where (stored with the coefficients). */
  accuracy_source: string;
  timing: { wall_s: number; screen_s: number; per_candidate_s: number; measure_calls: number; calls: MeasureCallSummary[] };
}

/** One measurement call, for reading a noisy run: budget vs wall time, rounds, the first model's median. */
export interface MeasureCallSummary {
  phase: 'reference' | 'screen' | 'refine' | 'family';
  models: number;
  budget_s: number;
  wall_s: number;
  rounds: number;
  budget_exhausted: boolean;
  /** The base's median in reference/screen/refine calls, phi = 0's in the family call. */
  first_median_ms?: number;
}

interface Latency {
  ratio: number;
  ci95: [number, number];
  median_ms: number;
  source: LatencySource;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export async function runLacs(base: ArchConfig, options: Partial<LacsOptions>, deps: LacsDeps): Promise<LacsResult> {
  const opts: LacsOptions = { ...DEFAULT_LACS_OPTIONS, ...options };
  validateOptions(opts);
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => undefined);
  const cache: MeasurementCache = deps.cache ?? new MemoryCache();
  const started = now();
  const calls: MeasureCallSummary[] = [];
  const measure = async (models: ModelInput[], budgetSeconds: number, phase: MeasureCallSummary['phase']): Promise<MeasureResult> => {
    const t0 = now();
    const result = await deps.measurer.measure(models, { slots: 1, ...opts.measure, budgetSeconds });
    calls.push({
      phase, models: models.length, budget_s: budgetSeconds, wall_s: (now() - t0) / 1000, rounds: result.rounds,
      budget_exhausted: result.budget_exhausted, first_median_ms: result.models[0]?.median_ms,
    });
    return result;
  };

  // --- candidates and analytic filters ---
  const baseStats = countConfig(base);
  const baseHash = networkHash(base);
  const grid = candidateGrid({ step: opts.gridStep, tolerance: opts.tolerance });
  const configs = new Map<ScoredCandidate, ArchConfig>();
  const candidates: ScoredCandidate[] = grid.map((g) => {
    const c: Coefficients = { alpha: g.alpha, beta: g.beta, gamma: g.gamma };
    const name = `${base.name}-lacs-a${round6(g.alpha)}-b${round6(g.beta)}-g${round6(g.gamma)}`;
    const { config, snappedFrom } = scaleBuildable(base, compoundFactors(c, 1), name);
    const row: ScoredCandidate = {
      ...c, product: g.product, within_tolerance: Math.abs(g.product - FLOPS_BUDGET) <= opts.tolerance + 1e-9, reference: g.reference,
      name, network_hash: '', macs: 0, params: 0, macs_ratio: 0, status: 'measured', resolution: config.resolution, eligible: false,
      ...(snappedFrom !== undefined ? { resolution_snapped_from: snappedFrom } : {}),
    };
    try {
      const stats = countConfig(config);
      Object.assign(row, { network_hash: networkHash(config), macs: stats.macs, params: stats.params, macs_ratio: stats.macs / baseStats.macs });
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      Object.assign(row, { status: 'shape-error', filter_reason: err.message });
    }
    configs.set(row, config);
    return row;
  });
  const reference = candidates.find((c) => c.reference)!;
  if (reference.status === 'shape-error') {
    throw new UserError(`lacs: EfficientNet's phi = 1 model of ${base.name} cannot be built: ${reference.filter_reason}`);
  }
  // A candidate with a trained result in the table is worth scoring whatever its MACs.
  const trained = (c: ScoredCandidate) => deps.accuracyTable?.lookup([c.network_hash, configHash(configs.get(c)!)], c) !== undefined;
  // Every candidate passes the resource limits (params, MACs, peak activations at the measured batch)
  // before it is built; the reference must, or there is nothing to compare with.
  const batch = opts.measure.batch ?? 1;
  const overLimits = (c: ScoredCandidate): string | undefined => {
    try {
      checkResourceLimits(configs.get(c)!, opts.limits, batch);
      return undefined;
    } catch (err) {
      if (err instanceof UserError) return err.message;
      throw err;
    }
  };
  const referenceTooBig = overLimits(reference);
  if (referenceTooBig) throw new UserError(`lacs: EfficientNet's phi = 1 model of ${base.name} exceeds the resource limits: ${referenceTooBig}`);
  for (const c of candidates) {
    if (c.status === 'shape-error' || c.reference) continue;
    const tooBig = overLimits(c);
    if (tooBig) {
      c.status = 'filtered-limits';
      c.filter_reason = tooBig;
    } else if (c.macs > reference.macs * (1 + opts.macsSlack) && !trained(c)) {
      c.status = 'filtered-macs';
      c.filter_reason = `realised MACs ${(c.macs_ratio).toFixed(2)}x base exceed EfficientNet's ${reference.macs_ratio.toFixed(2)}x by more than ${Math.round(opts.macsSlack * 100)}%`;
    }
  }
  const live = candidates.filter((c) => c.status === 'measured');
  // One network per hash; the first candidate (grid order, reference first) carries the measurement.
  const representative = new Map<string, ScoredCandidate>([[reference.network_hash, reference]]);
  for (const c of live) {
    const rep = representative.get(c.network_hash);
    if (!rep) representative.set(c.network_hash, c);
    else if (rep !== c) {
      c.status = 'same-network';
      c.same_as = formatCoefficients(rep);
    }
  }

  // --- accuracy: a table, a same-family predictor that passes its thresholds, or unknown ---
  // With records given, the table's trained grid points (known members of the base's family too) are
  // fitted beside them, so a prediction has to agree with its trained neighbours (leave-one-out). A table
  // alone is never turned into a predictor: then only its entries can be chosen.
  const scoredPool = candidates.filter((c) => c.status === 'measured' || c.status === 'same-network');
  const tableRecords: AccuracyRecord[] = [];
  const seen = new Set<string>();
  for (const c of scoredPool) {
    const top1 = deps.accuracyTable?.lookup([c.network_hash, configHash(configs.get(c)!)], c);
    if (top1 === undefined || seen.has(c.network_hash)) continue;
    seen.add(c.network_hash);
    tableRecords.push({ config: configs.get(c)!, top1, name: `${formatCoefficients(c)} (${deps.accuracyTable!.file})` });
  }
  const fitRecords = deps.records?.length ? [...deps.records, ...tableRecords] : [];
  const outcome = fitRecords.length ? fitAccuracyPredictor(base, fitRecords, opts.predictor) : undefined;
  const predictor = outcome?.predictor;
  const accuracySources = { table: deps.accuracyTable, predictor };
  for (const c of scoredPool) {
    const acc = resolveAccuracy(configs.get(c)!, [c.network_hash, configHash(configs.get(c)!)], c, accuracySources);
    if (acc) {
      c.accuracy = acc.top1;
      c.accuracy_kind = acc.kind;
      if (acc.kind === 'predicted') c.extrapolated = acc.extrapolated;
      c.eligible = !acc.extrapolated;
    }
  }
  const accuracy: LacsAccuracy = {
    source: deps.accuracyTable && predictor ? 'table+predictor' : deps.accuracyTable ? 'table' : predictor ? 'predictor' : 'none',
    table: deps.accuracyTable ? { file: deps.accuracyTable.file, entries: deps.accuracyTable.size } : null,
    records: { same_family: outcome?.same_family ?? 0, other_family: outcome?.other_family ?? 0 },
    fits: outcome?.fits ?? [],
    predictor_rejected: predictor ? null : outcome?.reason ?? 'no trained records were given (--records, --frontier, or configs with accuracy beside the base)',
  };
  const looRmse = predictor?.fit.loo_rmse ?? 0;
  const anyEligible = scoredPool.some((c) => c.eligible);

  const input = (c: ArchConfig): ModelInput => ({ kind: 'config', name: c.name, config: c });
  const baseInput = input(base);
  const latencies = new Map<string, Latency>();
  let baseMs: number | null = null;
  let targetMs: number | null = opts.targetLatencyMs ?? null;
  let target: Target | null = null;
  const toMeasure: ScoredCandidate[] = [];
  let cachedCount = 0;
  let screenSeconds = 0;
  const refined = new Set<string>();
  const byRank = (a: ScoredCandidate, b: ScoredCandidate) =>
    (b.rank_objective ?? -Infinity) - (a.rank_objective ?? -Infinity) || (b.objective ?? -Infinity) - (a.objective ?? -Infinity) ||
    a.alpha - b.alpha || a.beta - b.beta || a.gamma - b.gamma;

  if (anyEligible || opts.measureWithoutAccuracy) {
    // --- 1. reference ---
    log(`lacs: reference measurement (${base.name} and EfficientNet's phi=1 model)`);
    const refResult = await measure([baseInput, input(configs.get(reference)!)], opts.referenceSeconds, 'reference');
    target = refResult.target;
    const targetKey = target.key;
    baseMs = refResult.models[0].median_ms;
    const record = (c: ScoredCandidate, result: MeasureResult, source: LatencySource) => {
      const r = result.ratios.find((x) => x.model === c.name);
      const m = result.models.find((x) => x.name === c.name);
      if (!r || !m) throw new Error(`measurer returned no ratio for ${c.name}`);
      latencies.set(c.network_hash, { ratio: r.ratio, ci95: r.ci95, median_ms: m.median_ms, source });
      cache.set(c.network_hash, targetKey, { median_ms: m.median_ms, ratio: r.ratio, ratio_ci95: r.ci95, base_network_hash: baseHash, samples: m.samples });
    };
    record(reference, refResult, 'reference');

    // --- 2. screen (cache first) ---
    for (const [hash, rep] of representative) {
      if (latencies.has(hash)) continue;
      const hit = cache.get(hash, targetKey);
      if (hit && hit.base_network_hash === baseHash) {
        latencies.set(hash, { ratio: hit.ratio, ci95: hit.ratio_ci95, median_ms: hit.median_ms, source: 'cache' });
        rep.status = 'cached';
        cachedCount++;
      } else {
        toMeasure.push(rep);
      }
    }
    const screenStart = now();
    for (let i = 0; i < toMeasure.length; i += opts.chunkSize) {
      const chunk = toMeasure.slice(i, i + opts.chunkSize);
      log(`lacs: screening ${i + chunk.length}/${toMeasure.length}: ${chunk.map((c) => formatCoefficients(c)).join(' ')}`);
      const result = await measure([baseInput, ...chunk.map((c) => input(configs.get(c)!))], opts.screenSeconds * chunk.length, 'screen');
      if (result.target.key !== targetKey) throw new Error(`lacs: the measurement target changed during the run (${targetKey} -> ${result.target.key})`);
      for (const c of chunk) record(c, result, 'screen');
    }
    screenSeconds = (now() - screenStart) / 1000;

    // --- scoring: every latency is its ratio to the base times one base latency ---
    const score = () => {
      targetMs = opts.targetLatencyMs ?? latencies.get(reference.network_hash)!.ratio * baseMs!;
      for (const c of scoredPool) {
        const lat = latencies.get(c.network_hash);
        if (!lat) continue;
        c.ratio = lat.ratio;
        c.ratio_ci95 = lat.ci95;
        c.latency_ms = lat.ratio * baseMs!;
        c.latency_source = lat.source;
        if (c.accuracy === undefined) continue;
        const reward = (c.latency_ms / targetMs) ** opts.w;
        c.objective = c.accuracy * reward;
        // A prediction ranks at its lower bound: never level with a trained result of the same value.
        if (c.eligible) c.rank_objective = (c.accuracy_kind === 'predicted' ? c.accuracy - looRmse : c.accuracy) * reward;
      }
    };
    score();

    // --- 3. refine the leaders beside the reference ---
    // Repeated while the top K holds a network not yet refined (a screened value, measured with a short
    // budget, can look better than it is), so the winner has been measured beside EfficientNet's model.
    for (let round = 0; anyEligible && opts.refineTop > 0 && round < opts.refineRounds; round++) {
      const top: ScoredCandidate[] = [];
      for (const c of scoredPool.filter((x) => x.eligible).sort(byRank)) {
        if (top.length >= opts.refineTop) break;
        const rep = representative.get(c.network_hash)!;
        if (rep !== reference && !top.includes(rep)) top.push(rep);
      }
      if (top.every((c) => refined.has(c.network_hash))) break;
      log(`lacs: refining ${top.map((c) => formatCoefficients(c)).join(' ')} beside EfficientNet's`);
      const result = await measure([baseInput, input(configs.get(reference)!), ...top.map((c) => input(configs.get(c)!))], opts.refineSeconds, 'refine');
      baseMs = result.models[0].median_ms;
      for (const c of [reference, ...top]) {
        record(c, result, 'refine');
        if (c !== reference) refined.add(c.network_hash);
      }
      score();
    }
  }
  const ranked = [...scoredPool].sort(byRank);
  // Screening is a shortlist: when refine ran, the winner is taken among the refined networks (and
  // EfficientNet's), whose latencies were measured with the longer budget beside the reference.
  const eligible = ranked.filter((c) => c.eligible && c.rank_objective !== undefined);
  const finalists = refined.size ? eligible.filter((c) => refined.has(c.network_hash) || c.network_hash === reference.network_hash) : eligible;
  const best: ScoredCandidate | undefined = finalists[0];
  const chosen: ChosenSummary | null = best
    ? {
        alpha: best.alpha, beta: best.beta, gamma: best.gamma, objective: best.objective!, latency_ms: best.latency_ms!, accuracy: best.accuracy!,
        accuracy_kind: best.accuracy_kind!, network_hash: best.network_hash,
      }
    : null;
  const efficientnet: ReferenceSummary = {
    alpha: reference.alpha, beta: reference.beta, gamma: reference.gamma, objective: reference.objective ?? null, latency_ms: reference.latency_ms ?? null,
    accuracy: reference.accuracy ?? null, accuracy_kind: reference.accuracy_kind ?? 'unknown', extrapolated: !!reference.extrapolated, network_hash: reference.network_hash,
  };
  const distinctScored = (pred: (c: ScoredCandidate) => boolean) => scoredPool.filter(pred).length;
  const decision: LacsDecision = {
    status: chosen ? 'chosen' : 'none',
    basis: chosen ? chosen.accuracy_kind : null,
    reason: '',
    eligible: distinctScored((c) => c.eligible),
    extrapolated: distinctScored((c) => !!c.extrapolated),
    unknown: distinctScored((c) => c.accuracy === undefined),
    screened_only_higher: chosen
      ? distinctScored((c) => c.eligible && c.rank_objective !== undefined && c.rank_objective > (best.rank_objective ?? 0) && !refined.has(c.network_hash) && c.network_hash !== reference.network_hash)
      : 0,
  };
  decision.reason = decisionReason(decision, accuracy, predictor?.fit);

  // --- 4. family phi = 0..N and the frontier: one latency per network ---
  // The base and the chosen phi = 1 model (and any frontier model that is one of the networks already
  // measured) keep the latency they have; the rest are measured beside the base in one call, and each
  // latency is its ratio to the base in that call times the same base latency as everything else.
  const frontierInputs = deps.frontier ?? [];
  let family: FamilyMember[] = [];
  let frontierPoints: LacsFrontierPoint[] = frontierInputs
    .filter((f) => !f.model && f.latency_ms !== undefined)
    .map((f) => ({ name: f.name, accuracy: f.accuracy, latency_ms: f.latency_ms!, latency_source: 'given' as const }));
  if (chosen && baseMs !== null) {
    const scaleMs = baseMs;
    latencies.set(baseHash, { ratio: 1, ci95: [1, 1], median_ms: scaleMs, source: latencies.get(baseHash)?.source ?? 'reference' });
    const familyConfigs = Array.from({ length: opts.phi + 1 }, (_, phi) => {
      const { config } = scaleBuildable(base, compoundFactors(chosen, phi), `${base.name}-lacs-phi${phi}`);
      try {
        lower(config);
      } catch (err) {
        if (err instanceof ShapeError) throw new UserError(`lacs: family member phi=${phi} of ${base.name} cannot be built at resolution ${config.resolution}: ${err.message}`);
        throw err;
      }
      try {
        checkResourceLimits(config, opts.limits, opts.measure.batch ?? 1);
      } catch (err) {
        if (err instanceof UserError) throw new UserError(`lacs: family member phi=${phi} of ${base.name} exceeds the resource limits: ${err.message}`);
        throw err;
      }
      return config;
    });
    const familyHashes = familyConfigs.map((c) => networkHash(c));
    const frontierModels = frontierInputs.filter((f) => f.model);
    const frontierHash = (f: FrontierInput) => (f.model!.kind === 'config' ? networkHash(f.model!.config) : undefined);
    const familyLatency = new Map<string, Latency & { via: LatencySource | 'family' }>();
    for (const [hash, lat] of latencies) familyLatency.set(hash, { ...lat, via: lat.source });
    const pending: { name: string; hash?: string; model: ModelInput }[] = [];
    const queued = new Set<string>();
    familyConfigs.forEach((config, phi) => {
      const hash = familyHashes[phi];
      if (familyLatency.has(hash) || queued.has(hash)) return;
      queued.add(hash);
      pending.push({ name: config.name, hash, model: input(config) });
    });
    for (const f of frontierModels) {
      const hash = frontierHash(f);
      if (hash !== undefined && (familyLatency.has(hash) || queued.has(hash))) continue;
      if (hash !== undefined) queued.add(hash);
      pending.push({ name: `frontier:${f.name}`, hash, model: { ...f.model!, name: `frontier:${f.name}` } });
    }
    const byName = new Map<string, { ratio: number; ci95: [number, number] }>();
    if (pending.length) {
      log(`lacs: measuring ${pending.length} family member(s) and frontier model(s) beside the base`);
      const famResult = await measure([baseInput, ...pending.map((c) => c.model)], opts.familySeconds, 'family');
      for (const c of pending) {
        const r = famResult.ratios.find((x) => x.model === c.name);
        if (!r) throw new Error(`measurer returned no ratio for ${c.name}`);
        byName.set(c.name, { ratio: r.ratio, ci95: r.ci95 });
        if (c.hash !== undefined) familyLatency.set(c.hash, { ratio: r.ratio, ci95: r.ci95, median_ms: r.ratio * scaleMs, source: 'screen', via: 'family' });
      }
    }
    const latencyOf = (hash: string | undefined, callName: string): { latency_ms: number; ci95: [number, number]; via: LatencySource | 'family' } => {
      const known = hash !== undefined ? familyLatency.get(hash) : undefined;
      if (known) return { latency_ms: known.ratio * scaleMs, ci95: known.ci95, via: known.via };
      const measuredHere = byName.get(callName);
      if (!measuredHere) throw new Error(`lacs: no latency for ${callName}`);
      return { latency_ms: measuredHere.ratio * scaleMs, ci95: measuredHere.ci95, via: 'family' };
    };
    // Latency ties widen to the measured intervals: on a busy runner two measurements of similar networks
    // can differ by more than the fixed band, and that must read as "on", not "above".
    const relHalfWidth = (ratio: number, ci: [number, number]) => (ratio > 0 ? (ci[1] - ci[0]) / (2 * ratio) : 0);
    const measuredFrontier = frontierModels.map((f) => {
      const l = latencyOf(frontierHash(f), `frontier:${f.name}`);
      const ratio = l.latency_ms / scaleMs;
      return { point: { name: f.name, accuracy: f.accuracy, latency_ms: l.latency_ms, latency_source: l.via, ratio_ci95: l.ci95 } as LacsFrontierPoint, noise: relHalfWidth(ratio, l.ci95) };
    });
    const frontierNoise = Math.max(0, ...measuredFrontier.map((m) => m.noise));
    frontierPoints = [...measuredFrontier.map((m) => m.point), ...frontierPoints];
    // Keep the caller's order of frontier models.
    frontierPoints.sort((a, b) => frontierInputs.findIndex((f) => f.name === a.name) - frontierInputs.findIndex((f) => f.name === b.name));
    const pareto = paretoFrontier(frontierPoints);
    family = familyConfigs.map((config, phi) => {
      const hash = familyHashes[phi];
      const stats = countConfig(config);
      const acc = resolveAccuracy(config, [hash, configHash(config)], phi === 1 ? chosen : undefined, {
        ...accuracySources,
        knownTop1: phi === 0 ? base.accuracy?.top1 : undefined,
        knownSource: `${base.name} config`,
      });
      const l = latencyOf(hash, config.name);
      const tolerance = { ...opts.position, latency: Math.max(opts.position.latency, relHalfWidth(l.latency_ms / scaleMs, l.ci95) + frontierNoise) };
      const pos = acc ? frontierPosition({ accuracy: acc.top1, latency_ms: l.latency_ms }, pareto, tolerance) : { position: 'unknown' as const, nearest: undefined };
      // Only a trained result goes into `accuracy:`; a predicted one would later be read as a record.
      const written: ArchConfig = acc?.kind === 'known' ? { ...config, accuracy: { top1: acc.top1, source: acc.source } } : config;
      return {
        phi, name: config.name, config: written, network_hash: hash, macs: stats.macs, params: stats.params,
        latency_ms: l.latency_ms, ratio_ci95: l.ci95, latency_source: l.via,
        accuracy: acc?.top1 ?? null, accuracy_kind: acc?.kind ?? 'unknown', extrapolated: !!acc?.extrapolated,
        position: pos.position, ...(pos.nearest !== undefined ? { position_vs: pos.nearest } : {}),
      };
    });
  }
  cache.flush?.();

  const measured = target ? toMeasure.length + 1 : 0; // + EfficientNet's reference model
  return {
    base: { name: base.name, network_hash: baseHash, macs: baseStats.macs, params: baseStats.params, latency_ms: baseMs },
    target,
    w: opts.w,
    target_latency_ms: targetMs,
    target_source: opts.targetLatencyMs === undefined ? 'efficientnet-phi1' : 'option',
    grid: { step: opts.gridStep, tolerance: opts.tolerance, flops_budget: FLOPS_BUDGET },
    decision,
    chosen,
    efficientnet,
    improvement: chosen && efficientnet.objective ? chosen.objective / efficientnet.objective : null,
    family,
    frontier: frontierPoints,
    measured_candidates: measured,
    counts: {
      grid: candidates.length,
      filtered_macs: candidates.filter((c) => c.status === 'filtered-macs').length,
      filtered_limits: candidates.filter((c) => c.status === 'filtered-limits').length,
      shape_errors: candidates.filter((c) => c.status === 'shape-error').length,
      distinct_networks: representative.size,
      cached: cachedCount,
      measured,
      refined: refined.size,
    },
    candidates: [...ranked, ...candidates.filter((c) => !scoredPool.includes(c))],
    predictor: predictor?.fit ?? null,
    accuracy,
    accuracy_source: describeAccuracySource(scoredPool, deps.accuracyTable, predictor?.fit),
    timing: {
      wall_s: (now() - started) / 1000,
      screen_s: screenSeconds,
      per_candidate_s: toMeasure.length ? screenSeconds / toMeasure.length : 0,
      measure_calls: calls.length,
      calls,
    },
  };
}

/** One plain-text sentence on what the decision rests on (or why there is none). */
function decisionReason(d: LacsDecision, accuracy: LacsAccuracy, fit: PredictorFit | undefined): string {
  if (d.status === 'chosen') {
    if (d.basis === 'known') return `chosen among trained results${accuracy.table ? ` (${accuracy.table.file})` : ''}`;
    return `chosen on a predicted accuracy (${fit ? `${fit.features} fit on ${fit.n} same-family records, leave-one-out RMSE ${fit.loo_rmse?.toFixed(2)} pp` : 'predictor'}), not a trained result`;
  }
  const parts: string[] = [];
  if (!accuracy.table) parts.push('no table of trained results (--accuracy)');
  else parts.push(`the table ${accuracy.table.file} covers no candidate that can be chosen`);
  if (accuracy.predictor_rejected) parts.push(`no usable predictor: ${accuracy.predictor_rejected}`);
  if (d.extrapolated) parts.push(`${d.extrapolated} prediction(s) lie outside the predictor's data`);
  return `accuracy is unknown: ${parts.join('; ')}`;
}

/** Resolutions tried on each side of the rounded one when it does not build. */
const SNAP_RANGE = 16;

/**
 * scale(), then, if the rounded resolution cannot be built (space_to_depth and space_to_batch need sizes
 * divisible by their block), the nearest resolution within SNAP_RANGE that can, preferring the larger on
 * ties. Returns the unsnapped config when nothing nearby builds (the caller reports the ShapeError).
 */
export function scaleBuildable(base: ArchConfig, factors: { depth: number; width: number; resolution: number }, name: string): { config: ArchConfig; snappedFrom?: number } {
  const config = scale(base, factors, name);
  const builds = (c: ArchConfig) => {
    try {
      lower(c);
      return true;
    } catch (err) {
      if (err instanceof ShapeError) return false;
      throw err;
    }
  };
  if (builds(config)) return { config };
  for (let d = 1; d <= SNAP_RANGE; d++) {
    for (const r of [config.resolution + d, config.resolution - d]) {
      if (r < 1) continue;
      const tried = { ...config, resolution: r };
      if (builds(tried)) return { config: tried, snappedFrom: config.resolution };
    }
  }
  return { config };
}

function describeAccuracySource(pool: ScoredCandidate[], table: AccuracyTable | undefined, fit: PredictorFit | undefined): string {
  const known = pool.filter((c) => c.accuracy_kind === 'known').length;
  const predicted = pool.filter((c) => c.accuracy_kind === 'predicted').length;
  const unknown = pool.length - known - predicted;
  const parts: string[] = [];
  if (known) parts.push(`${known} from ${table?.file ?? 'the accuracy table'}`);
  if (predicted && fit) parts.push(`${predicted} predicted (${fit.description})`);
  if (unknown) parts.push(`${unknown} unknown`);
  return parts.join('; ');
}

function validateOptions(o: LacsOptions): void {
  const check = (name: string, ok: boolean, value: unknown) => {
    if (!ok) throw new UserError(`lacs: ${name}: invalid value ${JSON.stringify(value)}`);
  };
  check('phi', Number.isInteger(o.phi) && o.phi >= 0 && o.phi <= 12, o.phi);
  check('grid step', o.gridStep > 0 && o.gridStep <= 1, o.gridStep);
  check('tolerance', o.tolerance >= 0 && o.tolerance < 1, o.tolerance);
  check('w', Number.isFinite(o.w), o.w);
  check('target latency', o.targetLatencyMs === undefined || o.targetLatencyMs > 0, o.targetLatencyMs);
  check('chunk size', Number.isInteger(o.chunkSize) && o.chunkSize >= 1, o.chunkSize);
  check('refine top', Number.isInteger(o.refineTop) && o.refineTop >= 0, o.refineTop);
  check('refine rounds', Number.isInteger(o.refineRounds) && o.refineRounds >= 0, o.refineRounds);
  check('predictor min R²', o.predictor.minR2 <= 1, o.predictor.minR2);
  check('predictor max leave-one-out RMSE', o.predictor.maxLooRmse >= 0, o.predictor.maxLooRmse);
  for (const k of ['referenceSeconds', 'screenSeconds', 'refineSeconds', 'familySeconds'] as const) check(k, o[k] > 0, o[k]);
}

export { EFFICIENTNET_COEFFICIENTS };
