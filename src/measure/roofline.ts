/**
 * Roofline probe: the runner's attained compute peak (a large MatMul) and memory bandwidth (a large
 * elementwise Add), both measured through onnxruntime with the session settings of the measurement, so the
 * ceiling is the one the models actually live under. Ridge point = peak / bandwidth (FLOP per byte): a model
 * whose operational intensity is below it is memory-bound, above it compute-bound. This is why a model with
 * more FLOPs can be faster: depthwise convolutions and SE blocks move many bytes per FLOP.
 */
import { GraphBuilder, type Precision } from '../onnx/graph';
import type { NetworkStats } from '../arch/counts';
import type { Clock } from './clock';
import { runsOnGpu } from './providers';
import { DEFAULT_WARMUP, timeOnce, warmUp } from './scheduler';
import type { SessionFactory, SessionOptions } from './session';
import type { RooflineSummary } from './types';

/** The runner's two roofs; the same shape the measurement result carries (types.ts). */
export type RooflineResult = RooflineSummary;

export interface ModelRoofline {
  macs: number;
  /** 2 x MACs x batch per second, in GFLOP/s. */
  achieved_gflops: number;
  /** FLOPs per byte moved at this batch (weights read once per batch, activations per image). */
  intensity: number;
  bound: 'memory' | 'compute';
  /** Achieved over the roofline's attainable min(peak, intensity x bandwidth). */
  roof_fraction: number;
}

export function matmulModel(n: number, precision: Precision): Uint8Array {
  const g = new GraphBuilder(precision);
  const a = g.input('a', [n, n]);
  const b = g.input('b', [n, n]);
  g.node('MatMul', [a, b], {}, 'y');
  g.output('y', [n, n]);
  return g.toBytes('roofline_matmul');
}

export function elementwiseModel(elements: number, precision: Precision): Uint8Array {
  const g = new GraphBuilder(precision);
  const a = g.input('a', [elements]);
  const b = g.input('b', [elements]);
  g.node('Add', [a, b], {}, 'y');
  g.output('y', [elements]);
  return g.toBytes('roofline_add');
}

export interface ProbeOptions {
  session: SessionOptions;
  precision: Precision;
  /** Defaults sized for a CPU: a 1024^3 MatMul (2.1 GFLOP) and 3 x 32 MiB of elementwise traffic. */
  matmulN?: number;
  elementwiseElements?: number;
  /** Timed runs per probe after warm-up. */
  runs?: number;
}

async function medianLatencyMs(factory: SessionFactory, bytes: Uint8Array, name: string, opts: ProbeOptions, clock: Clock): Promise<number> {
  const runner = await factory.create({ name, bytes }, { ...opts.session, batch: 1 });
  try {
    await warmUp(runner, clock, { ...DEFAULT_WARMUP, minRuns: 3, window: 3, maxRuns: 30, maxMs: 1500 });
    const times: number[] = [];
    for (let i = 0; i < (opts.runs ?? 15); i++) times.push(await timeOnce(runner, clock));
    times.sort((x, y) => x - y);
    return times[times.length >> 1];
  } finally {
    await runner.dispose();
  }
}

export async function probeRoofline(factory: SessionFactory, clock: Clock, opts: ProbeOptions): Promise<RooflineResult> {
  const gpu = runsOnGpu(opts.session.ep);
  const n = opts.matmulN ?? (gpu ? 4096 : 1024);
  const elements = opts.elementwiseElements ?? (gpu ? 1 << 26 : 1 << 23);
  const bytesPer = opts.precision === 'fp16' ? 2 : 4;
  const mmMs = await medianLatencyMs(factory, matmulModel(n, opts.precision), 'roofline-matmul', opts, clock);
  const ewMs = await medianLatencyMs(factory, elementwiseModel(elements, opts.precision), 'roofline-add', opts, clock);
  const peak = (2 * n ** 3) / (mmMs / 1000);
  const bandwidth = (3 * elements * bytesPer) / (ewMs / 1000);
  return {
    peak_gflops: peak / 1e9,
    bandwidth_gbs: bandwidth / 1e9,
    ridge_flops_per_byte: peak / bandwidth,
    matmul_n: n,
    elementwise_elements: elements,
    precision: opts.precision,
  };
}

/** Places a counted model under the roofline from its measured median latency. */
export function classify(stats: Pick<NetworkStats, 'macs' | 'weight_bytes' | 'activation_bytes'>, batch: number, medianMs: number, roof: RooflineResult): ModelRoofline {
  const flops = 2 * stats.macs * batch;
  const intensity = flops / (stats.weight_bytes + stats.activation_bytes * batch);
  const achieved = flops / (medianMs / 1000) / 1e9;
  const attainable = Math.min(roof.peak_gflops, intensity * roof.bandwidth_gbs);
  return {
    macs: stats.macs,
    achieved_gflops: achieved,
    intensity,
    bound: intensity < roof.ridge_flops_per_byte ? 'memory' : 'compute',
    roof_fraction: achieved / attainable,
  };
}
