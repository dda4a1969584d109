/**
 * Change points in a short series (a model's nightly ratios to the anchor), by E-divisive means as Apache
 * Otava (Hunter) finds them: the split that maximises the energy distance between the two sides, kept
 * when a permutation test says such a split is unlikely in a series without change, then searched again on
 * each side. Pure and seeded, so a night's verdict is reproducible from the stored history.
 *
 * With 199 permutations and alpha 0.05, a series with no change reports a change point about 5% of the
 * time per test; the drift rule (frontier/drift.ts) adds the night's side-by-side interval and two
 * consistent nights beyond the tolerance, so a change point alone never alerts (`__tests__/drift.test.ts`
 * measures the false-alarm rate and the detection delay on seeded series).
 */
import { seeded } from '../util/random';

export interface ChangePointOptions {
  /** Points required on each side of a change (2: one noisy night is never a segment of its own). */
  minSize: number;
  permutations: number;
  alpha: number;
  seed: number;
}

export const DEFAULT_CHANGE_POINT: ChangePointOptions = { minSize: 2, permutations: 199, alpha: 0.05, seed: 20261203 };

export interface ChangePoint {
  /** Index of the first point after the change. */
  index: number;
  /** Permutation p-value of the split. */
  p: number;
}

/**
 * The best split of xs (the one maximising the scaled energy distance between its two sides, each at least
 * minSize long) and its statistic. A 2-D prefix sum over the pairwise distances makes every split O(1), so
 * one series is O(n^2) and a permutation test stays cheap at the store's 20 nights.
 */
function bestSplit(xs: readonly number[], minSize: number, scratch?: Float64Array): { index: number; q: number } | null {
  const n = xs.length;
  const w = n + 1;
  // P[i * w + j] = sum of |x_a - x_b| over a < i, b < j (row and column 0 stay 0).
  const P = scratch && scratch.length >= w * w ? scratch : new Float64Array(w * w);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= n; j++) P[i * w + j] = Math.abs(xs[i - 1] - xs[j - 1]) + P[(i - 1) * w + j] + P[i * w + j - 1] - P[(i - 1) * w + j - 1];
  }
  const block = (a0: number, a1: number, b0: number, b1: number) => P[a1 * w + b1] - P[a0 * w + b1] - P[a1 * w + b0] + P[a0 * w + b0];
  let best: { index: number; q: number } | null = null;
  for (let t = minSize; t <= n - minSize; t++) {
    const m = t;
    const k = n - t;
    const between = block(0, t, t, n) / (m * k);
    // The full square counts each pair twice; pairs within a side over their number of pairs.
    const left = m > 1 ? block(0, t, 0, t) / (m * (m - 1)) : 0;
    const right = k > 1 ? block(t, n, t, n) / (k * (k - 1)) : 0;
    const q = ((m * k) / (m + k)) * (2 * between - left - right);
    if (!best || q > best.q) best = { index: t, q };
  }
  return best;
}

/** Significant change points of xs, in index order. */
export function changePoints(xs: readonly number[], options: Partial<ChangePointOptions> = {}): ChangePoint[] {
  const o = { ...DEFAULT_CHANGE_POINT, ...options };
  const rng = seeded(o.seed);
  const found: ChangePoint[] = [];
  const segments: [number, number][] = [[0, xs.length]];
  while (segments.length) {
    const [lo, hi] = segments.pop()!;
    if (hi - lo < 2 * o.minSize) continue;
    const work = xs.slice(lo, hi);
    const scratch = new Float64Array((work.length + 1) ** 2);
    const found0 = bestSplit(work, o.minSize, scratch);
    if (!found0) continue;
    const best = { index: lo + found0.index, q: found0.q };
    let asExtreme = 0;
    for (let k = 0; k < o.permutations; k++) {
      for (let i = work.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [work[i], work[j]] = [work[j], work[i]];
      }
      const b = bestSplit(work, o.minSize, scratch);
      if (b && b.q >= best.q - 1e-12) asExtreme++;
    }
    const p = (asExtreme + 1) / (o.permutations + 1);
    if (p > o.alpha) continue;
    found.push({ index: best.index, p });
    segments.push([lo, best.index], [best.index, hi]);
  }
  return found.sort((a, b) => a.index - b.index);
}
