/**
 * check / record / sweep, pure with respect to files: each takes a store object and a Measurer and returns
 * a typed report (rendered by src/report) plus, for record and sweep, the updates to apply. The CLI applies updates to
 * a freshly re-read store under the lock (applyRecordUpdates), so concurrent writers lose nothing.
 *
 * Latency comparisons are only ever side by side: the candidate and the stored models that could dominate
 * it are built from their configs and measured in one interleaved run on this machine. Stored latencies
 * (of any target) only rank models to decide which ones to re-measure.
 */
import { countConfig } from '../arch/counts';
import { checkResourceLimits } from '../arch/parse';
import type { ArchConfig } from '../arch/types';
import { UserError, EXIT } from '../errors';
import type { Fingerprint, MeasureOptions, MeasureResult, Measurer, ModelInput, ModelMeasurement, Target } from '../measure/types';
import { gateLacs, type GateLacs } from '../lacs/gate';
import type { LacsOptions } from '../lacs/run';
import { accuracyGap, latencyGap, paretoFrontier, type AccuracyGap, type LatencyGap } from './pareto';
import {
  assertStorable,
  configHash,
  mergeHistory,
  newRecord,
  storedConfig,
  type FrontierRecord,
  type FrontierStore,
  type HistoryEntry,
  type StoredAccuracy,
  type StoredLacs,
  type StoredMeasurement,
} from './store';
import { ACCURACY_EPSILON, decide, DEFAULT_TOLERANCES, slowerBy, worstVerdict, type Verdict } from './verdict';

export type { Verdict } from './verdict';

export interface GateDeps {
  measurer: Measurer;
  now?: () => Date;
  /** Commit the measurement belongs to (GITHUB_SHA or git HEAD); recorded with each measurement. */
  commit?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Which stored models to re-measure

export const DEFAULT_NEIGHBORS = 3;
/** Contenders whose stored (proxy) latency is within this factor of the fastest one are all re-measured. */
const CONTENDER_SPREAD = 1.5;

export interface SelectionEstimate {
  /** Proxy latency per record name (ms on the reference target, or MACs scaled onto it). */
  proxy: Map<string, number>;
  /** Scale from MACs to proxy ms, for configs without a stored measurement (the candidate). */
  msPerMac: number;
  /** The stored target the ranking is based on; undefined when none is stored (MACs only). */
  referenceTarget?: string;
}

/**
 * Proxy latencies for ranking only: the stored medians of the target most records were measured on, and
 * MACs scaled by the median ms-per-MAC for records without one. Never used as a verdict's latency.
 */
export function selectionEstimate(records: readonly FrontierRecord[], macsOf: (r: FrontierRecord) => number): SelectionEstimate {
  const counts = new Map<string, number>();
  for (const r of records) for (const key of Object.keys(r.targets)) counts.set(key, (counts.get(key) ?? 0) + 1);
  const referenceTarget = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  const perMac: number[] = [];
  for (const r of records) {
    const m = referenceTarget ? r.targets[referenceTarget]?.latest : undefined;
    if (m) perMac.push(m.median_ms / Math.max(1, macsOf(r)));
  }
  perMac.sort((a, b) => a - b);
  const msPerMac = perMac.length ? perMac[Math.floor(perMac.length / 2)] : 1e-9;
  const proxy = new Map<string, number>();
  for (const r of records) {
    const m = referenceTarget ? r.targets[referenceTarget]?.latest : undefined;
    proxy.set(r.name, m ? m.median_ms : Math.max(1, macsOf(r)) * msPerMac);
  }
  return { proxy, msPerMac, referenceTarget };
}

export interface Selected {
  record: FrontierRecord;
  /** contender: could dominate the candidate (as accurate within tolerance); neighbour: for context. */
  role: 'contender' | 'neighbour';
  proxy_ms: number;
}

/**
 * The stored models to measure beside a candidate: the fastest frontier models at least as accurate
 * (minus the tolerance), plus its nearest frontier neighbours above and below its accuracy, in turn (by latency when the candidate
 * has no accuracy) up to `neighbors` models in all. A stored record of the same name is the candidate's
 * previous version and is left out.
 */
export function selectModels(
  records: readonly FrontierRecord[],
  candidate: { name: string; accuracy: number | null; macs: number },
  opts: { neighbors: number; accuracyTolerance: number },
  estimate: SelectionEstimate,
): Selected[] {
  const eligible = records.filter((r) => r.name !== candidate.name);
  const proxyOf = (r: FrontierRecord) => estimate.proxy.get(r.name) ?? Infinity;
  const points = eligible.filter((r) => r.accuracy).map((r) => ({ name: r.name, accuracy: r.accuracy!.top1, latency: proxyOf(r), record: r }));
  const frontier = paretoFrontier(points);
  const chosen: Selected[] = [];
  const take = (r: FrontierRecord, role: Selected['role']) => {
    if (!chosen.some((c) => c.record.name === r.name)) chosen.push({ record: r, role, proxy_ms: proxyOf(r) });
  };
  if (candidate.accuracy !== null) {
    const acc = candidate.accuracy;
    const contenders = frontier.filter((p) => p.accuracy >= acc - opts.accuracyTolerance - ACCURACY_EPSILON); // fastest first
    const cap = Math.max(1, opts.neighbors);
    for (const p of contenders) {
      if (p.latency <= contenders[0].latency * CONTENDER_SPREAD && chosen.length < cap) take(p.record, 'contender');
    }
    // Neighbours bracket the candidate: the nearest frontier models above and below its accuracy, in turn.
    const distance = (p: { accuracy: number }) => Math.abs(p.accuracy - acc);
    const above = frontier.filter((p) => p.accuracy >= acc).sort((a, b) => distance(a) - distance(b) || a.latency - b.latency);
    const below = frontier.filter((p) => p.accuracy < acc).sort((a, b) => distance(a) - distance(b) || a.latency - b.latency);
    const bracketing: typeof frontier = [];
    for (let i = 0; i < Math.max(above.length, below.length); i++) {
      const pair = [above[i], below[i]].filter((p) => p !== undefined).sort((a, b) => distance(a) - distance(b));
      bracketing.push(...pair);
    }
    for (const p of bracketing) {
      if (chosen.length >= opts.neighbors) break;
      take(p.record, 'neighbour');
    }
  } else {
    const mine = Math.max(1, candidate.macs) * estimate.msPerMac;
    const pool = frontier.length ? frontier.map((p) => p.record) : eligible;
    const byLatency = [...pool].sort((a, b) => Math.abs(Math.log(proxyOf(a) / mine)) - Math.abs(Math.log(proxyOf(b) / mine)));
    for (const r of byLatency.slice(0, opts.neighbors)) take(r, 'neighbour');
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------------------
// check

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
  /**
   * LACS for `family: base` candidates (src/lacs/gate.ts): undefined or false = off; an object (may be
   * empty) = on, overriding GATE_LACS_OPTIONS. Reported beside the verdict, never part of it.
   */
  lacs?: Partial<LacsOptions> | false;
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
  latencyTolerance: DEFAULT_TOLERANCES.latency,
  accuracyTolerance: DEFAULT_TOLERANCES.accuracy,
  neighbors: DEFAULT_NEIGHBORS,
  budgetSeconds: 20,
};

/**
 * A model's place on the frontier of the models measured in one run, with the verdict's tolerances: `off`
 * when a model at least as accurate (minus the accuracy tolerance) is proven faster beyond the latency
 * tolerance; `undecided` when such a model's interval straddles that line; `on` otherwise; `unrated`
 * without an accuracy. For the candidate this is its verdict (dominated = off, inconclusive = undecided).
 */
export type FrontierStatus = 'on' | 'off' | 'undecided' | 'unrated';

/**
 * Where the candidate's latency stands against one model, from the 95% interval of candidate / model - 1
 * and the latency tolerance t: `slower` (whole interval above +t), `faster` (whole interval below -t),
 * `within` (whole interval inside -t..+t), `straddles` (the interval crosses -t or +t: no direction is
 * proven beyond the tolerance).
 */
export type Separation = 'slower' | 'faster' | 'within' | 'straddles';

export interface ModelRow {
  name: string;
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
  /** Distance to the frontier of this run's measurements, both ways, from the medians (the report states ModelRow.separation instead). */
  distance: { latency?: LatencyGap; accuracy?: AccuracyGap };
  models: ModelRow[];
  budget_exhausted: boolean;
  rounds: number;
  wall_s: number;
  /** For a `family: base` candidate with LACS on: recomputed coefficients and their move. */
  lacs?: GateLacs;
}

export interface CheckReport {
  command: 'check';
  verdict: Verdict;
  /** 0 pass/new-frontier/inconclusive, 1 dominated (or inconclusive with strict). */
  exitCode: number;
  target: { key: string; label: string };
  settings: { latency_tolerance: number; accuracy_tolerance: number; neighbors: number; budget_s: number; strict: boolean; latency_only: boolean; lacs: boolean; store?: string };
  /** How the re-measured models were chosen: stored latencies of one target (ranking only), or MACs. */
  selection: { ranked_by: 'stored-latency' | 'macs'; reference_target?: string };
  candidates: CandidateResult[];
}

const configInput = (name: string, config: ArchConfig): ModelInput => ({ kind: 'config', name, config });

/** What a ratio interval (model / candidate) proves about the candidate's latency against the tolerance t. */
export function separationOf(ratioCi95: readonly [number, number], t: number): Separation {
  const [lo, hi] = ratioCi95;
  // The same lines as the verdict: slower beyond t <=> candidate / model - 1 > t <=> ratio < 1 / (1 + t).
  if (hi < 1 / (1 + t)) return 'slower';
  if (t < 1 && lo > 1 / (1 - t)) return 'faster';
  if (lo >= 1 / (1 + t) && (t >= 1 || hi <= 1 / (1 - t))) return 'within';
  return 'straddles';
}

function setFrontier(row: ModelRow, status: FrontierStatus): void {
  row.frontier = status;
  row.on_frontier = status === 'on';
}

/**
 * Frontier status of every measured model, pairwise with the verdict's rule: Y puts X off the frontier
 * when Y is as accurate as X (minus the accuracy tolerance) and the interval of latency(Y) / latency(X)
 * lies wholly below 1 / (1 + latency tolerance). Rows carry ratios to the candidate (the candidate's own
 * is exactly 1); between two stored models the interval is bounded from both ratios' intervals
 * (lo_Y / hi_X .. hi_Y / lo_X), which is wider than a direct one and so never claims more.
 */
export function frontierStatus(rows: readonly ModelRow[], tol: { latency: number; accuracy: number }): FrontierStatus[] {
  const line = 1 / (1 + tol.latency);
  // The candidate's ratio to itself is exactly 1; a model without a ratio has no interval to compare.
  const ci = (r: ModelRow): [number, number] | undefined => (r.role === 'candidate' ? [1, 1] : r.ratio_ci95);
  return rows.map((x) => {
    if (x.accuracy === null) return 'unrated';
    const cx = ci(x);
    if (!cx) return 'undecided';
    let undecided = false;
    for (const y of rows) {
      const cy = ci(y);
      if (y === x || !cy || y.accuracy === null || y.accuracy < x.accuracy - tol.accuracy - ACCURACY_EPSILON) continue;
      const lo = cy[0] / cx[1];
      const hi = cy[1] / cx[0];
      if (hi < line) return 'off';
      if (lo < line) undecided = true;
    }
    return undecided ? 'undecided' : 'on';
  });
}

/**
 * A stored config is input like any other (a PR can edit the store): it must fit the resource limits and
 * have possible shapes before anything is built from it.
 */
function checkStoredConfig(record: FrontierRecord, storeFile?: string): { macs: number } {
  try {
    return checkResourceLimits(record.config);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${storeFile ?? 'frontier store'}: record ${JSON.stringify(record.name)}: ${err.message}`);
    throw err;
  }
}

function measurementOf(result: MeasureResult, name: string): ModelMeasurement {
  const m = result.models.find((x) => x.name === name);
  if (!m) throw new Error(`measurer returned no measurement for ${name}`);
  return m;
}

function describeNoAccuracy(c: CheckCandidate): string {
  const where = c.file ? `${c.file}: ` : '';
  return (
    `${where}candidate ${JSON.stringify(c.config.name)} has no accuracy: add "accuracy: {top1: <percent>}" to the config, ` +
    'pass --accuracy <percent>, or --metrics FILE --metrics-key a.b.c; or use --latency-only for a latency position without an accuracy verdict'
  );
}

export async function runCheck(store: FrontierStore, candidates: readonly CheckCandidate[], options: Partial<CheckOptions>, deps: GateDeps): Promise<CheckReport> {
  const opts: CheckOptions = { ...DEFAULT_CHECK_OPTIONS, ...options };
  if (!candidates.length) throw new UserError('check: give at least one candidate config');
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
  for (const c of candidates) {
    const accuracy = opts.latencyOnly ? null : (c.accuracy ?? c.config.accuracy!.top1);
    const accuracySource = opts.latencyOnly ? null : c.accuracy !== undefined ? (c.accuracySource ?? '--accuracy') : (c.config.accuracy?.source ? `the config (its source: ${c.config.accuracy.source})` : 'the config');
    const candStats = statsOf(c.config);
    const selected = selectModels(store.records, { name: c.config.name, accuracy, macs: candStats.macs }, opts, estimate);
    const inputs = [configInput(c.config.name, c.config), ...selected.map((s) => configInput(s.record.name, s.record.config))];
    const result = await deps.measurer.measure(inputs, { ...opts.measure, budgetSeconds: opts.budgetSeconds, band: opts.latencyTolerance });
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
        ...(ratio ? { slower_by: slowerBy(ratio.ratio), slower_by_ci95: [slowerBy(ratio.ci95[1]), slowerBy(ratio.ci95[0])] as [number, number], separation: separationOf(ratio.ci95, opts.latencyTolerance) } : {}),
        ...(ratio && accuracy !== null ? { as_accurate: acc !== null && acc >= accuracy - opts.accuracyTolerance - ACCURACY_EPSILON } : {}),
        frontier: 'unrated', on_frontier: false, params: s.params, macs: s.macs, intensity: s.intensity, samples: m.samples,
      };
    };
    rows.push(row(c.config.name, 'candidate', accuracy, c.config));
    for (const s of selected) rows.push(row(s.record.name, s.role, s.record.accuracy?.top1 ?? null, s.record.config));
    const points = rows.filter((r) => r.accuracy !== null).map((r) => ({ name: r.name, accuracy: r.accuracy!, latency: r.latency_ms }));
    const status = frontierStatus(rows, { latency: opts.latencyTolerance, accuracy: opts.accuracyTolerance });
    rows.forEach((r, i) => setFrontier(r, status[i]));

    // After the gate's own measurement, so LACS's calls never share a run with the verdict's models.
    const lacs = opts.lacs && c.config.family === 'base'
      ? await gateLacs(c.config, store, { options: opts.lacs, measure: opts.measure, accuracy: accuracy ?? undefined }, deps)
      : undefined;
    const base = {
      name: c.config.name, ...(c.file ? { file: c.file } : {}),
      accuracy, accuracy_source: accuracySource, latency_ms: candM.median_ms, ci95_ms: candM.ci95_ms,
      params: candStats.params, macs: candStats.macs, intensity: candStats.intensity, models: rows,
      budget_exhausted: result.budget_exhausted, rounds: result.rounds, wall_s: result.wall_s,
      ...(lacs ? { lacs: withoutEntry(lacs) } : {}),
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
    // The candidate's star is its verdict: the same rule, decided once.
    const own: FrontierStatus = decision.verdict === 'dominated' ? 'off' : decision.verdict === 'inconclusive' ? 'undecided' : 'on';
    setFrontier(rows[0], own);
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
      budget_s: opts.budgetSeconds, strict: !!opts.strict, latency_only: !!opts.latencyOnly, lacs: !!opts.lacs, ...(opts.storeFile ? { store: opts.storeFile } : {}),
    },
    selection: estimate.referenceTarget ? { ranked_by: 'stored-latency', reference_target: estimate.referenceTarget } : { ranked_by: 'macs' },
    candidates: results,
  };
}

// ---------------------------------------------------------------------------------------------------------
// record and sweep: measurements into the store

/** One change to apply to a store: add or update a record and its measurement on one target. */
export interface RecordUpdate {
  name: string;
  config: ArchConfig;
  config_hash: string;
  /** undefined: keep the stored accuracy. */
  accuracy?: StoredAccuracy | null;
  target: string;
  label: string;
  measurement: StoredMeasurement;
  /** Sweep: apply only if the record still has this config (it may have changed while we measured). */
  requireSameConfig?: boolean;
  /** LACS coefficients recomputed for a `family: base` config, filed under their own target key. */
  lacs?: { target: string; entry: StoredLacs };
}

/** The report carries the comparison; the store entry goes into the update only. */
function withoutEntry(g: GateLacs): GateLacs {
  const { entry: _entry, ...rest } = g;
  void _entry;
  return rest;
}

const round = (x: number, digits = 4) => +x.toFixed(digits);

const FINGERPRINT_KEYS: (keyof Fingerprint)[] = ['cpu', 'cores', 'memory_gb', 'os', 'node', 'onnxruntime', 'provider', 'gpu', 'driver', 'threads', 'batch', 'precision'];

function storedMeasurement(m: ModelMeasurement, target: Target, date: Date, commit: string | undefined): StoredMeasurement {
  const fingerprint = {} as Record<string, unknown>;
  for (const k of FINGERPRINT_KEYS) if (target.fingerprint[k] !== undefined) fingerprint[k] = target.fingerprint[k];
  return {
    date: date.toISOString(), commit: commit ?? null,
    median_ms: round(m.median_ms), ci95_ms: [round(m.ci95_ms[0]), round(m.ci95_ms[1])], samples: m.samples,
    batch: target.fingerprint.batch, precision: target.fingerprint.precision, provider: target.fingerprint.provider,
    fingerprint: fingerprint as unknown as Fingerprint,
  };
}

const historyEntry = (m: StoredMeasurement): HistoryEntry => ({ date: m.date, commit: m.commit, median_ms: m.median_ms, ci95_ms: m.ci95_ms, samples: m.samples });

/**
 * Applies updates to a store (a new object; the input is not changed). A changed config replaces the
 * record's config and drops its old measurements: they belong to another network.
 */
export function applyRecordUpdates(store: FrontierStore, updates: readonly RecordUpdate[]): FrontierStore {
  const records = store.records.map((r) => ({ ...r, targets: { ...r.targets } }));
  for (const u of updates) {
    let rec = records.find((r) => r.name === u.name);
    if (u.requireSameConfig && rec?.config_hash !== u.config_hash) continue;
    if (!rec) {
      rec = { name: u.name, accuracy: u.accuracy ?? null, config_hash: u.config_hash, config: u.config, targets: {} };
      records.push(rec);
    }
    if (rec.config_hash !== u.config_hash) {
      rec.config = u.config;
      rec.config_hash = u.config_hash;
      rec.targets = {};
    }
    if (u.accuracy !== undefined) rec.accuracy = u.accuracy;
    const prev = rec.targets[u.target];
    rec.targets[u.target] = {
      label: u.label,
      latest: prev && Date.parse(prev.latest.date) > Date.parse(u.measurement.date) ? prev.latest : u.measurement,
      history: mergeHistory(prev?.history ?? [], [historyEntry(u.measurement)]),
    };
    // Kept when the config changes: each entry names the base version it was searched for.
    if (u.lacs) rec.lacs = { ...rec.lacs, [u.lacs.target]: u.lacs.entry };
  }
  return { version: store.version, records };
}

export interface RecordInput {
  config: ArchConfig;
  file?: string;
  accuracy?: number;
  accuracySource?: string;
}

export interface RecordOptions {
  budgetSeconds: number;
  measure?: Partial<MeasureOptions>;
  storeFile?: string;
  /** LACS for `family: base` configs, stored with the record (as CheckOptions.lacs; off when undefined). */
  lacs?: Partial<LacsOptions> | false;
}

export interface RecordRow {
  name: string;
  file?: string;
  action: 'added' | 'updated' | 'config-changed';
  accuracy: number | null;
  latency_ms: number;
  ci95_ms: [number, number];
  previous_ms: number | null;
  params: number;
  macs: number;
  lacs?: GateLacs;
}

export interface RecordReport {
  command: 'record';
  target: { key: string; label: string };
  rows: RecordRow[];
  /** The store written; undefined when the caller keeps the result elsewhere (the action commits it). */
  store?: string;
}

function accuracyFor(input: RecordInput): StoredAccuracy | undefined {
  if (input.accuracy !== undefined) return { top1: input.accuracy, dataset: input.config.accuracy?.dataset ?? null, source: input.accuracySource ?? '--accuracy' };
  const a = input.config.accuracy;
  return a ? { top1: a.top1, dataset: a.dataset ?? null, source: a.source ?? null } : undefined;
}

/** Measures the configs in one interleaved run and returns the store updates (and the store with them). */
export async function runRecord(
  store: FrontierStore,
  inputs: readonly RecordInput[],
  options: RecordOptions,
  deps: GateDeps,
): Promise<{ report: RecordReport; store: FrontierStore; updates: RecordUpdate[] }> {
  if (!inputs.length) throw new UserError('record: give at least one config');
  const names = new Set<string>();
  for (const i of inputs) {
    if (names.has(i.config.name)) throw new UserError(`record: two configs are named ${JSON.stringify(i.config.name)}; names must differ`);
    names.add(i.config.name);
    assertStorable(newRecord(i.config, accuracyFor(i) ?? null), i.file);
  }
  const result = await deps.measurer.measure(inputs.map((i) => configInput(i.config.name, i.config)), { ...options.measure, budgetSeconds: options.budgetSeconds });
  const date = (deps.now ?? (() => new Date()))();
  const updates: RecordUpdate[] = [];
  const rows: RecordRow[] = [];
  for (const i of inputs) {
    const config = storedConfig(i.config);
    const hash = configHash(config);
    const measurement = storedMeasurement(measurementOf(result, i.config.name), result.target, date, deps.commit);
    const accuracy = accuracyFor(i);
    updates.push({ name: i.config.name, config, config_hash: hash, ...(accuracy ? { accuracy } : {}), target: result.target.key, label: result.target.label, measurement });
    const existing = store.records.find((r) => r.name === i.config.name);
    const stats = countConfig(i.config, options.measure?.precision ?? 'fp32');
    rows.push({
      name: i.config.name, ...(i.file ? { file: i.file } : {}),
      action: !existing ? 'added' : existing.config_hash !== hash ? 'config-changed' : 'updated',
      accuracy: accuracy?.top1 ?? existing?.accuracy?.top1 ?? null,
      latency_ms: measurement.median_ms, ci95_ms: measurement.ci95_ms,
      previous_ms: existing && existing.config_hash === hash ? (existing.targets[result.target.key]?.latest.median_ms ?? null) : null,
      params: stats.params, macs: stats.macs,
    });
  }
  // LACS after all measurements, on the store with this call's records in it: configs recorded together
  // (a first record of a zoo) are trained records for the accuracy predictor too.
  if (options.lacs) {
    const withThese = applyRecordUpdates(store, updates);
    for (const [n, i] of inputs.entries()) {
      if (i.config.family !== 'base') continue;
      const lacs = await gateLacs(i.config, withThese, { options: options.lacs, measure: options.measure, accuracy: updates[n].accuracy?.top1 }, { ...deps, now: () => date });
      if (lacs.entry) updates[n].lacs = { target: lacs.target_key!, entry: lacs.entry };
      rows[n].lacs = withoutEntry(lacs);
    }
  }
  const report: RecordReport = { command: 'record', target: { key: result.target.key, label: result.target.label }, rows, ...(options.storeFile ? { store: options.storeFile } : {}) };
  return { report, store: applyRecordUpdates(store, updates), updates };
}

export interface SweepOptions {
  budgetSeconds: number;
  /** Relative change below which a drift is noise (default 0.03, like check's latency tolerance). */
  latencyTolerance: number;
  measure?: Partial<MeasureOptions>;
  storeFile?: string;
  /** Measure and report only: the store is not written. */
  dryRun?: boolean;
}

export type DriftStatus = 'slower' | 'faster' | 'same' | 'new';

export interface DriftRow {
  name: string;
  status: DriftStatus;
  latency_ms: number;
  ci95_ms: [number, number];
  previous_ms: number | null;
  previous_date: string | null;
  /** latency / previous - 1. */
  drift: number | null;
  /** drift -/+ the sum of both measurements' relative 95% half-widths: wider than a 95% interval, never narrower. */
  drift_ci95: [number, number] | null;
  /** The change that counts as noise for this model: tolerance or the two intervals' half-widths. */
  noise: number | null;
}

export interface SweepReport {
  command: 'sweep';
  target: { key: string; label: string };
  rows: DriftRow[];
  /** Median drift over models measured before: a machine-wide shift rather than a model's. */
  common_drift: number | null;
  /** The latency tolerance the drift was judged with. */
  latency_tolerance: number;
  store?: string;
  /** True when the store was not written (sweep --dry-run). */
  dry_run: boolean;
}

const halfWidth = (ci: [number, number], median: number) => (ci[1] - ci[0]) / 2 / median;

/** Drift of one model between its stored latest measurement and now. */
export function driftOf(previous: { median_ms: number; ci95_ms: [number, number] } | undefined, now: { median_ms: number; ci95_ms: [number, number] }, tolerance: number): Pick<DriftRow, 'status' | 'drift' | 'drift_ci95' | 'noise'> {
  if (!previous) return { status: 'new', drift: null, drift_ci95: null, noise: null };
  const drift = now.median_ms / previous.median_ms - 1;
  const spread = halfWidth(previous.ci95_ms, previous.median_ms) + halfWidth(now.ci95_ms, now.median_ms);
  const noise = Math.max(tolerance, spread);
  return { status: drift > noise ? 'slower' : drift < -noise ? 'faster' : 'same', drift, drift_ci95: [drift - spread, drift + spread], noise };
}

/** Re-measures every record on this target in one interleaved run; reports drift against the store. */
export async function runSweep(store: FrontierStore, options: SweepOptions, deps: GateDeps): Promise<{ report: SweepReport; store: FrontierStore; updates: RecordUpdate[] }> {
  if (!store.records.length) throw new UserError(`sweep: the store${options.storeFile ? ` ${options.storeFile}` : ''} has no records; add some with 'frontier-gate record'`);
  for (const r of store.records) checkStoredConfig(r, options.storeFile);
  const result = await deps.measurer.measure(store.records.map((r) => configInput(r.name, r.config)), { ...options.measure, budgetSeconds: options.budgetSeconds });
  const date = (deps.now ?? (() => new Date()))();
  const key = result.target.key;
  const updates: RecordUpdate[] = [];
  const rows: DriftRow[] = [];
  for (const r of store.records) {
    const measurement = storedMeasurement(measurementOf(result, r.name), result.target, date, deps.commit);
    updates.push({ name: r.name, config: r.config, config_hash: r.config_hash, target: key, label: result.target.label, measurement, requireSameConfig: true });
    const prev = r.targets[key]?.latest;
    rows.push({
      name: r.name, latency_ms: measurement.median_ms, ci95_ms: measurement.ci95_ms,
      previous_ms: prev?.median_ms ?? null, previous_date: prev?.date ?? null,
      ...driftOf(prev, measurement, options.latencyTolerance),
    });
  }
  const drifts = rows.filter((r) => r.drift !== null).map((r) => r.drift!).sort((a, b) => a - b);
  const common = drifts.length ? (drifts.length % 2 ? drifts[(drifts.length - 1) / 2] : (drifts[drifts.length / 2 - 1] + drifts[drifts.length / 2]) / 2) : null;
  const report: SweepReport = {
    command: 'sweep', target: { key, label: result.target.label }, rows, common_drift: common, latency_tolerance: options.latencyTolerance,
    ...(options.storeFile ? { store: options.storeFile } : {}), dry_run: !!options.dryRun,
  };
  return { report, store: applyRecordUpdates(store, updates), updates };
}
