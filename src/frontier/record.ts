/**
 * record: measure configs in one interleaved run and turn the measurements into store updates (applied by
 * the caller's StoreAccess). LACS coefficients of a `family: base` config are composed by the command
 * (src/commands/gate-lacs.ts) on the store with these updates.
 */
import { UserError } from '../errors';
import type { MeasureOptions } from '../measure/types';
import { measurementOf, type GateDeps } from './measuring';
import { modelCounter, modelInput, recordFields, type GateModel } from './models';
import { assertStorable, modelKey, ownEntry, type FrontierRecord, type FrontierStore, type Provenance, type StoredAccuracy, type StoredOnnx } from './store';
import { applyRecordUpdates, storedMeasurement, type RecordUpdate } from './updates';

export interface RecordInput {
  model: GateModel;
  file?: string;
  /** From --accuracy, --metrics or a model card; else the config's own (configs, published results). */
  accuracy?: number;
  accuracySource?: string;
  accuracyDataset?: string | null;
}

export interface RecordOptions {
  budgetSeconds: number;
  measure?: Partial<MeasureOptions>;
  storeFile?: string;
}

export interface RecordRow {
  name: string;
  file?: string;
  provenance: Provenance;
  /** An .onnx model: its repository path and inputs as measured, with how each symbolic dim was fixed. */
  onnx?: Pick<StoredOnnx, 'path' | 'input' | 'fixed'>;
  /**
   * added; updated (the same network); config-changed / network-changed (another network under the name:
   * earlier measurements dropped); re-exported (an .onnx file with other bytes but the same network: kept).
   */
  action: 'added' | 'updated' | 'config-changed' | 'network-changed' | 're-exported';
  accuracy: number | null;
  /** Where the stored top-1 comes from and its dataset (a config, a metrics file, a model card, a published result). */
  accuracy_source: string | null;
  accuracy_dataset: string | null;
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

/** The accuracy a record stores: the one given (flags, a model card), else the config's own; none for an .onnx model without one. */
export function accuracyFor(input: Pick<RecordInput, 'model' | 'accuracy' | 'accuracySource' | 'accuracyDataset'>): StoredAccuracy | undefined {
  const own = input.model.config?.accuracy;
  if (input.accuracy !== undefined) return { top1: input.accuracy, dataset: input.accuracyDataset ?? own?.dataset ?? null, source: input.accuracySource ?? '--accuracy' };
  return own ? { top1: own.top1, dataset: own.dataset ?? null, source: own.source ?? null } : undefined;
}

/** What recording does to a stored record of the same name. */
function actionOf(existing: FrontierRecord | undefined, fields: ReturnType<typeof recordFields>): RecordRow['action'] {
  if (!existing) return 'added';
  if (modelKey(existing) !== modelKey(fields)) return fields.onnx || existing.onnx ? 'network-changed' : 'config-changed';
  return existing.onnx && fields.onnx && existing.onnx.sha256 !== fields.onnx.sha256 ? 're-exported' : 'updated';
}

/** Measures the models in one interleaved run and returns the store updates (and the store with them). */
export async function runRecord(
  store: FrontierStore,
  inputs: readonly RecordInput[],
  options: RecordOptions,
  deps: GateDeps,
): Promise<{ report: RecordReport; store: FrontierStore; updates: RecordUpdate[] }> {
  if (!inputs.length) throw new UserError('record: give at least one config, .onnx model or --zoo model');
  const names = new Map<string, string>();
  for (const i of inputs) {
    const other = names.get(i.model.name);
    if (other !== undefined) throw new UserError(`record: ${other} and ${i.file ?? i.model.name} are both named ${JSON.stringify(i.model.name)}; names key the store's records and must differ`);
    names.set(i.model.name, i.file ?? i.model.name);
    assertStorable({ name: i.model.name, ...recordFields(i.model), accuracy: accuracyFor(i) ?? null, targets: {} }, i.model.config ? i.file : undefined);
    // A stored .onnx record of another file, or a config record, keeps its name: recording this model would
    // replace it and drop its history.
    const stored = store.records.find((r) => r.name === i.model.name);
    if (stored?.onnx && i.model.onnx && stored.onnx.path !== i.model.onnx.path) {
      throw new UserError(
        `${i.file ?? i.model.onnx.path}: the store's record ${JSON.stringify(stored.name)} is ${stored.onnx.path}; ` +
          `this file would take its name: rename one of the files (records are named by their file name)`,
      );
    }
    if (stored && stored.provenance !== i.model.provenance && (stored.onnx || i.model.onnx)) {
      throw new UserError(
        `${i.file ?? i.model.name}: the store's record ${JSON.stringify(stored.name)} is ${stored.onnx ? `an .onnx record (${stored.onnx.path})` : `a ${stored.provenance} record`}; ` +
          `this ${i.model.provenance === 'onnx' ? '.onnx model' : 'config'} would take its name: rename one of them (an .onnx record is named by its file name, a config by its name)`,
      );
    }
  }
  const result = await deps.measurer.measure(inputs.map((i) => modelInput(i.model)), { ...options.measure, budgetSeconds: options.budgetSeconds });
  const date = (deps.now ?? (() => new Date()))();
  const counts = modelCounter(options.measure?.precision ?? 'fp32');
  const updates: RecordUpdate[] = [];
  const rows: RecordRow[] = [];
  for (const i of inputs) {
    const fields = recordFields(i.model);
    const measurement = storedMeasurement(measurementOf(result, i.model.name), result.target, date, deps.commit);
    const accuracy = accuracyFor(i);
    updates.push({ name: i.model.name, model: fields, ...(accuracy ? { accuracy } : {}), target: result.target.key, label: result.target.label, measurement });
    const existing = store.records.find((r) => r.name === i.model.name);
    const action = actionOf(existing, fields);
    const stats = counts(i.model);
    rows.push({
      name: i.model.name, ...(i.file ? { file: i.file } : {}), provenance: i.model.provenance, action,
      ...(fields.onnx ? { onnx: { path: fields.onnx.path, input: fields.onnx.input, fixed: fields.onnx.fixed } } : {}),
      accuracy: accuracy?.top1 ?? existing?.accuracy?.top1 ?? null,
      accuracy_source: (accuracy ?? existing?.accuracy)?.source ?? null,
      accuracy_dataset: (accuracy ?? existing?.accuracy)?.dataset ?? null,
      latency_ms: measurement.median_ms, ci95_ms: measurement.ci95_ms,
      previous_ms: existing && (action === 'updated' || action === 're-exported') ? (ownEntry(existing.targets, result.target.key)?.latest.median_ms ?? null) : null,
      params: stats.params, macs: stats.macs,
    });
  }
  const report: RecordReport = { command: 'record', target: { key: result.target.key, label: result.target.label }, rows, ...(options.storeFile ? { store: options.storeFile } : {}) };
  return { report, store: applyRecordUpdates(store, updates), updates };
}
