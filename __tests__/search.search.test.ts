import * as path from 'node:path';
import type { Measurer } from '../src/measure/types';
import { commonReference, hypervolume, paretoFront, runSearch, type SearchOptions } from '../src/search/evolve';
import type { AccuracyProxy } from '../src/search/profile';
import { seeded } from '../src/util/random';
import { genomeToConfig, loadSpace, sampleGenome, type SearchSpace } from '../src/search/space';
import { SyntheticMeasurer, syntheticLatency, syntheticProxy } from '../src/search/synthetic';

const space = loadSpace(path.join(__dirname, '..', 'fixtures', 'spaces', 'ofa-mobilenetv3.yaml'));
const proxy: AccuracyProxy = { name: 'synthetic', score: async (c) => syntheticProxy(c) };

/** A latency target that about 30% of uniformly sampled networks meet. */
function targetOf(s: SearchSpace): number {
  const rand = seeded(99);
  const lat = Array.from({ length: 200 }, () => syntheticLatency(genomeToConfig(s, sampleGenome(s, rand)))).sort((a, b) => a - b);
  return lat[60];
}

const options = (over: Partial<SearchOptions>): SearchOptions => ({
  latencyTargetMs: targetOf(space), population: 24, evaluations: 200, seed: 1, generation: 8, perCallSeconds: 1, mode: 'evolution', ...over,
});

describe('Pareto set and hypervolume', () => {
  const pts = [
    { latency_ms: 1, proxy: 1 }, { latency_ms: 2, proxy: 3 }, { latency_ms: 3, proxy: 2 }, { latency_ms: 4, proxy: 4 }, { latency_ms: 6, proxy: 9 },
  ];
  test('keeps the non-dominated points within the latency limit', () => {
    expect(paretoFront(pts, 5)).toEqual([pts[0], pts[1], pts[3]]);
    expect(paretoFront(pts)).toHaveLength(4);
  });
  test('hypervolume is the dominated staircase area up to the reference', () => {
    // Reference (5, 0): (5-1)*1 + (5-2)*(3-1) + (5-4)*(4-3) = 4 + 6 + 1.
    expect(hypervolume(pts, { latency_ms: 5, proxy: 0 })).toBeCloseTo(11, 12);
    expect(hypervolume([], { latency_ms: 5, proxy: 0 })).toBe(0);
  });
});

describe('evolutionary search on the synthetic device', () => {
  test('beats random sampling in hypervolume at equal budget', async () => {
    for (const seed of [1, 2, 3]) {
      const evo = await runSearch(space, new SyntheticMeasurer(), proxy, options({ seed }));
      const rnd = await runSearch(space, new SyntheticMeasurer(), proxy, options({ seed, mode: 'random' }));
      expect(evo.evaluations).toBe(200);
      expect(rnd.evaluations).toBe(200);
      const ref = commonReference([evo, rnd]);
      expect(hypervolume(evo.all, ref)).toBeGreaterThan(hypervolume(rnd.all, ref));
      expect(evo.front.every((c) => c.latency_ms <= evo.latency_target_ms && c.feasible)).toBe(true);
    }
  });

  test('the kernel-7-free reduced space finds a better front than the full space at equal budget', async () => {
    const reduced: SearchSpace = { ...space, name: 'reduced', stages: space.stages.map((s) => ({ ...s, blocks: s.blocks.filter((b) => b.kernel !== 7) })) };
    let wins = 0;
    for (const seed of [1, 2, 3]) {
      const full = await runSearch(space, new SyntheticMeasurer(), proxy, options({ seed }));
      const red = await runSearch(reduced, new SyntheticMeasurer(), proxy, options({ seed }));
      const ref = commonReference([full, red]);
      if (hypervolume(red.all, ref) > hypervolume(full.all, ref)) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(2);
  });

  test('latency is cached by config hash: a repeated search measures nothing new', async () => {
    const measurer = new SyntheticMeasurer();
    const latencyCache = new Map<string, number>();
    const first = await runSearch(space, measurer, proxy, options({ evaluations: 40, latencyCache }));
    const measuredOnce = measurer.measured;
    const again = await runSearch(space, measurer, proxy, options({ evaluations: 40, latencyCache }));
    expect(first.measured).toBe(40);
    expect(again.measured).toBe(0);
    expect(again.cache_hits).toBe(40);
    expect(measurer.measured).toBe(measuredOnce);
    expect(again.front.map((c) => c.latency_ms)).toEqual(first.front.map((c) => c.latency_ms));
  });

  test('children are measured against a fixed anchor, so machine drift during the search cancels', async () => {
    const inner = new SyntheticMeasurer({ ...new SyntheticMeasurer().device, noise: 0 });
    let calls = 0;
    // Every call runs 10% slower than the one before.
    const drifting: Measurer = {
      async measure(models, o) {
        const r = await inner.measure(models, o);
        const f = 1 + 0.1 * calls++;
        return { ...r, models: r.models.map((m) => ({ ...m, median_ms: m.median_ms * f })) };
      },
    };
    const r = await runSearch(space, drifting, proxy, options({ evaluations: 48 }));
    expect(calls).toBeGreaterThan(4);
    for (const c of r.all) expect(c.latency_ms / syntheticLatency(c.config)).toBeCloseTo(1, 6);
  });

  test('a seconds budget stops the search', async () => {
    let t = 0;
    const r = await runSearch(space, new SyntheticMeasurer(), proxy, options({ evaluations: undefined, budgetSeconds: 5, now: () => (t += 0.5) }));
    expect(r.evaluations).toBeGreaterThan(0);
    expect(r.evaluations).toBeLessThan(100);
  });
});
