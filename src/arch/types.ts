/**
 * Architecture config, format v1. The YAML contract is documented in README and in
 * schema/arch-config.schema.json; this is its normalised, defaults-filled form.
 */
export const BLOCK_TYPES = ['conv', 'mbconv', 'fused_mbconv', 'basic', 'bottleneck', 'dw_bottleneck'] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

export const ACTIVATIONS = ['relu', 'relu6', 'swish', 'hswish', 'gelu', 'sigmoid'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const STEM_POOLS = ['none', 'max'] as const;
export type StemPool = (typeof STEM_POOLS)[number];

/** Element precision of the built graph and its counts: the one Precision type (onnx and measure re-export it). */
export const PRECISIONS = ['fp32', 'fp16'] as const;
export type Precision = (typeof PRECISIONS)[number];

export const SPACE_TO_DEPTH = ['conv', 'reshape'] as const;
export type SpaceToDepth = (typeof SPACE_TO_DEPTH)[number];

export interface StemConfig {
  channels: number;
  kernel: number;
  stride: number;
  act: Activation;
  pool: StemPool;
}

export interface StageConfig {
  block: BlockType;
  repeats: number;
  channels: number;
  kernel: number;
  stride: number;
  /** mbconv/fused_mbconv: middle = in * expand; basic/bottleneck/dw_bottleneck: middle = out * expand. */
  expand: number;
  /** Squeeze-excitation ratio of the block input channels; 0 = no SE. */
  se: number;
  act: Activation;
  /** The stage starts by folding 2x2 spatial blocks into channels. */
  space_to_depth?: SpaceToDepth;
  /** The stage runs on spatial blocks folded into the batch (SpaceToBatchND), reassembled at its end. */
  space_to_batch?: number;
}

export interface HeadConfig {
  channels: number;
  /** Required when channels >= 1; a config without a head (channels 0) needs none. */
  act?: Activation;
}

export interface AccuracyInfo {
  top1: number;
  dataset?: string;
  source?: string;
}

export interface ArchConfig {
  name: string;
  resolution: number;
  channels: number;
  classes: number;
  width: number;
  depth: number;
  divisor: number;
  stem: StemConfig;
  stages: StageConfig[];
  head: HeadConfig;
  dropout: number;
  accuracy?: AccuracyInfo;
  /** `base` marks the base of a compound-scaled family (LACS reports coefficient moves for it). */
  family?: string;
  /** Free-form description, recorded only. */
  description?: string;
}

/** Limits checked before anything is allocated; configurable by flags/inputs. */
export interface ResourceLimits {
  maxParams: number;
  maxMacs: number;
  maxActivationBytes: number;
  maxFileBytes: number;
}

export const DEFAULT_LIMITS: ResourceLimits = {
  maxParams: 500e6,
  maxMacs: 200e9,
  maxActivationBytes: 8 * 1024 ** 3,
  maxFileBytes: 1024 * 1024,
};

/** A JSON Schema (draft-07) object or fragment. */
export type JsonSchema = Record<string, unknown>;
