/**
 * Issue 4's figures:
 *  - time to verdict for `check` of a B0-class candidate against the zoo store at default settings
 *    (three neighbours, 20 s budget, 1% precision target), from loading the config to the verdict;
 *  - store load (parse + schema + hash checks) and frontier computation for 10,000 synthetic records.
 * BENCH_FRONTIER_RECORDS overrides the record count; BENCH_FRONTIER_SKIP_CHECK=1 skips the measured part.
 */
import * as path from 'node:path';
import { countConfig } from '../arch/counts';
import { loadArchConfig } from '../arch/parse';
import type { ArchConfig } from '../arch/types';
import { applyRecordUpdates, runCheck, selectionEstimate, selectModels, type RecordUpdate } from '../frontier/gate';
import { paretoFrontier } from '../frontier/pareto';
import { configHash, emptyStore, parseStore, readStoreFile, serializeStore, storedConfig } from '../frontier/store';
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
  const report = await runCheck(store, [{ config: candidate }], {}, { measurer: createMeasurer() });
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
        name: config.name, config, config_hash: hash, accuracy, target: 'cpu-synthetic', label: 'synthetic',
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
      let m = macs.get(rec.config_hash);
      if (m === undefined) macs.set(rec.config_hash, (m = countConfig(rec.config).macs));
      return m;
    });
    selectModels(store.records, { name: 'cand', accuracy: 77, macs: 4e8 }, { neighbors: 3, accuracyTolerance: 0.1 }, estimate);
    select.push(ms(t0));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`store of ${n.toLocaleString('en-US')} records (${(text.length / 1024 ** 2).toFixed(1)} MiB, 3 measurements each), median of ${runs}:`);
  console.log(`  load (JSON parse + schema validation + config hash checks): ${med(load).toFixed(0)} ms`);
  console.log(`  Pareto frontier: ${med(frontier).toFixed(1)} ms (${size} models on it)`);
  console.log(`  check's model selection (proxy latencies + frontier + neighbours): ${med(select).toFixed(0)} ms`);
}

export async function bench(): Promise<void> {
  storeAtScale();
  if (process.env.BENCH_FRONTIER_SKIP_CHECK !== '1') await timeToVerdict();
}
