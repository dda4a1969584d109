/**
 * Sharded sweeps: one target's re-measurement spread over n runners (an Actions matrix), joined by merge.
 *
 * Latencies from different shards are never compared directly. Every shard measures the same anchor
 * model(s) interleaved with its own models, and keeps each model's latency as a ratio to the (first)
 * anchor measured side by side with it, with the ratio's bootstrap interval. The merge expresses every
 * model on one reference machine (the lowest shard index present): latency = ratio x that shard's anchor
 * median. Runners of one target type that differ in speed (another CPU stepping, a busier host) therefore
 * combine: a machine-wide factor cancels in the ratio.
 *
 * Models are assigned to shards by their index in name order (index mod n == i - 1), the anchors excluded:
 * every shard computes the same assignment from the same store without talking to the others, and a store
 * whose records changed between shards is refused at the merge (store_hash).
 */
import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import { UserError } from '../errors';
import { quoteValue } from '../util/describe';
import type { Fingerprint, MeasureOptions, MeasureResult, Measurer } from '../measure/types';
import { isUnavailable, modelInput, storedModel, type GateModel, type ModelFiles } from './models';
import { chooseAnchors } from './anchor';
import { judgeSweep, type SweepReport } from './sweep';

export { chooseAnchors } from './anchor';
import { type RecordUpdate } from './updates';
import { modelKey, storeSchema, type FrontierRecord, type FrontierStore, type StoredMeasurement } from './store';

export const SWEEP_SHARD_KIND = 'frontier-gate/sweep-shard';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** `--shard i/n`: 1 <= i <= n. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count || count > 1000) {
    throw new UserError(`${flag}: expected i/n with 1 <= i <= n <= 1000 (e.g. 2/4), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** Identity of the records a sweep shards over: names and model keys (config hashes, .onnx network hashes), in name order. */
export function storeRecordsHash(store: FrontierStore): string {
  const rows = [...store.records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((r) => `${r.name}\t${modelKey(r)}`);
  return 'sha256:' + createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 32);
}

export function shardRecords(store: FrontierStore, shard: Shard, anchors: readonly string[]): FrontierRecord[] {
  const anchorSet = new Set(anchors);
  const ordered = store.records.filter((r) => !anchorSet.has(r.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return ordered.filter((_, i) => i % shard.count === shard.index - 1);
}

export interface ShardModel {
  name: string;
  /** The record's model key (store.ts modelKey: its config hash, or `onnx:` + its network hash). */
  config_hash: string;
  median_ms: number;
  ci95_ms: [number, number];
  samples: number;
  /** median(model) / median(first anchor), measured side by side in this shard, with its 95% interval. */
  ratio: number;
  ratio_ci95: [number, number];
}

export interface SweepShardResult {
  kind: typeof SWEEP_SHARD_KIND;
  version: 1;
  shard: Shard;
  store_hash: string;
  anchors: string[];
  target: { key: string; label: string; fingerprint: Fingerprint };
  date: string;
  commit: string | null;
  budget_exhausted: boolean;
  /** The anchors themselves (ratio 1 for the first), then the shard's models. */
  anchor_models: ShardModel[];
  models: ShardModel[];
}

export interface SweepShardOptions {
  budgetSeconds: number;
  measure?: Partial<MeasureOptions>;
  anchors?: readonly string[];
}

const round = (x: number, digits = 4) => +x.toFixed(digits);

/** Turns one interleaved measurement (first anchor first) into a shard result. Pure. */
export function sweepShardResult(
  store: FrontierStore,
  shard: Shard,
  anchors: readonly string[],
  result: MeasureResult,
  meta: { date: Date; commit?: string },
  unmeasured: readonly string[] = [],
): SweepShardResult {
  const byName = new Map(store.records.map((r) => [r.name, r]));
  const ref = anchors[0];
  const modelOf = (name: string): ShardModel => {
    const m = result.models.find((x) => x.name === name);
    if (!m) throw new Error(`measurer returned no measurement for ${name}`);
    const ratio = name === ref ? { ratio: 1, ci95: [1, 1] as [number, number] } : result.ratios.find((r) => r.model === name && r.vs === ref);
    if (!ratio) throw new Error(`measurer returned no ratio of ${name} to the anchor ${ref}`);
    return {
      name,
      config_hash: modelKey(byName.get(name)!),
      median_ms: round(m.median_ms),
      ci95_ms: [round(m.ci95_ms[0]), round(m.ci95_ms[1])],
      samples: m.samples,
      ratio: round(ratio.ratio, 6),
      ratio_ci95: [round(ratio.ci95[0], 6), round(ratio.ci95[1], 6)],
    };
  };
  const own = shardRecords(store, shard, anchors).map((r) => r.name).filter((n) => !unmeasured.includes(n));
  return {
    kind: SWEEP_SHARD_KIND,
    version: 1,
    shard,
    store_hash: storeRecordsHash(store),
    anchors: [...anchors],
    target: { key: result.target.key, label: result.target.label, fingerprint: result.target.fingerprint },
    date: meta.date.toISOString(),
    commit: meta.commit ?? null,
    budget_exhausted: result.budget_exhausted,
    anchor_models: anchors.map(modelOf),
    models: own.map(modelOf),
  };
}

/** Measures shard i/n: the anchors first, then the shard's models, interleaved in one run. */
export async function runSweepShard(
  store: FrontierStore,
  shard: Shard,
  options: SweepShardOptions,
  deps: { measurer: Measurer; now?: () => Date; commit?: string; files?: ModelFiles },
): Promise<SweepShardResult> {
  const anchors = chooseAnchors(store, options.anchors);
  const byName = new Map(store.records.map((r) => [r.name, r]));
  const models: GateModel[] = [];
  const unmeasured: string[] = [];
  for (const name of [...anchors, ...shardRecords(store, shard, anchors).map((r) => r.name)]) {
    const m = storedModel(byName.get(name)!, deps.files);
    if (!isUnavailable(m)) models.push(m);
    else if (anchors.includes(name)) throw new UserError(`sweep --shard: the anchor ${JSON.stringify(name)} cannot be measured here: ${m.detail}; choose another with --anchor`);
    // A stored .onnx model whose file is missing or changed is left out; the merge lists it as not measured.
    else unmeasured.push(name);
  }
  const result = await deps.measurer.measure(models.map(modelInput), { ...options.measure, budgetSeconds: options.budgetSeconds });
  return sweepShardResult(store, shard, anchors, result, { date: (deps.now ?? (() => new Date()))(), commit: deps.commit }, unmeasured);
}

// ---------------------------------------------------------------------------------------------------------
// Merge

export interface AnchorCheck {
  name: string;
  /** Its ratio to the first anchor on each shard: one network, so these should agree within noise. */
  ratios: { shard: number; ratio: number }[];
  /** (max - min) / median of those ratios. */
  spread: number;
}

export interface MergedSweep extends Pick<SweepReport, 'rows' | 'common_drift' | 'anchor' | 'runner_shift' | 'together'> {
  target: { key: string; label: string };
  /** Shard indices merged, and of how many. */
  shards: number[];
  count: number;
  /** Distinct runner fingerprints among the shards (combined through the anchor). */
  machines: number;
  anchors: string[];
  /** The reference shard and its anchor median: every latency is expressed on that machine. */
  reference: { shard: number; anchor_ms: number };
  updates: RecordUpdate[];
  /** Records of the store no merged shard measured (a shard missing, or records added since). */
  missing: string[];
  anchor_checks: AnchorCheck[];
}

export function isSweepShardResult(value: unknown): value is SweepShardResult {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === SWEEP_SHARD_KIND;
}

/**
 * A shard result file is an artifact of another job (in the action, of another runner): every field the
 * merge reads is checked here before any is used, with the store schema's own definitions (record names,
 * fingerprints, dates, intervals).
 */
function sweepShardSchema(): object {
  const store = storeSchema() as { definitions: Record<string, unknown> };
  const name = (store.definitions.record as { properties: { name: unknown } }).properties.name;
  const interval = { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number', minimum: 0 } };
  const model = {
    type: 'object',
    required: ['name', 'config_hash', 'median_ms', 'ci95_ms', 'samples', 'ratio', 'ratio_ci95'],
    properties: {
      // The record's model key (store.ts modelKey): a config's hash, or onnx: and the .onnx network hash.
      name, config_hash: { type: 'string', pattern: '^(sha256:[0-9a-f]{64}|onnx:[0-9a-f]{8,64})$' },
      median_ms: { type: 'number', exclusiveMinimum: 0 }, ci95_ms: interval, samples: { type: 'integer', minimum: 1 },
      ratio: { type: 'number', exclusiveMinimum: 0 }, ratio_ci95: interval,
    },
  };
  return {
    definitions: store.definitions,
    type: 'object',
    required: ['kind', 'version', 'shard', 'store_hash', 'anchors', 'target', 'date', 'commit', 'budget_exhausted', 'anchor_models', 'models'],
    properties: {
      kind: { const: SWEEP_SHARD_KIND },
      version: { const: 1 },
      shard: { type: 'object', required: ['index', 'count'], properties: { index: { type: 'integer', minimum: 1, maximum: 1000 }, count: { type: 'integer', minimum: 1, maximum: 1000 } } },
      store_hash: { type: 'string', pattern: '^sha256:[0-9a-f]{32}$' },
      anchors: { type: 'array', minItems: 1, maxItems: 16, items: name },
      target: {
        type: 'object', required: ['key', 'label', 'fingerprint'],
        properties: { key: { type: 'string', minLength: 1, maxLength: 200 }, label: { type: 'string', maxLength: 1000 }, fingerprint: { $ref: '#/definitions/fingerprint' } },
      },
      date: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' },
      commit: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 100 }] },
      budget_exhausted: { type: 'boolean' },
      anchor_models: { type: 'array', minItems: 1, maxItems: 16, items: model },
      models: { type: 'array', maxItems: 100_000, items: model },
    },
  };
}

let validateShard: ReturnType<Ajv['compile']> | undefined;

/** Checks a sweep shard result read from a file (`name` as given); throws exit 2 naming the field. */
export function checkSweepShard(value: unknown, name: string): SweepShardResult {
  validateShard ??= new Ajv({ allErrors: false, strict: false }).compile(sweepShardSchema());
  if (!validateShard(value)) {
    const e = validateShard.errors![0];
    let v: unknown = value;
    for (const p of e.instancePath.split('/').slice(1)) v = (v as Record<string, unknown> | undefined)?.[p];
    throw new UserError(`merge: ${name}: not a sweep shard result this frontier-gate can merge: ${e.instancePath.slice(1).replace(/\//g, '.') || '(top level)'}: ${e.message ?? 'invalid'}, got ${quoteValue(v, 60)}; nothing was merged`);
  }
  const s = value as SweepShardResult;
  if (s.shard.index > s.shard.count) throw new UserError(`merge: ${name}: shard.index ${s.shard.index} is beyond shard.count ${s.shard.count} (a shard i/n has 1 <= i <= n); nothing was merged`);
  if (Number.isNaN(Date.parse(s.date))) throw new UserError(`merge: ${name}: date ${quoteValue(s.date)} is not a date; nothing was merged`);
  if (s.anchor_models.map((m) => m.name).join('\n') !== s.anchors.join('\n')) {
    throw new UserError(`merge: ${name}: anchor_models do not measure the anchors ${quoteValue(s.anchors.join(', '))}; nothing was merged`);
  }
  return s;
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Joins the shards of one sweep of one target into store updates and a drift report. Refuses shards of
 * different sweeps (store records, anchors, shard count) and duplicate shards; a missing shard gives a
 * partial merge whose `missing` lists the models nobody measured. Pure.
 */
export function mergeSweepShards(store: FrontierStore, shards: readonly SweepShardResult[], options: { latencyTolerance: number; names?: readonly string[] }): MergedSweep {
  if (!shards.length) throw new UserError('merge: no sweep shard results given');
  const names = options.names ?? shards.map((_, i) => `shard result ${i + 1}`);
  for (const [i, s] of shards.entries()) {
    if ((s as { version?: unknown })?.version !== 1) throw new UserError(`merge: ${names[i]}: sweep shard version ${quoteValue((s as { version?: unknown })?.version)} is not supported (expected 1)`);
    checkSweepShard(s, names[i]);
  }
  const sorted = shards.map((s, i) => ({ s, name: names[i] })).sort((a, b) => a.s.shard.index - b.s.shard.index);
  const first = sorted[0];
  for (const { s, name } of sorted) {
    // One target: its key names what the merged latencies are stored under. Runners of one target type
    // that differ only in speed (a busier host) share the key and combine through the anchor; another
    // CPU, OS, onnxruntime or provider is another target, whose medians must never be filed under this one.
    for (const [field, a, b] of [
      ['store records', first.s.store_hash, s.store_hash],
      ['anchors', first.s.anchors.join(','), s.anchors.join(',')],
      ['shard count', first.s.shard.count, s.shard.count],
      ['provider/batch/precision', fpKey(first.s.target.fingerprint), fpKey(s.target.fingerprint)],
      ['target', first.s.target.key, s.target.key],
    ] as const) {
      if (a !== b) throw new UserError(`merge: ${name} differs from ${first.name} in ${field} (${quoteValue(b, 80)} vs ${quoteValue(a, 80)}); only shards of one sweep of one target can be merged`);
    }
  }
  const seen = new Set<number>();
  for (const { s, name } of sorted) {
    if (seen.has(s.shard.index)) throw new UserError(`merge: ${name}: shard ${s.shard.index}/${s.shard.count} is given twice`);
    seen.add(s.shard.index);
  }
  const ref = first.s;
  const refAnchor = ref.anchor_models[0];
  const anchorMs = refAnchor.median_ms;
  const fp = ref.target.fingerprint;
  const key = ref.target.key;
  const label = ref.target.label;
  // Every model's ratio to the reference anchor, measured side by side in its shard: what drift is judged on.
  const stored = (m: ShardModel, ms: number, ci: [number, number], shard: SweepShardResult): StoredMeasurement => ({
    date: shard.date, commit: shard.commit, median_ms: round(ms), ci95_ms: [round(ci[0]), round(ci[1])], samples: m.samples,
    anchor: refAnchor.name, ...(m.name === refAnchor.name ? {} : { ratio: m.ratio, ratio_ci95: m.ratio_ci95 }),
    batch: fp.batch, precision: fp.precision, provider: fp.provider, fingerprint: fp,
  });

  const measured = new Map<string, { m: ShardModel; measurement: StoredMeasurement }>();
  // The anchors: as measured on the reference shard (ratio 1 there by construction).
  for (const a of ref.anchor_models) {
    const ms = a.ratio * anchorMs;
    const ci: [number, number] = a.name === refAnchor.name ? a.ci95_ms : [a.ratio_ci95[0] * anchorMs, a.ratio_ci95[1] * anchorMs];
    measured.set(a.name, { m: a, measurement: stored(a, ms, ci, ref) });
  }
  for (const { s } of sorted) {
    for (const m of s.models) {
      measured.set(m.name, { m, measurement: stored(m, m.ratio * anchorMs, [m.ratio_ci95[0] * anchorMs, m.ratio_ci95[1] * anchorMs], s) });
    }
  }

  const updates: RecordUpdate[] = [];
  const judgedModels: { record: FrontierRecord; measurement: StoredMeasurement }[] = [];
  const missing: string[] = [];
  for (const r of store.records) {
    const got = measured.get(r.name);
    if (!got || got.m.config_hash !== modelKey(r)) {
      missing.push(r.name);
      continue;
    }
    const model = { provenance: r.provenance, config_hash: r.config_hash, config: r.config, onnx: r.onnx, published: r.published };
    updates.push({ name: r.name, model, target: key, label, measurement: got.measurement, requireSameModel: true });
    judgedModels.push({ record: r, measurement: got.measurement });
  }
  const judged = judgeSweep(judgedModels, key, refAnchor.name, options.latencyTolerance);
  const anchorChecks: AnchorCheck[] = ref.anchors.slice(1).map((name) => {
    const ratios = sorted.map(({ s }) => ({ shard: s.shard.index, ratio: s.anchor_models.find((a) => a.name === name)!.ratio }));
    const rs = ratios.map((x) => x.ratio);
    return { name, ratios, spread: (Math.max(...rs) - Math.min(...rs)) / (median(rs) ?? 1) };
  });
  return {
    target: { key, label },
    shards: sorted.map(({ s }) => s.shard.index),
    count: ref.shard.count,
    machines: new Set(sorted.map(({ s }) => JSON.stringify(s.target.fingerprint))).size,
    anchors: ref.anchors,
    reference: { shard: ref.shard.index, anchor_ms: anchorMs },
    ...judged,
    updates,
    missing,
    anchor_checks: anchorChecks,
  };
}

/** What must agree between shards for their ratios to be comparable: provider, batch, precision, threads. */
function fpKey(f: Fingerprint): string {
  return `${f.provider}/b${f.batch}/${f.precision}/t${f.threads}`;
}
