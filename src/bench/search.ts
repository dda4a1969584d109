/**
 * Bench section "search": networks measured per minute by a default `profile` of the OFA-MobileNetV3
 * space on this machine (the default must fit 15 minutes on a 2-core CPU; the projection is printed after
 * the first units and the actual time at the end), Zen-score proxy throughput and its Kendall tau against
 * the zoo's published accuracies, and the search loop's own overhead on the synthetic device.
 * Environment: BENCH_SEARCH_SAMPLES (default 4 contexts), BENCH_SEARCH_BUDGET (seconds, default 840),
 * BENCH_SEARCH_PER_CALL (seconds per measurement call, default 1), BENCH_SEARCH_SKIP=profile,zen,search.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import { createMeasurer } from '../measure';
import { runSearch } from '../search/evolve';
import { analyzeProfile, profilePositions, runProfile } from '../search/profile';
import { seeded } from '../util/random';
import { genomeToConfig, loadSpace, sampleGenome } from '../search/space';
import { SyntheticMeasurer, syntheticLatency, syntheticProxy } from '../search/synthetic';
import { kendallTau, zenScore } from '../search/zen';

const root = path.join(__dirname, '..', '..');
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const skip = new Set((process.env.BENCH_SEARCH_SKIP ?? '').split(',').map((s) => s.trim()));
const FIFTEEN_MINUTES = 900;

async function benchProfile(): Promise<void> {
  const space = loadSpace(path.join(root, 'fixtures', 'spaces', 'ofa-mobilenetv3.yaml'));
  const samples = env('BENCH_SEARCH_SAMPLES', 4);
  const budget = env('BENCH_SEARCH_BUDGET', 840);
  const perCall = env('BENCH_SEARCH_PER_CALL', 1);
  const positions = profilePositions(space);
  const total = positions.length * samples;
  const networks = positions.reduce((a, p) => a + p.choices.length, 0) * samples;
  console.log(`profile ${space.name}: ${positions.length} positions x ${samples} contexts = ${total} units, ${networks} networks; ${perCall} s per call; budget ${budget} s`);
  const started = performance.now();
  let measured = 0;
  const result = await runProfile(space, createMeasurer(), {
    samples, seed: 1, perCallSeconds: perCall, budgetSeconds: budget,
    onUnit: (done, all, unit) => {
      measured += unit.blocks.length;
      if (done === 3) {
        const elapsed = (performance.now() - started) / 1000;
        const projected = (elapsed / done) * all;
        console.log(`  after ${done} units: projected ${projected.toFixed(0)} s for all ${all} (${projected <= FIFTEEN_MINUTES ? 'within' : 'OVER'} 15 minutes)`);
      }
    },
  });
  const wall = (performance.now() - started) / 1000;
  const a = analyzeProfile(space, result);
  console.log(`  actual: ${wall.toFixed(0)} s for ${result.units.length}/${total} units (${result.skipped.length} skipped by the budget), ${measured} networks measured`);
  console.log(`  networks measured per minute: ${((60 * measured) / wall).toFixed(1)}  (target: ${result.target?.label ?? 'unknown'})`);
  console.log(`  mean end-to-end latency ${a.e2e_ms.toFixed(2)} ms; ${wall <= FIFTEEN_MINUTES ? 'within' : 'OVER'} 15 minutes`);
}

async function benchZen(): Promise<void> {
  // Throughput on OFA-MobileNetV3 samples, then the ranking of the zoo's published accuracies.
  const space = loadSpace(path.join(root, 'fixtures', 'spaces', 'ofa-mobilenetv3.yaml'));
  const rand = seeded(3);
  const t0 = performance.now();
  const n = 6;
  for (let i = 0; i < n; i++) await zenScore(genomeToConfig(space, sampleGenome(space, rand)), { batch: 4 });
  const perMin = (60 * n) / ((performance.now() - t0) / 1000);
  console.log(`zen-score proxy (batch 4, 1 repeat): ${perMin.toFixed(1)} OFA-MobileNetV3 networks per minute`);
  const dir = path.join(root, 'fixtures', 'archs');
  const rows: { name: string; top1: number; proxy: number }[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const config = loadArchConfig(path.join(dir, file));
    if (!config.accuracy) continue;
    rows.push({ name: config.name, top1: config.accuracy.top1, proxy: (await zenScore(config, { batch: 4, repeats: 2 })).proxy });
  }
  rows.sort((x, y) => y.top1 - x.top1);
  for (const r of rows) console.log(`  ${r.name.padEnd(18)} top-1 ${r.top1.toFixed(2)}  zen-score (proxy) ${r.proxy.toFixed(2)}`);
  console.log(`  Kendall tau (zen-score proxy vs published top-1, n=${rows.length}): ${kendallTau(rows.map((r) => r.top1), rows.map((r) => r.proxy)).toFixed(3)}`);
}

async function benchSearch(): Promise<void> {
  const space = loadSpace(path.join(root, 'fixtures', 'spaces', 'ofa-mobilenetv3.yaml'));
  const rand = seeded(99);
  const lat = Array.from({ length: 100 }, () => syntheticLatency(genomeToConfig(space, sampleGenome(space, rand)))).sort((a, b) => a - b);
  const t0 = performance.now();
  const r = await runSearch(space, new SyntheticMeasurer(), { name: 'synthetic', score: async (c) => syntheticProxy(c) }, {
    latencyTargetMs: lat[30], population: 24, evaluations: 400, seed: 1, generation: 8, perCallSeconds: 1, mode: 'evolution',
  });
  const s = (performance.now() - t0) / 1000;
  console.log(`search loop overhead (synthetic device and proxy): ${r.evaluations} networks in ${s.toFixed(2)} s (${((60 * r.evaluations) / s).toFixed(0)} per minute)`);
}

export async function bench(): Promise<void> {
  if (!skip.has('search')) await benchSearch();
  if (!skip.has('zen')) await benchZen();
  if (!skip.has('profile')) await benchProfile();
}
