/**
 * A deterministic Measurer for the action's in-process tests: latency proportional to a config's MACs
 * (so a big network is slow, as on a real CPU), a fixed ±1% interval, one fake target.
 */
import { countConfig } from '../src/arch/counts';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, Target } from '../src/measure/types';

export const ACTION_FAKE_TARGET: Target = {
  key: 'cpu-actionfake',
  label: 'cpu · Action Fake CPU x2 · ort 1.30.0 · b1 fp32',
  fingerprint: {
    cpu: 'Action Fake CPU', cores: 2, memory_gb: 8, os: 'linux-x64', node: 'v20', onnxruntime: '1.30.0',
    provider: 'cpu', threads: 2, batch: 1, precision: 'fp32',
  },
};

export class MacsMeasurer implements Measurer {
  readonly calls: { names: string[]; options?: Partial<MeasureOptions> }[] = [];
  /** Multiplies every latency: a sweep can then see the runner "get slower". */
  constructor(private readonly scale = 1) {}

  latencyOf(model: ModelInput): number {
    if (model.kind !== 'config') throw new Error('MacsMeasurer measures configs only');
    return (countConfig(model.config, 'fp32').macs / 1e8) * this.scale;
  }

  async measure(models: ModelInput[], options?: Partial<MeasureOptions>): Promise<MeasureResult> {
    this.calls.push({ names: models.map((m) => m.name), options });
    const lat = models.map((m) => this.latencyOf(m));
    return {
      target: ACTION_FAKE_TARGET,
      models: models.map((m, i) => ({
        name: m.name, median_ms: lat[i], mean_ms: lat[i], p90_ms: lat[i] * 1.02, p99_ms: lat[i] * 1.05, mad_ms: lat[i] * 0.005, cv: 0.01,
        ci95_ms: [lat[i] * 0.99, lat[i] * 1.01] as [number, number], samples: 40, outliers: 0, session_ms: 5, first_run_ms: lat[i] * 2,
        warmup_runs: 3, raw_ms: [],
      })),
      ratios: models.slice(1).map((m, i) => {
        const ratio = lat[i + 1] / lat[0];
        return { model: m.name, vs: models[0].name, ratio, ci95: [ratio * 0.99, ratio * 1.01] as [number, number], verdict: 'inconclusive' as const };
      }),
      budget_exhausted: false,
      rounds: 40,
      wall_s: 0.01,
    };
  }
}
