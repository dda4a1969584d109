/**
 * Store updates: what record, sweep and merge hand the store (one change per record and target), how a
 * measurement becomes a stored one, and applying updates to a store object. The CLI applies them to a
 * freshly re-read store under the lock and the action to the store at the branch head (StoreAccess), so
 * concurrent writers lose nothing.
 */
import type { Fingerprint, ModelMeasurement, Target } from '../measure/types';
import { mergeHistory, modelKey, ownEntry, setEntry, STORE_VERSION, type DriftBaseline, type FrontierRecord, type FrontierStore, type HistoryEntry, type StoredAccuracy, type StoredLacs, type StoredMeasurement } from './store';

/** What a record's model is: its provenance and its config and hash, .onnx file, or published result. */
export type RecordModel = Pick<FrontierRecord, 'provenance' | 'config_hash' | 'config' | 'onnx' | 'published'>;

/** One change to apply to a store: add or update a record and its measurement on one target. */
export interface RecordUpdate {
  name: string;
  model: RecordModel;
  /** undefined: keep the stored accuracy. */
  accuracy?: StoredAccuracy | null;
  target: string;
  label: string;
  measurement: StoredMeasurement;
  /** Sweep: apply only if the record still holds this network (it may have changed while we measured). */
  requireSameModel?: boolean;
  /** LACS coefficients recomputed for a `family: base` config, filed under their own target key. */
  lacs?: { target: string; entry: StoredLacs };
}

/** accept-drift: a new drift baseline for a record's existing target entry (nothing measured). */
export interface BaselineUpdate {
  name: string;
  target: string;
  baseline: DriftBaseline;
}

export type StoreUpdate = RecordUpdate | BaselineUpdate;

const isBaseline = (u: StoreUpdate): u is BaselineUpdate => 'baseline' in u && !('measurement' in u);

const round = (x: number, digits = 4) => +x.toFixed(digits);

const FINGERPRINT_KEYS: (keyof Fingerprint)[] = ['cpu', 'cores', 'memory_gb', 'os', 'node', 'onnxruntime', 'provider', 'gpu', 'driver', 'threads', 'batch', 'precision'];

export function storedMeasurement(m: ModelMeasurement, target: Target, date: Date, commit: string | undefined): StoredMeasurement {
  const fingerprint = {} as Record<string, unknown>;
  for (const k of FINGERPRINT_KEYS) if (target.fingerprint[k] !== undefined) fingerprint[k] = target.fingerprint[k];
  return {
    date: date.toISOString(), commit: commit ?? null,
    median_ms: round(m.median_ms), ci95_ms: [round(m.ci95_ms[0]), round(m.ci95_ms[1])], samples: m.samples,
    batch: target.fingerprint.batch, precision: target.fingerprint.precision, provider: target.fingerprint.provider,
    fingerprint: fingerprint as unknown as Fingerprint,
  };
}

const historyEntry = (m: StoredMeasurement): HistoryEntry => ({
  date: m.date, commit: m.commit, median_ms: m.median_ms, ci95_ms: m.ci95_ms, samples: m.samples,
  ...(m.anchor !== undefined ? { anchor: m.anchor } : {}),
  ...(m.ratio !== undefined ? { ratio: m.ratio, ratio_ci95: m.ratio_ci95 } : {}),
});

/**
 * Applies updates to a store (a new object; the input is not changed). Another network under a record's
 * name (a changed config, an .onnx file of another network) replaces the record's model and drops its old
 * measurements: they belong to another network. The same network (a re-export of an .onnx model) keeps them.
 */
export function applyRecordUpdates(store: FrontierStore, updates: readonly StoreUpdate[]): FrontierStore {
  const records = store.records.map((r) => ({ ...r, targets: { ...r.targets } }));
  for (const u of updates) {
    if (isBaseline(u)) {
      // Only where the record still has that target: a baseline of nothing is dropped, never invented.
      const rec = records.find((r) => r.name === u.name);
      const entry = rec && ownEntry(rec.targets, u.target);
      if (rec && entry) setEntry(rec.targets, u.target, { ...entry, baseline: u.baseline });
      continue;
    }
    let rec = records.find((r) => r.name === u.name);
    if (u.requireSameModel && (!rec || modelKey(rec) !== modelKey(u.model))) continue;
    if (!rec) {
      rec = { name: u.name, provenance: u.model.provenance, accuracy: u.accuracy ?? null, targets: {} };
      records.push(rec);
    } else if (modelKey(rec) !== modelKey(u.model)) {
      // Another network under this name: its measurements belong to the old one.
      rec.targets = {};
    }
    if (!u.requireSameModel) setModel(rec, u.model);
    if (u.accuracy !== undefined) rec.accuracy = u.accuracy;
    const prev = ownEntry(rec.targets, u.target);
    setEntry(rec.targets, u.target, {
      label: u.label,
      ...(prev?.baseline ? { baseline: prev.baseline } : {}),
      latest: prev && Date.parse(prev.latest.date) > Date.parse(u.measurement.date) ? prev.latest : u.measurement,
      history: mergeHistory(prev?.history ?? [], [historyEntry(u.measurement)]),
    });
    // Kept when the config changes: each entry names the base version it was searched for.
    if (u.lacs) rec.lacs = { ...rec.lacs, [u.lacs.target]: u.lacs.entry };
  }
  return { version: STORE_VERSION, records };
}

/** Replaces what a record's model is (a re-export of the same network keeps the record's measurements). */
function setModel(rec: FrontierRecord, model: RecordModel): void {
  for (const key of ['config_hash', 'config', 'onnx', 'published'] as const) delete rec[key];
  Object.assign(rec, Object.fromEntries(Object.entries(model).filter(([, v]) => v !== undefined)));
}
