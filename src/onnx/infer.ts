/**
 * Shape inference over a bounded, documented op set (docs/onnx.md lists it), for opsets 11 to 21.
 *
 * onnxruntime-node exposes no intermediate shapes, and the limits must hold before any session exists, so
 * shapes are inferred here: the graph inputs' symbolic dims are fixed first (batch from --batch, spatial
 * dims from --resolution, or what the graph states; the result says which and how), then every node in
 * topological order gets its outputs' element type and dims. Small integer tensors (shape arithmetic:
 * Shape -> Gather -> Concat -> Reshape) carry their values, so exporters' dynamic-shape subgraphs resolve to
 * static shapes. Every inferred tensor is checked against the tensor-bytes limit as soon as its dims are
 * known, naming the node (a ConstantOfShape or Expand to 16 GB is exit 2 here, before onnxruntime).
 *
 * An op outside the set gets unknown outputs (its consumers then too) and is listed, so counts say they are
 * partial; an op that sizes its output from values (ConstantOfShape, Expand, Tile, Range, Pad, Resize...)
 * whose output size cannot be inferred is refused: nothing bounds it. Loop/Scan/If bodies are inferred for
 * the same checks, and their trip counts bound the node executions of one inference.
 */
import { UserError } from '../errors';
import { DEFAULT_LIMITS } from '../arch/types';
import { excerpt } from '../util/fs';
import { DT, elementBytes, isFloatType, tensorValues, typeName, type AttrValue, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from './read';

export const MIN_OPSET = 11;
export const MAX_OPSET = 21;

/** Limits shape inference enforces (beside ONNX_LIMITS on the file). */
export interface InferLimits {
  /** Bytes of any one tensor at the batch inferred (graph inputs included). */
  maxTensorBytes: number;
  /** Node executions of one inference: nodes, plus loop trip count x body nodes. */
  maxNodeRuns: number;
}
export const DEFAULT_INFER_LIMITS: InferLimits = { maxTensorBytes: DEFAULT_LIMITS.maxActivationBytes, maxNodeRuns: 1_000_000 };

/** Values of small computed tensors are carried up to this many elements (shape arithmetic, not data). */
const MAX_VALUES = 4096;
/** Stored tensors have their values decoded up to this many elements: shape vectors, axes, scalars. */
const MAX_STORED_VALUES = 64;
/** All values carried in one inference: past it, values are dropped (shapes they decide become unknown). */
const VALUE_BUDGET = 1_000_000;

export interface TensorState {
  type: number;
  /** Undefined when the shape could not be inferred. */
  dims?: number[];
  /** The values, for small tensors computed from constants only. */
  values?: number[];
  /** Computed from stored tensors only (no graph input reaches it). */
  constant: boolean;
  /** The stored tensor it is (an initializer, a Constant, or an Identity of one). */
  stored?: OnnxTensor;
  /** Produced by an Identity of a stored tensor: a separate parameter with equal values (exporters dedupe). */
  viaIdentity?: boolean;
}

/** How one symbolic or fixed input dim got its value. */
export interface FixedDim {
  input: string;
  axis: number;
  /** The dim as the graph declares it (a symbol, a number, or undefined). */
  declared: string | number | null;
  value: number;
  by: 'graph' | '--batch' | '--resolution' | 'default batch 1';
}

export interface GraphInput {
  name: string;
  type: number;
  dims: number[];
  /** For 4-D image inputs: which axes are channels and spatial, and why. */
  layout?: { order: 'NCHW' | 'NHWC'; reason: string };
}

export interface InferOptions {
  batch?: number;
  resolution?: number;
  limits?: Partial<InferLimits>;
  /** Called with the fixed inputs before anything else is inferred (measure checks its input-bytes cap here). */
  checkInputs?: (inputs: GraphInput[]) => void;
}

export interface InferredGraph {
  model: OnnxModel;
  opset: number;
  order: OnnxNode[];
  tensors: Map<string, TensorState>;
  inputs: GraphInput[];
  fixed: FixedDim[];
  /** Batch the shapes were inferred at (the first input's axis 0; 1 when it has none). */
  batch: number;
  /** Ops outside the set (or that failed on known inputs): the causes of unknown shapes, with their node counts. */
  unknownOps: Map<string, number>;
  /** Nodes whose outputs have unknown shapes: the causes and every node after them. */
  unknownNodes: number;
  /** Node executions of one inference (loops unrolled by their trip counts). */
  nodeRuns: number;
}

export class InferenceError extends UserError {
  constructor(file: string, node: OnnxNode | undefined, detail: string) {
    super(`${file}: ${node ? `${nodeLabel(node)}: ` : ''}${detail}`);
    this.name = 'InferenceError';
  }
}

export function nodeLabel(node: OnnxNode): string {
  const name = node.name || node.outputs[0] || `#${node.index}`;
  return `node ${excerpt(name, 80)} (${node.domain ? `${node.domain}:` : ''}${node.opType})`;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const fmtDims = (dims: readonly number[]) => `[${dims.join(', ')}]`;

/** Ops that size their output from input values or attributes: refused when their output size is unknown. */
const GENERATORS = new Set([
  'ConstantOfShape', 'Expand', 'Tile', 'Range', 'Pad', 'Resize', 'Upsample', 'OneHot', 'RandomNormal', 'RandomUniform', 'Multinomial',
  'ConvTranspose', 'MaxUnpool', 'Col2Im', 'CenterCropPad', 'BlackmanWindow', 'HannWindow', 'HammingWindow', 'MelWeightMatrix', 'STFT', 'DFT',
  'RoiAlign', 'MaxRoiPool', 'GridSample', 'AffineGrid',
]);

const UNARY = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Neg', 'Abs', 'Erf', 'Gelu', 'Softplus',
  'Softsign', 'Elu', 'Selu', 'Celu', 'Mish', 'ThresholdedRelu', 'Floor', 'Ceil', 'Round', 'Sign', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan',
  'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Softmax', 'LogSoftmax', 'Hardmax', 'Identity', 'Clip', 'Shrink', 'LRN', 'InstanceNormalization',
  'MeanVarianceNormalization', 'CumSum', 'Trilu', 'Bernoulli', 'Not', 'BitwiseNot', 'ReverseSequence', 'ScatterND', 'ScatterElements',
  'Scatter', 'GroupNormalization', 'BatchNormalization', 'Dropout', 'LayerNormalization', 'RandomNormalLike', 'RandomUniformLike', 'EyeLike',
  'IsNaN', 'IsInf', 'PRelu',
]);
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'BitShift', 'And', 'Or', 'Xor', 'Equal', 'Less', 'Greater', 'LessOrEqual',
  'GreaterOrEqual', 'Max', 'Min', 'Sum', 'Mean', 'Where', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'PRelu']);
const BOOL_OUT = new Set(['And', 'Or', 'Xor', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'IsNaN', 'IsInf']);
const REDUCE = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp']);

/** The op set, for docs and messages: every default-domain op this module infers. */
export const INFERRED_OPS: readonly string[] = [...new Set([
  ...UNARY, ...BROADCAST, ...REDUCE,
  'Conv', 'ConvInteger', 'QLinearConv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool',
  'Gemm', 'MatMul', 'MatMulInteger', 'QLinearMatMul', 'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear', 'Cast', 'CastLike',
  'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Concat', 'Split', 'Slice', 'Gather', 'GatherElements', 'GatherND', 'Shape', 'Size',
  'Expand', 'Tile', 'Pad', 'Resize', 'Upsample', 'ConstantOfShape', 'Constant', 'Range', 'DepthToSpace', 'SpaceToDepth', 'ArgMax', 'ArgMin',
  'TopK', 'OneHot', 'RandomNormal', 'RandomUniform', 'GridSample', 'RoiAlign', 'Einsum', 'HannWindow', 'HammingWindow', 'BlackmanWindow',
])].sort();

// ---------------------------------------------------------------------------------------------------
// Attribute access

const attrInt = (n: OnnxNode, name: string, dflt: number): number => n.attrs.get(name)?.i ?? dflt;
const attrInts = (n: OnnxNode, name: string): number[] | undefined => n.attrs.get(name)?.ints;
const attrFloats = (n: OnnxNode, name: string): number[] | undefined => n.attrs.get(name)?.floats;
const attrString = (n: OnnxNode, name: string, dflt: string): string => {
  const s = n.attrs.get(name)?.s;
  return s ? new TextDecoder().decode(s) : dflt;
};

/** Broadcast of numpy shapes; undefined when they do not broadcast. */
export function broadcast(shapes: number[][]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) return undefined;
      d = v;
    }
    out.push(d);
  }
  return out;
}

const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** Output size of a convolution or pool along one spatial axis (ONNX's formulas). */
function windowOut(inSize: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, autoPad: string, ceil: boolean): number {
  const eff = (kernel - 1) * dilation + 1;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(inSize / stride);
  if (autoPad === 'VALID') return Math.floor((inSize - eff) / stride) + 1;
  const span = inSize + padBegin + padEnd - eff;
  if (!ceil) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  // The last window must start inside the input or its begin padding (PyTorch and onnxruntime agree).
  if ((out - 1) * stride >= inSize + padBegin) out -= 1;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Inference

interface Ctx {
  file: string;
  opset: number;
  limits: InferLimits;
  tensors: Map<string, TensorState>;
  unknownOps: Map<string, number>;
  unknownNodes: number;
  nodeRuns: number;
  /** Values carried so far (VALUE_BUDGET). */
  values: number;
}

function fail(ctx: Ctx, node: OnnxNode | undefined, detail: string): never {
  throw new InferenceError(ctx.file, node, detail);
}

/** Checks a tensor's size against the limit the moment its dims are known. */
function checkSize(ctx: Ctx, node: OnnxNode | undefined, name: string, state: TensorState): void {
  if (!state.dims) return;
  for (const d of state.dims) {
    if (!Number.isSafeInteger(d) || d < 0) fail(ctx, node, `tensor ${excerpt(name, 80)} would have shape ${fmtDims(state.dims)}, which is not a shape (dims are integers >= 0)`);
  }
  const elements = product(state.dims);
  const bytes = elements * Math.max(elementBytes(state.type), state.type === DT.STRING ? 8 : 1);
  if (!Number.isSafeInteger(elements) || bytes > ctx.limits.maxTensorBytes) {
    const size = Number.isFinite(bytes) ? `${bytes.toLocaleString('en-US')} bytes` : 'more than 2^53 bytes';
    fail(ctx, node, `makes tensor ${excerpt(name, 80)} of shape ${fmtDims(state.dims)} (${typeName(state.type)}), ${size}, over the limit of ` +
      `${ctx.limits.maxTensorBytes.toLocaleString('en-US')} bytes for one tensor (maxActivationBytes; --max-activation-bytes raises it); refused before any session`);
  }
}

function storedState(t: OnnxTensor): TensorState {
  return { type: t.dataType, dims: [...t.dims], values: tensorValues(t, MAX_STORED_VALUES), constant: true, stored: t };
}

/** Fixes every graph input's dims; returns them with how each dim was fixed. */
function fixInputs(model: OnnxModel, order: OnnxNode[], opts: InferOptions): { inputs: GraphInput[]; fixed: FixedDim[] } {
  const g = model.graph;
  const stored = new Set([...g.initializers.map((t) => t.name), ...g.sparseInitializers.map((s) => s.name)]);
  const inputs: GraphInput[] = [];
  const fixed: FixedDim[] = [];
  const symbols = new Map<string, number>();
  for (const input of g.inputs) {
    if (stored.has(input.name)) continue;
    const where = `${model.file}: input ${excerpt(input.name, 80)}`;
    if (input.kind !== 'tensor' || input.elemType === undefined) throw new UserError(`${where} is not a tensor; only tensor inputs can be measured`);
    if (!input.dims) throw new UserError(`${where} declares no shape (not even its rank); re-export with the input's shape, e.g. torch.onnx.export(..., input_names=[...]) from a sample input`);
    const declared = input.dims;
    const rank = declared.length;
    const layout = rank === 4 ? detectLayout(declared, input.name, order) : undefined;
    const spatial = layout ? (layout.order === 'NCHW' ? [2, 3] : [1, 2]) : [];
    const dims = declared.map((d, axis): number => {
      const symbol = typeof d === 'string' && d ? d : undefined;
      const record = (value: number, by: FixedDim['by']) => {
        fixed.push({ input: input.name, axis, declared: d ?? null, value, by });
        if (symbol) symbols.set(symbol, value);
        return value;
      };
      if (typeof d === 'number' && d > 0) return record(d, 'graph');
      if (axis === 0 && rank >= 2) return opts.batch !== undefined ? record(opts.batch, '--batch') : record(symbols.get(symbol ?? '') ?? 1, 'default batch 1');
      if (spatial.includes(axis)) {
        if (opts.resolution !== undefined) return record(opts.resolution, '--resolution');
        throw new UserError(`${where} has a dynamic ${axis === spatial[0] ? 'height' : 'width'} (axis ${axis}${symbol ? `, ${excerpt(symbol, 40)}` : ''}); pass --resolution N to fix it`);
      }
      if (symbol && symbols.has(symbol)) return record(symbols.get(symbol)!, opts.batch !== undefined ? '--batch' : 'default batch 1');
      throw new UserError(`${where} has a dynamic dimension at axis ${axis}${symbol ? ` (${excerpt(symbol, 40)})` : ''} that neither --batch nor --resolution fixes; re-export it with a fixed size`);
    });
    inputs.push({ name: input.name, type: input.elemType, dims, ...(layout ? { layout } : {}) });
  }
  return { inputs, fixed };
}

/**
 * NCHW or NHWC for a 4-D input: the channel axis is the small static one (<= 4); when the dims do not say,
 * a Transpose with perm [0, 3, 1, 2] right after the input (TensorFlow exports) means NHWC.
 */
function detectLayout(dims: (number | string | undefined)[], name: string, order: OnnxNode[]): GraphInput['layout'] {
  const small = (d: unknown) => typeof d === 'number' && d > 0 && d <= 4;
  const transposed = order.find((n) => n.opType === 'Transpose' && n.inputs[0] === name);
  const perm = transposed?.attrs.get('perm')?.ints;
  if (small(dims[1]) && !small(dims[3])) return { order: 'NCHW', reason: `axis 1 holds ${dims[1]} channels` };
  if (small(dims[3]) && !small(dims[1])) return { order: 'NHWC', reason: `axis 3 holds ${dims[3]} channels` };
  if (perm && perm.join() === '0,3,1,2') return { order: 'NHWC', reason: 'the input is transposed with perm [0, 3, 1, 2] before use' };
  return { order: 'NCHW', reason: 'the default (no channel axis stands out)' };
}

/** Infers the whole model. Throws InferenceError/UserError (exit 2) on any limit or impossible shape. */
export function inferModel(model: OnnxModel, order: OnnxNode[], opts: InferOptions = {}): InferredGraph {
  const opset = model.opsets.get('') ?? 0;
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new UserError(`${model.file}: imports ONNX opset ${opset || '(none)'}; supported: ${MIN_OPSET} to ${MAX_OPSET} (re-export with opset_version in that range)`);
  }
  const ctx: Ctx = { file: model.file, opset, limits: { ...DEFAULT_INFER_LIMITS, ...opts.limits }, tensors: new Map(), unknownOps: new Map(), unknownNodes: 0, nodeRuns: 0, values: 0 };
  const { inputs, fixed } = fixInputs(model, order, opts);
  opts.checkInputs?.(inputs);
  for (const t of model.graph.initializers) ctx.tensors.set(t.name, storedState(t));
  for (const s of model.graph.sparseInitializers) ctx.tensors.set(s.name, { type: s.values.dataType, dims: s.dims, constant: true, stored: s.values });
  for (const i of inputs) {
    const state: TensorState = { type: i.type, dims: i.dims, constant: false };
    checkSize(ctx, undefined, i.name, state);
    ctx.tensors.set(i.name, state);
  }
  inferNodes(ctx, order, 1);
  const batch = inputs[0]?.dims.length && inputs[0].dims.length >= 2 ? inputs[0].dims[0] : 1;
  return { model, opset, order, tensors: ctx.tensors, inputs, fixed, batch, unknownOps: ctx.unknownOps, unknownNodes: ctx.unknownNodes, nodeRuns: ctx.nodeRuns };
}

function inferNodes(ctx: Ctx, nodes: OnnxNode[], runs: number): void {
  ctx.nodeRuns += nodes.length * runs;
  if (ctx.nodeRuns > ctx.limits.maxNodeRuns) {
    fail(ctx, undefined, `one inference would execute more than ${ctx.limits.maxNodeRuns.toLocaleString('en-US')} nodes (loops counted by their trip counts; limit maxNodeRuns)`);
  }
  for (const node of nodes) {
    const ins = node.inputs.map((name) => (name ? ctx.tensors.get(name) : undefined));
    let outs: (TensorState | undefined)[];
    if (node.domain === '' || node.domain === 'ai.onnx') outs = safely(ctx, node, () => inferNode(ctx, node, ins, runs));
    else outs = [];
    const known = outs.length > 0 && node.outputs.every((o, i) => !o || outs[i]?.dims);
    if (!known) {
      if (GENERATORS.has(node.opType) && node.domain === '') {
        fail(ctx, node, 'sizes its output from values that are only known at run time, so its size cannot be bounded before a session (refused); ' +
          'export with static shapes (fixed input size, constant-folded shape arithmetic)');
      }
      ctx.unknownNodes++;
      // Only the causes are named: a node whose inputs were all known but whose outputs are not.
      if (ins.every((s, i) => !node.inputs[i] || s?.dims)) {
        const key = node.domain ? `${node.domain}:${node.opType}` : node.opType;
        ctx.unknownOps.set(key, (ctx.unknownOps.get(key) ?? 0) + 1);
      }
    }
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const state: TensorState = outs[i] ?? { type: 0, constant: false };
      checkSize(ctx, node, name, state);
      if (state.values && (state.dims === undefined || state.values.length !== product(state.dims) || state.values.length > MAX_VALUES || (ctx.values += state.values.length) > VALUE_BUDGET)) delete state.values;
      ctx.tensors.set(name, state);
    });
  }
}

/**
 * A node whose inputs or attributes break an assumption of its rule (a missing required input, a list of
 * the wrong length) is the file's fault, not ours to show as a stack: exit 2 naming it.
 */
function safely<T>(ctx: Ctx, node: OnnxNode, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof UserError || !(err instanceof TypeError || err instanceof RangeError)) throw err;
    return fail(ctx, node, `its inputs (${node.inputs.length}) or attributes do not fit ${node.opType} at opset ${ctx.opset}; check the export (${err.message})`);
  }
}

const isConst = (ins: (TensorState | undefined)[]) => ins.every((s) => !s || s.constant);

/** Outputs of one node; an empty list (or undefined entries) where the shape is unknown. */
function inferNode(ctx: Ctx, node: OnnxNode, ins: (TensorState | undefined)[], runs: number): (TensorState | undefined)[] {
  const op = node.opType;
  const x = ins[0];
  const constant = isConst(ins);
  const same = (type = x?.type ?? 0): TensorState => ({ type, dims: x?.dims, constant });
  const out = (dims: number[] | undefined, type = x?.type ?? 0, values?: number[]): TensorState => ({ type, dims, constant, ...(values ? { values } : {}) });
  const bad: (detail: string) => never = (detail) => fail(ctx, node, detail);
  const needDims = (i: number) => ins[i]?.dims;

  if (op === 'Constant') return [constantState(ctx, node)];
  if (op === 'Identity') return x ? [{ ...x, ...(x.stored ? { viaIdentity: true } : {}) }] : [];
  if (op === 'Loop' || op === 'Scan' || op === 'If') {
    inferControlFlow(ctx, node, ins, runs);
    return [];
  }
  if (op === 'Cast' || op === 'CastLike') {
    const to = op === 'Cast' ? attrInt(node, 'to', DT.FLOAT) : (ins[1]?.type ?? DT.FLOAT);
    const values = x?.values && !isFloatType(to) ? x.values.map(Math.trunc) : x?.values;
    return [out(x?.dims, to, values)];
  }
  if (op === 'QuantizeLinear') {
    const zp = ins[2];
    const outType = attrInt(node, 'output_dtype', 0) || zp?.type || DT.UINT8;
    return [same(outType)];
  }
  if (op === 'DequantizeLinear') return [same(ins[1]?.type ?? DT.FLOAT)];
  if (op === 'DynamicQuantizeLinear') return [same(DT.UINT8), out([], DT.FLOAT), out([], DT.UINT8)];
  if (op === 'Dropout') return [same(), same(DT.BOOL)];
  if (op === 'LayerNormalization') {
    const d = x?.dims;
    const axis = d ? normAxis(attrInt(node, 'axis', -1), d.length) : 0;
    const stat = d ? d.map((v, i) => (i < axis ? v : 1)) : undefined;
    return [same(), out(stat, DT.FLOAT), out(stat, DT.FLOAT)];
  }
  if (op === 'BatchNormalization') return [same()];
  if (op === 'EyeLike' || op === 'RandomNormalLike' || op === 'RandomUniformLike') return [same(attrInt(node, 'dtype', x?.type ?? DT.FLOAT))];
  if (UNARY.has(op) && !BROADCAST.has(op)) {
    const fn = UNARY_VALUES[op] as ((v: number) => number) | undefined;
    return [out(x?.dims, BOOL_OUT.has(op) ? DT.BOOL : x?.type, fn && x?.values ? x.values.map(fn) : undefined)];
  }
  if (BROADCAST.has(op)) {
    const present = ins.filter((s): s is TensorState => !!s);
    if (!present.length) bad('has no inputs');
    if (present.some((s) => !s.dims)) return [];
    const dims = broadcast(present.map((s) => s.dims!));
    if (!dims) bad(`inputs of shapes ${present.map((s) => fmtDims(s.dims!)).join(' and ')} do not broadcast`);
    const type = op === 'Where' ? (ins[1]?.type ?? 0) : BOOL_OUT.has(op) ? DT.BOOL : x?.type ?? 0;
    return [out(dims, type, elementwiseValues(op, present, dims))];
  }
  if (REDUCE.has(op) || op === 'ArgMax' || op === 'ArgMin') {
    const d = x?.dims;
    if (!d) return [];
    const keep = attrInt(node, 'keepdims', 1) === 1;
    let axes: number[] | undefined;
    if (op === 'ArgMax' || op === 'ArgMin') axes = [attrInt(node, 'axis', 0)];
    else if ((op === 'ReduceSum' && ctx.opset >= 13) || ctx.opset >= 18) {
      if (node.inputs[1]) {
        axes = ins[1]?.values;
        if (!axes) return [];
      }
    } else axes = attrInts(node, 'axes');
    if (!axes || axes.length === 0) {
      if (attrInt(node, 'noop_with_empty_axes', 0) === 1 && op !== 'ArgMax' && op !== 'ArgMin') return [same()];
      axes = d.map((_, i) => i);
    }
    const set = new Set(axes.map((a) => normAxis(a, d.length)));
    const dims = keep ? d.map((v, i) => (set.has(i) ? 1 : v)) : d.filter((_, i) => !set.has(i));
    const values = op === 'ReduceProd' && x?.values && set.size === d.length ? [x.values.reduce((a, b) => a * b, 1)] : undefined;
    return [out(dims, op.startsWith('Arg') ? DT.INT64 : x?.type, values)];
  }

  switch (op) {
    case 'Conv':
    case 'ConvInteger':
    case 'QLinearConv': {
      const w = ins[op === 'QLinearConv' ? 3 : 1];
      if (!x?.dims || !w?.dims) return [];
      const dims = convShape(node, x.dims, w.dims, bad);
      const type = op === 'ConvInteger' ? DT.INT32 : op === 'QLinearConv' ? (ins[7]?.type ?? DT.UINT8) : x.type;
      return [out(dims, type)];
    }
    case 'ConvTranspose': {
      const w = ins[1];
      if (!x?.dims || !w?.dims) return [];
      return [out(convTransposeShape(node, x.dims, w.dims, bad))];
    }
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool': {
      if (!x?.dims) return [];
      const kernel = attrInts(node, 'kernel_shape');
      if (!kernel) bad('has no kernel_shape');
      const dims = windowShape(node, x.dims, kernel, x.dims[1], bad);
      return [out(dims), out(dims, DT.INT64)];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'GlobalLpPool':
      return [out(x?.dims?.map((v, i) => (i < 2 ? v : 1)))];
    case 'Gemm': {
      const a = x?.dims;
      const b = needDims(1);
      if (!a || !b) return [];
      if (a.length !== 2 || b.length !== 2) bad(`Gemm takes 2-D inputs, got ${fmtDims(a)} and ${fmtDims(b)}`);
      const [m, ka] = attrInt(node, 'transA', 0) ? [a[1], a[0]] : [a[0], a[1]];
      const [kb, n] = attrInt(node, 'transB', 0) ? [b[1], b[0]] : [b[0], b[1]];
      if (ka !== kb) bad(`inner dimensions differ: ${fmtDims(a)} x ${fmtDims(b)}`);
      return [out([m, n])];
    }
    case 'MatMul':
    case 'MatMulInteger':
    case 'QLinearMatMul': {
      const a = x?.dims;
      const b = needDims(op === 'QLinearMatMul' ? 3 : 1);
      if (!a || !b) return [];
      const dims = matmulShape(a, b);
      if (!dims) bad(`inputs of shapes ${fmtDims(a)} and ${fmtDims(b)} do not multiply`);
      const type = op === 'MatMulInteger' ? DT.INT32 : op === 'QLinearMatMul' ? (ins[7]?.type ?? DT.UINT8) : x!.type;
      return [out(dims, type)];
    }
    case 'Flatten': {
      const d = x?.dims;
      if (!d) return [];
      const axis = normAxis(attrInt(node, 'axis', 1), d.length);
      return [out([product(d.slice(0, axis)), product(d.slice(axis))], x!.type, x!.values)];
    }
    case 'Reshape': {
      const d = x?.dims;
      const shape = ins[1]?.values;
      if (!d || !shape) return [];
      const allowZero = attrInt(node, 'allowzero', 0) === 1;
      const dims = shape.map((v, i) => (v === 0 && !allowZero ? d[i] : v));
      const free = dims.filter((v) => v === -1).length;
      if (free > 1 || dims.some((v) => v === undefined || v < -1)) bad(`shape ${fmtDims(shape)} is not a valid target for input ${fmtDims(d)}`);
      const total = product(d);
      if (free) {
        const known = product(dims.filter((v) => v !== -1));
        if (known === 0 || total % known !== 0) bad(`cannot reshape ${fmtDims(d)} to ${fmtDims(shape)}`);
        dims[dims.indexOf(-1)] = total / known;
      }
      if (product(dims) !== total) bad(`cannot reshape ${fmtDims(d)} (${total} elements) to ${fmtDims(dims)}`);
      return [out(dims, x!.type, x!.values)];
    }
    case 'Transpose': {
      const d = x?.dims;
      if (!d) return [];
      const perm = attrInts(node, 'perm') ?? d.map((_, i) => d.length - 1 - i);
      if (perm.length !== d.length || new Set(perm).size !== d.length || perm.some((p) => p < 0 || p >= d.length)) bad(`perm ${fmtDims(perm)} does not permute ${d.length} axes`);
      return [out(perm.map((p) => d[p]), x!.type, d.length <= 1 ? x!.values : undefined)];
    }
    case 'Squeeze':
    case 'Unsqueeze': {
      const d = x?.dims;
      if (!d) return [];
      let axes: number[] | undefined = ctx.opset >= 13 ? (node.inputs[1] ? ins[1]?.values : undefined) : attrInts(node, 'axes');
      if (ctx.opset >= 13 && node.inputs[1] && !axes) return [];
      if (op === 'Squeeze') {
        axes = axes ? axes.map((a) => normAxis(a, d.length)) : d.flatMap((v, i) => (v === 1 ? [i] : []));
        for (const a of axes) if (d[a] !== 1) bad(`cannot squeeze axis ${a} of ${fmtDims(d)}`);
        return [out(d.filter((_, i) => !axes!.includes(i)), x!.type, x!.values)];
      }
      if (!axes) bad('has no axes');
      const rank = d.length + axes.length;
      const set = new Set(axes.map((a) => normAxis(a, rank)));
      const dims: number[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) dims.push(set.has(i) ? 1 : d[j++]);
      return [out(dims, x!.type, x!.values)];
    }
    case 'Concat': {
      const present = ins.filter((s): s is TensorState => !!s);
      if (present.some((s) => !s.dims)) return [];
      const rank = present[0]?.dims!.length ?? 0;
      const axis = normAxis(attrInt(node, 'axis', 0), rank);
      const dims = [...present[0].dims!];
      dims[axis] = present.reduce((a, s) => a + (s.dims![axis] ?? 0), 0);
      const values = present.every((s) => s.values) && rank === 1 ? present.flatMap((s) => s.values!) : undefined;
      return [out(dims, x?.type, values)];
    }
    case 'Split': {
      const d = x?.dims;
      if (!d) return [];
      const axis = normAxis(attrInt(node, 'axis', 0), d.length);
      let sizes = ctx.opset >= 13 ? (node.inputs[1] ? ins[1]?.values : undefined) : attrInts(node, 'split');
      if (ctx.opset >= 13 && node.inputs[1] && !sizes) return [];
      const n = node.outputs.length;
      if (!sizes) {
        const chunk = Math.ceil(d[axis] / n);
        sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d[axis] - i * chunk)));
      }
      if (sizes.reduce((a, b) => a + b, 0) !== d[axis]) bad(`split sizes ${fmtDims(sizes)} do not add up to ${d[axis]}`);
      return sizes.map((s) => out(d.map((v, i) => (i === axis ? s : v))));
    }
    case 'Slice': {
      const d = x?.dims;
      if (!d) return [];
      const [starts, ends, axesIn, stepsIn] = [1, 2, 3, 4].map((i) => (node.inputs[i] ? ins[i]?.values : undefined));
      if (!starts || !ends || (node.inputs[3] && !axesIn) || (node.inputs[4] && !stepsIn)) return [];
      const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => normAxis(a, d.length));
      const dims = [...d];
      const ranges: [number, number, number][] = d.map((v) => [0, v, 1]);
      axes.forEach((a, i) => {
        const step = stepsIn?.[i] ?? 1;
        if (step === 0) bad('a slice step is 0');
        const size = d[a];
        const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
        let s = starts[i] < 0 ? starts[i] + size : starts[i];
        let e = ends[i] < 0 ? ends[i] + size : ends[i];
        if (step > 0) {
          s = clamp(s, 0, size);
          e = clamp(e, 0, size);
        } else {
          s = clamp(s, 0, size - 1);
          e = clamp(e, -1, size - 1);
        }
        dims[a] = Math.max(0, Math.ceil((e - s) / step));
        ranges[a] = [s, e, step];
      });
      let values: number[] | undefined;
      if (x!.values && d.length === 1) {
        const [s, , step] = ranges[0];
        values = Array.from({ length: dims[0] }, (_, i) => x!.values![s + i * step]);
      }
      return [out(dims, x!.type, values)];
    }
    case 'Gather': {
      const d = x?.dims;
      const idx = ins[1];
      if (!d || !idx?.dims) return [];
      const axis = normAxis(attrInt(node, 'axis', 0), d.length);
      const dims = [...d.slice(0, axis), ...idx.dims, ...d.slice(axis + 1)];
      let values: number[] | undefined;
      if (x!.values && idx.values && d.length === 1) values = idx.values.map((i) => x!.values![i < 0 ? i + d[0] : i]);
      return [out(dims, x!.type, values)];
    }
    case 'GatherElements':
      return [out(needDims(1))];
    case 'GatherND': {
      const d = x?.dims;
      const idx = needDims(1);
      if (!d || !idx) return [];
      const b = attrInt(node, 'batch_dims', 0);
      return [out([...idx.slice(0, -1), ...d.slice(b + idx[idx.length - 1])])];
    }
    case 'Shape': {
      const d = x?.dims;
      if (!d) return [];
      const r = d.length;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const values = d.slice(clamp(attrInt(node, 'start', 0)), clamp(attrInt(node, 'end', r)));
      return [{ type: DT.INT64, dims: [values.length], values, constant: true }];
    }
    case 'Size':
      return x?.dims ? [{ type: DT.INT64, dims: [], values: [product(x.dims)], constant: true }] : [];
    case 'Expand': {
      const shape = ins[1]?.values;
      if (!x?.dims || !shape) return [];
      const dims = broadcast([x.dims, shape]);
      if (!dims) bad(`cannot expand ${fmtDims(x.dims)} to ${fmtDims(shape)}`);
      const values = x.values && x.values.length === 1 && product(dims) <= MAX_VALUES ? new Array(product(dims)).fill(x.values[0]) : undefined;
      return [out(dims, x.type, values)];
    }
    case 'Tile': {
      const reps = ins[1]?.values;
      if (!x?.dims || !reps) return [];
      if (reps.length !== x.dims.length || reps.some((r) => r < 0)) bad(`repeats ${fmtDims(reps)} do not fit input ${fmtDims(x.dims)}`);
      return [out(x.dims.map((v, i) => v * reps[i]))];
    }
    case 'ConstantOfShape': {
      const shape = x?.values;
      if (!shape) return [];
      if (shape.some((v) => v < 0)) bad(`shape ${fmtDims(shape)} has a negative dimension`);
      const valueAttr = node.attrs.get('value')?.t;
      const type = valueAttr?.dataType ?? DT.FLOAT;
      const fill = valueAttr ? (tensorValues(valueAttr, 1)?.[0] ?? 0) : 0;
      const n = product(shape);
      return [{ type, dims: shape, constant: true, ...(n <= MAX_VALUES ? { values: new Array(n).fill(fill) } : {}) }];
    }
    case 'Range': {
      const [s, l, dl] = [0, 1, 2].map((i) => ins[i]?.values?.[0]);
      if (s === undefined || l === undefined || dl === undefined) return [];
      if (dl === 0) bad('delta is 0');
      const n = Math.max(Math.ceil((l - s) / dl), 0);
      return [out([n], x?.type, n <= MAX_VALUES ? Array.from({ length: n }, (_, i) => s + i * dl) : undefined)];
    }
    case 'Pad': {
      const d = x?.dims;
      if (!d) return [];
      const pads = ins[1]?.values;
      if (!pads) return [];
      let axes = node.inputs[3] ? ins[3]?.values : d.map((_, i) => i);
      if (!axes) return [];
      axes = axes.map((a) => normAxis(a, d.length));
      if (pads.length !== 2 * axes.length) bad(`pads ${fmtDims(pads)} do not fit ${axes.length} axes`);
      const dims = [...d];
      axes.forEach((a, i) => (dims[a] = d[a] + pads[i] + pads[i + axes!.length]));
      return [out(dims)];
    }
    case 'Resize':
    case 'Upsample':
      return [resizeState(ctx, node, ins, out, bad)];
    case 'DepthToSpace':
    case 'SpaceToDepth': {
      const d = x?.dims;
      if (!d) return [];
      const b = attrInt(node, 'blocksize', 0);
      if (b < 1 || d.length !== 4) bad(`needs a 4-D input and blocksize >= 1, got ${fmtDims(d)} and ${b}`);
      if (op === 'DepthToSpace') {
        if (d[1] % (b * b) !== 0) bad(`channels ${d[1]} are not divisible by blocksize^2 = ${b * b}`);
        return [out([d[0], d[1] / (b * b), d[2] * b, d[3] * b])];
      }
      if (d[2] % b || d[3] % b) bad(`spatial size ${d[2]}x${d[3]} is not divisible by blocksize ${b}`);
      return [out([d[0], d[1] * b * b, d[2] / b, d[3] / b])];
    }
    case 'TopK': {
      const d = x?.dims;
      const k = ins[1]?.values?.[0] ?? (ctx.opset < 10 ? attrInt(node, 'k', -1) : undefined);
      if (!d || k === undefined) return [];
      const axis = normAxis(attrInt(node, 'axis', -1), d.length);
      const dims = d.map((v, i) => (i === axis ? k : v));
      return [out(dims), out(dims, DT.INT64)];
    }
    case 'OneHot': {
      const d = x?.dims;
      const depth = ins[1]?.values?.[0];
      if (!d || depth === undefined) return [];
      const axis = normAxis(attrInt(node, 'axis', -1), d.length + 1);
      const dims = [...d.slice(0, axis), depth, ...d.slice(axis)];
      return [out(dims, ins[2]?.type ?? DT.FLOAT)];
    }
    case 'RandomNormal':
    case 'RandomUniform': {
      const shape = attrInts(node, 'shape');
      return shape ? [{ type: attrInt(node, 'dtype', DT.FLOAT), dims: shape, constant: false }] : [];
    }
    case 'HannWindow':
    case 'HammingWindow':
    case 'BlackmanWindow': {
      const size = x?.values?.[0];
      return size === undefined ? [] : [out([size], attrInt(node, 'output_datatype', DT.FLOAT))];
    }
    case 'GridSample': {
      const d = x?.dims;
      const grid = needDims(1);
      if (!d || !grid) return [];
      return [out([d[0], d[1], ...grid.slice(1, -1)])];
    }
    case 'RoiAlign': {
      const d = x?.dims;
      const rois = needDims(1);
      if (!d || !rois) return [];
      return [out([rois[0], d[1], attrInt(node, 'output_height', 1), attrInt(node, 'output_width', 1)])];
    }
    case 'Einsum':
      return einsumState(node, ins, out);
  }
  return [];
}

function constantState(ctx: Ctx, node: OnnxNode): TensorState {
  const attr = [...node.attrs.values()][0] as AttrValue | undefined;
  if (!attr) fail(ctx, node, 'has no value');
  if (attr.t) return storedState(attr.t);
  switch (attr.name) {
    case 'value_float': return { type: DT.FLOAT, dims: [], values: [attr.f ?? 0], constant: true };
    case 'value_floats': return { type: DT.FLOAT, dims: [attr.floats?.length ?? 0], values: attr.floats ?? [], constant: true };
    case 'value_int': return { type: DT.INT64, dims: [], values: [attr.i ?? 0], constant: true };
    case 'value_ints': return { type: DT.INT64, dims: [attr.ints?.length ?? 0], values: attr.ints ?? [], constant: true };
    case 'value_string': return { type: DT.STRING, dims: [], constant: true };
    case 'value_strings': return { type: DT.STRING, dims: [attr.strings?.length ?? 0], constant: true };
  }
  // sparse_value: its dense dims are not read; consumers get an unknown shape.
  return { type: DT.FLOAT, constant: true };
}

const UNARY_VALUES: Record<string, (v: number) => number> = {
  Floor: Math.floor, Ceil: Math.ceil, Round: Math.round, Neg: (v) => -v, Abs: Math.abs, Sqrt: Math.sqrt, Relu: (v) => Math.max(0, v), Not: (v) => Number(!v),
};

function elementwiseValues(op: string, ins: TensorState[], dims: number[]): number[] | undefined {
  const n = product(dims);
  if (n > MAX_VALUES || !ins.every((s) => s.values && (s.values.length === 1 || s.values.length === n))) return undefined;
  const at = (s: TensorState, i: number) => (s.values!.length === 1 ? s.values![0] : s.values![i]);
  const intType = !isFloatType(ins[0].type);
  const f: Record<string, (a: number, b: number, c?: number) => number> = {
    Add: (a, b) => a + b,
    Sub: (a, b) => a - b,
    Mul: (a, b) => a * b,
    Div: (a, b) => (intType ? Math.trunc(a / b) : a / b),
    Max: (a, b) => Math.max(a, b),
    Min: (a, b) => Math.min(a, b),
    Equal: (a, b) => Number(a === b),
    Less: (a, b) => Number(a < b),
    Greater: (a, b) => Number(a > b),
    Where: (c, a, b) => (c ? a : b!),
    Mod: (a, b) => a % b,
  };
  const fn = f[op];
  if (!fn || ins.length !== (op === 'Where' ? 3 : 2)) return undefined;
  return Array.from({ length: n }, (_, i) => fn(at(ins[0], i), at(ins[1], i), ins[2] ? at(ins[2], i) : undefined));
}

function convShape(node: OnnxNode, x: number[], w: number[], bad: (d: string) => never): number[] {
  if (x.length < 3 || w.length !== x.length) bad(`input ${fmtDims(x)} and weight ${fmtDims(w)} do not form a convolution`);
  const group = attrInt(node, 'group', 1);
  if (group < 1 || x[1] !== w[1] * group) bad(`input channels ${x[1]} do not match weight ${fmtDims(w)} with group ${group}`);
  const kernel = attrInts(node, 'kernel_shape') ?? w.slice(2);
  return windowShape(node, x, kernel, w[0], bad);
}

function windowShape(node: OnnxNode, x: number[], kernel: number[], channels: number, bad: (d: string) => never): number[] {
  const k = x.length - 2;
  if (kernel.length !== k) bad(`kernel ${fmtDims(kernel)} does not fit a ${k}-D input ${fmtDims(x)}`);
  const strides = attrInts(node, 'strides') ?? new Array(k).fill(1);
  const dil = attrInts(node, 'dilations') ?? new Array(k).fill(1);
  const pads = attrInts(node, 'pads') ?? new Array(2 * k).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  const spatial = x.slice(2).map((size, i) => windowOut(size, kernel[i], strides[i] || 1, dil[i] || 1, pads[i] ?? 0, pads[i + k] ?? 0, autoPad, ceil));
  if (spatial.some((s) => !(s >= 1))) bad(`input ${fmtDims(x)} is smaller than the kernel ${fmtDims(kernel)}: the output would be ${fmtDims(spatial)}`);
  return [x[0], channels, ...spatial];
}

function convTransposeShape(node: OnnxNode, x: number[], w: number[], bad: (d: string) => never): number[] {
  const k = x.length - 2;
  if (k < 1 || w.length !== x.length) bad(`input ${fmtDims(x)} and weight ${fmtDims(w)} do not form a transposed convolution`);
  const group = attrInt(node, 'group', 1);
  const kernel = attrInts(node, 'kernel_shape') ?? w.slice(2);
  const strides = attrInts(node, 'strides') ?? new Array(k).fill(1);
  const dil = attrInts(node, 'dilations') ?? new Array(k).fill(1);
  const outPad = attrInts(node, 'output_padding') ?? new Array(k).fill(0);
  const pads = attrInts(node, 'pads') ?? new Array(2 * k).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const outShape = attrInts(node, 'output_shape');
  const spatial = x.slice(2).map((size, i) => {
    if (outShape) return outShape[outShape.length - k + i];
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return size * strides[i];
    return strides[i] * (size - 1) + outPad[i] + (kernel[i] - 1) * dil[i] + 1 - pads[i] - pads[i + k];
  });
  if (spatial.some((s) => !(s >= 1))) bad(`the output would be ${fmtDims(spatial)}`);
  return [x[0], w[1] * group, ...spatial];
}

export function matmulShape(a: number[], b: number[]): number[] | undefined {
  if (!a.length || !b.length) return undefined;
  const A = a.length === 1 ? [1, a[0]] : a;
  const B = b.length === 1 ? [b[0], 1] : b;
  if (A[A.length - 1] !== B[B.length - 2]) return undefined;
  const batch = broadcast([A.slice(0, -2), B.slice(0, -2)]);
  if (!batch) return undefined;
  const dims = [...batch, A[A.length - 2], B[B.length - 1]];
  if (a.length === 1) dims.splice(dims.length - 2, 1);
  if (b.length === 1) dims.splice(dims.length - 1, 1);
  return dims;
}

function resizeState(ctx: Ctx, node: OnnxNode, ins: (TensorState | undefined)[], out: (d: number[] | undefined) => TensorState, bad: (d: string) => never): TensorState | undefined {
  const d = ins[0]?.dims;
  if (!d) return undefined;
  const upsample = node.opType === 'Upsample';
  const scalesIn = upsample ? ins[1] : ins[2];
  const sizesIn = upsample ? undefined : ins[3];
  const axes = (attrInts(node, 'axes') ?? d.map((_, i) => i)).map((a) => normAxis(a, d.length));
  const dims = [...d];
  if (node.inputs[3] && sizesIn && (sizesIn.dims ? product(sizesIn.dims) > 0 : true)) {
    const sizes = sizesIn.values;
    if (!sizes) return undefined;
    if (sizes.length !== axes.length) bad(`sizes ${fmtDims(sizes)} do not fit ${axes.length} axes`);
    const policy = attrString(node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') axes.forEach((a, i) => (dims[a] = sizes[i]));
    else {
      const ratios = axes.map((a, i) => sizes[i] / d[a]);
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => (dims[a] = Math.round(s * d[a])));
    }
  } else {
    const scales = scalesIn?.values ?? (upsample ? attrFloats(node, 'scales') : undefined);
    if (!scales) return undefined;
    if (scales.length !== axes.length) bad(`scales ${fmtDims(scales)} do not fit ${axes.length} axes`);
    if (scales.some((s) => !(s > 0))) bad(`scales ${fmtDims(scales)} must be positive`);
    axes.forEach((a, i) => (dims[a] = Math.floor(d[a] * scales[i] + 1e-9)));
  }
  void ctx;
  return out(dims);
}

/** Einsum of explicit single-letter subscripts ("bhwc,cd->bhwd"); anything else is left unknown. */
function einsumState(node: OnnxNode, ins: (TensorState | undefined)[], out: (d: number[] | undefined) => TensorState): TensorState[] {
  const eq = attrString(node, 'equation', '').replace(/\s/g, '');
  const m = /^([a-zA-Z,]+)->([a-zA-Z]*)$/.exec(eq);
  if (!m || ins.some((s) => !s?.dims)) return [];
  const terms = m[1].split(',');
  if (terms.length !== ins.length) return [];
  const size = new Map<string, number>();
  for (let t = 0; t < terms.length; t++) {
    if (terms[t].length !== ins[t]!.dims!.length) return [];
    for (const [i, c] of [...terms[t]].entries()) {
      const d = ins[t]!.dims![i];
      const had = size.get(c);
      if (had !== undefined && had !== d && had !== 1 && d !== 1) return [];
      size.set(c, Math.max(had ?? 1, d));
    }
  }
  return [out([...m[2]].map((c) => size.get(c) ?? 1))];
}

function checkRuns(ctx: Ctx, node: OnnxNode, body: OnnxGraph, iterations: number): void {
  const runs = iterations * body.nodes.length;
  if (ctx.nodeRuns + runs > ctx.limits.maxNodeRuns) {
    fail(ctx, node, `runs its ${body.nodes.length}-node body ${iterations.toLocaleString('en-US')} times: more than ${ctx.limits.maxNodeRuns.toLocaleString('en-US')} node executions for one inference (limit maxNodeRuns); refused before any session`);
  }
}

/**
 * Loop, Scan and If: the bodies are inferred for the same limits (outer tensors in scope), and the node
 * executions are counted by trip count. A Loop whose trip count is not a constant cannot be bounded.
 */
function inferControlFlow(ctx: Ctx, node: OnnxNode, ins: (TensorState | undefined)[], runs: number): void {
  const bodies: { graph: OnnxGraph; iterations: number; inputs: (TensorState | undefined)[] }[] = [];
  if (node.opType === 'Loop') {
    const body = node.attrs.get('body')?.g;
    if (!body) fail(ctx, node, 'has no body');
    const trip = node.inputs[0] ? ins[0]?.values?.[0] : undefined;
    if (trip === undefined) {
      fail(ctx, node, `${node.inputs[0] ? 'its trip count is computed at run time' : 'it has no trip count (a while loop)'}, so the work of one inference cannot be bounded before a session (refused); give it a constant trip count`);
    }
    const carried = ins.slice(2);
    checkRuns(ctx, node, body, runs * Math.max(0, trip));
    bodies.push({ graph: body, iterations: Math.max(0, trip), inputs: [{ type: DT.INT64, dims: [], constant: false }, { type: DT.BOOL, dims: [], constant: false }, ...carried] });
  } else if (node.opType === 'Scan') {
    const body = node.attrs.get('body')?.g;
    if (!body) fail(ctx, node, 'has no body');
    const nScan = attrInt(node, 'num_scan_inputs', 0);
    const first = ins[ins.length - nScan];
    const axis = attrInts(node, 'scan_input_axes')?.[0] ?? 0;
    const iterations = first?.dims?.[normAxis(axis, first.dims.length)];
    if (iterations === undefined) fail(ctx, node, 'its iteration count (the scan input\'s length) is unknown before a session (refused)');
    checkRuns(ctx, node, body, runs * iterations);
    bodies.push({ graph: body, iterations, inputs: body.inputs.map(() => undefined) });
  } else {
    for (const name of ['then_branch', 'else_branch']) {
      const g = node.attrs.get(name)?.g;
      if (g) bodies.push({ graph: g, iterations: 1, inputs: [] });
    }
  }
  for (const b of bodies) {
    // Whatever the body's names shadow comes back after it (O(body), not O(graph)). Names only the body
    // defines are left in the map: valid graphs never read them outside it (checkGraph), and deleting from a
    // large Map again and again is quadratic in V8.
    const names = [...b.graph.inputs.map((v) => v.name), ...b.graph.initializers.map((t) => t.name), ...b.graph.nodes.flatMap((n) => n.outputs)];
    const shadowed = new Map(names.flatMap((n) => (ctx.tensors.has(n) ? [[n, ctx.tensors.get(n)!] as const] : [])));
    b.graph.inputs.forEach((vi, i) => {
      const given = b.inputs[i];
      const declared = vi.dims?.every((d) => typeof d === 'number') ? (vi.dims as number[]) : undefined;
      ctx.tensors.set(vi.name, { type: vi.elemType ?? given?.type ?? 0, dims: given?.dims ?? declared, constant: false });
    });
    for (const t of b.graph.initializers) ctx.tensors.set(t.name, storedState(t));
    inferNodes(ctx, b.graph.nodes, runs * b.iterations);
    for (const [name, before] of shadowed) ctx.tensors.set(name, before);
  }
}
