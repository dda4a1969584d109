/**
 * Seeded randomness shared by every part that must be reproducible: the measurement order and bootstrap,
 * sampling of search spaces, profiling contexts, search and Zen-score inputs. The same seed gives the same
 * networks, orders and intervals, so shards, merges and reruns agree. This is the only source of
 * randomness in reproducible code: two generators, mulberry32 (seeded) and xorshift32 (UniformFill).
 */
export type Random = () => number;

// Module-scoped copies: a global lookup inside a hot loop is slow in sandboxed contexts (jest's vm) and
// these loops fill millions of weights.
const { imul, sqrt, log, cos, sin, floor, PI } = Math;

/** mulberry32: uniform in [0, 1). */
export function seeded(seed: number): Random {
  let state = (floor(seed) >>> 0) || 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a seed and labels: an independent stream per consumer. */
export function derive(seed: number, ...labels: (string | number)[]): number {
  let h = (seed >>> 0) ^ 0x811c9dc5;
  const text = labels.join('/');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function pick<T>(rand: Random, items: readonly T[]): T {
  return items[floor(rand() * items.length)];
}

export function randInt(rand: Random, lo: number, hi: number): number {
  return lo + floor(rand() * (hi - lo + 1));
}

/**
 * xorshift32 with a tight fill loop, for bulk values whose quality matters little and speed a lot: the
 * built graphs' weights (100 M must generate in well under a second).
 */
export class UniformFill {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) || 0x9e3779b9;
  }
  /** xorshift32: uniform in [0, 1). */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  fill(out: Float32Array, lo: number, hi: number): Float32Array {
    let x = this.s;
    const span = (hi - lo) / 4294967296;
    for (let i = 0; i < out.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = lo + (x >>> 0) * span;
    }
    this.s = x >>> 0 || 1;
    return out;
  }
}

/** Standard normal samples (Box-Muller), written into `out`. */
export function fillGaussian(rand: Random, out: Float32Array, std = 1): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - rand();
    const v = rand();
    const r = sqrt(-2 * log(u)) * std;
    out[i] = r * cos(2 * PI * v);
    if (i + 1 < out.length) out[i + 1] = r * sin(2 * PI * v);
  }
  return out;
}
