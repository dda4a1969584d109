/**
 * Check results of every verdict kind, from the bundled zoo store and fixture candidates with latencies
 * made up for this machine (through the shared fake result): what the report tests render and check.
 */
import * as path from 'node:path';
import { loadArchConfig } from '../../src/arch/parse';
import type { ArchConfig } from '../../src/arch/types';
import { runCheck, type CheckOptions, type CheckReport } from '../../src/frontier/check';
import { readStoreFile } from '../../src/frontier/store';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput } from '../../src/measure/types';
import { FAKE_TARGET } from '../frontier.support/fake-measurer';
import { fakeResult } from './fake-result';
import { configModel } from '../../src/frontier/models';

const ROOT = path.join(__dirname, '../..');
export const ZOO_STORE = path.join(ROOT, 'fixtures/frontier/frontier.json');
const candidateConfig = (name: string) => loadArchConfig(path.join(ROOT, 'fixtures/candidates', `${name}.yaml`));

/** This machine's medians (ms) for the zoo; the stored latencies only choose which models are measured. */
export const ZOO_HERE: Record<string, number> = {
  'mobilenet-v2': 7.5, 'genet-light': 11.2, 'efficientnet-b0': 11.8, 'efficientnet-b1': 20.0, 'efficientnet-b2': 27.4,
  'efficientnet-b3': 48.8, 'efficientnet-x-b0': 21.2, 'genet-large': 82.6, 'genet-normal': 41.1, 'resnet-18': 33.5, 'resnet-50': 75.4,
};

/** A measurer with fixed medians and, per model, the relative half-width of its ratio to the candidate. */
export class StoryMeasurer implements Measurer {
  constructor(private readonly medians: Record<string, number>, private readonly halfWidth: Record<string, number> = {}) {}
  async measure(models: ModelInput[], options?: Partial<MeasureOptions>): Promise<MeasureResult> {
    void options;
    return fakeResult(models, models.map((m) => this.medians[m.name]), {
      target: FAKE_TARGET, ratioHalfWidth: (n) => this.halfWidth[n] ?? 0.01, rounds: 120, wallS: 12.5,
    });
  }
}

export interface Candidate {
  config: ArchConfig;
  file: string;
  /** Median here, ms. */
  ms: number;
  /** Relative half-widths of ratios to the candidate, per stored model. */
  halfWidth?: Record<string, number>;
}

const fixture = (name: string, ms: number, halfWidth?: Record<string, number>, top1?: number): Candidate => {
  const config = candidateConfig(name);
  return { config: top1 === undefined ? config : { ...config, accuracy: { ...config.accuracy, top1 } }, file: `fixtures/candidates/${name}.yaml`, ms, halfWidth };
};

export const CANDIDATES = {
  /** 71.0 at twice MobileNetV2's latency: dominated by it. */
  dominated: () => fixture('mobilenet-v2-deeper', 14.4),
  /** 70.7 and 25% faster than MobileNetV2: faster than every model at least as accurate. */
  newFrontier: () => fixture('mobilenet-v2-192', 5.6),
  /** The same network as MobileNetV2 (71.85 vs 71.878) and the same latency within noise. */
  pass: () => fixture('mobilenet-v2-retrained', 7.55),
  /** 1.5% slower than MobileNetV2 with an interval of ±5%: straddles the 3% line. */
  inconclusive: () => fixture('mobilenet-v2-retrained', 7.62, { 'mobilenet-v2': 0.05 }),
  /** 82.5: more accurate than every stored model by more than the tolerance. */
  mostAccurate: () => ({ ...fixture('mobilenet-v2-192', 40, undefined, 82.5), config: { ...candidateConfig('mobilenet-v2-192'), name: 'mobilenet-v2-xl', accuracy: { top1: 82.5 } } }),
  /** Faster than MobileNetV2, but only by 1-2%: within the tolerance. */
  newFrontierWithin: () => ({ ...fixture('mobilenet-v2-retrained', 7.39, { 'mobilenet-v2': 0.004 }) }),
};

export async function checkOf(cands: Candidate[], options: Partial<CheckOptions> = {}): Promise<CheckReport> {
  const medians = { ...ZOO_HERE };
  const halfWidth: Record<string, number> = {};
  for (const c of cands) {
    medians[c.config.name] = c.ms;
    Object.assign(halfWidth, c.halfWidth ?? {});
  }
  // One measurer per candidate: the gate measures each candidate in its own run.
  const store = readStoreFile(ZOO_STORE);
  const results: CheckReport[] = [];
  for (const c of cands) {
    const measurer = new StoryMeasurer(medians, c.halfWidth ?? {});
    results.push(await runCheck(store, [{ model: configModel(c.config), file: c.file }], { storeFile: 'fixtures/frontier/frontier.json', ...options }, { measurer }));
  }
  if (cands.length === 1) return results[0];
  const measurer = new StoryMeasurer(medians, halfWidth);
  return runCheck(store, cands.map((c) => ({ model: configModel(c.config), file: c.file })), { storeFile: 'fixtures/frontier/frontier.json', ...options }, { measurer });
}
