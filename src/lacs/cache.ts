/**
 * Measurement cache keyed by config hash + target key, so a re-run (or a PR that moves the base by a
 * little) re-measures only networks it has not seen on this hardware. Values keep the ratio to the base
 * they were measured beside, which stays comparable across runs when machine speed drifts.
 */
import * as fs from 'node:fs';
import { UserError } from '../errors';
import { readRegularText, writeFileAtomic } from '../util/fs';

export interface CachedMeasurement {
  median_ms: number;
  /** median / median(base) in the same interleaved call. */
  ratio: number;
  ratio_ci95: [number, number];
  /** Config hash of the base it was measured beside. */
  base_hash: string;
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
  version: 1;
  entries: Record<string, CachedMeasurement>;
}

/** A JSON file cache (`{version: 1, entries: {"<hash>@<target>": ...}}`), written atomically on flush. */
export class FileCache extends MemoryCache {
  constructor(readonly file: string) {
    super();
    if (!fs.existsSync(file)) return;
    let doc: CacheFile;
    try {
      doc = JSON.parse(readRegularText(file, { what: '--cache', kind: 'store' })) as CacheFile;
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`${file}: measurement cache is not valid JSON (${(err as Error).message}); delete it to start over`);
    }
    if (!doc || doc.version !== 1 || typeof doc.entries !== 'object' || doc.entries === null) {
      throw new UserError(`${file}: not a LACS measurement cache (expected {"version": 1, "entries": {...}}); delete it to start over`);
    }
    for (const [key, value] of Object.entries(doc.entries)) {
      if (typeof value?.median_ms === 'number' && typeof value.ratio === 'number' && typeof value.base_hash === 'string') {
        this.entries.set(key, value);
      }
    }
  }

  flush(): void {
    const sorted = Object.fromEntries([...this.entries.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const body: CacheFile = { version: 1, entries: sorted };
    writeFileAtomic(this.file, JSON.stringify(body, null, 2) + '\n', { what: '--cache' });
  }
}
