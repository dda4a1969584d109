import { createMeasurer, hasConverged, MIN_VERDICT_ROUNDS, resolveOptions } from '../src/measure';
import * as path from 'node:path';
import { GraphBuilder } from '../src/onnx/graph';
import { loadArchConfig } from '../src/arch/parse';
import { countConfig } from '../src/arch/counts';
import type { Measurer, ModelInput } from '../src/measure/types';
import { FakeClock, syntheticDevice, syntheticHost, type DeviceModel } from './measure.synthetic';

const host = syntheticHost(4);

const bytesModel = (name: string): ModelInput => ({ kind: 'bytes', name, bytes: new Uint8Array() });

function setup(models: Record<string, DeviceModel>, opts: { seed?: number; drift?: (t: number) => number } = {}) {
  const clock = new FakeClock();
  const device = syntheticDevice(clock, models, opts);
  // One session per model: these tests are about rounds; slots have their own (measure.slots.test.ts).
  const engine = createMeasurer({ sessions: device.factory, clock, host });
  const measurer: Measurer = { measure: (models, options) => engine.measure(models, { slots: 1, ...options }) };
  return { clock, device, measurer };
}

describe('engine on a synthetic device', () => {
  it('measures one model: statistics near the true latency, CI within the precision target', async () => {
    const { measurer, device } = setup({ m: { latency: 10, noise: 0.02, sessionMs: 40, coldExtra: 30, slowRuns: 1 } });
    const r = await measurer.measure([bytesModel('m')], { budgetSeconds: 60, seed: 1 });
    const m = r.models[0];
    expect(m.median_ms).toBeGreaterThan(9.9);
    expect(m.median_ms).toBeLessThan(10.1);
    expect(m.ci95_ms[0]).toBeLessThanOrEqual(m.median_ms);
    expect(m.ci95_ms[1]).toBeGreaterThanOrEqual(m.median_ms);
    expect((m.ci95_ms[1] - m.ci95_ms[0]) / 2 / m.median_ms).toBeLessThanOrEqual(0.01);
    expect(m.cv).toBeGreaterThan(0.01);
    expect(m.cv).toBeLessThan(0.03);
    expect(m.session_ms).toBe(40);
    // The first run carries the cold start and is kept apart from the steady samples.
    expect(m.first_run_ms).toBeGreaterThan(35);
    expect(Math.max(...m.raw_ms)).toBeLessThan(12);
    expect(m.raw_ms.length).toBe(m.samples);
    expect(r.ratios).toEqual([]);
    expect(r.budget_exhausted).toBe(false);
    expect(device.disposed()).toBe(1);
    expect(r.target.key).toMatch(/^cpu-[0-9a-f]{16}$/);
    expect(r.target.fingerprint.threads).toBe(3); // 4 cores less one for the harness;
  });

  it('never decides a ratio on fewer than MIN_VERDICT_ROUNDS rounds (first runs that eat a short budget)', async () => {
    // 100 ms per run and a 0.5 s budget: warm-up takes its share, then two or three rounds; a 2x difference
    // is plain, but an interval from so few rounds is degenerate and must not decide.
    const { measurer } = setup({ a: { latency: 100, noise: 0.05 }, b: { latency: 200, noise: 0.05 } });
    const r = await measurer.measure([bytesModel('a'), bytesModel('b')], { budgetSeconds: 0.5, seed: 2 });
    expect(r.rounds).toBeLessThan(MIN_VERDICT_ROUNDS);
    expect(r.ratios[0].ratio).toBeGreaterThan(1.5);
    expect(r.ratios[0].verdict).toBe('inconclusive');
    const enough = await setup({ a: { latency: 100, noise: 0.05 }, b: { latency: 200, noise: 0.05 } }).measurer.measure([bytesModel('a'), bytesModel('b')], { budgetSeconds: 5, seed: 2 });
    expect(enough.rounds).toBeGreaterThanOrEqual(MIN_VERDICT_ROUNDS);
    expect(enough.ratios[0].verdict).toBe('slower');
  });

  it('calls a 10% slower model slower and a 10% faster one faster, under drift shared by rounds', async () => {
    // A machine that slows down by up to 40% in slow waves: interleaving makes it hit every model alike.
    const drift = (t: number) => 1 + 0.2 * (1 + Math.sin(t / 500));
    const { measurer } = setup({ base: { latency: 10, noise: 0.03 }, slow: { latency: 11, noise: 0.03 }, fast: { latency: 9, noise: 0.03 } }, { drift });
    const r = await measurer.measure([bytesModel('base'), bytesModel('slow'), bytesModel('fast')], { seed: 3 });
    expect(r.ratios.map((q) => [q.model, q.vs, q.verdict])).toEqual([
      ['slow', 'base', 'slower'],
      ['fast', 'base', 'faster'],
    ]);
    expect(r.ratios[0].ratio).toBeGreaterThan(1.08);
    expect(r.ratios[0].ratio).toBeLessThan(1.12);
    expect(r.ratios[1].ratio).toBeGreaterThan(0.88);
    expect(r.ratios[1].ratio).toBeLessThan(0.92);
  });

  it('calls the same model against itself "same"', async () => {
    const { measurer } = setup({ a: { latency: 20, noise: 0.05 }, b: { latency: 20, noise: 0.05 } });
    const r = await measurer.measure([bytesModel('a'), bytesModel('b')], { seed: 5 });
    expect(r.ratios[0].verdict).toBe('same');
    expect(r.budget_exhausted).toBe(false);
    expect(r.ratios[0].ci95[1] - r.ratios[0].ci95[0]).toBeLessThanOrEqual(0.02 * r.ratios[0].ratio + 1e-9);
  });

  it('says inconclusive when the budget ends before the interval is narrow enough', async () => {
    const { measurer } = setup({ a: { latency: 50, noise: 0.4 }, b: { latency: 51, noise: 0.4 } }, { seed: 9 });
    const r = await measurer.measure([bytesModel('a'), bytesModel('b')], { budgetSeconds: 3, seed: 2 });
    expect(r.budget_exhausted).toBe(true);
    expect(r.ratios[0].verdict).toBe('inconclusive');
    expect(r.rounds).toBeLessThan(40);
  });

  it('is reproducible for a seed on the same samples', async () => {
    const run = async () => {
      const { measurer } = setup({ a: { latency: 10, noise: 0.02 }, b: { latency: 10.5, noise: 0.02 } }, { seed: 4 });
      return measurer.measure([bytesModel('a'), bytesModel('b')], { seed: 77 });
    };
    const [x, y] = [await run(), await run()];
    expect(y.ratios).toEqual(x.ratios);
    expect(y.models.map((m) => m.ci95_ms)).toEqual(x.models.map((m) => m.ci95_ms));
  });

  it('disposes sessions when a later model fails to load', async () => {
    const { measurer, device } = setup({ a: { latency: 1 } });
    await expect(measurer.measure([bytesModel('a'), bytesModel('missing')])).rejects.toThrow(/unknown model missing/);
    expect(device.disposed()).toBe(1);
  });

  it('refuses duplicate names and bad options, quoting the value', async () => {
    const { measurer } = setup({ a: { latency: 1 } });
    await expect(measurer.measure([bytesModel('a'), bytesModel('a')])).rejects.toThrow(/two models are named "a"/);
    await expect(measurer.measure([])).rejects.toThrow(/no models/);
    expect(() => resolveOptions({ batch: 0 })).toThrow('batch: expected an integer >= 1, got 0');
    expect(() => resolveOptions({ band: 2 })).toThrow('band: expected a fraction in [0, 1), e.g. 0.02, got 2');
    expect(() => resolveOptions({ precisionTarget: 0 })).toThrow(/precision-target/);
    expect(() => resolveOptions({ ep: 'tpu' as never })).toThrow('ep: expected cpu | cuda | tensorrt | webgpu, got "tpu"');
    expect(resolveOptions({}, 6).threads).toBe(5);
    expect(resolveOptions({}, 1).threads).toBe(1);
    expect(resolveOptions({ threads: undefined }, 3).threads).toBe(2);
  });

  it('hasConverged: one model uses the median CI, several use every ratio CI', () => {
    const tight = Array.from({ length: 200 }, (_, i) => 10 + (i % 5) * 0.01);
    const loose = Array.from({ length: 200 }, (_, i) => 10 + (i % 7) * 3);
    expect(hasConverged([tight], 0.01, 1)).toBe(true);
    expect(hasConverged([loose], 0.01, 1)).toBe(false);
    expect(hasConverged([tight, tight], 0.01, 1)).toBe(true);
    expect(hasConverged([tight, tight, loose], 0.01, 1)).toBe(false);
    // A zero-latency base (a broken timer) gives a NaN width: never converged.
    expect(hasConverged([tight.map(() => 0), tight], 0.01, 1)).toBe(false);
    expect(hasConverged([tight.map(() => 0)], 0.01, 1)).toBe(false);
  });

  it('hasConverged: an interval within the target that straddles a band edge keeps sampling', () => {
    // Base 10 ms; model 2.2% slower with jitter: the ratio's interval is about [1.014, 1.031], within +-1%.
    const base = Array.from({ length: 60 }, (_, i) => 10 * (1 + ((i * 7) % 13 - 6) * 0.0025));
    const edge = base.map((b, i) => 10.22 * (1 + ((i * 5) % 11 - 5) * 0.004));
    expect(hasConverged([base, edge], 0.01, 1)).toBe(true);
    expect(hasConverged([base, edge], 0.01, 1, undefined, 0.02)).toBe(false);
    // Right at the edge no amount of sampling decides: it stops once the half-width is a quarter of the target.
    const many = (xs: number[]) => Array.from({ length: 30 }, () => xs).flat();
    expect(hasConverged([many(base), many(edge)], 0.01, 1, undefined, 0.02)).toBe(true);
    // A clear verdict stops at the precision target as before.
    expect(hasConverged([base, base.map((b) => b * 1.1)], 0.01, 1, undefined, 0.02)).toBe(true);
  });
});

describe('roofline through the engine (synthetic device with known roofs)', () => {
  it('places a config under a 100 GFLOP/s, 10 GB/s roofline from its counts and median', async () => {
    const b0 = loadArchConfig(path.join(__dirname, '..', 'fixtures', 'archs', 'efficientnet-b0.yaml'));
    const clock = new FakeClock();
    const device = syntheticDevice(clock, {
      b0: { latency: 10 },
      // 2 x 1024^3 FLOP at 100 GFLOP/s; 3 x 2^23 x 4 bytes at 10 GB/s.
      'roofline-matmul': { latency: (2 * 1024 ** 3) / 100e9 * 1000 },
      'roofline-add': { latency: (3 * 2 ** 23 * 4) / 10e9 * 1000 },
    });
    const built: string[] = [];
    const measurer = createMeasurer({ sessions: device.factory, clock, host, buildConfig: (config) => (built.push(config.name), new Uint8Array()) });
    const r = await measurer.measure([{ kind: 'config', name: 'b0', config: b0 }], { roofline: true, budgetSeconds: 5 });
    expect(built).toEqual([b0.name]);
    expect(r.roofline?.peak_gflops).toBeCloseTo(100, 6);
    expect(r.roofline?.bandwidth_gbs).toBeCloseTo(10, 6);
    expect(r.roofline?.ridge_flops_per_byte).toBeCloseTo(10, 6);
    const stats = countConfig(b0, 'fp32');
    const q = r.models[0].roofline!;
    expect(q.macs).toBe(stats.macs);
    expect(q.achieved_gflops).toBeCloseTo((2 * stats.macs) / 0.01 / 1e9, 6);
    expect(q.intensity).toBeCloseTo(stats.intensity, 9);
    expect(q.bound).toBe(stats.intensity < 10 ? 'memory' : 'compute');
  });
});

describe('engine with onnxruntime on the CPU', () => {
  it('measures two tiny graphs end to end with a small budget', async () => {
    const tiny = (extra: boolean) => {
      const g = new GraphBuilder('fp32');
      g.input('input', [1, 8, 16, 16]);
      const r = g.node('Relu', ['input']);
      g.node(extra ? 'Sigmoid' : 'Identity', [r], {}, 'output');
      g.output('output', [1, 8, 16, 16]);
      return g.toBytes('tiny');
    };
    const r = await createMeasurer().measure(
      [{ kind: 'bytes', name: 'a', bytes: tiny(false) }, { kind: 'bytes', name: 'b', bytes: tiny(true) }],
      { budgetSeconds: 3, threads: 1 },
    );
    expect(r.models.map((m) => m.name)).toEqual(['a', 'b']);
    for (const m of r.models) {
      expect(m.samples).toBeGreaterThanOrEqual(20);
      expect(m.median_ms).toBeGreaterThan(0);
      expect(m.session_ms).toBeGreaterThan(0);
      expect(m.inputs).toEqual([{ name: 'input', type: 'float32', dims: [1, 8, 16, 16] }]);
    }
    expect(r.ratios).toHaveLength(1);
    expect(['slower', 'faster', 'same', 'inconclusive']).toContain(r.ratios[0].verdict);
    expect(r.target.fingerprint.threads).toBe(1);
    expect(r.wall_s).toBeLessThan(10);
  });
});
