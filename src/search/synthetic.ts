/**
 * A synthetic device: a Measurer whose latency is a known function of the network's layers, so profiling,
 * reduction and search can be tested against ground truth. Each layer costs MACs and activation traffic
 * plus a fixed launch overhead; blocks with a listed kernel cost a multiple (the default makes kernel 7
 * cost twice, like the NPU in Mills et al.). Noise is multiplicative and seeded by the network, so the
 * same network gets the same samples in any call, any shard, any order.
 */
import { countConfig } from '../arch/counts';
import type { ArchConfig } from '../arch/types';
import { largestKernel } from '../arch/types';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, ModelMeasurement, RatioResult, Target } from '../measure/types';
import { networkHash } from '../arch/identity';
import { derive, seeded } from '../util/random';

export interface SyntheticDevice {
  msPerGMac: number;
  msPerMByte: number;
  overheadMs: number;
  /** Cost multiplier of every layer of a block with this kernel. */
  kernelCost: Record<number, number>;
  /** Relative noise (sigma of the log) per sample. */
  noise: number;
  samples: number;
  seed: number;
}

export const DEFAULT_SYNTHETIC: SyntheticDevice = {
  msPerGMac: 20,
  msPerMByte: 0.05,
  overheadMs: 0.004,
  kernelCost: { 7: 2 },
  noise: 0.01,
  samples: 15,
  seed: 7,
};

/** The device's noiseless latency of a config, in ms. */
export function syntheticLatency(config: ArchConfig, device: SyntheticDevice = DEFAULT_SYNTHETIC): number {
  const stats = countConfig(config, 'fp32');
  let ms = 0;
  for (const layer of stats.layers) {
    let cost = (layer.macs / 1e9) * device.msPerGMac + (layer.activationBytes / 1e6) * device.msPerMByte + device.overheadMs;
    const stage = layer.where.stage !== undefined ? config.stages[layer.where.stage] : undefined;
    if (stage) cost *= device.kernelCost[largestKernel(stage.kernel)] ?? 1;
    ms += cost;
  }
  return ms;
}

const TARGET: Target = {
  key: 'synthetic',
  label: 'synthetic device (kernel-dependent cost)',
  fingerprint: {
    cpu: 'synthetic', cores: 1, memory_gb: 0, os: 'none', node: process.version, onnxruntime: 'none', provider: 'cpu',
    threads: 1, batch: 1, precision: 'fp32',
  },
};

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export class SyntheticMeasurer implements Measurer {
  /** Networks measured so far (each model of each call). */
  measured = 0;
  calls = 0;

  constructor(readonly device: SyntheticDevice = DEFAULT_SYNTHETIC) {}

  async measure(models: ModelInput[], _options?: Partial<MeasureOptions>): Promise<MeasureResult> {
    this.calls++;
    const out: ModelMeasurement[] = models.map((m) => {
      if (m.kind !== 'config') throw new Error('the synthetic device measures configs only');
      this.measured++;
      const base = syntheticLatency(m.config, this.device);
      const rand = seeded(derive(this.device.seed, networkHash(m.config)));
      const raw = Array.from({ length: this.device.samples }, () => {
        const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
        return base * Math.exp(this.device.noise * z);
      });
      const sorted = [...raw].sort((a, b) => a - b);
      const median = quantile(sorted, 0.5);
      const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
      const mad = quantile([...raw.map((x) => Math.abs(x - median))].sort((a, b) => a - b), 0.5);
      const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / (raw.length - 1));
      const half = (1.96 * 1.2533 * sd) / Math.sqrt(raw.length);
      return {
        name: m.name, median_ms: median, mean_ms: mean, p90_ms: quantile(sorted, 0.9), p99_ms: quantile(sorted, 0.99), mad_ms: mad,
        cv: sd / mean, ci95_ms: [median - half, median + half], samples: raw.length, outliers: 0, session_ms: 0, first_run_ms: median,
        warmup_runs: 0, raw_ms: raw,
      };
    });
    const ratios: RatioResult[] = out.slice(1).map((m) => {
      const ratio = m.median_ms / out[0].median_ms;
      const rel = Math.hypot(m.cv, out[0].cv) * 1.96 / Math.sqrt(this.device.samples);
      return { model: m.name, vs: out[0].name, ratio, ci95: [ratio * (1 - rel), ratio * (1 + rel)], verdict: Math.abs(ratio - 1) < 0.02 ? 'same' : ratio > 1 ? 'slower' : 'faster' };
    });
    return { target: TARGET, models: out, ratios, budget_exhausted: false, rounds: this.device.samples, wall_s: 0 };
  }
}

/**
 * A synthetic accuracy proxy for tests of search: rises with expansion, depth, width and resolution (as
 * accuracy does in the OFA spaces), with diminishing returns, and (as on the NPU) nothing from kernel 7
 * over kernel 5.
 */
export function syntheticProxy(config: ArchConfig): number {
  let score = 2 * Math.log(config.resolution);
  for (const s of config.stages) {
    const k = Math.min(largestKernel(s.kernel), 5);
    score += s.repeats * (0.35 * Math.log(1 + s.expand) + 0.15 * Math.log(k) + 0.1 * Math.log(s.channels));
  }
  return score;
}
