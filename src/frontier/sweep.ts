/**
 * sweep: re-measure every record on this target in one interleaved run, report drift against the store
 * (judged by the band rule, measure/band.ts) and which .onnx records' files are missing or changed at this
 * commit (not measured, history kept), and return the store updates.
 */
import { UserError } from '../errors';
import { band, change } from '../measure/band';
import type { MeasureOptions } from '../measure/types';
import { checkStoredConfig, measurementOf, type GateDeps } from './measuring';
import { isUnavailable, modelInput, storedModel, type GateModel, type Unavailable } from './models';
import { ownEntry, type FrontierStore, type Provenance } from './store';
import { applyRecordUpdates, storedMeasurement, type RecordUpdate } from './updates';

export interface SweepOptions {
  budgetSeconds: number;
  /** Relative change below which a drift is noise (default 0.03, like check's latency tolerance). */
  latencyTolerance: number;
  measure?: Partial<MeasureOptions>;
  storeFile?: string;
  /** Measure and report only: the store is not written. */
  dryRun?: boolean;
}

/** The band (measure/band.ts) of now / previous, in the band's words; `new` without a previous measurement. */
export type DriftStatus = 'slower' | 'faster' | 'within' | 'straddles' | 'new';

export interface DriftRow {
  name: string;
  provenance: Provenance;
  status: DriftStatus;
  latency_ms: number;
  ci95_ms: [number, number];
  previous_ms: number | null;
  previous_date: string | null;
  /** latency / previous - 1. */
  drift: number | null;
  /** drift -/+ the sum of both measurements' relative 95% half-widths: wider than a 95% interval, never narrower. */
  drift_ci95: [number, number] | null;
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
  /**
   * Stored .onnx records not measured: their file is missing, changed or a Git LFS pointer at this commit.
   * Their records and history stay as they are.
   */
  unmeasured?: Unavailable[];
}

const halfWidth = (ci: readonly [number, number], median: number) => (ci[1] - ci[0]) / 2 / median;

/**
 * Drift of one model between a stored measurement and a later one, judged by the band rule: the interval
 * of now / previous is the ratio of the medians widened by both measurements' relative half-widths, and
 * its band for the tolerance is the status.
 */
export function driftOf(
  previous: { median_ms: number; ci95_ms: readonly [number, number] } | undefined,
  now: { median_ms: number; ci95_ms: readonly [number, number] },
  tolerance: number,
): Pick<DriftRow, 'status' | 'drift' | 'drift_ci95'> {
  if (!previous) return { status: 'new', drift: null, drift_ci95: null };
  const ratio = now.median_ms / previous.median_ms;
  const spread = halfWidth(previous.ci95_ms, previous.median_ms) + halfWidth(now.ci95_ms, now.median_ms);
  const interval: [number, number] = [ratio - spread, ratio + spread];
  return { status: band(interval, tolerance), drift: ratio - 1, drift_ci95: change(interval) };
}

/**
 * Re-measures every record on this target in one interleaved run; reports drift against the store. A stored
 * .onnx record is measured only when its file has the bytes it was recorded with; the others are listed as
 * unmeasured, their history kept.
 */
export async function runSweep(store: FrontierStore, options: SweepOptions, deps: GateDeps): Promise<{ report: SweepReport; store: FrontierStore; updates: RecordUpdate[] }> {
  if (!store.records.length) throw new UserError(`sweep: the store${options.storeFile ? ` ${options.storeFile}` : ''} has no records; add some with 'frontier-gate record'`);
  for (const r of store.records) checkStoredConfig(r, options.storeFile);
  const unmeasured: Unavailable[] = [];
  const models: GateModel[] = [];
  for (const r of store.records) {
    const m = storedModel(r, deps.files);
    if (isUnavailable(m)) unmeasured.push(m);
    else models.push(m);
  }
  if (!models.length) {
    throw new UserError(`sweep: no record of the store can be measured at this commit: ${unmeasured.map((u) => `${u.name}: ${u.detail}`).join('; ')}`);
  }
  const result = await deps.measurer.measure(models.map(modelInput), { ...options.measure, budgetSeconds: options.budgetSeconds });
  const date = (deps.now ?? (() => new Date()))();
  const key = result.target.key;
  const updates: RecordUpdate[] = [];
  const rows: DriftRow[] = [];
  for (const r of store.records.filter((x) => models.some((m) => m.name === x.name))) {
    const measurement = storedMeasurement(measurementOf(result, r.name), result.target, date, deps.commit);
    const model = { provenance: r.provenance, config_hash: r.config_hash, config: r.config, onnx: r.onnx, published: r.published };
    updates.push({ name: r.name, model, target: key, label: result.target.label, measurement, requireSameModel: true });
    const prev = ownEntry(r.targets, key)?.latest;
    rows.push({
      name: r.name, provenance: r.provenance, latency_ms: measurement.median_ms, ci95_ms: measurement.ci95_ms,
      previous_ms: prev?.median_ms ?? null, previous_date: prev?.date ?? null,
      ...driftOf(prev, measurement, options.latencyTolerance),
    });
  }
  const drifts = rows.filter((r) => r.drift !== null).map((r) => r.drift!).sort((a, b) => a - b);
  const common = drifts.length ? (drifts.length % 2 ? drifts[(drifts.length - 1) / 2] : (drifts[drifts.length / 2 - 1] + drifts[drifts.length / 2]) / 2) : null;
  const report: SweepReport = {
    command: 'sweep', target: { key, label: result.target.label }, rows, common_drift: common, latency_tolerance: options.latencyTolerance,
    ...(options.storeFile ? { store: options.storeFile } : {}), dry_run: !!options.dryRun, unmeasured,
  };
  return { report, store: applyRecordUpdates(store, updates), updates };
}
