import { bootstrapMedianCI, bootstrapRatioCI, mean, meanCI, median, medianInPlace, relativeHalfWidth, summarize, t975 } from '../src/measure/stats';
import { seeded as seededRng } from '../src/util/random';
import { gaussian } from './measure.synthetic';

describe('summarize', () => {
  it('matches hand-computed statistics of 1..10', () => {
    const s = summarize([3, 1, 4, 10, 5, 9, 2, 6, 8, 7]);
    expect(s.median).toBe(5.5);
    expect(s.mean).toBe(5.5);
    // Type-7 quantiles (numpy's default): index (n-1)p.
    expect(s.p90).toBeCloseTo(9.1, 12);
    expect(s.p99).toBeCloseTo(9.91, 12);
    // |x - 5.5| = 0.5,0.5,1.5,1.5,...,4.5,4.5 -> median 2.5.
    expect(s.mad).toBe(2.5);
    // Sample sd of 1..10 is sqrt(55/6).
    expect(s.cv).toBeCloseTo(Math.sqrt(55 / 6) / 5.5, 12);
    expect(s.outliers).toBe(0);
    expect(s.n).toBe(10);
  });

  it('counts outliers beyond median +/- 5 MAD and keeps them in the data', () => {
    const samples = [10, 10.2, 9.8, 10.1, 9.9, 10, 10.3, 9.7, 30, 2];
    const s = summarize(samples);
    expect(s.median).toBe(10);
    expect(s.mad).toBeCloseTo(0.2, 12);
    expect(s.outliers).toBe(2);
    expect(s.n).toBe(10);
    expect(s.mean).toBeCloseTo(samples.reduce((a, b) => a + b) / 10, 12);
  });

  it('calls nothing an outlier when MAD is 0 (a quantised timer)', () => {
    expect(summarize([5, 5, 5, 5, 9]).outliers).toBe(0);
  });
});

describe('medianInPlace', () => {
  it('takes the middle value for odd counts and the mean of the middle two for even counts', () => {
    expect(medianInPlace(Float64Array.from([5, 1, 3]))).toBe(3);
    expect(medianInPlace(Float64Array.from([4, 1, 3, 2]))).toBe(2.5);
    expect(medianInPlace(Float64Array.from([7, 7, 1, 9, 8, 2]))).toBe(7);
    const rnd = seededRng(3);
    for (let trial = 0; trial < 50; trial++) {
      const xs = Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.round(rnd() * 100));
      const sorted = [...xs].sort((a, b) => a - b);
      const m = sorted.length >> 1;
      const expected = sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
      expect(medianInPlace(Float64Array.from(xs))).toBe(expected);
    }
  });
});

describe('bootstrap confidence intervals', () => {
  it('are reproducible for a seed and contain the sample median', () => {
    const z = gaussian(11);
    const xs = Array.from({ length: 101 }, () => 10 + z());
    const a = bootstrapMedianCI(xs, seededRng(5), 1000);
    const b = bootstrapMedianCI(xs, seededRng(5), 1000);
    expect(a).toEqual(b);
    const median = summarize(xs).median;
    expect(a[0]).toBeLessThanOrEqual(median);
    expect(a[1]).toBeGreaterThanOrEqual(median);
  });

  it('has close to nominal 95% coverage of the true median of a normal distribution', () => {
    const z = gaussian(21);
    let covered = 0;
    const trials = 150;
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: 60 }, () => 20 + 2 * z());
      const [lo, hi] = bootstrapMedianCI(xs, seededRng(1000 + t), 300);
      if (lo <= 20 && 20 <= hi) covered++;
    }
    // Binomial sd at 95% over 150 trials is 1.8%; percentile bootstrap of a median is slightly conservative.
    expect(covered / trials).toBeGreaterThan(0.89);
    expect(covered / trials).toBeLessThanOrEqual(1);
  });

  it('width shrinks like 1/sqrt(n)', () => {
    const z = gaussian(4);
    const width = (n: number) => {
      const xs = Array.from({ length: n }, () => 10 + z());
      const ci = bootstrapMedianCI(xs, seededRng(9), 1000);
      return ci[1] - ci[0];
    };
    const ratio = width(100) / width(1600);
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(6.5);
  });

  it('ratio of medians is paired by round: drift shared by a round cancels', () => {
    const z = gaussian(8);
    const rounds = 200;
    // Each round sits in a phase of the machine that slows both models by up to 1.5x.
    const drift = Array.from({ length: rounds }, (_, i) => 1 + 0.5 * Math.abs(Math.sin(i / 7)));
    const base = drift.map((d) => 10 * d * (1 + 0.005 * z()));
    const model = drift.map((d) => 11 * d * (1 + 0.005 * z()));
    const paired = bootstrapRatioCI(model, base, seededRng(1), 1000);
    expect(paired.ratio).toBeCloseTo(summarize(model).median / summarize(base).median, 12);
    expect(paired.ci95[0]).toBeLessThan(1.1 + 0.02);
    expect(paired.ci95[1]).toBeGreaterThan(1.1 - 0.02);
    // Unpaired (rounds of the base shuffled): drift no longer cancels and the interval widens.
    const rnd = seededRng(2);
    const shuffled = [...base].sort(() => rnd() - 0.5);
    const unpaired = bootstrapRatioCI(model, shuffled, seededRng(1), 1000);
    expect(relativeHalfWidth(paired.ci95, paired.ratio)).toBeLessThan(relativeHalfWidth(unpaired.ci95, unpaired.ratio) / 2);
  });

  it('relativeHalfWidth is the half-width over the estimate', () => {
    expect(relativeHalfWidth([0.98, 1.02], 1)).toBeCloseTo(0.02, 12);
    expect(relativeHalfWidth([9, 11], 10)).toBeCloseTo(0.1, 12);
  });
});

describe('paired effects (profiling, search): the same statistics module', () => {
  it('meanCI is a Student-t interval; mean and median of nothing are NaN', () => {
    const ci = meanCI([1, 2, 3, 4]);
    expect(ci.mean).toBe(2.5);
    expect(ci.ci95[0]).toBeCloseTo(2.5 - (3.182 * Math.sqrt(5 / 3)) / 2, 9);
    expect(ci.ci95[1]).toBeCloseTo(2.5 + (3.182 * Math.sqrt(5 / 3)) / 2, 9);
    expect(meanCI([7])).toEqual({ n: 1, mean: 7, ci95: [NaN, NaN] });
    expect(mean([])).toBeNaN();
    expect(median([])).toBeNaN();
    expect(median([5, 1, 3, 2])).toBe(2.5);
    expect(t975(40)).toBeCloseTo(2.02, 2);
  });
});
