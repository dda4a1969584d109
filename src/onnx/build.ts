/**
 * ONNX builder: a lowered network becomes an inference graph (BN folded into conv weights and biases),
 * fp32 or fp16, with the batch size fixed at build time. Input "input" [N, C, H, W], output "output".
 */
import { convParts, lower, type ConvLayer, type FcLayer, type Layer, type Network, type SeLayer, type Shape } from '../arch/lower';
import type { Activation, ArchConfig } from '../arch/types';
import { GraphBuilder, type Precision } from './graph';
import { convWeights, denseWeights, type ConvWeights } from './weights';

export interface BuildOptions {
  batch?: number;
  precision?: Precision;
  seed?: number;
}

export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';

/** Emits `act(x)`; returns the output tensor name. */
export function emitActivation(g: GraphBuilder, x: string, act: Activation, prefix: string): string {
  switch (act) {
    case 'relu':
      return g.node('Relu', [x]);
    case 'relu6':
      return g.node('Clip', [x, g.scalar(`${prefix}.min`, 0), g.scalar(`${prefix}.max`, 6)]);
    case 'sigmoid':
      return g.node('Sigmoid', [x]);
    case 'swish':
      return g.node('Mul', [x, g.node('Sigmoid', [x])]);
    case 'hswish':
      return g.node('HardSwish', [x]);
    case 'gelu': {
      // 0.5 * x * (1 + erf(x / sqrt 2)); onnxruntime fuses this pattern into its Gelu kernel.
      const erf = g.node('Erf', [g.node('Div', [x, g.scalar(`${prefix}.sqrt2`, Math.SQRT2)])]);
      const gate = g.node('Mul', [g.node('Add', [erf, g.scalar(`${prefix}.one`, 1)]), g.scalar(`${prefix}.half`, 0.5)]);
      return g.node('Mul', [x, gate]);
    }
    case 'mish':
      // x * tanh(softplus(x)); opset 17 has no Mish operator.
      return g.node('Mul', [x, g.node('Tanh', [g.node('Softplus', [x])])]);
  }
}

/** Emits a convolution: one Conv, or for mixed kernels a Split, one Conv per part and a Concat. */
function emitConv(g: GraphBuilder, layer: ConvLayer, x: string, strategy: EmitStrategy): string {
  const parts = convParts(layer);
  if (parts.length === 1) return strategy.conv(g, layer, x);
  const names = parts.map((p) => g.name(`${p.name}.in`));
  g.nodeOutputs('Split', [x, g.int64Init(`${layer.name}.split`, parts.map((p) => p.cin))], names, { axis: 1 });
  return g.node('Concat', parts.map((p, i) => strategy.conv(g, p, names[i])), { axis: 1 });
}

/** Last BN of a residual branch gets a small scale so deep residual stacks keep finite activations. */
function residualBranchEnds(net: Network): Set<number> {
  const producer = new Map(net.layers.map((l) => [l.output, l] as const));
  const ends = new Set<number>();
  for (const l of net.layers) {
    if (l.type !== 'add') continue;
    let t: Layer | undefined = producer.get(l.input);
    // Walk back through SE to the conv that ends the branch.
    while (t && t.type === 'se') t = producer.get(t.input);
    if (t?.type === 'conv') ends.add(t.output);
  }
  return ends;
}

function batchDims(batch: number, s: Shape): number[] {
  return [batch * s.fold, s.c, s.h, s.w];
}

/** What differs between graphs emitted from one lowered network: how convolutions get their weights and BN. */
export interface EmitStrategy {
  /** Emits the convolution (and its batch norm, in whatever form); the activation follows in emitLayers. */
  conv(g: GraphBuilder, layer: ConvLayer, x: string): string;
  /** The two 1x1 convs of a squeeze-excitation: weights [out, in] and biases. */
  se(layer: SeLayer): { reduce: ConvWeights; expand: ConvWeights };
  /** The classifier's weights [cout, cin] and bias. */
  dense(layer: FcLayer): ConvWeights;
}

/** Emits `layers` of a lowered network into `g`; returns the tensor name of every layer output by id. */
export function emitLayers(g: GraphBuilder, layers: Layer[], batch: number, inputName: string, strategy: EmitStrategy): Map<number, string> {
  const tensors = new Map<number, string>([[0, inputName]]);
  const get = (id: number) => tensors.get(id)!;
  for (const layer of layers) {
    const x = get(layer.input);
    let y: string;
    switch (layer.type) {
      case 'conv':
        y = emitConv(g, layer, x, strategy);
        if (layer.act) y = emitActivation(g, y, layer.act, layer.name);
        break;
      case 'se': {
        const { channels: c, squeeze: s } = layer;
        const { reduce, expand } = strategy.se(layer);
        const pooled = g.node('GlobalAveragePool', [x]);
        let z = g.node('Conv', [pooled, g.floatInit(`${layer.name}.reduce.weight`, [s, c, 1, 1], reduce.weight), g.floatInit(`${layer.name}.reduce.bias`, [s], reduce.bias)], { kernel_shape: [1, 1] });
        z = emitActivation(g, z, layer.act, `${layer.name}.act`);
        z = g.node('Conv', [z, g.floatInit(`${layer.name}.expand.weight`, [c, s, 1, 1], expand.weight), g.floatInit(`${layer.name}.expand.bias`, [c], expand.bias)], { kernel_shape: [1, 1] });
        // PyTorch's Hardsigmoid is relu6(x + 3) / 6: ONNX HardSigmoid with alpha 1/6 (its default is 0.2).
        const gate = layer.gate === 'hsigmoid' ? g.node('HardSigmoid', [z], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }) : g.node('Sigmoid', [z]);
        y = g.node('Mul', [x, gate]);
        break;
      }
      case 'add':
        y = g.node('Add', [x, get(layer.other)]);
        if (layer.act) y = emitActivation(g, y, layer.act, layer.name);
        break;
      case 'maxpool':
        y = g.node('MaxPool', [x], { kernel_shape: [layer.kernel, layer.kernel], strides: [layer.stride, layer.stride], pads: [...layer.pads] });
        break;
      case 'avgpool':
        y = g.node('AveragePool', [x], { kernel_shape: [layer.kernel, layer.kernel], strides: [layer.stride, layer.stride], ceil_mode: 1, count_include_pad: 0 });
        break;
      case 'gap':
        y = g.node('Flatten', [g.node('GlobalAveragePool', [x])], { axis: 1 });
        break;
      case 'fc': {
        const w = strategy.dense(layer);
        y = g.node('Gemm', [x, g.floatInit(`${layer.name}.weight`, [layer.cout, layer.cin], w.weight), g.floatInit(`${layer.name}.bias`, [layer.cout], w.bias)], { transB: 1 });
        if (layer.act) y = emitActivation(g, y, layer.act, layer.name);
        break;
      }
      case 'space_to_depth':
        y = g.node('SpaceToDepth', [x], { blocksize: layer.block });
        break;
      case 'space_to_batch': {
        // TensorFlow SpaceToBatchND: output batch index (i * b + j) * N + n holds pixels (h * b + i, w * b + j).
        const b = layer.block;
        const n = batch * layer.inShape.fold;
        const { c, h, w } = layer.inShape;
        const r = g.node('Reshape', [x, g.int64Init(`${layer.name}.shape6`, [n, c, h / b, b, w / b, b])]);
        const t = g.node('Transpose', [r], { perm: [3, 5, 0, 1, 2, 4] });
        y = g.node('Reshape', [t, g.int64Init(`${layer.name}.shape4`, [b * b * n, c, h / b, w / b])]);
        break;
      }
      case 'batch_to_space': {
        const b = layer.block;
        const n = batch * layer.outShape.fold;
        const { c, h, w } = layer.inShape;
        const r = g.node('Reshape', [x, g.int64Init(`${layer.name}.shape6`, [b, b, n, c, h, w])]);
        const t = g.node('Transpose', [r], { perm: [2, 3, 4, 0, 5, 1] });
        y = g.node('Reshape', [t, g.int64Init(`${layer.name}.shape4`, [n, c, h * b, w * b])]);
        break;
      }
    }
    tensors.set(layer.output, y);
  }
  return tensors;
}

/** Inference weights: seeded, He-scaled, BN folded into each conv's weight and bias. */
function inferenceStrategy(net: Network, seed: number): EmitStrategy {
  const branchEnds = residualBranchEnds(net);
  return {
    conv(g, layer, x) {
      const perGroupIn = layer.cin / layer.groups;
      const perOut = perGroupIn * layer.kernel * layer.kernel;
      const w = convWeights(seed, layer.name, layer.cout, perOut, perOut, layer.bn, branchEnds.has(layer.output) ? 0.2 : 1);
      const weight = g.floatInit(`${layer.name}.weight`, [layer.cout, perGroupIn, layer.kernel, layer.kernel], w.weight);
      const bias = g.floatInit(`${layer.name}.bias`, [layer.cout], w.bias);
      return g.node('Conv', [x, weight, bias], {
        kernel_shape: [layer.kernel, layer.kernel],
        strides: [layer.stride, layer.stride],
        pads: [...layer.pads],
        group: layer.groups,
      });
    },
    se: (layer) => ({
      reduce: convWeights(seed, `${layer.name}.reduce`, layer.squeeze, layer.channels, layer.channels, false),
      expand: convWeights(seed, `${layer.name}.expand`, layer.channels, layer.squeeze, layer.squeeze, false),
    }),
    // A pooled head with BN is a 1x1 conv + BN on a 1x1 map: BN folded like any conv's.
    dense: (layer) => (layer.bn ? convWeights(seed, layer.name, layer.cout, layer.cin, layer.cin, true) : denseWeights(seed, layer.name, layer.cout, layer.cin)),
  };
}

/** Builds ONNX model bytes for a lowered network. */
export function buildNetwork(net: Network, options: BuildOptions = {}): Uint8Array {
  const batch = options.batch ?? 1;
  const g = new GraphBuilder(options.precision ?? 'fp32');
  const input = g.input(INPUT_NAME, batchDims(batch, net.input));
  emitLayers(g, net.layers, batch, input, inferenceStrategy(net, options.seed ?? 1));
  g.renameLastOutput(OUTPUT_NAME);
  const out = net.outShape;
  g.output(OUTPUT_NAME, net.layers[net.layers.length - 1].type === 'fc' ? [batch, out.c] : batchDims(batch, out));
  return g.toBytes(net.name, `frontier-gate build of ${net.name}`);
}

/** Builds ONNX model bytes for a config. Callers check resource limits first (parse.ts). */
export function buildModel(config: ArchConfig, options: BuildOptions = {}): Uint8Array {
  return buildNetwork(lower(config), options);
}
