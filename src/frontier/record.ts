/**
 * record: measure configs in one interleaved run and turn the measurements into store updates (applied by
 * the caller's StoreAccess). LACS coefficients of a `family: base` config are composed by the command
 * (src/commands/gate-lacs.ts) on the store with these updates.
 */
import { countConfig } from '../arch/counts';
import type { ArchConfig } from '../arch/types';
import { UserError } from '../errors';
import type { MeasureOptions } from '../measure/types';
import { configInput, measurementOf, type GateDeps } from './measuring';
import { assertStorable, configHash, newRecord, ownEntry, storedConfig, type FrontierStore, type StoredAccuracy } from './store';
import { applyRecordUpdates, storedMeasurement, type RecordUpdate } from './updates';

export interface RecordInput {
  config: ArchConfig;
  file?: string;
  accuracy?: number;
  accuracySource?: string;
}

export interface RecordOptions {
  budgetSeconds: number;
  measure?: Partial<MeasureOptions>;
  storeFile?: string;
}

export interface RecordRow {
  name: string;
  file?: string;
  action: 'added' | 'updated' | 'config-changed';
  accuracy: number | null;
  latency_ms: number;
  ci95_ms: [number, number];
  previous_ms: number | null;
  params: number;
  macs: number;
}

export interface RecordReport {
  command: 'record';
  target: { key: string; label: string };
  rows: RecordRow[];
  /** The store written; undefined when the caller keeps the result elsewhere (the action commits it). */
  store?: string;
}

function accuracyFor(input: RecordInput): StoredAccuracy | undefined {
  if (input.accuracy !== undefined) return { top1: input.accuracy, dataset: input.config.accuracy?.dataset ?? null, source: input.accuracySource ?? '--accuracy' };
  const a = input.config.accuracy;
  return a ? { top1: a.top1, dataset: a.dataset ?? null, source: a.source ?? null } : undefined;
}

/** Measures the configs in one interleaved run and returns the store updates (and the store with them). */
export async function runRecord(
  store: FrontierStore,
  inputs: readonly RecordInput[],
  options: RecordOptions,
  deps: GateDeps,
): Promise<{ report: RecordReport; store: FrontierStore; updates: RecordUpdate[] }> {
  if (!inputs.length) throw new UserError('record: give at least one config');
  const names = new Set<string>();
  for (const i of inputs) {
    if (names.has(i.config.name)) throw new UserError(`record: two configs are named ${JSON.stringify(i.config.name)}; names must differ`);
    names.add(i.config.name);
    assertStorable(newRecord(i.config, accuracyFor(i) ?? null), i.file);
  }
  const result = await deps.measurer.measure(inputs.map((i) => configInput(i.config.name, i.config)), { ...options.measure, budgetSeconds: options.budgetSeconds });
  const date = (deps.now ?? (() => new Date()))();
  const updates: RecordUpdate[] = [];
  const rows: RecordRow[] = [];
  for (const i of inputs) {
    const config = storedConfig(i.config);
    const hash = configHash(config);
    const measurement = storedMeasurement(measurementOf(result, i.config.name), result.target, date, deps.commit);
    const accuracy = accuracyFor(i);
    updates.push({ name: i.config.name, config, config_hash: hash, ...(accuracy ? { accuracy } : {}), target: result.target.key, label: result.target.label, measurement });
    const existing = store.records.find((r) => r.name === i.config.name);
    const stats = countConfig(i.config, options.measure?.precision ?? 'fp32');
    rows.push({
      name: i.config.name, ...(i.file ? { file: i.file } : {}),
      action: !existing ? 'added' : existing.config_hash !== hash ? 'config-changed' : 'updated',
      accuracy: accuracy?.top1 ?? existing?.accuracy?.top1 ?? null,
      latency_ms: measurement.median_ms, ci95_ms: measurement.ci95_ms,
      previous_ms: existing && existing.config_hash === hash ? (ownEntry(existing.targets, result.target.key)?.latest.median_ms ?? null) : null,
      params: stats.params, macs: stats.macs,
    });
  }
  const report: RecordReport = { command: 'record', target: { key: result.target.key, label: result.target.label }, rows, ...(options.storeFile ? { store: options.storeFile } : {}) };
  return { report, store: applyRecordUpdates(store, updates), updates };
}
