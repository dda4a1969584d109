/**
 * The lowered layer list's vocabulary: shapes, layer records and the primitives that append them
 * (conv + BN + act, squeeze-excitation, residual add). lower.ts and the block registry (blocks.ts) build
 * with LayerBuilder; counts.ts and onnx/build.ts read the layers.
 */
import type { Activation, Kernel, Padding, SeGate } from './types';

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

/** One kernel group of a mixed convolution: its kernel, its slice of the input and output channels. */
export interface ConvPart {
  kernel: number;
  cin: number;
  cout: number;
  pads: [number, number, number, number];
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
  /**
   * Mixed kernels (MixNet, timm's MixedConv2d): the input channels split into these parts (the first takes
   * the remainder), each convolved with its own kernel (depthwise when groups == cin), outputs concatenated.
   * `kernel` is then the largest. Absent for a plain convolution.
   */
  parts?: ConvPart[];
}

/** Squeeze-excitation: global pool, 1x1 conv (bias) to `squeeze`, act, 1x1 conv (bias) back, gate (sigmoid unless set). */
export interface SeLayer extends LayerBase {
  type: 'se';
  channels: number;
  squeeze: number;
  act: Activation;
  gate?: Exclude<SeGate, 'sigmoid'>;
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

/** Fully connected on pooled features: the classifier, or a pooled head (a 1x1 conv on a 1x1 map) with its act. */
export interface FcLayer extends LayerBase {
  type: 'fc';
  cin: number;
  cout: number;
  /** Batch norm instead of a bias (folded when built). */
  bn?: true;
  act?: Activation;
}

/** Average pool with ceil mode, padding not counted (ResNet-D's downsampling shortcut). */
export interface AvgPoolLayer extends LayerBase {
  type: 'avgpool';
  kernel: number;
  stride: number;
}

export interface SpaceToDepthLayer extends LayerBase {
  type: 'space_to_depth';
  block: number;
}

export interface SpaceToBatchLayer extends LayerBase {
  type: 'space_to_batch' | 'batch_to_space';
  block: number;
}

export type Layer = ConvLayer | SeLayer | AddLayer | MaxPoolLayer | AvgPoolLayer | PoolLayer | FcLayer | SpaceToDepthLayer | SpaceToBatchLayer;
/** A layer before its output tensor is numbered (Omit distributed over the union). */
export type NewLayer<T = Layer> = T extends Layer ? Omit<T, 'output'> : never;

/** A shape that cannot be built (spatial size below 1, indivisible blocks). */
export class ShapeError extends Error {
  constructor(message: string, readonly where: Where, readonly field: string) {
    super(message);
  }
}

/**
 * PyTorch-style symmetric padding for odd kernels, TensorFlow SAME for even ones (kernel 2 after
 * space_to_depth) and for every kernel when the config says `padding: same` (timm's tf_ ports).
 */
export function samePads(size: number, kernel: number, stride: number, padding: Padding = 'symmetric'): [number, number] {
  if (kernel % 2 === 1 && padding === 'symmetric') return [(kernel - 1) >> 1, (kernel - 1) >> 1];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return [total >> 1, total - (total >> 1)];
}

export function convOut(size: number, kernel: number, stride: number, padBegin: number, padEnd: number): number {
  return Math.floor((size + padBegin + padEnd - kernel) / stride) + 1;
}

/** timm's _split_channels: equal parts, the first takes the remainder. */
export function splitChannels(total: number, parts: number): number[] {
  const split = Array.from({ length: parts }, () => Math.floor(total / parts));
  split[0] += total - split.reduce((a, b) => a + b, 0);
  return split;
}

/**
 * A convolution as the plain convolutions it is made of: itself, or one per kernel part of a mixed one
 * (named `<name>.<i>`, over its slice of the channels). Counts, the ONNX builder and every weight
 * strategy read convolutions through this.
 */
export function convParts(layer: ConvLayer): ConvLayer[] {
  if (!layer.parts) return [layer];
  const depthwise = layer.groups === layer.cin;
  return layer.parts.map((p, i) => ({
    ...layer, name: `${layer.name}.${i}`, cin: p.cin, cout: p.cout, kernel: p.kernel, pads: p.pads, groups: depthwise ? p.cin : 1, parts: undefined,
  }));
}

/**
 * Appends layers over numbered tensors (0 is the network input). Blocks (blocks.ts) and lower() build
 * with these primitives; the shape checks live here, once.
 */
export class LayerBuilder {
  readonly layers: Layer[] = [];
  private nextTensor = 1;

  constructor(readonly padding: Padding = 'symmetric') {}

  push(layer: NewLayer): { id: number; shape: Shape } {
    const output = this.nextTensor++;
    this.layers.push({ ...layer, output } as Layer);
    return { id: output, shape: layer.outShape };
  }

  /**
   * Conv + BN + act. `kernel` may be a list (mixed kernels): the channels split into one part per kernel,
   * each part a plain conv (depthwise when `groups` equals the input channels).
   */
  conv(
    name: string, where: Where, input: number, inShape: Shape,
    o: { cout: number; kernel: Kernel; stride: number; groups?: number; act: Activation | null; pad?: 'same' | 'valid'; field?: string },
  ) {
    const groups = o.groups ?? 1;
    if (inShape.c % groups !== 0 || o.cout % groups !== 0) {
      throw new ShapeError(`groups ${groups} do not divide channels ${inShape.c} -> ${o.cout}`, where, o.field ?? 'channels');
    }
    const kernels = Array.isArray(o.kernel) ? o.kernel : [o.kernel];
    const mixed = kernels.length > 1;
    if (mixed && groups !== 1 && groups !== inShape.c) {
      throw new ShapeError(`mixed kernels ${kernels.join('.')} need a full or a depthwise conv, got ${groups} groups`, where, o.field ?? 'kernel');
    }
    if (mixed && (inShape.c < kernels.length || o.cout < kernels.length)) {
      throw new ShapeError(`${kernels.length} mixed kernels need at least ${kernels.length} channels, got ${inShape.c} -> ${o.cout}`, where, o.field ?? 'kernel');
    }
    if (mixed && groups === inShape.c && inShape.c !== o.cout) {
      throw new ShapeError(`a mixed depthwise conv keeps its channels, got ${inShape.c} -> ${o.cout}`, where, o.field ?? 'kernel');
    }
    const padsOf = (k: number): [number, number, number, number] => {
      const [pt, pb] = o.pad === 'valid' ? [0, 0] : samePads(inShape.h, k, o.stride, this.padding);
      const [pl, pr] = o.pad === 'valid' ? [0, 0] : samePads(inShape.w, k, o.stride, this.padding);
      return [pt, pl, pb, pr];
    };
    const kernel = Math.max(...kernels);
    const pads = padsOf(kernels[0]);
    const h = convOut(inShape.h, kernels[0], o.stride, pads[0], pads[2]);
    const w = convOut(inShape.w, kernels[0], o.stride, pads[1], pads[3]);
    if (h < 1 || w < 1) {
      throw new ShapeError(
        `spatial size falls below 1 (${inShape.h}x${inShape.w} -> ${h}x${w} with kernel ${kernels.join('.')}, stride ${o.stride}); raise resolution or remove a stride`,
        where, o.field ?? 'stride',
      );
    }
    const layer: NewLayer<ConvLayer> = {
      type: 'conv', name, where, input, inShape, outShape: { c: o.cout, h, w, fold: inShape.fold },
      cin: inShape.c, cout: o.cout, kernel, stride: o.stride, groups, pads, bn: true, act: o.act,
    };
    if (mixed) {
      const cin = splitChannels(inShape.c, kernels.length);
      const cout = splitChannels(o.cout, kernels.length);
      layer.parts = kernels.map((k, i) => ({ kernel: k, cin: cin[i], cout: cout[i], pads: padsOf(k) }));
    }
    return this.push(layer);
  }

  se(name: string, where: Where, input: number, shape: Shape, o: { squeeze: number; act: Activation; gate: SeGate }) {
    const layer: NewLayer<SeLayer> = { type: 'se', name, where, input, inShape: shape, outShape: shape, channels: shape.c, squeeze: o.squeeze, act: o.act };
    if (o.gate !== 'sigmoid') layer.gate = o.gate;
    return this.push(layer);
  }

  /** Average pool 2x2-style with ceil mode, padding not counted (PyTorch's AvgPool2d(k, s, ceil_mode=True, count_include_pad=False)). */
  avgpool(name: string, where: Where, input: number, inShape: Shape, kernel: number, stride: number) {
    const out = (n: number) => Math.ceil((n - kernel) / stride) + 1;
    const outShape = { ...inShape, h: out(inShape.h), w: out(inShape.w) };
    if (outShape.h < 1 || outShape.w < 1 || inShape.h < kernel || inShape.w < kernel) {
      throw new ShapeError(`spatial size ${inShape.h}x${inShape.w} is below the ${kernel}x${kernel} average pool`, where, 'downsample');
    }
    return this.push({ type: 'avgpool', name, where, input, inShape, outShape, kernel, stride });
  }

  add(name: string, where: Where, a: number, b: number, shape: Shape, act: Activation | null) {
    return this.push({ type: 'add', name, where, input: a, other: b, inShape: shape, outShape: shape, act });
  }
}
