/**
 * LACS claims only what it knows: accuracy from a table of trained results, a same-family predictor that
 * passes its thresholds, or nowhere; predictions never chosen when they extrapolate and never ranked level
 * with trained results; one latency per network in the whole result. Deterministic measurers.
 */
import { countConfig } from '../src/arch/counts';
import { scale } from '../src/arch/scale';
import type { ArchConfig } from '../src/arch/types';
import { runRecord } from '../src/frontier/record';
import { emptyStore } from '../src/frontier/store';
import { AccuracyTable, fitAccuracyPredictor, type AccuracyRecord } from '../src/lacs/accuracy';
import { networkHash } from '../src/arch/identity';
import { renderGateLacs, renderLacsMarkdown } from '../src/report/lacs';
import { renderMarkdown } from '../src/report';
import { runLacs, type LacsOptions, type LacsResult } from '../src/lacs/run';
import { checkLacs, FakeMeasurer, loadFixture, macsLatency, recordLacs, type LatencyModel } from './lacs.helpers';
import { configModel } from '../src/frontier/models';

const base = loadFixture('efficientnet-b0');
const fast: Partial<LacsOptions> = { phi: 2 };
const record = (config: ArchConfig, top1: number): AccuracyRecord => ({ config, top1, name: config.name });
const zoo = () => ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3'].map((n) => record(loadFixture(n), loadFixture(n).accuracy!.top1));
const firstLine = (r: LacsResult) => renderLacsMarkdown(r).split('\n')[0];

describe('predictor thresholds', () => {
  test('a bad same-family fit (more compute, lower accuracy) is reported and not used: nothing is chosen', async () => {
    const bad = zoo().map((r, i) => ({ ...r, top1: [79.5, 77.0, 78.8, 76.1][i] }));
    const outcome = fitAccuracyPredictor(base, bad);
    expect(outcome.predictor).toBeUndefined();
    expect(outcome.fits).toHaveLength(1);
    const fit = outcome.fits[0];
    expect(fit.usable).toBe(false);
    expect(fit.failures.join('; ')).toMatch(/R² 0\.\d\d < 0\.80/);
    expect(fit.failures.join('; ')).toMatch(/leave-one-out RMSE \d+\.\d\d pp > 1\.00 pp/);
    expect(fit.failures.join('; ')).toMatch(/ln MACs has a negative coefficient .*more MACs would predict lower accuracy/);

    const measurer = new FakeMeasurer(macsLatency);
    const r = await runLacs(base, fast, { measurer, records: bad });
    expect(r.chosen).toBeNull();
    expect(r.predictor).toBeNull();
    expect(r.accuracy.fits).toEqual([fit]);
    expect(r.decision).toMatchObject({ status: 'none', basis: null, eligible: 0 });
    expect(r.decision.reason).toMatch(/accuracy is unknown: .*no usable predictor: the accuracy predictor fails its thresholds/);
    // Every candidate's latency and EfficientNet's point are still reported; no family, no refine.
    expect(r.efficientnet.latency_ms).toBeGreaterThan(0);
    expect(r.candidates.filter((c) => c.latency_ms !== undefined)).toHaveLength(
      r.candidates.filter((c) => c.status === 'measured' || c.status === 'same-network' || c.status === 'cached').length,
    );
    expect(r.family).toEqual([]);
    expect(r.candidates.every((c) => c.accuracy === undefined && c.objective === undefined)).toBe(true);
    expect(firstLine(r)).toMatch(/no choice, accuracy unknown/);
    const md = renderLacsMarkdown(r);
    expect(md).toContain('LACS chooses nothing and stores nothing');
    expect(md).toMatch(/Accuracy predictor \(log-macs, not used: R² /);
  });

  test('records of other families are never fitted (the cross-family R² 0.1 predictor is gone)', async () => {
    const others = ['resnet-18', 'resnet-50', 'mobilenet-v2', 'genet-light', 'genet-normal', 'genet-large'].map((n) => record(loadFixture(n), loadFixture(n).accuracy!.top1));
    const r = await runLacs(base, { ...fast, measureWithoutAccuracy: false }, { measurer: new FakeMeasurer(macsLatency), records: [record(base, 77.692), ...others] });
    expect(r.chosen).toBeNull();
    expect(r.accuracy).toMatchObject({ source: 'none', records: { same_family: 1, other_family: 6 }, fits: [] });
    expect(r.decision.reason).toMatch(/6 record\(s\) of other families are not used/);
  });

  test('a good same-family fit chooses, and the report says "predicted" in its first line', async () => {
    const r = await runLacs(base, fast, { measurer: new FakeMeasurer(macsLatency), records: zoo() });
    expect(r.predictor).toMatchObject({ usable: true, scope: 'same-family', n: 4 });
    expect(r.chosen).not.toBeNull();
    expect(r.decision).toMatchObject({ status: 'chosen', basis: 'predicted' });
    expect(r.decision.reason).toMatch(/chosen on a predicted accuracy .*leave-one-out RMSE 0\.\d\d pp/);
    expect(firstLine(r)).toMatch(/chosen on a predicted accuracy, not a trained result/);
    // Ranked at the lower bound: prediction - leave-one-out RMSE.
    const loo = r.predictor!.loo_rmse!;
    for (const c of r.candidates.filter((x) => x.rank_objective !== undefined)) {
      expect(c.accuracy_kind).toBe('predicted');
      expect(c.rank_objective!).toBeCloseTo((c.accuracy! - loo) * (c.latency_ms! / r.target_latency_ms!) ** r.w, 9);
    }
  });

  test('a predicted value outside the data it was fitted on is not chosen; trained grid points that contradict it reject the fit', async () => {
    // A perfect law, fitted on smaller members of the family only: every phi = 1 candidate (about 2x the
    // base's MACs) lies beyond the data, and its prediction above every trained value.
    const small = [
      base,
      scale(base, { depth: 0.8, width: 0.8, resolution: 0.9 }, 'b0-small1'),
      scale(base, { depth: 0.6, width: 0.7, resolution: 0.8 }, 'b0-small2'),
      scale(base, { depth: 0.5, width: 0.5, resolution: 0.7 }, 'b0-small3'),
    ];
    const law = (c: ArchConfig) => 20 + 3 * Math.log(countConfig(c).macs);
    const records = small.map((c) => record(c, law(c)));
    const alone = await runLacs(base, { ...fast, measureWithoutAccuracy: false }, { measurer: new FakeMeasurer(macsLatency), records });
    expect(alone.predictor).toMatchObject({ usable: true });
    expect(alone.predictor!.r2).toBeCloseTo(1, 9);
    const predicted = alone.candidates.filter((c) => c.accuracy_kind === 'predicted');
    expect(predicted.length).toBeGreaterThan(10);
    expect(predicted.every((c) => c.extrapolated && !c.eligible)).toBe(true);
    expect(alone.chosen).toBeNull();
    expect(alone.decision.extrapolated).toBe(predicted.length);
    expect(alone.decision.reason).toMatch(/\d+ prediction\(s\) lie outside the predictor's data/);
    expect(renderLacsMarkdown(alone)).toMatch(/no choice, accuracy unknown[^]*prediction\(s\) lie outside the predictor's data/);

    // Trained results for three grid points disagree with those extrapolations (a predicted 80+ beside
    // trained 77.5-78.3, as in the issue): they join the fit as known members of the family, the fit's
    // leave-one-out error exposes the disagreement, and the choice is among the trained points.
    const trained = [
      { coefficients: { alpha: 1.2, beta: 1.1, gamma: 1.15 }, top1: 78.0 },
      { coefficients: { alpha: 1.4, beta: 1.05, gamma: 1.15 }, top1: 78.3 },
      { coefficients: { alpha: 1.1, beta: 1.2, gamma: 1.1 }, top1: 77.5 },
    ];
    expect(Math.min(...predicted.map((c) => c.accuracy!))).toBeGreaterThan(80);
    const table = new AccuracyTable(trained, 'trained.yaml');
    const r = await runLacs(base, fast, { measurer: new FakeMeasurer(macsLatency), records, accuracyTable: table });
    expect(r.accuracy.fits.length).toBeGreaterThan(0);
    for (const fit of r.accuracy.fits) {
      expect(fit.n).toBe(records.length + trained.length);
      expect(fit.residuals.map((x) => x.name)).toContain('(1.2, 1.1, 1.15) (trained.yaml)');
      expect(fit.usable).toBe(false);
      expect(fit.failures.join('; ')).toMatch(/leave-one-out RMSE \d+\.\d\d pp > 1\.00 pp/);
    }
    expect(r.predictor).toBeNull();
    expect(r.decision).toMatchObject({ status: 'chosen', basis: 'known', eligible: 3 });
    expect(trained.map((t) => t.top1)).toContain(r.chosen!.accuracy);
    expect(r.candidates.filter((c) => c.accuracy_kind === 'predicted')).toEqual([]);
    expect(firstLine(r)).toMatch(/chosen on trained results/);
  });

  test('table only: chooses among known values; the rest are measured, unknown, never chosen', async () => {
    const table = new AccuracyTable([
      { coefficients: { alpha: 1.4, beta: 1.05, gamma: 1.15 }, top1: 79.0 },
      { coefficients: { alpha: 1.1, beta: 1.2, gamma: 1.1 }, top1: 79.2 },
      { coefficients: { alpha: 1.0, beta: 1.1, gamma: 1.3 }, top1: 78.1 },
    ], 'three.yaml');
    const r = await runLacs(base, fast, { measurer: new FakeMeasurer(macsLatency), accuracyTable: table });
    expect(r.accuracy.source).toBe('table');
    expect(r.decision).toMatchObject({ status: 'chosen', basis: 'known', eligible: 3 });
    const known = r.candidates.filter((c) => c.accuracy_kind === 'known');
    expect(known.map((c) => c.network_hash)).toContain(r.chosen!.network_hash);
    expect(r.chosen!.objective).toBe(Math.max(...known.map((c) => c.objective!)));
    // EfficientNet's point has no trained result: measured, not compared.
    expect(r.efficientnet).toMatchObject({ accuracy: null, objective: null, accuracy_kind: 'unknown' });
    expect(r.improvement).toBeNull();
    const unknown = r.candidates.filter((c) => c.latency_ms !== undefined && c.accuracy === undefined);
    expect(unknown.length).toBeGreaterThan(10);
    expect(unknown.every((c) => !c.eligible && c.rank_objective === undefined)).toBe(true);
    expect(renderLacsMarkdown(r)).toMatch(/EfficientNet's \(1\.2, 1\.1, 1\.15\) has no known accuracy/);
  });

  test('known and predicted are not ranked as equals: a prediction needs to win by its leave-one-out error', async () => {
    // EfficientNet's point trained at exactly what the predictor says about it.
    const probe = await runLacs(base, { ...fast, measureWithoutAccuracy: false, refineTop: 0 }, { measurer: new FakeMeasurer(macsLatency), records: zoo() });
    const effPredicted = probe.efficientnet.accuracy!;
    const table = new AccuracyTable([{ coefficients: { alpha: 1.2, beta: 1.1, gamma: 1.15 }, top1: effPredicted }], 'eff.yaml');
    const r = await runLacs(base, fast, { measurer: new FakeMeasurer(macsLatency), records: zoo(), accuracyTable: table });
    const eff = r.candidates.find((c) => c.reference)!;
    expect(eff.accuracy_kind).toBe('known');
    expect(eff.rank_objective).toBe(eff.objective);
    // Some predicted candidate has a higher point objective than the known one yet ranks below it.
    const loo = r.predictor!.loo_rmse!;
    const outranked = r.candidates.filter((c) => c.accuracy_kind === 'predicted' && c.eligible && c.objective! > eff.objective! && c.rank_objective! < eff.rank_objective!);
    expect(outranked.length).toBeGreaterThan(0);
    for (const c of outranked) expect(c.objective! - c.rank_objective!).toBeCloseTo(loo * (c.latency_ms! / r.target_latency_ms!) ** r.w, 9);
    // The choice has the highest rank among those that could be chosen.
    const best = Math.max(...r.candidates.filter((c) => c.eligible && (c.latency_source === 'refine' || c.reference)).map((c) => c.rank_objective!));
    expect(r.candidates.find((c) => c.network_hash === r.chosen!.network_hash && c.status !== 'same-network')!.rank_objective).toBe(best);
  });
});

describe('one latency per network', () => {
  test('on a runner that slows down call by call, the base, the chosen model and a frontier copy of the base each have one number', async () => {
    // Every call runs 10% slower than the one before: medians of separate calls disagree, ratios do not.
    let call = 0;
    const drifting = new FakeMeasurer(macsLatency);
    const inner = drifting.measure.bind(drifting);
    drifting.measure = async (models, options) => {
      const slow = 1 + 0.1 * call++;
      const res = await inner(models, options);
      return { ...res, models: res.models.map((m) => ({ ...m, median_ms: m.median_ms * slow })) };
    };
    const records = zoo();
    const frontier = records.map((x) => ({ name: x.config.name, accuracy: x.top1, model: { kind: 'config' as const, name: x.config.name, config: x.config } }));
    const r = await runLacs(base, { ...fast, phi: 3 }, { measurer: drifting, records, frontier });
    expect(r.chosen).not.toBeNull();
    const latencyByHash = new Map<string, Set<number>>();
    const note = (hash: string, ms: number | null | undefined) => {
      if (ms === null || ms === undefined) return;
      latencyByHash.set(hash, (latencyByHash.get(hash) ?? new Set()).add(ms));
    };
    note(r.base.network_hash, r.base.latency_ms);
    note(r.chosen!.network_hash, r.chosen!.latency_ms);
    note(r.efficientnet.network_hash, r.efficientnet.latency_ms);
    for (const c of r.candidates) note(c.network_hash, c.latency_ms);
    for (const f of r.family) note(f.network_hash, f.latency_ms);
    for (const p of r.frontier) note(networkHash(records.find((x) => x.config.name === p.name)!.config), p.latency_ms);
    for (const [hash, values] of latencyByHash) expect([hash, [...values]]).toEqual([hash, [expect.any(Number)]]);
    expect(r.family[0].latency_ms).toBe(r.base.latency_ms);
    expect(r.family[1].latency_ms).toBe(r.chosen!.latency_ms);
    expect(r.frontier.find((p) => p.name === 'efficientnet-b0')!.latency_ms).toBe(r.base.latency_ms);
    // The family call measured only what had no latency yet, beside the base.
    const familyCall = drifting.calls[drifting.calls.length - 1];
    expect(familyCall.names).toEqual([base.name, 'efficientnet-b0-lacs-phi2', 'efficientnet-b0-lacs-phi3', 'frontier:efficientnet-b1', 'frontier:efficientnet-b2', 'frontier:efficientnet-b3']);
    // phi = 0 is B0 itself, measured once: it ties the frontier exactly.
    expect(r.family[0]).toMatchObject({ position: 'on', position_vs: 'efficientnet-b0' });
    // Latencies are ratios times one base latency: the drift cancels.
    const phi2 = r.family[2];
    expect(phi2.latency_ms / r.base.latency_ms!).toBeCloseTo(macsLatency(phi2.config) / macsLatency(base), 9);
  });
});

describe('the PR-gate hook', () => {
  const latency: LatencyModel = macsLatency;
  const others = ['mobilenet-v2', 'resnet-18'];

  test('without the base\'s family in the store, record chooses nothing, stores nothing and says so; check reports "no choice"', async () => {
    const measurer = new FakeMeasurer(latency);
    const { store: seeded } = await runRecord(emptyStore(), others.map((n) => ({ model: configModel(loadFixture(n)) })), { budgetSeconds: 1 }, { measurer, now: () => new Date('2026-03-01T00:00:00Z') });
    const before = measurer.calls.length;
    const { store, report, updates } = await recordLacs(seeded, [{ model: configModel(base) }], { budgetSeconds: 1, lacs: {} }, { measurer, now: () => new Date('2026-03-02T00:00:00Z') });
    // One call for the record's own measurement; LACS measured nothing (the gate does not spend its budget on no choice).
    expect(measurer.calls.length - before).toBe(1);
    expect(updates[0].lacs).toBeUndefined();
    expect(store.records.find((r) => r.name === base.name)!.lacs).toBeUndefined();
    const lacs = report.rows[0].lacs!;
    expect(lacs).toMatchObject({ status: 'no-choice', measured_candidates: 0 });
    expect(lacs).not.toHaveProperty('entry');
    expect(lacs.error).toMatch(/accuracy is unknown: .*1 trained record\(s\) of efficientnet-b0's family/);
    expect(renderGateLacs(lacs)).toMatch(/^\*\*LACS\*\* for efficientnet-b0 \(`family: base`\): no choice, accuracy is unknown: .*Nothing is stored\./);
    expect(renderMarkdown(report)).toContain('no choice, accuracy is unknown');
    expect(renderMarkdown(report)).not.toContain('Stored with efficientnet-b0 for this target');

    const check = await checkLacs(store, [{ model: configModel({ ...base, dropout: 0.3 }) }], { budgetSeconds: 1, lacs: {} }, { measurer });
    expect(check.candidates[0].lacs).toMatchObject({ status: 'no-choice' });
    expect(renderMarkdown(check)).toContain('no choice, accuracy is unknown');
  });
});
