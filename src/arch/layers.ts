/**
 * The lowered layer list's vocabulary: shapes, layer records and the primitives that append them
 * (conv + BN + act, squeeze-excitation, residual add). lower.ts and the block registry (blocks.ts) build
 * with LayerBuilder; counts.ts and onnx/build.ts read the layers.
 */
import type { Activation } from './types';

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
export type NewLayer<T = Layer> = T extends Layer ? Omit<T, 'output'> : never;

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

/**
 * Appends layers over numbered tensors (0 is the network input). Blocks (blocks.ts) and lower() build
 * with these primitives; the shape checks live here, once.
 */
export class LayerBuilder {
  readonly layers: Layer[] = [];
  private nextTensor = 1;

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
}
