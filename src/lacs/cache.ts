/**
 * Measurement cache keyed by network hash + target key, so a re-run (or a PR that moves the base by a
 * little) re-measures only networks it has not seen on this hardware. Values keep the ratio to the base
 * they were measured beside, which stays comparable across runs when machine speed drifts.
 */
import * as fs from 'node:fs';
import { UserError } from '../errors';
import { readRegularText, writeFileAtomic } from '../util/fs';
import { parseJson } from '../util/json';
import { migrateOnRead, type Json, type VersionedFormat } from '../util/versioned';

export interface CachedMeasurement {
  median_ms: number;
  /** median / median(base) in the same interleaved call. */
  ratio: number;
  ratio_ci95: [number, number];
  /** Network hash (arch/identity.ts networkHash) of the base it was measured beside. */
  base_network_hash: string;
  samples: number;
}

export interface MeasurementCache {
  get(hash: string, targetKey: string): CachedMeasurement | undefined;
  set(hash: string, targetKey: string, value: CachedMeasurement): void;
  /** Persists, if the cache has a backing store. */
  flush?(): void;
}

export class MemoryCache implements MeasurementCache {
  protected readonly entries = new Map<string, CachedMeasurement>();
  get(hash: string, targetKey: string): CachedMeasurement | undefined {
    return this.entries.get(`${hash}@${targetKey}`);
  }
  set(hash: string, targetKey: string, value: CachedMeasurement): void {
    this.entries.set(`${hash}@${targetKey}`, value);
  }
  get size(): number {
    return this.entries.size;
  }
}

interface CacheFile {
  version: typeof CACHE_VERSION;
  entries: Record<string, CachedMeasurement>;
}

const CACHE_VERSION = 2;

/** The cache file's versions (the mechanism: util/versioned.ts). 2: entries name base_network_hash. */
export const CACHE_FORMAT: VersionedFormat = {
  kind: 'LACS measurement cache',
  current: CACHE_VERSION,
  migrations: [
    {
      from: 1,
      what: 'entries name the base network hash base_network_hash (was base_hash)',
      migrate: (doc) => {
        const entries = doc.entries;
        if (entries && typeof entries === 'object') {
          for (const e of Object.values(entries as Record<string, Json>)) {
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
  hint: 'Delete it to start over',
};

/** A JSON file cache (`{version: 2, entries: {"<network hash>@<target>": ...}}`), written atomically on flush. */
export class FileCache extends MemoryCache {
  /** `write` stores the file (default: the atomic writer, through a link only because the user named the file). */
  constructor(readonly file: string, private readonly write: (file: string, text: string) => void = (f, t) => writeFileAtomic(f, t, { what: '--cache', followLink: true })) {
    super();
    if (!fs.existsSync(file)) return;
    const raw = parseJson(readRegularText(file, { what: '--cache', kind: 'store' }), file, { notJson: 'measurement cache is not valid JSON', outcome: 'delete it to start over' });
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new UserError(`${file}: not a LACS measurement cache (expected {"version": ${CACHE_VERSION}, "entries": {...}}); delete it to start over`);
    }
    const doc = migrateOnRead(raw as Json, CACHE_FORMAT, file, 'it was left untouched').doc as unknown as CacheFile;
    if (typeof doc.entries !== 'object' || doc.entries === null) {
      throw new UserError(`${file}: not a LACS measurement cache (expected {"version": ${CACHE_VERSION}, "entries": {...}}); delete it to start over`);
    }
    for (const [key, value] of Object.entries(doc.entries)) {
      if (typeof value?.median_ms === 'number' && typeof value.ratio === 'number' && typeof value.base_network_hash === 'string') {
        this.entries.set(key, value);
      }
    }
  }

  flush(): void {
    const sorted = Object.fromEntries([...this.entries.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const body: CacheFile = { version: CACHE_VERSION, entries: sorted };
    this.write(this.file, JSON.stringify(body, null, 2) + '\n');
  }
}
