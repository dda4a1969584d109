import * as path from 'node:path';
import { UserError } from '../src/errors';
import { analyzeProfile, contextGenome, mergeProfiles, parseShard, profilePositions, runProfile, unitsOfShard, type AccuracyProxy, type ProfileOptions } from '../src/search/profile';
import { reduceSpace } from '../src/search/reduce';
import { renderProfile, renderReduction } from '../src/report/search';
import { blockKey, genomeToConfig, loadSpace, parseSpace, spaceSize, spaceToYaml } from '../src/search/space';
import { DEFAULT_SYNTHETIC, SyntheticMeasurer, syntheticLatency, syntheticProxy } from '../src/search/synthetic';

const space = loadSpace(path.join(__dirname, '..', 'fixtures', 'spaces', 'proxylessnas.yaml'));
const fixedClock = () => 0;
const base: ProfileOptions = { samples: 3, seed: 5, perCallSeconds: 1, now: fixedClock };
const k7 = (key: string) => key.includes('/k7/');
const flatDevice = { ...DEFAULT_SYNTHETIC, kernelCost: {} };

describe('block profiling on a synthetic device where kernel 7 costs twice', () => {
  let analysis: ReturnType<typeof analyzeProfile>;
  let result: Awaited<ReturnType<typeof runProfile>>;

  beforeAll(async () => {
    result = await runProfile(space, new SyntheticMeasurer(), base);
    analysis = analyzeProfile(space, result);
  });

  test('the variants of one position are measured together, in one call, within one context', async () => {
    const measurer = new SyntheticMeasurer();
    const r = await runProfile(space, measurer, { ...base, samples: 1 });
    const positions = profilePositions(space);
    expect(measurer.calls).toBe(positions.length);
    expect(measurer.measured).toBe(positions.reduce((a, p) => a + p.choices.length, 0));
    expect(r.units.every((u) => u.blocks.length === 9)).toBe(true);
  });

  test('finds kernel 7 unfriendly in every stage, and nothing else, from end-to-end latencies only', () => {
    for (const s of analysis.stages) {
      const significant = s.excessPct.ci95[0] > 0 && s.excessPct.mean > 1;
      expect([s.label, significant]).toEqual([s.label, k7(s.key)]);
    }
  });

  test('the reduction drops exactly the kernel-7 blocks and reports the rule and numbers', () => {
    const r = reduceSpace(space, analysis);
    const stagesWithChoice = space.stages.filter((s) => s.blocks.length > 1).length;
    expect(r.removals).toHaveLength(3 * stagesWithChoice);
    expect(r.removals.every((m) => k7(m.key) && m.rule === 'mac-excess')).toBe(true);
    for (const s of r.space.stages) expect(s.blocks.some((b) => b.kernel === 7)).toBe(false);
    expect(r.sizeAfter).toBe(spaceSize(r.space));
    expect(r.sizeAfter).toBeLessThan(r.sizeBefore / 1000);
    expect(r.removals[0].because).toMatch(/more than its extra MACs predict.*n=\d+/);
    expect(renderReduction(r)).toContain('| mac-excess |');
    // The reduced space is a valid space file.
    expect(parseSpace(spaceToYaml(r.space, ['reduced']), 'reduced.yaml').stages[1].blocks).toHaveLength(6);
  });

  test('a device without the kernel-7 penalty keeps every block (no false alarm)', async () => {
    const flat = analyzeProfile(space, await runProfile(space, new SyntheticMeasurer(flatDevice), base));
    expect(reduceSpace(space, flat).removals).toEqual([]);
  });

  test('paired effects recover the device\'s true per-block cost differences', () => {
    // Ground truth for one unit: the noiseless latency difference between the variants.
    const unit = result.units[0];
    const cell = analysis.cells.filter((c) => c.stage === unit.stage && c.layer === unit.layer);
    expect(cell).toHaveLength(9);
    const positions = profilePositions(space);
    const truth = unit.blocks.map((_, i) => {
      const g = contextGenome(space, base.seed, unit.context, positions[unit.index % positions.length]);
      g.stages[unit.stage].layers[unit.layer] = positions[unit.index % positions.length].choices[i];
      return syntheticLatency(genomeToConfig(space, g));
    });
    const truthMean = truth.reduce((a, b) => a + b, 0) / truth.length;
    const measured = unit.median_ms.map((m) => m - unit.median_ms.reduce((a, b) => a + b, 0) / unit.median_ms.length);
    // Within the device's 1% noise of end-to-end latency, variant by variant.
    measured.forEach((m, i) => expect(Math.abs(m - (truth[i] - truthMean))).toBeLessThan(0.01 * truthMean));
    const e6k7 = cell.find((c) => c.key === 'mbconv/k7/e6/se0/relu6')!;
    const e3k3 = cell.find((c) => c.key === 'mbconv/k3/e3/se0/relu6')!;
    expect(e6k7.effect.mean).toBeGreaterThan(0);
    expect(e3k3.effect.mean).toBeLessThan(0);
  });

  test('renders a heatmap table, the placement effect and a Mermaid chart', () => {
    const md = renderProfile(space, analysis);
    expect(md).toContain('#### Placement effect');
    expect(md).toContain('🟥');
    expect(md).toContain('```mermaid');
    expect(md).toMatch(/\| MB e6 k7 \| 🟥 \+\d/);
    // Bars grow from the axis' bottom in Mermaid: the axis starts at 0 and the fastest block is 0, every bar its value.
    expect(md).toMatch(/y-axis "% of end-to-end over the fastest" 0 --> [\d.]+/);
    const bars = /bar \[(.*)\]/.exec(md)![1].split(', ').map(Number);
    expect(Math.min(...bars)).toBe(0);
    expect(bars.every((b) => b >= 0)).toBe(true);
  });

  test('with an accuracy proxy, a slower block without a proxy gain beyond noise is dropped (dominated)', async () => {
    const proxy: AccuracyProxy = { name: 'synthetic', score: async (c) => syntheticProxy(c) };
    const a = analyzeProfile(space, await runProfile(space, new SyntheticMeasurer(), { ...base, proxy }));
    expect(a.hasProxy).toBe(true);
    const r = reduceSpace(space, a);
    expect(r.removals.length).toBeGreaterThan(0);
    expect(r.removals.every((m) => m.rule === 'dominated' && k7(m.key))).toBe(true);
    expect(r.removals[0].because).toMatch(/slower than MB e\d k\d.*proxy gain/);
    // A proxy that rewards kernel 7 strongly keeps it: latency alone does not remove a block that buys accuracy.
    const rewarding: AccuracyProxy = { name: 'rewards-k7', score: async (c) => syntheticProxy(c) + 5 * c.stages.reduce((n, s) => n + (s.kernel === 7 ? s.repeats : 0), 0) };
    const b = analyzeProfile(space, await runProfile(space, new SyntheticMeasurer(), { ...base, proxy: rewarding }));
    expect(reduceSpace(space, b).removals.filter((m) => k7(m.key))).toEqual([]);
  });
});

describe('sharding and merging', () => {
  test('shards split the work units deterministically and disjointly', () => {
    const all = unitsOfShard(20);
    const parts = [1, 2, 3].map((i) => unitsOfShard(20, { index: i, count: 3 }));
    expect(parts.flat().sort((a, b) => a - b)).toEqual(all);
    expect(parts[0]).toEqual([0, 3, 6, 9, 12, 15, 18]);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('4/3')).toThrow(/--shard: expected i\/n.*"4\/3"/);
    expect(() => parseShard('x')).toThrow(UserError);
  });

  test('shards merge to the unsharded result', async () => {
    const whole = await runProfile(space, new SyntheticMeasurer(), base);
    const shards = await Promise.all([1, 2, 3].map((index) => runProfile(space, new SyntheticMeasurer(), { ...base, shard: { index, count: 3 } })));
    expect(shards.map((s) => s.units.length)).toEqual([21, 21, 21]); // 3 contexts x 21 positions, split in three
    const merged = mergeProfiles([shards[2], shards[0], shards[1]]);
    expect(merged).toEqual(whole);
    expect(analyzeProfile(space, merged)).toEqual(analyzeProfile(space, whole));
  });

  test('merge refuses results of different runs and names the file', async () => {
    const a = await runProfile(space, new SyntheticMeasurer(), { ...base, samples: 1, shard: { index: 1, count: 2 } });
    const b = await runProfile(space, new SyntheticMeasurer(), { ...base, samples: 1, seed: 6, shard: { index: 2, count: 2 } });
    expect(() => mergeProfiles([a, b], ['a.json', 'b.json'])).toThrow(/b\.json differs from a\.json in seed \(6 vs 5\)/);
    expect(() => mergeProfiles([{ kind: 'other' } as never], ['x.json'])).toThrow(/x\.json is not a frontier-gate profile result/);
    // A missing shard leaves a partial result that says so.
    const partial = mergeProfiles([a]);
    expect(partial.planned.length).toBeLessThan(partial.units_total);
    expect(partial.shard).toEqual({ index: 1, count: 2 });
  });

  test('the wall-clock budget stops before the projected finish and lists the skipped units', async () => {
    let t = 0;
    const clock = () => t;
    const measurer = new SyntheticMeasurer();
    const slow = { measure: async (...args: Parameters<SyntheticMeasurer['measure']>) => { t += 10; return measurer.measure(...args); } };
    const r = await runProfile(space, slow, { ...base, samples: 1, now: clock, budgetSeconds: 35 });
    expect(r.units).toHaveLength(3);
    expect(r.skipped).toHaveLength(profilePositions(space).length - 3);
    expect(blockKey(space.stages[1].blocks[0])).toBe(r.units[0].blocks[0]);
  });
});
