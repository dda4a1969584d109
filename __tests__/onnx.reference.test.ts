/**
 * The built graph computes what the config says: a naive NCHW reference written from the config's
 * semantics (not from the lowered IR) runs on the model's own initializers and must match onnxruntime.
 */
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { buildModel } from '../src/onnx/build';
import type { ArchConfig, StageConfig } from '../src/arch/types';
import { ortTensor } from '../src/measure/session';

type T = { c: number; h: number; w: number; d: Float32Array };

function weights(bytes: Uint8Array): Map<string, Float32Array> {
  const model = onnx.ModelProto.decode(bytes);
  const out = new Map<string, Float32Array>();
  for (const init of model.graph!.initializer!) {
    if (init.dataType !== onnx.TensorProto.DataType.FLOAT) continue;
    const raw = init.rawData!;
    out.set(init.name!, new Float32Array(Uint8Array.from(raw).buffer));
  }
  return out;
}

function conv(x: T, w: Float32Array, b: Float32Array, cout: number, k: number, s: number, pads: number[], groups: number): T {
  const [pt, pl, pb, pr] = pads;
  const h = Math.floor((x.h + pt + pb - k) / s) + 1;
  const wd = Math.floor((x.w + pl + pr - k) / s) + 1;
  const cinG = x.c / groups;
  const coutG = cout / groups;
  const d = new Float32Array(cout * h * wd);
  for (let o = 0; o < cout; o++) {
    const g = Math.floor(o / coutG);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < wd; j++) {
        let acc = b[o];
        for (let ci = 0; ci < cinG; ci++) {
          for (let ki = 0; ki < k; ki++) {
            for (let kj = 0; kj < k; kj++) {
              const y = i * s - pt + ki;
              const xx = j * s - pl + kj;
              if (y < 0 || y >= x.h || xx < 0 || xx >= x.w) continue;
              acc += w[((o * cinG + ci) * k + ki) * k + kj] * x.d[((g * cinG + ci) * x.h + y) * x.w + xx];
            }
          }
        }
        d[(o * h + i) * wd + j] = acc;
      }
    }
  }
  return { c: cout, h, w: wd, d };
}

const ACT: Record<string, (v: number) => number> = {
  relu: (v) => Math.max(0, v),
  relu6: (v) => Math.min(6, Math.max(0, v)),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  swish: (v) => v / (1 + Math.exp(-v)),
  hswish: (v) => (v * Math.min(6, Math.max(0, v + 3))) / 6,
  gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
};

// Abramowitz-Stegun 7.1.26 is too coarse for a 1e-4 check; use a series / continued fraction split.
function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t, term = t;
    for (let n = 1; n < 60; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
}

const map = (x: T, f: (v: number) => number): T => ({ ...x, d: x.d.map(f) });
const add = (a: T, b: T): T => ({ ...a, d: a.d.map((v, i) => v + b.d[i]) });
const pads = (k: number) => [(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2];

function convNamed(W: Map<string, Float32Array>, name: string, x: T, cout: number, k: number, s: number, p: number[], groups = 1, act?: string): T {
  if (!W.has(`${name}.weight`)) throw new Error(`no initializer ${name}.weight; have ${[...W.keys()].join(", ")}`);
  const y = conv(x, W.get(`${name}.weight`)!, W.get(`${name}.bias`)!, cout, k, s, p, groups);
  return act ? map(y, ACT[act]) : y;
}

function se(W: Map<string, Float32Array>, name: string, x: T, squeeze: number, act: string): T {
  const hw = x.h * x.w;
  const pooled: T = { c: x.c, h: 1, w: 1, d: new Float32Array(x.c).map((_, c) => x.d.slice(c * hw, (c + 1) * hw).reduce((a, v) => a + v, 0) / hw) };
  let z = convNamed(W, `${name}.reduce`, pooled, squeeze, 1, 1, [0, 0, 0, 0], 1, act);
  z = map(convNamed(W, `${name}.expand`, z, x.c, 1, 1, [0, 0, 0, 0]), ACT.sigmoid);
  return { ...x, d: x.d.map((v, i) => v * z.d[Math.floor(i / hw)]) };
}

function base(over: Partial<ArchConfig>, stages: StageConfig[]): ArchConfig {
  return {
    name: 'tiny', resolution: 9, channels: 2, classes: 3, width: 1, depth: 1, divisor: 1, dropout: 0,
    stem: { channels: 8, kernel: 3, stride: 2, act: 'relu6', pool: 'none' }, head: { channels: 0, act: 'relu' }, stages, ...over,
  };
}

async function runOrt(bytes: Uint8Array, input: T): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ input: new ort.Tensor('float32', input.d, [1, input.c, input.h, input.w]) });
  return out.output.data as Float32Array;
}

function randomInput(c: number, h: number, w: number, seed: number): T {
  let s = seed;
  const d = new Float32Array(c * h * w).map(() => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
  return { c, h, w, d };
}

function expectClose(actual: Float32Array, expected: Float32Array) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1e-3 + Math.abs(expected[i])));
  expect(worst).toBeLessThan(1e-3);
}

test('odd sizes, strides, depthwise groups, SE, identity and projection skips, head, classifier', async () => {
  const config = base({ head: { channels: 16, act: 'gelu' } }, [
    { block: 'mbconv', repeats: 1, channels: 8, kernel: 3, stride: 1, expand: 2, se: 0.25, act: 'swish' },
    { block: 'basic', repeats: 1, channels: 12, kernel: 3, stride: 2, expand: 1, se: 0, act: 'hswish' },
    { block: 'dw_bottleneck', repeats: 1, channels: 12, kernel: 5, stride: 1, expand: 2, se: 0, act: 'relu' },
  ]);
  const bytes = buildModel(config, { seed: 7 });
  const W = weights(bytes);
  const input = randomInput(2, 9, 9, 3);

  let x = convNamed(W, 'stem.conv', input, 8, 3, 2, pads(3), 1, 'relu6'); // 9 -> 5
  expect([x.h, x.w]).toEqual([5, 5]);
  // mbconv: 1x1 expand to 16, 3x3 depthwise, SE squeeze floor(8 * 0.25) = 2, linear projection, identity skip.
  let y = convNamed(W, 'stages.0.0.expand', x, 16, 1, 1, pads(1), 1, 'swish');
  y = convNamed(W, 'stages.0.0.depthwise', y, 16, 3, 1, pads(3), 16, 'swish');
  y = se(W, 'stages.0.0.se', y, 2, 'swish');
  y = convNamed(W, 'stages.0.0.project', y, 8, 1, 1, pads(1));
  x = add(x, y);
  // basic: two 3x3 convs, stride on the first, 1x1 strided shortcut, activation after the add.
  y = convNamed(W, 'stages.1.0.conv1', x, 12, 3, 2, pads(3), 1, 'hswish'); // 5 -> 3
  y = convNamed(W, 'stages.1.0.conv2', y, 12, 3, 1, pads(3));
  x = map(add(y, convNamed(W, 'stages.1.0.shortcut', x, 12, 1, 2, pads(1))), ACT.hswish);
  // dw_bottleneck: 1x1 to 24, 5x5 depthwise, 1x1 back, identity shortcut, relu after the add.
  y = convNamed(W, 'stages.2.0.reduce', x, 24, 1, 1, pads(1), 1, 'relu');
  y = convNamed(W, 'stages.2.0.depthwise', y, 24, 5, 1, pads(5), 24, 'relu');
  y = convNamed(W, 'stages.2.0.expand', y, 12, 1, 1, pads(1));
  x = map(add(y, x), ACT.relu);
  x = convNamed(W, 'head.conv', x, 16, 1, 1, pads(1), 1, 'gelu');
  const pooled = new Float32Array(16).map((_, c) => x.d.slice(c * 9, c * 9 + 9).reduce((a, v) => a + v, 0) / 9);
  const fw = W.get('classifier.fc.weight')!;
  const fb = W.get('classifier.fc.bias')!;
  const logits = new Float32Array(3).map((_, o) => fb[o] + pooled.reduce((a, v, i) => a + v * fw[o * 16 + i], 0));

  expectClose(await runOrt(bytes, input), logits);
});

test('space_to_depth (reshape, kernel (k+1)//2 with SAME padding), fused MBConv, space_to_batch', async () => {
  const config = base({ resolution: 8, classes: 0, stem: { channels: 4, kernel: 3, stride: 1, act: 'relu', pool: 'none' } }, [
    { block: 'mbconv', repeats: 1, channels: 4, kernel: 3, stride: 1, expand: 1, se: 0, act: 'relu', space_to_depth: 'reshape' },
    { block: 'fused_mbconv', repeats: 1, channels: 6, kernel: 3, stride: 2, expand: 2, se: 0.5, act: 'sigmoid' },
    { block: 'conv', repeats: 1, channels: 6, kernel: 3, stride: 1, expand: 1, se: 0, act: 'relu', space_to_batch: 2 },
  ]);
  const bytes = buildModel(config, { seed: 11 });
  const W = weights(bytes);
  const input = randomInput(2, 8, 8, 5);

  let x = convNamed(W, 'stem.conv', input, 4, 3, 1, pads(3), 1, 'relu'); // 4 x 8 x 8
  // ONNX SpaceToDepth (DCR): output channel (bh * 2 + bw) * C + c holds pixel (2i + bh, 2j + bw).
  const s2d: T = { c: 16, h: 4, w: 4, d: new Float32Array(16 * 16) };
  for (let c = 0; c < 4; c++) for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) {
    s2d.d[((((i % 2) * 2 + (j % 2)) * 4 + c) * 4 + (i >> 1)) * 4 + (j >> 1)] = x.d[(c * 8 + i) * 8 + j];
  }
  // Depthwise with kernel (3+1)//2 = 2 at stride 1: TF SAME pads 0 before, 1 after; channels x4 = 16.
  let y = convNamed(W, 'stages.0.0.depthwise', s2d, 16, 2, 1, [0, 0, 1, 1], 16, 'relu');
  x = convNamed(W, 'stages.0.0.project', y, 16, 1, 1, pads(1)); // in 16 == out 16: identity skip
  x = add(x, s2d);
  // Next stage's stride is taken by the fold; it is sized on the pre-fold channels (16 / 4 = 4): mid 8, SE 2.
  y = convNamed(W, 'stages.1.0.fused', x, 8, 3, 1, pads(3), 1, 'sigmoid');
  y = se(W, 'stages.1.0.se', y, 2, 'sigmoid');
  x = convNamed(W, 'stages.1.0.project', y, 6, 1, 1, pads(1)); // 6 x 4 x 4
  // SpaceToBatchND(2): four 2x2 phase images; the conv pads each one separately; BatchToSpace restores.
  const out: T = { c: 6, h: 4, w: 4, d: new Float32Array(6 * 16) };
  for (let pi = 0; pi < 2; pi++) for (let pj = 0; pj < 2; pj++) {
    const phase: T = { c: 6, h: 2, w: 2, d: new Float32Array(24) };
    for (let c = 0; c < 6; c++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) phase.d[(c * 2 + i) * 2 + j] = x.d[(c * 4 + 2 * i + pi) * 4 + 2 * j + pj];
    const r = convNamed(W, 'stages.2.0.conv', phase, 6, 3, 1, pads(3), 1, 'relu');
    for (let c = 0; c < 6; c++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) out.d[(c * 4 + 2 * i + pi) * 4 + 2 * j + pj] = r.d[(c * 2 + i) * 2 + j];
  }
  expectClose(await runOrt(bytes, input), out.d);
});

test('fp16 build runs and agrees with fp32 to half precision', async () => {
  const config = base({}, [{ block: 'mbconv', repeats: 2, channels: 8, kernel: 3, stride: 2, expand: 3, se: 0.25, act: 'swish' }]);
  const input = randomInput(2, 9, 9, 9);
  const fp32 = await runOrt(buildModel(config, { seed: 3 }), input);
  const session = await ort.InferenceSession.create(buildModel(config, { seed: 3, precision: 'fp16' }));
  const { Float16Array } = await import('@petamoriken/float16');
  const half = Float16Array.from(input.d);
  const out = await session.run({ input: ortTensor('float16', new Uint16Array(half.buffer), [1, 2, 9, 9]) });
  expect(out.output.type).toBe('float16');
  const got = Array.from(new Float16Array((out.output.data as Uint16Array).buffer));
  got.forEach((v, i) => expect(Math.abs(v - fp32[i])).toBeLessThan(2e-2 * (1 + Math.abs(fp32[i]))));
});

test('batch size is fixed at build time', async () => {
  const config = base({}, [{ block: 'conv', repeats: 1, channels: 8, kernel: 3, stride: 1, expand: 1, se: 0, act: 'relu' }]);
  const session = await ort.InferenceSession.create(buildModel(config, { batch: 4 }));
  const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(4 * 2 * 81), [4, 2, 9, 9]) });
  expect(out.output.dims).toEqual([4, 3]);
});

// ---------------------------------------------------------------------------------------------------
// The newer families' blocks: grouped convs, SE variants, ResNet-D, heads after pooling, mixed kernels, uir.

ACT.mish = (v) => v * Math.tanh(Math.log1p(Math.exp(v)));
const hsigmoid = (v: number) => Math.min(6, Math.max(0, v + 3)) / 6;

function seGate(W: Map<string, Float32Array>, name: string, x: T, squeeze: number, act: string, gate: (v: number) => number): T {
  const hw = x.h * x.w;
  const pooled: T = { c: x.c, h: 1, w: 1, d: new Float32Array(x.c).map((_, c) => x.d.slice(c * hw, (c + 1) * hw).reduce((a, v) => a + v, 0) / hw) };
  let z = convNamed(W, `${name}.reduce`, pooled, squeeze, 1, 1, [0, 0, 0, 0], 1, act);
  z = map(convNamed(W, `${name}.expand`, z, x.c, 1, 1, [0, 0, 0, 0]), gate);
  return { ...x, d: x.d.map((v, i) => v * z.d[Math.floor(i / hw)]) };
}

/** timm's _split_channels: equal parts, the first takes the remainder. */
const split = (n: number, parts: number) => Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i === 0 ? n % parts : 0));

/** A mixed conv (timm's MixedConv2d): channels split, one conv per kernel (depthwise or full), outputs concatenated. */
function mixed(W: Map<string, Float32Array>, name: string, x: T, cout: number, kernels: number[], s: number, depthwise: boolean, padsOf: (k: number) => number[], act?: string): T {
  const cin = split(x.c, kernels.length);
  const couts = split(cout, kernels.length);
  const hw = x.h * x.w;
  const outs: T[] = [];
  let offset = 0;
  kernels.forEach((k, i) => {
    const part: T = { c: cin[i], h: x.h, w: x.w, d: x.d.slice(offset * hw, (offset + cin[i]) * hw) };
    offset += cin[i];
    outs.push(convNamed(W, `${name}.${i}`, part, couts[i], k, s, padsOf(k), depthwise ? cin[i] : 1, act));
  });
  const d = new Float32Array(outs.reduce((a, o) => a + o.d.length, 0));
  let at = 0;
  for (const o of outs) {
    d.set(o.d, at);
    at += o.d.length;
  }
  return { c: cout, h: outs[0].h, w: outs[0].w, d };
}

/** PyTorch's AvgPool2d(k, s, ceil_mode=True, count_include_pad=False). */
function avgpoolCeil(x: T, k: number, s: number): T {
  const out = (n: number) => Math.ceil((n - k) / s) + 1;
  const h = out(x.h);
  const w = out(x.w);
  const d = new Float32Array(x.c * h * w);
  for (let c = 0; c < x.c; c++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    let sum = 0;
    let n = 0;
    for (let a = i * s; a < Math.min(i * s + k, x.h); a++) for (let b = j * s; b < Math.min(j * s + k, x.w); b++) {
      sum += x.d[(c * x.h + a) * x.w + b];
      n++;
    }
    d[(c * h + i) * w + j] = sum / n;
  }
  return { c: x.c, h, w, d };
}

function gap(x: T): Float32Array {
  const hw = x.h * x.w;
  return new Float32Array(x.c).map((_, c) => x.d.slice(c * hw, (c + 1) * hw).reduce((a, v) => a + v, 0) / hw);
}

function dense(W: Map<string, Float32Array>, name: string, v: Float32Array, cout: number, act?: string): Float32Array {
  const w = W.get(`${name}.weight`)!;
  const b = W.get(`${name}.bias`)!;
  const y = new Float32Array(cout).map((_, o) => b[o] + v.reduce((a, x, i) => a + x * w[o * v.length + i], 0));
  return act ? y.map(ACT[act]) : y;
}

test('ResNeXt / RegNet / ResNet-D: deep stem, grouped conv, SE from the input (round, relu), average-pool shortcut on an odd size', async () => {
  const config = base({ resolution: 9, stem: { channels: 8, kernel: 3, stride: 2, act: 'relu', pool: 'none', deep: [4] } }, [
    { block: 'bottleneck', repeats: 1, channels: 12, kernel: 3, stride: 2, expand: 1, se: 0.25, act: 'relu', groups: 3, se_act: 'gelu', se_round: 'round', downsample: 'avgpool' },
    { block: 'bottleneck', repeats: 1, channels: 12, kernel: 3, stride: 1, expand: 1, se: 0, act: 'relu', group_width: 2 },
  ]);
  const bytes = buildModel(config, { seed: 5 });
  const W = weights(bytes);
  const input = randomInput(2, 9, 9, 13);
  let x = convNamed(W, 'stem.deep.0', input, 4, 3, 2, pads(3), 1, 'relu'); // 9 -> 5
  x = convNamed(W, 'stem.conv', x, 8, 3, 1, pads(3), 1, 'relu');
  // 1x1 to 12, 3x3 stride 2 in 3 groups, SE squeeze round(8 x 0.25) = 2 with gelu inside, 1x1, avgpool + 1x1 shortcut.
  let y = convNamed(W, 'stages.0.0.reduce', x, 12, 1, 1, pads(1), 1, 'relu');
  y = convNamed(W, 'stages.0.0.conv', y, 12, 3, 2, pads(3), 3, 'relu'); // 5 -> 3
  y = seGate(W, 'stages.0.0.se', y, 2, 'gelu', ACT.sigmoid);
  y = convNamed(W, 'stages.0.0.expand', y, 12, 1, 1, pads(1));
  const pooled = avgpoolCeil(x, 2, 2); // 5 -> 3: the last window holds one row and one column
  expect([pooled.h, pooled.w]).toEqual([3, 3]);
  x = map(add(y, convNamed(W, 'stages.0.0.shortcut', pooled, 12, 1, 1, pads(1))), ACT.relu);
  // group width 2: 6 groups of 2 channels, identity shortcut.
  y = convNamed(W, 'stages.1.0.reduce', x, 12, 1, 1, pads(1), 1, 'relu');
  y = convNamed(W, 'stages.1.0.conv', y, 12, 3, 1, pads(3), 6, 'relu');
  y = convNamed(W, 'stages.1.0.expand', y, 12, 1, 1, pads(1));
  x = map(add(y, x), ACT.relu);
  expectClose(await runOrt(bytes, input), dense(W, 'classifier.fc', gap(x), 3));
});

test('MobileNetV3: SE on the expanded channels with a hard-sigmoid gate and relu, conv skip, projection act, head after pooling', async () => {
  const config = base({ head: { channels: 12, act: 'hswish', pooled: { channels: 10, act: 'hswish' } } }, [
    { block: 'mbconv', repeats: 1, channels: 8, kernel: 3, stride: 1, expand: 3, se: 0.25, act: 'hswish', se_from: 'expanded', se_act: 'relu', se_gate: 'hsigmoid', se_round: 'divisor' },
    { block: 'mbconv', repeats: 1, channels: 6, kernel: 5, stride: 2, expand: 1, se: 0, act: 'relu6', project_act: true },
    { block: 'conv', repeats: 1, channels: 6, kernel: 3, stride: 1, expand: 1, se: 0, act: 'swish', skip: true },
  ]);
  const bytes = buildModel(config, { seed: 9 });
  const W = weights(bytes);
  const input = randomInput(2, 9, 9, 21);
  let x = convNamed(W, 'stem.conv', input, 8, 3, 2, pads(3), 1, 'relu6'); // 8 x 5 x 5
  let y = convNamed(W, 'stages.0.0.expand', x, 24, 1, 1, pads(1), 1, 'hswish');
  y = convNamed(W, 'stages.0.0.depthwise', y, 24, 3, 1, pads(3), 24, 'hswish');
  y = seGate(W, 'stages.0.0.se', y, 6, 'relu', hsigmoid); // make_divisible(24 x 0.25, divisor 1) = 6
  x = add(x, convNamed(W, 'stages.0.0.project', y, 8, 1, 1, pads(1)));
  // expand 1 (timm's dsa): depthwise 5x5 stride 2, projection with its act, no shortcut (8 -> 6).
  y = convNamed(W, 'stages.1.0.depthwise', x, 8, 5, 2, pads(5), 8, 'relu6'); // 5 -> 3
  x = convNamed(W, 'stages.1.0.project', y, 6, 1, 1, pads(1), 1, 'relu6');
  // conv with skip: the act before the add, none after.
  x = add(x, convNamed(W, 'stages.2.0.conv', x, 6, 3, 1, pads(3), 1, 'swish'));
  x = convNamed(W, 'head.conv', x, 12, 1, 1, pads(1), 1, 'hswish');
  const pooledHead = dense(W, 'head.pooled', gap(x), 10, 'hswish');
  expectClose(await runOrt(bytes, input), dense(W, 'classifier.fc', pooledHead, 3));
});

test('MixNet and MobileNetV4: mixed depthwise kernels, split 1x1s, uir start/middle/end, mish, TensorFlow SAME padding, a BN head after pooling', async () => {
  const config = base({
    resolution: 8, padding: 'same', stem: { channels: 9, kernel: 3, stride: 1, act: 'mish', pool: 'none' },
    head: { channels: 0, pooled: { channels: 10, act: 'relu', norm: true } },
  }, [
    { block: 'mbconv', repeats: 1, channels: 9, kernel: [3, 5], stride: 1, expand: 2, se: 0.5, act: 'swish', se_round: 'round', expand_kernel: [1, 1], project_kernel: [1, 1] },
    { block: 'uir', repeats: 1, channels: 8, kernel: 3, stride: 2, expand: 2, se: 0, act: 'relu', start_kernel: 3, end_kernel: 5 },
    { block: 'uir', repeats: 1, channels: 8, kernel: 0, stride: 1, expand: 2, se: 0, act: 'mish' },
  ]);
  const bytes = buildModel(config, { seed: 17 });
  const W = weights(bytes);
  const input = randomInput(2, 8, 8, 33);
  // TensorFlow SAME: total padding max((ceil(n / s) - 1) s + k - n, 0), the smaller half before.
  const same = (n: number, s: number) => (k: number) => {
    const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
    return [total >> 1, total >> 1, total - (total >> 1), total - (total >> 1)];
  };
  let x = convNamed(W, 'stem.conv', input, 9, 3, 1, same(8, 1)(3), 1, 'mish'); // 9 x 8 x 8
  // Expansion split in two (9 -> [5, 4] in, 18 -> [9, 9] out), depthwise 3x3 on 9 channels and 5x5 on 9, SE round(9 x 0.5) = 4.
  let y = mixed(W, 'stages.0.0.expand', x, 18, [1, 1], 1, false, same(8, 1), 'swish');
  y = mixed(W, 'stages.0.0.depthwise', y, 18, [3, 5], 1, true, same(8, 1), 'swish');
  y = seGate(W, 'stages.0.0.se', y, 4, 'swish', ACT.sigmoid);
  x = add(x, mixed(W, 'stages.0.0.project', y, 9, [1, 1], 1, false, same(8, 1)));
  // uir: depthwise start 3x3 (BN, no act), 1x1 to 18, middle depthwise 3x3 stride 2 (SAME pads 0 before, 1 after), 1x1 to 8, depthwise end 5x5 (no act).
  y = convNamed(W, 'stages.1.0.dw_start', x, 9, 3, 1, same(8, 1)(3), 9);
  y = convNamed(W, 'stages.1.0.expand', y, 18, 1, 1, same(8, 1)(1), 1, 'relu');
  y = convNamed(W, 'stages.1.0.depthwise', y, 18, 3, 2, same(8, 2)(3), 18, 'relu'); // 8 -> 4
  expect(same(8, 2)(3)).toEqual([0, 0, 1, 1]);
  y = convNamed(W, 'stages.1.0.project', y, 8, 1, 1, same(4, 1)(1));
  x = convNamed(W, 'stages.1.0.dw_end', y, 8, 5, 1, same(4, 1)(5), 8);
  // uir without depthwise convs (an FFN): 1x1 to 16, 1x1 back, identity shortcut.
  y = convNamed(W, 'stages.2.0.expand', x, 16, 1, 1, same(4, 1)(1), 1, 'mish');
  x = add(x, convNamed(W, 'stages.2.0.project', y, 8, 1, 1, same(4, 1)(1)));
  // The pooled head's BN is folded into its dense weights and bias.
  const head = dense(W, 'head.pooled', gap(x), 10, 'relu');
  expectClose(await runOrt(bytes, input), dense(W, 'classifier.fc', head, 3));
});
