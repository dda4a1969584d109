/**
 * The block vocabulary of the newer CNN families (grouped convs, SE options, a head after pooling, mixed
 * kernels, uir, ResNet-D's deep stem and average-pool shortcut, TensorFlow SAME padding): options are
 * fields with defaults, absent at their default, so every config written before them keeps its
 * config_hash, its network hash and the very bytes of its ONNX graph.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { countConfig } from '../src/arch/counts';
import { configHash, networkHash } from '../src/arch/identity';
import { lower } from '../src/arch/lower';
import { loadArchConfig, parseArchConfig } from '../src/arch/parse';
import { pyRound, stageRepeats } from '../src/arch/scale';
import { ConfigError } from '../src/errors';
import { buildModel } from '../src/onnx/build';

const ROOT = path.join(__dirname, '..');
const fixture = (name: string) => loadArchConfig(path.join(ROOT, 'fixtures', name));

// Computed with main's code before this vocabulary existed (config_hash without its "sha256:" prefix).
const BEFORE: [string, string, string][] = [
  ['archs/efficientnet-b0.yaml', '20c0681b6a1015fda0875f9ac27631a795b79574ffb8b3d1e3ccfa42debe2f3f', '29d72b4a97eed5cf'],
  ['archs/efficientnet-b1.yaml', '33864dcae800cbdf6789387a03b2013e383342404b517e62e9138f0ad4aa41e4', '82d3ae8d3aa36439'],
  ['archs/efficientnet-b2.yaml', '7211bd3272055c11cff3bcb4884ccc45c201aa79936542c3d19076151b7f921e', '07ec0d50059eb4a5'],
  ['archs/efficientnet-b3.yaml', '7f03768ec543be451b88146084507d70a336c12e4ea5a2fc5190fb28b6b6dd60', '9f9b981bd504d284'],
  ['archs/efficientnet-x-b0.yaml', '21284b3f56c047a434802666df3b1ffe3133fac4057dea9911b3398be00d1887', '3b22a197a57998f1'],
  ['archs/genet-large.yaml', '0ab7ddbab5d10212ba1dfb53beeb0b4b141aa0c9993003ce7c547cd11d695045', '9570699cd91d7073'],
  ['archs/genet-light.yaml', '84ac7609965e669cab3ee7064fa81d5952c1319f93d87db1c8147fbfdb34f299', '81c924095c94fcdc'],
  ['archs/genet-normal.yaml', '62ac407a201ccd9d83d1d6dbc8b62d451265a3b541ce2f4516ad661bbdfc2fd1', 'db25a895c5734163'],
  ['archs/mobilenet-v2.yaml', 'b41de36af3555839e67c28097b4b227d43ae31aa19ff1f16592efe97ed17aaed', 'c380d040910b033e'],
  ['archs/resnet-18.yaml', '8617153bf02ed5dc8e4c00f9430ff98c55fb95c6d718a78cc96962faffc523bc', '60a5d10328c597f2'],
  ['archs/resnet-50.yaml', 'd9ec83590c8fbb9a5ae180607a93937fc78fcede59cd476c972273a7b2cb9de7', '9c3d3b5125171af2'],
  ['candidates/mobilenet-v2-192.yaml', '3db6e27ce455654d23b51176f6f962d071db62fcf5292a1ed18a02d906ddfb5a', 'a53554d6faceaa90'],
  ['candidates/mobilenet-v2-deeper.yaml', 'f037351eb315d3a7da5db3e33f63a1e1c2f09fb58c0de455954ae4556e838eb8', '1c422e9799359738'],
  ['candidates/mobilenet-v2-retrained.yaml', 'b41de36af3555839e67c28097b4b227d43ae31aa19ff1f16592efe97ed17aaed', 'c380d040910b033e'],
];

// sha256 (first 16 hex digits) of the fp32 ONNX bytes at resolution 64, seed 1, built by main before this change.
const ONNX_BEFORE: [string, string][] = [
  ['archs/efficientnet-b0.yaml', '7d03e91d0faa17a4'],
  ['archs/efficientnet-x-b0.yaml', '65141da2bac52ec1'],
  ['archs/genet-light.yaml', '29d42aae8cc42e72'],
  ['archs/mobilenet-v2.yaml', '2608018f85a3d548'],
  ['archs/resnet-18.yaml', '8c705d02126d1d31'],
];

describe('configs written before the new vocabulary', () => {
  it.each(BEFORE)('%s keeps its config_hash and network hash', (file, config, network) => {
    const c = fixture(file);
    expect(configHash(c)).toBe(`sha256:${config}`);
    expect(networkHash(c)).toBe(network);
  });

  it.each(ONNX_BEFORE)('%s builds the same ONNX bytes', (file, digest) => {
    const c = { ...fixture(file), resolution: 64 };
    expect(createHash('sha256').update(buildModel(c)).digest('hex').slice(0, 16)).toBe(digest);
  });
});

const BASE = `name: t
resolution: 64
classes: 10
stem: {channels: 16, kernel: 3, stride: 2, act: relu}
stages:
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 4, se: 0.25, act: swish}
head: {channels: 64, act: relu}
`;
const withStage = (stage: string) => BASE.replace(/ {2}- \{block: mbconv.*\}\n/, `  - ${stage}\n`);
const parse = (text: string) => parseArchConfig(text, 'f.yaml');
function problem(text: string): ConfigError {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
}

describe('an option at its default says nothing', () => {
  it('writing a default keeps the config hash (the normalised config leaves it out)', () => {
    const plain = parse(BASE);
    const spelled = parse(withStage('{block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 4, se: 0.25, act: swish, se_from: input, se_gate: sigmoid, se_round: floor, se_act: swish, skip: true, project_act: false, expand_kernel: 1, project_kernel: 1}'));
    expect(spelled.stages[0]).toEqual(plain.stages[0]);
    expect(configHash(spelled)).toBe(configHash(plain));
  });

  it('top-level defaults fill the stages, stem and head, and leave no trace in the normalised config', () => {
    const explicit = parse(withStage('{block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 4, se: 0.25, act: hswish, se_from: expanded, se_gate: hsigmoid, se_act: relu, se_round: divisor}')
      .replace('act: relu}\nstages', 'act: hswish}\nstages').replace('head: {channels: 64, act: relu}', 'head: {channels: 64, act: hswish}'));
    const defaults = parse(`act: hswish\nse_from: expanded\nse_gate: hsigmoid\nse_act: relu\nse_round: divisor\n${withStage('{block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 4, se: 0.25}')
      .replace(', act: relu}\nstages', '}\nstages').replace('head: {channels: 64, act: relu}', 'head: {channels: 64}')}`);
    expect(defaults).toEqual(explicit);
    expect(configHash(defaults)).toBe(configHash(explicit));
  });

  it('a stage\'s own setting wins over the top-level default', () => {
    const c = parse(`act: hswish\n${BASE}`);
    expect(c.stages[0].act).toBe('swish');
    expect(c.stem.act).toBe('relu');
  });
});

describe('what each option builds', () => {
  it('groups and group_width set the kxk conv\'s groups', () => {
    const groups = lower(parse(withStage('{block: bottleneck, repeats: 1, channels: 64, kernel: 3, stride: 1, expand: 0.5, groups: 4, act: relu}')));
    expect(groups.layers.find((l) => l.name === 'stages.0.0.conv')).toMatchObject({ groups: 4, cin: 32, cout: 32 });
    const width = lower(parse(withStage('{block: bottleneck, repeats: 1, channels: 64, kernel: 3, stride: 1, expand: 1, group_width: 8, act: relu}')));
    expect(width.layers.find((l) => l.name === 'stages.0.0.conv')).toMatchObject({ groups: 8, cin: 64 });
  });

  it('SE squeeze: floor of the input, round (half to even), make_divisible of the expanded channels', () => {
    const se = (opts: string) => lower(parse(withStage(`{block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 1, expand: 6, act: relu, ${opts}}`))).layers.find((l) => l.type === 'se');
    expect(se('se: 0.25')).toMatchObject({ channels: 96, squeeze: 4 }); // floor(16 * 0.25)
    expect(se('se: 0.15625, se_round: round')).toMatchObject({ squeeze: 2 }); // round(2.5) = 2, Python's rounding
    expect(se('se: 0.25, se_from: expanded')).toMatchObject({ squeeze: 24 }); // floor(96 * 0.25)
    expect(se('se: 0.1, se_from: expanded, se_round: divisor')).toMatchObject({ squeeze: 16 }); // make_divisible(9.6, 8)
    expect(se('se: 0.25, se_gate: hsigmoid, se_act: relu')).toMatchObject({ gate: 'hsigmoid', act: 'relu' });
    expect(pyRound(2.5)).toBe(2);
    expect(pyRound(3.5)).toBe(4);
    expect(pyRound(3.4999)).toBe(3);
  });

  it('a pooled head is a dense layer after the pool with its act (a bias, or BN: one more parameter per channel)', () => {
    const bias = parse(BASE.replace('head: {channels: 64, act: relu}', 'head: {channels: 0, pooled: {channels: 32, act: hswish}}'));
    const norm = parse(BASE.replace('head: {channels: 64, act: relu}', 'head: {channels: 0, pooled: {channels: 32, act: hswish, norm: true}}'));
    const layer = lower(bias).layers.find((l) => l.name === 'head.pooled')!;
    expect(layer).toMatchObject({ type: 'fc', cin: 24, cout: 32, act: 'hswish' });
    expect(countConfig(norm).params - countConfig(bias).params).toBe(32);
    expect(countConfig(bias).layers.find((l) => l.name === 'head.pooled')).toMatchObject({ params: 24 * 32 + 32, macs: 24 * 32 });
  });

  it('mixed kernels split the channels as timm does (the first part takes the remainder) and count part by part', () => {
    const net = lower(parse(withStage('{block: mbconv, repeats: 1, channels: 24, kernel: [3, 5, 7], stride: 1, expand: 4, act: relu, expand_kernel: [1, 1]}')));
    const dw = net.layers.find((l) => l.name === 'stages.0.0.depthwise');
    expect(dw).toMatchObject({ cin: 64, cout: 64, groups: 64, kernel: 7 });
    expect(dw && dw.type === 'conv' && dw.parts?.map((p) => [p.kernel, p.cin])).toEqual([[3, 22], [5, 21], [7, 21]]);
    const stats = countConfig(parse(withStage('{block: mbconv, repeats: 1, channels: 24, kernel: [3, 5, 7], stride: 1, expand: 4, act: relu, expand_kernel: [1, 1]}')));
    expect(stats.layers.find((l) => l.name === 'stages.0.0.depthwise')!.params).toBe(9 * 22 + 25 * 21 + 49 * 21 + 2 * 64);
    expect(stats.layers.find((l) => l.name === 'stages.0.0.expand')!.params).toBe(8 * 32 + 8 * 32 + 2 * 64);
  });

  it('uir builds the optional start, middle and end depthwise convs, the stride on the first that exists', () => {
    const names = (stage: string) => lower(parse(withStage(stage))).layers.filter((l) => l.where.stage === 0).map((l) => `${l.name.split('.').pop()}${l.type === 'conv' ? `/s${l.stride}` : ''}`);
    expect(names('{block: uir, repeats: 1, channels: 24, kernel: 5, stride: 2, expand: 3, start_kernel: 5, act: relu}')).toEqual(['dw_start/s1', 'expand/s1', 'depthwise/s2', 'project/s1']);
    expect(names('{block: uir, repeats: 1, channels: 24, kernel: 0, stride: 2, expand: 4, start_kernel: 3, act: relu}')).toEqual(['dw_start/s2', 'expand/s1', 'project/s1']);
    expect(names('{block: uir, repeats: 1, channels: 16, kernel: 0, stride: 1, expand: 2, act: relu}')).toEqual(['expand/s1', 'project/s1', 'add']);
    expect(names('{block: uir, repeats: 1, channels: 24, kernel: 0, stride: 2, expand: 2, end_kernel: 3, act: relu}')).toEqual(['expand/s1', 'project/s1', 'dw_end/s2']);
  });

  it('ResNet-D: a deep stem and an average-pool shortcut', () => {
    const c = parse(BASE.replace('act: relu}\nstages', 'act: relu, pool: max, deep: [8, 8]}\nstages')
      .replace(/ {2}- \{block: mbconv.*\}\n/, '  - {block: bottleneck, repeats: 1, channels: 32, kernel: 3, stride: 2, expand: 0.25, act: relu, downsample: avgpool}\n'));
    const net = lower(c);
    expect(net.layers.slice(0, 4).map((l) => [l.name, l.type === 'conv' ? l.stride : '-'])).toEqual([['stem.deep.0', 2], ['stem.deep.1', 1], ['stem.conv', 1], ['stem.pool', '-']]);
    expect(net.layers.find((l) => l.name === 'stages.0.0.shortcut.pool')).toMatchObject({ type: 'avgpool', kernel: 2, stride: 2 });
    expect(net.layers.find((l) => l.name === 'stages.0.0.shortcut')).toMatchObject({ stride: 1 });
  });

  it('padding: same pads as TensorFlow where a stride meets an even size; shapes and counts do not change', () => {
    const sym = parse(BASE);
    const same = parse(`padding: same\n${BASE}`);
    const pads = (c: typeof sym) => lower(c).layers.filter((l) => l.type === 'conv').map((l) => (l.type === 'conv' ? l.pads.join('') : ''));
    expect(pads(same)[0]).toBe('0011');
    expect(pads(sym)[0]).toBe('1111');
    expect(countConfig(same).macs).toBe(countConfig(sym).macs);
    expect(configHash(same)).not.toBe(configHash(sym));
  });
});

describe('timm\'s _scale_stage_depth for a stage written as a list', () => {
  it('scales the stage as a whole and hands repeats out from the last entry back', () => {
    // timm: ['a r1', 'b r2', 'c r1'] at depth 1.5 -> ceil(4 x 1.5) = 6 -> c: round(1/4 x 6) = 2, b: round(2/3 x 4) = 3, a: 1.
    const stages = [{ repeats: 1 }, { repeats: 2, continues: true }, { repeats: 1, continues: true }, { repeats: 3 }];
    expect(stageRepeats(stages, 1.5)).toEqual([1, 3, 2, 5]);
    expect(stageRepeats(stages, 1)).toEqual([1, 2, 1, 3]);
    // MobileNetV3-Large stage 3 [r1, r1, r2] at depth 1.2: ceil(4.8) = 5 -> 2, round(1/2 x 3) = 2 (half to even), 1.
    expect(stageRepeats([{ repeats: 1 }, { repeats: 1, continues: true }, { repeats: 2, continues: true }], 1.2)).toEqual([1, 2, 2]);
    // Never fewer than one block per entry.
    expect(stageRepeats([{ repeats: 1 }, { repeats: 8, continues: true }], 0.1)).toEqual([1, 1]);
  });
});

describe('options that would be ignored or contradict each other are exit 2 with their position', () => {
  const cases: [string, string, string, RegExp][] = [
    ['groups and group_width', '{block: bottleneck, repeats: 1, channels: 64, kernel: 3, stride: 1, expand: 1, groups: 4, group_width: 8, act: relu}', 'stages[0].group_width', /groups and group_width both set/],
    ['mixed kernels on a full conv block', '{block: basic, repeats: 1, channels: 24, kernel: [3, 5], stride: 1, expand: 1, act: relu}', 'stages[0].kernel', /mixed kernels \[3, 5\] on block basic; allowed: one kernel \(mixed kernels on mbconv, fused_mbconv, dw_bottleneck, uir\)/],
    ['kernel 0 outside uir', '{block: mbconv, repeats: 1, channels: 24, kernel: 0, stride: 1, expand: 4, act: relu}', 'stages[0].kernel', /0 is not allowed for block mbconv/],
    ['an SE option without SE', '{block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 1, expand: 4, act: relu, se_gate: hsigmoid}', 'stages[0].se_gate', /no effect without squeeze-excitation/],
    ['skip on a ResNet block', '{block: basic, repeats: 1, channels: 24, kernel: 3, stride: 1, expand: 1, act: relu, skip: false}', 'stages[0].skip', /no effect on block basic/],
    ['groups on an mbconv', '{block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 1, expand: 4, act: relu, groups: 2}', 'stages[0].groups', /no effect on block mbconv/],
    ['expand_kernel without an expansion', '{block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 1, expand: 1, act: relu, expand_kernel: [1, 1]}', 'stages[0].expand_kernel', /no expansion conv/],
    ['a group width that does not divide', '{block: bottleneck, repeats: 1, channels: 60, kernel: 3, stride: 1, expand: 1, group_width: 8, act: relu}', 'stages[0].group_width', /group width 8 does not divide the conv's 60 input channels/],
    ['the first stage continuing nothing', '{block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 1, expand: 4, act: relu, continues: true}', 'stages[0].continues', /no stage before it/],
  ];
  it.each(cases)('%s', (_name, stage, field, message) => {
    const err = problem(withStage(stage));
    expect(err.exitCode).toBe(2);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^f\.yaml:6:\d+: /);
    expect(err.detail).toMatch(message);
  });

  it('an entry after the first in a stage list may not stride (timm strides only at a stage\'s first block)', () => {
    const stage = '[{block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 2, expand: 4, act: relu}, {block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 2, expand: 4, act: relu}]';
    const err = problem(withStage(stage));
    expect(err.field).toBe('stages[0][1].stride');
    expect(err.position).toMatchObject({ line: 6, col: '  - '.length + stage.lastIndexOf('stride: 2') + 'stride: '.length + 1 });
  });
});
