/** A deterministic Measurer for tests: latency per model name, a fixed relative CI half-width per model. */
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, Target } from '../../src/measure/types';

export const FAKE_TARGET: Target = {
  key: 'cpu-fake0001',
  label: 'cpu · Fake CPU x2 · ort 1.30.0 · b1 fp32',
  fingerprint: {
    cpu: 'Fake CPU', cores: 2, memory_gb: 8, os: 'linux-x64', node: 'v20', onnxruntime: '1.30.0',
    provider: 'cpu', threads: 2, batch: 1, precision: 'fp32',
  },
};

export interface FakeSpec {
  /** Median latency per model name, ms. */
  latency: Record<string, number>;
  /** Relative half-width of each ratio's 95% CI (default 0.01). */
  ratioHalfWidth?: Record<string, number>;
  target?: Target;
}

export class FakeMeasurer implements Measurer {
  readonly calls: { names: string[]; options?: Partial<MeasureOptions> }[] = [];
  constructor(private readonly spec: FakeSpec) {}

  async measure(models: ModelInput[], options?: Partial<MeasureOptions>): Promise<MeasureResult> {
    this.calls.push({ names: models.map((m) => m.name), options });
    const lat = (name: string) => {
      const v = this.spec.latency[name];
      if (v === undefined) throw new Error(`fake measurer: no latency for ${name}`);
      return v;
    };
    const base = lat(models[0].name);
    return {
      target: this.spec.target ?? FAKE_TARGET,
      models: models.map((m) => {
        const median = lat(m.name);
        return {
          name: m.name, median_ms: median, mean_ms: median, p90_ms: median * 1.05, p99_ms: median * 1.1, mad_ms: median * 0.01, cv: 0.01,
          ci95_ms: [median * 0.99, median * 1.01] as [number, number], samples: 50, outliers: 0, session_ms: 10, first_run_ms: median * 2,
          warmup_runs: 5, raw_ms: [],
        };
      }),
      ratios: models.slice(1).map((m) => {
        const ratio = lat(m.name) / base;
        const w = this.spec.ratioHalfWidth?.[m.name] ?? 0.01;
        return { model: m.name, vs: models[0].name, ratio, ci95: [ratio * (1 - w), ratio * (1 + w)] as [number, number], verdict: 'inconclusive' as const };
      }),
      budget_exhausted: false,
      rounds: 50,
      wall_s: 1,
    };
  }
}
