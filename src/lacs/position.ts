/** Where a model would sit relative to a frontier of measured points (higher accuracy, lower latency). */
export interface FrontierPoint {
  name: string;
  accuracy: number;
  latency_ms: number;
}

export type FrontierPosition = 'on' | 'above' | 'below';

export interface PositionTolerance {
  /** Relative latency band treated as equal (default 0.02, the measurement engine's noise band). */
  latency: number;
  /** Top-1 points treated as equal (default 0.1). */
  accuracy: number;
}

export const DEFAULT_POSITION_TOLERANCE: PositionTolerance = { latency: 0.02, accuracy: 0.1 };

/** The non-dominated subset, sorted by latency. */
export function paretoFrontier(points: FrontierPoint[]): FrontierPoint[] {
  const sorted = [...points].sort((a, b) => a.latency_ms - b.latency_ms || b.accuracy - a.accuracy);
  const out: FrontierPoint[] = [];
  for (const p of sorted) {
    if (out.length === 0 || p.accuracy > out[out.length - 1].accuracy) out.push(p);
  }
  return out;
}

/**
 * - below: some frontier point is no slower (within the latency band) and more accurate beyond the
 *   accuracy tolerance: the model would be dominated;
 * - above: no frontier point is no slower and at least as accurate (within tolerance): the model would
 *   move the frontier out;
 * - on: neither, i.e. it ties the frontier within the tolerances.
 */
export function frontierPosition(
  model: { accuracy: number; latency_ms: number },
  frontier: FrontierPoint[],
  tolerance: PositionTolerance = DEFAULT_POSITION_TOLERANCE,
): { position: FrontierPosition; nearest?: string } {
  const noSlower = frontier.filter((p) => p.latency_ms <= model.latency_ms * (1 + tolerance.latency));
  const dominator = noSlower
    .filter((p) => p.accuracy > model.accuracy + tolerance.accuracy)
    .sort((a, b) => a.latency_ms - b.latency_ms)[0];
  if (dominator) return { position: 'below', nearest: dominator.name };
  const tie = noSlower.filter((p) => p.accuracy >= model.accuracy - tolerance.accuracy).sort((a, b) => b.accuracy - a.accuracy)[0];
  if (tie) return { position: 'on', nearest: tie.name };
  return { position: 'above' };
}
