/**
 * Sharded sweeps on the synthetic device: n shards on machines of one target type that differ in speed,
 * joined through the anchor, give the unsharded result within noise.
 */
import { countConfig } from '../src/arch/counts';
import { UserError } from '../src/errors';
import { runSweep } from '../src/frontier/gate';
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
  for (const r of store.records) truth[r.name] = countConfig(r.config).macs / 1e8;
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
    // The second and third runners are other machines: another fingerprint, another target key.
    const m = machine(speed, 20 + i, i === 0 ? 'Synthetic CPU' : `Synthetic CPU rev ${i}`);
    shards.push(await runSweepShard(store, { index: i + 1, count: 3 }, OPTS, { measurer: m, now }));
  }
  // Raw medians of shard 2 are 30% off: comparing them directly would be wrong.
  const s2 = shards[1].models[0];
  expect(s2.median_ms / truth[s2.name]).toBeGreaterThan(1.25);

  const merged = mergeSweepShards(store, [shards[2], shards[0], shards[1]], { latencyTolerance: 0.03 });
  expect(merged.shards).toEqual([1, 2, 3]);
  expect(merged.machines).toBe(3);
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
  expect(() => mergeSweepShards(store, [a, { ...b, anchors: ['resnet-50'] }], { latencyTolerance: 0.03 })).toThrow(/differs .* in anchors/);
  const partial = mergeSweepShards(store, [a], { latencyTolerance: 0.03 });
  expect(partial.missing.sort()).toEqual(b.models.map((m) => m.name).sort());
  expect(partial.rows).toHaveLength(ALL.length - b.models.length);
  expect(a.store_hash).toBe(storeRecordsHash(store));
});
