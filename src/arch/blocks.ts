/**
 * The block registry: the one list of block kinds. Each kind declares the stage fields it reads beyond
 * the common ones (each field a JSON-Schema fragment with its default), a description and its lowering.
 * The architecture schema (schema.ts), the store schema and the search-space schema (both generated from
 * schema.ts), the semantic check "this field has no effect on this block" (parse.ts) and the search
 * labels all read this registry.
 *
 * Adding a block kind: its name in BLOCK_TYPES (types.ts), its entry here (fields, description,
 * lowering). Adding a block option: its entry in BLOCK_FIELDS and in the `fields` of the kinds that read
 * it. Nothing else is edited by hand; `npm run schemas` regenerates the published schemas.
 */
import {
  ACTIVATIONS, DOWNSAMPLES, SE_FROM, SE_GATES, SE_ROUNDING,
  type BlockType, type JsonSchema, type Kernel, type StageConfig,
} from './types';
import { ShapeError, type LayerBuilder, type Shape, type Where } from './layers';
import { int, num } from './schema-kit';
import { makeDivisible, pyRound } from './scale';

/** A tensor of the lowered network: its id and shape. */
export interface Tensor {
  id: number;
  shape: Shape;
}

/** What a block's lowering gets: the builder, its stage, where it sits, its input and its sizes. */
export interface BlockContext {
  builder: LayerBuilder;
  stage: StageConfig;
  where: Where;
  /** Layer name prefix, `stages.<stage>.<block>`. */
  prefix: string;
  x: Tensor;
  cout: number;
  /** Stride of this block (only a stage's first block strides). */
  stride: number;
  kernel: Kernel;
  divisor: number;
  /** Input channels that size the expansion and the SE squeeze (EfficientNet-X: pre-fold channels). */
  expandIn: number;
  seIn: number;
  /** Channels the width multiplier gives `n` channels (expand_in scales like every channel count). */
  scaled(n: number): number;
}

/** Stage fields a block kind may read beyond block/repeats/channels/kernel/stride/act. */
export type BlockField =
  | 'expand' | 'se' | 'se_from' | 'se_act' | 'se_gate' | 'se_round'
  | 'groups' | 'group_width' | 'skip' | 'project_act' | 'expand_always'
  | 'expand_kernel' | 'project_kernel' | 'start_kernel' | 'end_kernel' | 'expand_in' | 'downsample';

/** A block option: its schema (with its default) and whether a normalised config always holds it. */
export type FieldSpec = JsonSchema & { default: unknown };

/** The SE options: read only where `se` > 0. */
export const SE_OPTIONS: readonly BlockField[] = ['se_from', 'se_act', 'se_gate', 'se_round'];

/**
 * Fields every normalised (stored) config holds, defaults filled: the two that existed first. The others
 * are absent at their default, so configs written before them keep their config_hash.
 */
export const FILLED_FIELDS: readonly BlockField[] = ['expand', 'se'];

const kernelList = (what: string): FieldSpec => ({
  anyOf: [
    { type: 'integer', enum: [1, 3, 5, 7, 9, 11] },
    { type: 'array', minItems: 2, maxItems: 8, items: { type: 'integer', enum: [1, 3, 5, 7, 9, 11] } },
  ],
  default: 1,
  description: `${what}: a kernel size, or a list of kernels that splits the channels into equal parts (the first takes the remainder), one conv each (timm's MixedConv2d).`,
});

/** The optional block fields, each with its default and its description. */
export const BLOCK_FIELDS: Record<BlockField, FieldSpec> = {
  expand: num('positive', 16, 1,
    'Expansion ratio. mbconv/fused_mbconv/uir: middle = in * expand. basic/bottleneck/dw_bottleneck: middle = out * expand (ResNet bottleneck: 0.25). The middle width rounds to a multiple of `divisor` unless expand is 1.'),
  se: num(0, 1, 0, 'Squeeze-excitation ratio (squeeze = se x the channels `se_from` names, rounded by `se_round`); 0 = no SE.'),
  se_from: {
    type: 'string', enum: [...SE_FROM], default: 'input',
    description: 'What the SE ratio is a ratio of: `input` the block input channels (EfficientNet, RegNet; timm\'s se_from_exp false), `expanded` the channels the SE gates (MobileNetV3; timm\'s se_from_exp true).',
  },
  se_act: { type: 'string', enum: [...ACTIVATIONS], default: 'the stage act', description: 'Activation between the two SE convs (MobileNetV3 and RegNet: relu); default: the stage act.' },
  se_gate: { type: 'string', enum: [...SE_GATES], default: 'sigmoid', description: 'SE gate: `sigmoid`, or `hsigmoid` = relu6(x + 3) / 6 (MobileNetV3).' },
  se_round: {
    type: 'string', enum: [...SE_ROUNDING], default: 'floor',
    description: 'Rounding of the squeeze width: `floor` max(1, floor(c x se)) (torchvision EfficientNet), `round` Python\'s round, half to even (timm, torchvision RegNet), `divisor` make_divisible(c x se, divisor) (MobileNetV3).',
  },
  groups: { ...int(1, 16384, 'Groups of the block\'s kxk conv (ResNeXt\'s cardinality: 32). Default: the block\'s own (1, or depthwise).'), default: 'the block\'s own' },
  group_width: {
    ...int(1, 16384, 'Channels per group of the block\'s kxk convs (RegNet\'s group width, timm\'s `gs`): groups = conv input channels / group_width. 1 = depthwise. Default: the block\'s own.'),
    default: 'the block\'s own',
  },
  skip: {
    type: 'boolean', default: true,
    description: 'Identity shortcut (no activation after the add) when the block keeps its shape (stride 1, in == out). Default: true for mbconv, fused_mbconv and uir (false = timm\'s `noskip`), false for conv (true = timm\'s `cn ... skip`).',
  },
  project_act: { type: 'boolean', default: false, description: 'The stage act after the projection too (timm\'s `dsa`, MobileNetV1).' },
  expand_always: {
    type: 'boolean', default: false,
    description: 'At expand 1, keep the expanded structure as timm builds it: mbconv keeps its 1x1 expansion (timm\'s `ir_..._e1`), fused_mbconv keeps its 1x1 projection (`er_..._e1`). Without it expand 1 drops them (torchvision, timm\'s `ds`).',
  },
  expand_kernel: kernelList('Kernel of the mbconv expansion conv (timm\'s `a`; MixNet `a1.1` = [1, 1])'),
  project_kernel: kernelList('Kernel of the projection conv (timm\'s `p`; MixNet `p1.1` = [1, 1])'),
  start_kernel: { type: 'integer', enum: [0, 1, 3, 5, 7, 9, 11], default: 0, description: 'uir: depthwise kernel before the expansion (timm\'s `a`), 0 = none.' },
  end_kernel: { type: 'integer', enum: [0, 1, 3, 5, 7, 9, 11], default: 0, description: 'uir: depthwise kernel after the projection (timm\'s `p`), 0 = none.' },
  expand_in: { ...int(1, 16384, 'fused_mbconv: the expansion is sized on these channels (scaled by width) instead of the block input (timm\'s `fc`).'), default: 'the block input' },
  downsample: {
    type: 'string', enum: [...DOWNSAMPLES], default: 'conv',
    description: 'Projection shortcut of a residual block that changes shape: `conv` strided 1x1 conv + BN, `avgpool` 2x2 average pool (ceil mode, padding not counted) then 1x1 conv + BN (ResNet-D).',
  },
};

/** Middle channels of an expanded block: `base * expand` rounded to the divisor (unchanged at 1). */
function middle(ctx: BlockContext, base: number): number {
  return ctx.stage.expand === 1 ? base : makeDivisible(base * ctx.stage.expand, ctx.divisor);
}

/** Groups of a kxk conv over `cin` channels: the stage's groups or group width, else the block's own. */
function groupsOf(ctx: BlockContext, cin: number, natural: 'full' | 'depthwise'): number {
  const { groups, group_width: width } = ctx.stage;
  if (groups !== undefined) return groups;
  if (width !== undefined) {
    if (cin % width !== 0) throw new ShapeError(`group width ${width} does not divide the conv's ${cin} input channels`, ctx.where, 'group_width');
    return cin / width;
  }
  return natural === 'depthwise' ? cin : 1;
}

/** The squeeze width: `channels` x ratio, rounded as the stage says. */
export function seSqueeze(channels: number, ratio: number, rounding: StageConfig['se_round'], divisor: number): number {
  const v = channels * ratio;
  if (rounding === 'divisor') return makeDivisible(v, divisor);
  return Math.max(1, rounding === 'round' ? pyRound(v) : Math.floor(v));
}

function maybeSe(ctx: BlockContext, y: Tensor): Tensor {
  const { builder: b, stage, where, prefix } = ctx;
  if (!(stage.se > 0)) return y;
  const base = stage.se_from === 'expanded' ? y.shape.c : ctx.seIn;
  const squeeze = seSqueeze(base, stage.se, stage.se_round, ctx.divisor);
  return b.se(`${prefix}.se`, where, y.id, y.shape, { squeeze, act: stage.se_act ?? stage.act, gate: stage.se_gate ?? 'sigmoid' });
}

/** Identity residual when the block keeps shape (stride 1, in == out) and skip is not off, without an activation after it. */
function inverted(ctx: BlockContext, y: Tensor, skipByDefault = true): Tensor {
  const { x, stride, cout, builder: b, where, prefix, stage } = ctx;
  const skip = stage.skip ?? skipByDefault;
  return skip && stride === 1 && x.shape.c === cout ? b.add(`${prefix}.add`, where, x.id, y.id, y.shape, null) : y;
}

/** GENet / ResNet residual: identity or a projection (strided 1x1, or avgpool + 1x1), activation after the add. */
function residual(ctx: BlockContext, y: Tensor): Tensor {
  const { x, stride, cout, builder: b, where, prefix, stage } = ctx;
  let shortcut = x;
  if (stride !== 1 || x.shape.c !== cout) {
    const pooled = stage.downsample === 'avgpool' && stride > 1;
    const from = pooled ? b.avgpool(`${prefix}.shortcut.pool`, where, x.id, x.shape, stride, stride) : x;
    shortcut = b.conv(`${prefix}.shortcut`, where, from.id, from.shape, { cout, kernel: 1, stride: pooled ? 1 : stride, act: null });
  }
  return b.add(`${prefix}.add`, where, y.id, shortcut.id, y.shape, stage.act);
}

/** kxk reduce/expand bottleneck (GENet BL and DW, ResNet, ResNeXt, RegNet): 1x1 to middle, kxk, optional SE, linear 1x1 out. */
function bottleneck(ctx: BlockContext, depthwise: boolean): Tensor {
  const { builder: b, where, prefix, stage, cout, kernel, stride } = ctx;
  const act = stage.act;
  const mid = middle(ctx, cout);
  let y = b.conv(`${prefix}.reduce`, where, ctx.x.id, ctx.x.shape, { cout: mid, kernel: 1, stride: 1, act });
  const groups = groupsOf(ctx, mid, depthwise ? 'depthwise' : 'full');
  y = b.conv(depthwise ? `${prefix}.depthwise` : `${prefix}.conv`, where, y.id, y.shape, { cout: mid, kernel, stride, groups, act, field: 'stride' });
  y = maybeSe(ctx, y);
  y = b.conv(`${prefix}.expand`, where, y.id, y.shape, { cout, kernel: 1, stride: 1, act: null });
  return residual(ctx, y);
}

/** Inverted residual: 1x1 expand (only if expand != 1), kxk depthwise, optional SE, linear 1x1 projection. */
function mbconv(ctx: BlockContext): Tensor {
  const { builder: b, prefix, where, x, cout, kernel, stride, stage } = ctx;
  const expands = stage.expand !== 1 || stage.expand_always === true;
  const mid = expands ? middle(ctx, ctx.expandIn) : x.shape.c;
  const expanded = expands ? b.conv(`${prefix}.expand`, where, x.id, x.shape, { cout: mid, kernel: stage.expand_kernel ?? 1, stride: 1, act: stage.act, field: 'expand_kernel' }) : x;
  const groups = groupsOf(ctx, mid, 'depthwise');
  const dw = b.conv(`${prefix}.depthwise`, where, expanded.id, expanded.shape, { cout: mid, kernel, stride, groups, act: stage.act, field: 'stride' });
  const y = maybeSe(ctx, dw);
  const projected = b.conv(`${prefix}.project`, where, y.id, y.shape, {
    cout, kernel: stage.project_kernel ?? 1, stride: 1, act: stage.project_act ? stage.act : null, field: 'project_kernel',
  });
  return inverted(ctx, projected);
}

/** kxk full conv to in*expand (straight to out when expand == 1), optional SE, 1x1 projection. */
function fusedMbconv(ctx: BlockContext): Tensor {
  const { builder: b, prefix, where, x, cout, stage } = ctx;
  const expanded = stage.expand !== 1 || stage.expand_always === true;
  const base = stage.expand_in !== undefined ? ctx.scaled(stage.expand_in) : ctx.expandIn;
  const fusedOut = expanded ? middle(ctx, base) : cout;
  const fused = b.conv(`${prefix}.fused`, where, x.id, x.shape, {
    cout: fusedOut, kernel: ctx.kernel, stride: ctx.stride, groups: groupsOf(ctx, x.shape.c, 'full'), act: stage.act, field: 'stride',
  });
  const y = maybeSe(ctx, fused);
  return inverted(ctx, expanded ? b.conv(`${prefix}.project`, where, y.id, y.shape, { cout, kernel: stage.project_kernel ?? 1, stride: 1, act: null, field: 'project_kernel' }) : y);
}

/** GENet XX / ResNet basic: kxk conv (stride), kxk conv, optional SE, residual. */
function basic(ctx: BlockContext): Tensor {
  const { builder: b, prefix, where, x, cout, kernel, stage } = ctx;
  const first = b.conv(`${prefix}.conv1`, where, x.id, x.shape, { cout: middle(ctx, cout), kernel, stride: ctx.stride, act: stage.act, field: 'stride' });
  const second = b.conv(`${prefix}.conv2`, where, first.id, first.shape, { cout, kernel, stride: 1, act: null });
  return residual(ctx, maybeSe(ctx, second));
}

/** A plain kxk conv + BN + act, with an identity shortcut after the act when asked for (timm's `cn ... skip`). */
function conv(ctx: BlockContext): Tensor {
  const { builder: b, prefix, where, x, cout, kernel, stride, stage } = ctx;
  const y = b.conv(`${prefix}.conv`, where, x.id, x.shape, { cout, kernel, stride, groups: groupsOf(ctx, x.shape.c, 'full'), act: stage.act, field: 'kernel' });
  return inverted(ctx, y, false);
}

/**
 * timm's UniversalInvertedResidual (MobileNetV4): optional depthwise start (BN, no act), 1x1 expansion,
 * optional depthwise middle (kernel 0 = none), optional SE, linear 1x1 projection, optional depthwise end
 * (BN, no act), identity shortcut. The stride sits on the middle depthwise, else the start, else the end.
 */
function uir(ctx: BlockContext): Tensor {
  const { builder: b, prefix, where, x, cout, stride, stage } = ctx;
  const start = stage.start_kernel ?? 0;
  const end = stage.end_kernel ?? 0;
  const mid = ctx.kernel;
  const hasMid = Array.isArray(mid) || mid > 0;
  if (stride > 1 && !start && !hasMid && !end) throw new ShapeError('a uir block with stride 2 needs a start, middle or end depthwise kernel', where, 'stride');
  let y = x;
  if (start) {
    y = b.conv(`${prefix}.dw_start`, where, y.id, y.shape, { cout: y.shape.c, kernel: start, stride: hasMid ? 1 : stride, groups: groupsOf(ctx, y.shape.c, 'depthwise'), act: null, field: 'start_kernel' });
  }
  const width = makeDivisible(ctx.expandIn * stage.expand, ctx.divisor);
  y = b.conv(`${prefix}.expand`, where, y.id, y.shape, { cout: width, kernel: 1, stride: 1, act: stage.act });
  if (hasMid) {
    y = b.conv(`${prefix}.depthwise`, where, y.id, y.shape, { cout: width, kernel: mid, stride, groups: groupsOf(ctx, width, 'depthwise'), act: stage.act, field: 'stride' });
  }
  y = maybeSe(ctx, y);
  y = b.conv(`${prefix}.project`, where, y.id, y.shape, { cout, kernel: 1, stride: 1, act: null });
  if (end) {
    y = b.conv(`${prefix}.dw_end`, where, y.id, y.shape, { cout, kernel: end, stride: start || hasMid ? 1 : stride, groups: groupsOf(ctx, cout, 'depthwise'), act: null, field: 'end_kernel' });
  }
  return inverted(ctx, y);
}

export interface BlockKind {
  /** One sentence for the schema's `block` description. */
  description: string;
  /** Short label for search reports ("MB e6 k5"). */
  short: string;
  /** The optional fields this kind reads; any other block field must keep its default. */
  fields: readonly BlockField[];
  /** This kind's own defaults where they differ from BLOCK_FIELDS (skip: false for conv). */
  defaults?: Partial<Record<BlockField, unknown>>;
  /** Its kxk conv may take a list of kernels (mixed kernels). */
  mixedKernels?: boolean;
  /** kernel 0 means "no kxk conv" (uir's middle depthwise). */
  kernelZero?: boolean;
  /** Words added to "has no effect on block X" for a field this kind does not read. */
  hints?: Partial<Record<BlockField, string>>;
  lower(ctx: BlockContext): Tensor;
}

const SE: readonly BlockField[] = ['se', ...SE_OPTIONS];

export const BLOCKS: Record<BlockType, BlockKind> = {
  conv: {
    description: 'kxk conv+BN+act (skip: true adds an identity shortcut after the act, timm\'s `cn`)',
    short: 'C',
    fields: ['groups', 'group_width', 'skip'],
    defaults: { skip: false },
    hints: { expand: 'use fused_mbconv for an expanded full conv', se: 'it has no squeeze-excitation' },
    lower: conv,
  },
  mbconv: {
    description: 'inverted residual (1x1 expand, kxk depthwise, optional SE, linear 1x1; timm\'s `ir`, and `ds`/`dsa` at expand 1)',
    short: 'MB',
    fields: ['expand', ...SE, 'group_width', 'skip', 'project_act', 'expand_always', 'expand_kernel', 'project_kernel'],
    mixedKernels: true,
    lower: mbconv,
  },
  fused_mbconv: {
    description: 'kxk full conv to in*expand, optional SE, 1x1 (timm\'s `er`)',
    short: 'FMB',
    fields: ['expand', ...SE, 'groups', 'group_width', 'skip', 'expand_always', 'project_kernel', 'expand_in'],
    mixedKernels: true,
    lower: fusedMbconv,
  },
  basic: {
    description: 'GENet XX (ResNet basic): kxk conv, kxk conv, optional SE, shortcut, act after the add',
    short: 'XX',
    fields: ['expand', ...SE, 'downsample'],
    lower: basic,
  },
  bottleneck: {
    description: 'GENet BL (ResNet, ResNeXt, RegNet bottleneck): 1x1, kxk (groups), optional SE, 1x1, shortcut, act after the add',
    short: 'BL',
    fields: ['expand', ...SE, 'groups', 'group_width', 'downsample'],
    lower: (ctx) => bottleneck(ctx, false),
  },
  dw_bottleneck: {
    description: 'GENet DW: 1x1, kxk depthwise, 1x1, shortcut, act after the add',
    short: 'DW',
    fields: ['expand', ...SE, 'group_width', 'downsample'],
    mixedKernels: true,
    lower: (ctx) => bottleneck(ctx, true),
  },
  uir: {
    description: 'universal inverted residual (MobileNetV4, timm\'s `uir`): optional depthwise start, 1x1 expand, optional depthwise middle (kernel 0 = none), optional SE, linear 1x1, optional depthwise end',
    short: 'UIR',
    fields: ['expand', ...SE, 'group_width', 'skip', 'start_kernel', 'end_kernel'],
    mixedKernels: true,
    kernelZero: true,
    lower: uir,
  },
};

/** The default of `field` on block kind `type`. */
export function fieldDefault(type: BlockType, field: BlockField): unknown {
  const own = BLOCKS[type].defaults;
  return own && field in own ? own[field] : BLOCK_FIELDS[field].default;
}

/** Block kinds that do not read `field` (it must keep its default there). */
export function kindsIgnoring(field: BlockField): BlockType[] {
  return (Object.keys(BLOCKS) as BlockType[]).filter((t) => !BLOCKS[t].fields.includes(field));
}
