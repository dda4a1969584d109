/**
 * timm block strings: decoded by timm's rules (_decode_block_str, _scale_stage_depth in timm's
 * _efficientnet_builder.py), each string stage building the network its mapping twin builds, timm's own
 * arch_defs (copied verbatim) reproducing timm's parameter counts, and every string timm would silently
 * misread refused with its position.
 */
import { countConfig } from '../src/arch/counts';
import { configHash, networkHash } from '../src/arch/identity';
import { parseArchConfig } from '../src/arch/parse';
import { ConfigError } from '../src/errors';
import { pick, randInt, seeded } from '../src/util/random';

const parse = (text: string, file = 'timm.yaml') => parseArchConfig(text, file);

/** A config around `stages` (YAML lines) with model-level settings. */
const config = (name: string, settings: string, stem: number, stages: string[], head: string) =>
  `name: ${name}\nresolution: 224\nclasses: 1000\n${settings}stem: {channels: ${stem}, kernel: 3, stride: 2}\nstages:\n${stages.map((s) => `  - ${s}`).join('\n')}\n${head}\n`;
const list = (strings: string[]) => (strings.length === 1 ? strings[0] : `[${strings.join(', ')}]`);

/**
 * timm's arch_defs, copied verbatim from timm/models/efficientnet.py and mobilenetv3.py, with the model-level
 * settings of their _gen_* functions. Parameter counts: torchvision's modules where torchvision has the
 * same network (efficientnet_b0, mobilenet_v3_large, efficientnet_v2_s: weights metadata num_params);
 * otherwise the count decoded here, which matches timm's results-imagenet.csv param_count (millions, two
 * decimals) as noted.
 */
const ARCH_DEFS: { name: string; settings: string; stem: number; head: string; params: number; csv: number; arch: string[][] }[] = [
  {
    name: 'efficientnet_b0', settings: 'act: swish\nse_round: round\n', stem: 32, head: 'head: {channels: 1280}', params: 5_288_548, csv: 5.29,
    arch: [
      ['ds_r1_k3_s1_e1_c16_se0.25'],
      ['ir_r2_k3_s2_e6_c24_se0.25'],
      ['ir_r2_k5_s2_e6_c40_se0.25'],
      ['ir_r3_k3_s2_e6_c80_se0.25'],
      ['ir_r3_k5_s1_e6_c112_se0.25'],
      ['ir_r4_k5_s2_e6_c192_se0.25'],
      ['ir_r1_k3_s1_e6_c320_se0.25'],
    ],
  },
  {
    name: 'tf_efficientnet_lite0', settings: 'act: relu6\npadding: same\n', stem: 32, head: 'head: {channels: 1280}', params: 4_652_008, csv: 4.65,
    arch: [
      ['ds_r1_k3_s1_e1_c16'],
      ['ir_r2_k3_s2_e6_c24'],
      ['ir_r2_k5_s2_e6_c40'],
      ['ir_r3_k3_s2_e6_c80'],
      ['ir_r3_k5_s1_e6_c112'],
      ['ir_r4_k5_s2_e6_c192'],
      ['ir_r1_k3_s1_e6_c320'],
    ],
  },
  {
    name: 'mobilenetv3_large_100', settings: 'act: hswish\nse_from: expanded\nse_act: relu\nse_gate: hsigmoid\nse_round: divisor\n', stem: 16,
    head: 'head: {channels: 0, pooled: {channels: 1280}}', params: 5_483_032, csv: 5.48,
    arch: [
      ['ds_r1_k3_s1_e1_c16_nre'],
      ['ir_r1_k3_s2_e4_c24_nre', 'ir_r1_k3_s1_e3_c24_nre'],
      ['ir_r3_k5_s2_e3_c40_se0.25_nre'],
      ['ir_r1_k3_s2_e6_c80', 'ir_r1_k3_s1_e2.5_c80', 'ir_r2_k3_s1_e2.3_c80'],
      ['ir_r2_k3_s1_e6_c112_se0.25'],
      ['ir_r3_k5_s2_e6_c160_se0.25'],
      ['cn_r1_k1_s1_c960'],
    ],
  },
  {
    name: 'mixnet_s', settings: 'act: relu\nse_round: round\n', stem: 16, head: 'head: {channels: 1536}', params: 4_134_606, csv: 4.13,
    arch: [
      ['ds_r1_k3_s1_e1_c16'],
      ['ir_r1_k3_a1.1_p1.1_s2_e6_c24', 'ir_r1_k3_a1.1_p1.1_s1_e3_c24'],
      ['ir_r1_k3.5.7_s2_e6_c40_se0.5_nsw', 'ir_r3_k3.5_a1.1_p1.1_s1_e6_c40_se0.5_nsw'],
      ['ir_r1_k3.5.7_p1.1_s2_e6_c80_se0.25_nsw', 'ir_r2_k3.5_p1.1_s1_e6_c80_se0.25_nsw'],
      ['ir_r1_k3.5.7_a1.1_p1.1_s1_e6_c120_se0.5_nsw', 'ir_r2_k3.5.7.9_a1.1_p1.1_s1_e3_c120_se0.5_nsw'],
      ['ir_r1_k3.5.7.9.11_s2_e6_c200_se0.5_nsw', 'ir_r2_k3.5.7.9_p1.1_s1_e6_c200_se0.5_nsw'],
    ],
  },
  {
    name: 'tf_efficientnetv2_s', settings: 'act: swish\nse_round: round\npadding: same\n', stem: 24, head: 'head: {channels: 1280}', params: 21_458_488, csv: 21.46,
    arch: [
      ['cn_r2_k3_s1_e1_c24_skip'],
      ['er_r4_k3_s2_e4_c48'],
      ['er_r4_k3_s2_e4_c64'],
      ['ir_r6_k3_s2_e4_c128_se0.25'],
      ['ir_r9_k3_s1_e6_c160_se0.25'],
      ['ir_r15_k3_s2_e6_c256_se0.25'],
    ],
  },
  {
    name: 'mobilenetv4_conv_small', settings: 'act: relu\n', stem: 32, head: 'head: {channels: 0, pooled: {channels: 1280, norm: true}}', params: 3_774_024, csv: 3.77,
    arch: [
      ['cn_r1_k3_s2_e1_c32', 'cn_r1_k1_s1_e1_c32'],
      ['cn_r1_k3_s2_e1_c96', 'cn_r1_k1_s1_e1_c64'],
      ['uir_r1_a5_k5_s2_e3_c96', 'uir_r4_a0_k3_s1_e2_c96', 'uir_r1_a3_k0_s1_e4_c96'],
      ['uir_r1_a3_k3_s2_e6_c128', 'uir_r1_a5_k5_s1_e4_c128', 'uir_r1_a0_k5_s1_e4_c128', 'uir_r1_a0_k5_s1_e3_c128', 'uir_r2_a0_k3_s1_e4_c128'],
      ['cn_r1_k1_s1_c960'],
    ],
  },
];

describe('timm\'s arch_defs reproduce timm\'s parameter counts', () => {
  it.each(ARCH_DEFS.map((a) => [a.name, a] as const))('%s', (_name, a) => {
    const c = parse(config(a.name, a.settings, a.stem, a.arch.map(list), a.head));
    const { params } = countConfig(c);
    expect(params).toBe(a.params);
    expect(Math.round(params / 1e4) / 100).toBe(a.csv);
  });
});

/** Mapping twins, written by hand from timm's block definitions (_efficientnet_blocks.py). */
const TWINS: [string, string, string][] = [
  // ds = depthwise separable: mbconv without the expansion; its SE sized on the block input.
  ['ds_r1_k3_s1_e1_c16_se0.25', 'act: swish\nse_round: round\n', '{block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25}'],
  // dsa: activation after the projection and never a shortcut (MobileNetV1).
  ['dsa_r2_k3_s1_c32', 'act: relu\n', '{block: mbconv, repeats: 2, channels: 32, kernel: 3, stride: 1, expand: 1, project_act: true, skip: false}'],
  // ir at e1 keeps its 1x1 expansion (FBNet-C), unlike ds.
  ['ir_r1_k3_s1_e1_c16', 'act: relu\n', '{block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, expand_always: true}'],
  // MixNet: mixed depthwise kernels, a grouped (split) expansion and projection, swish, SE 0.5 of the input.
  ['ir_r3_k3.5_a1.1_p1.1_s2_e6_c40_se0.5_nsw', 'act: relu\nse_round: round\n', '{block: mbconv, repeats: 3, channels: 40, kernel: [3, 5], stride: 2, expand: 6, se: 0.5, act: swish, expand_kernel: [1, 1], project_kernel: [1, 1]}'],
  // er = fused (EdgeResidual), fc = force_in_chs, noskip.
  ['er_r1_k3_s1_e4_c24_fc24_noskip', 'act: relu\n', '{block: fused_mbconv, repeats: 1, channels: 24, kernel: 3, stride: 1, expand: 4, expand_in: 24, skip: false}'],
  // cn with skip (EfficientNetV2's first stage), gs = group size.
  ['cn_r2_k3_s1_e1_c16_skip_gs8', 'act: swish\n', '{block: conv, repeats: 2, channels: 16, kernel: 3, stride: 1, skip: true, group_width: 8}'],
  // uir: a = start depthwise, k = middle (0 none), p = end depthwise.
  ['uir_r2_a3_k0_p5_s1_e4_c32_nhs', 'act: relu\n', '{block: uir, repeats: 2, channels: 32, kernel: 0, stride: 1, expand: 4, start_kernel: 3, end_kernel: 5, act: hswish}'],
  // MobileNetV3's SE from the expanded channels with its gate, from the model-level settings.
  ['ir_r3_k5_s2_e3_c40_se0.25_nre', 'act: hswish\nse_from: expanded\nse_act: relu\nse_gate: hsigmoid\nse_round: divisor\n', '{block: mbconv, repeats: 3, channels: 40, kernel: 5, stride: 2, expand: 3, se: 0.25, act: relu, se_from: expanded, se_act: relu, se_gate: hsigmoid, se_round: divisor}'],
  // d = space-to-depth at the stage start (EfficientNet-X, timm's efficientnet_x).
  ['ds_r1_k3_s1_e1_c16_se0.25_d1', 'act: swish\n', '{block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25, space_to_depth: conv}'],
  // mi = mish.
  ['ir_r1_k5_s2_e6_c24_nmi', 'act: relu\n', '{block: mbconv, repeats: 1, channels: 24, kernel: 5, stride: 2, expand: 6, act: mish}'],
];

describe('a string stage builds what its mapping twin builds', () => {
  const around = (stage: string, settings: string) => config('twin', settings, 32, [stage], 'head: {channels: 64}');
  it.each(TWINS)('%s', (text, settings, mapping) => {
    const fromString = parse(around(text, settings));
    const fromMapping = parse(around(mapping, settings));
    expect(networkHash(fromString)).toBe(networkHash(fromMapping));
    // Both normalise to one config: the stored form is the mapping.
    expect(configHash(fromString)).toBe(configHash(fromMapping));
  });

  it('a stage of several strings is the list of its twins, depth-scaled together', () => {
    const strings = '[ir_r1_k3_s2_e6_c80, ir_r1_k3_s1_e2.5_c80, ir_r2_k3_s1_e2.3_c80]';
    const mappings = '[{block: mbconv, repeats: 1, channels: 80, kernel: 3, stride: 2, expand: 6}, {block: mbconv, repeats: 1, channels: 80, kernel: 3, stride: 1, expand: 2.5}, {block: mbconv, repeats: 2, channels: 80, kernel: 3, stride: 1, expand: 2.3}]';
    for (const depth of [1, 1.2, 1.6]) {
      const a = parse(`depth: ${depth}\n${config('t', 'act: hswish\n', 16, [strings], 'head: {channels: 0}')}`);
      const b = parse(`depth: ${depth}\n${config('t', 'act: hswish\n', 16, [mappings], 'head: {channels: 0}')}`);
      expect(networkHash(a)).toBe(networkHash(b));
    }
    // timm's _scale_stage_depth at 1.2: ceil(4 x 1.2) = 5 blocks, handed out 1, 2, 2 (not a ceil per entry: 2, 2, 3).
    const scaled = countConfig(parse(`depth: 1.2\n${config('t', 'act: hswish\n', 16, [strings], 'head: {channels: 0}')}`));
    expect(new Set(scaled.layers.filter((l) => l.where.stage !== undefined).map((l) => `${l.where.stage}.${l.where.block}`)).size).toBe(5);
  });

  // Random strings over timm's options, each twin written from the same random choices by timm's meaning.
  it('holds for 300 random strings', () => {
    const rand = seeded(18);
    for (let i = 0; i < 300; i++) {
      const type = pick(rand, ['ds', 'ir', 'er', 'cn', 'uir'] as const);
      const r = randInt(rand, 1, 3);
      const c = pick(rand, [16, 24, 32]);
      const s = randInt(rand, 1, 2);
      const mixed = type !== 'cn' && rand() < 0.3;
      const k = mixed ? pick(rand, [[3, 5], [3, 5, 7]]) : pick(rand, [1, 3, 5]);
      const e = type === 'ds' || type === 'cn' ? 1 : pick(rand, [1, 2.5, 3, 6]);
      const se = type === 'cn' ? 0 : pick(rand, [0, 0.25]);
      const n = pick(rand, ['', 're', 'hs', 'sw']);
      const noskip = type !== 'cn' && rand() < 0.3;
      const skip = type === 'cn' && rand() < 0.5;
      const start = type === 'uir' ? pick(rand, [0, 3, 5]) : 0;
      const kMid = type === 'uir' && !mixed && start > 0 && rand() < 0.3 ? 0 : k;
      const ks = Array.isArray(kMid) ? kMid.join('.') : String(kMid);
      const ops = [`r${r}`, `k${ks}`, `s${s}`, ...(type === 'cn' && rand() < 0.5 ? [] : [`e${e}`]), `c${c}`];
      if (se) ops.push(`se${se}`);
      if (n) ops.push(`n${n}`);
      if (noskip) ops.push('noskip');
      if (skip) ops.push('skip');
      if (type === 'uir' && start) ops.push(`a${start}`);
      const text = [type, ...ops.sort(() => rand() - 0.5)].join('_');

      const block = { ds: 'mbconv', ir: 'mbconv', er: 'fused_mbconv', cn: 'conv', uir: 'uir' }[type];
      const fields = [`block: ${block}`, `repeats: ${r}`, `channels: ${c}`, `kernel: ${Array.isArray(kMid) ? `[${kMid.join(', ')}]` : kMid}`, `stride: ${s}`];
      if (type !== 'cn') fields.push(`expand: ${e}`);
      if ((type === 'ir' || type === 'er') && e === 1) fields.push('expand_always: true');
      if (se) fields.push(`se: ${se}`);
      fields.push(`act: ${{ '': 'relu6', re: 'relu', hs: 'hswish', sw: 'swish' }[n]}`);
      if (noskip) fields.push('skip: false');
      if (skip) fields.push('skip: true');
      if (start) fields.push(`start_kernel: ${start}`);
      const a = parse(config('r', 'act: relu6\n', 16, [text], 'head: {channels: 32}'), `random-${i}.yaml`);
      const b = parse(config('r', '', 16, [`{${fields.join(', ')}}`], 'head: {channels: 32, act: relu6}').replace('kernel: 3, stride: 2}', 'kernel: 3, stride: 2, act: relu6}'), `twin-${i}.yaml`);
      expect({ text, hash: networkHash(a) }).toEqual({ text, hash: networkHash(b) });
    }
  });
});

describe('strings timm would misread or cannot build are exit 2 with file:line:col, the letter and what is allowed', () => {
  const file = (stage: string) => config('bad', 'act: relu\n', 16, ['ds_r1_k3_s1_e1_c16', stage], 'head: {channels: 0}');
  function problem(stage: string): ConfigError {
    try {
      parse(file(stage), 'bad.yaml');
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error(`${stage} was accepted`);
  }
  // [stage as written in YAML, what the message says, the text the column points at]
  const cases: [string, RegExp, string][] = [
    ['mqa_r1_k3_h4_s1_v2_d64_c160', /block type "mqa" is an attention block \(MobileNetV4 hybrid\), not a convolution; frontier-gate builds CNNs; allowed: ds, dsa, ir, er, cn, uir/, 'mqa_r1'],
    ['mha_r1_k3_h4_s1_d64_c160', /block type "mha" is an attention block/, 'mha_r1'],
    ['tu_r1_k3_s1_c32', /block type "tu" is unknown; allowed: ds, dsa, ir, er, cn, uir/, 'tu_r1'],
    ['ir_r1_k3_s1_e6_c32_cc4', /CondConv experts \(cc\) are not supported; allowed for ir: r, k, a, p, s, e, c, se, d, gs, noskip/, 'cc4'],
    ['ir_r1_k3_s1_e6_c32_x5', /unknown option "x5" \(letter "x"\) for block type ir; allowed for ir: r, k, a, p, s, e, c, se, d, gs, noskip, nre \(relu\), nr6 \(relu6\), nhs \(hswish\), nsw \(swish\), nmi \(mish\)/, 'x5'],
    ['ir_r1_k3_s1_e6_c32_ngelu', /activation "ngelu" is unknown; allowed: nre \(relu\), nr6 \(relu6\), nhs \(hswish\), nsw \(swish\), nmi \(mish\)/, 'ngelu'],
    ['ir_r1_k3_s1_e6', /option "c" is missing; ir needs r, k, s, e, c/, '\n'],
    ['cn_r1_k3_s1_e4_c32', /cn has no expansion \(timm ignores e here\); allowed: e1 or leave it out/, '4_c32'],
    ['cn_r1_k3_s1_c32_se0.25', /unknown option "se0.25" \(letter "se"\) for block type cn/, 'se0.25'],
    ['cn_r1_k3.5_s1_c32', /kernel \(k\) of cn "3.5" is not a whole number/, '3.5_s1'],
    ['ir_r1_r2_k3_s1_e6_c32', /option "r" appears twice/, 'r2_'],
    ['ir_r1_k4x_s1_e6_c32', /kernel \(k\) "4x" is not a kernel/, '4x'],
    ['ir_r1_k3_s1_e6_c32_se', /option "se" has no value; write it as se<number>, e.g. se0.25/, 'se'],
    ['er_r1_k3_s1_e6_c32_nre_nsw', /a second activation "nsw"/, 'nsw'],
  ];
  it.each(cases)('%s', (stage, message, at) => {
    const err = problem(stage);
    expect(err.exitCode).toBe(2);
    expect(err.detail).toContain(`block string "${stage}"`);
    expect(err.detail).toMatch(message);
    expect(err.field).toBe('stages[1]');
    const text = file(stage);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes(stage)) + 1;
    const col = at === '\n' ? lines[line - 1].length + 1 : lines[line - 1].indexOf(at, lines[line - 1].indexOf(stage)) + 1;
    expect(err.position).toEqual({ file: 'bad.yaml', line, col });
    expect(err.message.startsWith(`bad.yaml:${line}:${col}: stages[1]: `)).toBe(true);
  });

  it('points into a quoted string and into a list entry', () => {
    const quoted = problem('"ir_r1_k3_s1_e6_c32_x5"');
    expect(quoted.position?.col).toBe('  - "ir_r1_k3_s1_e6_c32_'.length + 1);
    const inList = problem('[ir_r1_k3_s2_e6_c32, ir_r1_k3_s1_e6_c32_q1]');
    expect(inList.field).toBe('stages[1][1]');
    expect(inList.position?.col).toBe('  - [ir_r1_k3_s2_e6_c32, ir_r1_k3_s1_e6_c32_'.length + 1);
  });

  it('a value a decoded string cannot take names the string\'s stage and points at the string', () => {
    const err = problem('ir_r1_k3_s1_e6_c99999');
    expect(err.field).toBe('stages[1].channels');
    expect(err.detail).toMatch(/99999 is out of range|out of range/);
    expect(err.position?.line).toBe(8);
  });

  it('thousands of strings in one stage are refused after decoding, saying what counts', () => {
    const many = `[${Array.from({ length: 3000 }, () => 'ir_r1_k3_s1_e6_c32').join(', ')}]`;
    const err = problem(many);
    expect(err.detail).toMatch(/has 3001 items \(stage entries: a stage written as a list counts each of its entries\); allowed: 1 to 64 items/);
  });

  it('a stride after the first string of a stage is ignored, as timm ignores it', () => {
    const a = parse(config('s', 'act: relu\n', 16, ['[ir_r1_k3_s2_e6_c24, ir_r1_k3_s2_e6_c24]'], 'head: {channels: 0}'));
    const b = parse(config('s', 'act: relu\n', 16, ['[ir_r1_k3_s2_e6_c24, ir_r1_k3_s1_e6_c24]'], 'head: {channels: 0}'));
    expect(networkHash(a)).toBe(networkHash(b));
  });

  it('a string without an activation needs a top-level act', () => {
    let err: unknown;
    try {
      parse(config('n', '', 16, ['ir_r1_k3_s1_e6_c24'], 'head: {channels: 0}').replace('stride: 2}', 'stride: 2, act: relu}'), 'n.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^n\.yaml:6:5: stages\[0\]\.act: missing required field "act".*or set a top-level act/);
  });
});
