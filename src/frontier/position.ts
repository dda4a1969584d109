/**
 * The one rule for where a model sits against the frontier, on the band rule of measure/band.ts. Every
 * comparison is a latency ratio other / model with its 95% interval (side by side when measured in one
 * run; a point interval widened by the measurement noise otherwise) and the other model's top-1. The rule
 * judges the model, so it reads each interval the band's way round: model / other (band.invert).
 *
 *   contender         a model at least as accurate, minus the accuracy tolerance
 *   dominated         the model is slower than a contender beyond the latency tolerance: the band says
 *                     "slower" (the whole interval of model / contender above 1 + tolerance)
 *   undecided         no such contender, but one's interval straddles that edge
 *   beyond            it moves the frontier out: the model is faster than every contender beyond the
 *                     latency tolerance (the band says "faster": model / contender below 1 - tolerance),
 *                     or there is none and the model is more accurate than every other model beyond the
 *                     accuracy tolerance
 *   within-tolerance  none of these: on the frontier within the tolerances
 *
 * The check's verdict (verdict.ts), its row texts (separationOf), the pairwise frontier status of every
 * measured or stored model (frontierStatuses: the chart's markers, the dashboard's stars) and LACS's
 * family position (lacs/position.ts) are this rule; the latency tolerance is a parameter with one
 * documented default, the check's 3%.
 */
import { band, fasterSide, invert, slowerSide, type Band, type Interval } from '../measure/band';

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

/** ratio = other / model; the model is slower by 1/ratio - 1 (the band's r - 1, read model / other). */
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
  const t = tolerances.latency;
  const contenders = comparisons
    .filter((c): c is Comparison & { accuracy: number } => c.accuracy !== null && c.accuracy >= accuracy - tolerances.accuracy - ACCURACY_EPSILON);
  // model / contender: the band's direction, the model being judged.
  const slower = (c: Comparison) => slowerSide(invert(c.ci95), t);
  const proven = contenders.filter((c) => slower(c) === 'proven').sort((a, b) => a.ci95[1] - b.ci95[1] || b.accuracy - a.accuracy);
  if (proven.length) {
    const d = proven[0];
    const dominatedBy: Dominator = { ...d, slower_by: slowerBy(d.ratio), slower_by_ci95: [slowerBy(d.ci95[1]), slowerBy(d.ci95[0])] };
    return { position: 'dominated', dominatedBy, undecided: [], contenders };
  }
  const straddling = contenders.filter((c) => slower(c) === 'possible');
  if (straddling.length) return { position: 'undecided', undecided: straddling.map((c) => c.name), contenders };
  const aheadOfAll = contenders.length === 0 && (bestOtherAccuracy === null || accuracy - tolerances.accuracy - ACCURACY_EPSILON > bestOtherAccuracy);
  // Beyond the frontier on latency means faster than every contender beyond the band: a lead inside the
  // tolerance is noise-sized, not a new frontier.
  if (aheadOfAll || (contenders.length > 0 && contenders.every((c) => fasterSide(invert(c.ci95), t) === 'proven'))) {
    return { position: 'beyond', undecided: [], contenders };
  }
  return { position: 'within-tolerance', undecided: [], contenders };
}

/** A comparison from two point latencies, its interval widened by a relative noise (0 = exact). */
export function pointComparison(other: { name: string; accuracy: number | null; latency_ms: number }, modelLatencyMs: number, noise = 0): Comparison {
  const ratio = other.latency_ms / modelLatencyMs;
  return { name: other.name, accuracy: other.accuracy, ratio, ci95: [ratio / (1 + noise), ratio * (1 + noise)] };
}

/**
 * What the interval of a measured model's ratio (model / candidate, as the engine reports it) proves about
 * the candidate against it: the band of candidate / model. Its words are the row text's.
 */
export type Separation = Band;

export function separationOf(ratioCi95: Interval, t: number): Separation {
  return band(invert(ratioCi95), t);
}

/**
 * A model's place on the frontier of a set of models, pairwise with the verdict's rule: `off` when a model
 * at least as accurate (minus the accuracy tolerance) is proven faster beyond the latency tolerance (the
 * band of X / Y is "slower"); `undecided` when such a model's interval straddles that edge; `on` otherwise;
 * `unrated` without an accuracy. For a checked candidate this is its verdict (dominated = off,
 * inconclusive = undecided).
 */
export type FrontierStatus = 'on' | 'off' | 'undecided' | 'unrated';

/**
 * One model for frontierStatuses: its top-1 and its latency interval on a scale shared by all models of
 * the set (milliseconds, or a ratio to one model of the run, whose own interval is then [1, 1]).
 */
export interface StatusPoint {
  accuracy: number | null;
  latency: Interval | undefined;
}

/**
 * Frontier status of every point. Between two points X and Y the interval of latency(X) / latency(Y) is
 * bounded from both intervals (lo_X / hi_Y .. hi_X / lo_Y): for a ratio to a common model it is the ratio
 * itself, between two others it is wider than a direct one and so never claims more.
 */
export function frontierStatuses(points: readonly StatusPoint[], tol: Tolerances): FrontierStatus[] {
  return points.map((x) => {
    if (x.accuracy === null) return 'unrated';
    const cx = x.latency;
    if (!cx) return 'undecided';
    let undecided = false;
    for (const y of points) {
      const cy = y.latency;
      if (y === x || !cy || y.accuracy === null || y.accuracy < x.accuracy - tol.accuracy - ACCURACY_EPSILON) continue;
      const side = slowerSide([cx[0] / cy[1], cx[1] / cy[0]], tol.latency);
      if (side === 'proven') return 'off';
      if (side === 'possible') undecided = true;
    }
    return undecided ? 'undecided' : 'on';
  });
}
