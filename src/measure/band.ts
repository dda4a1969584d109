/**
 * The one band rule: what a latency ratio's 95% interval proves against a tolerance t. Every place that
 * says "slower", "faster", "within" or "straddles" asks this module: the check's verdict and its row
 * texts, the pairwise frontier status (the chart's markers, the dashboard's stars), drift (sweep, merge,
 * the dashboard's drift column) and the measurement's stopping rule.
 *
 * One ratio direction: r = latency(subject) / latency(reference), the subject being what is judged (the
 * candidate against each measured model, a model now against its previous measurement, X against Y in the
 * pairwise status, each model against the first in `measure`). Read as r - 1, "+5%" means the subject takes
 * 5% longer; the edges are that number against +t and -t:
 *
 *   slower     lo > 1 + t               the whole interval is more than t slower
 *   faster     hi < 1 - t               the whole interval is more than t faster
 *   within     1 - t <= lo, hi <= 1 + t  the whole interval lies inside the band
 *   straddles  otherwise: the interval crosses an edge (or is not a valid interval); nothing is proven
 *
 * The edges belong to the band (a ratio of exactly 1 + t is within): a direction is claimed only when the
 * whole interval is strictly beyond it. Because the edges are 1 - t and 1 + t (not 1 / (1 + t)), the
 * direction matters: a caller holding the other ratio (reference / subject, as the engine's ratios are
 * model / first) turns it around with `invert` first, never by swapping the words.
 */

export type Band = 'slower' | 'faster' | 'within' | 'straddles';

/** What an interval says about one side of the band: proven beyond its edge, possibly beyond, or not. */
export type Side = 'proven' | 'possible' | 'excluded';

export type Interval = readonly [number, number];

/** The band's edges for a tolerance t: r below `faster` is faster, above `slower` is slower. */
export function bandEdges(t: number): { faster: number; slower: number } {
  return { faster: 1 - t, slower: 1 + t };
}

const valid = (ci: Interval) => Number.isFinite(ci[0]) && Number.isFinite(ci[1]) && ci[0] <= ci[1];

/** Is the subject slower than the reference by more than t: proven (whole interval), possible (part), excluded. */
export function slowerSide(ci: Interval, t: number): Side {
  if (!valid(ci)) return 'possible';
  const edge = bandEdges(t).slower;
  return ci[0] > edge ? 'proven' : ci[1] > edge ? 'possible' : 'excluded';
}

/** Is the subject faster than the reference by more than t: proven, possible or excluded. */
export function fasterSide(ci: Interval, t: number): Side {
  if (!valid(ci)) return 'possible';
  const edge = bandEdges(t).faster;
  return ci[1] < edge ? 'proven' : ci[0] < edge ? 'possible' : 'excluded';
}

/** The band of a ratio interval (subject / reference) for the tolerance t. */
export function band(ci: Interval, t: number): Band {
  const slower = slowerSide(ci, t);
  const faster = fasterSide(ci, t);
  if (slower === 'proven') return 'slower';
  if (faster === 'proven') return 'faster';
  return slower === 'excluded' && faster === 'excluded' ? 'within' : 'straddles';
}

/** The same interval held the other way round: reference / subject. */
export function invert(ci: Interval): [number, number] {
  return [1 / ci[1], 1 / ci[0]];
}

/** A ratio interval as the change it reports: r - 1 at both ends ("+2.1% .. +4.0%"). */
export function change(ci: Interval): [number, number] {
  return [ci[0] - 1, ci[1] - 1];
}

/**
 * The stopping rule's question for one ratio: does its interval still straddle an edge of the band? A
 * ratio that is slower, faster or within is decided: sampling on cannot change what it says.
 */
export function decided(ci: Interval, t: number): boolean {
  return band(ci, t) !== 'straddles';
}
