/**
 * A deterministic Measurer for the action's in-process tests: latency proportional to a config's (or .onnx model's) MACs
 * (so a big network is slow, as on a real CPU), a fixed ±1% interval, one fake target.
 */
import { countConfig } from '../src/arch/counts';
import { inspectOnnx } from '../src/onnx/inspect';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, Target } from '../src/measure/types';
import { fakeResult } from './support/fake-result';

export const ACTION_FAKE_TARGET: Target = {
  key: 'cpu-actionfake',
  label: 'cpu · Action Fake CPU x2 · onnxruntime 1.30.0 · 2 threads · batch 1 · fp32',
  fingerprint: {
    cpu: 'Action Fake CPU', cores: 2, memory_gb: 8, os: 'linux-x64', node: 'v20', onnxruntime: '1.30.0',
    provider: 'cpu', threads: 2, batch: 1, precision: 'fp32',
  },
};

export class MacsMeasurer implements Measurer {
  readonly calls: { names: string[]; options?: Partial<MeasureOptions> }[] = [];
  /**
   * `scale` multiplies every latency (the runner "gets slower"); `models` multiplies one model's own (that
   * model really got slower, below the store).
   */
  constructor(
    private readonly scale = 1,
    private readonly models: Record<string, number> = {},
  ) {}

  latencyOf(model: ModelInput): number {
    // An .onnx model is read as the real measurer reads it (the reader, inference and counts).
    if (model.kind === 'onnx') return (inspectOnnx(model.path, { resolution: model.resolution }).stats.macs / 1e8) * this.scale;
    if (model.kind !== 'config') throw new Error('MacsMeasurer measures configs and .onnx files');
    return (countConfig(model.config, 'fp32').macs / 1e8) * this.scale;
  }

  async measure(models: ModelInput[], options?: Partial<MeasureOptions>): Promise<MeasureResult> {
    this.calls.push({ names: models.map((m) => m.name), options });
    return fakeResult(models, models.map((m) => this.latencyOf(m) * (this.models[m.name] ?? 1)), { target: ACTION_FAKE_TARGET, rounds: 40 });
  }
}
