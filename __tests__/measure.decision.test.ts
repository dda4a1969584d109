import { decide } from '../src/measure/decision';
import { bootstrapRatioCI } from '../src/measure/stats';
import { seeded as seededRng } from '../src/util/random';
import { gaussian } from './measure.synthetic';

describe('decide (band 2%)', () => {
  const band = 0.02;
  it.each([
    [[1.03, 1.05], 'slower'],
    [[1.0201, 1.2], 'slower'],
    [[0.9, 0.97], 'faster'],
    [[0.99, 1.01], 'same'],
    // Edges belong to the band: a change of exactly 2% is not called.
    [[0.98, 1.02], 'same'],
    [[1.02, 1.03], 'inconclusive'],
    [[0.97, 1.01], 'inconclusive'],
    [[0.9, 1.1], 'inconclusive'],
    [[1.01, 1.03], 'inconclusive'],
  ] as [[number, number], string][])('CI %j -> %s', (ci, verdict) => {
    expect(decide(ci, band)).toBe(verdict);
  });

  it('treats a malformed interval as inconclusive', () => {
    expect(decide([NaN, 1], band)).toBe('inconclusive');
    expect(decide([1.1, 1.05], band)).toBe('inconclusive');
  });

  it('with band 0 calls any interval that excludes 1', () => {
    expect(decide([1.001, 1.002], 0)).toBe('slower');
    expect(decide([0.999, 1.001], 0)).toBe('inconclusive');
  });
});

/** Rounds of a synthetic pair: base latency 10 ms, the model `factor` times it, relative noise `noise`. */
function pair(factor: number, noise: number, rounds: number, seed: number) {
  const z = gaussian(seed);
  const base = Array.from({ length: rounds }, () => 10 * (1 + noise * z()));
  const model = Array.from({ length: rounds }, () => 10 * factor * (1 + noise * z()));
  return { base, model };
}

describe('decision on synthetic samples (fixed seeds)', () => {
  const verdict = (factor: number, noise: number, rounds: number, seed: number) => {
    const { base, model } = pair(factor, noise, rounds, seed);
    return decide(bootstrapRatioCI(model, base, seededRng(seed), 1000).ci95, 0.02);
  };

  it('a model against itself is "same" once the samples are precise', () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(verdict(1, 0.03, 400, seed)).toBe('same');
  });

  it('10% slower and 10% faster are called', () => {
    for (const seed of [1, 2, 3]) {
      expect(verdict(1.1, 0.03, 200, seed)).toBe('slower');
      expect(verdict(0.9, 0.03, 200, seed)).toBe('faster');
    }
  });

  it('too few noisy samples give "inconclusive", not a guess', () => {
    for (const seed of [1, 2, 3]) expect(verdict(1.03, 0.3, 20, seed)).toBe('inconclusive');
  });
});

describe('calibration under contention-like noise (fixed seeds)', () => {
  it('the paired ratio CI covers the true ratio about 95% of the time and never calls a false alarm', () => {
    const z = gaussian(99);
    const u = seededRng(98);
    // Heavy right tail: 20% of runs lose 10-60% to a neighbour; slow waves shared by the whole round.
    const run = (latency: number, wave: number) => latency * wave * (1 + 0.02 * z()) * (u() < 0.2 ? 1.1 + 0.5 * u() : 1);
    const trials = 60;
    let covered = 0;
    let alarms = 0;
    for (let t = 0; t < trials; t++) {
      const waves = Array.from({ length: 200 }, (_, i) => 1 + 0.3 * Math.abs(Math.sin((i + 37 * t) / 11)));
      const base = waves.map((w) => run(10, w));
      const same = waves.map((w) => run(10, w));
      const { ci95 } = bootstrapRatioCI(same, base, seededRng(500 + t), 300);
      if (ci95[0] <= 1 && 1 <= ci95[1]) covered++;
      const v = decide(ci95, 0.02);
      if (v === 'slower' || v === 'faster') alarms++;
    }
    expect(alarms).toBe(0);
    // Binomial sd at 95% over 60 trials is 2.8%.
    expect(covered / trials).toBeGreaterThan(0.86);
  });
});
