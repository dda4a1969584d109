/**
 * Stored data is versioned and migrated on read in one place (src/util/versioned.ts; the store's chain in
 * src/frontier/migrate.ts): a version 1 store reads as version 2, the next write stores version 2, and
 * nothing is lost. fixtures/frontier/v1/frontier.json is the zoo store as version 1 wrote it (it holds a
 * LACS entry, so the rename is exercised); fixtures/frontier/frontier.json is the same store migrated.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyRecordUpdates } from '../src/frontier/updates';
import { STORE_FORMAT } from '../src/frontier/migrate';
import { mergeStores, parseStore, readStoreFile, serializeStore, STORE_VERSION, updateStoreFile } from '../src/frontier/store';
import { CACHE_FORMAT, FileCache } from '../src/lacs/cache';
import { LACS_SHARD_FORMAT, readLacsShardFile } from '../src/lacs/shard';
import { checkChain, migrateOnRead } from '../src/util/versioned';
import { main } from '../src/cli';
import { MacsMeasurer } from './action.fake-measurer';

const ROOT = path.join(__dirname, '..');
const V1 = path.join(ROOT, 'fixtures/frontier/v1/frontier.json');
const V2 = path.join(ROOT, 'fixtures/frontier/frontier.json');
const read = (f: string) => fs.readFileSync(f, 'utf8');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-migrate-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the chains', () => {
  it('every versioned format has one step per version up to its current one', () => {
    expect(STORE_VERSION).toBe(2);
    for (const format of [STORE_FORMAT, CACHE_FORMAT, LACS_SHARD_FORMAT]) expect(() => checkChain(format)).not.toThrow();
  });
});

describe('frontier store version 1 -> 2', () => {
  it('the committed version 1 zoo reads as the committed version 2 zoo, and writes it byte for byte', () => {
    expect(JSON.parse(read(V1)).version).toBe(1);
    expect(JSON.parse(read(V2)).version).toBe(2);
    const migrated = parseStore(read(V1), V1);
    expect(migrated).toEqual(parseStore(read(V2), V2));
    expect(serializeStore(migrated)).toBe(read(V2));
    // The LACS entry's hash is named for what it holds, with the same value.
    const v1Entry = Object.values(JSON.parse(read(V1)).records.find((r: { lacs?: object }) => r.lacs).lacs as Record<string, { base_hash: string }>)[0];
    const v2Entry = Object.values(migrated.records.find((r) => r.lacs)!.lacs!)[0];
    expect(v2Entry.base_config_hash).toBe(v1Entry.base_hash);
    expect(v2Entry).not.toHaveProperty('base_hash');
  });

  it('migrating leaves the parsed input as it was (a pure function of it)', () => {
    const data = JSON.parse(read(V1));
    const before = JSON.stringify(data);
    const { doc, from } = migrateOnRead(data, STORE_FORMAT, 'v1.json', 'left untouched');
    expect(from).toBe(1);
    expect(doc.version).toBe(2);
    expect(JSON.stringify(data)).toBe(before);
  });

  it('record into a version 1 store file: the store is written as version 2 and keeps every record', async () => {
    const file = path.join(dir, 'frontier.json');
    fs.copyFileSync(V1, file);
    const names = JSON.parse(read(V1)).records.map((r: { name: string }) => r.name);
    const config = path.join(ROOT, 'fixtures/candidates/mobilenet-v2-192.yaml');
    const err: string[] = [];
    const code = await main(['record', config, '--frontier', file, '--no-lacs', '--quiet'], { out: () => undefined, err: (t) => err.push(t) }, { measurer: () => new MacsMeasurer(), commit: () => undefined });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const text = read(file);
    expect(JSON.parse(text).version).toBe(2);
    expect(text).not.toMatch(/"base_hash"/);
    const after = readStoreFile(file);
    expect(after.records.map((r) => r.name).sort()).toEqual([...names, 'mobilenet-v2-192'].sort());
    // Every stored field of the old records survived (the migrated form).
    const old = parseStore(read(V1), V1);
    for (const r of old.records) expect(after.records.find((x) => x.name === r.name)).toEqual(r);
  });

  it('a version 1 store merged with a version 2 one (a concurrent writer on the other version) keeps both', () => {
    const v1 = parseStore(read(V1), V1);
    const ours = applyRecordUpdates(v1, []);
    const theirs = parseStore(read(V2), V2);
    expect(mergeStores(v1, ours, theirs)).toEqual({ version: 2, records: expect.any(Array) });
  });

  it('a malformed version 1 store is reported by the current schema, saying it was migrated, and never rewritten', async () => {
    const file = path.join(dir, 'frontier.json');
    const doc = JSON.parse(read(V1));
    doc.records[0].lacs = { cpu: { ...Object.values(doc.records.find((r: { lacs?: object }) => r.lacs).lacs)[0] as object, base_hash: 42 } };
    const bad = JSON.stringify(doc);
    fs.writeFileSync(file, bad);
    await expect(updateStoreFile(file, (s) => s)).rejects.toThrow(/invalid frontier store \(read as version 2 from a version 1 store\): records\[0\] \(efficientnet-b0\)\.lacs\.cpu\.base_config_hash: must be string/);
    expect(read(file)).toBe(bad);
    // Shapes a migration does not expect are left for the schema, never a crash.
    for (const records of [{}, [1, null, { lacs: 3 }, { lacs: { x: null } }]]) {
      expect(() => parseStore(JSON.stringify({ version: 1, records }), 'odd.json')).toThrow(/odd\.json: invalid frontier store \(read as version 2 from a version 1 store\)/);
    }
  });

  it('every version 1 record reads as a config record (provenance config); a version 2 record must state its provenance', () => {
    const v1 = JSON.parse(read(V1));
    expect(v1.records.every((r: object) => !('provenance' in r))).toBe(true);
    const migrated = parseStore(read(V1), V1);
    expect(migrated.records.every((r) => r.provenance === 'config' && r.config && r.config_hash)).toBe(true);
    const v2 = JSON.parse(read(V2));
    delete v2.records[0].provenance;
    expect(() => parseStore(JSON.stringify(v2), 'v2.json')).toThrow(/v2\.json: invalid frontier store: records\[0\] \(efficientnet-b0\): missing field 'provenance'/);
    // The provenance decides the fields: a config record holds no onnx, an onnx record no config.
    const mixed = JSON.parse(read(V2));
    mixed.records[0].provenance = 'onnx';
    expect(() => parseStore(JSON.stringify(mixed), 'm.json')).toThrow(/records\[0\] \(efficientnet-b0\): missing field 'onnx'/);
    mixed.records[0].provenance = 'published';
    expect(() => parseStore(JSON.stringify(mixed), 'm.json')).toThrow(/records\[0\] \(efficientnet-b0\): missing field 'published'/);
  });

  it('an .onnx model recorded into a version 1 store: version 2 with config and onnx records side by side', async () => {
    const repo = fs.mkdtempSync(path.join(dir, 'repo-'));
    const file = path.join(repo, '.frontier/frontier.json');
    fs.mkdirSync(path.dirname(file));
    fs.copyFileSync(V1, file);
    fs.mkdirSync(path.join(repo, 'models'));
    const { buildModel } = await import('../src/onnx/build');
    const { loadArchConfig } = await import('../src/arch/parse');
    fs.writeFileSync(path.join(repo, 'models/mbv2-160.onnx'), buildModel({ ...loadArchConfig(path.join(ROOT, 'fixtures/archs/mobilenet-v2.yaml')), resolution: 160 }));
    const err: string[] = [];
    const code = await main(['record', 'models/mbv2-160.onnx', '--accuracy', '68.5', '--frontier', '.frontier/frontier.json', '--quiet'], { out: () => undefined, err: (t) => err.push(t) },
      { measurer: () => new MacsMeasurer(), commit: () => undefined, cwd: repo });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const after = readStoreFile(file);
    expect(JSON.parse(read(file)).version).toBe(2);
    const byProvenance = (p: string) => after.records.filter((r) => r.provenance === p).map((r) => r.name);
    expect(byProvenance('onnx')).toEqual(['mbv2-160']);
    expect(byProvenance('config')).toEqual(parseStore(read(V1), V1).records.map((r) => r.name));
  });

  it('versions it cannot read are refused with the versions it can', () => {
    for (const version of [0, 3, '1', 1.5, null]) {
      expect(() => parseStore(JSON.stringify({ version, records: [] }), 's.json')).toThrow(/s\.json: unknown frontier store format \(version .*\); this frontier-gate reads versions 1 to 2\. Upgrade frontier-gate/);
    }
  });
});

describe('other stored formats use the same mechanism', () => {
  it('a version 1 LACS measurement cache is read and flushed as version 2', () => {
    const file = path.join(dir, 'cache.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, entries: { 'abc@cpu': { median_ms: 2, ratio: 1.5, ratio_ci95: [1.4, 1.6], base_hash: 'beef', samples: 30 } } }));
    const cache = new FileCache(file);
    expect(cache.get('abc', 'cpu')).toEqual({ median_ms: 2, ratio: 1.5, ratio_ci95: [1.4, 1.6], base_network_hash: 'beef', samples: 30 });
    cache.flush();
    expect(JSON.parse(read(file))).toEqual({ version: 2, entries: { 'abc@cpu': { median_ms: 2, ratio: 1.5, ratio_ci95: [1.4, 1.6], base_network_hash: 'beef', samples: 30 } } });
    fs.writeFileSync(file, JSON.stringify({ version: 7, entries: {} }));
    expect(() => new FileCache(file)).toThrow(/unknown LACS measurement cache format \(version 7\); this frontier-gate reads versions 1 to 2\. Delete it to start over/);
  });

  it('a version 1 LACS shard result reads as version 2', () => {
    const v1 = { kind: 'frontier-gate/lacs-shard', version: 1, shard: { index: 1, count: 2 }, base: { name: 'b', hash: 'h' }, target: { key: 'k', label: 'l' }, entries: [{ hash: 'x', median_ms: 1, ratio: 1, ratio_ci95: [1, 1], base_hash: 'h', samples: 3 }] };
    expect(readLacsShardFile(v1, 's.json')).toEqual({ ...v1, version: 2, entries: [{ hash: 'x', median_ms: 1, ratio: 1, ratio_ci95: [1, 1], base_network_hash: 'h', samples: 3 }] });
    expect(readLacsShardFile({ kind: 'other' }, 's.json')).toEqual({ kind: 'other' });
  });
});
