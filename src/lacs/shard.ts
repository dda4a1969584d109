/**
 * LACS sharded over runners: the screen (every distinct grid network measured beside the base, the
 * longest phase) is split, the rest (reference, refine, family) runs once on the merge runner.
 *
 *   lacs base.yaml --shard i/n --out lacs-shard-i.json   screens the networks of shard i, then stops
 *   merge lacs-shard-*.json --out lacs-screen.json        joins the shards (same base, same n, no duplicate)
 *   lacs base.yaml --screened lacs-screen.json ...        the full run; screened networks are not re-measured
 *
 * The base is the anchor: every screened value is a ratio to the base measured in the same interleaved
 * call, so shards on different machines of one target type combine; the merge runner turns ratios into
 * latencies with its own measurement of the base. A network belongs to shard i when its network hash,
 * read as a number, is i - 1 mod n: every shard decides alone, the same way.
 *
 * Shard and screen files are versioned like every stored format (util/versioned.ts): version 2 names the
 * base's network hash of each entry base_network_hash (version 1: base_hash); `readLacsShardFile` migrates.
 */
import { UserError } from '../errors';
import type { ArchConfig } from '../arch/types';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput, Target } from '../measure/types';
import { MemoryCache, type CachedMeasurement, type MeasurementCache } from './cache';
import { networkHash } from '../arch/identity';
import { runLacs, type LacsDeps, type LacsOptions } from './run';
import { migrateOnRead, type Json, type VersionedFormat } from '../util/versioned';

export const LACS_SHARD_KIND = 'frontier-gate/lacs-shard';
export const LACS_SCREEN_KIND = 'frontier-gate/lacs-screen';

export interface LacsShard {
  index: number;
  count: number;
}

export interface ScreenEntry extends CachedMeasurement {
  /** The network hash of the screened network. */
  hash: string;
}

export const LACS_SHARD_VERSION = 2;

/** Shard and screen files: version 1 -> 2 renames each entry's base_hash to base_network_hash. */
export const LACS_SHARD_FORMAT: VersionedFormat = {
  kind: 'LACS shard result',
  current: LACS_SHARD_VERSION,
  migrations: [
    {
      from: 1,
      what: 'entries name the base network hash base_network_hash (was base_hash)',
      migrate: (doc) => {
        if (Array.isArray(doc.entries)) {
          for (const e of doc.entries as Json[]) {
            if (e && typeof e === 'object' && 'base_hash' in e) {
              e.base_network_hash ??= e.base_hash;
              delete e.base_hash;
            }
          }
        }
        return doc;
      },
    },
  ],
  hint: 'Re-run the lacs --shard jobs with this frontier-gate',
};

/** A parsed shard or screen file in the current version (older versions migrated); other JSON as it is. */
export function readLacsShardFile(value: unknown, file: string): unknown {
  if (!isLacsShardResult(value) && !isLacsScreen(value)) return value;
  return migrateOnRead(value as unknown as Json, { ...LACS_SHARD_FORMAT, kind: value.kind === LACS_SCREEN_KIND ? 'LACS screen' : 'LACS shard result' }, file, 'nothing was merged').doc;
}

export interface LacsShardResult {
  kind: typeof LACS_SHARD_KIND;
  version: typeof LACS_SHARD_VERSION;
  shard: LacsShard;
  base: { name: string; hash: string };
  target: { key: string; label: string };
  /** Networks screened by this shard (ratios to the base measured side by side). */
  entries: ScreenEntry[];
}

export interface LacsScreen {
  kind: typeof LACS_SCREEN_KIND;
  version: typeof LACS_SHARD_VERSION;
  base: { name: string; hash: string };
  shards: number[];
  count: number;
  targets: string[];
  entries: ScreenEntry[];
}

export function shardOfHash(hash: string, count: number): number {
  const hex = hash.replace(/^sha256:/, '').slice(-8);
  const n = Number.parseInt(hex, 16);
  if (!Number.isFinite(n)) throw new Error(`lacs shard: not a hex hash: ${hash}`);
  return (n % count) + 1;
}

/** Thrown by the shard's measurer when the screen is done: the run stops there. */
class ScreenDone extends Error {}

/**
 * A cache that answers for the networks of other shards (so the screen skips them) and records what this
 * shard measures. The stand-in values are never used: the run stops when the screen is over.
 */
class ShardScreenCache implements MeasurementCache {
  readonly measured = new Map<string, CachedMeasurement>();
  constructor(private readonly shard: LacsShard, private readonly baseHash: string, private readonly inner?: MeasurementCache) {}
  get(hash: string, targetKey: string): CachedMeasurement | undefined {
    if (shardOfHash(hash, this.shard.count) !== this.shard.index) {
      return { median_ms: 1, ratio: 1, ratio_ci95: [1, 1], base_network_hash: this.baseHash, samples: 0 };
    }
    return this.inner?.get(hash, targetKey);
  }
  set(hash: string, targetKey: string, value: CachedMeasurement): void {
    this.measured.set(hash, value);
    this.inner?.set(hash, targetKey, value);
  }
}

/**
 * Screens shard i/n of the LACS grid of `base`. The first call is the reference (the base and
 * EfficientNet's phi = 1 model); the screen calls follow; the first call after them (refine or family,
 * recognised by the reference or a family member among its models) ends the shard.
 */
export async function runLacsShard(base: ArchConfig, shard: LacsShard, options: Partial<LacsOptions>, deps: LacsDeps): Promise<LacsShardResult> {
  const baseHash = networkHash(base);
  const cache = new ShardScreenCache(shard, baseHash, deps.cache);
  let referenceName: string | undefined;
  let calls = 0;
  let target: Target | undefined;
  const measurer: Measurer = {
    async measure(models: ModelInput[], opts?: Partial<MeasureOptions>): Promise<MeasureResult> {
      calls++;
      if (calls === 1) referenceName = models[1]?.name;
      else if (models.some((m) => m.name === referenceName || /-lacs-phi\d+$/.test(m.name))) throw new ScreenDone();
      const result = await deps.measurer.measure(models, opts);
      target ??= result.target;
      return result;
    },
  };
  try {
    await runLacs(base, { ...options, refineTop: options.refineTop ?? 3 }, { ...deps, measurer, cache });
    throw new Error('lacs shard: the run did not stop after the screen');
  } catch (err) {
    if (!(err instanceof ScreenDone)) throw err;
  }
  // The reference (EfficientNet's phi = 1 model) was measured by every shard; shard 1 keeps it.
  const entries = [...cache.measured.entries()]
    .filter(([hash]) => shardOfHash(hash, shard.count) === shard.index)
    .map(([hash, v]) => ({ hash, ...v }))
    .sort((a, b) => (a.hash < b.hash ? -1 : 1));
  return {
    kind: LACS_SHARD_KIND, version: LACS_SHARD_VERSION, shard,
    base: { name: base.name, hash: baseHash },
    target: { key: target!.key, label: target!.label },
    entries,
  };
}

export function isLacsShardResult(value: unknown): value is LacsShardResult {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === LACS_SHARD_KIND;
}

export function isLacsScreen(value: unknown): value is LacsScreen {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === LACS_SCREEN_KIND;
}

/** Joins the shards of one LACS screen. Pure. */
export function mergeLacsShards(shards: readonly LacsShardResult[], names: readonly string[] = shards.map((_, i) => `shard result ${i + 1}`)): LacsScreen {
  if (!shards.length) throw new UserError('merge: no LACS shard results given');
  const first = shards[0];
  const seen = new Set<number>();
  shards.forEach((s, i) => {
    if (s.version !== LACS_SHARD_VERSION) throw new UserError(`merge: ${names[i]}: LACS shard version ${JSON.stringify(s.version)} is not supported (expected ${LACS_SHARD_VERSION}; read shard files with readLacsShardFile)`);
    if (s.base.hash !== first.base.hash) throw new UserError(`merge: ${names[i]} screened base ${s.base.name} (${s.base.hash}), ${names[0]} screened ${first.base.name} (${first.base.hash}); merge one LACS run at a time`);
    if (s.shard.count !== first.shard.count) throw new UserError(`merge: ${names[i]} is shard ${s.shard.index}/${s.shard.count}, ${names[0]} is of ${first.shard.count}`);
    if (seen.has(s.shard.index)) throw new UserError(`merge: ${names[i]}: shard ${s.shard.index}/${s.shard.count} is given twice`);
    seen.add(s.shard.index);
  });
  const entries = new Map<string, ScreenEntry>();
  for (const s of shards) for (const e of s.entries) entries.set(e.hash, e);
  return {
    kind: LACS_SCREEN_KIND, version: LACS_SHARD_VERSION, base: first.base,
    shards: [...seen].sort((a, b) => a - b), count: first.shard.count,
    targets: [...new Set(shards.map((s) => s.target.key))].sort(),
    entries: [...entries.values()].sort((a, b) => (a.hash < b.hash ? -1 : 1)),
  };
}

/**
 * A cache pre-filled from a merged screen: answers by network hash whatever the runner (the values are
 * ratios to the base), then falls back to `inner`. Refuses a screen of another base.
 */
export function screenedCache(screen: LacsScreen, base: ArchConfig, inner: MeasurementCache = new MemoryCache()): MeasurementCache {
  const baseHash = networkHash(base);
  if (screen.base.hash !== baseHash) {
    throw new UserError(`--screened: the screen is of base ${screen.base.name} (${screen.base.hash}), not of ${base.name} (${baseHash}); re-run the shards`);
  }
  const byHash = new Map(screen.entries.map((e) => [e.hash, e]));
  return {
    get: (hash, targetKey) => {
      const e = byHash.get(hash);
      if (e) return { median_ms: e.median_ms, ratio: e.ratio, ratio_ci95: e.ratio_ci95, base_network_hash: e.base_network_hash, samples: e.samples };
      return inner.get(hash, targetKey);
    },
    set: (hash, targetKey, value) => inner.set(hash, targetKey, value),
    flush: () => inner.flush?.(),
  };
}
