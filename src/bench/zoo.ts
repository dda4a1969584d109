/**
 * Issue 18's figures for the catalogue of published models:
 *   1. counting the whole catalogue (target < 1 s): parse + validate + count every entry once, as `zoo`
 *      does in a fresh process, and counting the parsed configs again (median of 5);
 *   2. each new family's graph side by side with the same network exported from torchvision's own module
 *      (Debian's python3-torch / python3-torchvision, through scripts/torchvision-reference.py): one
 *      interleaved measurement per pair; the verdict says whether the two run within the noise band.
 *      Skipped with one line when /usr/bin/python3 has no torch.
 * BENCH_QUICK=1: two pairs, a short budget. BENCH_ZOO_MODELS=a,b picks the pairs; BENCH_ZOO_BUDGET=S the budget.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOGUE, entryConfig, entryStats, findEntry } from '../arch/catalogue';
import { countConfig } from '../arch/counts';
import { createMeasurer } from '../measure';
import { buildModel } from '../onnx/build';

const QUICK = process.env.BENCH_QUICK === '1';
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'torchvision-reference.py');
/** One network per new family the builder gained (grouped convs, SE variants, the pooled head, ResNet-D). */
const FAMILIES = ['mobilenet_v3_large', 'mobilenet_v3_small', 'resnext50_32x4d', 'regnet_x_400mf', 'regnet_y_400mf', 'resnet50d'];

const ms = (ns: bigint) => Number(ns) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function counting(): void {
  // `zoo` in a fresh process: the module loads, the schema compiles, every entry is parsed and counted.
  const child = spawnSync(process.execPath, ['-e', `
    const t0 = process.hrtime.bigint();
    const c = require(${JSON.stringify(path.join(__dirname, '..', 'arch', 'catalogue'))});
    for (const e of c.CATALOGUE) c.entryStats(e);
    console.log(Number(process.hrtime.bigint() - t0) / 1e6);`], { encoding: 'utf8' });
  const cold = Number(child.stdout.trim());
  const start = process.hrtime.bigint();
  for (const e of CATALOGUE) entryStats(e);
  const warmParse = ms(process.hrtime.bigint() - start);
  const configs = CATALOGUE.map(entryConfig);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    for (const c of configs) countConfig(c);
    runs.push(ms(process.hrtime.bigint() - t));
  }
  const layers = configs.reduce((a, c) => a + countConfig(c).layers.length, 0);
  console.log(`1. counting the catalogue (${CATALOGUE.length} entries, ${layers} layers), target < 1000 ms:`);
  console.log(`   parse + validate + count every entry in a fresh process: ${cold.toFixed(0)} ms (module load and schema compile included) ${cold < 1000 ? 'ok' : 'OVER TARGET'}`);
  console.log(`   in this process: parse + count ${warmParse.toFixed(0)} ms the first time; counting the parsed configs ${median(runs).toFixed(1)} ms (median of 5)`);
}

function torchAvailable(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch, torchvision; print(torch.__version__, torchvision.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function sideBySide(): Promise<void> {
  const versions = torchAvailable();
  if (!versions) {
    console.log(`2. side by side with torchvision: skipped (${PYTHON} cannot import torch and torchvision; on Debian: apt-get install python3-torch python3-torchvision)`);
    return;
  }
  const names = process.env.BENCH_ZOO_MODELS?.split(',').map((s) => s.trim()).filter(Boolean) ?? (QUICK ? ['mobilenet_v3_small', 'regnet_y_400mf'] : FAMILIES);
  const budgetSeconds = Number(process.env.BENCH_ZOO_BUDGET ?? (QUICK ? 8 : 30));
  console.log(`2. frontier-gate's build against the network exported from torchvision's module (torch ${versions.replace(' ', ', torchvision ')}), side by side, batch 1 fp32, budget ${budgetSeconds} s each:`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-bench-zoo-'));
  try {
    const measurer = createMeasurer();
    for (const name of names) {
      const entry = findEntry(name);
      if (!entry) throw new Error(`bench zoo: no catalogue entry ${name}`);
      const config = entryConfig(entry);
      const file = path.join(dir, `${entry.name}.onnx`);
      const exported = spawnSync(PYTHON, [SCRIPT, 'export', entry.name, String(config.resolution), file], { encoding: 'utf8', timeout: 300_000 });
      if (exported.status !== 0) {
        console.log(`   ${entry.name}: torchvision export failed (${(exported.stderr || exported.error?.message || '').trim().split('\n').pop()}); skipped`);
        continue;
      }
      const reference = spawnSync(PYTHON, [SCRIPT, 'counts', entry.name, String(config.resolution)], { encoding: 'utf8', timeout: 300_000 });
      const torchCounts = JSON.parse(reference.stdout) as { params: number; macs: number };
      const ours = countConfig(config);
      const sameCounts = torchCounts.params === ours.params && torchCounts.macs === ours.macs;
      const result = await measurer.measure(
        [{ kind: 'onnx', name: 'torchvision', path: file }, { kind: 'bytes', name: 'frontier-gate', bytes: buildModel(config) }],
        { budgetSeconds, seed: 18 },
      );
      const [tv, fg] = result.models;
      const q = result.ratios[0];
      const band = (result.band ?? 0.02) * 100;
      console.log(
        `   ${entry.name.padEnd(20)} torchvision ${tv.median_ms.toFixed(2)} ms, frontier-gate ${fg.median_ms.toFixed(2)} ms: ratio x${q.ratio.toFixed(3)} ` +
        `(95% CI ${q.ci95[0].toFixed(3)} .. ${q.ci95[1].toFixed(3)}) ${q.verdict}${q.verdict === 'same' ? ` (within +/- ${band.toFixed(0)}%)` : ''}; ` +
        `${result.rounds} rounds; counts ${sameCounts ? 'identical' : `DIFFER (torch ${torchCounts.params} params, ${torchCounts.macs} MACs)`}`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function bench(): Promise<void> {
  counting();
  await sideBySide();
}
