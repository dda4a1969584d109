/**
 * The verdict on a ratio r = median(model) / median(base) with its 95% interval [lo, hi] and a noise band b:
 *
 *   slower        lo > 1 + b           the whole interval says "more than b slower"
 *   faster        hi < 1 - b           the whole interval says "more than b faster"
 *   same          1 - b <= lo and hi <= 1 + b   the whole interval lies inside the band
 *   inconclusive  otherwise: the interval straddles an edge of the band. Either it is still wider than the
 *                 band allows when the budget ends, or the true change sits right at the band edge and no
 *                 budget would settle it. We say so instead of guessing.
 *
 * Edges count as inside the band (a ratio of exactly 1 + b is "same"), so the rule never calls a change
 * that is not strictly beyond the band.
 */
import type { RatioVerdict } from './types';

export function decide(ci95: readonly [number, number], band: number): RatioVerdict {
  const [lo, hi] = ci95;
  if (!(lo <= hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) return 'inconclusive';
  if (lo > 1 + band) return 'slower';
  if (hi < 1 - band) return 'faster';
  if (lo >= 1 - band && hi <= 1 + band) return 'same';
  return 'inconclusive';
}
