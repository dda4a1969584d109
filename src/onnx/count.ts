/**
 * Counts of an ONNX graph, from its inferred shapes (infer.ts), with the definitions of src/arch/counts.ts
 * where they apply (README "Exact counts"; docs/onnx.md says what each means for an exported graph):
 *  - params: elements of the stored tensors used as weights or biases (Conv/ConvTranspose/Gemm/MatMul
 *    weights and biases, their integer and QLinear forms, quantized weights behind a DequantizeLinear,
 *    normalization scale and shift, PRelu slopes, constant Add/Mul operands with more than one element).
 *    Shape constants, batch-norm running statistics and quantization scales are not params. An exporter has
 *    folded batch norm into the convolutions, so this is the framework's count less one of BN's two vectors
 *    per folded layer (a few tenths of a percent). One tensor used by several layers is one (tied) parameter;
 *    an Identity of a stored tensor is a separate one (exporters write it for a parameter that equals another).
 *  - macs: multiply-adds of Conv, ConvTranspose, Gemm, MatMul, Einsum (and ConvInteger, QLinearConv,
 *    MatMulInteger, QLinearMatMul), per image.
 *  - weight_bytes: stored bytes of every stored tensor of more than one element a computation reads (params
 *    at their stored type, running statistics, per-channel quantization scales); shape constants and
 *    scalar operands (Clip bounds, a swish's 0.5) excluded.
 *  - activation_bytes: per image, each layer's inputs read and output written, where a layer is a node with
 *    the element-wise ops that follow it fused in (as runtimes fuse them); reshapes and views move nothing.
 *  - intensity = 2 x macs / (weight_bytes + activation_bytes).
 */
import { DT, isFloatType, storedBytes, typeName, type OnnxNode, type OnnxTensor } from './read';
import { matmulShape, type FixedDim, type GraphInput, type InferredGraph, type TensorState } from './infer';

export interface GraphLayer {
  name: string;
  /** The node's op with the element-wise ops fused into it: "Conv+Relu". */
  op: string;
  outShape: number[];
  params: number;
  macs: number;
  weightBytes: number;
  activationBytes: number;
  intensity: number;
}

export interface GraphStats {
  kind: 'onnx';
  name: string;
  file: string;
  opset: number;
  producer: string;
  /** Spatial size of the image input when it is square; null otherwise (input_shape says). */
  resolution: number | null;
  batch: number;
  inputs: GraphInput[];
  /** How each input dim got its value (graph, --batch, --resolution, default). */
  fixed: FixedDim[];
  /** fp32, fp16, bf16, int8 (quantized weights), or mixed. */
  precision: string;
  params: number;
  macs: number;
  weight_bytes: number;
  activation_bytes: number;
  peak_activation_bytes: number;
  intensity: number;
  nodes: number;
  /**
   * Null when every node was counted. Otherwise: the ops outside the inference set that left shapes unknown,
   * how many nodes have unknown shapes (those ops and everything after them), and the counted ops
   * (Conv, Gemm, MatMul...) among them whose multiply-adds are therefore missing.
   */
  partial: { ops: { op: string; nodes: number }[]; unknown_nodes: number; uncounted: { op: string; nodes: number }[] } | null;
  layers: GraphLayer[];
}

/** Input slots that hold weights or biases, per op. */
const WEIGHT_SLOTS: Record<string, number[]> = {
  Conv: [1, 2], ConvTranspose: [1, 2], ConvInteger: [1], QLinearConv: [3, 8], Gemm: [0, 1, 2], MatMul: [0, 1], MatMulInteger: [0, 1],
  QLinearMatMul: [0, 3], BatchNormalization: [1, 2], InstanceNormalization: [1, 2], LayerNormalization: [1, 2], GroupNormalization: [1, 2],
  PRelu: [1], Add: [0, 1], Mul: [0, 1], Einsum: [0, 1, 2, 3],
};
/** Ops a constant passes through on its way to a weight slot (exporters' transposes, casts, dequantization). */
const PASS_THROUGH = new Set(['Identity', 'DequantizeLinear', 'Cast', 'Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten']);
/** Input slots that carry shapes, axes or indices: stored tensors read only here are not weights. */
const SHAPE_SLOTS: Record<string, number[]> = {
  Reshape: [1], Expand: [1], Tile: [1], Slice: [1, 2, 3, 4], Squeeze: [1], Unsqueeze: [1], Pad: [1, 3], Resize: [1, 2, 3], Upsample: [1], Split: [1],
  ConstantOfShape: [0], Range: [0, 1, 2], TopK: [1], OneHot: [1], Gather: [1], ReduceSum: [1], ReduceMean: [1], ReduceMax: [1], ReduceMin: [1],
  ReduceProd: [1], ReduceL1: [1], ReduceL2: [1], ReduceSumSquare: [1], ReduceLogSum: [1], ReduceLogSumExp: [1], CenterCropPad: [1, 2],
};
/** Nodes whose output is (a view of) their input: no traffic, no layer. */
const VIEWS = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout']);
const ELEMENTWISE = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Neg', 'Abs', 'Erf', 'Gelu', 'Softplus',
  'Softsign', 'Elu', 'Selu', 'Celu', 'Mish', 'ThresholdedRelu', 'Clip', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'PRelu',
  'QuantizeLinear', 'DequantizeLinear', 'Cast', 'BatchNormalization', 'Floor', 'Ceil', 'Round', 'Sign', 'Where',
]);
const COUNTED = new Set(['Conv', 'ConvInteger', 'QLinearConv', 'ConvTranspose', 'Gemm', 'MatMul', 'MatMulInteger', 'QLinearMatMul', 'Einsum']);

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Multiply-adds of one node for the whole batch; undefined when a shape is unknown. */
function nodeMacs(node: OnnxNode, get: (i: number) => TensorState | undefined, outDims: number[] | undefined): number | undefined {
  switch (node.opType) {
    case 'Conv':
    case 'ConvInteger':
    case 'QLinearConv': {
      const w = get(node.opType === 'QLinearConv' ? 3 : 1)?.dims;
      return w && outDims ? product(outDims) * product(w.slice(1)) : undefined;
    }
    case 'ConvTranspose': {
      const x = get(0)?.dims;
      const w = get(1)?.dims;
      return x && w ? product(x) * product(w.slice(1)) : undefined;
    }
    case 'Gemm': {
      const a = get(0)?.dims;
      if (!a || !outDims) return undefined;
      const k = node.attrs.get('transA')?.i ? a[0] : a[1];
      return product(outDims) * k;
    }
    case 'MatMul':
    case 'MatMulInteger':
    case 'QLinearMatMul': {
      const a = get(0)?.dims;
      const b = get(node.opType === 'QLinearMatMul' ? 3 : 1)?.dims;
      if (!a || !b || !matmulShape(a, b)) return undefined;
      return product(matmulShape(a, b)!) * a[a.length - 1];
    }
    case 'Einsum': {
      const eq = node.attrs.get('equation')?.s;
      const terms = eq ? new TextDecoder().decode(eq).replace(/\s/g, '').split('->')[0].split(',') : [];
      const size = new Map<string, number>();
      for (let t = 0; t < terms.length; t++) {
        const d = get(t)?.dims;
        if (!d || d.length !== terms[t].length) return undefined;
        [...terms[t]].forEach((c, i) => size.set(c, Math.max(size.get(c) ?? 1, d[i])));
      }
      return terms.length > 1 ? product([...size.values()]) : 0;
    }
  }
  return 0;
}

/** An activation tensor in memory: its bytes and the layer that writes it (-1: a graph input). */
interface ActivationBuffer {
  bytes: number;
  group: number;
}

/** Counts an inferred graph. */
export function countGraph(g: InferredGraph, name: string): GraphStats {
  const { tensors, order, model } = g;
  const producer = new Map<string, OnnxNode>();
  for (const n of order) for (const o of n.outputs) if (o) producer.set(o, n);
  const state = (t: string) => (t ? tensors.get(t) : undefined);
  const batch = Math.max(1, g.batch);

  // --- Parameters and weight bytes --------------------------------------------------------------
  /** A weight slot's tensor traced back to its storage: the parameter's key, its root and its side tensors (scales). */
  const trace = (tensor: string): { key: string; root: OnnxTensor; quantized: boolean; side: OnnxTensor[] } | undefined => {
    let cur = tensor;
    let key: string | undefined;
    let quantized = false;
    const side: OnnxTensor[] = [];
    for (let hops = 0; hops < 64; hops++) {
      const s = state(cur);
      if (!s?.constant) return undefined;
      const p = producer.get(cur);
      if (!p || p.opType === 'Constant') {
        if (!s.stored) return undefined;
        return { key: key ?? `stored:${s.stored.where}`, root: s.stored, quantized, side };
      }
      if (!PASS_THROUGH.has(p.opType)) return undefined;
      if (p.opType === 'DequantizeLinear') {
        quantized = true;
        for (const i of p.inputs.slice(1)) {
          const st = state(i)?.stored;
          if (st) side.push(st);
        }
      }
      // Walking back, the Identity nearest the storage names the parameter.
      if (p.opType === 'Identity') key = `identity:${cur}`;
      cur = p.inputs[0];
    }
    return undefined;
  };
  const paramKeys = new Map<string, { root: OnnxTensor; quantized: boolean }>();
  const paramRoots = new Set<OnnxTensor>();
  const weightRoots = new Set<OnnxTensor>();
  /** Bytes of a stored tensor read as a weight, the first time it is read (scalars are operands, not weights). */
  const weight = (t: OnnxTensor): number => {
    if (t.elements <= 1 || weightRoots.has(t) || paramRoots.has(t)) return 0;
    weightRoots.add(t);
    return storedBytes(t.dataType, t.elements);
  };
  const isParamSlot = (node: OnnxNode, slot: number): boolean => {
    const slots = WEIGHT_SLOTS[node.opType];
    if (!slots?.includes(slot)) return false;
    const s = state(node.inputs[slot]);
    if (!s?.constant || !s.dims) return false;
    if (node.opType === 'Add' || node.opType === 'Mul') {
      // A bias or a scale: a float vector or tensor, never a scalar or a shape computation.
      return product(s.dims) > 1 && isFloatType(s.type) && !(node.inputs.every((i) => state(i)?.constant));
    }
    if ((node.opType === 'MatMul' || node.opType === 'Gemm' || node.opType === 'Einsum') && node.inputs.every((i) => !i || state(i)?.constant)) return false;
    return true;
  };
  const nodeParams = new Map<OnnxNode, number>();
  const nodeWeightBytes = new Map<OnnxNode, number>();
  for (const node of order) {
    if (node.outputs.every((o) => !o || state(o)?.constant)) continue;
    let params = 0;
    let wbytes = 0;
    node.inputs.forEach((input, slot) => {
      if (!input) return;
      const param = isParamSlot(node, slot);
      if (!param && SHAPE_SLOTS[node.opType]?.includes(slot)) return;
      const t = trace(input);
      if (!t) return;
      if (param && !paramKeys.has(t.key)) {
        paramKeys.set(t.key, { root: t.root, quantized: t.quantized });
        paramRoots.add(t.root);
        // Each key is a parameter of its own (an Identity copy too), stored bytes and all.
        params += t.root.elements;
        wbytes += storedBytes(t.root.dataType, t.root.elements);
      } else if (!param) wbytes += weight(t.root);
      for (const side of t.side) wbytes += weight(side);
    });
    nodeParams.set(node, params);
    nodeWeightBytes.set(node, wbytes);
  }
  const params = [...paramKeys.values()].reduce((a, p) => a + p.root.elements, 0);
  const weight_bytes = [...nodeWeightBytes.values()].reduce((a, b) => a + b, 0);

  // --- Layers: a node and the element-wise ops fused after it ---------------------------------------
  const buffers = new Map<string, ActivationBuffer>();
  const alias = new Map<string, string>();
  const bufferOf = (t: string) => alias.get(t) ?? t;
  const bytesOf = (t: string): number => {
    const s = state(t);
    return s?.dims ? storedBytes(s.type, product(s.dims)) : 0;
  };
  for (const i of g.inputs) buffers.set(i.name, { bytes: bytesOf(i.name), group: -1 });
  interface Group { root: OnnxNode; ops: string[]; nodes: OnnxNode[]; last: string }
  const groups: Group[] = [];
  const unknownCounted = new Map<string, number>();
  let macs = 0;
  const groupMacs: number[] = [];
  for (const node of order) {
    const outs = node.outputs.filter(Boolean);
    if (!outs.length || outs.every((o) => state(o)?.constant)) continue;
    const live = node.inputs.filter((i) => i && !state(i)?.constant);
    // Views and dequantization of activations: the output is the input's buffer (DQ reads the quantized bytes).
    if ((VIEWS.has(node.opType) || (node.opType === 'DequantizeLinear' && live.length === 1)) && live.length === 1 && live[0] === node.inputs[0]) {
      alias.set(outs[0], bufferOf(live[0]));
      continue;
    }
    const fromGroups = new Set(live.map((i) => buffers.get(bufferOf(i))?.group ?? -1));
    let gi: number;
    if (ELEMENTWISE.has(node.opType) && fromGroups.size === 1 && [...fromGroups][0] >= 0) {
      gi = [...fromGroups][0];
      const grp = groups[gi];
      if (grp.ops[grp.ops.length - 1] !== node.opType) grp.ops.push(node.opType);
      grp.nodes.push(node);
      grp.last = outs[0];
    } else {
      gi = groups.length;
      groups.push({ root: node, ops: [node.opType], nodes: [node], last: outs[0] });
      groupMacs.push(0);
    }
    for (const o of outs) buffers.set(o, { bytes: bytesOf(o), group: gi });
    if (COUNTED.has(node.opType)) {
      const m = nodeMacs(node, (i) => state(node.inputs[i] ?? ''), state(outs[0])?.dims);
      if (m === undefined) unknownCounted.set(node.opType, (unknownCounted.get(node.opType) ?? 0) + 1);
      else {
        macs += m;
        groupMacs[gi] += m;
      }
    }
  }
  // Reads and writes of each group: buffers crossing its boundary.
  const reads = groups.map(() => new Set<string>());
  const written = new Set<string>();
  const lastUse = new Map<string, number>();
  groups.forEach((grp, gi) => {
    for (const node of grp.nodes) {
      for (const i of node.inputs) {
        if (!i || state(i)?.constant) continue;
        const b = bufferOf(i);
        const from = buffers.get(b);
        if (!from || from.group === gi) continue;
        reads[gi].add(b);
        written.add(b);
        lastUse.set(b, gi);
      }
    }
  });
  for (const o of model.graph.outputs) {
    const b = bufferOf(o.name);
    if (buffers.has(b)) {
      written.add(b);
      lastUse.set(b, groups.length);
    }
  }
  const writes = groups.map(() => 0);
  for (const [b, info] of buffers) if (info.group >= 0 && written.has(b)) writes[info.group] += info.bytes;
  const layers: GraphLayer[] = groups.map((grp, gi) => {
    const inBytes = [...reads[gi]].reduce((a, b) => a + (buffers.get(b)?.bytes ?? 0), 0);
    const outBytes = writes[gi];
    const activationBytes = (inBytes + outBytes) / batch;
    const p = grp.nodes.reduce((a, n) => a + (nodeParams.get(n) ?? 0), 0);
    const w = grp.nodes.reduce((a, n) => a + (nodeWeightBytes.get(n) ?? 0), 0);
    const m = groupMacs[gi] / batch;
    const moved = w + activationBytes;
    return {
      name: grp.root.name || grp.root.outputs[0],
      op: grp.ops.join('+'),
      outShape: state(grp.last)?.dims ?? [],
      params: p,
      macs: m,
      weightBytes: w,
      activationBytes,
      intensity: moved ? (2 * m) / moved : 0,
    };
  });

  // Peak of live buffers, walking the layers in order (inputs live from the start).
  let live = g.inputs.reduce((a, i) => a + (buffers.get(i.name)?.bytes ?? 0), 0);
  let peak = live;
  const freeAt = new Map<number, number>();
  for (const [b, at] of lastUse) freeAt.set(at, (freeAt.get(at) ?? 0) + (buffers.get(b)?.bytes ?? 0));
  groups.forEach((_, gi) => {
    live += writes[gi];
    peak = Math.max(peak, live);
    live -= freeAt.get(gi) ?? 0;
  });

  const activation_bytes = layers.reduce((a, l) => a + l.activationBytes, 0);
  const perImageMacs = macs / batch;
  const byCount = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([op, nodes]) => ({ op, nodes }));
  const image = g.inputs.find((i) => i.layout);
  const spatial = image ? (image.layout!.order === 'NCHW' ? image.dims.slice(2) : image.dims.slice(1, 3)) : [];
  return {
    kind: 'onnx',
    name,
    file: model.file,
    opset: g.opset,
    producer: [model.producer.name, model.producer.version].filter(Boolean).join(' '),
    resolution: spatial.length === 2 && spatial[0] === spatial[1] ? spatial[0] : null,
    batch,
    inputs: g.inputs,
    fixed: g.fixed,
    precision: precisionOf([...paramKeys.values()]),
    params,
    macs: perImageMacs,
    weight_bytes,
    activation_bytes,
    peak_activation_bytes: peak / batch,
    intensity: weight_bytes + activation_bytes ? (2 * perImageMacs) / (weight_bytes + activation_bytes) : 0,
    nodes: order.length,
    partial: g.unknownNodes || unknownCounted.size ? { ops: byCount(g.unknownOps), unknown_nodes: g.unknownNodes, uncounted: byCount(unknownCounted) } : null,
    layers,
  };
}

function precisionOf(params: { root: OnnxTensor; quantized: boolean }[]): string {
  const kinds = new Set<string>();
  for (const p of params) {
    if (p.root.elements < 16) continue;
    const t = p.root.dataType;
    if (t === DT.INT8 || t === DT.UINT8 || p.quantized) {
      if (p.root.dataType !== DT.INT32) kinds.add('int8');
    } else if (t === DT.FLOAT16) kinds.add('fp16');
    else if (t === DT.BFLOAT16) kinds.add('bf16');
    else if (t === DT.FLOAT) kinds.add('fp32');
    else if (t !== DT.INT32) kinds.add(typeName(t));
  }
  // Quantized graphs keep float biases and a float classifier often: int8 weights name the graph.
  if (kinds.has('int8')) return 'int8';
  if (kinds.size === 1) return [...kinds][0];
  return kinds.size ? 'mixed' : 'fp32';
}
