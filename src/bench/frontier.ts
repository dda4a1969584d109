/**
 * Issue 4's figures:
 *  - time to verdict for `check` of a B0-class candidate against the zoo store at default settings
 *    (three neighbours, 20 s budget, 1% precision target), from loading the config to the verdict;
 *  - store load (parse + schema + hash checks) and frontier computation for 10,000 synthetic records.
 *  - issue 15: a store of 10,000 records x 8 targets (load, validate, merge of 8 sweep shards, the 8
 *    targets' concurrent commits merged, Pareto per target, selection), and the planned wall time of a
 *    300-model sweep on 1, 4 and 16 runners from per-model times measured here.
 * BENCH_FRONTIER_RECORDS overrides the record count; BENCH_FRONTIER_SKIP_CHECK=1 skips the measured parts.
 */
import * as path from 'node:path';
import { countConfig } from '../arch/counts';
import { loadArchConfig } from '../arch/parse';
import type { ArchConfig } from '../arch/types';
import { DEFAULT_CHECK_OPTIONS, runCheck } from '../frontier/check';
import { selectionEstimate, selectModels } from '../frontier/select';
import { applyRecordUpdates, type RecordUpdate } from '../frontier/updates';
import { paretoFrontier } from '../frontier/pareto';
import { mergeSweepShards, SWEEP_SHARD_KIND, storeRecordsHash, type SweepShardResult } from '../frontier/shard';
import { configHash, emptyStore, mergeStores, modelKey, parseStore, readStoreFile, serializeStore, storedConfig, type FrontierStore } from '../frontier/store';
import { configModel } from '../frontier/models';
import type { Fingerprint } from '../measure/types';

const ROOT = path.join(__dirname, '..', '..');
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function timeToVerdict(): Promise<void> {
  const { createMeasurer } = await import('../measure');
  const t0 = process.hrtime.bigint();
  // A B0-class candidate: EfficientNet-B0's layout with a 5x5 first-stage kernel, claimed top-1 77.5.
  const base = loadArchConfig(path.join(ROOT, 'fixtures/archs/efficientnet-b0.yaml'));
  const candidate: ArchConfig = { ...base, name: 'b0-class-candidate', stages: base.stages.map((s, i) => (i === 0 ? { ...s, kernel: 5 } : s)), accuracy: { top1: 77.5 } };
  const store = readStoreFile(path.join(ROOT, 'fixtures/frontier/frontier.json'));
  const report = await runCheck(store, [{ model: configModel(candidate) }], {}, { measurer: createMeasurer() });
  const wall = ms(t0);
  const c = report.candidates[0];
  console.log(`check of a B0-class candidate (${(c.macs / 1e9).toFixed(3)} GMACs) with ${c.models.length - 1} neighbours, default settings, on ${report.target.label}:`);
  console.log(`  verdict ${report.verdict} in ${(wall / 1000).toFixed(1)} s wall (target <= 30 s): measurement ${c.wall_s.toFixed(1)} s, ${c.rounds} rounds${c.budget_exhausted ? ', budget spent before the 1% precision target' : ''}`);
  for (const m of c.models) {
    const ratio = m.ratio === undefined ? '' : `  ratio ${m.ratio.toFixed(3)} [${m.ratio_ci95![0].toFixed(3)}, ${m.ratio_ci95![1].toFixed(3)}]`;
    console.log(`    ${m.name.padEnd(20)} ${m.latency_ms.toFixed(2).padStart(8)} ms${ratio}`);
  }
}

const FINGERPRINT: Fingerprint = {
  cpu: 'Synthetic CPU', cores: 2, memory_gb: 8, os: 'linux-x64', node: 'v20', onnxruntime: '1.30.0', provider: 'cpu', threads: 2, batch: 1, precision: 'fp32',
};

/** n records: zoo layouts with varied resolution/width, random accuracy and latency, 3 history entries. */
function syntheticStoreText(n: number): string {
  const zoo = ['mobilenet-v2', 'efficientnet-b0', 'resnet-18', 'genet-light'].map((m) => loadArchConfig(path.join(ROOT, 'fixtures/archs', `${m}.yaml`)));
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const updates: RecordUpdate[] = [];
  for (let i = 0; i < n; i++) {
    const config = storedConfig({ ...zoo[i % zoo.length], name: `model-${i}`, resolution: 128 + 8 * (i % 24), width: 0.5 + (i % 7) * 0.25 });
    const hash = configHash(config);
    const accuracy = { top1: +(60 + 25 * rand()).toFixed(3), dataset: 'imagenet-1k', source: 'synthetic' };
    for (let h = 0; h < 3; h++) {
      const median = +(2 + 100 * rand()).toFixed(4);
      updates.push({
        name: config.name, model: { provenance: 'config', config, config_hash: hash }, accuracy, target: 'cpu-synthetic', label: 'synthetic',
        measurement: {
          date: new Date(Date.UTC(2026, 0, 1 + h)).toISOString(), commit: null, median_ms: median, ci95_ms: [median * 0.99, median * 1.01],
          samples: 50, batch: 1, precision: 'fp32', provider: 'cpu', fingerprint: FINGERPRINT,
        },
      });
    }
  }
  return serializeStore(applyRecordUpdates(emptyStore(), updates));
}

function storeAtScale(): void {
  const n = Number(process.env.BENCH_FRONTIER_RECORDS ?? 10_000);
  const text = syntheticStoreText(n);
  const runs = 3;
  const load: number[] = [];
  const frontier: number[] = [];
  const select: number[] = [];
  let size = 0;
  for (let r = 0; r < runs; r++) {
    let t0 = process.hrtime.bigint();
    const store = parseStore(text, 'synthetic.json');
    load.push(ms(t0));
    t0 = process.hrtime.bigint();
    const points = store.records.map((rec) => ({ name: rec.name, accuracy: rec.accuracy!.top1, latency: rec.targets['cpu-synthetic'].latest.median_ms }));
    size = paretoFrontier(points).length;
    frontier.push(ms(t0));
    // What check does before measuring: proxy latencies (MACs for unmeasured records) and the model choice.
    t0 = process.hrtime.bigint();
    const macs = new Map<string, number>();
    const estimate = selectionEstimate(store.records, (rec) => {
      let m = macs.get(rec.config_hash!);
      if (m === undefined) macs.set(rec.config_hash!, (m = countConfig(rec.config!).macs));
      return m;
    });
    selectModels(store.records, { name: 'cand', accuracy: 77, macs: 4e8 }, { neighbors: DEFAULT_CHECK_OPTIONS.neighbors, accuracyTolerance: DEFAULT_CHECK_OPTIONS.accuracyTolerance }, estimate);
    select.push(ms(t0));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`store of ${n.toLocaleString('en-US')} records (${(text.length / 1024 ** 2).toFixed(1)} MiB, 3 measurements each), median of ${runs}:`);
  console.log(`  load (JSON parse + schema validation + config hash checks): ${med(load).toFixed(0)} ms`);
  console.log(`  Pareto frontier: ${med(frontier).toFixed(1)} ms (${size} models on it)`);
  console.log(`  check's model selection (proxy latencies + frontier + neighbours): ${med(select).toFixed(0)} ms`);
}

const TARGETS = 8;
const targetKey = (t: number) => `cpu-synthetic-${t}`;

/** n records measured on 8 targets (one latest + one older history entry each). */
function multiTargetStore(n: number): FrontierStore {
  const zoo = ['mobilenet-v2', 'efficientnet-b0', 'resnet-18', 'genet-light'].map((m) => loadArchConfig(path.join(ROOT, 'fixtures/archs', `${m}.yaml`)));
  let seed = 777;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const updates: RecordUpdate[] = [];
  for (let i = 0; i < n; i++) {
    const config = storedConfig({ ...zoo[i % zoo.length], name: `model-${String(i).padStart(5, '0')}`, resolution: 128 + 8 * (i % 24), width: 0.5 + (i % 7) * 0.25 });
    const hash = configHash(config);
    const accuracy = { top1: +(60 + 25 * rand()).toFixed(3), dataset: 'imagenet-1k', source: 'synthetic' };
    const base = 2 + 100 * rand();
    for (let t = 0; t < TARGETS; t++) {
      for (let h = 0; h < 2; h++) {
        const median = +(base * (1 + t * 0.3) * (1 + 0.02 * rand())).toFixed(4);
        updates.push({
          name: config.name, model: { provenance: 'config', config, config_hash: hash }, accuracy, target: targetKey(t), label: `synthetic ${t}`,
          measurement: {
            date: new Date(Date.UTC(2026, 0, 1 + h)).toISOString(), commit: null, median_ms: median, ci95_ms: [median * 0.99, median * 1.01],
            samples: 50, batch: 1, precision: 'fp32', provider: 'cpu', fingerprint: { ...FINGERPRINT, cpu: `Synthetic CPU ${t}` },
          },
        });
      }
    }
  }
  return applyRecordUpdates(emptyStore(), updates);
}

/** The 8 shard results of one target's sweep of `store`, as `sweep --shard i/8` would write them. */
function shardResults(store: FrontierStore, t: number): SweepShardResult[] {
  const anchor = store.records[Math.floor(store.records.length / 2)];
  const hash = storeRecordsHash(store);
  const others = store.records.filter((r) => r !== anchor).sort((a, b) => (a.name < b.name ? -1 : 1));
  const model = (r: (typeof others)[number], ratio: number) => ({
    name: r.name, config_hash: modelKey(r), median_ms: ratio * 10, ci95_ms: [ratio * 9.9, ratio * 10.1] as [number, number], samples: 40,
    ratio, ratio_ci95: [ratio * 0.99, ratio * 1.01] as [number, number],
  });
  return Array.from({ length: 8 }, (_, i) => ({
    kind: SWEEP_SHARD_KIND, version: 1 as const, shard: { index: i + 1, count: 8 }, store_hash: hash, anchors: [anchor.name],
    target: { key: targetKey(t), label: `synthetic ${t}`, fingerprint: { ...FINGERPRINT, cpu: `Synthetic CPU ${t}` } },
    date: new Date(Date.UTC(2026, 1, 1)).toISOString(), commit: null, budget_exhausted: false,
    anchor_models: [model(anchor, 1)],
    models: others.filter((_, k) => k % 8 === i).map((r) => model(r, r.targets[targetKey(t)].latest.median_ms / anchor.targets[targetKey(t)].latest.median_ms)),
  }));
}

function storeAtScaleTargets(): { mergeMs: number } {
  const n = Number(process.env.BENCH_FRONTIER_RECORDS ?? 10_000);
  let t0 = process.hrtime.bigint();
  const built = multiTargetStore(n);
  const text = serializeStore(built);
  const buildMs = ms(t0);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const runs = 3;
  const load: number[] = [];
  const merge: number[] = [];
  const commits: number[] = [];
  const pareto: number[] = [];
  const select: number[] = [];
  let frontierSizes: number[] = [];
  for (let r = 0; r < runs; r++) {
    t0 = process.hrtime.bigint();
    const store = parseStore(text, 'synthetic-8-targets.json');
    load.push(ms(t0));
    // One target's merge job: 8 shard results joined through the anchor, applied to the store.
    const shards = shardResults(store, 0);
    t0 = process.hrtime.bigint();
    const merged = mergeSweepShards(store, shards, { latencyTolerance: DEFAULT_CHECK_OPTIONS.latencyTolerance });
    applyRecordUpdates(store, merged.updates);
    merge.push(ms(t0));
    if (merged.missing.length) throw new Error(`bench: ${merged.missing.length} records missing from the merge`);
    // The 8 targets' merge jobs committing at once: each conflict is a three-way merge with the winner's store.
    const perTarget = Array.from({ length: TARGETS }, (_, t) => applyRecordUpdates(store, mergeSweepShards(store, shardResults(store, t), { latencyTolerance: DEFAULT_CHECK_OPTIONS.latencyTolerance }).updates));
    t0 = process.hrtime.bigint();
    let head = perTarget[0];
    for (let t = 1; t < TARGETS; t++) head = mergeStores(store, perTarget[t], head);
    commits.push(ms(t0));
    t0 = process.hrtime.bigint();
    frontierSizes = [];
    for (let t = 0; t < TARGETS; t++) {
      const points = head.records.map((rec) => ({ name: rec.name, accuracy: rec.accuracy!.top1, latency: rec.targets[targetKey(t)].latest.median_ms }));
      frontierSizes.push(paretoFrontier(points).length);
    }
    pareto.push(ms(t0));
    t0 = process.hrtime.bigint();
    const macs = new Map<string, number>();
    const estimate = selectionEstimate(head.records, (rec) => {
      let m = macs.get(rec.config_hash!);
      if (m === undefined) macs.set(rec.config_hash!, (m = countConfig(rec.config!).macs));
      return m;
    });
    selectModels(head.records, { name: 'cand', accuracy: 77, macs: 4e8 }, { neighbors: DEFAULT_CHECK_OPTIONS.neighbors, accuracyTolerance: DEFAULT_CHECK_OPTIONS.accuracyTolerance }, estimate);
    select.push(ms(t0));
  }
  console.log(`store of ${n.toLocaleString('en-US')} records x ${TARGETS} targets (${(text.length / 1024 ** 2).toFixed(1)} MiB, 2 measurements per target; built in ${(buildMs / 1000).toFixed(1)} s), median of ${runs}:`);
  console.log(`  load (JSON parse + schema validation + config hash checks): ${med(load).toFixed(0)} ms`);
  console.log(`  merge of 8 sweep shards of one target (through the anchor) + apply to the store: ${med(merge).toFixed(0)} ms (target < 2 s)`);
  console.log(`  8 targets' concurrent commits, three-way merged one after another: ${med(commits).toFixed(0)} ms`);
  console.log(`  Pareto frontier per target, 8 targets: ${med(pareto).toFixed(1)} ms (${frontierSizes.join(', ')} models on them)`);
  console.log(`  check's model selection: ${med(select).toFixed(0)} ms`);
  return { mergeMs: med(merge) };
}

/**
 * Planned wall time of a 300-model sweep on 1, 4, 16 runners of one target: per-model times measured
 * here (each zoo model side by side with the anchor, default precision target, a budget per model), plus
 * what sharding adds per runner (the anchor's session and warm-up) and the merge.
 */
async function sweepPlan(mergeMs: number): Promise<void> {
  const { createMeasurer } = await import('../measure');
  const measurer = createMeasurer();
  const zoo = ['mobilenet-v2', 'resnet-18', 'genet-light', 'efficientnet-b0'].map((m) => loadArchConfig(path.join(ROOT, 'fixtures/archs', `${m}.yaml`)));
  const budget = Number(process.env.BENCH_SWEEP_BUDGET ?? 5);
  const anchor = zoo[0];
  // The anchor alone: its session, first run and warm-up are the per-runner overhead of sharding.
  let t0 = process.hrtime.bigint();
  const alone = await measurer.measure([{ kind: 'config', name: anchor.name, config: anchor }], { budgetSeconds: budget });
  const anchorMs = ms(t0);
  const perModel: { name: string; s: number }[] = [];
  for (const m of zoo.slice(1)) {
    t0 = process.hrtime.bigint();
    await measurer.measure([{ kind: 'config', name: anchor.name, config: anchor }, { kind: 'config', name: m.name, config: m }], { budgetSeconds: budget });
    // The pair's time less the anchor's own: what one more model costs a shard.
    perModel.push({ name: m.name, s: Math.max(0.05, (ms(t0) - anchorMs) / 1000) });
  }
  const mean = perModel.reduce((a, b) => a + b.s, 0) / perModel.length;
  console.log(`sweep plan on ${alone.target.label}, budget ${budget} s per measurement call:`);
  console.log(`  anchor (${anchor.name}) alone: ${(anchorMs / 1000).toFixed(1)} s; per model with the anchor interleaved: ${perModel.map((p) => `${p.name} ${p.s.toFixed(1)} s`).join(', ')} (mean ${mean.toFixed(1)} s)`);
  const models = 300;
  const plan = [1, 4, 16].map((k) => {
    const per = Math.ceil(models / k);
    // Every runner pays one measurement call's fixed cost (sessions, warm-up, the budget: the anchor
    // alone), then its models; sharded runs add the merge.
    const wall = anchorMs / 1000 + per * mean + (k > 1 ? mergeMs / 1000 : 0);
    return { k, per, wall };
  });
  for (const p of plan) {
    console.log(`  ${String(p.k).padStart(2)} runner(s): ${String(p.per).padStart(3)} models each -> ${(p.wall / 60).toFixed(1)} min wall` +
      `${p.k > 1 ? ` (speed-up ${(plan[0].wall / p.wall).toFixed(2)}x of ${p.k}, efficiency ${((plan[0].wall / p.wall / p.k) * 100).toFixed(0)}%)` : ''}`);
  }
}

export async function bench(): Promise<void> {
  storeAtScale();
  const { mergeMs } = storeAtScaleTargets();
  if (process.env.BENCH_FRONTIER_SKIP_CHECK !== '1') await sweepPlan(mergeMs);
  if (process.env.BENCH_FRONTIER_SKIP_CHECK !== '1') await timeToVerdict();
}
