import { candidateGrid, compoundFactors, EFFICIENTNET_COEFFICIENTS, flopsProduct, sameCoefficients } from '../src/lacs/grid';
import { parseAccuracyTable, leastSquares, fitAccuracyPredictor } from '../src/lacs/accuracy';
import { compareCoefficients } from '../src/lacs/compare';
import { renderCoefficientComparison } from '../src/report/lacs';
import { DEFAULT_POSITION_TOLERANCE, frontierPosition, paretoFrontier } from '../src/lacs/position';
import { DEFAULT_TOLERANCES } from '../src/frontier/position';
import { UserError } from '../src/errors';
import { loadFixture } from './lacs.helpers';

describe('candidate grid', () => {
  test.each([0.05, 0.1, 0.07, 0.025])('step %p: every candidate is >= 1 and within the FLOPs tolerance, EfficientNet included', (step) => {
    const grid = candidateGrid({ step });
    expect(grid.length).toBeGreaterThan(0);
    for (const c of grid) {
      expect(Math.min(c.alpha, c.beta, c.gamma)).toBeGreaterThanOrEqual(1);
      expect(Math.abs(flopsProduct(c) - 2)).toBeLessThanOrEqual(0.1 + 1e-9);
    }
    expect(grid.filter((c) => c.reference)).toHaveLength(1);
    expect(sameCoefficients(grid.find((c) => c.reference)!, EFFICIENTNET_COEFFICIENTS)).toBe(true);
  });

  test('default grid contains EfficientNet-X GPU-like and depth-only points, no duplicates', () => {
    const grid = candidateGrid();
    const keys = grid.map((c) => `${c.alpha},${c.beta},${c.gamma}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('2,1,1');
    expect(keys).toContain('1.25,1.15,1.1');
    // On a 0.05 grid EfficientNet's point is a regular member, not an appended extra.
    expect(grid.findIndex((c) => c.reference)).toBeLessThan(grid.length - 1);
  });

  test('a tolerance that excludes EfficientNet still scores it, flagged as reference', () => {
    const grid = candidateGrid({ tolerance: 0.01 });
    const ref = grid.find((c) => c.reference)!;
    expect(Math.abs(ref.product - 2)).toBeGreaterThan(0.01);
    for (const c of grid.filter((x) => !x.reference)) expect(Math.abs(c.product - 2)).toBeLessThanOrEqual(0.01 + 1e-9);
  });

  test('bad step and tolerance are rejected', () => {
    expect(() => candidateGrid({ step: 0 })).toThrow(/step/);
    expect(() => candidateGrid({ tolerance: -1 })).toThrow(/tolerance/);
  });

  test('compound factors are powers of the coefficients', () => {
    expect(compoundFactors({ alpha: 1.2, beta: 1.1, gamma: 1.15 }, 0)).toEqual({ depth: 1, width: 1, resolution: 1 });
    expect(compoundFactors({ alpha: 1.2, beta: 1.1, gamma: 1.15 }, 2)).toEqual({ depth: 1.44, width: 1.21, resolution: 1.3225 });
  });
});

describe('accuracy table', () => {
  test('list, mapping and nested shapes', () => {
    const list = parseAccuracyTable('- {alpha: 1.2, beta: 1.1, gamma: 1.15, top1: 79.1}\n- {coefficients: [1.3, 1.05, 1.1], accuracy: {top1: 79.4}}\n- {hash: abcdef0123456789, top1: 78}\n', 't.yaml');
    expect(list.lookup('ffff0000', { alpha: 1.2, beta: 1.1, gamma: 1.15 })).toBe(79.1);
    expect(list.lookup('ffff0000', { alpha: 1.3, beta: 1.05, gamma: 1.1 })).toBe(79.4);
    expect(list.lookup('ABCDEF0123456789')).toBe(78);
    const map = parseAccuracyTable('{"1.2,1.1,1.15": 79.1, "sha256:00ff00ff00ff": {"top1": 77}}', 't.json');
    expect(map.lookup('x', { alpha: 1.2, beta: 1.1, gamma: 1.15 })).toBe(79.1);
    expect(map.lookup(['nothing', 'sha256:00FF00FF00FF'])).toBe(77);
    expect(parseAccuracyTable('results:\n  "(1.2, 1.1, 1.15)": 80\n', 'r.yaml').lookup('x', { alpha: 1.2, beta: 1.1, gamma: 1.15 })).toBe(80);
    // A hash match names the exact network and wins over coefficients.
    const both = parseAccuracyTable('- {alpha: 1.2, beta: 1.1, gamma: 1.15, top1: 70}\n- {hash: 0123456789abcdef, top1: 71}\n', 'b.yaml');
    expect(both.lookup('0123456789abcdef', { alpha: 1.2, beta: 1.1, gamma: 1.15 })).toBe(71);
  });

  test.each([
    ['- {alpha: 1.2, beta: 1.1, gamma: 1.15, top1: 179}', /top1: expected a percentage in \(0, 100\], got 179/],
    ['- {alpha: 0.9, beta: 1.1, gamma: 1.15, top1: 79}', /alpha: expected a number >= 1, got 0.9/],
    ['- {top1: 79}', /needs alpha\/beta\/gamma, coefficients or hash/],
    ['- {alpha: 1.2, beta: 1.1, gamma: 1.15, top: 79}', /unknown field "top"/],
    ['"not a key": 79', /expected "alpha,beta,gamma".*got "not a key"/],
    ['[1, 2', /not valid YAML\/JSON/],
    ['[]', /empty/],
    ['- {coefficients: [1.2, 1.1], top1: 79}', /coefficients: expected \[alpha, beta, gamma\]/],
  ])('bad table %p is a UserError naming the file', (text, message) => {
    expect(() => parseAccuracyTable(text, 'acc.yaml')).toThrow(UserError);
    expect(() => parseAccuracyTable(text, 'acc.yaml')).toThrow(message);
    expect(() => parseAccuracyTable(text, 'acc.yaml')).toThrow(/acc\.yaml/);
  });
});

describe('accuracy predictor', () => {
  test('least squares recovers an exact linear law', () => {
    const X = [[1, 0, 1], [1, 1, 0], [1, 2, 3], [1, 3, 1], [1, 4, 4]];
    const y = X.map(([, a, b]) => 2 + 3 * a - 0.5 * b);
    const beta = leastSquares(X, y);
    expect(beta[0]).toBeCloseTo(2, 6);
    expect(beta[1]).toBeCloseTo(3, 6);
    expect(beta[2]).toBeCloseTo(-0.5, 6);
  });

  test('EfficientNet-B0..B3 give a same-family log-MACs fit with its quality reported', () => {
    const base = loadFixture('efficientnet-b0');
    const records = ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3', 'resnet-50'].map((n) => {
      const config = loadFixture(n);
      return { config, top1: config.accuracy!.top1 };
    });
    const outcome = fitAccuracyPredictor(base, records);
    // resnet-50 is another family: never fitted.
    expect(outcome).toMatchObject({ same_family: 4, other_family: 1 });
    const p = outcome.predictor!;
    expect(p.fit.usable).toBe(true);
    expect(p.fit.failures).toEqual([]);
    expect(p.fit.scope).toBe('same-family');
    expect(p.fit.features).toBe('log-macs');
    expect(p.fit.n).toBe(4);
    expect(p.fit.r2).toBeGreaterThan(0.8);
    expect(p.fit.r2).toBeLessThanOrEqual(1);
    expect(p.fit.residuals.map((r) => r.name)).toEqual(['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3']);
    // More compute predicts more accuracy.
    expect(p.fit.coefficients[0]).toBeGreaterThan(0);
    expect(p.predict(records[3].config)).toBeGreaterThan(p.predict(base));
    expect(p.fit.description).toMatch(/R² 0\.\d{3}, leave-one-out RMSE 0\.\d\d pp, RMSE/);
    // Leave-one-out: each record predicted by the fit on the other three; its RMSE is larger than in-sample.
    expect(p.fit.loo_rmse!).toBeGreaterThan(p.fit.rmse);
    expect(p.fit.loo_rmse!).toBeLessThanOrEqual(1);
    expect(p.fit.range.top1).toEqual([77.692, 82.008]);
  });

  test('too few same-family records give no predictor, and say why; other families do not count', () => {
    const base = loadFixture('efficientnet-b0');
    const lone = fitAccuracyPredictor(base, [{ config: base, top1: 77.7 }]);
    expect(lone.predictor).toBeUndefined();
    expect(lone.fits).toEqual([]);
    const others = ['resnet-18', 'resnet-50', 'mobilenet-v2', 'genet-light', 'genet-normal', 'genet-large'].map((n) => ({ config: loadFixture(n), top1: loadFixture(n).accuracy!.top1 }));
    const cross = fitAccuracyPredictor(base, [{ config: base, top1: 77.7 }, ...others]);
    expect(cross.predictor).toBeUndefined();
    expect(cross.reason).toMatch(/1 trained record\(s\) of efficientnet-b0's family .* needs at least 3 \(6 record\(s\) of other families are not used\)/);
  });
});

describe('frontier position', () => {
  const frontier = paretoFrontier([
    { name: 'fast', accuracy: 70, latency_ms: 5 },
    { name: 'mid', accuracy: 77, latency_ms: 10 },
    { name: 'slow', accuracy: 80, latency_ms: 20 },
    { name: 'dominated', accuracy: 75, latency_ms: 12 },
  ]);
  test('the dominated point is not on the frontier', () => {
    expect(frontier.map((p) => p.name)).toEqual(['fast', 'mid', 'slow']);
  });
  test.each([
    [{ accuracy: 76, latency_ms: 11 }, 'below', 'mid'],
    [{ accuracy: 78, latency_ms: 11 }, 'above', undefined],
    [{ accuracy: 77.05, latency_ms: 10.1 }, 'on', 'mid'],
    [{ accuracy: 60, latency_ms: 4 }, 'above', undefined],
    // The check's rule: a 1% lead over a model as accurate is inside the 3% tolerance: on, not above.
    [{ accuracy: 79.5, latency_ms: 19.8 }, 'on', 'slow'],
    [{ accuracy: 79.5, latency_ms: 19 }, 'above', undefined],
    [{ accuracy: 81, latency_ms: 30 }, 'above', undefined],
    // Within the measurement noise, a copy of a frontier model ties it.
    [{ accuracy: 77, latency_ms: 9.9, noise: 0.03 }, 'on', 'mid'],
    [{ accuracy: 77, latency_ms: 9.9 }, 'on', 'mid'],
    [{ accuracy: 77, latency_ms: 9.5 }, 'above', undefined],
  ])('%p is %s', (model, position, nearest) => {
    expect(frontierPosition(model, frontier)).toEqual(nearest ? { position, nearest } : { position });
  });

  test('the default tolerances are the check\'s (3% latency, 0.1 points)', () => {
    expect(DEFAULT_POSITION_TOLERANCE).toEqual(DEFAULT_TOLERANCES);
    expect(DEFAULT_TOLERANCES).toEqual({ latency: 0.03, accuracy: 0.1 });
    // 2.5% faster is within the default band; with a 2% band it is dominated.
    expect(frontierPosition({ accuracy: 77, latency_ms: 10.25 }, frontier).position).toBe('on');
    expect(frontierPosition({ accuracy: 77, latency_ms: 10.25 }, frontier, { latency: 0.02, accuracy: 0.1 }).position).toBe('below');
  });
});

describe('coefficient comparison', () => {
  const previous = { alpha: 1.2, beta: 1.1, gamma: 1.15, objective: 80, base_network_hash: 'aa', target_key: 'cpu-x', w: -0.07 };
  test('moves are reported per coefficient', () => {
    const c = compareCoefficients(previous, { alpha: 1.3, beta: 1.1, gamma: 1.1, target_key: 'cpu-x' });
    expect(c.changed).toBe(true);
    expect(c.moves.find((m) => m.name === 'alpha')!.delta).toBeCloseTo(0.1, 9);
    expect(c.moves.find((m) => m.name === 'gamma')!.delta).toBeCloseTo(-0.05, 9);
    const text = renderCoefficientComparison(c);
    expect(text).toMatch(/alpha 1\.2 → 1\.3 \(\+0\.1\)/);
    expect(text).toMatch(/gamma 1\.15 → 1\.1 \(-0\.05\)/);
    expect(text).not.toMatch(/beta/);
  });
  test('unchanged, first run, and another target', () => {
    expect(compareCoefficients(previous, { alpha: 1.2, beta: 1.1, gamma: 1.15 }).changed).toBe(false);
    expect(renderCoefficientComparison(compareCoefficients(undefined, { alpha: 1.2, beta: 1.1, gamma: 1.15 }))).toMatch(/no coefficients stored/);
    const other = compareCoefficients(previous, { alpha: 1.2, beta: 1.1, gamma: 1.15, target_key: 'gpu' });
    expect(other.sameTarget).toBe(false);
    expect(renderCoefficientComparison(other)).toMatch(/another target/);
  });
});

describe('config YAML and the measurement cache file', () => {
  test('configToYaml round-trips through the config parser, quoting what needs it', async () => {
    const { configToYaml } = await import('../src/lacs/yaml');
    const { parseArchConfig } = await import('../src/arch/parse');
    for (const name of ['efficientnet-b0', 'efficientnet-x-b0', 'resnet-50', 'genet-light', 'mobilenet-v2']) {
      const config = { ...loadFixture(name), description: 'scaled: "x" # not a comment' };
      const text = configToYaml(config, ['header: with # and colon']);
      expect(text.startsWith('# header: with # and colon\n')).toBe(true);
      expect(parseArchConfig(text, `${name}.yaml`)).toEqual(config);
    }
  });

  test('a corrupt or foreign cache file is a UserError naming it; a good one round-trips', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { FileCache } = await import('../src/lacs/cache');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacs-cache-'));
    const file = path.join(dir, 'cache.json');
    fs.writeFileSync(file, '{not json');
    expect(() => new FileCache(file)).toThrow(/cache\.json: measurement cache is not valid JSON/);
    fs.writeFileSync(file, '{"version": 3, "entries": {}}');
    expect(() => new FileCache(file)).toThrow(/cache\.json: unknown LACS measurement cache format \(version 3\)/);
    fs.writeFileSync(file, '{"version": 2, "entries": null}');
    expect(() => new FileCache(file)).toThrow(/not a LACS measurement cache/);
    fs.unlinkSync(file);
    const cache = new FileCache(file);
    const value = { median_ms: 12.5, ratio: 1.8, ratio_ci95: [1.7, 1.9] as [number, number], base_network_hash: 'abc', samples: 40 };
    cache.set('h1', 'cpu-1', value);
    cache.flush();
    const reread = new FileCache(file);
    expect(reread.get('h1', 'cpu-1')).toEqual(value);
    expect(reread.get('h1', 'cpu-2')).toBeUndefined();
  });
});
