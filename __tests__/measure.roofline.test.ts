import { classify, elementwiseModel, matmulModel, probeRoofline, type RooflineResult } from '../src/measure/roofline';
import { hrClock } from '../src/measure/clock';
import { ortSessionFactory } from '../src/measure/session';
import * as ort from 'onnxruntime-node';

const roof: RooflineResult = { peak_gflops: 100, bandwidth_gbs: 10, ridge_flops_per_byte: 10, matmul_n: 1024, elementwise_elements: 1 << 23, precision: 'fp32' };

describe('roofline classification', () => {
  it('computes achieved FLOP/s, intensity at the batch, the bound side and the fraction of the roof', () => {
    const stats = { macs: 1e9, weight_bytes: 20e6, activation_bytes: 80e6 };
    const one = classify(stats, 1, 40, roof);
    expect(one.achieved_gflops).toBeCloseTo(50, 9); // 2e9 FLOP in 40 ms
    expect(one.intensity).toBeCloseTo(20, 9); // 2e9 / 100e6 bytes
    expect(one.bound).toBe('compute');
    expect(one.roof_fraction).toBeCloseTo(0.5, 9); // attainable min(100, 20 x 10)
    // Weights are read once per batch, activations per image.
    const eight = classify(stats, 8, 200, roof);
    expect(eight.intensity).toBeCloseTo(16e9 / (20e6 + 8 * 80e6), 9);
    // A depthwise-heavy net: few FLOPs per byte, under the bandwidth roof.
    const dw = classify({ macs: 0.4e9, weight_bytes: 20e6, activation_bytes: 180e6 }, 1, 50, roof);
    expect(dw.intensity).toBeCloseTo(4, 9);
    expect(dw.bound).toBe('memory');
    expect(dw.roof_fraction).toBeCloseTo(16 / 40, 9);
  });
});

describe('roofline probe through onnxruntime', () => {
  it('builds MatMul and Add graphs that compute what they claim', async () => {
    const mm = await ort.InferenceSession.create(matmulModel(2, 'fp32'));
    const out = await mm.run({ a: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]), b: new ort.Tensor('float32', Float32Array.from([5, 6, 7, 8]), [2, 2]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([19, 22, 43, 50]);
    await mm.release();
    const add = await ort.InferenceSession.create(elementwiseModel(3, 'fp32'));
    const sum = await add.run({ a: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]), b: new ort.Tensor('float32', Float32Array.from([10, 20, 30]), [3]) });
    expect(Array.from(sum.y.data as Float32Array)).toEqual([11, 22, 33]);
    await add.release();
  });

  it('measures attained peak and bandwidth (small sizes) and their ridge point', async () => {
    const r = await probeRoofline(ortSessionFactory, hrClock, {
      session: { ep: 'cpu', threads: 1, batch: 1 }, precision: 'fp32', matmulN: 128, elementwiseElements: 1 << 16, runs: 5,
    });
    expect(r.peak_gflops).toBeGreaterThan(0.01);
    expect(r.bandwidth_gbs).toBeGreaterThan(0.01);
    expect(r.ridge_flops_per_byte).toBeCloseTo(r.peak_gflops / r.bandwidth_gbs, 9);
    expect(r.matmul_n).toBe(128);
  });
});
