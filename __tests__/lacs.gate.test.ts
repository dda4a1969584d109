/**
 * LACS in the gate: check reports the recomputed coefficients of a `family: base` candidate and how they
 * moved from the ones stored with the previous base; record stores them; old stores without LACS entries
 * still load. Deterministic measurers (latency a function of the config), so the whole file takes seconds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../src/frontier/check';
import { runRecord } from '../src/frontier/record';
import { configHash, emptyStore, mergeStores, parseStore, readStoreFile, serializeStore, type FrontierStore, type StoredLacs } from '../src/frontier/store';
import { GATE_LACS_OPTIONS } from '../src/lacs/gate';
import { runLacs } from '../src/lacs/run';
import { inputsFromConfigs, configsFromStore } from '../src/lacs/inputs';
import type { Measurer } from '../src/measure/types';
import { checkLacs, FakeMeasurer, loadFixture, macsLatency, recordLacs, resolutionPunishingLatency, TARGET, FIXTURES } from './lacs.helpers';
import { runCommand } from './support/run-command';
import { renderMarkdown, toJson } from '../src/report';
import { configModel } from '../src/frontier/models';

const ZOO = ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3', 'mobilenet-v2', 'resnet-18'];
const DATE = new Date('2026-03-01T00:00:00.000Z');
const b0 = loadFixture('efficientnet-b0');

/** A store recorded before LACS entries existed: no `lacs` anywhere. */
async function oldStore(measurer: Measurer = new FakeMeasurer(macsLatency)): Promise<FrontierStore> {
  const { store } = await runRecord(emptyStore(), ZOO.map((n) => ({ model: configModel(loadFixture(n)) })), { budgetSeconds: 1 }, { measurer, now: () => DATE, commit: 'old' });
  return store;
}

/**
 * The PR's version of the base: another network with the same name, still of the family of the stored
 * B1..B3 (same blocks), so the predictor fitted on them applies. (An edit of the blocks makes a new
 * family with no trained members: LACS then has no accuracy and chooses nothing, tested below.)
 */
function editedBase() {
  return { ...b0, resolution: 256 };
}

/** An edit of the blocks: a family of its own. */
function reblockedBase() {
  const config = JSON.parse(JSON.stringify(b0)) as typeof b0;
  config.stages[1].kernel = 5;
  return config;
}

describe('store: optional LACS entries', () => {
  test('a store without LACS entries loads, and record of a family: base config stores one that round-trips', async () => {
    const before = await oldStore();
    const text = serializeStore(before);
    expect(text).not.toContain('"lacs"');
    const loaded = parseStore(text, 'old.json');
    expect(loaded.records.every((r) => r.lacs === undefined)).toBe(true);

    const measurer = new FakeMeasurer(macsLatency);
    const { store, report, updates } = await recordLacs(loaded, [{ model: configModel(b0) }], { budgetSeconds: 1, lacs: {} }, { measurer, now: () => DATE, commit: 'abc123' });
    const entry = store.records.find((r) => r.name === b0.name)!.lacs![TARGET.key];
    expect(updates[0].lacs).toEqual({ target: TARGET.key, entry });
    // The stored coefficients are what a direct LACS run with the gate's budget chooses.
    const direct = await runLacs(b0, GATE_LACS_OPTIONS, {
      measurer: new FakeMeasurer(macsLatency),
      records: inputsFromConfigs([b0, ...configsFromStore({ ...loaded, records: loaded.records.filter((r) => r.name !== b0.name) })]).records,
    });
    expect(entry.chosen).toEqual({ alpha: direct.chosen!.alpha, beta: direct.chosen!.beta, gamma: direct.chosen!.gamma, objective: +direct.chosen!.objective.toFixed(6) });
    expect(entry.efficientnet).toMatchObject({ alpha: 1.2, beta: 1.1, gamma: 1.15 });
    expect(entry).toMatchObject({ date: DATE.toISOString(), commit: 'abc123', base_config_hash: configHash(b0), w: -0.07, grid: { step: 0.05, tolerance: 0.1, flops_budget: 2 } });
    expect(entry.measured_candidates).toBe(direct.measured_candidates);
    // Only the base gets an entry; the report says they were stored and that none were stored before.
    expect(store.records.filter((r) => r.lacs).map((r) => r.name)).toEqual([b0.name]);
    expect(report.rows[0].lacs).toMatchObject({ status: 'computed', previous: null });
    expect(renderMarkdown(report)).toContain('none stored for the previous base on this target');
    expect(renderMarkdown(report)).toContain('Stored with efficientnet-b0 for this target');
    // The store has trained B0..B3, not these coefficients: the choice rests on a prediction, said in the section's first line.
    expect(report.rows[0].lacs).toMatchObject({ chosen_basis: 'predicted' });
    expect(renderMarkdown(report)).toMatch(/^\*\*LACS\*\* for efficientnet-b0 .*Chosen on a predicted accuracy, not a trained result\.$/m);
    expect((toJson(report) as Record<string, unknown>)).toHaveProperty(['rows', 0, 'lacs', 'chosen', 'alpha'], entry.chosen.alpha);

    const again = parseStore(serializeStore(store), 'new.json');
    expect(again.records.find((r) => r.name === b0.name)!.lacs).toEqual({ [TARGET.key]: entry });
    expect(serializeStore(again)).toBe(serializeStore(store));
  });

  test('an entry missing a field or with a bad date is rejected naming the field', async () => {
    const { store } = await recordLacs(await oldStore(), [{ model: configModel(b0) }], { budgetSeconds: 1, lacs: {} }, { measurer: new FakeMeasurer(macsLatency), now: () => DATE });
    const doc = JSON.parse(serializeStore(store));
    const i = doc.records.findIndex((r: { name: string }) => r.name === b0.name);
    delete doc.records[i].lacs[TARGET.key].chosen;
    expect(() => parseStore(JSON.stringify(doc), 's.json')).toThrow(/records\[\d+\] \(efficientnet-b0\)\.lacs\.fake-cpu: missing field 'chosen'/);
    const bad = JSON.parse(serializeStore(store));
    bad.records[i].lacs[TARGET.key].date = '2026-13-45T99:99:99Z';
    expect(() => parseStore(JSON.stringify(bad), 's.json')).toThrow(/lacs\.fake-cpu: bad date/);
  });

  test('merging two stores keeps both sides\' entries, the newer one per target', () => {
    const entry = (date: string, alpha: number): StoredLacs => ({
      date, commit: null, base_config_hash: configHash(b0), chosen: { alpha, beta: 1.1, gamma: 1.1, objective: 77 }, efficientnet: { alpha: 1.2, beta: 1.1, gamma: 1.15, objective: 77 },
      w: -0.07, target_latency_ms: 3, grid: { step: 0.05, tolerance: 0.1, flops_budget: 2 }, accuracy_source: 'test', measured_candidates: 10,
    });
    const rec = { name: b0.name, provenance: 'config' as const, accuracy: null, config_hash: configHash(b0), config: b0, targets: {} };
    const base: FrontierStore = { version: 2, records: [rec] };
    const ours: FrontierStore = { version: 2, records: [{ ...rec, lacs: { cpu: entry('2026-01-02T00:00:00Z', 1.3), gpu: entry('2026-01-01T00:00:00Z', 1.4) } }] };
    const theirs: FrontierStore = { version: 2, records: [{ ...rec, lacs: { cpu: entry('2026-01-01T00:00:00Z', 1.5), tpu: entry('2026-01-01T00:00:00Z', 1.6) } }] };
    const merged = mergeStores(base, ours, theirs).records[0].lacs!;
    expect(Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, v.chosen.alpha]))).toEqual({ cpu: 1.3, gpu: 1.4, tpu: 1.6 });
  });
});

describe('check: LACS for a family: base candidate', () => {
  async function storeWithLacs(): Promise<FrontierStore> {
    const { store } = await recordLacs(await oldStore(), [{ model: configModel(b0) }], { budgetSeconds: 1, lacs: {} }, { measurer: new FakeMeasurer(macsLatency), now: () => DATE, commit: 'prev0001' });
    return store;
  }

  test('the report shows the recomputed coefficients and their move from the stored ones; the verdict is the same without LACS', async () => {
    const store = await storeWithLacs();
    const stored = store.records.find((r) => r.name === b0.name)!.lacs![TARGET.key];
    // Another runner behaviour (resolution is expensive) moves the optimum.
    const candidate = { model: configModel(editedBase()) };
    const withLacs = await checkLacs(store, [candidate], { budgetSeconds: 1, lacs: {} }, { measurer: new FakeMeasurer(resolutionPunishingLatency) });
    const without = await checkLacs(store, [candidate], { budgetSeconds: 1, lacs: false }, { measurer: new FakeMeasurer(resolutionPunishingLatency) });
    const c = withLacs.candidates[0];
    const lacs = c.lacs!;
    expect(lacs.status).toBe('computed');
    expect(lacs.previous).toMatchObject({ chosen: stored.chosen, date: stored.date, commit: 'prev0001', target_key: TARGET.key });
    expect(lacs.changed).toBe(true);
    for (const m of lacs.moves) {
      expect(m.from).toBe(stored.chosen[m.name]);
      expect(m.to).toBe(lacs.chosen![m.name]);
      expect(m.delta).toBeCloseTo(lacs.chosen![m.name] - stored.chosen[m.name], 9);
    }
    const moved = lacs.moves.filter((m) => m.delta !== 0);
    expect(moved.length).toBeGreaterThan(0);
    expect(c.lacs).not.toHaveProperty('entry');
    // Markdown: the move, the new coefficients beside EfficientNet's and the stored ones.
    const fmt = (x: { alpha: number; beta: number; gamma: number }) => `(${x.alpha}, ${x.beta}, ${x.gamma})`;
    expect(renderMarkdown(withLacs)).toContain(`coefficients moved from ${fmt(stored.chosen)} to **${fmt(lacs.chosen!)}**`);
    expect(renderMarkdown(withLacs)).toContain(`${moved[0].name} ${moved[0].from} → ${moved[0].to}`);
    expect(renderMarkdown(withLacs)).toMatch(/\| stored with the previous base \(2026-03-01 @ prev0001\) \|/);
    expect(renderMarkdown(withLacs)).toContain('| EfficientNet | 1.2 | 1.1 | 1.15 |');
    expect((toJson(withLacs) as Record<string, unknown>)).toHaveProperty(['candidates', 0, 'lacs', 'previous', 'chosen'], stored.chosen);
    expect((toJson(withLacs) as Record<string, unknown>)).toHaveProperty(['settings', 'lacs'], true);
    // LACS never changes the verdict.
    expect(withLacs.verdict).toBe(without.verdict);
    expect(c.verdict).toBe(without.candidates[0].verdict);
    expect(without.candidates[0].lacs).toBeUndefined();
    expect(renderMarkdown(without)).not.toContain('LACS');
  });

  test('the same runner behaviour reads as unchanged', async () => {
    const store = await storeWithLacs();
    const r = await checkLacs(store, [{ model: configModel(editedBase()) }], { budgetSeconds: 1, lacs: {} }, { measurer: new FakeMeasurer(macsLatency) });
    expect(r.candidates[0].lacs).toMatchObject({ status: 'computed', changed: false });
    expect(renderMarkdown(r)).toMatch(/coefficients unchanged at \*\*\(/);
  });

  test('a store without LACS entries says none are stored; entries of other targets are named, not compared', async () => {
    const r = await checkLacs(await oldStore(), [{ model: configModel(editedBase()) }], { budgetSeconds: 1, lacs: {} }, { measurer: new FakeMeasurer(macsLatency) });
    expect(r.candidates[0].lacs).toMatchObject({ status: 'computed', previous: null, moves: [], other_targets: [] });
    expect(renderMarkdown(r)).toContain('none stored for the previous base on this target, so there is no move to show.');

    const store = await storeWithLacs();
    const rec = store.records.find((x) => x.name === b0.name)!;
    rec.lacs = { 'gpu-elsewhere': rec.lacs![TARGET.key] };
    const other = await checkLacs(store, [{ model: configModel(editedBase()) }], { budgetSeconds: 1, lacs: {} }, { measurer: new FakeMeasurer(macsLatency) });
    expect(other.candidates[0].lacs).toMatchObject({ previous: null, other_targets: ['gpu-elsewhere'] });
    expect(renderMarkdown(other)).toContain('stored for other targets only: `gpu-elsewhere`');
  });

  test('a base whose family has too few trained records: "no choice", nothing measured or stored, the verdict stands', async () => {
    const store = await oldStore();
    const measurer = new FakeMeasurer(macsLatency);
    const r = await checkLacs(store, [{ model: configModel(reblockedBase()) }], { budgetSeconds: 1, lacs: {} }, { measurer });
    const plain = await runCheck(store, [{ model: configModel(reblockedBase()) }], { budgetSeconds: 1 }, { measurer: new FakeMeasurer(macsLatency) });
    expect(r.candidates[0].lacs).toMatchObject({ status: 'no-choice', measured_candidates: 0 });
    expect(r.candidates[0].lacs!.error).toMatch(/1 trained record\(s\) of efficientnet-b0's family/);
    expect(renderMarkdown(r)).toMatch(/no choice, accuracy is unknown: .*Nothing is stored\. The verdict does not depend on it\./);
    expect(measurer.calls).toHaveLength(1);
    expect(r.verdict).toBe(plain.verdict);
    expect(r.exitCode).toBe(plain.exitCode);
  });

  test('candidates without family: base get no LACS', async () => {
    const mv2 = loadFixture('mobilenet-v2');
    const measurer = new FakeMeasurer(macsLatency);
    const r = await checkLacs(await oldStore(), [{ model: configModel({ ...mv2, name: 'mv2-copy' }) }], { budgetSeconds: 1, lacs: {} }, { measurer });
    expect(r.candidates[0].lacs).toBeUndefined();
    expect(measurer.calls).toHaveLength(1);
  });
});

describe('CLI: --lacs / --no-lacs', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = runCommand;

  test('record stores coefficients by default (not with --no-lacs); check reports their move (not with --no-lacs)', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacs-gate-cli-'));
    const store = path.join(dir, 'frontier.json');
    const measurer = new FakeMeasurer(macsLatency);
    const deps = { measurer: () => measurer, now: () => DATE, commit: () => 'c0ffee1' };
    const archs = ZOO.filter((n) => n !== 'efficientnet-b0').map((n) => path.join(FIXTURES, `${n}.yaml`));
    expect((await run('record', [...archs, '--frontier', store, '--budget', '1'], deps)).code).toBe(0);

    const b0File = path.join(FIXTURES, 'efficientnet-b0.yaml');
    const off = await run('record', [b0File, '--frontier', store, '--budget', '1', '--no-lacs'], deps);
    expect(off.code).toBe(0);
    expect(readStoreFile(store).records.find((r) => r.name === b0.name)!.lacs).toBeUndefined();
    expect(off.out).not.toContain('LACS');

    const on = await run('record', [b0File, '--frontier', store, '--budget', '1'], deps);
    expect(on.code).toBe(0);
    const entry = readStoreFile(store).records.find((r) => r.name === b0.name)!.lacs![TARGET.key];
    expect(entry).toMatchObject({ commit: 'c0ffee1', efficientnet: { alpha: 1.2 } });
    expect(on.out).toContain('LACS for efficientnet-b0');
    expect(on.err).toMatch(/efficientnet-b0 is a family base \(family: base\): LACS coefficients are recomputed/);

    const edited = path.join(dir, 'b0.yaml');
    fs.writeFileSync(edited, fs.readFileSync(b0File, 'utf8').replace(/^dropout: .*$/m, 'dropout: 0.25'));
    const check = await run('check', [edited, '--frontier', store, '--budget', '1', '--json'], deps);
    expect(check.code).toBe(0);
    const json = JSON.parse(check.out);
    expect(json.candidates[0].lacs).toMatchObject({ status: 'computed', changed: false, previous: { chosen: entry.chosen, commit: 'c0ffee1' } });
    const quiet = await run('check', [edited, '--frontier', store, '--budget', '1', '--no-lacs'], deps);
    expect(quiet.out).not.toContain('LACS');
    const both = await run('check', [edited, '--frontier', store, '--lacs', '--no-lacs'], deps);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--lacs and --no-lacs: give one of them, not both');
  });
});
