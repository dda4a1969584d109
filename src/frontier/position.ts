/**
 * The one rule for where a model sits against the frontier. Every comparison is a latency ratio
 * other / model with its 95% interval (side by side when measured in one run; a point interval widened
 * by the measurement noise otherwise) and the other model's top-1.
 *
 *   contender         a model at least as accurate, minus the accuracy tolerance
 *   dominated         a contender is faster beyond the latency tolerance, its whole interval past the
 *                     line 1 / (1 + tolerance)
 *   undecided         no such contender, but one's interval straddles that line
 *   beyond            it moves the frontier out: every contender is slower beyond the latency tolerance
 *                     (whole interval above 1 + tolerance), or there is none and the model is more accurate than every other model beyond
 *                     the accuracy tolerance
 *   within-tolerance  none of these: on the frontier within the tolerances
 *
 * The check's verdict (verdict.ts) and LACS's family position (lacs/position.ts) are this rule; the
 * latency tolerance is a parameter with one documented default, the check's 3%.
 */

export interface Tolerances {
  /** Relative latency band, e.g. 0.03: a model must be more than 3% faster to dominate. */
  latency: number;
  /** Accuracy points, e.g. 0.1: a model 0.1 points less accurate still counts as "as accurate". */
  accuracy: number;
}

/** The check's tolerances, and the default wherever a position against the frontier is taken. */
export const DEFAULT_TOLERANCES: Tolerances = { latency: 0.03, accuracy: 0.1 };

/** Accuracies are decimals like 77.7; 77.8 - 0.1 must still count as 77.7. */
export const ACCURACY_EPSILON = 1e-9;

export interface Comparison {
  name: string;
  /** Top-1 of the other model; null when unknown (it cannot dominate on accuracy). */
  accuracy: number | null;
  /** latency(other) / latency(model). */
  ratio: number;
  ci95: [number, number];
}

export type Position = 'dominated' | 'undecided' | 'beyond' | 'within-tolerance';

export interface Dominator extends Comparison {
  accuracy: number;
  /** How much slower the model is: 1 / ratio - 1, with its interval. */
  slower_by: number;
  slower_by_ci95: [number, number];
}

export interface PositionResult {
  position: Position;
  /** dominated: the contender with the largest proven gap. */
  dominatedBy?: Dominator;
  /** undecided: the contenders whose interval straddles the line. */
  undecided: string[];
  /** The models at least as accurate (minus the tolerance), in the order given. */
  contenders: Comparison[];
}

/** ratio = other / model; the model is slower by 1/ratio - 1. */
export const slowerBy = (ratio: number) => 1 / ratio - 1;

/**
 * The position of a model of top-1 `accuracy` against `comparisons`. `bestOtherAccuracy` is the best
 * top-1 among all other models (compared or not; null when none has one): with no contender, the model
 * moves the frontier only if it beats that by more than the accuracy tolerance.
 */
export function positionAgainst(
  accuracy: number,
  comparisons: readonly Comparison[],
  tolerances: Tolerances = DEFAULT_TOLERANCES,
  bestOtherAccuracy: number | null = null,
): PositionResult {
  const line = 1 / (1 + tolerances.latency);
  const contenders = comparisons
    .filter((c): c is Comparison & { accuracy: number } => c.accuracy !== null && c.accuracy >= accuracy - tolerances.accuracy - ACCURACY_EPSILON);
  const proven = contenders.filter((c) => c.ci95[1] < line).sort((a, b) => a.ci95[1] - b.ci95[1] || b.accuracy - a.accuracy);
  if (proven.length) {
    const d = proven[0];
    const dominatedBy: Dominator = { ...d, slower_by: slowerBy(d.ratio), slower_by_ci95: [slowerBy(d.ci95[1]), slowerBy(d.ci95[0])] };
    return { position: 'dominated', dominatedBy, undecided: [], contenders };
  }
  const straddling = contenders.filter((c) => c.ci95[0] < line);
  if (straddling.length) return { position: 'undecided', undecided: straddling.map((c) => c.name), contenders };
  const aheadOfAll = contenders.length === 0 && (bestOtherAccuracy === null || accuracy - tolerances.accuracy - ACCURACY_EPSILON > bestOtherAccuracy);
  // Beyond the frontier on latency means faster than every contender beyond the same band that dominance
  // uses: a lead inside the tolerance is noise-sized, not a new frontier.
  const clear = 1 + tolerances.latency;
  if (aheadOfAll || (contenders.length > 0 && contenders.every((c) => c.ci95[0] > clear))) return { position: 'beyond', undecided: [], contenders };
  return { position: 'within-tolerance', undecided: [], contenders };
}

/** A comparison from two point latencies, its interval widened by a relative noise (0 = exact). */
export function pointComparison(other: { name: string; accuracy: number | null; latency_ms: number }, modelLatencyMs: number, noise = 0): Comparison {
  const ratio = other.latency_ms / modelLatencyMs;
  return { name: other.name, accuracy: other.accuracy, ratio, ci95: [ratio / (1 + noise), ratio * (1 + noise)] };
}
