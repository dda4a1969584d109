/**
 * Number formats every report shares, so that one value reads the same in the verdict, the tables, the
 * chart's words, LACS and the dashboard.
 */

/** Top-1 in percent: two decimals, one when the second is 0 (71.878 -> 71.88, 65.4 -> 65.4, 71 -> 71.0). */
export function top1Text(x: number): string {
  return x.toFixed(2).replace(/(\.\d)0$/, '$1');
}

/**
 * Gaps: how much longer or shorter a subject takes than a reference, the band rule's ratio
 * r = latency(subject) / latency(reference) (src/measure/band.ts), given here as the change r - 1 with its
 * 95% interval. Every report phrases a gap through these functions, so one rule decides its unit:
 *
 *   a gap whose whole interval is at least 2x (or at most 1/2x) reads as a factor of the latency:
 *   "12.6x the latency (95% CI 11.9x .. 12.8x)", never "1164.4% slower (95% CI 1090.5% .. 1183.4%)";
 *   any other gap as a percentage change: "+4.1%", "90.4% slower".
 *
 * The unit belongs to the whole gap (point and both ends), so one gap never mixes "%" and "x". Only a
 * proven direction can be a factor: an interval that is within or straddles the band contains a ratio
 * within 1 ± t of 1, so it never lies beyond 2x or 1/2x.
 */
export const FACTOR_FROM = 2;

export type GapUnit = 'percent' | 'factor';

/** The unit of a gap with this change interval (r - 1 at both ends). */
export function gapUnit(ci: readonly [number, number]): GapUnit {
  const [lo, hi] = [1 + ci[0], 1 + ci[1]];
  return lo >= FACTOR_FROM || (hi > 0 && hi <= 1 / FACTOR_FROM) ? 'factor' : 'percent';
}

/** A ratio as a factor, three significant digits: 12.6x, 2.05x, 0.451x, 125x. */
export function factorText(ratio: number): string {
  return `${ratio >= 100 ? ratio.toFixed(0) : Number(ratio.toPrecision(3)).toString()}x`;
}

const signedPct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** The gap's point value, signed in percent ("+25.0%", "-3.1%") or as a factor ("12.6x"). */
export function gapPoint(change: number, ci: readonly [number, number]): string {
  return gapUnit(ci) === 'factor' ? factorText(1 + change) : signedPct(change);
}

/** The gap's interval, signed in percent ("-1.2% .. +4.1%") or as factors ("11.9x .. 12.8x"). */
export function gapInterval(ci: readonly [number, number]): string {
  return gapUnit(ci) === 'factor' ? `${factorText(1 + ci[0])} .. ${factorText(1 + ci[1])}` : `${signedPct(ci[0])} .. ${signedPct(ci[1])}`;
}

/**
 * The size of a gap whose direction the sentence already states: "by 35.4% .. 36.7%" (smaller magnitude
 * first) or "at 0.3x .. 0.35x the latency".
 */
export function gapSize(ci: readonly [number, number]): string {
  if (gapUnit(ci) === 'factor') return `at ${factorText(1 + ci[0])} .. ${factorText(1 + ci[1])} the latency`;
  const [a, b] = [Math.abs(ci[0]), Math.abs(ci[1])].sort((x, y) => x - y);
  return `by ${(a * 100).toFixed(1)}% .. ${(b * 100).toFixed(1)}%`;
}

/**
 * A proven gap with its point and interval, as a sentence says what a model "runs": "90.4% slower (95% CI
 * 89.7% .. 91.8%)", "36.0% faster (…)", or "at 12.6x the latency (95% CI 11.9x .. 12.8x)".
 */
export function gapRuns(change: number, ci: readonly [number, number]): string {
  if (gapUnit(ci) === 'factor') return `at ${factorText(1 + change)} the latency (95% CI ${gapInterval(ci)})`;
  const [a, b] = [Math.abs(ci[0]), Math.abs(ci[1])].sort((x, y) => x - y);
  return `${(Math.abs(change) * 100).toFixed(1)}% ${change >= 0 ? 'slower' : 'faster'} (95% CI ${(a * 100).toFixed(1)}% .. ${(b * 100).toFixed(1)}%)`;
}
