/**
 * The block registry: the one list of block kinds. Each kind declares the stage fields it reads beyond
 * the common ones (a JSON-Schema fragment with its default), a description and its lowering. The
 * architecture schema (schema.ts), the store schema and the search-space schema (both generated from
 * schema.ts), the semantic check "this field has no effect on this block" (parse.ts) and the search
 * labels all read this registry.
 *
 * Adding a block kind: its name in BLOCK_TYPES (types.ts), its entry here (fields, description,
 * lowering). Nothing else is edited by hand; `npm run schemas` regenerates the published schemas.
 */
import type { BlockType, JsonSchema, StageConfig } from './types';
import type { LayerBuilder, Shape, Where } from './layers';
import { num } from './schema-kit';
import { makeDivisible } from './scale';

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
  kernel: number;
  divisor: number;
  /** Input channels that size the expansion and the SE squeeze (EfficientNet-X: pre-fold channels). */
  expandIn: number;
  seIn: number;
}

/** Stage fields a block kind may read beyond block/repeats/channels/kernel/stride/act. */
export type BlockField = 'expand' | 'se';

export interface BlockKind {
  /** One sentence for the schema's `block` description. */
  description: string;
  /** Short label for search reports ("MB e6 k5"). */
  short: string;
  /** The optional fields this kind reads; any other block field must keep its default. */
  fields: readonly BlockField[];
  /** Words added to "has no effect on block X" for a field this kind does not read. */
  hints?: Partial<Record<BlockField, string>>;
  lower(ctx: BlockContext): Tensor;
}

/** The optional block fields, each with its default (ajv fills it) and its description. */
export const BLOCK_FIELDS: Record<BlockField, JsonSchema & { default: number }> = {
  expand: num('positive', 16, 1,
    'Expansion ratio. mbconv/fused_mbconv: middle = in * expand. basic/bottleneck/dw_bottleneck: middle = out * expand (ResNet bottleneck: 0.25).'),
  se: num(0, 1, 0, 'Squeeze-excitation ratio of the block input channels (squeeze = max(1, floor(in * se))); 0 = no SE.'),
};

/** Middle channels of an expanded block: `base * expand` rounded to the divisor (unchanged at 1). */
function middle(ctx: BlockContext, base: number): number {
  return ctx.stage.expand === 1 ? base : makeDivisible(base * ctx.stage.expand, ctx.divisor);
}

function maybeSe(ctx: BlockContext, y: Tensor): Tensor {
  const { builder: b, stage, where, prefix } = ctx;
  return stage.se > 0 ? b.se(`${prefix}.se`, where, y.id, y.shape, ctx.seIn, stage.se, stage.act) : y;
}

/** Identity residual when the block keeps shape (stride 1, in == out), without an activation after it. */
function inverted(ctx: BlockContext, y: Tensor): Tensor {
  const { x, stride, cout, builder: b, where, prefix } = ctx;
  return stride === 1 && x.shape.c === cout ? b.add(`${prefix}.add`, where, x.id, y.id, y.shape, null) : y;
}

/** GENet / ResNet residual: identity or a strided 1x1 projection, activation after the add. */
function residual(ctx: BlockContext, y: Tensor): Tensor {
  const { x, stride, cout, builder: b, where, prefix, stage } = ctx;
  const shortcut = stride === 1 && x.shape.c === cout ? x : b.conv(`${prefix}.shortcut`, where, x.id, x.shape, { cout, kernel: 1, stride, act: null });
  return b.add(`${prefix}.add`, where, y.id, shortcut.id, y.shape, stage.act);
}

/** kxk reduce/expand bottleneck (GENet BL and DW): 1x1 to middle, kxk, optional SE, linear 1x1 out. */
function bottleneck(ctx: BlockContext, depthwise: boolean): Tensor {
  const { builder: b, where, prefix, stage, cout, kernel, stride } = ctx;
  const act = stage.act;
  const mid = middle(ctx, cout);
  let y = b.conv(`${prefix}.reduce`, where, ctx.x.id, ctx.x.shape, { cout: mid, kernel: 1, stride: 1, act });
  y = b.conv(depthwise ? `${prefix}.depthwise` : `${prefix}.conv`, where, y.id, y.shape, { cout: mid, kernel, stride, groups: depthwise ? mid : 1, act, field: 'stride' });
  y = maybeSe(ctx, y);
  y = b.conv(`${prefix}.expand`, where, y.id, y.shape, { cout, kernel: 1, stride: 1, act: null });
  return residual(ctx, y);
}

/** Inverted residual: 1x1 expand (only if expand != 1), kxk depthwise, optional SE, linear 1x1 projection. */
function mbconv(ctx: BlockContext): Tensor {
  const { builder: b, prefix, where, x, cout, kernel, stride, stage } = ctx;
  const mid = stage.expand === 1 ? x.shape.c : middle(ctx, ctx.expandIn);
  const expanded = stage.expand === 1 ? x : b.conv(`${prefix}.expand`, where, x.id, x.shape, { cout: mid, kernel: 1, stride: 1, act: stage.act });
  const dw = b.conv(`${prefix}.depthwise`, where, expanded.id, expanded.shape, { cout: mid, kernel, stride, groups: mid, act: stage.act, field: 'stride' });
  const y = maybeSe(ctx, dw);
  return inverted(ctx, b.conv(`${prefix}.project`, where, y.id, y.shape, { cout, kernel: 1, stride: 1, act: null }));
}

/** kxk full conv to in*expand (straight to out when expand == 1), optional SE, 1x1 projection. */
function fusedMbconv(ctx: BlockContext): Tensor {
  const { builder: b, prefix, where, x, cout, stage } = ctx;
  const expanded = stage.expand !== 1;
  const fused = b.conv(`${prefix}.fused`, where, x.id, x.shape, { cout: expanded ? middle(ctx, ctx.expandIn) : cout, kernel: ctx.kernel, stride: ctx.stride, act: stage.act, field: 'stride' });
  const y = maybeSe(ctx, fused);
  return inverted(ctx, expanded ? b.conv(`${prefix}.project`, where, y.id, y.shape, { cout, kernel: 1, stride: 1, act: null }) : y);
}

/** GENet XX / ResNet basic: kxk conv (stride), kxk conv, optional SE, residual. */
function basic(ctx: BlockContext): Tensor {
  const { builder: b, prefix, where, x, cout, kernel, stage } = ctx;
  const first = b.conv(`${prefix}.conv1`, where, x.id, x.shape, { cout: middle(ctx, cout), kernel, stride: ctx.stride, act: stage.act, field: 'stride' });
  const second = b.conv(`${prefix}.conv2`, where, first.id, first.shape, { cout, kernel, stride: 1, act: null });
  return residual(ctx, maybeSe(ctx, second));
}

const EXPAND_SE: readonly BlockField[] = ['expand', 'se'];

export const BLOCKS: Record<BlockType, BlockKind> = {
  conv: {
    description: 'kxk conv+BN+act',
    short: 'C',
    fields: [],
    hints: { expand: 'use fused_mbconv for an expanded full conv', se: 'it has no squeeze-excitation' },
    lower: ({ builder: b, prefix, where, x, cout, kernel, stride, stage }) =>
      b.conv(`${prefix}.conv`, where, x.id, x.shape, { cout, kernel, stride, act: stage.act, field: 'kernel' }),
  },
  mbconv: { description: 'inverted residual (1x1 expand, kxk depthwise, optional SE, linear 1x1)', short: 'MB', fields: EXPAND_SE, lower: mbconv },
  fused_mbconv: { description: 'kxk full conv to in*expand, optional SE, 1x1', short: 'FMB', fields: EXPAND_SE, lower: fusedMbconv },
  basic: { description: 'GENet XX (ResNet basic): kxk conv, kxk conv, optional SE, shortcut, act after the add', short: 'XX', fields: EXPAND_SE, lower: basic },
  bottleneck: { description: 'GENet BL (ResNet bottleneck): 1x1, kxk, 1x1, shortcut, act after the add', short: 'BL', fields: EXPAND_SE, lower: (ctx) => bottleneck(ctx, false) },
  dw_bottleneck: { description: 'GENet DW: 1x1, kxk depthwise, 1x1, shortcut, act after the add', short: 'DW', fields: EXPAND_SE, lower: (ctx) => bottleneck(ctx, true) },
};

/** Block kinds that do not read `field` (it must keep its default there). */
export function kindsIgnoring(field: BlockField): BlockType[] {
  return (Object.keys(BLOCKS) as BlockType[]).filter((t) => !BLOCKS[t].fields.includes(field));
}
