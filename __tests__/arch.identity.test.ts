/** One config identity (the store's config_hash) and one network identity (LACS and search). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalJson, configHash, networkHash } from '../src/arch/identity';
import { loadArchConfig } from '../src/arch/parse';
import { scale } from '../src/arch/scale';
import type { ArchConfig } from '../src/arch/types';
import { parseStore } from '../src/frontier/store';

const ROOT = path.join(__dirname, '..');
const arch = (name: string) => loadArchConfig(path.join(ROOT, 'fixtures', 'archs', `${name}.yaml`));
const reverseKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(reverseKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) : v;

describe('configHash (the store identity)', () => {
  it('keeps every config_hash of a store written before this module valid', () => {
    const file = path.join(ROOT, 'fixtures', 'frontier', 'frontier.json');
    const store = parseStore(fs.readFileSync(file, 'utf8'), file);
    expect(store.records.length).toBeGreaterThan(0);
    for (const rec of store.records) expect(configHash(rec.config!)).toBe(rec.config_hash);
  });

  it('has the values stores hold today', () => {
    expect(configHash(arch('efficientnet-b0'))).toBe('sha256:20c0681b6a1015fda0875f9ac27631a795b79574ffb8b3d1e3ccfa42debe2f3f');
    expect(configHash(arch('mobilenet-v2'))).toBe('sha256:b41de36af3555839e67c28097b4b227d43ae31aa19ff1f16592efe97ed17aaed');
  });

  it('ignores key order, name, description, family and accuracy, not the network', () => {
    const b0 = arch('efficientnet-b0');
    expect(configHash(reverseKeys(b0) as ArchConfig)).toBe(configHash(b0));
    expect(configHash({ ...b0, name: 'x', description: 'y', family: 'base', accuracy: { top1: 1 } })).toBe(configHash(b0));
    expect(configHash({ ...b0, resolution: 240 })).not.toBe(configHash(b0));
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 2 }] })).toBe('{"a":[{"c":2}],"b":1}');
  });
});

describe('networkHash (what LACS and search dedupe on)', () => {
  it('has the values LACS reported before this module (accuracy tables and caches stay valid)', () => {
    expect(networkHash(arch('efficientnet-b0'))).toBe('29d72b4a97eed5cf');
    expect(networkHash(arch('resnet-50'))).toBe('9c3d3b5125171af2');
    expect(networkHash(arch('mobilenet-v2'))).toBe('c380d040910b033e');
  });

  it('is the same for configs that build the same network, whatever their key order or metadata', () => {
    const b0 = arch('efficientnet-b0');
    expect(networkHash(reverseKeys(b0) as ArchConfig)).toBe(networkHash(b0));
    expect(networkHash({ ...b0, name: 'other', accuracy: { top1: 1 } })).toBe(networkHash(b0));
    // Two width multipliers that round every channel count the same build one network.
    const a = scale(b0, { width: 1 });
    const b = scale(b0, { width: 1.001 });
    expect(configHash(a)).not.toBe(configHash(b));
    expect(networkHash(a)).toBe(networkHash(b));
    expect(networkHash(scale(b0, { width: 1.2 }))).not.toBe(networkHash(b0));
  });
});
