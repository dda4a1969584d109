/**
 * Issue 3's figures for the measurement engine:
 *   1. harness overhead per run() on a trivial model, against a bare synchronous loop over the binding;
 *   2. false alarms: EfficientNet-B0 against itself, >= 50 trials at default settings;
 *   3. power: B0 against real graphs that do a little more work (B0 with a wider head conv),
 *      their true slowdown calibrated first in one long run; detection rate at about +3% and +5%;
 *   4. time to a verdict for these B0-class pairs (wall time of measure(), sessions included).
 * BENCH_QUICK=1 shortens everything (a few trials, short calibration) for a smoke run; BENCH_TRIALS=N sets
 * the trial count of 2 and 3. Run the full bench on a quiet machine only.
 */
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadArchConfig } from '../arch/parse';
import type { ArchConfig } from '../arch/types';
import { createMeasurer, hrClock, ortFactory, timeOnce } from '../measure';
import type { MeasureResult, ModelInput, RatioVerdict } from '../measure/types';
import { GraphBuilder } from '../onnx/graph';

const QUICK = process.env.BENCH_QUICK === '1';
const TRIALS = Number(process.env.BENCH_TRIALS ?? (QUICK ? 4 : 50));

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function trivialModel(): Uint8Array {
  const g = new GraphBuilder('fp32');
  g.input('input', [1, 16]);
  g.node('Identity', ['input'], {}, 'output');
  g.output('output', [1, 16]);
  return g.toBytes('trivial');
}

interface BareSession {
  loadModel(buffer: ArrayBuffer, offset: number, length: number, options: object): void;
  run(feeds: Record<string, ort.Tensor>, fetches: Record<string, null>, options: object): unknown;
  dispose(): void;
}

/**
 * 1. Per-run cost of the harness against the binding called bare. The three loops alternate in repetitions
 * and each figure is the median over repetitions, so machine noise hits them alike.
 */
export async function overhead(): Promise<void> {
  const bytes = trivialModel();
  const iterations = QUICK ? 2000 : 10000;
  const reps = QUICK ? 3 : 9;
  // The bare loop: onnxruntime-node's native binding, no promise, no event-loop hop, no timing.
  const { binding, initOrt } = require('onnxruntime-node/dist/binding') as { binding: { InferenceSession: new () => BareSession }; initOrt(): void };
  initOrt();
  const bare = new binding.InferenceSession();
  bare.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const feeds = { input: new ort.Tensor('float32', new Float32Array(16), [1, 16]) };
  // The harness as the scheduler drives it: timeOnce around Runner.run(), on the default (native binding)
  // runner, and on the public-API runner (InferenceSession.run: a promise and a setImmediate hop per run).
  const session = { ep: 'cpu' as const, threads: 1, batch: 1 };
  const native = await ortFactory('auto').create({ name: 'trivial', bytes }, session);
  const viaPublic = await ortFactory('public').create({ name: 'trivial', bytes }, session);
  const loops: Record<string, () => Promise<void>> = {
    bare: async () => {
      for (let i = 0; i < iterations; i++) bare.run(feeds, { output: null }, {});
    },
    harness: async () => {
      for (let i = 0; i < iterations; i++) await timeOnce(native, hrClock);
    },
    public: async () => {
      for (let i = 0; i < iterations; i++) await timeOnce(viaPublic, hrClock);
    },
  };
  const perRun: Record<string, number[]> = { bare: [], harness: [], public: [] };
  for (const loop of Object.values(loops)) await loop(); // warm-up
  for (let r = 0; r < reps; r++) {
    for (const [name, loop] of Object.entries(loops)) {
      const start = hrClock.now();
      await loop();
      perRun[name].push(((hrClock.now() - start) * 1000) / iterations);
    }
  }
  bare.dispose();
  await native.dispose();
  await viaPublic.dispose();
  const [b, h, p] = ['bare', 'harness', 'public'].map((k) => quantile(perRun[k], 0.5));
  console.log(`1. overhead per run() on a trivial model (Identity, 16 floats), median of ${reps} x ${iterations} runs:`);
  console.log(`   bare binding loop ${b.toFixed(1)} us/run; harness ${h.toFixed(1)} us/run (overhead ${(h - b).toFixed(1)} us); ` +
    `through the public async API it would be ${p.toFixed(1)} us/run (overhead ${(p - b).toFixed(1)} us)`);
}

function tally(results: MeasureResult[]): Record<RatioVerdict, number> {
  const t: Record<RatioVerdict, number> = { slower: 0, faster: 0, same: 0, inconclusive: 0 };
  for (const r of results) t[r.ratios[0].verdict]++;
  return t;
}

function describe(results: MeasureResult[]): string {
  const t = tally(results);
  const walls = results.map((r) => r.wall_s);
  return `verdicts slower ${t.slower}, faster ${t.faster}, same ${t.same}, inconclusive ${t.inconclusive}; ` +
    `wall median ${quantile(walls, 0.5).toFixed(1)} s, p90 ${quantile(walls, 0.9).toFixed(1)} s, max ${Math.max(...walls).toFixed(1)} s`;
}

async function trials(models: ModelInput[], n: number, seed0: number): Promise<MeasureResult[]> {
  const out: MeasureResult[] = [];
  const measurer = createMeasurer();
  // A new seed per trial: each trial is an independent run of the gate, as on separate CI jobs.
  for (let i = 0; i < n; i++) out.push(await measurer.measure(models, { seed: seed0 + i }));
  return out;
}

export async function bench(): Promise<void> {
  await overhead();

  const b0 = loadArchConfig(path.join(__dirname, '..', '..', 'fixtures', 'archs', 'efficientnet-b0.yaml'));
  // Slower variants: B0 with a wider head conv (1x1, 320 -> C at 7x7). Nearby resolutions are no use here:
  // 226 px already runs 12% slower than 224 (odd feature-map sizes take slower kernels).
  const at = (head: number): ModelInput => ({ kind: 'config', name: `b0-head${head}`, config: { ...b0, head: { ...b0.head, channels: head } } as ArchConfig });
  const base: ModelInput = { kind: 'config', name: 'b0', config: b0 };

  // 2. False alarms: the same model against itself, default settings.
  const self = await trials([base, { ...base, name: 'b0 (again)' }], TRIALS, 1000);
  const alarms = self.filter((r) => r.ratios[0].verdict === 'slower' || r.ratios[0].verdict === 'faster').length;
  console.log(`2. false alarms, EfficientNet-B0 vs itself, ${TRIALS} trials at default settings (band 2%, precision 1%, budget 20 s):`);
  console.log(`   ${alarms}/${TRIALS} = ${pct(alarms / TRIALS)} slower-or-faster (target <= 1%); ${describe(self)}`);

  // 3. Power. Calibrate candidates in one long interleaved run; the measured ratio is the "truth".
  const candidates = [1536, 1792, 2048, 2304, 2560, 3072, 3584];
  const calibration = await createMeasurer().measure([base, ...candidates.map(at)], {
    budgetSeconds: QUICK ? 20 : 180,
    precisionTarget: QUICK ? 0.005 : 0.002,
    seed: 7,
  });
  console.log(`3. power; calibration (${calibration.rounds} rounds, ${calibration.wall_s.toFixed(0)} s): ` +
    calibration.ratios.map((q) => `${q.model} x${q.ratio.toFixed(3)} [${q.ci95[0].toFixed(3)}, ${q.ci95[1].toFixed(3)}]`).join(', '));
  const pick = (target: number) => calibration.ratios.reduce((best, q) => (Math.abs(q.ratio - target) < Math.abs(best.ratio - target) ? q : best));
  const walls: number[] = self.map((r) => r.wall_s);
  for (const target of [1.03, 1.05]) {
    const q = pick(target);
    const variant = at(Number(q.model.replace('b0-head', '')));
    const results = await trials([base, variant], TRIALS, 2000 + Math.round(target * 100));
    const detected = results.filter((r) => r.ratios[0].verdict === 'slower').length;
    walls.push(...results.map((r) => r.wall_s));
    console.log(`   ~${Math.round((target - 1) * 100)}% slower (${variant.name}, calibrated x${q.ratio.toFixed(3)}): detected ${detected}/${TRIALS} = ${pct(detected / TRIALS)}` +
      `${target === 1.05 ? ' (target >= 95%)' : ''}; ${describe(results)}`);
  }

  // 4. Time to verdict over every B0-class pair measured above (sessions, warm-up and sampling included).
  console.log(`4. time to a verdict, B0-class pairs, ${walls.length} runs: median ${quantile(walls, 0.5).toFixed(1)} s, p90 ${quantile(walls, 0.9).toFixed(1)} s, ` +
    `max ${Math.max(...walls).toFixed(1)} s (target <= 20 s)`);
}
