/**
 * Sharded sweeps on the synthetic device: n shards on machines of one target type that differ in speed,
 * joined through the anchor, give the unsharded result within noise.
 */
import { countConfig } from '../src/arch/counts';
import { UserError } from '../src/errors';
import { runSweep } from '../src/frontier/sweep';
import { chooseAnchors, mergeSweepShards, parseShard, runSweepShard, shardRecords, storeRecordsHash, type SweepShardResult } from '../src/frontier/shard';
import type { FrontierStore } from '../src/frontier/store';
import { createMeasurer, type HostProbe } from '../src/measure';
import { referenceStore } from './action.harness';
import { FakeClock, syntheticDevice, type DeviceModel } from './measure.synthetic';

const ALL = ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3', 'efficientnet-x-b0', 'genet-large', 'genet-light', 'genet-normal', 'mobilenet-v2', 'resnet-18', 'resnet-50'];

let store: FrontierStore;
/** True steady latency per model on the reference machine: proportional to MACs, 2.5 to 40 ms. */
const truth: Record<string, number> = {};

beforeAll(async () => {
  store = await referenceStore(ALL);
  for (const r of store.records) truth[r.name] = countConfig(r.config!).macs / 1e8;
});

function host(cpu: string): HostProbe {
  return {
    cpuModel: () => cpu, cores: () => 4, totalMemoryBytes: () => 16 * 1024 ** 3, os: () => 'linux-x64 Test OS',
    nodeVersion: () => '20.1.0', onnxruntimeVersion: () => '1.30.0', gpu: () => undefined,
  };
}

/** A runner of the target type: every model `speed` times the reference latency, 2% noise per run. */
function machine(speed: number, seed: number, cpu = 'Synthetic CPU') {
  const clock = new FakeClock();
  const models: Record<string, DeviceModel> = {};
  for (const [name, ms] of Object.entries(truth)) models[name] = { latency: ms * speed, noise: 0.02, sessionMs: 10 };
  const device = syntheticDevice(clock, models, { seed });
  return createMeasurer({ sessions: device.factory, clock, host: host(cpu), buildConfig: () => new Uint8Array() });
}

const OPTS = { budgetSeconds: 60, measure: { seed: 3 } };
const now = () => new Date('2026-11-20T03:00:00Z');

test('--shard parsing', () => {
  expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
  for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/--shard: expected i\/n/);
});

test('shards partition the records; every shard also measures the anchor', () => {
  const anchors = chooseAnchors(store);
  expect(anchors).toHaveLength(1);
  const n = 4;
  const parts = Array.from({ length: n }, (_, i) => shardRecords(store, { index: i + 1, count: n }, anchors).map((r) => r.name));
  const flat = parts.flat();
  expect(new Set(flat).size).toBe(flat.length);
  expect([...flat, ...anchors].sort()).toEqual([...ALL].sort());
  expect(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length))).toBeLessThanOrEqual(1);
  expect(() => chooseAnchors(store, ['nope'])).toThrow(/--anchor: "nope" is not a record/);
});

test('3 shards on machines 1x, 1.3x and 0.75x as fast merge to the unsharded result within noise', async () => {
  const unsharded = await runSweep(store, { ...OPTS, latencyTolerance: 0.03 }, { measurer: machine(1, 11), now });
  const speeds = [1, 1.3, 0.75];
  const shards: SweepShardResult[] = [];
  for (const [i, speed] of speeds.entries()) {
    // Other runners of the same target type (the same key) that run slower or faster: a busier host.
    const m = machine(speed, 20 + i);
    shards.push(await runSweepShard(store, { index: i + 1, count: 3 }, OPTS, { measurer: m, now }));
  }
  // Raw medians of shard 2 are 30% off: comparing them directly would be wrong.
  const s2 = shards[1].models[0];
  expect(s2.median_ms / truth[s2.name]).toBeGreaterThan(1.25);

  const merged = mergeSweepShards(store, [shards[2], shards[0], shards[1]], { latencyTolerance: 0.03 });
  expect(merged.shards).toEqual([1, 2, 3]);
  expect(merged.machines).toBe(1);
  expect(merged.missing).toEqual([]);
  expect(merged.target.key).toBe(unsharded.report.target.key);
  expect(merged.rows).toHaveLength(ALL.length);
  expect(merged.updates).toHaveLength(ALL.length);
  for (const row of merged.rows) {
    const plain = unsharded.report.rows.find((r) => r.name === row.name)!;
    expect(Math.abs(row.latency_ms / plain.latency_ms - 1)).toBeLessThan(0.02);
    expect(Math.abs(row.latency_ms / truth[row.name] - 1)).toBeLessThan(0.02);
    expect(row.ci95_ms[0]).toBeLessThanOrEqual(row.latency_ms);
    expect(row.ci95_ms[1]).toBeGreaterThanOrEqual(row.latency_ms);
  }
  // The merged updates store under the reference machine's target like the unsharded sweep.
  expect(new Set(merged.updates.map((u) => u.target))).toEqual(new Set([unsharded.report.target.key]));
});

test('shards of another target (another CPU) are refused, not filed under this one', async () => {
  const a = await runSweepShard(store, { index: 1, count: 2 }, OPTS, { measurer: machine(1, 50), now });
  const b = await runSweepShard(store, { index: 2, count: 2 }, OPTS, { measurer: machine(1, 51, 'Another CPU'), now });
  expect(a.target.key).not.toBe(b.target.key);
  expect(() => mergeSweepShards(store, [a, b], { latencyTolerance: 0.03 })).toThrow(/merge: shard result 2 differs from shard result 1 in target .*only shards of one sweep of one target can be merged/);
});

test('a shard file labelled 3 of 2, or with a field of the wrong kind, is refused before anything is merged', async () => {
  const a = await runSweepShard(store, { index: 1, count: 2 }, OPTS, { measurer: machine(1, 52), now });
  const forged = JSON.parse(JSON.stringify(a));
  forged.shard = { index: 3, count: 2 };
  expect(() => mergeSweepShards(store, [forged], { latencyTolerance: 0.03, names: ['s3.json'] })).toThrow(/merge: s3\.json: shard\.index 3 is beyond shard\.count 2/);
  const bad = JSON.parse(JSON.stringify(a));
  bad.models[0].median_ms = 'fast';
  expect(() => mergeSweepShards(store, [bad], { latencyTolerance: 0.03, names: ['bad.json'] })).toThrow(/merge: bad\.json: not a sweep shard result .*models\.0\.median_ms: must be number/);
});

test('a second anchor is cross-checked across shards', async () => {
  const anchors = ['mobilenet-v2', 'resnet-18'];
  const shards = [];
  for (const [i, speed] of [1, 1.4].entries()) {
    shards.push(await runSweepShard(store, { index: i + 1, count: 2 }, { ...OPTS, anchors }, { measurer: machine(speed, 40 + i), now }));
  }
  const merged = mergeSweepShards(store, shards, { latencyTolerance: 0.03 });
  expect(merged.anchors).toEqual(anchors);
  expect(merged.anchor_checks).toHaveLength(1);
  expect(merged.anchor_checks[0].spread).toBeLessThan(0.03);
  const r18 = merged.rows.find((r) => r.name === 'resnet-18')!;
  expect(Math.abs(r18.latency_ms / truth['resnet-18'] - 1)).toBeLessThan(0.02);
});

test('merge refuses shards of another sweep or a shard twice; a missing shard leaves the rest and names what is missing', async () => {
  const a = await runSweepShard(store, { index: 1, count: 2 }, OPTS, { measurer: machine(1, 50), now });
  const b = await runSweepShard(store, { index: 2, count: 2 }, OPTS, { measurer: machine(1, 51), now });
  expect(() => mergeSweepShards(store, [a, a], { latencyTolerance: 0.03 })).toThrow(/shard 1\/2 is given twice/);
  expect(() => mergeSweepShards(store, [a, { ...b, store_hash: 'sha256:other' }], { latencyTolerance: 0.03 })).toThrow(UserError);
  expect(() => mergeSweepShards(store, [a, { ...b, anchors: ['resnet-50'] }], { latencyTolerance: 0.03 })).toThrow(/anchor_models do not measure the anchors/);
  expect(() => mergeSweepShards(store, [a, { ...b, anchors: ['resnet-50'], anchor_models: [{ ...b.anchor_models[0], name: 'resnet-50' }] }], { latencyTolerance: 0.03 })).toThrow(/differs .* in anchors/);
  const partial = mergeSweepShards(store, [a], { latencyTolerance: 0.03 });
  expect(partial.missing.sort()).toEqual(b.models.map((m) => m.name).sort());
  expect(partial.rows).toHaveLength(ALL.length - b.models.length);
  expect(a.store_hash).toBe(storeRecordsHash(store));
});

describe('CLI: sweep --shard i/n --out, then merge joins the shards into the store', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-sweep-shard-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('two shards on runners of different speed; merge writes the store, --dry-run does not; flags are checked', async () => {
    const { runCommand } = await import('./support/run-command');
    const { parseStore, serializeStore } = await import('../src/frontier/store');
    const file = path.join(dir, 'store.json');
    fs.writeFileSync(file, serializeStore(store));
    const shardFiles = [1, 2].map((i) => path.join(dir, `s${i}.json`));
    for (const [i, out] of shardFiles.entries()) {
      const r = await runCommand('sweep', ['--frontier', file, '--shard', `${i + 1}/2`, '--out', out, '--budget', '60', '--seed', '3', '--quiet'], { measurer: () => machine(i ? 1.3 : 1, 60 + i), now });
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      // Plain text: no Markdown syntax on the terminal.
      expect(r.out).toMatch(new RegExp(`^Sweep shard ${i + 1}/2: \\d+ model\\(s\\) measured side by side with the anchor \\S+ on `));
      expect(r.out).not.toContain('**');
      expect(JSON.parse(fs.readFileSync(out, 'utf8')).kind).toBe('frontier-gate/sweep-shard');
    }
    // The shards never touch the store.
    expect(fs.readFileSync(file, 'utf8')).toBe(serializeStore(store));

    const dry = await runCommand('merge', [...shardFiles, '--frontier', file, '--dry-run', '--json', '--quiet']);
    expect(dry.code).toBe(0);
    const json = JSON.parse(dry.out) as { command: string; kind: string; target: { key: string }; shards: number[]; missing: string[]; rows: { name: string; latency_ms: number }[]; dry_run: boolean };
    expect(json).toMatchObject({ command: 'merge', kind: 'sweep', shards: [1, 2], missing: [], dry_run: true });
    expect(json.rows).toHaveLength(ALL.length);
    for (const row of json.rows) expect(Math.abs(row.latency_ms / truth[row.name] - 1)).toBeLessThan(0.02);
    expect(fs.readFileSync(file, 'utf8')).toBe(serializeStore(store));

    const merged = await runCommand('merge', [...shardFiles, '--frontier', file, '--quiet']);
    expect(merged.code).toBe(0);
    expect(merged.out).toMatch(/Merged shards 1, 2 of 2 from \d runner fingerprint\(s\) through the anchor/);
    expect(merged.out).not.toContain('**');
    const after = parseStore(fs.readFileSync(file, 'utf8'), file);
    // Every record has the merged measurement under the reference shard's target, expressed through the anchor.
    for (const r of after.records) expect(Math.abs(r.targets[json.target.key].latest.median_ms / truth[r.name] - 1)).toBeLessThan(0.02);

    // Usage errors: one line, exit 2.
    const noOut = await runCommand('sweep', ['--frontier', file, '--shard', '1/2', '--quiet']);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toMatch(/^error: sweep --shard: give --out shard\.json/);
    const outAlone = await runCommand('sweep', ['--frontier', file, '--out', 'x.json', '--quiet']);
    expect(outAlone.code).toBe(2);
    expect(outAlone.err).toMatch(/--out goes with --shard i\/n/);
    const twoAnchors = await runCommand('sweep', ['--frontier', file, '--anchor', 'a,b', '--quiet']);
    expect(twoAnchors.code).toBe(2);
    expect(twoAnchors.err).toMatch(/--anchor takes one model without --shard/);
    const space = await runCommand('merge', [...shardFiles, '--space', 'x.yaml', '--quiet']);
    expect(space.code).toBe(2);
    expect(space.err).toMatch(/--space is for profile shards/);
  });
});

test('the merged sweep renders as Markdown (names escaped, gaps and anchor spread called out), plain text and JSON', async () => {
  const { render } = await import('../src/report');
  const a = await runSweepShard(store, { index: 1, count: 2 }, OPTS, { measurer: machine(1, 70), now });
  const merged = mergeSweepShards(store, [a], { latencyTolerance: 0.03 });
  const { updates: _updates, ...rest } = merged;
  const result = {
    command: 'merge-sweep' as const, ...rest, latency_tolerance: 0.03, dry_run: true, files: ['a.json'],
    anchors: ['res|net*'], anchor_checks: [{ name: 'x_y', ratios: [{ shard: 1, ratio: 1 }, { shard: 2, ratio: 1.2 }], spread: 0.2 }],
  };
  const md = render(result, 'markdown');
  expect(md).toContain('Dry run: the store was not updated.');
  expect(md).toContain('res\\|net\\*');
  expect(md).toMatch(/⚠️ Not measured \(a shard is missing, or the record changed since the sweep\): /);
  expect(md).toContain("⚠️ Anchor x\\_y's ratio to res\\|net\\* differs by 20.0% across shards");
  const text = render(result, 'text');
  expect(text).not.toMatch(/\*\*|\\\|/);
  expect(text).toContain('res|net*');
  const json = JSON.parse(render(result, 'json')) as Record<string, unknown>;
  expect(json).toMatchObject({ command: 'merge', kind: 'sweep', dry_run: true });
  expect(json).not.toHaveProperty('updates');
  expect(json).not.toHaveProperty('files');
});
