/**
 * Store updates: what record, sweep and merge hand the store (one change per record and target), how a
 * measurement becomes a stored one, and applying updates to a store object. The CLI applies them to a
 * freshly re-read store under the lock and the action to the store at the branch head (StoreAccess), so
 * concurrent writers lose nothing.
 */
import type { ArchConfig } from '../arch/types';
import type { Fingerprint, ModelMeasurement, Target } from '../measure/types';
import { mergeHistory, ownEntry, setEntry, STORE_VERSION, type FrontierStore, type HistoryEntry, type StoredAccuracy, type StoredLacs, type StoredMeasurement } from './store';

/** One change to apply to a store: add or update a record and its measurement on one target. */
export interface RecordUpdate {
  name: string;
  config: ArchConfig;
  config_hash: string;
  /** undefined: keep the stored accuracy. */
  accuracy?: StoredAccuracy | null;
  target: string;
  label: string;
  measurement: StoredMeasurement;
  /** Sweep: apply only if the record still has this config (it may have changed while we measured). */
  requireSameConfig?: boolean;
  /** LACS coefficients recomputed for a `family: base` config, filed under their own target key. */
  lacs?: { target: string; entry: StoredLacs };
}

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

const historyEntry = (m: StoredMeasurement): HistoryEntry => ({ date: m.date, commit: m.commit, median_ms: m.median_ms, ci95_ms: m.ci95_ms, samples: m.samples });

/**
 * Applies updates to a store (a new object; the input is not changed). A changed config replaces the
 * record's config and drops its old measurements: they belong to another network.
 */
export function applyRecordUpdates(store: FrontierStore, updates: readonly RecordUpdate[]): FrontierStore {
  const records = store.records.map((r) => ({ ...r, targets: { ...r.targets } }));
  for (const u of updates) {
    let rec = records.find((r) => r.name === u.name);
    if (u.requireSameConfig && rec?.config_hash !== u.config_hash) continue;
    if (!rec) {
      rec = { name: u.name, accuracy: u.accuracy ?? null, config_hash: u.config_hash, config: u.config, targets: {} };
      records.push(rec);
    }
    if (rec.config_hash !== u.config_hash) {
      rec.config = u.config;
      rec.config_hash = u.config_hash;
      rec.targets = {};
    }
    if (u.accuracy !== undefined) rec.accuracy = u.accuracy;
    const prev = ownEntry(rec.targets, u.target);
    setEntry(rec.targets, u.target, {
      label: u.label,
      latest: prev && Date.parse(prev.latest.date) > Date.parse(u.measurement.date) ? prev.latest : u.measurement,
      history: mergeHistory(prev?.history ?? [], [historyEntry(u.measurement)]),
    });
    // Kept when the config changes: each entry names the base version it was searched for.
    if (u.lacs) rec.lacs = { ...rec.lacs, [u.lacs.target]: u.lacs.entry };
  }
  return { version: STORE_VERSION, records };
}
