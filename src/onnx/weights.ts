/**
 * Deterministic, seeded weights. Latency does not depend on the values, but sane magnitudes keep every
 * activation finite in fp16 and away from denormals (which are slow on CPUs), so: He-scaled uniform conv
 * weights, and BN statistics near identity whose scale is small on the last BN of a residual branch.
 */
import { derive, UniformFill } from '../util/random';

export const BN_EPSILON = 1e-5;

export interface ConvWeights {
  /** [cout, cin/groups, k, k], BN folded in. */
  weight: Float32Array;
  /** [cout]: the folded BN shift (or zeros without BN). */
  bias: Float32Array;
}

/**
 * Conv weights with their batch norm, folded for inference:
 * w' = w * gamma / sqrt(var + eps), b' = beta - mean * gamma / sqrt(var + eps).
 */
export function convWeights(seed: number, name: string, cout: number, fanIn: number, perOut: number, bn: boolean, gammaScale = 1): ConvWeights {
  const rng = new UniformFill(derive(seed, name));
  const a = Math.sqrt(3) * Math.sqrt(2 / fanIn);
  const weight = rng.fill(new Float32Array(cout * perOut), -a, a);
  const bias = new Float32Array(cout);
  if (!bn) return { weight, bias };
  for (let o = 0; o < cout; o++) {
    const gamma = gammaScale * (0.8 + 0.4 * rng.next());
    const beta = 0.2 * rng.next() - 0.1;
    const mean = 0.2 * rng.next() - 0.1;
    const variance = 0.8 + 0.4 * rng.next();
    const s = gamma / Math.sqrt(variance + BN_EPSILON);
    const row = weight.subarray(o * perOut, (o + 1) * perOut);
    for (let i = 0; i < row.length; i++) row[i] *= s;
    bias[o] = beta - mean * s;
  }
  return { weight, bias };
}

/** Dense weights [cout, cin] and bias, PyTorch's default uniform(+-1/sqrt(cin)). */
export function denseWeights(seed: number, name: string, cout: number, cin: number): ConvWeights {
  const rng = new UniformFill(derive(seed, name));
  const a = 1 / Math.sqrt(cin);
  return { weight: rng.fill(new Float32Array(cout * cin), -a, a), bias: rng.fill(new Float32Array(cout), -a, a) };
}
