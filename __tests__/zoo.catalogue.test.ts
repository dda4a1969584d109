/**
 * The catalogue of published models: every entry counted exactly against its reference, the lookups by
 * torchvision and timm names, the published results, and the config file `zoo NAME -o` writes.
 */
import Ajv from 'ajv';
import * as YAML from 'yaml';
import { countConfig } from '../src/arch/counts';
import { networkHash } from '../src/arch/identity';
import { parseArchConfig } from '../src/arch/parse';
import { ARCH_CONFIG_SCHEMA } from '../src/arch/schema';
import {
  CATALOGUE, catalogueConfig, catalogueYaml, entryConfig, findEntry, findResult, validateCatalogue, type CatalogueEntry,
} from '../src/arch/catalogue';

/**
 * Parameters and multiply-adds at the entry's resolution, counted by `scripts/torchvision-reference.py counts`
 * (torch 1.13, torchvision 0.14: every nn.Parameter; Conv2d and Linear multiply-adds by forward hooks) on
 * torchvision's own modules. The num_params of torchvision's weights metadata agree for every one of them.
 * ResNet-D: the same script's torchvision ResNet with timm's deep stem and average-pool shortcuts.
 */
const TORCH_REFERENCE: [string, number, number, number][] = [
  ['resnet18', 224, 11_689_512, 1_814_073_344],
  ['resnet34', 224, 21_797_672, 3_663_761_408],
  ['resnet50', 224, 25_557_032, 4_089_184_256],
  ['resnet101', 224, 44_549_160, 7_801_405_440],
  ['resnet152', 224, 60_192_808, 11_513_626_624],
  ['wide_resnet50_2', 224, 68_883_240, 11_398_021_120],
  ['resnext50_32x4d', 224, 25_028_904, 4_230_479_872],
  ['resnext101_32x8d', 224, 88_791_336, 16_414_015_488],
  ['resnext101_64x4d', 224, 83_455_272, 15_460_270_080],
  ['mnasnet0_5', 224, 2_218_512, 104_455_968],
  ['mnasnet0_75', 224, 3_170_208, 215_493_104],
  ['mnasnet1_0', 224, 4_383_312, 314_415_872],
  ['mnasnet1_3', 224, 6_282_256, 526_362_432],
  ['mobilenet_v2', 224, 3_504_872, 300_774_272],
  ['mobilenet_v3_large', 224, 5_483_032, 216_589_760],
  ['mobilenet_v3_small', 224, 2_542_856, 56_510_400],
  ['efficientnet_b0', 224, 5_288_548, 385_814_752],
  ['efficientnet_b1', 240, 7_794_184, 686_802_832],
  ['efficientnet_b2', 288, 9_109_994, 1_087_529_456],
  ['efficientnet_b3', 300, 12_233_232, 1_827_141_392],
  ['efficientnet_b4', 380, 19_341_616, 4_393_771_024],
  ['efficientnet_b5', 456, 30_389_784, 10_266_384_752],
  ['efficientnet_b6', 528, 43_040_704, 19_067_593_536],
  ['efficientnet_b7', 600, 66_347_960, 37_745_884_192],
  ['efficientnet_v2_s', 384, 21_458_488, 8_365_617_152],
  ['efficientnet_v2_m', 480, 54_139_356, 24_582_460_384],
  ['efficientnet_v2_l', 480, 118_515_272, 56_079_699_008],
  ['regnet_x_400mf', 224, 5_495_976, 413_812_608],
  ['regnet_x_800mf', 224, 7_259_656, 799_699_712],
  ['regnet_x_1_6gf', 224, 9_190_136, 1_602_849_792],
  ['regnet_x_3_2gf', 224, 15_296_552, 3_176_621_952],
  ['regnet_y_400mf', 224, 4_344_144, 401_842_848],
  ['regnet_y_800mf', 224, 6_432_512, 833_856_256],
  ['regnet_y_1_6gf', 224, 11_202_430, 1_612_076_160],
  ['regnet_y_3_2gf', 224, 19_436_338, 3_176_482_752],
  ['resnet26d', 224, 16_014_408, 2_581_897_216],
  ['resnet50d', 224, 25_576_264, 4_328_824_832],
  ['resnet101d', 224, 44_568_392, 8_041_046_016],
];

/**
 * timm-only networks: counted by `scripts/torchvision-reference.py counts NAME RES`'s plain-PyTorch
 * implementations of them (written from the published block tables, not with timm's code or frontier-gate's
 * decoder; every nn.Parameter, Conv2d and Linear multiply-adds by forward hooks), so these counts have an
 * independent source as the torchvision ones do. They also agree with timm's results-imagenet.csv param_count
 * (millions, two decimals) and lie within 7% below timm's benchmark-infer-amp-nchw-pt240-cu124-rtx3090.csv
 * infer_gmacs at the same resolution (timm's profiler counts more op types than conv and linear multiply-adds).
 */
const TIMM_PUBLISHED: [string, number, number, number, number, number][] = [
  // name, resolution, params, MACs (the plain-PyTorch reference's), csv param_count (M), csv infer_gmacs
  ['mobilenetv4_conv_small', 224, 3_774_024, 186_005_568, 3.77, 0.19],
  ['mobilenetv4_conv_medium', 256, 9_715_512, 1_080_244_224, 9.72, 1.1],
  ['mobilenetv4_conv_large', 384, 32_590_864, 6_376_220_672, 32.59, 6.43],
  ['tf_efficientnet_lite0', 224, 4_652_008, 385_187_552, 4.65, 0.4],
  ['mixnet_s', 224, 4_134_606, 239_173_360, 4.13, 0.25],
  ['mixnet_m', 224, 5_014_382, 339_172_672, 5.01, 0.36],
];

/** Debian's python3-torch (where CI installs it): the reference script is run, not only its numbers kept. */
const PYTHON = '/usr/bin/python3';
const torchAt = (() => {
  try {
    require('node:child_process').execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
})();
if (!torchAt) process.stderr.write(`zoo.catalogue.test: the plain-PyTorch reference run skipped: no torch for ${PYTHON} (scripts/ci-torch.sh installs it)\n`);

const entry = (name: string) => findEntry(name)!;

describe('the catalogue', () => {
  it('is consistent: unique names and aliases, valid configs named as their entries, results at the config resolution first', () => {
    expect(() => validateCatalogue()).not.toThrow();
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(30);
  });

  it('the published schema (what an editor checks a config file with) accepts every entry as written', () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(ARCH_CONFIG_SCHEMA);
    for (const e of CATALOGUE) expect({ name: e.name, errors: validate(YAML.parse(e.yaml)) ? null : validate.errors }).toEqual({ name: e.name, errors: null });
  });

  it('every entry has its reference numbers here, and no reference is left without an entry', () => {
    const referenced = [...TORCH_REFERENCE.map((r) => r[0]), ...TIMM_PUBLISHED.map((r) => r[0])].sort();
    expect(CATALOGUE.map((e) => e.name).sort()).toEqual(referenced);
  });

  it.each(TORCH_REFERENCE)('%s counts exactly what torchvision\'s module holds and computes', (name, resolution, params, macs) => {
    const config = entryConfig(entry(name));
    expect(config.resolution).toBe(resolution);
    expect(countConfig(config)).toMatchObject({ params, macs });
  });

  it.each(TIMM_PUBLISHED)('%s counts exactly what its plain-PyTorch reference holds and computes, and what timm publishes', (name, resolution, params, macs, csvParams, csvGmacs) => {
    const config = entryConfig(entry(name));
    expect(config.resolution).toBe(resolution);
    const stats = countConfig(config);
    expect(stats).toMatchObject({ params, macs });
    expect(Math.round(stats.params / 1e4) / 100).toBe(csvParams);
    expect(stats.macs / 1e9).toBeLessThanOrEqual(csvGmacs);
    expect(stats.macs / 1e9).toBeGreaterThan(csvGmacs * 0.93);
  });

  (torchAt ? it : it.skip)('the plain-PyTorch references, run now, count what the table above says (and so what frontier-gate counts)', () => {
    const out = require('node:child_process').execFileSync(PYTHON, [require('node:path').join(__dirname, '..', 'scripts', 'torchvision-reference.py'), 'counts-timm-only'], { encoding: 'utf8', timeout: 300_000 });
    const got = JSON.parse(out) as Record<string, { resolution: number; params: number; macs: number }>;
    expect(Object.entries(got).map(([name, c]) => [name, c.resolution, c.params, c.macs]).sort()).toEqual(TIMM_PUBLISHED.map((r) => r.slice(0, 4)).sort());
  });

  it('has every family the issue names, EfficientNet B0-B7 and Lite, RegNetX and RegNetY, ResNet and ResNet-D', () => {
    const families = new Set(CATALOGUE.map((e) => e.family));
    for (const f of ['ResNet', 'ResNet-D', 'ResNeXt', 'RegNetX', 'RegNetY', 'MnasNet', 'MobileNetV2', 'MobileNetV3', 'MobileNetV4', 'MixNet', 'EfficientNet', 'EfficientNet-Lite', 'EfficientNetV2']) {
      expect(families).toContain(f);
    }
    for (let b = 0; b <= 7; b++) expect(findEntry(`efficientnet_b${b}`)).toBeDefined();
  });

  it('every result states its weights, source, resolution, crop and top-1', () => {
    for (const e of CATALOGUE) {
      for (const r of e.results) {
        expect(r.weights).toMatch(r.source === 'torchvision' ? /^IMAGENET1K_V\d$/ : new RegExp(`^(${[e.name, ...e.aliases].join('|')})\\.[a-z0-9_]+$`));
        expect(r.resolution).toBeGreaterThanOrEqual(160);
        expect(r.crop_pct).toBeGreaterThan(0.8);
        expect(r.top1).toBeGreaterThan(60);
      }
    }
    // A few spot values from the sources.
    expect(findResult(entry('resnet50'), 'IMAGENET1K_V2')).toMatchObject({ top1: 80.858, resolution: 224, resize: 232, crop_pct: 0.966 });
    expect(findResult(entry('mobilenetv4_conv_small'), 'e2400_r224_in1k')).toMatchObject({ top1: 73.756, resolution: 224, crop_pct: 0.875 });
  });
});

describe('names', () => {
  it('torchvision names are primary; timm names, weights tags and dashes find the same entry', () => {
    expect(findEntry('mobilenetv3_large_100')?.name).toBe('mobilenet_v3_large');
    expect(findEntry('tf_efficientnetv2_s')?.name).toBe('efficientnet_v2_s');
    expect(findEntry('regnety_004')?.name).toBe('regnet_y_400mf');
    expect(findEntry('mnasnet_100')?.name).toBe('mnasnet1_0');
    expect(findEntry('resnet50d.ra2_in1k')?.name).toBe('resnet50d');
    expect(findEntry('MobileNet-V3-Large')?.name).toBe('mobilenet_v3_large');
    expect(findEntry('vit_base_patch16_224')).toBeUndefined();
  });

  it('a timm alias builds the network timm builds (the timm-string configs of the same networks)', () => {
    // mobilenetv3_large_100 and mobilenet_v3_large: the same counts (timm's arch_def writes the 960 conv as a cn stage).
    const timmV3 = parseArchConfig(`name: m\nresolution: 224\nclasses: 1000\nact: hswish\nse_from: expanded\nse_act: relu\nse_gate: hsigmoid\nse_round: divisor
stem: {channels: 16, kernel: 3, stride: 2}
stages:
  - ds_r1_k3_s1_e1_c16_nre
  - [ir_r1_k3_s2_e4_c24_nre, ir_r1_k3_s1_e3_c24_nre]
  - ir_r3_k5_s2_e3_c40_se0.25_nre
  - [ir_r1_k3_s2_e6_c80, ir_r1_k3_s1_e2.5_c80, ir_r2_k3_s1_e2.3_c80]
  - ir_r2_k3_s1_e6_c112_se0.25
  - ir_r3_k5_s2_e6_c160_se0.25
  - cn_r1_k1_s1_c960
head: {channels: 0, pooled: {channels: 1280}}\n`, 'timm.yaml');
    const count = (c: typeof timmV3) => (({ params, macs, weight_bytes }) => ({ params, macs, weight_bytes }))(countConfig(c));
    expect(count(timmV3)).toEqual(count(entryConfig(entry('mobilenetv3_large_100'))));
  });
});

describe('the config a result stands for', () => {
  const parseWritten = (e: CatalogueEntry, weights?: string) => parseArchConfig(catalogueYaml(e, findResult(e, weights)), 'written.yaml');

  it('is the entry at the result\'s resolution with its top-1, and a comment says where the top-1 comes from', () => {
    const e = entry('resnet50d');
    const text = catalogueYaml(e, findResult(e, 'ra2_in1k')!);
    expect(text.split('\n')[0]).toBe('# resnet50d from frontier-gate\'s catalogue of published models (ResNet-D).');
    expect(text).toMatch(/^# accuracy: timm weights resnet50d\.ra2_in1k: top-1 80\.546 on ImageNet-1k at 224 px, crop 0\.875, bicubic\.$/m);
    expect(text).toContain('# source: timm results/results-imagenet.csv');
    const written = parseArchConfig(text, 'w.yaml');
    expect(written.accuracy).toEqual({ top1: 80.546, dataset: 'imagenet-1k', source: 'timm resnet50d.ra2_in1k' });
    expect(written).toEqual(catalogueConfig(e, findResult(e, 'ra2_in1k')));
  });

  it('takes another result\'s resolution; block strings and comments stay as the catalogue writes them', () => {
    const e = entry('mobilenetv4_conv_small');
    const text = catalogueYaml(e, findResult(e, 'mobilenetv4_conv_small.e3600_r256_in1k')!);
    expect(text).toContain('- [uir_r1_a5_k5_s2_e3_c96, uir_r4_a0_k3_s1_e2_c96, uir_r1_a3_k0_s1_e4_c96]');
    expect(text).toContain('# MobileNetV4-Conv-Small (Qin et al., ECCV 2024)');
    const written = parseWritten(e, 'e3600_r256_in1k');
    expect(written.resolution).toBe(256);
    // Only the resolution changed: the same layers at another input size.
    const atEntry = { ...written, resolution: entryConfig(e).resolution };
    expect(networkHash(atEntry)).toBe(networkHash(entryConfig(e)));
  });

  it('every entry\'s written file parses back to the entry\'s config (YAML, one document)', () => {
    for (const e of CATALOGUE) {
      const text = catalogueYaml(e);
      expect(YAML.parseAllDocuments(text)).toHaveLength(1);
      const { accuracy: _a, ...written } = parseArchConfig(text, `${e.name}.yaml`);
      const { accuracy: _b, ...config } = entryConfig(e);
      expect(written).toEqual(config);
    }
  });
});
