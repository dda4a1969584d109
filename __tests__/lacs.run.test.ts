import { parseArchConfig } from '../src/arch/parse';
import { scale } from '../src/arch/scale';
import { AccuracyTable, parseAccuracyTable, type AccuracyRecord } from '../src/lacs/accuracy';
import { MemoryCache } from '../src/lacs/cache';
import { candidateGrid, compoundFactors, flopsProduct, type Coefficients } from '../src/lacs/grid';
import { runLacs, type LacsOptions } from '../src/lacs/run';
import { familyYaml } from '../src/lacs/family';
import { renderLacsMarkdown } from '../src/report/lacs';
import {
  FakeMeasurer, depthPunishingLatency, loadFixture, macsLatency, resolutionPunishingLatency, type LatencyModel,
} from './lacs.helpers';

const base = loadFixture('efficientnet-b0');
const fast: Partial<LacsOptions> = { phi: 2 };

/** A table covering the whole default grid: top-1 peaks sharply at `peak`. */
function peakedTable(peak: Coefficients, sharpness = 400): AccuracyTable {
  const entries = candidateGrid().map((c) => {
    const d2 = (c.alpha - peak.alpha) ** 2 + (c.beta - peak.beta) ** 2 + (c.gamma - peak.gamma) ** 2;
    return { coefficients: { alpha: c.alpha, beta: c.beta, gamma: c.gamma }, top1: 80 - sharpness * d2 };
  });
  return new AccuracyTable(entries, 'peaked table');
}
const zooRecords = (): AccuracyRecord[] =>
  ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3'].map((n) => ({ config: loadFixture(n), top1: loadFixture(n).accuracy!.top1 }));
const flatTable = () => new AccuracyTable(candidateGrid().map((c) => ({ coefficients: c, top1: 80 })), 'flat table');

/** The objective computed independently of runLacs: every grid point, latency from the model directly. */
function bruteForce(latency: LatencyModel, accuracy: (c: Coefficients) => number, w = -0.07, macsSlack = 0.15) {
  const phi1 = (c: Coefficients) => scale(base, compoundFactors(c, 1));
  const { countConfig } = jest.requireActual('../src/arch/counts') as typeof import('../src/arch/counts');
  const eff = phi1({ alpha: 1.2, beta: 1.1, gamma: 1.15 });
  const target = latency(eff);
  const effMacs = countConfig(eff).macs;
  let best: { c: Coefficients; objective: number } | undefined;
  for (const c of candidateGrid()) {
    const cfg = phi1(c);
    if (!c.reference && countConfig(cfg).macs > effMacs * (1 + macsSlack)) continue;
    const objective = accuracy(c) * (latency(cfg) / target) ** w;
    if (!best || objective > best.objective) best = { c, objective };
  }
  return best!;
}

describe('runLacs with an injected measurer', () => {
  test('finds the known optimum of a peaked accuracy table', async () => {
    const peak = { alpha: 1.4, beta: 1.05, gamma: 1.15 };
    expect(Math.abs(flopsProduct(peak) - 2)).toBeLessThanOrEqual(0.1);
    const measurer = new FakeMeasurer(macsLatency);
    const table = peakedTable(peak);
    const r = await runLacs(base, fast, { measurer, accuracyTable: table });
    expect([r.chosen!.alpha, r.chosen!.beta, r.chosen!.gamma]).toEqual([1.4, 1.05, 1.15]);
    const expected = bruteForce(macsLatency, (c) => table.lookup([], c)!);
    expect(r.chosen!.objective).toBeCloseTo(expected.objective, 9);
    expect(r.chosen!.accuracy_kind).toBe('known');
    expect(r.chosen!.accuracy).toBe(80);
  });

  test('objective = ACC * (LAT / TARGET)^w with TARGET = EfficientNet phi=1 latency; both reported', async () => {
    const measurer = new FakeMeasurer(macsLatency);
    const r = await runLacs(base, fast, { measurer, accuracyTable: flatTable() });
    const effLatency = macsLatency(scale(base, compoundFactors({ alpha: 1.2, beta: 1.1, gamma: 1.15 }, 1)));
    expect(r.target_latency_ms).toBeCloseTo(effLatency, 9);
    expect(r.target_source).toBe('efficientnet-phi1');
    expect(r.efficientnet.objective!).toBeCloseTo(80, 9);
    const chosenLatency = macsLatency(scale(base, compoundFactors(r.chosen!, 1)));
    expect(r.chosen!.latency_ms).toBeCloseTo(chosenLatency, 9);
    expect(r.chosen!.objective).toBeCloseTo(80 * (chosenLatency / effLatency) ** -0.07, 9);
    expect(r.improvement).toBeCloseTo(r.chosen!.objective / r.efficientnet.objective!, 12);
    // With equal accuracy the winner is the fastest scored candidate.
    const scored = r.candidates.filter((c) => c.objective !== undefined);
    expect(Math.min(...scored.map((c) => c.latency_ms!))).toBeCloseTo(r.chosen!.latency_ms, 9);

    const fixed = await runLacs(base, { ...fast, targetLatencyMs: 10, w: -0.5 }, { measurer: new FakeMeasurer(macsLatency), accuracyTable: flatTable() });
    expect(fixed.target_source).toBe('option');
    expect(fixed.efficientnet.objective).toBeCloseTo(80 * (effLatency / 10) ** -0.5, 9);
  });

  test('a latency model that punishes resolution makes the search prefer depth (one that punishes depth leaves depth alone)', async () => {
    const res = await runLacs(base, fast, { measurer: new FakeMeasurer(resolutionPunishingLatency), accuracyTable: flatTable() });
    const dep = await runLacs(base, fast, { measurer: new FakeMeasurer(depthPunishingLatency), accuracyTable: flatTable() });
    expect(res.chosen!.alpha).toBeGreaterThan(res.chosen!.gamma);
    expect(res.chosen!.alpha).toBeGreaterThan(res.chosen!.beta);
    expect(res.chosen!.alpha).toBeGreaterThan(1.2);
    expect(res.chosen!.gamma).toBeLessThan(1.15);
    // Punish depth instead and depth is the one dimension left unscaled.
    expect(dep.chosen!.alpha).toBe(1);
    expect(Math.max(dep.chosen!.beta, dep.chosen!.gamma)).toBeGreaterThan(1.2);
  });

  test('every candidate satisfies the constraint; EfficientNet is always measured and scored', async () => {
    for (const options of [fast, { ...fast, gridStep: 0.1 }, { ...fast, macsSlack: 0 }, { ...fast, tolerance: 0.01 }]) {
      const measurer = new FakeMeasurer(macsLatency);
      const r = await runLacs(base, options, { measurer, accuracyTable: flatTable() });
      const tol = options.tolerance ?? 0.1;
      for (const c of r.candidates.filter((x) => !x.reference)) {
        expect(Math.min(c.alpha, c.beta, c.gamma)).toBeGreaterThanOrEqual(1);
        expect(Math.abs(c.alpha * c.beta ** 2 * c.gamma ** 2 - 2)).toBeLessThanOrEqual(tol + 1e-9);
        expect(c.within_tolerance).toBe(true);
      }
      const ref = r.candidates.find((c) => c.reference)!;
      expect([ref.alpha, ref.beta, ref.gamma]).toEqual([1.2, 1.1, 1.15]);
      expect(ref.objective).toBeDefined();
      expect(r.efficientnet.objective).toBe(ref.objective);
      // The reference call measures the base and EfficientNet's model together.
      expect(measurer.calls[0].names).toEqual([base.name, ref.name]);
    }
  });

  test('screening interleaves every candidate with the base; duplicates and filtered ones are not measured', async () => {
    const measurer = new FakeMeasurer(macsLatency);
    // Predicted accuracy: a table would exempt its trained candidates from the MACs filter.
    const r = await runLacs(base, { ...fast, chunkSize: 3, refineTop: 2 }, { measurer, records: zooRecords() });
    const familyCall = measurer.calls[measurer.calls.length - 1];
    const measureCalls = measurer.calls.slice(0, -1);
    for (const call of measureCalls) expect(call.names[0]).toBe(base.name);
    for (const call of measureCalls.slice(1, -1)) expect(call.names.length).toBeLessThanOrEqual(4);
    const screened = new Set(measureCalls.flatMap((c) => c.names.slice(1)));
    expect(screened.size).toBe(r.measured_candidates);
    expect(r.counts.distinct_networks).toBe(r.measured_candidates);
    expect(r.counts.grid).toBe(candidateGrid().length);
    const statuses = new Set(r.candidates.map((c) => c.status));
    expect(statuses.has('same-network')).toBe(true);
    expect(statuses.has('filtered-macs')).toBe(true);
    for (const c of r.candidates.filter((x) => x.status === 'filtered-macs' || x.status === 'same-network')) expect(screened.has(c.name)).toBe(false);
    // Same network, same latency.
    for (const c of r.candidates.filter((x) => x.status === 'same-network')) {
      const twin = r.candidates.find((x) => x.network_hash === c.network_hash && x.status !== 'same-network')!;
      expect(c.latency_ms).toBe(twin.latency_ms);
    }
    // The refine call holds the base, EfficientNet's model and the two leaders.
    expect(measureCalls[measureCalls.length - 1].names).toHaveLength(4);
    // phi = 0 is the base and phi = 1 the chosen network, both measured already: only phi = 2 is new, beside the base.
    expect(familyCall.names).toEqual([base.name, 'efficientnet-b0-lacs-phi2']);
    expect(r.timing.measure_calls).toBe(measurer.calls.length);
  });

  test('a candidate that only looked fast in screening is refined and loses; the winner was refined', async () => {
    // Under load a short screening call can flatter a network: here the first measurement of (1.1, 1.2, 1.1)
    // reads 40% fast, later ones are right. Unrefined, it would win; the refine rounds must catch it.
    const fluke = 'efficientnet-b0-lacs-a1.1-b1.2-g1.1';
    const flatteringFresh = (): LatencyModel => {
      const seen = new Set<string>();
      return (c) => {
        const first = c.name === fluke && !seen.has(c.name);
        seen.add(c.name);
        return macsLatency(c) * (first ? 0.6 : 1);
      };
    };
    const flattering = flatteringFresh();
    const unrefined = await runLacs(base, { ...fast, refineTop: 0 }, { measurer: new FakeMeasurer(flatteringFresh()), accuracyTable: flatTable() });
    expect(unrefined.candidates.find((c) => c.name === fluke)!.network_hash).toBe(unrefined.chosen!.network_hash);
    const honest = await runLacs(base, { ...fast, refineTop: 2 }, { measurer: new FakeMeasurer(macsLatency), accuracyTable: flatTable() });
    const r = await runLacs(base, { ...fast, refineTop: 2 }, { measurer: new FakeMeasurer(flattering), accuracyTable: flatTable() });
    expect(r.candidates.find((c) => c.name === fluke)!.latency_source).toBe('refine');
    expect(r.chosen!).toEqual(honest.chosen);
    const winner = r.candidates.find((c) => c.network_hash === r.chosen!.network_hash && c.status !== 'same-network')!;
    expect(winner.latency_source).toBe('refine');
    expect(r.chosen!.network_hash).not.toBe(r.candidates.find((c) => c.name === fluke)!.network_hash);
  });

  test('when the refine rounds run out, the winner is still taken among refined networks and the reference', async () => {
    const fluke = 'efficientnet-b0-lacs-a1.1-b1.2-g1.1';
    const seen = new Set<string>();
    const flattering: LatencyModel = (c) => {
      const first = c.name === fluke && !seen.has(c.name);
      seen.add(c.name);
      return macsLatency(c) * (first ? 0.6 : 1);
    };
    const r = await runLacs(base, { ...fast, refineTop: 1, refineRounds: 1 }, { measurer: new FakeMeasurer(flattering), accuracyTable: flatTable() });
    expect(r.counts.refined).toBe(1);
    // Better screened candidates exist, but only the refined fluke and EfficientNet's model are finalists.
    const screenedBetter = r.candidates.filter((c) => c.latency_source === 'screen' && c.objective! > r.chosen!.objective);
    expect(screenedBetter.length).toBeGreaterThan(0);
    const winner = r.candidates.find((c) => c.network_hash === r.chosen!.network_hash && c.status !== 'same-network')!;
    expect(['refine']).toContain(winner.latency_source);
    expect(r.decision.screened_only_higher).toBe(screenedBetter.length);
    expect(renderLacsMarkdown(r)).toMatch(new RegExp(`${screenedBetter.length} candidate\\(s\\) scored higher in screening only`));
  });

  test('a second run on the same target measures only the reference (cache keyed by hash + target)', async () => {
    const cache = new MemoryCache();
    const first = await runLacs(base, { ...fast, refineTop: 0 }, { measurer: new FakeMeasurer(macsLatency), accuracyTable: flatTable(), cache });
    const second = await runLacs(base, { ...fast, refineTop: 0 }, { measurer: new FakeMeasurer(macsLatency), accuracyTable: flatTable(), cache });
    expect(first.measured_candidates).toBeGreaterThan(20);
    expect(second.measured_candidates).toBe(1);
    expect(second.counts.cached).toBe(first.measured_candidates - 1);
    expect(second.chosen).toEqual(first.chosen);
    const otherTarget = new FakeMeasurer(macsLatency, { key: 'other', label: 'other', fingerprint: first.target!.fingerprint });
    const third = await runLacs(base, { ...fast, refineTop: 0 }, { measurer: otherTarget, accuracyTable: flatTable(), cache });
    expect(third.measured_candidates).toBe(first.measured_candidates);
  });

  test('without a table, accuracies are predicted from records and labelled so everywhere', async () => {
    const records: AccuracyRecord[] = ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3'].map((n) => {
      const config = loadFixture(n);
      return { config, top1: config.accuracy!.top1 };
    });
    const frontier = records.map((r) => ({ name: r.config.name, accuracy: r.top1, model: { kind: 'config' as const, name: r.config.name, config: r.config } }));
    const r = await runLacs(base, fast, { measurer: new FakeMeasurer(macsLatency), records, frontier });
    const scored = r.candidates.filter((c) => c.objective !== undefined);
    expect(scored.length).toBeGreaterThan(10);
    for (const c of scored) expect(c.accuracy_kind).toBe('predicted');
    expect(r.chosen!.accuracy_kind).toBe('predicted');
    expect(r.efficientnet.accuracy_kind).toBe('predicted');
    expect(r.predictor!.n).toBe(4);
    expect(r.family[0].accuracy_kind).toBe('known');
    expect(r.family[0].accuracy).toBe(base.accuracy!.top1);
    for (const f of r.family.slice(1)) {
      expect(f.accuracy_kind).toBe('predicted');
      expect(familyYaml(r, f)).not.toMatch(/^accuracy:/m);
      expect(familyYaml(r, f)).toMatch(/\(predicted, not trained/);
    }
    const markdown = renderLacsMarkdown(r);
    expect(markdown).toMatch(/\(predicted\)/);
    expect(markdown).toMatch(/Predicted values are not trained results/);
    expect(markdown).toMatch(/R² /);
    // The JSON report is the result itself: it round-trips unchanged.
    const json = JSON.parse(JSON.stringify(r));
    expect(json).toEqual(r);
    expect(json.family[1].accuracy_kind).toBe('predicted');
    expect(json.chosen).toEqual(expect.objectContaining({ alpha: r.chosen!.alpha, beta: r.chosen!.beta, gamma: r.chosen!.gamma, objective: r.chosen!.objective }));
    // The frontier was measured in the family call.
    expect(r.frontier.map((p) => p.name)).toEqual(records.map((x) => x.config.name));
    // phi=0 is B0 itself, a frontier point: it ties the frontier.
    expect(r.family[0].position).toBe('on');
    expect(r.family[0].position_vs).toBe('efficientnet-b0');
  });

  test('a partial table mixes known and predicted values, each labelled', async () => {
    const records: AccuracyRecord[] = ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3'].map((n) => ({ config: loadFixture(n), top1: loadFixture(n).accuracy!.top1 }));
    const table = parseAccuracyTable('- {alpha: 1.2, beta: 1.1, gamma: 1.15, top1: 79.0}\n', 'trained.yaml');
    const r = await runLacs(base, fast, { measurer: new FakeMeasurer(macsLatency), records, accuracyTable: table });
    expect(r.efficientnet.accuracy).toBe(79);
    expect(r.efficientnet.accuracy_kind).toBe('known');
    const others = r.candidates.filter((c) => c.objective !== undefined && !c.reference);
    expect(others.every((c) => c.accuracy_kind === 'predicted')).toBe(true);
    expect(r.accuracy_source).toMatch(/1 from trained\.yaml; \d+ predicted/);
  });

  test('no table and no records: every candidate is measured and reported, accuracy unknown, nothing chosen', async () => {
    const measurer = new FakeMeasurer(macsLatency);
    const r = await runLacs(base, fast, { measurer });
    expect(r.decision).toMatchObject({ status: 'none', basis: null, eligible: 0 });
    expect(r.decision.reason).toMatch(/accuracy is unknown: no table of trained results \(--accuracy\); no usable predictor/);
    expect(r.chosen).toBeNull();
    expect(r.family).toEqual([]);
    expect(r.improvement).toBeNull();
    // Every distinct network has its measured latency, EfficientNet's point included.
    expect(r.measured_candidates).toBe(r.counts.distinct_networks);
    for (const c of r.candidates.filter((x) => x.status === 'measured' || x.status === 'same-network')) {
      expect(c.latency_ms).toBeGreaterThan(0);
      expect(c.accuracy).toBeUndefined();
    }
    expect(r.efficientnet).toMatchObject({ alpha: 1.2, beta: 1.1, gamma: 1.15, accuracy: null, accuracy_kind: 'unknown', objective: null });
    expect(r.efficientnet.latency_ms).toBeGreaterThan(0);
    // No refine and no family call: there is nothing to choose.
    expect(r.timing.calls.map((c) => c.phase).filter((p) => p === 'refine' || p === 'family')).toEqual([]);
    const markdown = renderLacsMarkdown(r);
    expect(markdown.split('\n')[0]).toMatch(/no choice, accuracy unknown/);
    expect(markdown).toContain('chooses nothing and stores nothing');
    expect(markdown).toMatch(/Every measured grid point \(\d+; \d+ distinct networks\), by latency/);

    // With measureWithoutAccuracy off (the PR gate), nothing is measured at all.
    const quiet = new FakeMeasurer(macsLatency);
    const q = await runLacs(base, { ...fast, measureWithoutAccuracy: false }, { measurer: quiet });
    expect(quiet.calls).toHaveLength(0);
    expect(q).toMatchObject({ chosen: null, target: null, measured_candidates: 0, decision: { status: 'none' } });
  });

  test('family members are valid config format v1 and scale by alpha^phi, beta^phi, gamma^phi', async () => {
    const r = await runLacs(base, { ...fast, phi: 3 }, { measurer: new FakeMeasurer(macsLatency), accuracyTable: flatTable() });
    expect(r.family.map((f) => f.phi)).toEqual([0, 1, 2, 3]);
    for (const f of r.family) {
      const parsed = parseArchConfig(familyYaml(r, f), `${f.name}.yaml`);
      expect(parsed).toEqual(f.config);
      const factors = compoundFactors(r.chosen!, f.phi);
      expect(parsed.depth).toBeCloseTo(base.depth * factors.depth, 6);
      expect(parsed.width).toBeCloseTo(base.width * factors.width, 6);
      expect(parsed.resolution).toBe(Math.round(base.resolution * factors.resolution));
      expect(f.latency_ms).toBeCloseTo(macsLatency(parsed), 9);
    }
    // Trained accuracy from the table (phi=1 by coefficients) is written into the config.
    expect(r.family[1].accuracy_kind).toBe('known');
    expect(r.family[1].config.accuracy?.top1).toBe(80);
    expect(familyYaml(r, r.family[1])).toMatch(/^accuracy: \{top1: 80, source: "flat table"\}$/m);
  });
});

describe('bases with resolution constraints', () => {
  test('EfficientNet-X-B0 (space_to_depth needs even sizes): odd resolutions snap to the nearest buildable one', async () => {
    const x = loadFixture('efficientnet-x-b0');
    const r = await runLacs(x, { phi: 3 }, { measurer: new FakeMeasurer(macsLatency), accuracyTable: flatTable() });
    const ref = r.candidates.find((c) => c.reference)!;
    // 224 * 1.15 = 257.6 -> 258, an odd 129 after the stride-2 stem; 259 gives 130 and builds.
    expect(ref.resolution_snapped_from).toBe(258);
    expect(ref.resolution).toBe(259);
    expect(r.counts.shape_errors).toBe(0);
    for (const c of r.candidates) {
      if (c.resolution_snapped_from !== undefined) expect(Math.abs(c.resolution - c.resolution_snapped_from)).toBeLessThanOrEqual(16);
    }
    // The parser rejects impossible shapes, so parsing is the buildability check.
    for (const f of r.family) expect(parseArchConfig(familyYaml(r, f), `${f.name}.yaml`)).toEqual(f.config);
  });
});

describe('MACs filter', () => {
  test('drops candidates whose rounding bought more compute than EfficientNet + 15%, unless the table has trained them', async () => {
    const r = await runLacs(base, fast, { measurer: new FakeMeasurer(macsLatency), records: zooRecords() });
    const ref = r.candidates.find((c) => c.reference)!;
    const dropped = r.candidates.filter((c) => c.status === 'filtered-macs');
    expect(dropped.length).toBe(r.counts.filtered_macs);
    expect(dropped.length).toBeGreaterThan(0);
    for (const c of dropped) expect(c.macs).toBeGreaterThan(ref.macs * 1.15);
    for (const c of r.candidates.filter((x) => x.objective !== undefined)) expect(c.macs).toBeLessThanOrEqual(ref.macs * 1.15);
    const heavy = dropped[0];
    const table = new AccuracyTable([{ coefficients: heavy, top1: 85 }], 'with heavy');
    const again = await runLacs(base, fast, { measurer: new FakeMeasurer(macsLatency), accuracyTable: table, records: zooRecords() });
    const kept = again.candidates.find((c) => c.name === heavy.name)!;
    expect(kept.status).not.toBe('filtered-macs');
    expect(kept.objective).toBeDefined();
    expect(kept.accuracy_kind).toBe('known');
    expect(again.counts.filtered_macs).toBe(r.counts.filtered_macs - 1);
  });
});
