/**
 * Issue 19's figures: `stats` and `check` of a 100 MB .onnx model, time and peak RSS in fresh processes
 * (target for stats: peak RSS under 2x the file). The model is the project's ResNet-50 build (25.5 M params,
 * 102 MB fp32), written to a temp folder; the same file decoded with onnx-proto is shown beside it for
 * comparison. `check` reads, identifies and measures it side by side with the zoo store's models it picks
 * (BENCH_QUICK=1: a 4 s budget and 2 runs).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { loadArchConfig } from '../arch/parse';
import { buildModel } from '../onnx/build';
import { countGraph } from '../onnx/count';
import { onnxNetworkHash } from '../onnx/identity';
import { inferModel } from '../onnx/infer';
import { checkGraph, ONNX_LIMITS, parseModel } from '../onnx/read';

interface ChildResult {
  code: number;
  wall_ms: number;
  rss_before: number;
  peak_rss: number;
  output: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;

export async function bench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-bench-onnx-'));
  try {
    const file = path.join(dir, 'resnet-50.onnx');
    fs.writeFileSync(file, buildModel(loadArchConfig(path.join(__dirname, '..', '..', 'fixtures', 'archs', 'resnet-50.yaml'))));
    const size = fs.statSync(file).size;
    const runs = Number(process.env.BENCH_ONNX_RUNS ?? 5);
    const child = (mode: string, extra: string[] = [], n = runs): ChildResult[] =>
      Array.from({ length: n }, () => JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'onnx-child.js'), file, mode, ...extra], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as ChildResult);
    const stats = child('stats');
    const bad = stats.find((r) => r.code !== 0);
    if (bad) throw new Error(`stats of the bench model failed (exit ${bad.code}): ${bad.output}`);
    const counted = JSON.parse(stats[0].output) as { params: number; macs: number };
    // Self-check: the counts are the config's (ResNet-50 less its folded BN shifts), so the run read the whole graph.
    if (counted.params !== 25_530_472 || counted.macs !== 4_089_184_256) throw new Error(`unexpected counts ${counted.params} params, ${counted.macs} MACs`);
    const proto = child('proto');
    const peak = median(stats.map((r) => r.peak_rss));
    const base = median(stats.map((r) => r.rss_before));
    console.log(`stats of a ${mib(size)} .onnx model (ResNet-50 build, ${(counted.params / 1e6).toFixed(2)} M params), ${runs} fresh processes:`);
    console.log(`  wall time (read, infer, count, render): median ${median(stats.map((r) => r.wall_ms)).toFixed(0)} ms`);
    console.log(`  peak RSS: median ${mib(peak)} = ${(peak / size).toFixed(2)}x the file (target < 2x; ${peak < 2 * size ? 'met' : 'NOT met'}); node with the CLI loaded before reading: ${mib(base)}, so the model costs ${((peak - base) / size).toFixed(2)}x its size`);
    console.log(`  for comparison, onnx-proto's decode of the same file: median ${median(proto.map((r) => r.wall_ms)).toFixed(0)} ms, peak RSS ${mib(median(proto.map((r) => r.peak_rss)))}`);
    checkOf(file, size, child);
    widestGraph();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `check` of the model against the zoo store: the whole command (read, identify, measure side by side, report). */
function checkOf(file: string, size: number, child: (mode: string, extra: string[], n: number) => ChildResult[]): void {
  const quick = process.env.BENCH_QUICK === '1';
  const budget = quick ? 4 : 20;
  const store = path.join(__dirname, '..', '..', 'fixtures', 'frontier', 'frontier.json');
  const runs = child('check', [store, String(budget)], quick ? 2 : 3);
  const failed = runs.find((r) => r.code > 1);
  if (failed) throw new Error(`check of the bench model failed (exit ${failed.code}): ${failed.output}`);
  const report = JSON.parse(runs[0].output) as { candidates: { name: string; verdict: string; provenance: string; onnx?: { path: string }; models: { name: string }[]; rounds: number; wall_s: number }[] };
  const c = report.candidates[0];
  // Self-check: the .onnx file was the candidate, recorded by its path, and measured beside stored models.
  if (c.provenance !== 'onnx' || c.onnx?.path !== 'resnet-50.onnx' || c.models.length < 2) throw new Error(`unexpected check report: ${runs[0].output.slice(0, 400)}`);
  const peak = median(runs.map((r) => r.peak_rss));
  console.log(`check of the same .onnx model against the zoo store (${budget} s budget), ${runs.length} fresh processes:`);
  console.log(`  verdict ${c.verdict} beside ${c.models.slice(1).map((m) => m.name).join(', ')}; wall time median ${(median(runs.map((r) => r.wall_ms)) / 1000).toFixed(1)} s (measurement ${c.wall_s.toFixed(1)} s, ${c.rounds} rounds)`);
  console.log(`  peak RSS: median ${mib(peak)} = ${(peak / size).toFixed(2)}x the file (the file, its sha256, onnxruntime's sessions of it and of the stored models built beside it)`);
}

/**
 * A graph at the node limit written in reverse order (the file order is not topological, so the reader
 * sorts it), half of it a chain and half independent branches: the orders must stay n log n.
 */
function widestGraph(): void {
  const n = ONNX_LIMITS.maxNodes;
  const nodes: onnx.INodeProto[] = [];
  for (let i = 0; i < n / 2; i++) nodes.push({ opType: 'Relu', input: [i ? `c${i - 1}` : 'x'], output: [`c${i}`], name: `chain${i}` });
  for (let i = 0; i < n / 2; i++) nodes.push({ opType: 'Sigmoid', input: ['x'], output: [`b${i}`], name: `branch${i}` });
  const shape = { dim: [{ dimValue: 1 }, { dimValue: 8 }] };
  const bytes = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'wide', node: nodes.reverse(), input: [{ name: 'x', type: { tensorType: { elemType: 1, shape } } }], output: [{ name: `c${n / 2 - 1}`, type: { tensorType: { elemType: 1, shape } } }] },
  }).finish();
  const t0 = performance.now();
  const model = parseModel('wide.onnx', bytes);
  const order = checkGraph('wide.onnx', model.graph);
  const t1 = performance.now();
  const stats = countGraph(inferModel(model, order), 'wide');
  const t2 = performance.now();
  const hash = onnxNetworkHash(model);
  const t3 = performance.now();
  if (order.length !== n || stats.layers.length !== n / 2 + 1 || !/^[0-9a-f]{16}$/.test(hash)) throw new Error('the node-limit graph was not read whole');
  console.log(`a graph at the node limit (${n.toLocaleString('en-US')} nodes in reverse order, ${(bytes.length / 1024 ** 2).toFixed(1)} MiB): read + order ${(t1 - t0).toFixed(0)} ms, infer + count ${(t2 - t1).toFixed(0)} ms, network hash ${(t3 - t2).toFixed(0)} ms`);
}
