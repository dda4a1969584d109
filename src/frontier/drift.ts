/**
 * Drift, judged where it is measurable: each model's latency as a ratio to the sweep's anchor, measured side
 * by side every night, so a busier, warmer or re-clocked runner moves the anchor and the model together and
 * leaves the ratio alone. A model drifts when its ratio moved, with evidence from both sides:
 *
 *  - history: a change point in its ratio series (E-divisive means, ./changepoint.ts) with at least two
 *    nights after it, every one of them beyond the tolerance on the same side of the level before it;
 *  - tonight: the ratio's side-by-side 95% interval, over that level, is beyond the band (measure/band.ts).
 *
 * One night beyond the band without the history's confirmation is `pending`: it is shown, never alerted. So
 * a single noisy night cannot alert, and a real step alerts on its second night (given about eight nights of
 * history before it for the permutation test to reach alpha 0.05). The anchor itself is judged on its
 * absolute latency: that is the runner, reported once as a runner shift, never as model drifts.
 */
import { band, change } from '../measure/band';
import { median } from '../measure/stats';
import type { Fingerprint } from '../measure/types';
import { changePoints, type ChangePointOptions } from './changepoint';
import type { StoredMeasurement, TargetEntry } from './store';

/**
 * The band of tonight's ratio over the reference level; `new` without a ratio history to the same anchor,
 * `pending` beyond the band tonight but not (yet) confirmed by the history.
 */
export type DriftStatus = 'slower' | 'faster' | 'within' | 'straddles' | 'new' | 'pending';

/** One night of a model's ratio to the anchor. */
export interface RatioPoint {
  date: string;
  ratio: number;
  ci95: [number, number];
}

export interface DriftJudgement {
  status: DriftStatus;
  /** The level tonight is judged against: the median ratio before the change point, or of the history. */
  reference: number | null;
  /** tonight's ratio / reference - 1, and its interval (tonight's side-by-side interval over the reference). */
  drift: number | null;
  drift_ci95: [number, number] | null;
  /** Date of the first night after the change point, for a confirmed or pending change. */
  since: string | null;
  /** The series judged (oldest first, tonight last) and the index of its last change point, if any. */
  series: RatioPoint[];
  change_point: number | null;
}

/**
 * A target entry's ratio history to `anchor`, oldest first: measurements against another anchor (or none,
 * before stores kept ratios) are not comparable and are left out, and so is everything before an accepted
 * baseline.
 */
export function ratioSeries(entry: Pick<TargetEntry, 'history' | 'baseline'> | undefined, anchor: string): RatioPoint[] {
  if (!entry) return [];
  const since = entry.baseline ? Date.parse(entry.baseline.since) : -Infinity;
  return entry.history
    .filter((h) => h.anchor === anchor && h.ratio !== undefined && h.ratio_ci95 !== undefined && Date.parse(h.date) >= since)
    .map((h) => ({ date: h.date, ratio: h.ratio!, ci95: h.ratio_ci95! }));
}

/** Judges tonight's ratio against a model's ratio history (see the module comment for the rule). Pure. */
export function judgeDrift(history: readonly RatioPoint[], tonight: RatioPoint, tolerance: number, options: Partial<ChangePointOptions> = {}): DriftJudgement {
  const series = [...history, tonight];
  if (!history.length) return { status: 'new', reference: null, drift: null, drift_ci95: null, since: null, series, change_point: null };
  const ratios = series.map((p) => p.ratio);
  const cps = changePoints(ratios, options);
  const last = cps.length ? cps[cps.length - 1].index : null;
  const before = cps.length > 1 ? cps[cps.length - 2].index : 0;
  const over = (ref: number) => {
    const ci: [number, number] = [tonight.ci95[0] / ref, tonight.ci95[1] / ref];
    return { drift: tonight.ratio / ref - 1, drift_ci95: change(ci), band: band(ci, tolerance) };
  };
  if (last !== null) {
    // A change point: the nights after it against the level of the segment before it.
    const reference = median(ratios.slice(before, last));
    const after = ratios.slice(last);
    const side = (r: number) => (r / reference - 1 > tolerance ? 'slower' : r / reference - 1 < -tolerance ? 'faster' : null);
    const sides = new Set(after.map(side));
    const tonightVs = over(reference);
    if (after.length >= 2 && sides.size === 1 && !sides.has(null) && tonightVs.band === [...sides][0]) {
      return { status: tonightVs.band, reference, drift: tonightVs.drift, drift_ci95: tonightVs.drift_ci95, since: series[last].date, series, change_point: last };
    }
  }
  // No confirmed step: tonight against the level since the last change point (tonight excluded).
  const from = last !== null && last < series.length - 1 ? last : before;
  const level = ratios.slice(from, -1);
  const reference = median(level.length ? level : ratios.slice(0, -1));
  const tonightVs = over(reference);
  const beyond = tonightVs.band === 'slower' || tonightVs.band === 'faster';
  return {
    status: beyond ? 'pending' : tonightVs.band,
    reference, drift: tonightVs.drift, drift_ci95: tonightVs.drift_ci95,
    since: beyond ? tonight.date : null,
    series, change_point: last,
  };
}

/** The runner moved: the anchor's own latency against its last stored measurement, beyond the band. */
export interface RunnerShift {
  anchor: string;
  status: 'slower' | 'faster';
  /** latency / previous - 1 with its interval (both measurements' relative half-widths added, as driftOf). */
  change: number;
  change_ci95: [number, number];
  previous_date: string;
  /** Fingerprint fields that differ from the previous measurement's. */
  fingerprint_changes: { field: string; from: unknown; to: unknown }[];
}

const halfWidth = (ci: readonly [number, number], m: number) => (ci[1] - ci[0]) / 2 / m;

/**
 * Drift of one latency between a stored measurement and a later one (two runs, not side by side), judged by
 * the band rule: the interval of now / previous is the ratio of the medians widened by both measurements'
 * relative half-widths, and its band for the tolerance is the status. The anchor's own row, the runner
 * shift and the dashboard's drift of stores without ratios use it.
 */
export function driftOf(
  previous: { median_ms: number; ci95_ms: readonly [number, number] } | undefined,
  now: { median_ms: number; ci95_ms: readonly [number, number] },
  tolerance: number,
): { status: DriftStatus; drift: number | null; drift_ci95: [number, number] | null } {
  if (!previous) return { status: 'new', drift: null, drift_ci95: null };
  const ratio = now.median_ms / previous.median_ms;
  const spread = halfWidth(previous.ci95_ms, previous.median_ms) + halfWidth(now.ci95_ms, now.median_ms);
  const interval: [number, number] = [ratio - spread, ratio + spread];
  return { status: band(interval, tolerance), drift: ratio - 1, drift_ci95: change(interval) };
}

/** The anchor's absolute move since its last stored measurement, when beyond the band; null otherwise. */
export function runnerShift(anchor: string, previous: StoredMeasurement | undefined, now: StoredMeasurement, tolerance: number): RunnerShift | null {
  const d = driftOf(previous, now, tolerance);
  if (!previous || (d.status !== 'slower' && d.status !== 'faster')) return null;
  return { anchor, status: d.status, change: d.drift!, change_ci95: d.drift_ci95!, previous_date: previous.date, fingerprint_changes: fingerprintChanges(previous.fingerprint, now.fingerprint) };
}

export function fingerprintChanges(from: Fingerprint, to: Fingerprint): RunnerShift['fingerprint_changes'] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])] as (keyof Fingerprint)[];
  return keys.filter((k) => JSON.stringify(from[k]) !== JSON.stringify(to[k])).map((k) => ({ field: k, from: from[k] ?? null, to: to[k] ?? null }));
}

/**
 * Every judged model moved the same way against the anchor: the anchor itself changed (or the runtime
 * changed for every model but it), which is one fact about the anchor, not N model drifts. Needs two models.
 */
export function movedTogether(statuses: readonly { status: DriftStatus; drift: number | null }[]): { status: 'slower' | 'faster'; drift: number } | null {
  const judged = statuses.filter((s) => s.status !== 'new');
  if (judged.length < 2) return null;
  for (const side of ['slower', 'faster'] as const) {
    const onSide = (s: { status: DriftStatus; drift: number | null }) =>
      s.status === side || (s.status === 'pending' && s.drift !== null && (side === 'slower' ? s.drift > 0 : s.drift < 0));
    if (judged.every(onSide)) return { status: side, drift: median(judged.map((s) => s.drift!)) };
  }
  return null;
}
