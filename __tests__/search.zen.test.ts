import { lower, type Network } from '../src/arch/lower';
import type { ArchConfig } from '../src/arch/types';
import { derive, fillGaussian, seeded } from '../src/util/random';
import { BN_EPS, featureLayers, zenWeights } from '../src/search/zen-graph';
import { kendallTau, zenOnce, zenScore } from '../src/search/zen';

// A tiny network touching every layer kind the proxy meets in the zoo: a strided stem, a residual
// full-conv block, a max pool, and an MBConv with squeeze-excitation and swish.
const tiny: ArchConfig = {
  name: 'tiny', resolution: 12, channels: 3, classes: 10, width: 1, depth: 1, divisor: 4, dropout: 0,
  stem: { channels: 8, kernel: 3, stride: 2, act: 'relu', pool: 'none' },
  stages: [
    { block: 'basic', repeats: 1, channels: 8, kernel: 3, stride: 1, expand: 1, se: 0, act: 'relu' },
    { block: 'mbconv', repeats: 1, channels: 12, kernel: 3, stride: 2, expand: 2, se: 0.25, act: 'swish' },
  ],
  head: { channels: 16, act: 'hswish' },
};

type T = { c: number; h: number; w: number; n: number; data: Float64Array };

const act = (name: string | null, v: number): number => {
  switch (name) {
    case null: return v;
    case 'relu': return Math.max(0, v);
    case 'swish': return v / (1 + Math.exp(-v));
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'hswish': return (v * Math.min(6, Math.max(0, v + 3))) / 6;
    default: throw new Error(`activation ${name} not in the reference`);
  }
};

/** Plain-loop forward in float64 with batch-statistics BN: independent of ONNX and onnxruntime. */
function referenceForward(net: Network, seed: number, batch: number, input: Float32Array) {
  const weights = zenWeights(net, seed);
  const tensors = new Map<number, T>();
  tensors.set(0, { n: batch, c: net.input.c, h: net.input.h, w: net.input.w, data: Float64Array.from(input) });
  const bnVars: number[] = [];
  let last = 0;
  for (const l of featureLayers(net)) {
    const x = tensors.get(l.input)!;
    let y: T;
    if (l.type === 'conv') {
      const { cout, kernel: k, stride, groups } = l;
      const [pt, pl] = l.pads;
      const H = l.outShape.h, W = l.outShape.w;
      const w = weights.conv.get(l.name)!;
      const cinG = x.c / groups, coutG = cout / groups;
      y = { n: batch, c: cout, h: H, w: W, data: new Float64Array(batch * cout * H * W) };
      for (let n = 0; n < batch; n++) for (let o = 0; o < cout; o++) {
        const g = Math.floor(o / coutG);
        for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
          let s = 0;
          for (let ci = 0; ci < cinG; ci++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
            const yy = i * stride - pt + a, xx = j * stride - pl + b;
            if (yy < 0 || yy >= x.h || xx < 0 || xx >= x.w) continue;
            s += w[((o * cinG + ci) * k + a) * k + b] * x.data[((n * x.c + g * cinG + ci) * x.h + yy) * x.w + xx];
          }
          y.data[((n * cout + o) * H + i) * W + j] = s;
        }
      }
      if (l.bn) {
        const m = batch * H * W;
        let varSum = 0;
        for (let o = 0; o < cout; o++) {
          let mu = 0;
          for (let n = 0; n < batch; n++) for (let p = 0; p < H * W; p++) mu += y.data[(n * cout + o) * H * W + p];
          mu /= m;
          let v = 0;
          for (let n = 0; n < batch; n++) for (let p = 0; p < H * W; p++) v += (y.data[(n * cout + o) * H * W + p] - mu) ** 2;
          v /= m;
          varSum += v;
          for (let n = 0; n < batch; n++) for (let p = 0; p < H * W; p++) {
            const idx = (n * cout + o) * H * W + p;
            y.data[idx] = (y.data[idx] - mu) / Math.sqrt(v + BN_EPS);
          }
        }
        bnVars.push(varSum / cout);
      }
      y.data = y.data.map((v) => act(l.act, v));
    } else if (l.type === 'se') {
      const rw = weights.conv.get(`${l.name}.reduce`)!, ew = weights.conv.get(`${l.name}.expand`)!;
      y = { ...x, data: new Float64Array(x.data.length) };
      const hw = x.h * x.w;
      for (let n = 0; n < batch; n++) {
        const pooled = Array.from({ length: x.c }, (_, c) => { let s = 0; for (let p = 0; p < hw; p++) s += x.data[(n * x.c + c) * hw + p]; return s / hw; });
        const z = Array.from({ length: l.squeeze }, (_, q) => act(l.act, pooled.reduce((s, v, c) => s + rw[q * x.c + c] * v, 0)));
        for (let c = 0; c < x.c; c++) {
          const gate = act('sigmoid', z.reduce((s, v, q) => s + ew[c * l.squeeze + q] * v, 0));
          for (let p = 0; p < hw; p++) y.data[(n * x.c + c) * hw + p] = x.data[(n * x.c + c) * hw + p] * gate;
        }
      }
    } else if (l.type === 'add') {
      const o = tensors.get(l.other)!;
      y = { ...x, data: x.data.map((v, i) => act(l.act, v + o.data[i])) };
    } else {
      throw new Error(`layer ${l.type} not in the reference`);
    }
    tensors.set(l.output, y);
    last = l.output;
  }
  return { features: tensors.get(last)!, bnVars };
}

describe('Zen-score proxy', () => {
  const net = lower(tiny);
  const batch = 3;
  const alpha = 0.01;
  const size = batch * 3 * 12 * 12;
  const rand = seeded(42);
  const x = fillGaussian(rand, new Float32Array(size));
  const eps = fillGaussian(rand, new Float32Array(size));
  const seed = derive(5, 'weights');

  test('matches an independent float64 forward on a tiny network (Frobenius and L1)', async () => {
    const perturbed = x.map((v, i) => v + alpha * eps[i]);
    const a = referenceForward(net, seed, batch, x);
    const b = referenceForward(net, seed, batch, perturbed);
    const per = a.features.data.length / batch;
    for (const norm of ['fro', 'l1'] as const) {
      let delta = 0;
      for (let n = 0; n < batch; n++) {
        let s = 0;
        for (let i = n * per; i < (n + 1) * per; i++) {
          const d = a.features.data[i] - b.features.data[i];
          s += norm === 'l1' ? Math.abs(d) : d * d;
        }
        delta += norm === 'l1' ? s : Math.sqrt(s);
      }
      const expected = Math.log(delta / batch) + b.bnVars.reduce((s, v) => s + Math.log(Math.sqrt(v)), 0);
      const got = await zenOnce(net, seed, x, eps, { batch, alpha, norm });
      expect(got.bnVars).toHaveLength(b.bnVars.length);
      got.bnVars.forEach((v, i) => expect(v).toBeCloseTo(b.bnVars[i], 2));
      expect(Math.abs(got.score - expected)).toBeLessThan(2e-3);
    }
    // Every BN conv of the feature path contributes one variance term; the classifier is excluded.
    expect(a.bnVars.length).toBe(net.layers.filter((l) => l.type === 'conv' && l.bn).length);
  });

  test('is deterministic for a seed and differs across seeds', async () => {
    const a = await zenScore(tiny, { batch: 2, seed: 1 });
    const b = await zenScore(tiny, { batch: 2, seed: 1 });
    const c = await zenScore(tiny, { batch: 2, seed: 2 });
    expect(a.proxy).toBe(b.proxy);
    expect(c.proxy).not.toBe(a.proxy);
  });

  test('grows with width and depth, as a capacity proxy should', async () => {
    const wide = { ...tiny, stages: tiny.stages.map((s) => ({ ...s, channels: s.channels * 2 })) };
    const deep = { ...tiny, stages: tiny.stages.map((s) => ({ ...s, repeats: 3 })) };
    const base = (await zenScore(tiny, { batch: 2 })).proxy;
    expect((await zenScore(wide, { batch: 2 })).proxy).toBeGreaterThan(base);
    expect((await zenScore(deep, { batch: 2 })).proxy).toBeGreaterThan(base);
  });

  test('kendall tau-b', () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    // One discordant pair of six: (5 - 1) / 6.
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 10);
  });
});
