import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import type { ArchConfig } from '../src/arch/types';
import { runCheck } from '../src/frontier/check';
import { runRecord } from '../src/frontier/record';
import { selectionEstimate, selectModels } from '../src/frontier/select';
import { driftOf, runSweep } from '../src/frontier/sweep';
import { applyRecordUpdates, type RecordUpdate } from '../src/frontier/updates';
import { configHash, emptyStore, parseStore, serializeStore, storedConfig, type FrontierStore } from '../src/frontier/store';
import { FAKE_TARGET, FakeMeasurer } from './frontier.support/fake-measurer';
import { renderMarkdown } from '../src/report';
import { checkChartInputs } from '../src/report/chart';
import { configModel } from '../src/frontier/models';

const ARCHS = path.join(__dirname, '../fixtures/archs');
const load = (name: string) => loadArchConfig(path.join(ARCHS, `${name}.yaml`));
const ZOO = ['mobilenet-v2', 'efficientnet-b0', 'efficientnet-b1', 'resnet-18', 'resnet-50', 'efficientnet-x-b0'].map(load);

/** Latencies "stored" from some machine; the fake measurer reports this machine's. */
const STORED_MS: Record<string, number> = {
  'mobilenet-v2': 20, 'efficientnet-b0': 30, 'efficientnet-b1': 45, 'resnet-18': 25, 'resnet-50': 60, 'efficientnet-x-b0': 28,
};

function storeOn(targetKey: string, latencies = STORED_MS): FrontierStore {
  const updates: RecordUpdate[] = ZOO.map((config) => {
    const stored = storedConfig(config);
    const median = latencies[config.name];
    return {
      name: config.name, model: { provenance: 'config' as const, config: stored, config_hash: configHash(stored) },
      accuracy: config.accuracy ? { top1: config.accuracy.top1, dataset: config.accuracy.dataset ?? null, source: config.accuracy.source ?? null } : null,
      target: targetKey, label: targetKey,
      measurement: {
        date: '2026-01-01T00:00:00.000Z', commit: null, median_ms: median, ci95_ms: [median * 0.98, median * 1.02], samples: 40,
        batch: 1, precision: 'fp32', provider: 'cpu', fingerprint: FAKE_TARGET.fingerprint,
      },
    };
  });
  return applyRecordUpdates(emptyStore(), updates);
}

/** A candidate: MobileNetV2's layout with extra repeats, under a new name and claimed accuracy. */
function candidate(name: string, top1?: number): ArchConfig {
  const base = load('mobilenet-v2');
  return { ...base, name, stages: base.stages.map((s) => ({ ...s, repeats: s.repeats + 1 })), accuracy: top1 === undefined ? undefined : { top1 } };
}

const HERE: Record<string, number> = { ...STORED_MS };

describe('runCheck on injected measurements', () => {
  it('names the dominating model, measures the candidate first, and fails the gate', async () => {
    const measurer = new FakeMeasurer({ latency: { ...HERE, dominated: 32 } });
    const report = await runCheck(storeOn(FAKE_TARGET.key), [{ model: configModel(candidate('dominated', 70.0)), file: 'cands/dominated.yaml' }], {}, { measurer });
    expect(measurer.calls).toHaveLength(1);
    expect(measurer.calls[0].names[0]).toBe('dominated');
    expect(measurer.calls[0].names).toContain('mobilenet-v2');
    expect(measurer.calls[0].options).toMatchObject({ budgetSeconds: 20, band: 0.03 });
    expect(report.verdict).toBe('dominated');
    expect(report.exitCode).toBe(1);
    const c = report.candidates[0];
    expect(c.dominated_by!.name).toBe('mobilenet-v2');
    expect(c.dominated_by!.ratio).toBeCloseTo(20 / 32, 12);
    expect(c.dominated_by!.slower_by).toBeCloseTo(32 / 20 - 1, 12);
    // Distance both ways against this run's measurements: MBv2 is the fastest model at least as accurate.
    expect(c.distance.latency).toEqual({ slower_by: expect.closeTo(0.6, 12), reference: 'mobilenet-v2' });
    expect(c.distance.accuracy!.reference).toBe('efficientnet-b0');
    expect(c.distance.accuracy!.less_accurate_by).toBeCloseTo(77.692 - 70, 9);
  });

  it('never compares stored latencies: the side-by-side run decides even when the store says otherwise', async () => {
    // Stored on another machine where MBv2 looked 10x slower than the candidate will be; here it is faster.
    const other = storeOn('cpu-othermachine', { ...STORED_MS, 'mobilenet-v2': 500 });
    const report = await runCheck(other, [{ model: configModel(candidate('dominated', 70.0)) }], {}, { measurer: new FakeMeasurer({ latency: { ...HERE, dominated: 32 } }) });
    // Ranked by the stored numbers, B0 is re-measured first; measured here it is faster, so it dominates.
    expect(report.verdict).toBe('dominated');
    const d = report.candidates[0].dominated_by!;
    expect(d.ratio).toBeCloseTo(HERE[d.name] / 32, 12);
    expect(report.target.key).toBe(FAKE_TARGET.key);
    // The same store measured fresh with the candidate faster than everything: not dominated.
    const fast = await runCheck(other, [{ model: configModel(candidate('quick', 70.0)) }], {}, { measurer: new FakeMeasurer({ latency: { ...HERE, quick: 10 } }) });
    expect(fast.verdict).toBe('new-frontier');
  });

  it('new-frontier when faster than every measured model at least as accurate', async () => {
    const report = await runCheck(storeOn(FAKE_TARGET.key), [{ model: configModel(candidate('fast', 78.0)) }], {}, { measurer: new FakeMeasurer({ latency: { ...HERE, fast: 21 } }) });
    expect(report.verdict).toBe('new-frontier');
    expect(report.exitCode).toBe(0);
    const c = report.candidates[0];
    // The fastest model as accurate (within 0.1) by stored latency is B1 (78.642); it was re-measured.
    expect(c.models.map((m) => m.name)).toContain('efficientnet-b1');
    expect(c.models.find((m) => m.role === 'candidate')!.on_frontier).toBe(true);
    expect(c.distance.latency!.slower_by).toBeLessThan(0);
  });

  it('pass when on the frontier within tolerance', async () => {
    // 77.6 vs B0 at 77.692 and the same latency: not dominated, does not move the frontier.
    const report = await runCheck(storeOn(FAKE_TARGET.key), [{ model: configModel(candidate('peer', 77.6)) }], {}, { measurer: new FakeMeasurer({ latency: { ...HERE, peer: 30 } }) });
    expect(report.verdict).toBe('pass');
    expect(report.exitCode).toBe(0);
  });

  it('inconclusive when the interval straddles the tolerance: exit 0, or 1 with --strict', async () => {
    const spec = { latency: { ...HERE, wobbly: 31.2 }, ratioHalfWidth: { 'efficientnet-b0': 0.05 } };
    const lax = await runCheck(storeOn(FAKE_TARGET.key), [{ model: configModel(candidate('wobbly', 77.6)) }], {}, { measurer: new FakeMeasurer(spec) });
    expect(lax.verdict).toBe('inconclusive');
    expect(lax.candidates[0].undecided).toEqual(['efficientnet-b0']);
    expect(lax.exitCode).toBe(0);
    const strict = await runCheck(storeOn(FAKE_TARGET.key), [{ model: configModel(candidate('wobbly', 77.6)) }], { strict: true }, { measurer: new FakeMeasurer(spec) });
    expect(strict.exitCode).toBe(1);
  });

  it('tolerance flags move the verdict', async () => {
    const measurer = () => new FakeMeasurer({ latency: { ...HERE, near: 21 } }); // 5% slower than MBv2
    const store = storeOn(FAKE_TARGET.key);
    expect((await runCheck(store, [{ model: configModel(candidate('near', 71.9)) }], {}, { measurer: measurer() })).verdict).toBe('dominated');
    expect((await runCheck(store, [{ model: configModel(candidate('near', 71.9)) }], { latencyTolerance: 0.1 }, { measurer: measurer() })).verdict).toBe('pass');
    // 72.0 is more than 0.1 points above MBv2's 71.878: MBv2 is no longer "as accurate".
    expect((await runCheck(store, [{ model: configModel(candidate('near', 72.0)) }], {}, { measurer: measurer() })).verdict).not.toBe('dominated');
    expect((await runCheck(store, [{ model: configModel(candidate('near', 72.0)) }], { accuracyTolerance: 0.2 }, { measurer: measurer() })).verdict).toBe('dominated');
  });

  it('uses --accuracy over the config, and requires an accuracy unless latency-only', async () => {
    const store = storeOn(FAKE_TARGET.key);
    const fake = () => new FakeMeasurer({ latency: { ...HERE, c: 32 } });
    await expect(runCheck(store, [{ model: configModel(candidate('c')), file: 'c.yaml' }], {}, { measurer: fake() })).rejects.toThrow(
      /c\.yaml: candidate "c" has no accuracy: .*--accuracy.*--metrics FILE --metrics-key.*--latency-only/,
    );
    const overridden = await runCheck(store, [{ model: configModel(candidate('c', 50)), accuracy: 90, accuracySource: 'm.json:eval.top1' }], {}, { measurer: fake() });
    expect(overridden.candidates[0].accuracy).toBe(90);
    expect(overridden.candidates[0].accuracy_source).toBe('m.json:eval.top1');
    expect(overridden.verdict).toBe('new-frontier');
    const position = await runCheck(store, [{ model: configModel(candidate('c')) }], { latencyOnly: true, neighbors: 2 }, { measurer: fake() });
    expect(position.candidates[0].latency_only).toBe(true);
    expect(position.candidates[0].models).toHaveLength(3);
    expect(position.exitCode).toBe(0);
    expect(renderMarkdown(position).split('\n')[0]).toMatch(/latency only.*no verdict on it/);
  });

  it('leaves out a stored record of the same name (the candidate\'s previous version)', async () => {
    const store = storeOn(FAKE_TARGET.key);
    const changed = { ...load('mobilenet-v2'), resolution: 256 };
    const measurer = new FakeMeasurer({ latency: HERE });
    await runCheck(store, [{ model: configModel(changed) }], {}, { measurer });
    expect(measurer.calls[0].names.filter((n) => n === 'mobilenet-v2')).toHaveLength(1);
  });

  it('checks several candidates, one interleaved call each, and reports the worst verdict', async () => {
    const measurer = new FakeMeasurer({ latency: { ...HERE, dominated: 32, fast: 21 } });
    const report = await runCheck(storeOn(FAKE_TARGET.key), [{ model: configModel(candidate('fast', 78.0)) }, { model: configModel(candidate('dominated', 70.0)) }], {}, { measurer });
    expect(measurer.calls.map((c) => c.names[0])).toEqual(['fast', 'dominated']);
    expect(report.candidates.map((c) => c.verdict)).toEqual(['new-frontier', 'dominated']);
    expect(report.verdict).toBe('dominated');
    expect(renderMarkdown(report).split('\n')[0]).toMatch(/dominated \(the worst of 2 candidates\)/);
  });

  it('an empty store gives new-frontier with only the candidate measured', async () => {
    const measurer = new FakeMeasurer({ latency: { solo: 10 } });
    const report = await runCheck(emptyStore(), [{ model: configModel(candidate('solo', 60)) }], {}, { measurer });
    expect(measurer.calls[0].names).toEqual(['solo']);
    expect(report.verdict).toBe('new-frontier');
  });
});

describe('selectModels', () => {
  const store = storeOn(FAKE_TARGET.key);
  const estimate = selectionEstimate(store.records, () => 1e9);

  it('picks the fastest as-accurate frontier model and the nearest frontier neighbours by accuracy', () => {
    const sel = selectModels(store.records, { name: 'cand', accuracy: 77.0, macs: 4e8 }, { neighbors: 3, accuracyTolerance: 0.1 }, estimate).models;
    // Frontier by stored latency: MBv2 (71.9, 20), B0 (77.7, 30), B1 (78.6, 45). ResNet-18/50 are dominated.
    expect(sel[0]).toMatchObject({ role: 'contender', record: { name: 'efficientnet-b0' } });
    expect(sel.map((s) => s.record.name).sort()).toEqual(['efficientnet-b0', 'efficientnet-b1', 'mobilenet-v2']);
    expect(sel.map((s) => s.record.name)).not.toContain('resnet-50');
  });

  it('neighbours bracket the candidate: the nearest below comes before the second nearest above', () => {
    const est = { ...estimate, proxy: new Map(Object.entries({ 'mobilenet-v2': 20, 'efficientnet-b0': 30, 'efficientnet-b1': 100, 'resnet-18': 25, 'resnet-50': 200 })) };
    const sel = selectModels(store.records, { name: 'cand', accuracy: 77.0, macs: 4e8 }, { neighbors: 2, accuracyTolerance: 0.1 }, est).models;
    expect(sel.map((s) => [s.record.name, s.role])).toEqual([['efficientnet-b0', 'contender'], ['mobilenet-v2', 'neighbour']]);
  });

  it('with K=1 measures only what could dominate', async () => {
    const sel = selectModels(store.records, { name: 'cand', accuracy: 70.0, macs: 4e8 }, { neighbors: 1, accuracyTolerance: 0.1 }, estimate);
    expect(sel.models.map((s) => s.record.name)).toEqual(['mobilenet-v2']);
    // What could dominate but was not re-measured is named with the reason: the others at least as
    // accurate, on the stored frontier (over the limit) or off it (a faster stored one is as accurate).
    expect(sel.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['efficientnet-b0', 'limit'], ['efficientnet-b1', 'spread'], ['resnet-50', 'off-stored-frontier'],
    ]);
    expect(sel.skipped_total).toBe(3);
    // The report names them under the table.
    const report = await runCheck(store, [{ model: configModel(candidate('k1', 70.0)) }], { neighbors: 1 }, { measurer: new FakeMeasurer({ latency: { ...HERE, k1: 32 } }) });
    expect(renderMarkdown(report)).toMatch(/Not re-measured, although at least as accurate: efficientnet-b0 \(top-1 77\.69: over the limit of 1 re-measured model \(--neighbors\)\), efficientnet-b1 \(top-1 78\.64: stored latency over 1\.5x the fastest one's at least as accurate\), resnet-50 \(top-1 76\.13: a stored model at least as accurate has a lower stored latency\)\./);
  });

  it('the pre-filter decides only what is measured: a measured model at least as accurate is a contender in the table, text and chart', async () => {
    // B1 (78.6) is picked as a neighbour (its stored latency is over 1.5x B0's), measured 50% faster than
    // the candidate: a contender by the rule, whatever it was picked for.
    const est = { ...estimate, proxy: new Map(Object.entries({ 'mobilenet-v2': 20, 'efficientnet-b0': 30, 'efficientnet-b1': 100, 'resnet-18': 25, 'resnet-50': 200 })) };
    const picked = selectModels(store.records, { name: 'cand', accuracy: 77.0, macs: 4e8 }, { neighbors: 3, accuracyTolerance: 0.1 }, est).models;
    expect(picked.map((s) => [s.record.name, s.role])).toEqual([['efficientnet-b0', 'contender'], ['mobilenet-v2', 'neighbour'], ['efficientnet-b1', 'neighbour']]);
    const stored = storeOn(FAKE_TARGET.key, { ...STORED_MS, 'efficientnet-b1': 100 });
    const report = await runCheck(stored, [{ model: configModel(candidate('slow', 77.0)) }], {}, { measurer: new FakeMeasurer({ latency: { ...HERE, slow: 30.2, 'efficientnet-b1': 20 } }) });
    const c = report.candidates[0];
    expect(c.models.map((m) => [m.name, m.role])).toEqual([['slow', 'candidate'], ['efficientnet-b0', 'contender'], ['mobilenet-v2', 'neighbour'], ['efficientnet-b1', 'contender']]);
    expect(c.verdict).toBe('dominated');
    expect(c.dominated_by!.name).toBe('efficientnet-b1');
    const md = renderMarkdown(report);
    expect(md).toMatch(/\| efficientnet-b1 \| could dominate \|/);
    expect(checkChartInputs(report)[0].points.find((p) => p.name === 'efficientnet-b1')!.role).toBe('contender');
  });

  it('ranks by MACs scaled onto stored latencies when a record has no measurement', () => {
    const bare = { ...store.records[0], name: 'bare', targets: {} };
    const est = selectionEstimate([...store.records, bare], (r) => (r.name === 'bare' ? 2e9 : 1e9));
    // Stored medians / 1 GMAC: 20..60 ms -> median 30 ms per GMAC; 2 GMACs -> 60 ms.
    expect(est.proxy.get('bare')).toBeCloseTo(60, 9);
    expect(est.referenceTarget).toBe(FAKE_TARGET.key);
  });
});

describe('record and sweep on injected measurements', () => {
  const now = () => new Date('2026-03-01T12:00:00.000Z');

  it('record adds records with full config, accuracy and measurement; a second record updates history', async () => {
    const configs = [load('mobilenet-v2'), load('efficientnet-x-b0')];
    const first = await runRecord(emptyStore(), configs.map((config) => ({ model: configModel(config) })), { budgetSeconds: 5 }, { measurer: new FakeMeasurer({ latency: HERE }), now, commit: 'deadbeef' });
    expect(first.report.rows.map((r) => r.action)).toEqual(['added', 'added']);
    const store = parseStore(serializeStore(first.store), 'f.json');
    const mb = store.records.find((r) => r.name === 'mobilenet-v2')!;
    expect(mb.accuracy!.top1).toBe(71.878);
    expect(mb.targets[FAKE_TARGET.key].latest).toMatchObject({ median_ms: 20, commit: 'deadbeef', date: '2026-03-01T12:00:00.000Z', provider: 'cpu', batch: 1 });
    expect(store.records.find((r) => r.name === 'efficientnet-x-b0')!.accuracy).toBeNull();
    const again = await runRecord(store, [{ model: configModel(configs[0]) }], { budgetSeconds: 5 }, { measurer: new FakeMeasurer({ latency: { 'mobilenet-v2': 22 } }), now: () => new Date('2026-03-02T00:00:00.000Z') });
    expect(again.report.rows[0]).toMatchObject({ action: 'updated', previous_ms: 20, latency_ms: 22 });
    expect(again.store.records.find((r) => r.name === 'mobilenet-v2')!.targets[FAKE_TARGET.key].history.map((h) => h.median_ms)).toEqual([20, 22]);
  });

  it('sweep measures every record beside the anchor and judges drift on ratios, by the band rule and the history', async () => {
    const sweepNights = async (store: FrontierStore, nights: Record<string, number>[], first = 0) => {
      let report: Awaited<ReturnType<typeof runSweep>>['report'] | undefined;
      for (const [i, latency] of nights.entries()) {
        const out = await runSweep(store, { budgetSeconds: 5, latencyTolerance: 0.03 }, { measurer: new FakeMeasurer({ latency }), now: () => new Date(Date.UTC(2026, 2, 2 + first + i)) });
        store = out.store;
        report = out.report;
      }
      return { store, report: report! };
    };
    const quiet = await sweepNights(storeOn(FAKE_TARGET.key), Array(9).fill(HERE));
    // The anchor is the record with the median MACs, measured first in every call.
    expect(quiet.report.anchor).toBe('efficientnet-b1');
    const measurer = new FakeMeasurer({ latency: HERE });
    await runSweep(quiet.store, { budgetSeconds: 5, latencyTolerance: 0.03 }, { measurer, now });
    expect(measurer.calls[0].names[0]).toBe('efficientnet-b1');
    expect(quiet.report.rows.every((r) => r.status === 'within' || r.basis === 'anchor')).toBe(true);
    // A runner 40% slower for every model: the ratios hold, one runner shift is reported, no model drifts.
    const busy = Object.fromEntries(Object.entries(HERE).map(([k, v]) => [k, v * 1.4]));
    const shifted = await sweepNights(quiet.store, [busy], 9);
    expect(shifted.report.runner_shift).toMatchObject({ anchor: 'efficientnet-b1', status: 'slower' });
    expect(shifted.report.rows.filter((r) => r.status === 'slower' || r.status === 'faster')).toEqual([{ ...shifted.report.rows.find((r) => r.basis === 'anchor'), status: 'slower' }]);
    expect(renderMarkdown(shifted.report)).toMatch(/This runner \(.*\) is \+40\.0% slower than on 2026-03-10 \(the anchor \*\*efficientnet-b1\*\*'s own latency/);
    // resnet-50 25% slower, mobilenet-v2 20% faster, resnet-18 +1% (0% .. +2% with its ±1% interval: within).
    const step = { ...HERE, 'resnet-50': 75, 'mobilenet-v2': 16, 'resnet-18': 25 * 1.01 };
    const one = await sweepNights(quiet.store, [step], 9);
    const status1 = Object.fromEntries(one.report.rows.map((r) => [r.name, r.status]));
    expect(status1).toMatchObject({ 'resnet-50': 'pending', 'mobilenet-v2': 'pending', 'resnet-18': 'within' });
    const two = await sweepNights(one.store, [step], 10);
    const status2 = Object.fromEntries(two.report.rows.map((r) => [r.name, r.status]));
    expect(status2).toMatchObject({ 'resnet-50': 'slower', 'mobilenet-v2': 'faster', 'resnet-18': 'within' });
    const row = two.report.rows.find((r) => r.name === 'resnet-50')!;
    expect(row.since).toBe('2026-03-11T00:00:00.000Z');
    expect(row.change_point).toBe(9);
    expect(renderMarkdown(two.report).split('\n')[0]).toMatch(/Drift on .* confirmed by the history: .*\*\*resnet-50\*\* slower since 2026-03-11: \+25\.0% \(\+23\.8% \.\. \+26\.3%\)/);
    expect(renderMarkdown(two.report)).toMatch(/\| resnet-50 \| slower \|.*\| `▁▁▁▁▁▁▁▁▁\|██` \|/);
    expect(two.store.records.find((r) => r.name === 'resnet-50')!.targets[FAKE_TARGET.key].latest).toMatchObject({ median_ms: 75, anchor: 'efficientnet-b1', ratio: 1.666667 });
  });

  it('sweep on a new target reports every model as new', async () => {
    const { report } = await runSweep(storeOn('cpu-othermachine'), { budgetSeconds: 5, latencyTolerance: 0.03 }, { measurer: new FakeMeasurer({ latency: HERE }), now });
    expect(new Set(report.rows.map((r) => r.status))).toEqual(new Set(['new']));
  });

  it('driftOf: the interval adds both relative half-widths, and its band is the status', () => {
    const wide = driftOf({ median_ms: 10, ci95_ms: [9, 11] }, { median_ms: 11.4, ci95_ms: [10.9, 11.9] }, 0.03);
    expect(wide.status).toBe('straddles');
    expect(wide.drift).toBeCloseTo(0.14, 12);
    expect(wide.drift_ci95![0]).toBeCloseTo(0.14 - 0.1 - 0.5 / 11.4, 12);
    expect(driftOf({ median_ms: 10, ci95_ms: [9.9, 10.1] }, { median_ms: 11, ci95_ms: [10.9, 11.1] }, 0.03).status).toBe('slower');
    expect(driftOf({ median_ms: 10, ci95_ms: [9.9, 10.1] }, { median_ms: 9, ci95_ms: [8.9, 9.1] }, 0.03).status).toBe('faster');
    expect(driftOf({ median_ms: 10, ci95_ms: [9.95, 10.05] }, { median_ms: 10.1, ci95_ms: [10.05, 10.15] }, 0.03).status).toBe('within');
    expect(driftOf(undefined, { median_ms: 10, ci95_ms: [9.9, 10.1] }, 0.03)).toEqual({ status: 'new', drift: null, drift_ci95: null });
  });
});

describe('stored configs are checked like any input', () => {
  it('a stored config over the resource limits is a clear error before anything is measured', async () => {
    const store = storeOn(FAKE_TARGET.key);
    const huge = store.records.find((r) => r.name === 'resnet-50')!;
    huge.config = { ...huge.config!, resolution: 20000 };
    huge.config_hash = configHash(huge.config);
    const measurer = new FakeMeasurer({ latency: HERE });
    await expect(runCheck(store, [{ model: configModel(candidate('c', 70)) }], { storeFile: 'f.json' }, { measurer })).rejects.toThrow(/^f\.json: record "resnet-50": .*/);
    await expect(runSweep(store, { budgetSeconds: 1, latencyTolerance: 0.03, storeFile: 'f.json' }, { measurer })).rejects.toThrow(/f\.json: record "resnet-50"/);
    expect(measurer.calls).toHaveLength(0);
  });
});
