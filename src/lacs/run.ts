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
 *   4. family: the chosen family phi = 0..N and the frontier models, measured in one interleaved call.
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
import { configHash } from './hash';
import { configHash as storeConfigHash } from '../frontier/store';
import {
  fitAccuracyPredictor, resolveAccuracy, type AccuracyKind, type AccuracyRecord, type AccuracyTable, type PredictorFit,
} from './accuracy';
import { MemoryCache, type MeasurementCache } from './cache';
import {
  DEFAULT_POSITION_TOLERANCE, frontierPosition, paretoFrontier, type FrontierPoint, type FrontierPosition, type PositionTolerance,
} from './position';
import { configToYaml } from './yaml';
import { renderMarkdown } from './report';

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
  config_hash: string;
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
  accuracy?: number;
  accuracy_kind?: AccuracyKind;
  objective?: number;
}

export interface ChosenSummary extends Coefficients {
  objective: number;
  latency_ms: number;
  accuracy: number;
  accuracy_kind: AccuracyKind;
  config_hash: string;
}

export interface FamilyMember {
  phi: number;
  name: string;
  config: ArchConfig;
  config_hash: string;
  /** The member as config format v1 YAML (written to --family-dir as <name>.yaml). */
  yaml: string;
  macs: number;
  params: number;
  latency_ms: number;
  /** Null when neither the table nor a predictor covers the member. */
  accuracy: number | null;
  accuracy_kind: AccuracyKind | 'unknown';
  position: FrontierPosition | 'unknown';
  /** The frontier point it ties (on) or that dominates it (below). */
  position_vs?: string;
}

export interface LacsResult {
  base: { name: string; config_hash: string; macs: number; params: number; latency_ms: number };
  target: Target;
  w: number;
  target_latency_ms: number;
  target_source: 'efficientnet-phi1' | 'option';
  grid: { step: number; tolerance: number; flops_budget: number };
  chosen: ChosenSummary;
  efficientnet: ChosenSummary;
  /** Chosen objective / EfficientNet's objective. */
  improvement: number;
  family: FamilyMember[];
  frontier: FrontierPoint[];
  measured_candidates: number;
  counts: { grid: number; filtered_macs: number; filtered_limits: number; shape_errors: number; distinct_networks: number; cached: number; measured: number; refined: number };
  candidates: ScoredCandidate[];
  predictor?: PredictorFit;
  accuracy_source: string;
  timing: { wall_s: number; screen_s: number; per_candidate_s: number; measure_calls: number; calls: MeasureCallSummary[] };
  markdown: string;
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
    const result = await deps.measurer.measure(models, { ...opts.measure, budgetSeconds });
    calls.push({
      phase, models: models.length, budget_s: budgetSeconds, wall_s: (now() - t0) / 1000, rounds: result.rounds,
      budget_exhausted: result.budget_exhausted, first_median_ms: result.models[0]?.median_ms,
    });
    return result;
  };

  // --- candidates and analytic filters ---
  const baseStats = countConfig(base);
  const baseHash = configHash(base);
  const grid = candidateGrid({ step: opts.gridStep, tolerance: opts.tolerance });
  const configs = new Map<ScoredCandidate, ArchConfig>();
  const candidates: ScoredCandidate[] = grid.map((g) => {
    const c: Coefficients = { alpha: g.alpha, beta: g.beta, gamma: g.gamma };
    const name = `${base.name}-lacs-a${round6(g.alpha)}-b${round6(g.beta)}-g${round6(g.gamma)}`;
    const { config, snappedFrom } = scaleBuildable(base, compoundFactors(c, 1), name);
    const row: ScoredCandidate = {
      ...c, product: g.product, within_tolerance: Math.abs(g.product - FLOPS_BUDGET) <= opts.tolerance + 1e-9, reference: g.reference,
      name, config_hash: '', macs: 0, params: 0, macs_ratio: 0, status: 'measured', resolution: config.resolution,
      ...(snappedFrom !== undefined ? { resolution_snapped_from: snappedFrom } : {}),
    };
    try {
      const stats = countConfig(config);
      Object.assign(row, { config_hash: configHash(config), macs: stats.macs, params: stats.params, macs_ratio: stats.macs / baseStats.macs });
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
  const trained = (c: ScoredCandidate) => deps.accuracyTable?.lookup([c.config_hash, storeConfigHash(configs.get(c)!)], c) !== undefined;
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
  const representative = new Map<string, ScoredCandidate>([[reference.config_hash, reference]]);
  for (const c of live) {
    const rep = representative.get(c.config_hash);
    if (!rep) representative.set(c.config_hash, c);
    else if (rep !== c) {
      c.status = 'same-network';
      c.same_as = formatCoefficients(rep);
    }
  }

  // --- accuracy: fail before measuring if some candidate has none ---
  const predictor = deps.records?.length ? fitAccuracyPredictor(base, deps.records) : undefined;
  const accuracySources = { table: deps.accuracyTable, predictor };
  const scoredPool = candidates.filter((c) => c.status === 'measured' || c.status === 'same-network');
  const missing = scoredPool.filter((c) => {
    const acc = resolveAccuracy(configs.get(c)!, [c.config_hash, storeConfigHash(configs.get(c)!)], c, accuracySources);
    if (acc) {
      c.accuracy = acc.top1;
      c.accuracy_kind = acc.kind;
    }
    return !acc;
  });
  if (missing.length) {
    const records = deps.records?.length ?? 0;
    throw new UserError(
      `lacs: no accuracy for ${missing.length} candidate(s), e.g. ${formatCoefficients(missing[0])} (hash ${missing[0].config_hash}): ` +
        `give --accuracy with an entry for each, or at least 3 trained records (configs with accuracy) to fit a predictor (have ${records})`,
    );
  }

  // --- 1. reference ---
  const input = (c: ArchConfig): ModelInput => ({ kind: 'config', name: c.name, config: c });
  const baseInput = input(base);
  const latencies = new Map<string, Latency>();
  log(`lacs: reference measurement (${base.name} and EfficientNet's phi=1 model)`);
  const refResult = await measure([baseInput, input(configs.get(reference)!)], opts.referenceSeconds, 'reference');
  const target = refResult.target;
  let baseMs = refResult.models[0].median_ms;
  const record = (c: ScoredCandidate, result: MeasureResult, source: LatencySource) => {
    const r = result.ratios.find((x) => x.model === c.name);
    const m = result.models.find((x) => x.name === c.name);
    if (!r || !m) throw new Error(`measurer returned no ratio for ${c.name}`);
    latencies.set(c.config_hash, { ratio: r.ratio, ci95: r.ci95, median_ms: m.median_ms, source });
    cache.set(c.config_hash, target.key, { median_ms: m.median_ms, ratio: r.ratio, ratio_ci95: r.ci95, base_hash: baseHash, samples: m.samples });
  };
  record(reference, refResult, 'reference');

  // --- 2. screen (cache first) ---
  const toMeasure: ScoredCandidate[] = [];
  let cachedCount = 0;
  for (const [hash, rep] of representative) {
    if (latencies.has(hash)) continue;
    const hit = cache.get(hash, target.key);
    if (hit && hit.base_hash === baseHash) {
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
    if (result.target.key !== target.key) throw new Error(`lacs: the measurement target changed during the run (${target.key} -> ${result.target.key})`);
    for (const c of chunk) record(c, result, 'screen');
  }
  const screenSeconds = (now() - screenStart) / 1000;

  // --- scoring ---
  let targetMs = 0;
  const score = () => {
    targetMs = opts.targetLatencyMs ?? latencies.get(reference.config_hash)!.ratio * baseMs;
    for (const c of scoredPool) {
      const lat = latencies.get(c.config_hash);
      if (!lat) continue;
      c.ratio = lat.ratio;
      c.ratio_ci95 = lat.ci95;
      c.latency_ms = lat.ratio * baseMs;
      c.latency_source = lat.source;
      c.objective = c.accuracy! * (c.latency_ms / targetMs) ** opts.w;
    }
  };
  const byObjective = (a: ScoredCandidate, b: ScoredCandidate) =>
    b.objective! - a.objective! || a.alpha - b.alpha || a.beta - b.beta || a.gamma - b.gamma;
  score();

  // --- 3. refine the leaders beside the reference ---
  // Repeated while the top K holds a network not yet refined (a screened value, measured with a short
  // budget, can look better than it is), so the winner has been measured beside EfficientNet's model.
  const refined = new Set<string>();
  for (let round = 0; opts.refineTop > 0 && round < opts.refineRounds; round++) {
    const top: ScoredCandidate[] = [];
    for (const c of [...scoredPool].sort(byObjective)) {
      if (top.length >= opts.refineTop) break;
      const rep = representative.get(c.config_hash)!;
      if (rep !== reference && !top.includes(rep)) top.push(rep);
    }
    if (top.every((c) => refined.has(c.config_hash))) break;
    log(`lacs: refining ${top.map((c) => formatCoefficients(c)).join(' ')} beside EfficientNet's`);
    const result = await measure([baseInput, input(configs.get(reference)!), ...top.map((c) => input(configs.get(c)!))], opts.refineSeconds, 'refine');
    baseMs = result.models[0].median_ms;
    for (const c of [reference, ...top]) {
      record(c, result, 'refine');
      if (c !== reference) refined.add(c.config_hash);
    }
    score();
  }
  const ranked = [...scoredPool].sort(byObjective);
  // Screening is a shortlist: when refine ran, the winner is taken among the refined networks (and
  // EfficientNet's), whose latencies were measured with the longer budget beside the reference.
  const finalists = refined.size ? ranked.filter((c) => refined.has(c.config_hash) || c.config_hash === reference.config_hash) : ranked;
  const best = finalists[0];
  const summary = (c: ScoredCandidate): ChosenSummary => ({
    alpha: c.alpha, beta: c.beta, gamma: c.gamma, objective: c.objective!, latency_ms: c.latency_ms!, accuracy: c.accuracy!,
    accuracy_kind: c.accuracy_kind!, config_hash: c.config_hash,
  });
  const chosen = summary(best);
  const efficientnet = summary(reference);

  // --- 4. family phi = 0..N and the frontier, one interleaved call ---
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
  const frontierInputs = deps.frontier ?? [];
  const toRun: ModelInput[] = [...familyConfigs.map(input), ...frontierInputs.filter((f) => f.model).map((f) => ({ ...f.model!, name: `frontier:${f.name}` }))];
  log(`lacs: measuring the family (phi 0..${opts.phi}) and ${frontierInputs.filter((f) => f.model).length} frontier model(s)`);
  const famResult = await measure(toRun, opts.familySeconds, 'family');
  const measurementOf = (name: string) => {
    const m = famResult.models.find((x) => x.name === name);
    if (!m) throw new Error(`measurer returned no result for ${name}`);
    return m;
  };
  const medianOf = (name: string) => measurementOf(name).median_ms;
  // Latency ties widen to the measured intervals: on a busy runner two copies of one network can differ
  // by more than the fixed band, and that must read as "on", not "above".
  const relHalfWidth = (name: string) => {
    const m = measurementOf(name);
    return m.median_ms > 0 ? (m.ci95_ms[1] - m.ci95_ms[0]) / (2 * m.median_ms) : 0;
  };
  const frontierNoise = Math.max(0, ...frontierInputs.filter((f) => f.model).map((f) => relHalfWidth(`frontier:${f.name}`)));
  const frontierPoints: FrontierPoint[] = frontierInputs.map((f) => {
    const latency_ms = f.model ? medianOf(`frontier:${f.name}`) : f.latency_ms;
    if (latency_ms === undefined) throw new UserError(`lacs: frontier model ${JSON.stringify(f.name)} has neither a model to measure nor a latency`);
    return { name: f.name, accuracy: f.accuracy, latency_ms };
  });
  const frontier = paretoFrontier(frontierPoints);
  const family: FamilyMember[] = familyConfigs.map((config, phi) => {
    const hash = configHash(config);
    const stats = countConfig(config);
    const acc = resolveAccuracy(config, [hash, storeConfigHash(config)], phi === 1 ? chosen : undefined, {
      ...accuracySources,
      knownTop1: phi === 0 ? base.accuracy?.top1 : undefined,
      knownSource: `${base.name} config`,
    });
    const latency_ms = medianOf(config.name);
    // Members beyond phi = 1 have no accuracy when only a phi = 1 table was given and no records.
    const tolerance = { ...opts.position, latency: Math.max(opts.position.latency, relHalfWidth(config.name) + frontierNoise) };
    const pos = acc ? frontierPosition({ accuracy: acc.top1, latency_ms }, frontier, tolerance) : { position: 'unknown' as const, nearest: undefined };
    const factors = compoundFactors(chosen, phi);
    const header = [
      `LACS family member phi=${phi} of ${base.name}: depth x${factors.depth}, width x${factors.width}, resolution x${factors.resolution}`,
      `coefficients (alpha, beta, gamma) = ${formatCoefficients(chosen)} on ${target.label}`,
      `measured ${latency_ms.toFixed(2)} ms; ` +
        (acc ? `top-1 ${acc.top1.toFixed(2)} (${acc.kind}${acc.kind === 'predicted' ? ', not trained' : ''}); ${pos.position} the frontier` : 'top-1 unknown'),
      `config hash ${hash}`,
    ];
    // Only a trained result goes into `accuracy:`; a predicted one would later be read as a record.
    const written: ArchConfig = acc?.kind === 'known' ? { ...config, accuracy: { top1: acc.top1, source: acc.source } } : config;
    return {
      phi, name: config.name, config: written, config_hash: hash, yaml: configToYaml(written, header), macs: stats.macs, params: stats.params,
      latency_ms, accuracy: acc?.top1 ?? null, accuracy_kind: acc?.kind ?? 'unknown', position: pos.position, position_vs: pos.nearest,
    };
  });
  cache.flush?.();

  const measured = toMeasure.length + 1; // + EfficientNet's reference model
  const result: LacsResult = {
    base: { name: base.name, config_hash: baseHash, macs: baseStats.macs, params: baseStats.params, latency_ms: baseMs },
    target,
    w: opts.w,
    target_latency_ms: targetMs,
    target_source: opts.targetLatencyMs === undefined ? 'efficientnet-phi1' : 'option',
    grid: { step: opts.gridStep, tolerance: opts.tolerance, flops_budget: FLOPS_BUDGET },
    chosen,
    efficientnet,
    improvement: chosen.objective / efficientnet.objective,
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
    predictor: predictor?.fit,
    accuracy_source: describeAccuracySource(scoredPool, deps.accuracyTable, predictor?.fit),
    timing: {
      wall_s: (now() - started) / 1000,
      screen_s: screenSeconds,
      per_candidate_s: toMeasure.length ? screenSeconds / toMeasure.length : 0,
      measure_calls: calls.length,
      calls,
    },
    markdown: '',
  };
  result.markdown = renderMarkdown(result);
  return result;
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
  const predicted = pool.length - known;
  const parts: string[] = [];
  if (known) parts.push(`${known} from ${table?.file ?? 'the accuracy table'}`);
  if (predicted && fit) parts.push(`${predicted} predicted (${fit.description})`);
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
  for (const k of ['referenceSeconds', 'screenSeconds', 'refineSeconds', 'familySeconds'] as const) check(k, o[k] > 0, o[k]);
}

export { EFFICIENTNET_COEFFICIENTS };
