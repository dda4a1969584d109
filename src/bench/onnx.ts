/**
 * Issue 19's figure: `stats` of a 100 MB .onnx model, time and peak RSS in fresh processes (target: peak
 * RSS under 2x the file). The model is the project's ResNet-50 build (25.5 M params, 102 MB fp32), written
 * to a temp folder; the same file decoded with onnx-proto is shown beside it for comparison.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import { buildModel } from '../onnx/build';

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
    const child = (mode: string): ChildResult[] =>
      Array.from({ length: runs }, () => JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'onnx-child.js'), file, mode], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as ChildResult);
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
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
