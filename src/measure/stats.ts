/**
 * Statistics of latency samples, kept raw and reported.
 *
 * Confidence intervals are percentile bootstraps with a seeded generator (simple-statistics has no bootstrap;
 * it supplies the quantiles, MAD, mean and CV). Percentile bootstrap of a median is distribution-free and
 * copes with the skewed, heavy-tailed latencies of shared runners where a t-interval would not.
 *
 * The ratio of two models' medians is bootstrapped *paired by round*: each resample draws whole rounds
 * (one sample of every model, taken back to back in a shuffled order), so a slow phase of the machine that
 * hits every model in a round moves numerator and denominator together and largely cancels in the ratio.
 *
 * Also the statistics of paired effects (profiling and search): mean with a Student-t 95% interval, median.
 * This is the one statistics module.
 */
import {
  coefficientOfVariation,
  mean as ssMean,
  median as ssMedian,
  medianAbsoluteDeviation,
  quantileSorted,
  quickselect,
  sampleStandardDeviation,
} from 'simple-statistics';
import type { Random as Rng } from '../util/random';

/** Outliers are counted beyond median +/- OUTLIER_MADS x MAD (raw MAD, about 3.4 sigma for normal noise). */
export const OUTLIER_MADS = 5;
export const DEFAULT_BOOTSTRAP_RESAMPLES = 2000;
export const CONFIDENCE = 0.95;

export interface SampleSummary {
  median: number;
  mean: number;
  p90: number;
  p99: number;
  mad: number;
  cv: number;
  outliers: number;
  n: number;
}

export function summarize(samples: readonly number[]): SampleSummary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantileSorted(sorted, 0.5);
  const mad = medianAbsoluteDeviation(sorted);
  const limit = OUTLIER_MADS * mad;
  // With MAD 0 (quantised timers) nothing is called an outlier: "different from a constant" says little.
  const outliers = mad > 0 ? sorted.filter((x) => Math.abs(x - median) > limit).length : 0;
  return {
    median,
    mean: ssMean(sorted),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    mad,
    cv: sorted.length > 1 ? coefficientOfVariation(sorted) : 0,
    outliers,
    n: sorted.length,
  };
}

/**
 * Median of buf, reordering it in place (simple-statistics' quickselect, O(n)). Typed arrays: resampling
 * into a Float64Array is about twice as fast as into a plain array.
 */
export function medianInPlace(buf: Float64Array): number {
  const n = buf.length;
  const k = n >> 1;
  // quickselect only indexes and swaps, so a typed array works without a copy.
  quickselect(buf as unknown as number[], k);
  const upper = buf[k];
  if (n % 2 === 1) return upper;
  // Even count: the lower middle is the largest value left of k after the partition.
  let lower = -Infinity;
  for (let i = 0; i < k; i++) if (buf[i] > lower) lower = buf[i];
  return (lower + upper) / 2;
}

function percentileInterval(estimates: Float64Array, level: number): [number, number] {
  estimates.sort();
  const alpha = (1 - level) / 2;
  const sorted = estimates as unknown as number[];
  return [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)];
}

const doubles = (n: number) => new Float64Array(n);

/** Percentile bootstrap CI of the median: resample with replacement, take each resample's median. */
export function bootstrapMedianCI(
  samples: readonly number[],
  rng: Rng,
  resamples = DEFAULT_BOOTSTRAP_RESAMPLES,
  level = CONFIDENCE,
): [number, number] {
  const n = samples.length;
  if (n === 0) throw new Error('bootstrapMedianCI: no samples');
  const buf = doubles(n);
  const estimates = doubles(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) buf[i] = samples[(rng() * n) | 0];
    estimates[b] = medianInPlace(buf);
  }
  return percentileInterval(estimates, level);
}

/**
 * Ratio of medians median(model) / median(base) with a CI from a bootstrap over rounds: model[i] and base[i]
 * come from the same round and are always drawn together.
 */
export function bootstrapRatioCI(
  model: readonly number[],
  base: readonly number[],
  rng: Rng,
  resamples = DEFAULT_BOOTSTRAP_RESAMPLES,
  level = CONFIDENCE,
): { ratio: number; ci95: [number, number] } {
  const n = Math.min(model.length, base.length);
  if (n === 0) throw new Error('bootstrapRatioCI: no paired samples');
  const ratio = medianInPlace(Float64Array.from(model.slice(0, n))) / medianInPlace(Float64Array.from(base.slice(0, n)));
  const bufModel = doubles(n);
  const bufBase = doubles(n);
  const estimates = doubles(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) {
      const round = (rng() * n) | 0;
      bufModel[i] = model[round];
      bufBase[i] = base[round];
    }
    estimates[b] = medianInPlace(bufModel) / medianInPlace(bufBase);
  }
  return { ratio, ci95: percentileInterval(estimates, level) };
}

/** Half-width of an interval relative to its point estimate: 0.01 means "+/- 1%". */
export function relativeHalfWidth(ci: readonly [number, number], estimate: number): number {
  return (ci[1] - ci[0]) / 2 / Math.abs(estimate);
}

// ---------------------------------------------------------------------------------------------------
// Paired effects (profiling contexts, search): mean with a Student-t 95% interval, median

// Two-sided 95% Student-t quantiles for 1..30 degrees of freedom (simple-statistics has no t quantile).
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101,
  2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function t975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[df - 1];
  return 1.96 + 2.4 / df; // within 0.2% of the exact quantile beyond 30
}

export interface MeanCI {
  n: number;
  mean: number;
  /** 95% interval of the mean; NaN bounds with fewer than two values. */
  ci95: [number, number];
}

/** Mean of the values; NaN for none. */
export const mean = (values: readonly number[]): number => (values.length ? ssMean(values as number[]) : NaN);

/** Median of the values; NaN for none. */
export const median = (values: readonly number[]): number => (values.length ? ssMedian(values as number[]) : NaN);

export function meanCI(values: readonly number[]): MeanCI {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { n, mean: m, ci95: [NaN, NaN] };
  const half = (t975(n - 1) * sampleStandardDeviation(values as number[])) / Math.sqrt(n);
  return { n, mean: m, ci95: [m - half, m + half] };
}

// ---------------------------------------------------------------------------------------------------
// Ratios over several sessions (slots): the session is a source of variance of its own

/**
 * The ratio of model to base measured in several slots (sets of sessions, each its own memory placement
 * and kernel choice), with a 95% interval that covers the session-to-session spread as well as the
 * round-to-round noise: the mean of the slots' log median ratios, its standard error the larger of the
 * slots' spread (Student-t with slots - 1 degrees of freedom) and the pooled rounds' own (a paired
 * bootstrap over every round of every slot), so a run that happens to draw three alike sessions is never
 * narrower than its rounds allow. `model[s]` and `base[s]` are slot s's samples, paired by round.
 */
export function slottedRatioCI(
  model: readonly (readonly number[])[],
  base: readonly (readonly number[])[],
  rng: Rng,
  resamples = DEFAULT_BOOTSTRAP_RESAMPLES,
): { ratio: number; ci95: [number, number]; slots: number[]; pooled: [number, number] } {
  const slots = model.map((m, s) => medianInPlace(Float64Array.from(m)) / medianInPlace(Float64Array.from(base[s])));
  const logs = slots.map(Math.log);
  const center = logs.reduce((a, b) => a + b, 0) / logs.length;
  const pooled = bootstrapRatioCI(model.flat(), base.flat(), rng, resamples);
  const withinHalf = (Math.log(pooled.ci95[1]) - Math.log(pooled.ci95[0])) / 2;
  let betweenHalf = 0;
  if (logs.length > 1) {
    const variance = logs.reduce((a, l) => a + (l - center) ** 2, 0) / (logs.length - 1);
    betweenHalf = t975(logs.length - 1) * Math.sqrt(variance / logs.length);
  }
  const half = Math.max(withinHalf, betweenHalf);
  return { ratio: Math.exp(center), ci95: [Math.exp(center - half), Math.exp(center + half)], slots, pooled: pooled.ci95 };
}
