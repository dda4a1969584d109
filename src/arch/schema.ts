/**
 * JSON Schema of architecture config format v1. This object is the source of truth: ajv validates
 * against it (parse.ts) and schema/arch-config.schema.json is its published copy for editor completion
 * (a test fails when the two differ; regenerate the file with `npm run build && node -e
 * "require('./lib/arch/schema').writeSchemaFile()"`).
 *
 * Ranges are wide enough for any published CNN and narrow enough to catch typos (a kernel of 33, a
 * width of 100). Kernels are odd so that "same" padding is symmetric; the even kernels EfficientNet-X
 * uses inside a space_to_depth stage are derived by the builder, never written in a config.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ACTIVATIONS, BLOCK_TYPES, SPACE_TO_DEPTH, STEM_POOLS } from './types';

export const SCHEMA_ID = 'https://frontier-gate.dev/schema/arch-config.schema.json';
export const NAME_PATTERN = '^[a-z0-9._-]+$';
export const KERNELS = [1, 3, 5, 7, 9, 11] as const;
export const STRIDES = [1, 2] as const;
/** Nesting a valid config never exceeds (root > stages > stage > field is 4). */
export const MAX_NESTING = 32;

type JsonSchema = Record<string, unknown>;

const int = (minimum: number, maximum: number, description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'integer', minimum, maximum, description, ...extra,
});
const activation = (description: string): JsonSchema => ({ type: 'string', enum: [...ACTIVATIONS], description });
const kernel = (description: string): JsonSchema => ({ type: 'integer', enum: [...KERNELS], description });
const stride = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', enum: [...STRIDES], description, ...extra });

const stage: JsonSchema = {
  type: 'object',
  description: 'One stage: `repeats` blocks of one type. Only the first block strides; channels chain from the previous stage.',
  additionalProperties: false,
  required: ['block', 'repeats', 'channels', 'kernel', 'stride', 'act'],
  properties: {
    block: {
      type: 'string', enum: [...BLOCK_TYPES],
      description:
        'Block type. conv: kxk conv+BN+act. mbconv: inverted residual (1x1 expand, kxk depthwise, optional SE, linear 1x1). ' +
        'fused_mbconv: kxk full conv to in*expand, optional SE, 1x1. basic / bottleneck / dw_bottleneck: GENet XX / BL / DW ' +
        '(ResNet basic and bottleneck), with a shortcut and the activation after the add.',
    },
    repeats: int(1, 64, 'Number of blocks in the stage before the depth multiplier (scaled with ceil(repeats * depth)).'),
    channels: int(1, 16384, 'Output channels of every block in the stage before the width multiplier (rounded to a multiple of `divisor`).'),
    kernel: kernel('Spatial kernel size of the stage\'s kxk convolution: odd, 1 to 11.'),
    stride: stride('Stride of the first block of the stage: 1 or 2.'),
    expand: {
      type: 'number', exclusiveMinimum: 0, maximum: 16, default: 1,
      description: 'Expansion ratio. mbconv/fused_mbconv: middle = in * expand. basic/bottleneck/dw_bottleneck: middle = out * expand (ResNet bottleneck: 0.25). Must be 1 for conv.',
    },
    se: {
      type: 'number', minimum: 0, maximum: 1, default: 0,
      description: 'Squeeze-excitation ratio of the block input channels (squeeze = max(1, floor(in * se))); 0 = no SE. Must be 0 for conv.',
    },
    act: activation('Activation used throughout the stage\'s blocks.'),
    space_to_depth: {
      type: 'string', enum: [...SPACE_TO_DEPTH],
      description:
        'The stage starts by folding HxWxC into H/2xW/2x4C: `conv` = learned 2x2 stride-2 conv + BN + act (EfficientNet-X), ' +
        '`reshape` = ONNX SpaceToDepth. The stage then runs with kernel (k+1)//2 and 4x channels, and the next stage drops its stride.',
    },
    space_to_batch: int(2, 8, 'Run the stage on spatial blocks folded into the batch (SpaceToBatchND with this block size), reassembled at its end.'),
  },
};

export const ARCH_CONFIG_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: SCHEMA_ID,
  title: 'frontier-gate architecture config (format v1)',
  description: 'A CNN architecture: stem, stages of blocks, head and classifier. Counted exactly and built into ONNX by frontier-gate.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'resolution', 'classes', 'stem', 'stages', 'head'],
  properties: {
    name: {
      type: 'string', pattern: NAME_PATTERN, minLength: 1, maxLength: 128,
      description: 'Model name: lowercase letters, digits, `.`, `_` and `-` (it names files and frontier entries).',
    },
    family: {
      type: 'string', pattern: NAME_PATTERN, maxLength: 128,
      description: 'Model family; `base` marks the base of a compound-scaled family (LACS reports coefficient moves for it).',
    },
    description: { type: 'string', maxLength: 4096, description: 'Free-form description, recorded only.' },
    resolution: int(8, 4096, 'Input height = width in pixels.'),
    channels: int(1, 16384, 'Input channels.', { default: 3 }),
    classes: int(0, 100000, 'Classifier outputs (global pool + fully connected); 0 = no classifier.'),
    width: {
      type: 'number', exclusiveMinimum: 0, maximum: 10, default: 1,
      description: 'Width multiplier: stem, stage and head channels are multiplied and rounded to a multiple of `divisor` (never below 90%).',
    },
    depth: {
      type: 'number', exclusiveMinimum: 0, maximum: 10, default: 1,
      description: 'Depth multiplier: each stage has ceil(repeats * depth) blocks.',
    },
    divisor: int(1, 64, 'Channel rounding divisor for the width multiplier and expansions.', { default: 8 }),
    stem: {
      type: 'object',
      description: 'The first convolution (and optional max pool).',
      additionalProperties: false,
      required: ['channels', 'kernel', 'stride', 'act'],
      properties: {
        channels: int(1, 16384, 'Stem output channels before the width multiplier.'),
        kernel: kernel('Stem kernel size: odd, 1 to 11 (ResNet: 7).'),
        stride: stride('Stem stride: 1 or 2.'),
        act: activation('Stem activation.'),
        pool: { type: 'string', enum: [...STEM_POOLS], default: 'none', description: '`max` adds a 3x3 stride-2 max pool after the stem conv (ResNet).' },
      },
    },
    stages: {
      type: 'array', minItems: 1, maxItems: 64, items: stage,
      description: 'Stages in order.',
    },
    head: {
      type: 'object',
      description: '1x1 convolution before global pooling; scales with width.',
      additionalProperties: false,
      required: ['channels', 'act'],
      properties: {
        channels: int(0, 16384, 'Head channels before the width multiplier; 0 = no head conv.'),
        act: activation('Head activation.'),
      },
    },
    dropout: {
      type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0,
      description: 'Dropout rate before the classifier; recorded only (inference graphs have no dropout).',
    },
    accuracy: {
      type: 'object',
      description: 'Published or measured accuracy, used by the frontier.',
      additionalProperties: false,
      required: ['top1'],
      properties: {
        top1: { type: 'number', minimum: 0, maximum: 100, description: 'Top-1 accuracy in percent.' },
        dataset: { type: 'string', maxLength: 128, description: 'Evaluation dataset, e.g. imagenet-1k.' },
        source: { type: 'string', maxLength: 256, description: 'Where the number comes from, e.g. torchvision, paper, or a run id.' },
      },
    },
  },
};

/** Extra words on what is allowed, for fields whose schema alone reads cryptically. */
export const FIELD_HINTS: Record<string, string> = {
  kernel: 'odd so that padding is symmetric; even kernels only arise inside space_to_depth stages, derived by the builder',
  name: 'lowercase letters, digits, ".", "_" and "-"',
  family: 'lowercase letters, digits, ".", "_" and "-"; "base" marks a LACS base',
};

export function schemaJson(): string {
  return JSON.stringify(ARCH_CONFIG_SCHEMA, null, 2) + '\n';
}

/** Writes the published copy; `root` is the repository root. */
export function writeSchemaFile(root: string = path.resolve(__dirname, '..', '..')): string {
  const file = path.join(root, 'schema', 'arch-config.schema.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, schemaJson());
  return file;
}
