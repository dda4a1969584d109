/**
 * The graph Zen-score runs on (Lin et al., Zen-NAS, ICCV 2021): the lowered network with Gaussian
 * N(0, 1) weights, convolutions without BN folding, every BN replaced by batch-statistics normalisation
 * (mean and variance over N, H, W via ReduceMean, unit scale, zero shift), and no classifier: the output
 * is the feature map before global pooling. Each normalisation also outputs the mean over channels of
 * its batch variance, the quantity Zen-score's BN term takes the log square root of.
 */
import { convParts, type Layer, type Network, type Shape } from '../arch/lower';
import { GraphBuilder } from '../onnx/graph';
import { emitLayers, type EmitStrategy } from '../onnx/build';
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
      for (const p of convParts(l)) conv.set(p.name, fillGaussian(seeded(derive(seed, p.name)), new Float32Array(p.cout * (p.cin / p.groups) * p.kernel * p.kernel)));
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
  const bnOutputs: string[] = [];
  const layers = featureLayers(net);
  const strategy: EmitStrategy = {
    conv(graph, layer, x) {
      const w = graph.floatInit(`${layer.name}.weight`, [layer.cout, layer.cin / layer.groups, layer.kernel, layer.kernel], weights.conv.get(layer.name)!);
      const y = graph.node('Conv', [x, w], {
        kernel_shape: [layer.kernel, layer.kernel], strides: [layer.stride, layer.stride], pads: [...layer.pads], group: layer.groups,
      });
      if (!layer.bn) return y;
      // Batch statistics: BN in training mode with unit scale and zero shift.
      const mean = graph.node('ReduceMean', [y], { axes: [0, 2, 3], keepdims: 1 });
      const centred = graph.node('Sub', [y, mean]);
      const variance = graph.node('ReduceMean', [graph.node('Mul', [centred, centred])], { axes: [0, 2, 3], keepdims: 1 });
      const out = graph.node('ReduceMean', [variance], { keepdims: 0 }, graph.name(`${layer.name}.bn_var`));
      graph.output(out, []);
      bnOutputs.push(out);
      return graph.node('Div', [centred, graph.node('Sqrt', [graph.node('Add', [variance, graph.scalar(`${layer.name}.eps`, BN_EPS)])])]);
    },
    se: (layer) => ({
      reduce: { weight: weights.conv.get(`${layer.name}.reduce`)!, bias: weights.bias.get(`${layer.name}.reduce`)! },
      expand: { weight: weights.conv.get(`${layer.name}.expand`)!, bias: weights.bias.get(`${layer.name}.expand`)! },
    }),
    dense: () => {
      throw new Error('zen graph: the classifier is not part of the feature network');
    },
  };
  const tensors = emitLayers(g, layers, batch, g.input(ZEN_INPUT, dims(batch, net.input)), strategy);
  const lastLayer = layers[layers.length - 1];
  const features = g.node('Identity', [tensors.get(lastLayer.output)!], {}, ZEN_FEATURES);
  const featureShape = dims(batch, lastLayer.outShape);
  g.output(features, featureShape);
  return { bytes: g.toBytes(`${net.name}-zen`, `Zen-score graph of ${net.name}`), bnOutputs, featureShape, weights };
}
