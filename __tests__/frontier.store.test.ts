import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import { UserError } from '../src/errors';
import { applyRecordUpdates, type RecordUpdate } from '../src/frontier/updates';
import {
  configHash, emptyStore, HISTORY_LIMIT, mergeStores, parseStore, readStoreFile, serializeStore, storedConfig, updateStoreFile,
  type FrontierStore,
} from '../src/frontier/store';
import { FAKE_TARGET } from './frontier.support/fake-measurer';

const ARCHS = path.join(__dirname, '../fixtures/archs');
const mbv2 = loadArchConfig(path.join(ARCHS, 'mobilenet-v2.yaml'));
const b0 = loadArchConfig(path.join(ARCHS, 'efficientnet-b0.yaml'));

function update(config = mbv2, median = 10, date = '2026-01-01T00:00:00.000Z', target = FAKE_TARGET.key): RecordUpdate {
  const stored = storedConfig(config);
  return {
    name: config.name, model: { provenance: 'config' as const, config: stored, config_hash: configHash(stored) },
    accuracy: config.accuracy ? { top1: config.accuracy.top1, dataset: config.accuracy.dataset ?? null, source: config.accuracy.source ?? null } : null,
    target, label: FAKE_TARGET.label,
    measurement: {
      date, commit: 'abc1234', median_ms: median, ci95_ms: [median * 0.99, median * 1.01], samples: 30,
      batch: 1, precision: 'fp32', provider: 'cpu', fingerprint: FAKE_TARGET.fingerprint,
    },
  };
}

const twoRecords = (): FrontierStore => applyRecordUpdates(emptyStore(), [update(mbv2, 10), update(b0, 20)]);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontier-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('serializeStore / parseStore', () => {
  it('round-trips and is byte-stable whatever the input order', () => {
    const store = twoRecords();
    const text = serializeStore(store);
    expect(parseStore(text, 'f.json')).toEqual(parseStore(serializeStore(parseStore(text, 'f.json')), 'f.json'));
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverseKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) : v;
    const reversed = { version: 2, records: [...store.records].reverse().map(reverseKeys) } as FrontierStore;
    expect(serializeStore(reversed)).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    // Records sorted by name; record keys in a fixed order; a stage per line.
    expect(text.indexOf('"efficientnet-b0"')).toBeLessThan(text.indexOf('"mobilenet-v2"'));
    expect(text).toMatch(/\{\s*"name": "efficientnet-b0",\s*"provenance": "config",\s*"accuracy"/);
    expect(text).toMatch(/\n {10}\{"block": "mbconv", "repeats": 1, "channels": 16, "kernel": 3/);
  });

  it('stores the config without accuracy, and the hash ignores name and accuracy but not the network', () => {
    const rec = twoRecords().records.find((r) => r.name === 'mobilenet-v2')!;
    expect(rec.config!.accuracy).toBeUndefined();
    expect(rec.accuracy).toEqual({ top1: 71.878, dataset: 'imagenet-1k', source: 'torchvision' });
    expect(configHash({ ...mbv2, name: 'renamed', accuracy: { top1: 1 } })).toBe(rec.config_hash);
    expect(configHash({ ...mbv2, resolution: 192 })).not.toBe(rec.config_hash);
    expect(rec.config_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('rejects bad JSON, naming the file', () => {
    expect(() => parseStore('{"version": 1, "records": [', 'store.json')).toThrow(/store\.json: not valid JSON/);
  });

  it('rejects an unknown or missing version', () => {
    expect(() => parseStore('{"version": 3, "records": []}', 's.json')).toThrow(/s\.json: unknown frontier store format \(version 3\); this frontier-gate reads versions 1 to 2/);
    expect(() => parseStore('{"records": []}', 's.json')).toThrow(/no version field/);
  });

  it('names the record and field of a schema error', () => {
    const store = JSON.parse(serializeStore(twoRecords()));
    store.records[1].accuracy.top1 = '71.9';
    expect(() => parseStore(JSON.stringify(store), 's.json')).toThrow(/s\.json: invalid frontier store: records\[1\] \(mobilenet-v2\)\.accuracy/);
    const extra = JSON.parse(serializeStore(twoRecords()));
    extra.records[0].config.stages[0].kernal = 3;
    expect(() => parseStore(JSON.stringify(extra), 's.json')).toThrow(/records\[0\] \(efficientnet-b0\)\.config\.stages\[0\]: unknown field 'kernal'/);
  });

  it('a record is named like a config: the same pattern and length cap', () => {
    for (const name of ['x'.repeat(100_000), 'Not A Name']) {
      const store = JSON.parse(serializeStore(twoRecords()));
      store.records[0].name = name;
      let message = '';
      try {
        parseStore(JSON.stringify(store), 's.json');
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        message = (err as Error).message;
      }
      expect(message).toMatch(/records\[0\] \(.*\)\.name: /);
      expect(message.length).toBeLessThan(300);
    }
  });

  it('rejects duplicate names and a config edited without its hash', () => {
    const dup = JSON.parse(serializeStore(twoRecords()));
    dup.records[1].name = 'efficientnet-b0';
    dup.records[1].config.name = 'efficientnet-b0';
    expect(() => parseStore(JSON.stringify(dup), 's.json')).toThrow(/duplicate record name "efficientnet-b0"/);
    const edited = JSON.parse(serializeStore(twoRecords()));
    edited.records[0].config.resolution = 256;
    expect(() => parseStore(JSON.stringify(edited), 's.json')).toThrow(/config_hash: .* does not match its config/);
  });
});

describe('history and updates', () => {
  it('keeps the latest measurement and a history bounded to the newest entries', () => {
    let store = emptyStore();
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
      store = applyRecordUpdates(store, [update(mbv2, 10 + i, new Date(Date.UTC(2026, 0, 1 + i)).toISOString())]);
    }
    const entry = store.records[0].targets[FAKE_TARGET.key];
    expect(entry.history).toHaveLength(HISTORY_LIMIT);
    expect(entry.latest.median_ms).toBe(10 + HISTORY_LIMIT + 4);
    expect(entry.history[0].median_ms).toBe(15);
    expect(entry.history.at(-1)!.median_ms).toBe(entry.latest.median_ms);
    expect(() => parseStore(serializeStore(store), 's.json')).not.toThrow();
  });

  it('a changed config replaces the record and drops measurements of the old network', () => {
    const store = applyRecordUpdates(twoRecords(), [update({ ...mbv2, resolution: 160 }, 5, '2026-02-01T00:00:00.000Z', 'other-target')]);
    const rec = store.records.find((r) => r.name === 'mobilenet-v2')!;
    expect(rec.config!.resolution).toBe(160);
    expect(Object.keys(rec.targets)).toEqual(['other-target']);
  });

  it('mergeStores keeps every record and every history entry of both sides', () => {
    const base = applyRecordUpdates(emptyStore(), [update(mbv2, 10, '2026-01-01T00:00:00.000Z')]);
    const ours = applyRecordUpdates(base, [update(mbv2, 11, '2026-01-02T00:00:00.000Z'), update(b0, 20, '2026-01-02T00:00:00.000Z')]);
    const theirs = applyRecordUpdates(base, [update(mbv2, 12, '2026-01-03T00:00:00.000Z', 'gpu-target')]);
    const theirs2 = applyRecordUpdates(theirs, [update(mbv2, 13, '2026-01-04T00:00:00.000Z')]);
    const merged = mergeStores(base, ours, theirs2);
    expect(merged.records.map((r) => r.name).sort()).toEqual(['efficientnet-b0', 'mobilenet-v2']);
    const m = merged.records.find((r) => r.name === 'mobilenet-v2')!;
    expect(m.targets[FAKE_TARGET.key].history.map((h) => h.median_ms)).toEqual([10, 11, 13]);
    expect(m.targets[FAKE_TARGET.key].latest.median_ms).toBe(13);
    expect(m.targets['gpu-target'].latest.median_ms).toBe(12);
  });

  it('a target keyed "__proto__" (a key JSON.parse keeps as its own) survives updates, the three-way merge and a round trip', () => {
    const base = parseStore(serializeStore(applyRecordUpdates(emptyStore(), [update(mbv2, 10, '2026-01-01T00:00:00.000Z', '__proto__')])), 'base.json');
    expect(Object.keys(base.records[0].targets)).toEqual(['__proto__']);
    const ours = applyRecordUpdates(base, [update(mbv2, 11, '2026-01-02T00:00:00.000Z', '__proto__')]);
    const theirs = applyRecordUpdates(base, [update(mbv2, 12, '2026-01-03T00:00:00.000Z')]);
    for (const merged of [mergeStores(base, ours, theirs), mergeStores(base, theirs, ours)]) {
      const m = parseStore(serializeStore(merged), 'merged.json').records[0];
      expect(Object.keys(m.targets).sort()).toEqual(['__proto__', FAKE_TARGET.key].sort());
      expect(Object.getOwnPropertyDescriptor(m.targets, '__proto__')?.value.history.map((h: { median_ms: number }) => h.median_ms)).toEqual([10, 11]);
      expect(Object.getPrototypeOf(m.targets)).toBe(Object.prototype);
    }
  });
});

describe('store files', () => {
  it('a missing store is an error for readers and an empty store for writers', async () => {
    const file = path.join(dir, 'sub', 'frontier.json');
    expect(() => readStoreFile(file)).toThrow(UserError);
    expect(() => readStoreFile(file)).toThrow(/no frontier store at .*frontier\.json.*frontier-gate init --frontier /);
    await updateStoreFile(file, (s) => applyRecordUpdates(s, [update()]));
    expect(readStoreFile(file).records).toHaveLength(1);
    // Atomic write leaves no temp files or lock behind.
    expect(fs.readdirSync(path.dirname(file))).toEqual(['frontier.json']);
  });

  it('a corrupted store is an error and is never rewritten', async () => {
    const file = path.join(dir, 'frontier.json');
    const corrupted = serializeStore(twoRecords()).slice(0, 300);
    fs.writeFileSync(file, corrupted);
    const mutate = jest.fn((s: FrontierStore) => s);
    await expect(updateStoreFile(file, mutate)).rejects.toThrow(/not valid JSON.*left untouched/);
    expect(mutate).not.toHaveBeenCalled();
    expect(fs.readFileSync(file, 'utf8')).toBe(corrupted);
    expect(fs.readdirSync(dir)).toEqual(['frontier.json']);
  });

  it('a store of an unknown version is an error and is never rewritten', async () => {
    const file = path.join(dir, 'frontier.json');
    const future = JSON.stringify({ version: 3, records: [], something: 'new' });
    fs.writeFileSync(file, future);
    await expect(updateStoreFile(file, (s) => applyRecordUpdates(s, [update()]))).rejects.toThrow(/unknown frontier store format/);
    expect(fs.readFileSync(file, 'utf8')).toBe(future);
  });

  it('a failing mutation leaves the store as it was', async () => {
    const file = path.join(dir, 'frontier.json');
    const text = serializeStore(twoRecords());
    fs.writeFileSync(file, text);
    await expect(updateStoreFile(file, () => { throw new UserError('boom'); })).rejects.toThrow('boom');
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    // The lock was released: the next writer gets in.
    await updateStoreFile(file, (s) => s, { waitMs: 1000 });
  });

  it('two async writers in one process lose nothing', async () => {
    const file = path.join(dir, 'frontier.json');
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const writer = async (config: typeof mbv2, n: number) => {
      for (let i = 0; i < n; i++) {
        await updateStoreFile(file, async (s) => {
          await sleep(5);
          return applyRecordUpdates(s, [update({ ...config, name: `${config.name}-${i}` }, 10 + i)]);
        });
      }
    };
    await Promise.all([writer(mbv2, 4), writer(b0, 4)]);
    expect(readStoreFile(file).records).toHaveLength(8);
  });

  it('two writer processes at once lose nothing', async () => {
    const file = path.join(dir, 'frontier.json');
    const script = path.join(__dirname, 'frontier.support/store-writer.js');
    const COUNT = 6;
    const run = (prefix: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [script, file, prefix, String(COUNT)], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run('a'), run('b')]);
    for (const r of results) expect(r).toEqual({ code: 0, stderr: '' });
    const store = readStoreFile(file);
    const names = store.records.map((r) => r.name).sort();
    const expected = ['shared', ...Array.from({ length: COUNT }, (_, i) => [`a-${i}`, `b-${i}`]).flat()].sort();
    expect(names).toEqual(expected);
    // Both processes' measurements of the shared record are in its history.
    const shared = store.records.find((r) => r.name === 'shared')!.targets['cpu-fake0001'];
    expect(shared.history).toHaveLength(2 * COUNT);
    expect(fs.readdirSync(dir)).toEqual(['frontier.json']);
  }, 60_000);
});
