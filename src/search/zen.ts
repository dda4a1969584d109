/**
 * Zen-score (Lin et al., "Zen-NAS", ICCV 2021), a training-free accuracy **proxy**: forward passes only.
 * For Gaussian weights and Gaussian inputs x, perturbation eps and a small alpha,
 *   Zen = log E_x ||f(x) - f(x + alpha * eps)||_F + sum over BN layers of log sqrt(mean_c var_c),
 * where f is the feature map before global pooling with every BN normalising by batch statistics, and
 * var_c the batch variance each BN divides by (the running variance with momentum 1, read on the perturbed
 * pass, which Zen-NAS runs last). The official code sums |.| (L1) where the paper writes the Frobenius
 * norm; `norm` selects either (Frobenius by default, as the paper). Values are proxies, never accuracies.
 */
import * as ort from 'onnxruntime-node';
import { lower, type Network } from '../arch/lower';
import type { ArchConfig } from '../arch/types';
import type { AccuracyProxy } from './profile';
import { derive, fillGaussian, seeded } from '../util/random';
import { buildZenGraph, ZEN_FEATURES, ZEN_INPUT } from './zen-graph';

export interface ZenOptions {
  batch: number;
  /** Independent weight/input draws averaged (Zen-NAS uses 32 on GPU; 1-2 fit a CPU). */
  repeats: number;
  alpha: number;
  seed: number;
  threads?: number;
  norm: 'fro' | 'l1';
}

export const DEFAULT_ZEN: ZenOptions = { batch: 4, repeats: 1, alpha: 0.01, seed: 1, norm: 'fro' };

export interface ZenOnce {
  /** log E||f(x) - f(x + alpha eps)||. */
  logDelta: number;
  /** Sum over BN layers of log sqrt(mean variance). */
  bnLog: number;
  bnVars: number[];
  score: number;
}

export interface ZenResult {
  /** The Zen-score proxy: mean over repeats. */
  proxy: number;
  repeats: ZenOnce[];
  bnLayers: number;
}

/** One Zen-score draw with given inputs (exposed so tests can compare against an independent forward). */
export async function zenOnce(net: Network, weightSeed: number, x: Float32Array, eps: Float32Array, options: Pick<ZenOptions, 'batch' | 'alpha' | 'threads' | 'norm'>): Promise<ZenOnce> {
  const graph = buildZenGraph(net, { batch: options.batch, seed: weightSeed });
  const session = await ort.InferenceSession.create(graph.bytes, {
    graphOptimizationLevel: 'all',
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
  });
  try {
    const shape = [options.batch, net.input.c, net.input.h, net.input.w];
    const perturbed = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) perturbed[i] = x[i] + options.alpha * eps[i];
    const names = [ZEN_FEATURES, ...graph.bnOutputs];
    const a = await session.run({ [ZEN_INPUT]: new ort.Tensor('float32', x, shape) }, names);
    const b = await session.run({ [ZEN_INPUT]: new ort.Tensor('float32', perturbed, shape) }, names);
    const fa = a[ZEN_FEATURES].data as Float32Array;
    const fb = b[ZEN_FEATURES].data as Float32Array;
    const per = fa.length / options.batch;
    let delta = 0;
    for (let n = 0; n < options.batch; n++) {
      let s = 0;
      for (let i = n * per; i < (n + 1) * per; i++) {
        const d = fa[i] - fb[i];
        s += options.norm === 'l1' ? Math.abs(d) : d * d;
      }
      delta += options.norm === 'l1' ? s : Math.sqrt(s);
    }
    delta /= options.batch;
    const bnVars = graph.bnOutputs.map((name) => Number((b[name].data as Float32Array)[0]));
    const bnLog = bnVars.reduce((acc, v) => acc + Math.log(Math.sqrt(v)), 0);
    const logDelta = Math.log(delta);
    return { logDelta, bnLog, bnVars, score: logDelta + bnLog };
  } finally {
    await session.release();
  }
}

export async function zenScore(config: ArchConfig, options: Partial<ZenOptions> = {}): Promise<ZenResult> {
  const o = { ...DEFAULT_ZEN, ...options };
  const net = lower(config);
  const repeats: ZenOnce[] = [];
  for (let r = 0; r < o.repeats; r++) {
    const size = o.batch * net.input.c * net.input.h * net.input.w;
    const rand = seeded(derive(o.seed, 'inputs', r));
    const x = fillGaussian(rand, new Float32Array(size));
    const eps = fillGaussian(rand, new Float32Array(size));
    repeats.push(await zenOnce(net, derive(o.seed, 'weights', r), x, eps, o));
  }
  const proxy = repeats.reduce((acc, r) => acc + r.score, 0) / repeats.length;
  return { proxy, repeats, bnLayers: repeats[0]?.bnVars.length ?? 0 };
}

/** Zen-score as the profile's and search's accuracy proxy. */
export function zenProxy(options: Partial<ZenOptions> = {}): AccuracyProxy {
  return { name: 'zen-score', score: async (config) => (await zenScore(config, options)).proxy };
}

/** Kendall's tau-b between two paired lists. */
export function kendallTau(a: number[], b: number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom === 0 ? NaN : (concordant - discordant) / denom;
}
