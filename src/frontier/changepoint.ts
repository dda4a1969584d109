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

/** The energy statistic of splitting xs[lo, hi) at t, and the best t with its statistic. */
function bestSplit(xs: readonly number[], lo: number, hi: number, minSize: number): { index: number; q: number } | null {
  let best: { index: number; q: number } | null = null;
  for (let t = lo + minSize; t <= hi - minSize; t++) {
    const q = energy(xs, lo, t, hi);
    if (!best || q > best.q) best = { index: t, q };
  }
  return best;
}

function energy(xs: readonly number[], lo: number, t: number, hi: number): number {
  const m = t - lo;
  const n = hi - t;
  let between = 0;
  for (let i = lo; i < t; i++) for (let j = t; j < hi; j++) between += Math.abs(xs[i] - xs[j]);
  const within = (a: number, b: number) => {
    const k = b - a;
    if (k < 2) return 0;
    let s = 0;
    for (let i = a; i < b; i++) for (let j = i + 1; j < b; j++) s += Math.abs(xs[i] - xs[j]);
    return s / ((k * (k - 1)) / 2);
  };
  const e = (2 * between) / (m * n) - within(lo, t) - within(t, hi);
  return ((m * n) / (m + n)) * e;
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
    const best = bestSplit(xs, lo, hi, o.minSize);
    if (!best) continue;
    const work = xs.slice(lo, hi);
    let asExtreme = 0;
    for (let k = 0; k < o.permutations; k++) {
      for (let i = work.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [work[i], work[j]] = [work[j], work[i]];
      }
      const b = bestSplit(work, 0, work.length, o.minSize);
      if (b && b.q >= best.q - 1e-12) asExtreme++;
    }
    const p = (asExtreme + 1) / (o.permutations + 1);
    if (p > o.alpha) continue;
    found.push({ index: best.index, p });
    segments.push([lo, best.index], [best.index, hi]);
  }
  return found.sort((a, b) => a.index - b.index);
}
