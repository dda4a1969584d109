/**
 * Issue 6's figure: a full LACS recompute for the EfficientNet-B0 base at the default grid with the real
 * measurer on this machine (no cache), as `frontier-gate lacs fixtures/archs/efficientnet-b0.yaml` runs
 * it: the sibling fixtures with accuracy are the predictor's records and the frontier. Target: 5 minutes.
 * BENCH_LACS_PHI sets the family size (default 3), BENCH_LACS_FIXTURES the config folder, BENCH_VERBOSE=1
 * prints progress.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import { runLacs, type FrontierInput } from '../lacs/run';
import type { AccuracyRecord } from '../lacs/accuracy';
import { formatCoefficients } from '../lacs/grid';
import { createMeasurer } from '../measure';

export async function bench(): Promise<void> {
  const dir = process.env.BENCH_LACS_FIXTURES ?? path.join(__dirname, '..', '..', 'fixtures', 'archs');
  const base = loadArchConfig(path.join(dir, 'efficientnet-b0.yaml'));
  const configs = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => loadArchConfig(path.join(dir, f)));
  const records: AccuracyRecord[] = configs.filter((c) => c.accuracy).map((c) => ({ config: c, top1: c.accuracy!.top1, name: c.name }));
  const frontier: FrontierInput[] = records.map((r) => ({ name: r.name!, accuracy: r.top1, model: { kind: 'config', name: r.name!, config: r.config } }));
  const phi = Number(process.env.BENCH_LACS_PHI ?? 3);
  const verbose = process.env.BENCH_VERBOSE === '1';
  const started = Date.now();
  const r = await runLacs(base, { phi }, { measurer: createMeasurer(), records, frontier, log: verbose ? (s) => console.log(`  ${s}`) : undefined });
  const wall = (Date.now() - started) / 1000;
  const c = r.counts;
  console.log(`LACS recompute, EfficientNet-B0 base, default grid (step ${r.grid.step}, tolerance ${r.grid.tolerance}), family phi 0..${phi}, on ${r.target?.label ?? 'nothing measured'}`);
  console.log(`  grid ${c.grid} candidates -> ${c.filtered_macs} dropped by the MACs filter -> ${c.distinct_networks} distinct networks; measured ${r.measured_candidates}, refined ${c.refined}`);
  console.log(`  screening ${r.timing.screen_s.toFixed(1)} s = ${r.timing.per_candidate_s.toFixed(2)} s per candidate; ${r.timing.measure_calls} measurement calls`);
  console.log(`  total wall time ${wall.toFixed(1)} s (target <= 300 s)`);
  const eff = r.efficientnet;
  const effText = `EfficientNet ${formatCoefficients(eff)} ${eff.objective?.toFixed(3) ?? 'objective unknown'} at ${eff.latency_ms?.toFixed(2) ?? '?'} ms`;
  if (r.chosen) {
    console.log(`  chosen ${formatCoefficients(r.chosen)} objective ${r.chosen.objective.toFixed(3)} at ${r.chosen.latency_ms.toFixed(2)} ms (accuracy ${r.chosen.accuracy_kind}); ${effText}`);
  } else {
    console.log(`  no choice: ${r.decision.reason}; ${effText}`);
  }
  for (const f of r.family) {
    console.log(`  phi ${f.phi}: ${(f.macs / 1e9).toFixed(3)} GMACs, ${f.latency_ms.toFixed(2)} ms, top-1 ${f.accuracy?.toFixed(2) ?? '?'} (${f.accuracy_kind}), ${f.position} the frontier`);
  }
}
