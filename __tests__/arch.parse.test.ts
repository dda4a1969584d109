/** Reading valid configs: defaults, normalisation, source positions, aliases, and the published schema. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import * as YAML from 'yaml';
import { didYouMean, formatFieldPath, loadArchConfig, loadArchConfigWithSource, parseArchConfig, parseArchConfigWithSource } from '../src/arch/parse';
import { ARCH_CONFIG_SCHEMA, schemaJson } from '../src/arch/schema';
import { countConfig } from '../src/arch/counts';
import { ACTIVATIONS, BLOCK_TYPES } from '../src/arch/types';

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(ROOT, 'fixtures', 'archs');
const fixtureFiles = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort();

const MINIMAL = `
name: minimal
resolution: 32
classes: 10
stem: {channels: 8, kernel: 3, stride: 2, act: relu}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 2, act: relu6}
head: {channels: 0, act: relu}
`;

describe('defaults and normalisation', () => {
  it('fills the documented defaults', () => {
    const config = parseArchConfig(MINIMAL, 'minimal.yaml');
    expect(config).toEqual({
      name: 'minimal',
      resolution: 32,
      channels: 3,
      classes: 10,
      width: 1,
      depth: 1,
      divisor: 8,
      stem: { channels: 8, kernel: 3, stride: 2, act: 'relu', pool: 'none' },
      stages: [{ block: 'mbconv', repeats: 1, channels: 16, kernel: 3, stride: 2, expand: 1, se: 0, act: 'relu6' }],
      head: { channels: 0, act: 'relu' },
      dropout: 0,
    });
    // Absent stage options stay absent rather than undefined-valued keys.
    expect(Object.keys(config.stages[0])).not.toContain('space_to_depth');
    expect(Object.keys(config)).not.toContain('accuracy');
  });

  it('keeps every optional field that is given', () => {
    const text = MINIMAL.replace('name: minimal', 'name: full\nfamily: base\ndescription: "a test: with colon"\nchannels: 1\nwidth: 1.5\ndepth: 2\ndivisor: 4\ndropout: 0.3\naccuracy: {top1: 12.5, dataset: cifar, source: run-7}')
      .replace('act: relu6}', 'act: relu6, expand: 4, se: 0.5, space_to_depth: reshape, space_to_batch: 2}')
      .replace('act: relu}\nstages', 'act: relu, pool: max}\nstages')
      .replace('resolution: 32', 'resolution: 64');
    const config = parseArchConfig(text, 'full.yaml');
    expect(config).toMatchObject({
      name: 'full', family: 'base', description: 'a test: with colon', channels: 1, width: 1.5, depth: 2, divisor: 4, dropout: 0.3,
      accuracy: { top1: 12.5, dataset: 'cifar', source: 'run-7' },
      stem: { pool: 'max' },
      stages: [{ expand: 4, se: 0.5, space_to_depth: 'reshape', space_to_batch: 2 }],
    });
  });

  it('reads the bundled fixtures into the documented shape', () => {
    const b0 = loadArchConfig(path.join(FIXTURES, 'efficientnet-b0.yaml'));
    expect(b0.family).toBe('base');
    expect(b0.stages).toHaveLength(7);
    expect(b0.stages[5]).toEqual({ block: 'mbconv', repeats: 4, channels: 192, kernel: 5, stride: 2, expand: 6, se: 0.25, act: 'swish' });
    expect(b0.accuracy).toEqual({ top1: 77.692, dataset: 'imagenet-1k', source: 'torchvision' });
    const x = loadArchConfig(path.join(FIXTURES, 'efficientnet-x-b0.yaml'));
    expect(x.stages[0].space_to_depth).toBe('conv');
    expect(x.stages.map((s) => s.act)).toEqual(['relu', 'swish', 'swish', 'relu', 'relu', 'relu', 'relu']);
    const r50 = loadArchConfig(path.join(FIXTURES, 'resnet-50.yaml'));
    expect(r50.stem.pool).toBe('max');
    expect(r50.head.channels).toBe(0);
  });

  it.each(fixtureFiles)('%s loads, validates and counts', (file) => {
    const loaded = loadArchConfigWithSource(path.join(FIXTURES, file));
    expect(loaded.config.name).toBe(file.replace(/\.yaml$/, ''));
    // The stats returned with the config are the same counts countConfig gives.
    expect(loaded.stats.params).toBe(countConfig(loaded.config).params);
  });

  it('accepts Windows line endings, a BOM, comments with brackets and small aliases', () => {
    const text = '\uFEFF# [[[[ not nesting\r\n' + MINIMAL.replace('act: relu6}', 'act: &a relu6}').replace('head: {channels: 0, act: relu}', 'head: {channels: 0, act: *a}').replace(/\n/g, '\r\n');
    const config = parseArchConfig(text, 'crlf.yaml');
    expect(config.head.act).toBe('relu6');
    expect(config.stages[0].act).toBe('relu6');
  });

  it('merges YAML merge keys (<<) so stages can share settings, and locates merged fields at their stage', () => {
    const text = MINIMAL.replace('stages:\n', 'stages:\n  - &mb {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, act: swish, se: 0.25, expand: 6}\n')
      .replace('  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 2, act: relu6}', '  - {<<: *mb, channels: 24, stride: 2}');
    const { config, locate } = parseArchConfigWithSource(text, 'merge.yaml');
    expect(config.stages[1]).toEqual({ ...config.stages[0], channels: 24, stride: 2 });
    expect(locate(['stages', 1, 'kernel'])).toEqual(locate(['stages', 1]));
    expect(locate(['stages', 1, 'channels']).col).toBeGreaterThan(locate(['stages', 1]).col);
  });

  it('the result does not share objects with the parser (mutating it is safe)', () => {
    const a = parseArchConfig(MINIMAL, 'a.yaml');
    a.stages[0].channels = 999;
    expect(parseArchConfig(MINIMAL, 'a.yaml').stages[0].channels).toBe(16);
  });
});

describe('source positions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-parse-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('locates fields, list items and missing fields in the file', () => {
    const file = path.join(FIXTURES, 'efficientnet-b0.yaml');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const { locate } = loadArchConfigWithSource(file);
    const lineOf = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix)) + 1;
    const stage3 = lineOf('  - {block: mbconv, repeats: 3, channels: 80');
    expect(locate(['stages', 3])).toEqual({ file, line: stage3, col: 5 });
    expect(locate(['stages', 3, 'kernel'])).toEqual({ file, line: stage3, col: lines[stage3 - 1].indexOf('kernel: 3') + 9 });
    expect(locate(['name'])).toEqual({ file, line: lineOf('name:'), col: 7 });
    expect(locate(['stem', 'act'])).toEqual({ file, line: lineOf('stem:'), col: lines[lineOf('stem:') - 1].indexOf('swish') + 1 });
    // A defaulted field is not in the file: its parent is the nearest place to point at.
    expect(locate(['stem', 'pool'])).toEqual(locate(['stem']));
    expect(locate(['stages', 3, 'space_to_depth'])).toEqual(locate(['stages', 3]));
    expect(locate(['divisor'])).toEqual({ file, line: lineOf('name:'), col: 1 });
  });

  it('locates fields in block style too', () => {
    const file = path.join(dir, 'block.yaml');
    fs.writeFileSync(file, YAML.stringify(parseArchConfig(MINIMAL, 'x.yaml')));
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const { locate } = loadArchConfigWithSource(file);
    const pos = locate(['stages', 0, 'kernel']);
    expect(lines[pos.line - 1].slice(pos.col - 1)).toBe('3');
    expect(lines[pos.line - 1]).toMatch(/^\s+kernel: 3$/);
  });

  it('parseArchConfigWithSource names the given file', () => {
    const { locate } = parseArchConfigWithSource(MINIMAL, 'virtual.yaml');
    expect(locate(['resolution'])).toEqual({ file: 'virtual.yaml', line: 3, col: 13 });
  });
});

describe('helpers', () => {
  it('formats field paths', () => {
    expect(formatFieldPath(['stages', 2, 'act'])).toBe('stages[2].act');
    expect(formatFieldPath(['stem'])).toBe('stem');
    expect(formatFieldPath([])).toBe('');
  });

  it('suggests only close matches', () => {
    expect(didYouMean('swsh', ACTIVATIONS)).toBe('swish');
    expect(didYouMean('Relu', ACTIVATIONS)).toBe('relu');
    expect(didYouMean('fusedmbconv', BLOCK_TYPES)).toBe('fused_mbconv');
    expect(didYouMean('activation', ['channels', 'kernel', 'stride', 'act', 'pool'])).toBeUndefined();
  });
});

describe('published JSON Schema', () => {
  const file = path.join(ROOT, 'schema', 'arch-config.schema.json');
  const published = JSON.parse(fs.readFileSync(file, 'utf8'));

  it('is the schema the parser validates with', () => {
    expect(fs.readFileSync(file, 'utf8')).toBe(schemaJson());
    expect(published).toEqual(ARCH_CONFIG_SCHEMA);
  });

  it('declares $schema and $id and describes every field', () => {
    expect(published.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(published.$id).toMatch(/^https:\/\/.+arch-config/);
    const undescribed: string[] = [];
    const walk = (node: Record<string, unknown>, at: string) => {
      if (typeof node.description !== 'string' || node.description.length < 8) undescribed.push(at || '(root)');
      for (const [key, sub] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) walk(sub, `${at}.${key}`);
      if (node.items) walk(node.items as Record<string, unknown>, `${at}[]`);
    };
    walk(published, '');
    expect(undescribed).toEqual([]);
  });

  it('validates every fixture with a plain ajv (as an editor would) and rejects a typo', () => {
    const validate = new Ajv({ strict: true }).compile(published);
    for (const f of fixtureFiles) {
      const data = YAML.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8'));
      expect([f, validate(data), validate.errors]).toEqual([f, true, null]);
    }
    const typo = YAML.parse(fs.readFileSync(path.join(FIXTURES, fixtureFiles[0]), 'utf8'));
    typo.stem.activation = 'relu';
    expect(validate(typo)).toBe(false);
  });
});

describe('head and classifier', () => {
  const noHead = MINIMAL.replace('head: {channels: 0, act: relu}', 'head: {channels: 0}');

  it('head channels 0 needs no act, and the network has no head conv', () => {
    const config = parseArchConfig(noHead, 'no-head.yaml');
    expect(config.head).toEqual({ channels: 0 });
    expect(countConfig(config).layers.some((l) => l.name === 'head.conv')).toBe(false);
  });

  it('a head conv needs its act: file:line:col and what is allowed', () => {
    expect(() => parseArchConfig(noHead.replace('head: {channels: 0}', 'head: {channels: 64}'), 'head.yaml'))
      .toThrow(/^head\.yaml:8:7: head\.act: missing required field "act"; allowed: relu \| relu6 \| swish \| hswish \| gelu \| sigmoid/);
  });

  it('classes 0 (no classifier) parses and builds no classifier', () => {
    const config = parseArchConfig(noHead.replace('classes: 10', 'classes: 0'), 'features.yaml');
    expect(config.classes).toBe(0);
    expect(countConfig(config).layers.some((l) => l.type === 'fc')).toBe(false);
  });

  it('ResNet-18 and -50 written as the README describes (head channels 0, no act) parse', () => {
    for (const name of ['resnet-18', 'resnet-50']) {
      const text = fs.readFileSync(path.join(FIXTURES, `${name}.yaml`), 'utf8');
      expect(text).toMatch(/^head: \{channels: 0\}/m);
      expect(loadArchConfig(path.join(FIXTURES, `${name}.yaml`)).head).toEqual({ channels: 0 });
    }
  });
});
