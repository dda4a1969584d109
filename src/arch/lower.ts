/**
 * Lowering: an ArchConfig becomes a flat list of layers over numbered tensors. Counts (counts.ts) and
 * the ONNX builder (onnx/build.ts) both read this one list, so what is counted is what is built.
 * The builder's positional rules live here: only a stage's first block strides, channels chain, a
 * space_to_depth stage halves the resolution itself (kernel (k+1)//2, channels x4) and takes the
 * stride of the stage after it, as EfficientNet-X's released code does.
 */
import { makeDivisible, roundFilters, roundRepeats } from './scale';
import type { Activation, ArchConfig, BlockType, StageConfig } from './types';

export interface Shape {
  c: number;
  h: number;
  w: number;
  /** Batch multiplier inside a space_to_batch stage (block^2), else 1. */
  fold: number;
}

/** Where a layer sits: used in per-layer reports, profiling and PR annotations. */
export interface Where {
  part: 'stem' | 'stage' | 'head' | 'classifier';
  stage?: number;
  block?: number;
}

interface LayerBase {
  name: string;
  input: number;
  output: number;
  inShape: Shape;
  outShape: Shape;
  where: Where;
}

/** Convolution with its batch norm (folded when built) and activation. */
export interface ConvLayer extends LayerBase {
  type: 'conv';
  cin: number;
  cout: number;
  kernel: number;
  stride: number;
  groups: number;
  /** ONNX order: top, left, bottom, right. */
  pads: [number, number, number, number];
  bn: boolean;
  act: Activation | null;
}

/** Squeeze-excitation: global pool, 1x1 conv (bias) to `squeeze`, act, 1x1 conv (bias) back, sigmoid gate. */
export interface SeLayer extends LayerBase {
  type: 'se';
  channels: number;
  squeeze: number;
  act: Activation;
}

/** Residual addition of `input` and `other`, then an optional activation. */
export interface AddLayer extends LayerBase {
  type: 'add';
  other: number;
  act: Activation | null;
}

export interface MaxPoolLayer extends LayerBase {
  type: 'maxpool';
  kernel: number;
  stride: number;
  pads: [number, number, number, number];
}

/** Global average pool and flatten to [N, C]. */
export interface PoolLayer extends LayerBase {
  type: 'gap';
}

export interface FcLayer extends LayerBase {
  type: 'fc';
  cin: number;
  cout: number;
}

export interface SpaceToDepthLayer extends LayerBase {
  type: 'space_to_depth';
  block: number;
}

export interface SpaceToBatchLayer extends LayerBase {
  type: 'space_to_batch' | 'batch_to_space';
  block: number;
}

export type Layer = ConvLayer | SeLayer | AddLayer | MaxPoolLayer | PoolLayer | FcLayer | SpaceToDepthLayer | SpaceToBatchLayer;
/** A layer before its output tensor is numbered (Omit distributed over the union). */
type NewLayer<T = Layer> = T extends Layer ? Omit<T, 'output'> : never;

export interface Network {
  name: string;
  input: Shape;
  layers: Layer[];
  /** Tensor id of the network output. */
  output: number;
  outShape: Shape;
  /** The stages as lowered (after depth/width scaling and positional rules). */
  stages: LoweredStage[];
}

export interface LoweredStage {
  index: number;
  block: BlockType;
  repeats: number;
  cin: number;
  cout: number;
  kernel: number;
  stride: number;
  inShape: Shape;
  outShape: Shape;
}

/** A shape that cannot be built (spatial size below 1, indivisible blocks). */
export class ShapeError extends Error {
  constructor(message: string, readonly where: Where, readonly field: string) {
    super(message);
  }
}

/** PyTorch-style symmetric padding for odd kernels, TensorFlow SAME for even ones (kernel 2 after space_to_depth). */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  if (kernel % 2 === 1) return [(kernel - 1) >> 1, (kernel - 1) >> 1];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return [total >> 1, total - (total >> 1)];
}

export function convOut(size: number, kernel: number, stride: number, padBegin: number, padEnd: number): number {
  return Math.floor((size + padBegin + padEnd - kernel) / stride) + 1;
}

class Lowering {
  readonly layers: Layer[] = [];
  private nextTensor = 1;

  constructor(readonly config: ArchConfig) {}

  push(layer: NewLayer): { id: number; shape: Shape } {
    const output = this.nextTensor++;
    this.layers.push({ ...layer, output } as Layer);
    return { id: output, shape: layer.outShape };
  }

  conv(
    name: string, where: Where, input: number, inShape: Shape,
    o: { cout: number; kernel: number; stride: number; groups?: number; act: Activation | null; pad?: 'same' | 'valid'; field?: string },
  ) {
    const groups = o.groups ?? 1;
    if (inShape.c % groups !== 0 || o.cout % groups !== 0) {
      throw new ShapeError(`groups ${groups} do not divide channels ${inShape.c} -> ${o.cout}`, where, o.field ?? 'channels');
    }
    const [pt, pb] = o.pad === 'valid' ? [0, 0] : samePads(inShape.h, o.kernel, o.stride);
    const [pl, pr] = o.pad === 'valid' ? [0, 0] : samePads(inShape.w, o.kernel, o.stride);
    const h = convOut(inShape.h, o.kernel, o.stride, pt, pb);
    const w = convOut(inShape.w, o.kernel, o.stride, pl, pr);
    if (h < 1 || w < 1) {
      throw new ShapeError(
        `spatial size falls below 1 (${inShape.h}x${inShape.w} -> ${h}x${w} with kernel ${o.kernel}, stride ${o.stride}); raise resolution or remove a stride`,
        where, o.field ?? 'stride',
      );
    }
    return this.push({
      type: 'conv', name, where, input, inShape, outShape: { c: o.cout, h, w, fold: inShape.fold },
      cin: inShape.c, cout: o.cout, kernel: o.kernel, stride: o.stride, groups, pads: [pt, pl, pb, pr], bn: true, act: o.act,
    });
  }

  se(name: string, where: Where, input: number, shape: Shape, blockIn: number, ratio: number, act: Activation) {
    const squeeze = Math.max(1, Math.floor(blockIn * ratio));
    return this.push({ type: 'se', name, where, input, inShape: shape, outShape: shape, channels: shape.c, squeeze, act });
  }

  add(name: string, where: Where, a: number, b: number, shape: Shape, act: Activation | null) {
    return this.push({ type: 'add', name, where, input: a, other: b, inShape: shape, outShape: shape, act });
  }

  /**
   * One block. `sizing` overrides the input channels used to size the expansion and the SE squeeze:
   * EfficientNet-X sizes them on the channels before a space_to_depth fold (see lower()).
   */
  block(
    stage: StageConfig, stageIndex: number, blockIndex: number, x: { id: number; shape: Shape },
    cout: number, stride: number, kernel: number, sizing: { expandIn?: number; seIn?: number } = {},
  ) {
    const where: Where = { part: 'stage', stage: stageIndex, block: blockIndex };
    const p = `stages.${stageIndex}.${blockIndex}`;
    const cin = x.shape.c;
    const act = stage.act;
    const divisor = this.config.divisor;
    const middleOf = (base: number) => (stage.expand === 1 ? base : makeDivisible(base * stage.expand, divisor));
    const expandIn = sizing.expandIn ?? cin;
    const seIn = sizing.seIn ?? cin;
    const identity = stride === 1 && cin === cout;
    let y = x;
    switch (stage.block) {
      case 'conv':
        return this.conv(`${p}.conv`, where, x.id, x.shape, { cout, kernel, stride, act, field: 'kernel' });
      case 'mbconv': {
        const mid = stage.expand === 1 ? cin : middleOf(expandIn);
        if (stage.expand !== 1) y = this.conv(`${p}.expand`, where, y.id, y.shape, { cout: mid, kernel: 1, stride: 1, act });
        y = this.conv(`${p}.depthwise`, where, y.id, y.shape, { cout: mid, kernel, stride, groups: mid, act, field: 'stride' });
        if (stage.se > 0) y = this.se(`${p}.se`, where, y.id, y.shape, seIn, stage.se, act);
        y = this.conv(`${p}.project`, where, y.id, y.shape, { cout, kernel: 1, stride: 1, act: null });
        return identity ? this.add(`${p}.add`, where, x.id, y.id, y.shape, null) : y;
      }
      case 'fused_mbconv': {
        if (stage.expand !== 1) {
          y = this.conv(`${p}.fused`, where, y.id, y.shape, { cout: middleOf(expandIn), kernel, stride, act, field: 'stride' });
          if (stage.se > 0) y = this.se(`${p}.se`, where, y.id, y.shape, seIn, stage.se, act);
          y = this.conv(`${p}.project`, where, y.id, y.shape, { cout, kernel: 1, stride: 1, act: null });
        } else {
          y = this.conv(`${p}.fused`, where, y.id, y.shape, { cout, kernel, stride, act, field: 'stride' });
          if (stage.se > 0) y = this.se(`${p}.se`, where, y.id, y.shape, seIn, stage.se, act);
        }
        return identity ? this.add(`${p}.add`, where, x.id, y.id, y.shape, null) : y;
      }
      case 'basic':
      case 'bottleneck':
      case 'dw_bottleneck': {
        const mid = middleOf(cout);
        if (stage.block === 'basic') {
          y = this.conv(`${p}.conv1`, where, y.id, y.shape, { cout: mid, kernel, stride, act, field: 'stride' });
          y = this.conv(`${p}.conv2`, where, y.id, y.shape, { cout, kernel, stride: 1, act: null });
          if (stage.se > 0) y = this.se(`${p}.se`, where, y.id, y.shape, seIn, stage.se, act);
        } else {
          const dw = stage.block === 'dw_bottleneck';
          y = this.conv(`${p}.reduce`, where, y.id, y.shape, { cout: mid, kernel: 1, stride: 1, act });
          y = this.conv(dw ? `${p}.depthwise` : `${p}.conv`, where, y.id, y.shape, { cout: mid, kernel, stride, groups: dw ? mid : 1, act, field: 'stride' });
          if (stage.se > 0) y = this.se(`${p}.se`, where, y.id, y.shape, seIn, stage.se, act);
          y = this.conv(`${p}.expand`, where, y.id, y.shape, { cout, kernel: 1, stride: 1, act: null });
        }
        const shortcut = identity ? x : this.conv(`${p}.shortcut`, where, x.id, x.shape, { cout, kernel: 1, stride, act: null });
        return this.add(`${p}.add`, where, y.id, shortcut.id, y.shape, act);
      }
    }
  }
}

/** Lowers a validated config. Throws ShapeError for shapes that cannot be built. */
export function lower(config: ArchConfig): Network {
  const L = new Lowering(config);
  const { width, depth, divisor } = config;
  const input: Shape = { c: config.channels, h: config.resolution, w: config.resolution, fold: 1 };
  const stemWhere: Where = { part: 'stem' };
  const stemChannels = roundFilters(config.stem.channels, width, divisor);
  let x = L.conv('stem.conv', stemWhere, 0, input, { cout: stemChannels, kernel: config.stem.kernel, stride: config.stem.stride, act: config.stem.act });
  if (config.stem.pool === 'max') {
    const [pt, pb] = samePads(x.shape.h, 3, 2);
    const [pl, pr] = samePads(x.shape.w, 3, 2);
    const outShape = { ...x.shape, h: convOut(x.shape.h, 3, 2, pt, pb), w: convOut(x.shape.w, 3, 2, pl, pr) };
    if (outShape.h < 1 || outShape.w < 1) throw new ShapeError('spatial size falls below 1 at the stem max pool', stemWhere, 'pool');
    x = L.push({
      type: 'maxpool', name: 'stem.pool', where: stemWhere, input: x.id, inShape: x.shape, outShape, kernel: 3, stride: 2, pads: [pt, pl, pb, pr],
    });
  }
  const push = (l: NewLayer) => L.push(l);
  const stages: LoweredStage[] = [];
  let strideOverride: number | undefined;
  // Channels a stage's first block is sized on when its input is a space_to_depth stage's output.
  let foldedFrom: number | undefined;
  config.stages.forEach((stage, si) => {
    const where: Where = { part: 'stage', stage: si };
    const stageIn = x.shape;
    let stride = strideOverride ?? stage.stride;
    strideOverride = undefined;
    let cout = roundFilters(stage.channels, width, divisor);
    let kernel = stage.kernel;
    if (stage.space_to_depth) {
      if (x.shape.h % 2 !== 0 || x.shape.w % 2 !== 0) {
        throw new ShapeError(`space_to_depth needs an even input size, got ${x.shape.h}x${x.shape.w}`, where, 'space_to_depth');
      }
      const outShape = { c: x.shape.c * 4, h: x.shape.h / 2, w: x.shape.w / 2, fold: x.shape.fold };
      if (stage.space_to_depth === 'conv') {
        x = L.conv(`stages.${si}.space_to_depth`, where, x.id, x.shape, { cout: outShape.c, kernel: 2, stride: 2, act: stage.act, pad: 'valid' });
      } else {
        x = push({ type: 'space_to_depth', name: `stages.${si}.space_to_depth`, where, input: x.id, inShape: x.shape, outShape, block: 2 });
      }
      // The stage now runs at half resolution: it keeps its receptive field with a half-size kernel and
      // 4x the channels, and the next stage's downsampling has already happened.
      kernel = (kernel + 1) >> 1;
      cout *= 4;
      if (stride === 1 && config.stages[si + 1]?.stride === 2) strideOverride = 1;
    }
    const block = stage.space_to_batch ?? 1;
    if (block > 1) {
      if (x.shape.h % block !== 0 || x.shape.w % block !== 0) {
        throw new ShapeError(`space_to_batch ${block} needs the stage input size divisible by ${block}, got ${x.shape.h}x${x.shape.w}`, where, 'space_to_batch');
      }
      x = push({
        type: 'space_to_batch', name: `stages.${si}.space_to_batch`, where, input: x.id, inShape: x.shape,
        outShape: { c: x.shape.c, h: x.shape.h / block, w: x.shape.w / block, fold: x.shape.fold * block * block }, block,
      });
    }
    const repeats = roundRepeats(stage.repeats, depth);
    for (let b = 0; b < repeats; b++) {
      // EfficientNet-X's released code sizes expansion and SE of the block after a fold on the nominal
      // (pre-fold) channels, and the SE of the folding block on its pre-fold input.
      let sizing: { expandIn?: number; seIn?: number } = {};
      if (b === 0 && foldedFrom !== undefined) sizing = { expandIn: foldedFrom, seIn: foldedFrom };
      else if (b === 0 && stage.space_to_depth) sizing = { seIn: stageIn.c };
      x = L.block(stage, si, b, x, cout, b === 0 ? stride : 1, kernel, sizing);
    }
    foldedFrom = stage.space_to_depth ? cout / 4 : undefined;
    if (block > 1) {
      x = push({
        type: 'batch_to_space', name: `stages.${si}.batch_to_space`, where, input: x.id, inShape: x.shape,
        outShape: { c: x.shape.c, h: x.shape.h * block, w: x.shape.w * block, fold: x.shape.fold / (block * block) }, block,
      });
    }
    stride = stage.space_to_depth ? 2 * stride : stride;
    stages.push({ index: si, block: stage.block, repeats, cin: stageIn.c, cout: x.shape.c, kernel, stride, inShape: stageIn, outShape: x.shape });
  });
  if (config.head.channels > 0) {
    const headChannels = roundFilters(config.head.channels, width, divisor);
    x = L.conv('head.conv', { part: 'head' }, x.id, x.shape, { cout: headChannels, kernel: 1, stride: 1, act: config.head.act });
  }
  if (config.classes > 0) {
    const where: Where = { part: 'classifier' };
    x = push({ type: 'gap', name: 'classifier.pool', where, input: x.id, inShape: x.shape, outShape: { c: x.shape.c, h: 1, w: 1, fold: 1 } });
    x = push({ type: 'fc', name: 'classifier.fc', where, input: x.id, inShape: x.shape, outShape: { c: config.classes, h: 1, w: 1, fold: 1 }, cin: x.shape.c, cout: config.classes });
  }
  return { name: config.name, input, layers: L.layers, output: x.id, outShape: x.shape, stages };
}
