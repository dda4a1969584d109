/**
 * Architecture config, format v1. The YAML contract is documented in README and in
 * schema/arch-config.schema.json; this is its normalised, defaults-filled form.
 */
export const BLOCK_TYPES = ['conv', 'mbconv', 'fused_mbconv', 'basic', 'bottleneck', 'dw_bottleneck', 'uir'] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

export const ACTIVATIONS = ['relu', 'relu6', 'swish', 'hswish', 'gelu', 'sigmoid', 'mish'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** The squeeze-excitation gate: sigmoid (EfficientNet, RegNet) or hard-sigmoid relu6(x + 3) / 6 (MobileNetV3). */
export const SE_GATES = ['sigmoid', 'hsigmoid'] as const;
export type SeGate = (typeof SE_GATES)[number];

/** What the SE squeeze is a ratio of: the block input (EfficientNet, RegNet) or the expanded channels (MobileNetV3). */
export const SE_FROM = ['input', 'expanded'] as const;
export type SeFrom = (typeof SE_FROM)[number];

/**
 * How the squeeze width is rounded: `floor` max(1, floor(c * se)) (torchvision's EfficientNet), `round`
 * Python's round (half to even; timm, torchvision's RegNet), `divisor` make_divisible(c * se, divisor)
 * (torchvision's and timm's MobileNetV3).
 */
export const SE_ROUNDING = ['floor', 'round', 'divisor'] as const;
export type SeRound = (typeof SE_ROUNDING)[number];

/** A residual block's projection shortcut: strided 1x1 conv, or 2x2 average pool then 1x1 conv (ResNet-D). */
export const DOWNSAMPLES = ['conv', 'avgpool'] as const;
export type Downsample = (typeof DOWNSAMPLES)[number];

export const STEM_POOLS = ['none', 'max'] as const;
export type StemPool = (typeof STEM_POOLS)[number];

/** Element precision of the built graph and its counts: the one Precision type (onnx and measure re-export it). */
export const PRECISIONS = ['fp32', 'fp16'] as const;
export type Precision = (typeof PRECISIONS)[number];

export const SPACE_TO_DEPTH = ['conv', 'reshape'] as const;

/** Convolution padding: PyTorch's symmetric (k - 1) / 2, or TensorFlow's SAME (timm's tf_ ports: pad_type 'same'). */
export const PADDINGS = ['symmetric', 'same'] as const;
export type Padding = (typeof PADDINGS)[number];
export type SpaceToDepth = (typeof SPACE_TO_DEPTH)[number];

export interface StemConfig {
  channels: number;
  kernel: number;
  stride: number;
  act: Activation;
  pool: StemPool;
  /** Deep stem (ResNet-D): kxk convs with these channels before the stem conv; the first one strides. */
  deep?: number[];
}

/** A kernel size, or mixed kernels (MixNet): the channels split into equal groups, one kernel each. */
export type Kernel = number | number[];

/** The largest kernel of a (possibly mixed) kernel: what a report or a cost model reads as "the kernel". */
export const largestKernel = (k: Kernel): number => (Array.isArray(k) ? Math.max(...k) : k);

export interface StageConfig {
  block: BlockType;
  repeats: number;
  channels: number;
  /** The block's kxk kernel; a list = mixed kernels; 0 = no middle depthwise (uir). */
  kernel: Kernel;
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
  /**
   * The options below are absent at their defaults, so configs written before they existed keep their
   * config_hash. Their meaning and which block kinds read them: the block registry (blocks.ts).
   */
  /** Number of groups of the block's kxk conv (ResNeXt's cardinality). */
  groups?: number;
  /** Channels per group of the block's kxk conv (RegNet, timm's `gs`). */
  group_width?: number;
  se_from?: SeFrom;
  se_act?: Activation;
  se_gate?: SeGate;
  se_round?: SeRound;
  /** Identity shortcut when the block keeps its shape: the block kind's default unless set. */
  skip?: boolean;
  /** Activation after the projection (timm's `dsa`, MobileNetV1). */
  project_act?: boolean;
  /** At expand 1, keep mbconv's 1x1 expansion / fused_mbconv's projection (timm's `ir`/`er` with `e1`). */
  expand_always?: boolean;
  /** Kernel of the 1x1 expansion (a list splits it, MixNet's grouped pointwise). */
  expand_kernel?: Kernel;
  /** Kernel of the projection (a list splits it). */
  project_kernel?: Kernel;
  /** uir: depthwise kernel before the expansion (0 = none). */
  start_kernel?: number;
  /** uir: depthwise kernel after the projection (0 = none). */
  end_kernel?: number;
  /** fused_mbconv: channels the expansion is sized on instead of the block input (timm's `fc`). */
  expand_in?: number;
  downsample?: Downsample;
  /**
   * This entry continues the stage before it (a stage written as a list): it never strides, and the
   * depth multiplier scales the joined entries together, as timm's _scale_stage_depth does.
   */
  continues?: boolean;
}

/** A 1x1 conv after global pooling (MobileNetV3/V4's head), with bias or with batch norm, then its activation. */
export interface PooledHeadConfig {
  channels: number;
  act: Activation;
  /** Batch norm instead of a bias (timm's MobileNetV4 head_norm). */
  norm?: boolean;
}

export interface HeadConfig {
  channels: number;
  /** Required when channels >= 1; a config without a head (channels 0) needs none. */
  act?: Activation;
  /** After global pooling, before the classifier. */
  pooled?: PooledHeadConfig;
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
  /** TensorFlow SAME padding throughout (absent: symmetric, PyTorch's). */
  padding?: Padding;
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
