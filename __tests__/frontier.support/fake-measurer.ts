/** A deterministic Measurer for tests: latency per model name, a fixed relative CI half-width per model. */
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, Target } from '../../src/measure/types';
import { fakeResult } from '../support/fake-result';

export const FAKE_TARGET: Target = {
  key: 'cpu-fake0001',
  label: 'cpu · Fake CPU x2 · onnxruntime 1.30.0 · 2 threads · batch 1 · fp32',
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
    return fakeResult(models, models.map((m) => lat(m.name)), {
      target: this.spec.target ?? FAKE_TARGET,
      ratioHalfWidth: (name) => this.spec.ratioHalfWidth?.[name] ?? 0.01,
      wallS: 1,
    });
  }
}
