/**
 * The graph Zen-score runs on (Lin et al., Zen-NAS, ICCV 2021): the lowered network with Gaussian
 * N(0, 1) weights, convolutions without BN folding, every BN replaced by batch-statistics normalisation
 * (mean and variance over N, H, W via ReduceMean, unit scale, zero shift), and no classifier: the output
 * is the feature map before global pooling. Each normalisation also outputs the mean over channels of
 * its batch variance, the quantity Zen-score's BN term takes the log square root of.
 */
import type { Layer, Network, Shape } from '../arch/lower';
import { GraphBuilder } from '../onnx/graph';
import { emitActivation } from '../onnx/build';
import { derive, fillGaussian, seeded } from '../util/random';

export const ZEN_INPUT = 'input';
export const ZEN_FEATURES = 'features';
export const BN_EPS = 1e-5;

export interface ZenWeights {
  /** Conv weights [cout, cin/groups, k, k] by layer name; SE convs as `${name}.reduce` / `${name}.expand`. */
  conv: Map<string, Float32Array>;
  /** SE biases (zero, as Zen-NAS's init). */
  bias: Map<string, Float32Array>;
}

export interface ZenGraph {
  bytes: Uint8Array;
  /** Names of the scalar outputs, one per BN layer, in layer order. */
  bnOutputs: string[];
  featureShape: number[];
  weights: ZenWeights;
}

/** The layers Zen-score sees: everything before the global pool. */
export function featureLayers(net: Network): Layer[] {
  const stop = net.layers.findIndex((l) => l.type === 'gap' || l.type === 'fc');
  return stop < 0 ? net.layers : net.layers.slice(0, stop);
}

/** Zen-NAS's network_weight_gaussian_init: conv weights N(0, 1), biases 0. Seeded per layer name. */
export function zenWeights(net: Network, seed: number): ZenWeights {
  const conv = new Map<string, Float32Array>();
  const bias = new Map<string, Float32Array>();
  for (const l of featureLayers(net)) {
    if (l.type === 'conv') {
      conv.set(l.name, fillGaussian(seeded(derive(seed, l.name)), new Float32Array(l.cout * (l.cin / l.groups) * l.kernel * l.kernel)));
    } else if (l.type === 'se') {
      conv.set(`${l.name}.reduce`, fillGaussian(seeded(derive(seed, `${l.name}.reduce`)), new Float32Array(l.squeeze * l.channels)));
      conv.set(`${l.name}.expand`, fillGaussian(seeded(derive(seed, `${l.name}.expand`)), new Float32Array(l.channels * l.squeeze)));
      bias.set(`${l.name}.reduce`, new Float32Array(l.squeeze));
      bias.set(`${l.name}.expand`, new Float32Array(l.channels));
    }
  }
  return { conv, bias };
}

const dims = (batch: number, s: Shape) => [batch * s.fold, s.c, s.h, s.w];

export function buildZenGraph(net: Network, options: { batch: number; seed: number }): ZenGraph {
  const { batch } = options;
  const weights = zenWeights(net, options.seed);
  const g = new GraphBuilder('fp32');
  const tensors = new Map<number, string>([[0, g.input(ZEN_INPUT, dims(batch, net.input))]]);
  const bnOutputs: string[] = [];
  const layers = featureLayers(net);
  let lastShape = net.input;
  for (const layer of layers) {
    const x = tensors.get(layer.input)!;
    let y: string;
    switch (layer.type) {
      case 'conv': {
        const w = g.floatInit(`${layer.name}.weight`, [layer.cout, layer.cin / layer.groups, layer.kernel, layer.kernel], weights.conv.get(layer.name)!);
        y = g.node('Conv', [x, w], {
          kernel_shape: [layer.kernel, layer.kernel], strides: [layer.stride, layer.stride], pads: [...layer.pads], group: layer.groups,
        });
        if (layer.bn) {
          // Batch statistics: BN in training mode with unit scale and zero shift.
          const mean = g.node('ReduceMean', [y], { axes: [0, 2, 3], keepdims: 1 });
          const centred = g.node('Sub', [y, mean]);
          const variance = g.node('ReduceMean', [g.node('Mul', [centred, centred])], { axes: [0, 2, 3], keepdims: 1 });
          y = g.node('Div', [centred, g.node('Sqrt', [g.node('Add', [variance, g.scalar(`${layer.name}.eps`, BN_EPS)])])]);
          const out = g.node('ReduceMean', [variance], { keepdims: 0 }, g.name(`${layer.name}.bn_var`));
          g.output(out, []);
          bnOutputs.push(out);
        }
        if (layer.act) y = emitActivation(g, y, layer.act, layer.name);
        break;
      }
      case 'se': {
        const { channels: c, squeeze: s } = layer;
        const pooled = g.node('GlobalAveragePool', [x]);
        let z = g.node('Conv', [pooled, g.floatInit(`${layer.name}.reduce.weight`, [s, c, 1, 1], weights.conv.get(`${layer.name}.reduce`)!), g.floatInit(`${layer.name}.reduce.bias`, [s], weights.bias.get(`${layer.name}.reduce`)!)], { kernel_shape: [1, 1] });
        z = emitActivation(g, z, layer.act, `${layer.name}.act`);
        z = g.node('Conv', [z, g.floatInit(`${layer.name}.expand.weight`, [c, s, 1, 1], weights.conv.get(`${layer.name}.expand`)!), g.floatInit(`${layer.name}.expand.bias`, [c], weights.bias.get(`${layer.name}.expand`)!)], { kernel_shape: [1, 1] });
        y = g.node('Mul', [x, g.node('Sigmoid', [z])]);
        break;
      }
      case 'add':
        y = g.node('Add', [x, tensors.get(layer.other)!]);
        if (layer.act) y = emitActivation(g, y, layer.act, layer.name);
        break;
      case 'maxpool':
        y = g.node('MaxPool', [x], { kernel_shape: [layer.kernel, layer.kernel], strides: [layer.stride, layer.stride], pads: [...layer.pads] });
        break;
      case 'space_to_depth':
        y = g.node('SpaceToDepth', [x], { blocksize: layer.block });
        break;
      case 'space_to_batch': {
        const b = layer.block;
        const n = batch * layer.inShape.fold;
        const { c, h, w } = layer.inShape;
        const r = g.node('Reshape', [x, g.int64Init(`${layer.name}.shape6`, [n, c, h / b, b, w / b, b])]);
        y = g.node('Reshape', [g.node('Transpose', [r], { perm: [3, 5, 0, 1, 2, 4] }), g.int64Init(`${layer.name}.shape4`, [b * b * n, c, h / b, w / b])]);
        break;
      }
      case 'batch_to_space': {
        const b = layer.block;
        const n = batch * layer.outShape.fold;
        const { c, h, w } = layer.inShape;
        const r = g.node('Reshape', [x, g.int64Init(`${layer.name}.shape6`, [b, b, n, c, h, w])]);
        y = g.node('Reshape', [g.node('Transpose', [r], { perm: [2, 3, 4, 0, 5, 1] }), g.int64Init(`${layer.name}.shape4`, [n, c, h * b, w * b])]);
        break;
      }
      default:
        throw new Error(`zen graph: unexpected layer ${layer.type} before the pool`);
    }
    tensors.set(layer.output, y);
    lastShape = layer.outShape;
  }
  const last = tensors.get(layers[layers.length - 1].output)!;
  const features = g.node('Identity', [last], {}, ZEN_FEATURES);
  const featureShape = dims(batch, lastShape);
  g.output(features, featureShape);
  return { bytes: g.toBytes(`${net.name}-zen`, `Zen-score graph of ${net.name}`), bnOutputs, featureShape, weights };
}
