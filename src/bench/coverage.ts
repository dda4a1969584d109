/**
 * Issue 22 item 1: do one run's ratio intervals cover a repeat run? Repeats a near-edge pair (MobileNetV2
 * against the same network with a 1600-channel head) and an A/A pair (MobileNetV2 against itself) N times,
 * with S slots per run (BENCH_SLOTS, default "1,3": each count is its own series), and reports per series
 * the coverage (fraction of runs whose interval covers the median of the other runs' ratios) and the
 * median time to a verdict (measure()'s wall time: the measuring process's start and its sessions included).
 * BENCH_QUICK=1: 6 runs per series (a smoke run, too few for a coverage figure); BENCH_TRIALS=N sets N
 * (default 20); BENCH_BUDGET seconds per run (default 5).
 */
import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import type { ArchConfig } from '../arch/types';
import { createMeasurer } from '../measure';
import type { MeasureResult, ModelInput } from '../measure/types';

const QUICK = process.env.BENCH_QUICK === '1';
const TRIALS = Number(process.env.BENCH_TRIALS ?? (QUICK ? 6 : 20));
const BUDGET = Number(process.env.BENCH_BUDGET ?? 5);
const SLOTS = (process.env.BENCH_SLOTS ?? '1,3').split(',').map(Number);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** Leave-one-out coverage: run i's interval against the median of the other runs' point estimates. */
export function coverage(results: { ratio: number; ci95: [number, number] }[]): number {
  let hit = 0;
  results.forEach((r, i) => {
    const others = median(results.filter((_, j) => j !== i).map((o) => o.ratio));
    if (r.ci95[0] <= others && others <= r.ci95[1]) hit++;
  });
  return hit / results.length;
}

export async function bench(): Promise<void> {
  const mnv2 = loadArchConfig(path.join(__dirname, '..', '..', 'fixtures', 'archs', 'mobilenet-v2.yaml'));
  const base: ModelInput = { kind: 'config', name: 'mnv2', config: mnv2 };
  const wide: ModelInput = { kind: 'config', name: 'mnv2-head1600', config: { ...mnv2, head: { ...mnv2.head, channels: 1600 } } as ArchConfig };
  const twin: ModelInput = { kind: 'config', name: 'mnv2-twin', config: mnv2 };
  const measurer = createMeasurer();
  console.log(`coverage of one run's ratio interval over ${TRIALS} repeated runs, budget ${BUDGET} s, seeds differ per run:`);
  for (const [label, models] of [['near-edge (head 1600)', [base, wide]], ['A/A', [base, twin]]] as const) {
    for (const slots of SLOTS) {
      const runs: MeasureResult[] = [];
      for (let t = 0; t < TRIALS; t++) runs.push(await measurer.measure([...models], { budgetSeconds: BUDGET, seed: 1000 + t, slots }));
      const ratios = runs.map((r) => r.ratios[0]);
      const widths = ratios.map((r) => (r.ci95[1] - r.ci95[0]) / 2 / r.ratio);
      console.log(
        `  ${label}, ${slots} slot(s): coverage ${(100 * coverage(ratios)).toFixed(0)}% of ${TRIALS}; median ratio ${median(ratios.map((r) => r.ratio)).toFixed(4)}` +
          ` (runs ${Math.min(...ratios.map((r) => r.ratio)).toFixed(4)}..${Math.max(...ratios.map((r) => r.ratio)).toFixed(4)}); median half-width ${(100 * median(widths)).toFixed(2)}%;` +
          ` median time to verdict ${median(runs.map((r) => r.wall_s)).toFixed(1)} s; verdicts ${ratios.map((r) => r.verdict[0]).join('')}`,
      );
    }
  }
}
