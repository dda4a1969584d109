/**
 * Exact counts from the lowered network, torchvision's convention: parameters are conv/FC weights and
 * biases plus BN scale and shift (running statistics excluded); multiply-adds cover conv (SE's two 1x1
 * convs included) and FC layers, not the SE gate's multiply, BN, pooling or additions.
 * Bytes describe the inference graph as built (BN folded into conv biases).
 */
import { convParts, lower, type Layer, type Network, type Shape, type Where } from './lower';
import type { ArchConfig, Precision } from './types';

export type { Precision } from './types';
export const BYTES_PER_ELEMENT: Record<Precision, number> = { fp32: 4, fp16: 2 };

export interface LayerCounts {
  name: string;
  type: Layer['type'];
  where: Where;
  outShape: Shape;
  params: number;
  macs: number;
  /** Initializer bytes of the built (BN-folded) layer. */
  weightBytes: number;
  /** Activation traffic: input(s) read plus output written, per image. */
  activationBytes: number;
  /** FLOPs (2 x MACs) per byte moved (weights + activations). */
  intensity: number;
}

export interface NetworkStats {
  name: string;
  resolution: number;
  params: number;
  macs: number;
  weight_bytes: number;
  activation_bytes: number;
  /** Largest sum of live tensors at any point, per image: the memory a run needs for activations. */
  peak_activation_bytes: number;
  intensity: number;
  precision: Precision;
  layers: LayerCounts[];
}

const elements = (s: Shape) => s.c * s.h * s.w * s.fold;

function layerCounts(layer: Layer, bytes: number): Omit<LayerCounts, 'intensity' | 'name' | 'type' | 'where' | 'outShape'> {
  const act = (elements(layer.inShape) + elements(layer.outShape)) * bytes;
  switch (layer.type) {
    case 'conv': {
      // A mixed conv is the sum of its parts (each a plain conv over its slice of the channels).
      const weights = convParts(layer).reduce((a, p) => a + p.kernel * p.kernel * (p.cin / p.groups) * p.cout, 0);
      const spatial = layer.outShape.h * layer.outShape.w * layer.outShape.fold;
      // BN adds scale and shift; folded into the conv, it leaves a bias of cout values.
      const params = weights + (layer.bn ? 2 * layer.cout : 0);
      return { params, macs: weights * spatial, weightBytes: (weights + layer.cout) * bytes, activationBytes: act };
    }
    case 'se': {
      const { channels: c, squeeze: s } = layer;
      const params = c * s + s + s * c + c;
      // The pool reads the tensor, the gate reads it again and writes the result.
      return { params, macs: 2 * c * s * layer.inShape.fold, weightBytes: params * bytes, activationBytes: act + elements(layer.inShape) * bytes };
    }
    case 'fc': {
      // A bias, or BN's scale and shift (folded into a bias when built).
      const params = layer.cin * layer.cout + (layer.bn ? 2 : 1) * layer.cout;
      return { params, macs: layer.cin * layer.cout, weightBytes: (layer.cin * layer.cout + layer.cout) * bytes, activationBytes: act };
    }
    case 'add':
      return { params: 0, macs: 0, weightBytes: 0, activationBytes: act + elements(layer.inShape) * bytes };
    default:
      return { params: 0, macs: 0, weightBytes: 0, activationBytes: act };
  }
}

/** Peak of live activation bytes, walking the layers in order and freeing a tensor after its last use. */
function peakActivations(net: Network, bytes: number): number {
  const lastUse = new Map<number, number>();
  net.layers.forEach((l, i) => {
    lastUse.set(l.input, i);
    if (l.type === 'add') lastUse.set(l.other, i);
  });
  const size = new Map<number, number>([[0, elements(net.input) * bytes]]);
  let live = size.get(0)!;
  let peak = live;
  net.layers.forEach((l, i) => {
    const out = elements(l.outShape) * bytes;
    size.set(l.output, out);
    live += out;
    peak = Math.max(peak, live);
    for (const t of l.type === 'add' ? [l.input, l.other] : [l.input]) {
      if (lastUse.get(t) === i && size.has(t)) {
        live -= size.get(t)!;
        size.delete(t);
      }
    }
  });
  return peak;
}

export function countNetwork(net: Network, resolution: number, precision: Precision = 'fp32'): NetworkStats {
  const bytes = BYTES_PER_ELEMENT[precision];
  const layers: LayerCounts[] = net.layers.map((layer) => {
    const c = layerCounts(layer, bytes);
    const moved = c.weightBytes + c.activationBytes;
    return { name: layer.name, type: layer.type, where: layer.where, outShape: layer.outShape, ...c, intensity: moved ? (2 * c.macs) / moved : 0 };
  });
  const sum = (k: 'params' | 'macs' | 'weightBytes' | 'activationBytes') => layers.reduce((a, l) => a + l[k], 0);
  const weight_bytes = sum('weightBytes');
  const activation_bytes = sum('activationBytes');
  const macs = sum('macs');
  return {
    name: net.name,
    resolution,
    params: sum('params'),
    macs,
    weight_bytes,
    activation_bytes,
    peak_activation_bytes: peakActivations(net, bytes),
    intensity: (2 * macs) / (weight_bytes + activation_bytes),
    precision,
    layers,
  };
}

/** Lowers and counts a config: no tensor is allocated, so this is the pre-allocation resource check too. */
export function countConfig(config: ArchConfig, precision: Precision = 'fp32'): NetworkStats {
  return countNetwork(lower(config), config.resolution, precision);
}
