/** A deterministic Measurer for LACS tests: latency is a function of the config, ratios are exact. */
import * as path from 'node:path';
import { countConfig } from '../src/arch/counts';
import { lower } from '../src/arch/lower';
import { loadArchConfig } from '../src/arch/parse';
import type { ArchConfig } from '../src/arch/types';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, Target } from '../src/measure/types';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'archs');
export const loadFixture = (name: string) => loadArchConfig(path.join(FIXTURES, `${name}.yaml`));

export type LatencyModel = (config: ArchConfig) => number;

/** Latency proportional to MACs: 1 ms per 100 M multiply-adds. */
export const macsLatency: LatencyModel = (c) => countConfig(c).macs / 1e8;
/**
 * Each layer costs its MACs times its output size (a working set that spills out of cache as feature maps
 * grow): resolution enters as gamma^4, width as beta^3, depth only linearly.
 */
export const resolutionPunishingLatency: LatencyModel = (c) =>
  countConfig(c).layers.reduce((sum, l) => sum + l.macs * l.outShape.c * l.outShape.h * l.outShape.w, 0) / 1e15;
/** MACs times a steep depth penalty (per-layer launch overhead dominating). */
export const depthPunishingLatency: LatencyModel = (c) => macsLatency(c) * (lower(c).layers.length / 100) ** 4;

export const TARGET: Target = {
  key: 'fake-cpu',
  label: 'fake cpu',
  fingerprint: {
    cpu: 'fake', cores: 2, memory_gb: 8, os: 'test', node: process.version, onnxruntime: '0', provider: 'cpu', threads: 2, batch: 1, precision: 'fp32',
  },
};

export interface Call {
  names: string[];
  budgetSeconds?: number;
}

export class FakeMeasurer implements Measurer {
  readonly calls: Call[] = [];
  constructor(private readonly latency: LatencyModel = macsLatency, private readonly target: Target = TARGET) {}

  async measure(models: ModelInput[], options: Partial<MeasureOptions> = {}): Promise<MeasureResult> {
    this.calls.push({ names: models.map((m) => m.name), budgetSeconds: options.budgetSeconds });
    if (new Set(models.map((m) => m.name)).size !== models.length) throw new Error('duplicate model names in one call');
    const medians = models.map((m) => {
      if (m.kind !== 'config') throw new Error('fake measurer handles configs only');
      return this.latency(m.config);
    });
    return {
      target: this.target,
      models: models.map((m, i) => ({
        name: m.name, median_ms: medians[i], mean_ms: medians[i], p90_ms: medians[i], p99_ms: medians[i], mad_ms: 0, cv: 0,
        ci95_ms: [medians[i] * 0.99, medians[i] * 1.01], samples: 50, outliers: 0, session_ms: 1, first_run_ms: medians[i], warmup_runs: 5, raw_ms: [],
      })),
      ratios: models.slice(1).map((m, i) => {
        const ratio = medians[i + 1] / medians[0];
        return { model: m.name, vs: models[0].name, ratio, ci95: [ratio * 0.995, ratio * 1.005] as [number, number], verdict: 'same' as const };
      }),
      budget_exhausted: false,
      rounds: 50,
      wall_s: 0.01,
    };
  }

  /** How many distinct networks (by name) were measured outside the family call. */
  get measuredNames(): Set<string> {
    const out = new Set<string>();
    for (const call of this.calls) for (const n of call.names) out.add(n);
    return out;
  }
}
