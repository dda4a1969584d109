/**
 * The frontier store: one JSON file, versioned, validated on load and before every write (ajv,
 * ./store.schema.json, whose config part is generated from the architecture schema: a config the parser
 * accepts is a config the store accepts, and a stored config meets the parser's ranges before it is lowered).
 *
 * Safety rules: a store that fails validation or has an unknown version is an error and is never rewritten;
 * serializeStore refuses a store its next read would refuse; `record` refuses such a record before measuring;
 * writes go to a temp file in the same folder and are renamed over the store (atomic on POSIX); writers
 * hold a lock (src/util/fs.ts withFileLock) around re-read + merge + write, so concurrent `record` runs lose nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { canonicalJson, configHash } from '../arch/identity';
import { ARCH_CONFIG_SCHEMA, cloneSchema, storedConfigSchema } from '../arch/schema';
import { EXCERPT_CHARS, quoteValue } from '../util/describe';
import type { ArchConfig } from '../arch/types';
import { checkSemantics, didYouMean, formatFieldPath, locateInFile } from '../arch/parse';
import { ConfigError, UserError } from '../errors';
import { PROVIDER_NAMES } from '../measure/providers';
import type { ExecutionProvider, Fingerprint, Precision } from '../measure/types';
import { checkOutputPath, FileInputError, readRegularText, withFileLock, writeFileAtomic, type LockOptions } from '../util/fs';
import { migrateOnRead, type Json } from '../util/versioned';
import { parseJson } from '../util/json';
import { STORE_FORMAT, STORE_VERSION } from './migrate';
import storeSchemaFile from './store.schema.json';

export { STORE_VERSION } from './migrate';
/** History entries kept per record and target; older ones are dropped so the file stays bounded. */
export const HISTORY_LIMIT = 20;
export const DEFAULT_STORE_PATH = '.frontier/frontier.json';

export interface StoredAccuracy {
  top1: number;
  dataset: string | null;
  source: string | null;
}

export interface StoredMeasurement {
  date: string;
  commit: string | null;
  median_ms: number;
  ci95_ms: [number, number];
  samples: number;
  batch: number;
  precision: Precision;
  provider: ExecutionProvider;
  fingerprint: Fingerprint;
  /** The sweep's anchor this model was measured side by side with, and the ratio (frontier/drift.ts). */
  anchor?: string;
  ratio?: number;
  ratio_ci95?: [number, number];
}

/** A compact past measurement, kept for drift. The latest measurement is also the last history entry. */
export interface HistoryEntry {
  date: string;
  commit: string | null;
  median_ms: number;
  ci95_ms: [number, number];
  samples: number;
  anchor?: string;
  ratio?: number;
  ratio_ci95?: [number, number];
}

/** A step the team accepted (accept-drift): drift is judged on measurements from `since` on. */
export interface DriftBaseline {
  since: string;
  accepted: string;
  note?: string;
}

export interface TargetEntry {
  label: string;
  latest: StoredMeasurement;
  history: HistoryEntry[];
  baseline?: DriftBaseline;
}

/** EfficientNet's or the chosen compound-scaling coefficients with their LACS objective. */
export interface StoredScaling {
  alpha: number;
  beta: number;
  gamma: number;
  objective: number;
}

/**
 * The LACS result stored with a `family: base` record for one target (optional; stores written before
 * LACS entries existed have none). The next PR that changes the base reports how its coefficients moved.
 */
export interface StoredLacs {
  date: string;
  commit: string | null;
  /** Store config hash (arch/identity.ts configHash) of the base version the coefficients were searched for. */
  base_config_hash: string;
  chosen: StoredScaling;
  efficientnet: StoredScaling;
  /** Reward exponent and TARGET latency of the objective ACC * (LAT / TARGET)^w. */
  w: number;
  target_latency_ms: number;
  grid: { step: number; tolerance: number; flops_budget: number };
  /** Where candidates' accuracies came from (a table, or a predictor fitted on the store's records). */
  accuracy_source: string;
  measured_candidates: number;
}

/** Where a record's model comes from: an architecture config, an .onnx file, or the published catalogue. */
export const PROVENANCES = ['config', 'onnx', 'published'] as const;
export type Provenance = (typeof PROVENANCES)[number];

/** How one input dim of an .onnx model got its value (onnx/infer.ts FixedDim). */
export interface StoredFixedDim {
  input: string;
  axis: number;
  declared: string | number | null;
  value: number;
  by: 'graph' | '--batch' | '--resolution' | 'default batch 1';
}

/** Counts of an .onnx model as read from its graph (per image; onnx/count.ts). */
export interface StoredOnnxCounts {
  params: number;
  macs: number;
  weight_bytes: number;
  activation_bytes: number;
  peak_activation_bytes: number;
  intensity: number;
  /** Null when every node was counted; else the ops outside the inference set (counts miss what follows them). */
  partial: { ops: string[]; unknown_nodes: number } | null;
}

/**
 * An .onnx model as the store records it: what it is (its file's bytes, the network it holds) and how it
 * was measured (its inputs' dims, and how each symbolic dim was fixed). Measured again only when the file
 * at `path` has the same `sha256` (and external data); a re-export of the same network (another `sha256`,
 * the same `network_hash`) keeps the record's history.
 */
export interface StoredOnnx {
  /** Repository-relative, POSIX separators (util/paths.ts). */
  path: string;
  /** "sha256:" + hex of the file's bytes. */
  sha256: string;
  /** External data files (repository-relative) with the sha256 of their bytes. */
  external_data: { path: string; sha256: string }[];
  /** onnx/identity.ts onnxNetworkHash: the graph and weight shapes, not the bytes. */
  network_hash: string;
  opset: number;
  producer: string;
  /** fp32, fp16, int8 (quantized weights) or mixed, as the graph holds it. */
  precision: string;
  /** The graph inputs as measured. */
  input: { name: string; dims: number[]; layout?: 'NCHW' | 'NHWC' }[];
  /** The dims that were symbolic or set by a flag, and how each got its value (the graph's own are left out). */
  fixed: StoredFixedDim[];
  /** The size symbolic spatial dims were fixed to (--resolution); null when the graph states them. */
  resolution: number | null;
  counts: StoredOnnxCounts;
}

/** The published result a `published` record stands for (src/arch/catalogue). */
export interface StoredPublished {
  /** The catalogue entry (torchvision's name, or timm's). */
  entry: string;
  source: 'torchvision' | 'timm';
  /** torchvision's weights enum name or timm's `model.tag`. */
  weights: string;
  resolution: number;
  crop_pct: number;
  resize?: number;
  interpolation: 'bilinear' | 'bicubic';
  top1: number;
}

export interface FrontierRecord {
  name: string;
  /** config: built from an architecture config; onnx: an .onnx file of the repository; published: a catalogue model. */
  provenance: Provenance;
  accuracy: StoredAccuracy | null;
  /**
   * config and published records: "sha256:" + hex of the canonical JSON of the config without name,
   * description, family and accuracy. Absent on onnx records (their identity is `onnx`).
   */
  config_hash?: string;
  /** config and published records: the normalised config without `accuracy` (kept once, on the record). */
  config?: ArchConfig;
  /** onnx records: the file and the network it holds. */
  onnx?: StoredOnnx;
  /** published records: the published result (weights, evaluation resolution and crop, top-1, source). */
  published?: StoredPublished;
  /** Keyed by Target.key; measurements under different keys are never compared. */
  targets: Record<string, TargetEntry>;
  /** Keyed by Target.key: LACS coefficients recomputed for this (base) config on that target. */
  lacs?: Record<string, StoredLacs>;
}

export interface FrontierStore {
  /** Always the current version once read: older stores are migrated on read (./migrate.ts). */
  version: typeof STORE_VERSION;
  records: FrontierRecord[];
}

export function emptyStore(): FrontierStore {
  return { version: STORE_VERSION, records: [] };
}

// ---------------------------------------------------------------------------------------------------------
// Config identity (arch/identity.ts; re-exported because the store's `config_hash` is its value)

export { canonicalJson, configHash } from '../arch/identity';

/** The config as stored: a plain copy without accuracy and undefined fields. */
export function storedConfig(config: ArchConfig): ArchConfig {
  const copy = JSON.parse(JSON.stringify(config)) as ArchConfig;
  delete copy.accuracy;
  return copy;
}

// ---------------------------------------------------------------------------------------------------------
// Parse and validate

/**
 * The store schema: store.schema.json with its config part generated from the architecture schema
 * (storedConfigSchema), so a config the parser accepts is a config the store accepts. The file's own copy
 * of that part is written by `npm run schemas` for editors and checked by `npm run lint`.
 */
export function storeSchema(): Record<string, unknown> {
  const definitions = JSON.parse(JSON.stringify(storeSchemaFile.definitions));
  // The provider enums come from the provider registry (one list of providers).
  definitions.measurement.properties.provider.enum = [...PROVIDER_NAMES];
  definitions.fingerprint.properties.provider.enum = [...PROVIDER_NAMES];
  // A record is named like the config it stores (the same pattern and length cap).
  definitions.record.properties.name = cloneSchema((ARCH_CONFIG_SCHEMA.properties as Record<string, unknown>).name);
  return { ...storeSchemaFile, definitions: { ...definitions, config: storedConfigSchema() } };
}

const ajv = new Ajv({ allErrors: false, strict: true });
// Compiled on first use (about 10 MiB of generated code): commands that never read a store (stats of a
// 100 MB .onnx model, whose peak RSS is bounded) do not pay for it.
let compiled: ValidateFunction<FrontierStore> | undefined;
const schemaValidator = (): ValidateFunction<FrontierStore> => (compiled ??= ajv.compile<FrontierStore>(storeSchema()));

function describePath(instancePath: string, data: unknown): string {
  // "/records/3/accuracy/top1" -> records[3] (efficientnet-b0).accuracy.top1
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  let node: unknown = data;
  for (const part of parts) {
    const isIndex = Array.isArray(node) && /^\d+$/.test(part);
    node = (node as Record<string, unknown> | undefined)?.[part];
    if (isIndex) {
      const name = (node as { name?: unknown } | undefined)?.name;
      // A name the schema refuses (too long, hidden characters) is quoted as an excerpt.
      out += `[${part}]` + (typeof name === 'string' ? ` (${name.length <= EXCERPT_CHARS && /^[\w.-]*$/.test(name) ? name : quoteValue(name)})` : '');
    } else {
      out += (out ? '.' : '') + part;
    }
  }
  return out || '(top level)';
}

function describeError(err: ErrorObject, data: unknown): string {
  const where = describePath(err.instancePath, data);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return `${where}: missing field '${p.missingProperty}'`;
    case 'additionalProperties':
      return `${where}: unknown field '${p.additionalProperty}'`;
    case 'enum':
      return `${where}: ${err.message} (${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`;
    case 'false schema':
      // The provenance decides the fields: config and published records hold a config, onnx ones a file.
      return `${where}: not allowed on a record of this provenance (config and published records hold config and config_hash, onnx records hold onnx, only published ones hold published)`;
    default:
      return `${where}: ${err.message}`;
  }
}

/**
 * Parses and validates a store. Throws UserError naming the file and the field; the caller must not
 * rewrite a store that failed here.
 */
export function parseStore(text: string, file: string): FrontierStore {
  return validateStore(parseJson(text, file, { outcome: 'the store was left untouched' }), file);
}

/**
 * Everything parseStore checks once the JSON is read: version, the schema (its config part generated from
 * the architecture schema, so stored configs meet the same ranges as configs on disk: a stored
 * `repeats: 1e9` is refused here, before anything is lowered), the block-field rules of the parser,
 * unique names, config hashes and dates. `outcome` ends each message (what happened to the file).
 */
export function validateStore(data: unknown, file: string, outcome = 'the store was left untouched'): FrontierStore {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError(`${file}: expected a JSON object with "version" and "records"; ${outcome}`);
  }
  // An older store is read as the current version (./migrate.ts); its messages say so.
  const { doc, from } = migrateOnRead(data as Json, STORE_FORMAT, file, outcome);
  const migrated = from !== STORE_VERSION ? ` (read as version ${STORE_VERSION} from a version ${from} store)` : '';
  const validateSchema = schemaValidator();
  if (!validateSchema(doc)) {
    const first = validateSchema.errors?.[0];
    throw new UserError(`${file}: invalid frontier store${migrated}: ${first ? describeError(first, doc) : 'schema mismatch'}; ${outcome}`);
  }
  data = doc;
  const store = data as FrontierStore;
  const seen = new Set<string>();
  store.records.forEach((rec, i) => {
    const where = `${file}: records[${i}] (${rec.name})`;
    if (seen.has(rec.name)) throw new UserError(`${file}: records[${i}]: duplicate record name ${quoteValue(rec.name)}; ${outcome}`);
    seen.add(rec.name);
    for (const [key, entry] of Object.entries(rec.targets)) {
      for (const m of [entry.latest, ...entry.history]) {
        if (Number.isNaN(Date.parse(m.date))) {
          throw new UserError(`${where}.targets.${key}: bad date ${JSON.stringify(m.date)}; ${outcome}`);
        }
      }
    }
    for (const [key, entry] of Object.entries(rec.lacs ?? {})) {
      if (Number.isNaN(Date.parse(entry.date))) {
        throw new UserError(`${where}.lacs.${key}: bad date ${JSON.stringify(entry.date)}; ${outcome}`);
      }
    }
    // The schema ties the fields to the provenance: config and published records hold a config, onnx ones a file.
    if (!hasConfig(rec)) return;
    try {
      checkSemantics(rec.config);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new UserError(`${where}.config.${(err.field ?? '').replace(/^[^:]*: /, '')}: ${err.detail}; ${outcome}`);
    }
    const hash = configHash(rec.config);
    if (hash !== rec.config_hash) {
      throw new UserError(
        `${where}.config_hash: ${JSON.stringify(rec.config_hash)} does not match its config (${hash}); ` +
          `the config was edited by hand: re-run \`frontier-gate record\` for it. ${outcome[0].toUpperCase()}${outcome.slice(1)}`,
      );
    }
  });
  return store;
}

/** A record built from a config (config and published records): the config and its hash are present. */
export type ConfigRecord = FrontierRecord & { config: ArchConfig; config_hash: string };

export const hasConfig = (r: FrontierRecord): r is ConfigRecord => r.config !== undefined && r.config_hash !== undefined;

/**
 * The identity of the network a record's measurements belong to: a config's hash, or an .onnx model's
 * network hash (a re-export of the same network keeps its measurements; another network drops them).
 */
export function modelKey(r: Pick<FrontierRecord, 'config_hash' | 'onnx'>): string {
  if (r.onnx) return `onnx:${r.onnx.network_hash}`;
  if (r.config_hash === undefined) throw new Error('a record without config_hash or onnx');
  return r.config_hash;
}

/** The record a config becomes when first recorded (no measurement yet). */
export function newRecord(config: ArchConfig, accuracy: StoredAccuracy | null, published?: StoredPublished): FrontierRecord {
  const stored = storedConfig(config);
  return {
    name: config.name, provenance: published ? 'published' : 'config', accuracy, config_hash: configHash(stored), config: stored,
    ...(published ? { published } : {}), targets: {},
  };
}

/**
 * Refuses, before anything is measured, a record the store would refuse on its next read. A field of the
 * config is reported at its place in `configFile` (file:line:col) when that file is given.
 */
export function assertStorable(record: FrontierRecord, configFile?: string): void {
  const probe = { version: STORE_VERSION, records: [JSON.parse(JSON.stringify(record)) as FrontierRecord] };
  const validateSchema = schemaValidator();
  if (validateSchema(probe)) return;
  const err = validateSchema.errors![0];
  const parts = err.instancePath.split('/').slice(3).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
  const detail = `${describeError(err, probe).replace(/^records\[0\] \([^)]*\)\.?/, '')}; the frontier store would refuse this record, so nothing was measured`;
  if (err.instancePath.startsWith('/records/0/config/') && configFile) {
    const path = parts.slice(1);
    throw new ConfigError(detail.replace(/^config\.[^:]*: /, ''), locateInFile(configFile, path), formatFieldPath(path));
  }
  throw new UserError(`${configFile ?? record.name}: record ${JSON.stringify(record.name)}: ${detail}`);
}

// ---------------------------------------------------------------------------------------------------------
// Serialize: stable key order and formatting, so PR diffs are readable

const KEY_ORDER = [
  'version', 'records',
  'name', 'provenance', 'description', 'family', 'accuracy', 'top1', 'dataset', 'source', 'config_hash', 'config', 'onnx', 'published',
  'path', 'sha256', 'external_data', 'network_hash', 'opset', 'producer', 'input', 'dims', 'layout', 'fixed', 'axis', 'declared', 'value', 'by',
  'counts', 'params', 'macs', 'weight_bytes', 'activation_bytes', 'peak_activation_bytes', 'intensity', 'partial', 'ops', 'unknown_nodes',
  'resolution', 'block', 'repeats', 'channels', 'classes', 'width', 'depth', 'divisor', 'stem', 'stages',
  'kernel', 'stride', 'expand', 'se', 'act', 'pool', 'space_to_depth', 'space_to_batch',
  'head', 'dropout', 'targets', 'lacs',
  'label', 'baseline', 'latest', 'history', 'since', 'accepted', 'note',
  'date', 'commit', 'median_ms', 'ci95_ms', 'samples', 'anchor', 'ratio', 'ratio_ci95', 'batch', 'precision', 'provider', 'fingerprint',
  'base_config_hash', 'chosen', 'efficientnet', 'alpha', 'beta', 'gamma', 'objective', 'w', 'target_latency_ms', 'grid', 'step', 'tolerance',
  'flops_budget', 'accuracy_source', 'measured_candidates',
];
const KEY_RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));
/** A published result reads as the catalogue states it: which weights, evaluated how, with what top-1. */
const PUBLISHED_ORDER: readonly (keyof StoredPublished)[] = ['entry', 'source', 'weights', 'resolution', 'crop_pct', 'resize', 'interpolation', 'top1'];

function orderedKeys(obj: Record<string, unknown>): string[] {
  return Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort((a, b) => {
      const ra = KEY_RANK.get(a) ?? Infinity;
      const rb = KEY_RANK.get(b) ?? Infinity;
      return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
    });
}

const isPrimitive = (v: unknown) => v === null || typeof v !== 'object';
const INLINE_WIDTH = 160;

function format(value: unknown, indent: string, keyOrderFor: (o: Record<string, unknown>, parentKey?: string) => string[], parentKey?: string): string {
  if (isPrimitive(value)) return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isPrimitive)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + format(v, inner, keyOrderFor)).join(',\n')}\n${indent}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = keyOrderFor(obj, parentKey);
  if (keys.length === 0) return '{}';
  // Leaf objects (a stage, a history entry) go on one line: one changed stage is one changed line.
  const leaf = keys.every((k) => isPrimitive(obj[k]) || (Array.isArray(obj[k]) && (obj[k] as unknown[]).every(isPrimitive)));
  if (leaf) {
    const line = `{${keys.map((k) => `${JSON.stringify(k)}: ${format(obj[k], '', keyOrderFor)}`).join(', ')}}`;
    if (line.length + indent.length <= INLINE_WIDTH) return line;
  }
  const inner = indent + '  ';
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${format(obj[k], inner, keyOrderFor, k)}`).join(',\n')}\n${indent}}`;
}

/**
 * Records sorted by name, targets by key, known keys in a fixed order; 2-space JSON, trailing newline.
 * The text is validated as parseStore would read it: a store that a later read would refuse is never
 * written (every writer serializes through here). `file` names the store in that error.
 */
export function serializeStore(store: FrontierStore, file = 'frontier store'): string {
  const records = [...store.records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const keyOrderFor = (o: Record<string, unknown>, parentKey?: string) =>
    parentKey === 'targets' || parentKey === 'lacs' ? Object.keys(o).sort() : parentKey === 'published' ? PUBLISHED_ORDER.filter((k) => o[k] !== undefined) : orderedKeys(o);
  const text = format({ version: STORE_VERSION, records }, '', keyOrderFor) + '\n';
  validateStore(JSON.parse(text), file, 'nothing was written');
  return text;
}

// ---------------------------------------------------------------------------------------------------------
// Merge

/**
 * Keyed maps of the store (targets, lacs) hold whatever keys the file holds, "__proto__" included (JSON.parse
 * makes it an own key): read and write them as own properties only, never through the prototype.
 */
export function ownEntry<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

export function setEntry<T>(map: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

function sameEntry(a: HistoryEntry, b: HistoryEntry): boolean {
  return a.date === b.date && a.median_ms === b.median_ms && a.samples === b.samples;
}

/** Union of two histories, oldest first, capped at HISTORY_LIMIT (newest kept). */
export function mergeHistory(a: HistoryEntry[], b: HistoryEntry[]): HistoryEntry[] {
  const all = [...a];
  for (const e of b) if (!all.some((x) => sameEntry(x, e))) all.push(e);
  all.sort((x, y) => Date.parse(x.date) - Date.parse(y.date));
  return all.slice(-HISTORY_LIMIT);
}

function mergeTarget(a: TargetEntry | undefined, b: TargetEntry | undefined): TargetEntry | undefined {
  if (!a || !b) return a ?? b;
  const latest = Date.parse(b.latest.date) > Date.parse(a.latest.date) ? b : a;
  // The later acceptance wins: a baseline is a decision, never combined.
  const baseline = !a.baseline || (b.baseline && Date.parse(b.baseline.accepted) > Date.parse(a.baseline.accepted)) ? b.baseline : a.baseline;
  return { label: latest.label, ...(baseline ? { baseline } : {}), latest: latest.latest, history: mergeHistory(a.history, b.history) };
}

/** Per target, the newer LACS entry wins (entries are whole results, never combined). */
export function mergeLacs(a: Record<string, StoredLacs> | undefined, b: Record<string, StoredLacs> | undefined): Record<string, StoredLacs> | undefined {
  if (!a || !b) return a ?? b;
  const out: Record<string, StoredLacs> = { ...a };
  for (const [key, entry] of Object.entries(b)) {
    const mine = ownEntry(out, key);
    if (!mine || Date.parse(entry.date) > Date.parse(mine.date)) setEntry(out, key, entry);
  }
  return out;
}

function changed<T>(base: T | undefined, side: T): boolean {
  return base === undefined || canonicalJson(base) !== canonicalJson(side);
}

/** The fields that say what a record's model is (and so which measurements belong to it). */
function modelFields(r: FrontierRecord): Pick<FrontierRecord, 'provenance' | 'config_hash' | 'config' | 'onnx' | 'published'> {
  return {
    provenance: r.provenance,
    ...(r.config_hash !== undefined ? { config_hash: r.config_hash } : {}),
    ...(r.config !== undefined ? { config: r.config } : {}),
    ...(r.onnx !== undefined ? { onnx: r.onnx } : {}),
    ...(r.published !== undefined ? { published: r.published } : {}),
  };
}

function mergeRecord(base: FrontierRecord | undefined, ours: FrontierRecord, theirs: FrontierRecord): FrontierRecord {
  // The model (config, file, published result) and accuracy: the side that changed them wins; ours when both did.
  const oursModelChanged = changed(base && modelFields(base), modelFields(ours));
  const theirsModelChanged = changed(base && modelFields(base), modelFields(theirs));
  const modelSide = !oursModelChanged && theirsModelChanged ? theirs : ours;
  const accuracySide = !changed(base?.accuracy, ours.accuracy) && changed(base?.accuracy, theirs.accuracy) ? theirs : ours;
  const targets: Record<string, TargetEntry> = {};
  if (modelKey(ours) === modelKey(theirs)) {
    for (const key of new Set([...Object.keys(ours.targets), ...Object.keys(theirs.targets)])) {
      const merged = mergeTarget(ownEntry(ours.targets, key), ownEntry(theirs.targets, key));
      if (merged) setEntry(targets, key, merged);
    }
  } else {
    // Measurements of another network are not comparable: keep those of the winning model.
    for (const [key, entry] of Object.entries(modelSide.targets)) setEntry(targets, key, entry);
  }
  // LACS entries carry the base hash they were searched for, so both sides' are kept (newer per target).
  const lacs = mergeLacs(ours.lacs, theirs.lacs);
  return { name: ours.name, ...modelFields(modelSide), accuracy: accuracySide.accuracy, targets, ...(lacs ? { lacs } : {}) };
}

/**
 * Three-way merge used when the store changed under us: keeps every record and every history entry of
 * both sides. For a record both sides changed, the newer measurement per target is the latest.
 */
export function mergeStores(base: FrontierStore, ours: FrontierStore, theirs: FrontierStore): FrontierStore {
  const baseByName = new Map(base.records.map((r) => [r.name, r]));
  const theirsByName = new Map(theirs.records.map((r) => [r.name, r]));
  const records: FrontierRecord[] = [];
  for (const rec of ours.records) {
    const other = theirsByName.get(rec.name);
    records.push(other ? mergeRecord(baseByName.get(rec.name), rec, other) : rec);
    theirsByName.delete(rec.name);
  }
  records.push(...theirsByName.values());
  return { version: STORE_VERSION, records };
}

// ---------------------------------------------------------------------------------------------------------
// Files

/**
 * A store file near a missing one: a sibling whose name is a likely typo of it (frontier.jsn ->
 * frontier.json), else the default store when it exists.
 */
function nearbyStore(file: string): { file: string; typo: boolean } | undefined {
  const dir = path.dirname(file);
  let siblings: string[] = [];
  try {
    siblings = fs.readdirSync(dir).filter((f) => f !== path.basename(file) && /\.json$/i.test(f) && !/\.lock$/.test(f) && fs.statSync(path.join(dir, f)).isFile());
  } catch {
    // no such folder: look for the default store only
  }
  const guess = didYouMean(path.basename(file), siblings);
  if (guess) return { file: path.join(dir, guess), typo: true };
  return path.resolve(file) !== path.resolve(DEFAULT_STORE_PATH) && fs.existsSync(DEFAULT_STORE_PATH) ? { file: DEFAULT_STORE_PATH, typo: false } : undefined;
}

/**
 * Reads and validates a store file; a missing file is an empty store only when `allowMissing` (record
 * starts a store), and never when a store with a near name exists: that is a typo, not a new store.
 */
export function readStoreFile(file: string, opts: { allowMissing?: boolean; retried?: boolean } = {}): FrontierStore {
  let text: string;
  try {
    text = readRegularText(file, { what: '--frontier', kind: 'store' });
  } catch (err) {
    if (err instanceof FileInputError && err.code === 'ENOENT') {
      // Another writer created it since (concurrent first records): read what it wrote, once.
      if (!opts.retried && fs.existsSync(file)) return readStoreFile(file, { ...opts, retried: true });
      const near = nearbyStore(file);
      if (opts.allowMissing && !near?.typo) return emptyStore();
      if (near) {
        throw new UserError(`--frontier: no frontier store at ${JSON.stringify(file)}; did you mean ${JSON.stringify(near.file)}, which exists?` +
          (opts.allowMissing ? ' (nothing was written: a new store a letter or two away from an existing one is most likely a typo)' : ''));
      }
      throw new UserError(`--frontier: no frontier store at ${JSON.stringify(file)}; start one from the repository's configs with 'frontier-gate init --frontier ${file}'`);
    }
    throw err;
  }
  return parseStore(text, file);
}

export type { LockOptions } from '../util/fs';

/**
 * Locks the store, re-reads it (validated; missing = empty), applies `mutate`, writes atomically, unlocks.
 * A store that fails validation throws before anything is written. The folder and file are checked first
 * (a permission problem fails at once); a lock left by a dead process is taken over at once
 * (src/util/fs.ts withFileLock). Returns the written store.
 */
export async function updateStoreFile(
  file: string,
  mutate: (current: FrontierStore) => FrontierStore | Promise<FrontierStore>,
  opts: LockOptions = {},
): Promise<FrontierStore> {
  // The store is the user's own file: a symbolic link to it is written through (the link stays).
  checkOutputPath(file, '--frontier', { followLink: true });
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  } catch (err) {
    throw new UserError(`--frontier: cannot create the folder of ${JSON.stringify(file)}: ${(err as Error).message}`);
  }
  return withFileLock(
    file,
    async () => {
      const current = readStoreFile(file, { allowMissing: true });
      const next = await mutate(current);
      writeFileAtomic(file, serializeStore(next), { what: '--frontier', followLink: true });
      return next;
    },
    { what: '--frontier', ...opts },
  );
}
