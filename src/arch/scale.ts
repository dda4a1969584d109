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

/** Python's round(): to the nearest integer, halves to the even one (timm and torchvision round this way). */
export function pyRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Repeats of every stage entry after the depth multiplier. A single entry scales by ceil (roundRepeats);
 * entries joined into one stage (`continues`) scale together as timm's _scale_stage_depth does: the
 * stage's total is ceil(sum * depth), handed out from the last entry back, each max(1, round(share)).
 */
export function stageRepeats(stages: readonly { repeats: number; continues?: boolean }[], depth: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < stages.length;) {
    let end = start + 1;
    while (end < stages.length && stages[end].continues) end++;
    const group = stages.slice(start, end).map((s) => s.repeats);
    if (group.length === 1) out.push(roundRepeats(group[0], depth));
    else {
      let total = group.reduce((a, b) => a + b, 0);
      let scaled = roundRepeats(total, depth);
      const shares: number[] = [];
      for (const r of [...group].reverse()) {
        const share = Math.max(1, pyRound((r / total) * scaled));
        shares.push(share);
        total -= r;
        scaled -= share;
      }
      out.push(...shares.reverse());
    }
    start = end;
  }
  return out;
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
