import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { lower } from '../src/arch/lower';
import { parseArchConfig } from '../src/arch/parse';
import { ConfigError } from '../src/errors';
import { seeded } from '../src/util/random';
import {
  blockKey, choicesAt, genomeToConfig, loadSpace, parseSpace, sampleGenome, spaceSize, spaceToYaml,
} from '../src/search/space';
import { spaceSchemaJson } from '../src/search/space-schema';
import { configHash, networkHash } from '../src/arch/identity';

const dir = path.join(__dirname, '..', 'fixtures', 'spaces');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'));

const minimal = `name: tiny
resolution: [32, 48]
stem: {channels: 8, kernel: 3, stride: 2}
stages:
  - name: a
    channels: [8, 16]
    stride: 2
    depth: [1, 3]
    blocks:
      - {block: mbconv, kernel: [3, 5], expand: [2, 4]}
`;

function errorOf(text: string): ConfigError {
  try {
    parseSpace(text, 'space.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('search spaces', () => {
  test('ships the five spaces of the issue', () => {
    expect(files.sort()).toEqual(['efficientnet-x.yaml', 'genet.yaml', 'ofa-mobilenetv3.yaml', 'ofa-resnet50.yaml', 'proxylessnas.yaml']);
  });

  test.each(files)('%s: samples lower to valid format v1 configs, round-trip through YAML', (file) => {
    const space = loadSpace(path.join(dir, file));
    const rand = seeded(11);
    for (let i = 0; i < 5; i++) {
      const genome = sampleGenome(space, rand);
      const config = genomeToConfig(space, genome);
      const net = lower(config);
      // Depths as sampled: the config has as many blocks as the genome's depths add up to.
      const blocks = new Set(net.layers.filter((l) => l.where.part === 'stage' && l.where.block !== undefined).map((l) => `${l.where.stage}.${l.where.block}`));
      expect(config.stages.reduce((a, s) => a + s.repeats, 0)).toBe(genome.stages.reduce((a, s) => a + s.depth, 0));
      expect(blocks.size).toBe(genome.stages.reduce((a, s) => a + s.depth, 0));
      expect(config.resolution).toBe(space.resolution[genome.resolution]);
      // A valid format v1 config, as `stats`, `build` and `measure` read it back.
      expect(parseArchConfig(stringify(config), 'sampled.yaml')).toEqual(config);
    }
    expect(parseSpace(spaceToYaml(space, ['round trip']), 'rt.yaml')).toEqual(space);
  });

  test('OFA-MobileNetV3 offers the 9 MBConv blocks per stage and its published size order', () => {
    const space = loadSpace(path.join(dir, 'ofa-mobilenetv3.yaml'));
    const s1 = space.stages[1];
    expect(s1.blocks.map((b) => `e${b.expand}k${b.kernel}`).sort()).toEqual(['e3k3', 'e3k5', 'e3k7', 'e4k3', 'e4k5', 'e4k7', 'e6k3', 'e6k5', 'e6k7']);
    // (9^2 + 9^3 + 9^4)^5 architectures (OFA's ~2e19) times 5 resolutions.
    expect(spaceSize(space)).toBeCloseTo(5 * (81 + 729 + 6561) ** 5, -15);
  });

  test('space size counts depth and width choices', () => {
    const space = parseSpace(minimal, 'tiny.yaml');
    // 2 resolutions x 2 widths x (4 + 16 + 64) layer combinations.
    expect(spaceSize(space)).toBe(2 * 2 * (4 + 16 + 64));
  });

  test('a stage of identical layers becomes one config stage; differing layers split, only the first strides', () => {
    const space = parseSpace(minimal, 'tiny.yaml');
    const same = genomeToConfig(space, { resolution: 0, stages: [{ width: 1, depth: 3, layers: [0, 0, 0] }] });
    expect(same.stages).toHaveLength(1);
    expect(same.stages[0]).toMatchObject({ repeats: 3, channels: 16, stride: 2 });
    const mixed = genomeToConfig(space, { resolution: 1, stages: [{ width: 0, depth: 3, layers: [0, 3, 3] }] });
    expect(mixed.stages.map((s) => [s.repeats, s.stride, s.kernel, s.expand])).toEqual([[1, 2, 3, 2], [2, 1, 5, 4]]);
    expect(networkHash(same)).not.toBe(networkHash(mixed));
    expect(networkHash({ ...same, name: 'other' })).toBe(networkHash(same));
    expect(same.name).toBe(`tiny-${configHash(same).slice(7, 17)}`);
  });

  test('space_to_depth is a choice only at a stage\'s first layer and needs a depth-1 stage', () => {
    const space = loadSpace(path.join(dir, 'efficientnet-x.yaml'));
    expect(choicesAt(space.stages[0], 0).map((i) => blockKey(space.stages[0].blocks[i]))).toContain('mbconv/k3/e1/se1/relu/s2d-conv');
    const bad = minimal.replace('{block: mbconv, kernel: [3, 5], expand: [2, 4]}', '{block: mbconv, kernel: 3, expand: 1, space_to_depth: conv}');
    const e = errorOf(bad);
    expect(e.message).toMatch(/^space\.yaml:10:\d+: stages\[0\]\.blocks\[0\]\.space_to_depth: space_to_depth folds the whole stage/);
  });

  test('errors point at file:line:col, name the field and quote the value', () => {
    expect(errorOf(minimal.replace('kernel: [3, 5]', 'kernel: [3, 55]')).message).toMatch(/^space\.yaml:10:\d+: stages\[0\]\.blocks\[0\]\.kernel.*55/);
    expect(errorOf(minimal.replace('stride: 2\n    depth', 'stride: 3\n    depth')).message).toMatch(/^space\.yaml:7:13: stages\[0\]\.stride: expected one of 1 \| 2, got 3/);
    expect(errorOf(minimal.replace('depth: [1, 3]', 'depth: [3, 1]')).message).toMatch(/^space\.yaml:8:12: stages\[0\]\.depth: depth \[min, max\] needs min <= max, got \[3, 1\]/);
    expect(errorOf(minimal.replace('    blocks:', '    blokcs: 1\n    blocks:')).message).toMatch(/^space\.yaml:\d+:\d+: stages\[0\]: unknown field 'blokcs'/);
    const folding = minimal.replace('depth: [1, 3]', 'depth: 1').replace('expand: [2, 4]}', 'expand: 2, space_to_depth: [none, conv]}');
    expect(() => parseSpace(folding, 'space.yaml')).not.toThrow();
    expect(errorOf(folding.replace('resolution: [32, 48]', 'resolution: [30, 32]')).message).toMatch(/^space\.yaml:2:13: resolution: the smallest resolution 30 cannot be built: space_to_depth needs an even input size, got 15x15/);
    // The space's leaves come from the architecture schema: format v1 caps se at 1.
    expect(errorOf(minimal.replace('expand: [2, 4]}', 'expand: [2, 4], se: [0, 1.5]}')).message)
      .toMatch(/^space\.yaml:10:65: stages\[0\]\.blocks\[0\]\.se\[1\]: must be <= 1, got 1\.5/);
    // Sampled networks must be valid format v1 configs: a conv block has no expansion.
    expect(errorOf(minimal.replace('expand: [2, 4]}', 'expand: [2, 4]}\n      - {block: conv, kernel: 3, expand: 4}')).message)
      .toMatch(/^space\.yaml:10:7: stages\[0\]\.blocks: block C e4 k3 gives a network that is not a valid architecture config: 4 has no effect on block conv.*\(stages\[0\]\.expand\)/);
    expect(errorOf('name: x\n  bad: [').message).toMatch(/^space\.yaml:\d+:\d+: YAML syntax/);
    expect(errorOf('- 1\n- 2\n').message).toMatch(/must be a YAML mapping/);
  });

  test('schema/search-space.schema.json is the published copy of the schema object', () => {
    expect(fs.readFileSync(path.join(__dirname, '..', 'schema', 'search-space.schema.json'), 'utf8')).toBe(spaceSchemaJson());
  });
});
