/**
 * Every fixture goes through the config parser and is counted; the counts must match the published
 * numbers (../shared/reference/seeds.md section 4, torchvision's counting convention).
 */
import * as fs from 'fs';
import * as path from 'path';
import { countConfig } from '../src/arch/counts';
import { loadArchConfig } from '../src/arch/parse';
import { makeDivisible, roundFilters, roundRepeats, scale } from '../src/arch/scale';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'archs');

interface Published {
  file: string;
  resolution: number;
  params: number;
  /** How close params must be: 0 = exactly equal; else a relative tolerance. */
  paramsTolerance: number;
  gmacs: number;
}

// seeds.md section 4. GENet's params are published to 0.01 M; EfficientNet-X-B0's are derived.
const PUBLISHED: Published[] = [
  { file: 'efficientnet-b0', resolution: 224, params: 5_288_548, paramsTolerance: 0, gmacs: 0.386 },
  { file: 'efficientnet-b1', resolution: 240, params: 7_794_184, paramsTolerance: 0, gmacs: 0.687 },
  { file: 'efficientnet-b2', resolution: 260, params: 9_109_994, paramsTolerance: 0, gmacs: 0.994 },
  { file: 'efficientnet-b3', resolution: 300, params: 12_233_232, paramsTolerance: 0, gmacs: 1.827 },
  { file: 'mobilenet-v2', resolution: 224, params: 3_504_872, paramsTolerance: 0, gmacs: 0.301 },
  { file: 'resnet-18', resolution: 224, params: 11_689_512, paramsTolerance: 0, gmacs: 1.814 },
  { file: 'resnet-50', resolution: 224, params: 25_557_032, paramsTolerance: 0, gmacs: 4.089 },
  { file: 'genet-light', resolution: 192, params: 8.17e6, paramsTolerance: 0.005, gmacs: 0.547 },
  { file: 'genet-normal', resolution: 192, params: 21.14e6, paramsTolerance: 0.005, gmacs: 2.208 },
  { file: 'genet-large', resolution: 256, params: 31.08e6, paramsTolerance: 0.005, gmacs: 4.557 },
  { file: 'efficientnet-x-b0', resolution: 224, params: 7.58e6, paramsTolerance: 0.01, gmacs: 0.92 },
];

const relErr = (value: number, reference: number) => Math.abs(value - reference) / reference;

describe('counts of the bundled fixtures match the published numbers', () => {
  it('covers every fixture file', () => {
    const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(files).toEqual(PUBLISHED.map((p) => p.file).sort());
  });

  it.each(PUBLISHED.map((p) => [p.file, p] as const))('%s', (_file, p) => {
    const config = loadArchConfig(path.join(FIXTURES, `${p.file}.yaml`));
    const stats = countConfig(config);
    expect(stats.resolution).toBe(p.resolution);
    if (p.paramsTolerance === 0) expect(stats.params).toBe(p.params);
    else expect(relErr(stats.params, p.params)).toBeLessThanOrEqual(p.paramsTolerance);
    expect(relErr(stats.macs, p.gmacs * 1e9)).toBeLessThan(0.01);
  });

  it('totals are the sums of the per-layer counts', () => {
    const stats = countConfig(loadArchConfig(path.join(FIXTURES, 'efficientnet-x-b0.yaml')));
    expect(stats.layers.reduce((a, l) => a + l.params, 0)).toBe(stats.params);
    expect(stats.layers.reduce((a, l) => a + l.macs, 0)).toBe(stats.macs);
    expect(stats.weight_bytes).toBe(stats.layers.reduce((a, l) => a + l.weightBytes, 0));
  });
});

describe('round_filters, round_repeats and compound scaling', () => {
  it('rounds channels to the divisor, never below 90% of the unrounded value', () => {
    expect(makeDivisible(32 * 1.1, 8)).toBe(32); // 35.2 -> 32 (32 >= 31.68)
    expect(makeDivisible(32 * 1.2, 8)).toBe(40); // 38.4 -> 40: EfficientNet-B3's stem
    expect(makeDivisible(1280 * 1.1, 8)).toBe(1408); // B2's head
    expect(makeDivisible(1280 * 1.2, 8)).toBe(1536); // B3's head
    expect(makeDivisible(1280 * 2.0, 8)).toBe(2560); // B7's head
    expect(makeDivisible(11, 8)).toBe(16); // 8 would be below 90% of 11
    expect(makeDivisible(3, 8)).toBe(8); // never below the divisor
    expect(roundFilters(13, 1, 8)).toBe(13); // width 1 leaves channels untouched (GENet-light's stem)
    expect(roundRepeats(2, 1.1)).toBe(3);
    expect(roundRepeats(4, 1.4)).toBe(6);
    expect(roundRepeats(3, 1.0)).toBe(3);
    expect(roundRepeats(1, 3.1)).toBe(4);
  });

  const b0 = () => loadArchConfig(path.join(FIXTURES, 'efficientnet-b0.yaml'));
  // EfficientNet's (width, depth, resolution) per model (seeds.md section 1), and torchvision's published
  // params: B1-B3 from seeds.md section 4; B4-B7 from torchvision's model documentation.
  const family: [string, number, number, number, number][] = [
    ['b1', 1.0, 1.1, 240, 7_794_184],
    ['b2', 1.1, 1.2, 260, 9_109_994],
    ['b3', 1.2, 1.4, 300, 12_233_232],
    ['b4', 1.4, 1.8, 380, 19_341_616],
    ['b5', 1.6, 2.2, 456, 30_389_784],
    ['b6', 1.8, 2.6, 528, 43_040_704],
    ['b7', 2.0, 3.1, 600, 66_347_960],
  ];

  it.each(family)('B0 scaled to %s gives its published params', (id, width, depth, resolution, params) => {
    const scaled = scale(b0(), { width, depth, resolution: resolution / 224 }, `efficientnet-${id}`);
    expect(scaled.resolution).toBe(resolution);
    expect(countConfig(scaled).params).toBe(params);
  });

  it('scaling B0 reproduces the B1-B3 fixtures layer by layer', () => {
    for (const [id, width, depth, resolution] of family.slice(0, 3)) {
      const scaled = countConfig(scale(b0(), { width, depth, resolution: resolution / 224 }));
      const fixture = countConfig(loadArchConfig(path.join(FIXTURES, `efficientnet-${id}.yaml`)));
      expect(scaled.macs).toBe(fixture.macs);
      expect(scaled.layers.map((l) => [l.name, l.params])).toEqual(fixture.layers.map((l) => [l.name, l.params]));
    }
  });

  it('scale multiplies the multipliers and drops accuracy and family', () => {
    const base = b0();
    const once = scale(base, { width: 1.1, depth: 1.2 });
    const twice = scale(once, { width: 1.1, depth: 1.2 });
    expect(twice.width).toBeCloseTo(1.21, 9);
    expect(twice.depth).toBeCloseTo(1.44, 9);
    expect(once.accuracy).toBeUndefined();
    expect(once.family).toBeUndefined();
    expect(base.width).toBe(1); // the input is not modified
    expect(() => scale(base, { width: 0 })).toThrow(RangeError);
  });
});
