/**
 * sweep: re-measure every record on this target in one interleaved run, report drift against the store
 * (judged by the band rule, measure/band.ts) and which .onnx records' files are missing or changed at this
 * commit (not measured, history kept), and return the store updates.
 */
import { UserError } from '../errors';
import { median } from '../measure/stats';
import type { MeasureOptions, MeasureResult } from '../measure/types';
import { chooseAnchors } from './anchor';
import { driftOf, judgeDrift, movedTogether, ratioSeries, runnerShift, type DriftStatus, type RatioPoint, type RunnerShift } from './drift';
import { checkStoredConfig, measurementOf, type GateDeps } from './measuring';
import { isUnavailable, modelInput, storedModel, type GateModel, type Unavailable } from './models';
import { ownEntry, type FrontierRecord, type FrontierStore, type Provenance, type StoredMeasurement } from './store';
import { applyRecordUpdates, storedMeasurement, type RecordUpdate } from './updates';

export interface SweepOptions {
  budgetSeconds: number;
  /** Relative change below which a drift is noise (default 0.03, like check's latency tolerance). */
  latencyTolerance: number;
  measure?: Partial<MeasureOptions>;
  storeFile?: string;
  /** Measure and report only: the store is not written. */
  dryRun?: boolean;
  /** The anchor every model is measured beside (default: ./anchor.ts chooseAnchors). */
  anchor?: string;
}

export { driftOf, type DriftStatus } from './drift';

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
  /**
   * `ratio`: judged on the ratio to the anchor (frontier/drift.ts), drift = ratio / reference - 1. `anchor`:
   * the anchor's own row, judged on its absolute latency (drift = latency / previous - 1), which is the runner.
   * `latency`: a report of shards or stores without an anchor, judged on absolute latency.
   */
  basis?: 'ratio' | 'anchor' | 'latency';
  ratio?: number | null;
  ratio_ci95?: [number, number] | null;
  /** The level tonight's ratio is judged against (median before the change point, or of the history). */
  reference_ratio?: number | null;
  /** First night of a confirmed or pending change. */
  since?: string | null;
  /** The ratio series judged, oldest first, tonight last, and its last change point's index. */
  series?: RatioPoint[];
  change_point?: number | null;
}

export interface SweepReport {
  command: 'sweep';
  target: { key: string; label: string };
  rows: DriftRow[];
  /** Median drift over models measured before: a machine-wide shift rather than a model's. */
  common_drift: number | null;
  /** The model every other was measured beside. */
  anchor?: string | null;
  /** The anchor's own latency moved beyond the band since the last sweep: the runner changed. */
  runner_shift?: RunnerShift | null;
  /** Every model moved the same way against the anchor: one fact about the anchor, not model drifts. */
  together?: { status: 'slower' | 'faster'; drift: number } | null;
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
  // The anchor named, else the usual one (chooseAnchors), else, when that one's file is not at hand, the
  // usual choice among the records measurable here.
  const measurable = { ...store, records: store.records.filter((r) => models.some((m) => m.name === r.name)) };
  const preferred = options.anchor ?? chooseAnchors(store)[0];
  const anchor = options.anchor || models.some((m) => m.name === preferred) ? preferred : chooseAnchors(measurable)[0];
  const anchorModel = models.find((m) => m.name === anchor);
  if (!anchorModel) {
    const why = unmeasured.find((u) => u.name === anchor)?.detail ?? 'not a record of the store';
    throw new UserError(`sweep: the anchor ${JSON.stringify(anchor)} cannot be measured here (${why}); choose another with --anchor`);
  }
  // The anchor first: every ratio the engine reports is model / first, measured side by side.
  const ordered = [anchorModel, ...models.filter((m) => m !== anchorModel)];
  const result = await deps.measurer.measure(ordered.map(modelInput), { ...options.measure, budgetSeconds: options.budgetSeconds });
  const date = (deps.now ?? (() => new Date()))();
  const key = result.target.key;
  const measured = store.records
    .filter((x) => models.some((m) => m.name === x.name))
    .map((r) => ({ record: r, measurement: withRatio(storedMeasurement(measurementOf(result, r.name), result.target, date, deps.commit), result, r.name, anchor) }));
  const updates: RecordUpdate[] = measured.map(({ record: r, measurement }) => ({
    name: r.name, model: { provenance: r.provenance, config_hash: r.config_hash, config: r.config, onnx: r.onnx, published: r.published },
    target: key, label: result.target.label, measurement, requireSameModel: true,
  }));
  const judged = judgeSweep(measured, key, anchor, options.latencyTolerance);
  const report: SweepReport = {
    command: 'sweep', target: { key, label: result.target.label }, ...judged, latency_tolerance: options.latencyTolerance,
    ...(options.storeFile ? { store: options.storeFile } : {}), dry_run: !!options.dryRun, unmeasured,
  };
  return { report, store: applyRecordUpdates(store, updates), updates };
}

/** A stored measurement with its ratio to the anchor (the engine's model / first), except for the anchor itself. */
function withRatio(m: StoredMeasurement, result: MeasureResult, name: string, anchor: string): StoredMeasurement {
  if (name === anchor) return { ...m, anchor };
  const r = result.ratios.find((x) => x.model === name && x.vs === anchor);
  if (!r) throw new Error(`measurer returned no ratio of ${name} to the anchor ${anchor}`);
  const round = (x: number) => +x.toFixed(6);
  return { ...m, anchor, ratio: round(r.ratio), ratio_ci95: [round(r.ci95[0]), round(r.ci95[1])] };
}


/**
 * Drift rows of one night, sweep or merged shards alike: each model on its ratio to the anchor against its
 * ratio history, the anchor on its absolute latency (a runner shift), and the all-together case named once.
 */
export function judgeSweep(
  measured: readonly { record: FrontierRecord; measurement: StoredMeasurement }[],
  key: string,
  anchor: string,
  tolerance: number,
): Pick<SweepReport, 'rows' | 'common_drift' | 'anchor' | 'runner_shift' | 'together'> {
  const rows: DriftRow[] = [];
  let shift: RunnerShift | null = null;
  for (const { record: r, measurement } of measured) {
    const entry = ownEntry(r.targets, key);
    const prev = entry?.latest;
    const base = {
      name: r.name, provenance: r.provenance, latency_ms: measurement.median_ms, ci95_ms: measurement.ci95_ms,
      previous_ms: prev?.median_ms ?? null, previous_date: prev?.date ?? null,
    };
    if (r.name === anchor || measurement.ratio === undefined) {
      rows.push({ ...base, ...driftOf(prev, measurement, tolerance), basis: r.name === anchor ? 'anchor' : 'latency' });
      if (r.name === anchor) shift = runnerShift(anchor, prev, measurement, tolerance);
      continue;
    }
    const tonight = { date: measurement.date, ratio: measurement.ratio, ci95: measurement.ratio_ci95! };
    const j = judgeDrift(ratioSeries(entry, anchor), tonight, tolerance);
    rows.push({
      ...base, status: j.status, drift: j.drift, drift_ci95: j.drift_ci95, basis: 'ratio',
      ratio: tonight.ratio, ratio_ci95: tonight.ci95, reference_ratio: j.reference, since: j.since, series: j.series, change_point: j.change_point,
    });
  }
  const absolute = rows.filter((r) => r.previous_ms !== null).map((r) => r.latency_ms / r.previous_ms! - 1);
  return {
    rows,
    common_drift: absolute.length ? median(absolute) : null,
    anchor,
    runner_shift: shift,
    together: movedTogether(rows.filter((r) => r.basis === 'ratio')),
  };
}
