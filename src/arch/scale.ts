import type { ArchConfig } from './types';

/**
 * torchvision's _make_divisible / EfficientNet's round_filters: nearest multiple of `divisor`,
 * never below 90% of the unrounded value, never below `divisor`.
 */
export function makeDivisible(value: number, divisor: number, minValue: number = divisor): number {
  let rounded = Math.max(minValue, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

/** Channels of a stage (or stem/head) after the width multiplier. */
export function roundFilters(channels: number, width: number, divisor: number): number {
  if (width === 1) return channels;
  return makeDivisible(channels * width, divisor);
}

/** Repeats of a stage after the depth multiplier. */
export function roundRepeats(repeats: number, depth: number): number {
  // Guard against float error such as 2 * 1.1 * 1.0000000001 tipping a ceil.
  return Math.ceil(repeats * depth - 1e-9);
}

export interface ScaleFactors {
  /** Multiplies the config's depth multiplier. */
  depth?: number;
  /** Multiplies the config's width multiplier. */
  width?: number;
  /** Multiplies the input resolution; the result is rounded to the nearest integer. */
  resolution?: number;
}

/**
 * Compound scaling: a new config whose multipliers are the base's times the factors. Channels and
 * repeats are rounded when the config is lowered (roundFilters, roundRepeats), as in EfficientNet.
 */
export function scale(config: ArchConfig, factors: ScaleFactors, name?: string): ArchConfig {
  const d = factors.depth ?? 1;
  const w = factors.width ?? 1;
  const r = factors.resolution ?? 1;
  for (const [k, v] of Object.entries({ depth: d, width: w, resolution: r })) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`scale: ${k} factor must be a positive number, got ${v}`);
  }
  const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
  const scaled: ArchConfig = structuredClone(config);
  scaled.depth = round6(config.depth * d);
  scaled.width = round6(config.width * w);
  scaled.resolution = Math.max(1, Math.round(config.resolution * r));
  scaled.name = name ?? `${config.name}-d${round6(d)}-w${round6(w)}-r${round6(r)}`;
  delete scaled.accuracy;
  delete scaled.family;
  return scaled;
}
