/**
 * Where a LACS family member would sit relative to a frontier of measured points: the frontier's one
 * Pareto function (frontier/pareto.ts) and its one position rule (frontier/position.ts), read as
 * above (moves the frontier out), on (within the tolerances, or undecided) or below (dominated).
 */
import { paretoBy } from '../frontier/pareto';
import { DEFAULT_TOLERANCES, pointComparison, positionAgainst, type Tolerances } from '../frontier/position';

export interface FrontierPoint {
  name: string;
  accuracy: number;
  latency_ms: number;
}

export type FrontierPosition = 'on' | 'above' | 'below';

/** The check's tolerances (3% latency, 0.1 top-1 points): one default for every position. */
export type PositionTolerance = Tolerances;
export const DEFAULT_POSITION_TOLERANCE: PositionTolerance = DEFAULT_TOLERANCES;

/** The non-dominated subset, sorted by latency. */
export function paretoFrontier(points: readonly FrontierPoint[]): FrontierPoint[] {
  return paretoBy(points, (p) => ({ latency: p.latency_ms, accuracy: p.accuracy }));
}

/**
 * The position of a model against the frontier. `noise` is the relative half-width of the latency
 * ratios (the model's plus the frontier's measured intervals; 0 for exact latencies): two copies of one
 * network that differ within it read as "on", not "above".
 */
export function frontierPosition(
  model: { accuracy: number; latency_ms: number; noise?: number },
  frontier: readonly FrontierPoint[],
  tolerance: PositionTolerance = DEFAULT_POSITION_TOLERANCE,
): { position: FrontierPosition; nearest?: string } {
  const comparisons = frontier.map((p) => pointComparison(p, model.latency_ms, model.noise ?? 0));
  const best = frontier.length ? Math.max(...frontier.map((p) => p.accuracy)) : null;
  const p = positionAgainst(model.accuracy, comparisons, tolerance, best);
  switch (p.position) {
    case 'dominated':
      return { position: 'below', nearest: p.dominatedBy!.name };
    case 'beyond':
      return { position: 'above' };
    default: {
      // The contender nearest in latency is the model it ties.
      const tie = [...p.contenders].sort((a, b) => Math.abs(Math.log(a.ratio)) - Math.abs(Math.log(b.ratio)))[0];
      return { position: 'on', ...(tie ? { nearest: tie.name } : {}) };
    }
  }
}
