/** A deterministic Measurer for LACS tests: latency is a function of the config, ratios are exact. */
import { checkWithLacs, recordWithLacs, type GateLacsOption } from '../src/commands/gate-lacs';
import { runCheck, type CheckCandidate, type CheckOptions } from '../src/frontier/check';
import type { GateDeps } from '../src/frontier/measuring';
import { runRecord, type RecordInput, type RecordOptions } from '../src/frontier/record';
import type { FrontierStore } from '../src/frontier/store';
import { applyRecordUpdates } from '../src/frontier/updates';
import * as path from 'node:path';
import { countConfig } from '../src/arch/counts';
import { lower } from '../src/arch/lower';
import { loadArchConfig } from '../src/arch/parse';
import type { ArchConfig } from '../src/arch/types';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, Target } from '../src/measure/types';
import { fakeResult } from './support/fake-result';

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
    return fakeResult(models, medians, { target: this.target, ratioHalfWidth: () => 0.005, verdict: 'same' });
  }

  /** How many distinct networks (by name) were measured outside the family call. */
  get measuredNames(): Set<string> {
    const out = new Set<string>();
    for (const call of this.calls) for (const n of call.names) out.add(n);
    return out;
  }
}

/** record as the command composes it: the frontier's record, then LACS for `family: base` configs (src/commands/gate-lacs.ts). */
export async function recordLacs(store: FrontierStore, inputs: RecordInput[], options: RecordOptions & { lacs?: GateLacsOption }, deps: GateDeps) {
  const { lacs = false, ...rest } = options;
  const recorded = await runRecord(store, inputs, rest, deps);
  const { result, updates } = await recordWithLacs(recorded.report, recorded.updates, store, inputs, { lacs, measure: rest.measure }, deps);
  return { report: result, updates, store: applyRecordUpdates(store, updates) };
}

/** check as the command composes it: the verdict, then LACS beside it for `family: base` candidates. */
export async function checkLacs(store: FrontierStore, candidates: CheckCandidate[], options: Partial<CheckOptions> & { lacs?: GateLacsOption }, deps: GateDeps) {
  const { lacs = false, ...rest } = options;
  const report = await runCheck(store, candidates, rest, deps);
  return checkWithLacs(report, store, candidates, { lacs, measure: rest.measure }, deps);
}
