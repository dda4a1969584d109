/** Issue 2's figure: build and encode an EfficientNet-B7-sized config; wall time and peak RSS. */
import { PRECISIONS } from '../arch/types';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

interface ChildResult {
  params: number;
  weight_bytes_fp32: number;
  model_bytes: number;
  wall_ms: number;
  rss_before: number;
  peak_rss: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;

export async function bench(): Promise<void> {
  const fixture = path.join(__dirname, '..', '..', 'fixtures', 'archs', 'efficientnet-b0.yaml');
  const runs = Number(process.env.BENCH_ARCH_RUNS ?? 5);
  for (const precision of PRECISIONS) {
    const results: ChildResult[] = [];
    for (let i = 0; i < runs; i++) {
      const out = execFileSync(process.execPath, [path.join(__dirname, 'arch-child.js'), fixture, '2.0', '3.1', '600', precision], { encoding: 'utf8' });
      results.push(JSON.parse(out) as ChildResult);
    }
    const r = results[0];
    const wall = median(results.map((x) => x.wall_ms));
    const peak = median(results.map((x) => x.peak_rss));
    const modelBytes = r.model_bytes;
    console.log(`EfficientNet-B7-sized (width 2.0, depth 3.1, 600 px), ${precision}: ${(r.params / 1e6).toFixed(2)} M params, model ${mib(modelBytes)}`);
    console.log(`  build + encode wall time: median ${wall.toFixed(0)} ms over ${runs} runs (target < 2000 ms)`);
    console.log(`  peak RSS of the build process: median ${mib(peak)} = ${(peak / modelBytes).toFixed(2)}x the weight bytes (target < 3x); node baseline before build ${mib(r.rss_before)}`);
  }
}
