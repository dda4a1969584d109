/**
 * Accuracy-latency Pareto frontier (higher accuracy, lower latency) and distances to it. Pure functions
 * over points; the caller decides which latencies are comparable (one target, ideally one run).
 */

export interface FrontierPoint {
  name: string;
  accuracy: number;
  latency: number;
}

/** `a` dominates `b`: at least as accurate and at least as fast, strictly better in one. */
export function dominates(a: FrontierPoint, b: FrontierPoint): boolean {
  return a.accuracy >= b.accuracy && a.latency <= b.latency && (a.accuracy > b.accuracy || a.latency < b.latency);
}

/** The two objectives of a point: lower latency and higher accuracy (or an accuracy proxy) are better. */
export interface Objectives {
  latency: number;
  accuracy: number;
}

/**
 * The one Pareto function: the points no other point dominates, fastest first. Exact ties (same accuracy
 * and latency) all stay: neither is better. O(n log n): sort by latency, keep the running best accuracy.
 * `objectives` reads a point's latency and accuracy (LACS reads latency_ms, search its proxy).
 */
export function paretoBy<T>(points: readonly T[], objectives: (p: T) => Objectives): T[] {
  const sorted = points.map((p) => ({ p, o: objectives(p) })).sort((a, b) => a.o.latency - b.o.latency || b.o.accuracy - a.o.accuracy);
  const frontier: T[] = [];
  let best: Objectives | undefined;
  for (const { p, o } of sorted) {
    if (!best || o.accuracy > best.accuracy) {
      frontier.push(p);
      best = o;
    } else if (o.accuracy === best.accuracy && o.latency === best.latency) {
      frontier.push(p); // an exact twin of a frontier point
    }
  }
  return frontier;
}

/** paretoBy over points that carry `latency` and `accuracy` themselves. */
export function paretoFrontier<T extends FrontierPoint>(points: readonly T[]): T[] {
  return paretoBy(points, (p) => p);
}

export interface LatencyGap {
  /** point.latency / reference.latency - 1: > 0 slower than the frontier at its accuracy, < 0 ahead of it. */
  slower_by: number;
  reference: string;
}

export interface AccuracyGap {
  /** reference.accuracy - point.accuracy in points: > 0 less accurate than the frontier at its latency. */
  less_accurate_by: number;
  reference: string;
}

/**
 * How much slower the point is than the frontier at equal (or better) accuracy: against the fastest other
 * point at least as accurate. Undefined when no other point is as accurate (it tops the frontier).
 */
export function latencyGap(point: FrontierPoint, others: readonly FrontierPoint[]): LatencyGap | undefined {
  let ref: FrontierPoint | undefined;
  for (const o of others) {
    if (o.name === point.name || o.accuracy < point.accuracy) continue;
    if (!ref || o.latency < ref.latency || (o.latency === ref.latency && o.accuracy > ref.accuracy)) ref = o;
  }
  return ref ? { slower_by: point.latency / ref.latency - 1, reference: ref.name } : undefined;
}

/**
 * How much less accurate the point is than the frontier at equal (or lower) latency: against the most
 * accurate other point at most as slow. Undefined when no other point is as fast (it is the fastest).
 */
export function accuracyGap(point: FrontierPoint, others: readonly FrontierPoint[]): AccuracyGap | undefined {
  let ref: FrontierPoint | undefined;
  for (const o of others) {
    if (o.name === point.name || o.latency > point.latency) continue;
    if (!ref || o.accuracy > ref.accuracy || (o.accuracy === ref.accuracy && o.latency < ref.latency)) ref = o;
  }
  return ref ? { less_accurate_by: ref.accuracy - point.accuracy, reference: ref.name } : undefined;
}
