/**
 * Shape inference (src/onnx/infer.ts) and counts (src/onnx/count.ts). Every single-op case is checked
 * against onnxruntime itself: the model runs and its output shape must be the one inferred, across the
 * opset differences (axes as attributes vs inputs, Split's num_outputs, Pad's axes, Resize's sizes/scales
 * and axes, Clip's min/max inputs...). Counts of graphs the project builds equal the config counts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { countConfig } from '../src/arch/counts';
import { lower } from '../src/arch/lower';
import { loadArchConfig } from '../src/arch/parse';
import { UserError } from '../src/errors';
import { buildModel } from '../src/onnx/build';
import { countGraph } from '../src/onnx/count';
import { inferModel, INFERRED_OPS, type InferOptions } from '../src/onnx/infer';
import { inspectOnnx } from '../src/onnx/inspect';
import { checkGraph, parseModel } from '../src/onnx/read';
import { encodeModel, T, type ModelSpec, type NodeSpec } from './support/onnx-models';
import { seeded } from '../src/util/random';

function infer(spec: ModelSpec | Uint8Array, opts: InferOptions = {}) {
  const model = parseModel('m.onnx', spec instanceof Uint8Array ? spec : encodeModel(spec));
  return inferModel(model, checkGraph('m.onnx', model.graph), opts);
}

function userError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    expect(err.exitCode).toBe(2);
    return err.message;
  }
  throw new Error('expected a UserError');
}

const i64 = (name: string, values: number[]) => ({ name, dims: [values.length], type: T.INT64, values });
const f32 = (name: string, dims: number[], fill = 0.5) => ({ name, dims, fill });
const scalar = (name: string, value: number, type = T.FLOAT) => ({ name, dims: [], type, values: [value] });

interface Case {
  title: string;
  opset: number;
  x: number[];
  nodes: NodeSpec[];
  inits?: ModelSpec['inits'];
  outputs?: string[];
  xType?: number;
}

const one = (op: string, inputs: string[], attrs: NodeSpec['attrs'] = {}, outputs = ['y']): NodeSpec[] => [{ op, inputs, outputs, attrs }];

const CASES: Case[] = [
  { title: 'Split with a split attribute (opset 11)', opset: 11, x: [1, 6, 4, 4], nodes: one('Split', ['x'], { axis: 1, split: [2, 4] }, ['y', 'z']), outputs: ['y', 'z'] },
  { title: 'Split with a split input (opset 13)', opset: 13, x: [1, 6, 4, 4], nodes: one('Split', ['x', 's'], { axis: 1 }, ['y', 'z']), inits: [i64('s', [2, 4])], outputs: ['y', 'z'] },
  { title: 'Split into num_outputs with a smaller last part (opset 18)', opset: 18, x: [1, 7, 2], nodes: one('Split', ['x'], { axis: 1, num_outputs: 3 }, ['a', 'b', 'c']), outputs: ['a', 'b', 'c'] },
  { title: 'Squeeze with an axes attribute (opset 11)', opset: 11, x: [1, 3, 1, 5], nodes: one('Squeeze', ['x'], { axes: [0, 2] }) },
  { title: 'Split and Unsqueeze with attributes (opset 12, the last before they became inputs)', opset: 12, x: [2, 6], nodes: [{ op: 'Split', inputs: ['x'], outputs: ['a', 'b'], attrs: { axis: 1, split: [1, 5] } }, { op: 'Unsqueeze', inputs: ['b'], outputs: ['y'], attrs: { axes: [1] } }] },
  { title: 'Squeeze with an axes input (opset 13)', opset: 13, x: [1, 3, 1, 5], nodes: one('Squeeze', ['x', 'a']), inits: [i64('a', [-2])] },
  { title: 'Squeeze of every 1 (opset 21)', opset: 21, x: [1, 3, 1, 5], nodes: one('Squeeze', ['x']) },
  { title: 'Unsqueeze with an axes attribute (opset 11)', opset: 11, x: [3, 5], nodes: one('Unsqueeze', ['x'], { axes: [0, 3] }) },
  { title: 'Unsqueeze with an axes input (opset 13)', opset: 13, x: [3, 5], nodes: one('Unsqueeze', ['x', 'a']), inits: [i64('a', [-1, 0])] },
  { title: 'ReduceMean with an axes attribute (opset 13)', opset: 13, x: [2, 3, 4, 5], nodes: one('ReduceMean', ['x'], { axes: [2, 3], keepdims: 0 }) },
  { title: 'ReduceMean with an axes input (opset 18)', opset: 18, x: [2, 3, 4, 5], nodes: one('ReduceMean', ['x', 'a'], { keepdims: 1 }), inits: [i64('a', [1])] },
  { title: 'ReduceSum with an axes input (opset 13)', opset: 13, x: [2, 3, 4], nodes: one('ReduceSum', ['x', 'a'], { keepdims: 0 }), inits: [i64('a', [0, 2])] },
  { title: 'ReduceMax over everything (opset 20)', opset: 20, x: [2, 3, 4], nodes: one('ReduceMax', ['x'], { keepdims: 0 }) },
  { title: 'Pad with a pads input (opset 11)', opset: 11, x: [1, 2, 5, 5], nodes: one('Pad', ['x', 'p']), inits: [i64('p', [0, 0, 1, 2, 0, 0, 3, 4])] },
  { title: 'Pad with axes (opset 18)', opset: 18, x: [1, 2, 5, 5], nodes: one('Pad', ['x', 'p', '', 'a']), inits: [i64('p', [1, 2, 3, 4]), i64('a', [2, 3])] },
  { title: 'Resize by scales (opset 11: roi and scales required)', opset: 11, x: [1, 3, 7, 9], nodes: one('Resize', ['x', 'roi', 's']), inits: [{ name: 'roi', dims: [0], values: [] }, { name: 's', dims: [4], values: [1, 1, 2, 1.5] }] },
  { title: 'Resize to sizes (opset 13)', opset: 13, x: [1, 3, 7, 9], nodes: one('Resize', ['x', '', '', 'z'], { mode: 'linear' }), inits: [i64('z', [1, 3, 14, 5])] },
  { title: 'Resize sizes on axes, keeping the aspect ratio (opset 19)', opset: 19, x: [1, 3, 8, 16], nodes: one('Resize', ['x', '', '', 'z'], { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }), inits: [i64('z', [4, 4])] },
  { title: 'Clip with min and max inputs (opset 11)', opset: 11, x: [2, 3], nodes: one('Clip', ['x', 'lo', 'hi']), inits: [scalar('lo', 0), scalar('hi', 6)] },
  { title: 'Slice with negative steps and an int64-max end (opset 13)', opset: 13, x: [10, 8], nodes: one('Slice', ['x', 's', 'e', 'a', 'st']), inits: [i64('s', [-1, 1]), i64('e', [-1e15, 9e15]), i64('a', [0, 1]), i64('st', [-2, 3])] },
  { title: 'Reshape with 0 and -1 (opset 14)', opset: 14, x: [2, 3, 4], nodes: one('Reshape', ['x', 's']), inits: [i64('s', [0, -1])] },
  { title: 'Flatten at axis 2', opset: 13, x: [2, 3, 4, 5], nodes: one('Flatten', ['x'], { axis: 2 }) },
  {
    title: 'shape arithmetic: Shape -> Gather -> Unsqueeze -> Concat -> Reshape (torch dynamic export, opset 13)', opset: 13, x: [2, 3, 4, 4],
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['sh'] },
      { op: 'Gather', inputs: ['sh', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
      { op: 'Unsqueeze', inputs: ['n', 'ax'], outputs: ['n1'] },
      { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['target'], attrs: { axis: 0 } },
      { op: 'Reshape', inputs: ['x', 'target'], outputs: ['y'] },
    ],
    inits: [{ name: 'zero', dims: [], type: T.INT64, values: [0] }, i64('ax', [0]), i64('minus1', [-1])],
  },
  {
    title: 'resize sizes computed in float: Shape -> Cast -> Mul -> Floor -> Cast -> Concat (opset 13)', opset: 13, x: [1, 3, 10, 10],
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['sh'] },
      { op: 'Slice', inputs: ['sh', 'b2', 'e4'], outputs: ['hw'] },
      { op: 'Cast', inputs: ['hw'], outputs: ['hwf'], attrs: { to: T.FLOAT } },
      { op: 'Mul', inputs: ['hwf', 'k'], outputs: ['scaled'] },
      { op: 'Floor', inputs: ['scaled'], outputs: ['fl'] },
      { op: 'Cast', inputs: ['fl'], outputs: ['hwi'], attrs: { to: T.INT64 } },
      { op: 'Concat', inputs: ['nc', 'hwi'], outputs: ['sizes'], attrs: { axis: 0 } },
      { op: 'Resize', inputs: ['x', '', '', 'sizes'], outputs: ['y'] },
    ],
    inits: [i64('b2', [2]), i64('e4', [4]), { name: 'k', dims: [], values: [1.75] }, i64('nc', [1, 3])],
  },
  { title: 'ConvTranspose, stride 2, output_padding 1', opset: 11, x: [1, 4, 5, 5], nodes: one('ConvTranspose', ['x', 'w'], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }), inits: [f32('w', [4, 6, 3, 3])] },
  { title: 'ConvTranspose in 3 groups', opset: 17, x: [1, 6, 4, 4], nodes: one('ConvTranspose', ['x', 'w'], { group: 3, strides: [2, 2] }), inits: [f32('w', [6, 2, 2, 2])] },
  { title: 'MaxPool with ceil_mode', opset: 11, x: [1, 2, 8, 8], nodes: one('MaxPool', ['x'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }) },
  { title: 'AveragePool with dilations and ceil_mode (opset 19)', opset: 19, x: [1, 2, 9, 9], nodes: one('AveragePool', ['x'], { kernel_shape: [2, 2], strides: [2, 2], dilations: [2, 2], ceil_mode: 1 }) },
  { title: 'Conv with SAME_UPPER at stride 2 on an odd size', opset: 11, x: [1, 3, 7, 7], nodes: one('Conv', ['x', 'w'], { auto_pad: 'SAME_UPPER', strides: [2, 2] }), inits: [f32('w', [8, 3, 3, 3])] },
  { title: 'depthwise Conv with dilation 2', opset: 13, x: [1, 8, 9, 9], nodes: one('Conv', ['x', 'w', 'b'], { group: 8, dilations: [2, 2], pads: [2, 2, 2, 2] }), inits: [f32('w', [8, 1, 3, 3]), f32('b', [8])] },
  { title: 'Gemm with transA and transB', opset: 13, x: [5, 3], nodes: one('Gemm', ['x', 'w', 'c'], { transA: 1, transB: 1 }), inits: [f32('w', [7, 5]), f32('c', [7])] },
  { title: 'MatMul broadcasting batch dims', opset: 13, x: [2, 1, 3, 4], nodes: one('MatMul', ['x', 'w']), inits: [f32('w', [5, 4, 6])] },
  { title: 'MatMul of a vector', opset: 13, x: [4], nodes: one('MatMul', ['x', 'w']), inits: [f32('w', [2, 4, 6])] },
  { title: 'DepthToSpace then SpaceToDepth', opset: 13, x: [1, 8, 3, 3], nodes: [{ op: 'DepthToSpace', inputs: ['x'], outputs: ['d'], attrs: { blocksize: 2 } }, { op: 'SpaceToDepth', inputs: ['d'], outputs: ['y'], attrs: { blocksize: 3 } }] },
  { title: 'Transpose NHWC to NCHW', opset: 13, x: [2, 5, 6, 3], nodes: one('Transpose', ['x'], { perm: [0, 3, 1, 2] }) },
  { title: 'Gelu (opset 20)', opset: 20, x: [2, 3], nodes: one('Gelu', ['x']) },
  { title: 'LayerNormalization over the last axis', opset: 17, x: [2, 3, 4], nodes: one('LayerNormalization', ['x', 'g', 'b']), inits: [f32('g', [4]), f32('b', [4])] },
  { title: 'ConstantOfShape then Add', opset: 21, x: [2, 3], nodes: [{ op: 'ConstantOfShape', inputs: ['s'], outputs: ['c'] }, { op: 'Add', inputs: ['x', 'c'], outputs: ['y'] }], inits: [i64('s', [4, 2, 3])] },
  { title: 'Expand', opset: 13, x: [3, 1], nodes: one('Expand', ['x', 's']), inits: [i64('s', [2, 1, 4])] },
  { title: 'Tile', opset: 13, x: [2, 3], nodes: one('Tile', ['x', 'r']), inits: [i64('r', [3, 2])] },
  { title: 'Range from constants', opset: 11, x: [5], nodes: [{ op: 'Range', inputs: ['s', 'l', 'd'], outputs: ['r'] }, { op: 'Cast', inputs: ['r'], outputs: ['rf'], attrs: { to: T.FLOAT } }, { op: 'Add', inputs: ['x', 'rf'], outputs: ['y'] }], inits: [scalar('s', 0, T.INT64), scalar('l', 10, T.INT64), scalar('d', 2, T.INT64)] },
  { title: 'TopK with k from a constant', opset: 11, x: [3, 10], nodes: one('TopK', ['x', 'k'], { axis: 1 }, ['y', 'i']), inits: [i64('k', [4])], outputs: ['y', 'i'] },
  { title: 'QuantizeLinear -> DequantizeLinear per channel (opset 13)', opset: 13, x: [1, 3, 4], nodes: [{ op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['q'], attrs: { axis: 1 } }, { op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['y'], attrs: { axis: 1 } }], inits: [f32('s', [3], 0.1), { name: 'z', dims: [3], type: T.INT8, values: [0, 0, 0] }] },
  { title: 'QuantizeLinear -> DequantizeLinear (opset 21)', opset: 21, x: [2, 4], nodes: [{ op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['q'] }, { op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['y'] }], inits: [scalar('s', 0.1), { name: 'z', dims: [], type: T.UINT8, values: [128] }] },
  { title: 'Einsum', opset: 13, x: [2, 3, 4], nodes: one('Einsum', ['x', 'w'], { equation: 'bij,jk->bik' }), inits: [f32('w', [4, 5])] },
  { title: 'Concat on a negative axis', opset: 13, x: [2, 3], nodes: one('Concat', ['x', 'x'], { axis: -1 }) },
  { title: 'Where of a comparison', opset: 16, x: [2, 3], nodes: [{ op: 'Greater', inputs: ['x', 'zero'], outputs: ['m'] }, { op: 'Where', inputs: ['m', 'x', 'zero'], outputs: ['y'] }], inits: [scalar('zero', 0)] },
  { title: 'CastLike and Shape with start and end (opset 15)', opset: 15, x: [2, 3, 4], nodes: [{ op: 'Shape', inputs: ['x'], outputs: ['s'], attrs: { start: 1, end: -1 } }, { op: 'CastLike', inputs: ['s', 'x'], outputs: ['y'] }] },
  { title: 'GlobalAveragePool and Softmax', opset: 13, x: [2, 5, 3, 3], nodes: [{ op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'] }, { op: 'Softmax', inputs: ['g'], outputs: ['y'], attrs: { axis: 1 } }] },
  {
    title: 'an NHWC input as TensorFlow exports it: Transpose, Conv, Transpose back', opset: 13, x: [1, 9, 9, 3],
    nodes: [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } },
      { op: 'Conv', inputs: ['t', 'w', 'b'], outputs: ['c'], attrs: { strides: [2, 2], pads: [0, 0, 1, 1] } },
      { op: 'Transpose', inputs: ['c'], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } },
    ],
    inits: [f32('w', [16, 3, 3, 3]), f32('b', [16])],
  },
  {
    title: 'an int8 QDQ convolution (opset 13)', opset: 13, x: [1, 4, 8, 8],
    nodes: [
      { op: 'QuantizeLinear', inputs: ['x', 'xs', 'xz'], outputs: ['xq'] },
      { op: 'DequantizeLinear', inputs: ['xq', 'xs', 'xz'], outputs: ['xd'] },
      { op: 'DequantizeLinear', inputs: ['wq', 'ws', 'wz'], outputs: ['wd'], attrs: { axis: 0 } },
      { op: 'Conv', inputs: ['xd', 'wd', 'b'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } },
    ],
    inits: [scalar('xs', 0.05), { name: 'xz', dims: [], type: T.UINT8, values: [128] }, { name: 'wq', dims: [16, 4, 3, 3], type: T.INT8, fill: 3 }, f32('ws', [16], 0.01), { name: 'wz', dims: [16], type: T.INT8, fill: 0 }, f32('b', [16])],
  },
  { title: 'GatherElements and ArgMax', opset: 13, x: [3, 4], nodes: [{ op: 'ArgMax', inputs: ['x'], outputs: ['a'], attrs: { axis: 1 } }, { op: 'GatherElements', inputs: ['x', 'a'], outputs: ['y'], attrs: { axis: 1 } }] },
];

describe('inferred shapes equal what onnxruntime computes', () => {
  it.each(CASES.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
    const outputs = c.outputs ?? ['y'];
    const bytes = encodeModel({ opset: c.opset, inputs: [{ name: 'x', dims: c.x, type: c.xType }], outputs, nodes: c.nodes, inits: c.inits });
    const g = infer(bytes);
    expect(g.unknownOps.size).toBe(0);
    const session = await ort.InferenceSession.create(bytes);
    const n = c.x.reduce((a, b) => a * b, 1);
    const result = await session.run({ x: new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => (i % 7) - 3), c.x) });
    for (const o of outputs) expect({ [o]: g.tensors.get(o)?.dims }).toEqual({ [o]: [...result[o].dims] });
    await session.release();
  });

  it('the documented op set covers every op of the cases, and the cases every opset from 11 to 21', () => {
    for (const c of CASES) for (const n of c.nodes) expect(INFERRED_OPS).toContain(n.op);
    expect([...new Set(CASES.map((c) => c.opset))].sort((a, b) => a - b)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
  });
});

describe('fixing the inputs: batch, resolution, layout', () => {
  const dynamic = (dims: (number | string | null)[], first: NodeSpec): ModelSpec => ({
    opset: 13, inputs: [{ name: 'img', dims }], outputs: ['y'],
    nodes: [first, { op: 'Conv', inputs: [first.outputs[0], 'w'], outputs: ['y'] }],
    inits: [f32('w', [4, 3, 3, 3])],
  });

  it('NCHW with symbolic batch and spatial dims: --batch and --resolution, each fix recorded', () => {
    const g = infer(dynamic(['N', 3, 'H', 'W'], { op: 'Relu', inputs: ['img'], outputs: ['r'] }), { batch: 4, resolution: 32 });
    expect(g.inputs[0]).toMatchObject({ dims: [4, 3, 32, 32], layout: { order: 'NCHW' } });
    expect(g.fixed.map((f) => [f.axis, f.declared, f.value, f.by])).toEqual([[0, 'N', 4, '--batch'], [1, 3, 3, 'graph'], [2, 'H', 32, '--resolution'], [3, 'W', 32, '--resolution']]);
    expect(g.tensors.get('y')?.dims).toEqual([4, 4, 30, 30]);
  });

  it('NHWC (a TensorFlow export: Transpose after the input) with unnamed dims; batch 1 by default', () => {
    const g = infer(dynamic([null, null, null, 3], { op: 'Transpose', inputs: ['img'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } }), { resolution: 20 });
    expect(g.inputs[0]).toMatchObject({ dims: [1, 20, 20, 3], layout: { order: 'NHWC', reason: 'axis 3 holds 3 channels' } });
    expect(g.fixed[0]).toMatchObject({ axis: 0, declared: null, value: 1, by: 'default batch 1' });
    expect(g.tensors.get('y')?.dims).toEqual([1, 4, 18, 18]);
    // All four dims symbolic: the Transpose says NHWC.
    const h = infer({ ...dynamic(['n', 'h', 'w', 'c'], { op: 'Transpose', inputs: ['img'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } }), inputs: [{ name: 'img', dims: ['n', 16, 16, 3] }] });
    expect(h.inputs[0].layout).toEqual({ order: 'NHWC', reason: 'axis 3 holds 3 channels' });
  });

  it('a batch the graph states is kept; a missing resolution or an unfixable dim is a clear error', () => {
    expect(infer(dynamic([2, 3, 8, 8], { op: 'Relu', inputs: ['img'], outputs: ['r'] }), { batch: 8 }).batch).toBe(2);
    expect(userError(() => infer(dynamic(['N', 3, 'H', 'W'], { op: 'Relu', inputs: ['img'], outputs: ['r'] })))).toMatch(/m\.onnx: input "img" has a dynamic height \(axis 2, "H"\); pass --resolution N/);
    const seq: ModelSpec = { inputs: [{ name: 'tokens', dims: ['B', 'T'] }], outputs: ['y'], nodes: [{ op: 'Relu', inputs: ['tokens'], outputs: ['y'] }] };
    expect(userError(() => infer(seq))).toMatch(/input "tokens" has a dynamic dimension at axis 1 \("T"\) that neither --batch nor --resolution fixes/);
  });

  it('opsets outside 11..21 are refused with the supported range', () => {
    const spec = (opset: number): ModelSpec => ({ opset, inputs: [{ name: 'x', dims: [1] }], outputs: ['y'], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
    expect(userError(() => infer(spec(9)))).toMatch(/imports ONNX opset 9; supported: 11 to 21/);
    expect(userError(() => infer(spec(22)))).toMatch(/opset 22; supported: 11 to 21/);
    expect(() => infer(spec(11))).not.toThrow();
    expect(() => infer(spec(21))).not.toThrow();
  });
});

describe('limits before any session: exit 2 naming the node', () => {
  const GB16 = [4, 1024, 1024, 1024];

  it('ConstantOfShape and Expand to 16 GB', () => {
    const cos: ModelSpec = { inputs: [{ name: 'x', dims: [1] }], outputs: ['y'], nodes: [{ op: 'ConstantOfShape', inputs: ['s'], outputs: ['big'], name: 'bomb' }, { op: 'Add', inputs: ['x', 'big'], outputs: ['y'] }], inits: [i64('s', GB16)] };
    expect(userError(() => infer(cos))).toMatch(/m\.onnx: node "bomb" \(ConstantOfShape\): makes tensor "big" of shape \[4, 1024, 1024, 1024\] \(float32\), 17,179,869,184 bytes, over the limit of 8,589,934,592 bytes for one tensor \(maxActivationBytes/);
    const exp: ModelSpec = { inputs: [{ name: 'x', dims: [1] }], outputs: ['y'], nodes: [{ op: 'Expand', inputs: ['x', 's'], outputs: ['y'], name: 'spread' }], inits: [i64('s', GB16)] };
    expect(userError(() => infer(exp))).toMatch(/node "spread" \(Expand\): makes tensor "y" of shape \[4, 1024, 1024, 1024\]/);
    const tile: ModelSpec = { inputs: [{ name: 'x', dims: [1024, 1024] }], outputs: ['y'], nodes: [{ op: 'Tile', inputs: ['x', 'r'], outputs: ['y'] }], inits: [i64('r', [4096, 1])] };
    expect(userError(() => infer(tile))).toMatch(/\(Tile\): makes tensor "y" of shape \[4194304, 1024\]/);
    const resize: ModelSpec = { opset: 13, inputs: [{ name: 'x', dims: [1, 3, 224, 224] }], outputs: ['y'], nodes: [{ op: 'Resize', inputs: ['x', '', 's'], outputs: ['y'] }], inits: [{ name: 's', dims: [4], values: [1, 1, 1000, 1000] }] };
    expect(userError(() => infer(resize))).toMatch(/\(Resize\): makes tensor "y" of shape \[1, 3, 224000, 224000\]/);
    expect(userError(() => infer(cos, { limits: { maxTensorBytes: 1000 } }))).toMatch(/over the limit of 1,000 bytes/);
  });

  it('a Loop of 1e12 iterations, a Loop with a computed trip count, a while loop', () => {
    const body = { inputs: [{ name: 'i', dims: [], type: T.INT64 }, { name: 'c', dims: [], type: T.BOOL }, { name: 'v', dims: [1] }], outputs: ['c2', 'v2'], nodes: [{ op: 'Identity', inputs: ['c'], outputs: ['c2'] }, { op: 'Relu', inputs: ['v'], outputs: ['v2'] }] };
    const loop = (trip: string, inits: ModelSpec['inits'], pre: NodeSpec[] = []): ModelSpec => ({
      opset: 13, inputs: [{ name: 'x', dims: [1] }], outputs: ['y'],
      nodes: [...pre, { op: 'Loop', inputs: [trip, 'cond', 'x'], outputs: ['y'], name: 'forever', attrs: { body: { g: body } } }],
      inits: [{ name: 'cond', dims: [], type: T.BOOL, values: [1] }, ...(inits ?? [])],
    });
    expect(userError(() => infer(loop('M', [{ name: 'M', dims: [], type: T.INT64, values: [1e12] }])))).toMatch(/node "forever" \(Loop\): runs its 2-node body 1,000,000,000,000 times: more than 1,000,000 node executions/);
    const computed: NodeSpec[] = [{ op: 'ReduceMax', inputs: ['x'], outputs: ['mx'], attrs: { keepdims: 0 } }, { op: 'Cast', inputs: ['mx'], outputs: ['M'], attrs: { to: T.INT64 } }];
    expect(userError(() => infer(loop('M', [], computed)))).toMatch(/"forever" \(Loop\): its trip count is computed at run time/);
    expect(userError(() => infer(loop('', [])))).toMatch(/"forever" \(Loop\): it has no trip count \(a while loop\)/);
    const ok = infer(loop('M', [{ name: 'M', dims: [], type: T.INT64, values: [3] }]));
    expect(ok.nodeRuns).toBe(1 + 3 * 2);
    expect([...ok.unknownOps]).toEqual([['Loop', 1]]);
  });

  it('a generator after an op outside the set is refused; other ops after it are counted as partial', () => {
    const spec: ModelSpec = {
      inputs: [{ name: 'x', dims: [1, 3, 8, 8] }], outputs: ['y', 'z'], extraOpsets: [{ domain: 'com.example', version: 1 }],
      nodes: [{ op: 'Mystery', domain: 'com.example', inputs: ['x'], outputs: ['m'] }, { op: 'Relu', inputs: ['m'], outputs: ['y'] }, { op: 'Conv', inputs: ['x', 'w'], outputs: ['z'] }],
      inits: [f32('w', [2, 3, 3, 3])],
    };
    const g = infer(spec);
    expect([...g.unknownOps]).toEqual([['com.example:Mystery', 1]]);
    expect(g.unknownNodes).toBe(2);
    const s = countGraph(g, 'm');
    expect(s.partial).toEqual({ ops: [{ op: 'com.example:Mystery', nodes: 1 }], unknown_nodes: 2, uncounted: [] });
    expect(s.macs).toBe(2 * 6 * 6 * 27);
    const gen = { ...spec, nodes: [spec.nodes[0], { op: 'Shape', inputs: ['m'], outputs: ['s'] }, { op: 'ConstantOfShape', inputs: ['s'], outputs: ['y'], name: 'fill' }] };
    expect(userError(() => infer(gen))).toMatch(/node "fill" \(ConstantOfShape\): sizes its output from values that are only known at run time/);
  });

  it('values carried for shape arithmetic are bounded: a long chain of computed constants drops them, shapes stay known', () => {
    const nodes: NodeSpec[] = [{ op: 'Range', inputs: ['zero', 'n', 'one'], outputs: ['v0'] }];
    for (let i = 1; i <= 400; i++) nodes.push({ op: 'Add', inputs: [`v${i - 1}`, 'one'], outputs: [`v${i}`] });
    nodes.push({ op: 'Cast', inputs: ['v400'], outputs: ['f'], attrs: { to: T.FLOAT } }, { op: 'Add', inputs: ['x', 'f'], outputs: ['y'] });
    const g = infer({ inputs: [{ name: 'x', dims: [4096] }], outputs: ['y'], nodes, inits: [scalar('zero', 0, T.INT64), scalar('n', 4096, T.INT64), scalar('one', 1, T.INT64)] });
    expect(g.tensors.get('v1')?.values?.slice(0, 3)).toEqual([1, 2, 3]);
    expect(g.tensors.get('v400')?.values).toBeUndefined();
    expect(g.tensors.get('y')?.dims).toEqual([4096]);
  });

  it('impossible shapes name the node', () => {
    const conv: ModelSpec = { inputs: [{ name: 'x', dims: [1, 3, 2, 2] }], outputs: ['y'], nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], name: 'c1' }], inits: [f32('w', [4, 3, 5, 5])] };
    expect(userError(() => infer(conv))).toMatch(/node "c1" \(Conv\): input \[1, 3, 2, 2\] is smaller than the kernel \[5, 5\]/);
    const add: ModelSpec = { inputs: [{ name: 'x', dims: [2, 3] }], outputs: ['y'], nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'], name: 'a' }], inits: [f32('w', [4])] };
    expect(userError(() => infer(add))).toMatch(/node "a" \(Add\): inputs of shapes \[2, 3\] and \[4\] do not broadcast/);
  });
});

describe('counts', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-onnx-count-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(['mobilenet-v2', 'resnet-50', 'genet-light', 'efficientnet-b0', 'efficientnet-x-b0'])(
    'a built %s: MACs and weight bytes equal the config counts; params are the config less one BN vector per folded conv',
    (arch) => {
      const config = loadArchConfig(`fixtures/archs/${arch}.yaml`);
      const file = path.join(dir, `${arch}.onnx`);
      fs.writeFileSync(file, buildModel(config, { batch: 1 }));
      const s = inspectOnnx(file).stats;
      const c = countConfig(config);
      const bnChannels = lower(config).layers.reduce((a, l) => a + (l.type === 'conv' && l.bn ? l.cout : 0), 0);
      expect(s.macs).toBe(c.macs);
      expect(s.params).toBe(c.params - bnChannels);
      expect(s.weight_bytes).toBe(c.weight_bytes);
      // Exact without squeeze-excitation; SE's pooled vectors are counted per node here (within 0.3%).
      const se = config.stages.some((st) => st.block !== 'conv' && (st as { se?: number }).se);
      if (se) {
        expect(Math.abs(s.activation_bytes / c.activation_bytes - 1)).toBeLessThan(0.003);
        expect(Math.abs(s.peak_activation_bytes / c.peak_activation_bytes - 1)).toBeLessThan(0.001);
      } else {
        expect(s.activation_bytes).toBe(c.activation_bytes);
        expect(s.peak_activation_bytes).toBe(c.peak_activation_bytes);
      }
      expect(s.intensity).toBeCloseTo(c.intensity, se ? 1 : 6);
      expect(s.partial).toBeNull();
      expect(s.layers.reduce((a, l) => a + l.params, 0)).toBe(s.params);
      expect(s.layers.reduce((a, l) => a + l.macs, 0)).toBe(s.macs);
      expect(s.layers.reduce((a, l) => a + l.weightBytes, 0)).toBe(s.weight_bytes);
    },
  );

  it('per image whatever the batch; fp16 halves the bytes', () => {
    const config = loadArchConfig('fixtures/archs/mobilenet-v2.yaml');
    const at = (batch: number, precision: 'fp32' | 'fp16') => {
      const file = path.join(dir, `mv2-${batch}-${precision}.onnx`);
      fs.writeFileSync(file, buildModel(config, { batch, precision }));
      return inspectOnnx(file).stats;
    };
    const [a, b, h] = [at(1, 'fp32'), at(3, 'fp32'), at(1, 'fp16')];
    expect(b.batch).toBe(3);
    expect([b.macs, b.activation_bytes, b.peak_activation_bytes, b.params]).toEqual([a.macs, a.activation_bytes, a.peak_activation_bytes, a.params]);
    expect(h.precision).toBe('fp16');
    expect([h.weight_bytes * 2, h.activation_bytes * 2, h.params]).toEqual([a.weight_bytes, a.activation_bytes, a.params]);
  });

  it('Identity-shared initializers: each Identity is a parameter of its own; a tensor used twice directly is one (tied)', () => {
    // As torch 1.13 exports: equal-valued parameters deduplicated through Identity, tied ones used directly.
    const spec: ModelSpec = {
      inputs: [{ name: 'x', dims: [1, 8, 4, 4] }], outputs: ['d'],
      nodes: [
        { op: 'Identity', inputs: ['c.weight'], outputs: ['d.weight'] },
        { op: 'Conv', inputs: ['x', 'a.weight', 'a.bias'], outputs: ['a'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Conv', inputs: ['a', 'a.weight', 'b.bias'], outputs: ['b'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Conv', inputs: ['b', 'c.weight'], outputs: ['c'] },
        { op: 'Conv', inputs: ['c', 'd.weight'], outputs: ['d'] },
      ],
      inits: [f32('a.weight', [8, 8, 3, 3]), f32('a.bias', [8]), f32('b.bias', [8]), f32('c.weight', [8, 8, 1, 1])],
    };
    const s = countGraph(infer(spec), 'tied');
    // The framework's count of this module (tests/tied.py in the ONNX docs): 576 + 8 + 8 + 64 + 64.
    expect(s.params).toBe(720);
    expect(s.macs).toBe(2 * 16 * 8 * 72 + 2 * 16 * 8 * 8);
  });

  it('an int8 QDQ graph: quantized weights are the params, scales are weight bytes, the conv is counted', () => {
    const spec: ModelSpec = {
      opset: 13, inputs: [{ name: 'x', dims: [1, 4, 8, 8] }], outputs: ['y'],
      nodes: [
        { op: 'QuantizeLinear', inputs: ['x', 'xs', 'xz'], outputs: ['xq'] },
        { op: 'DequantizeLinear', inputs: ['xq', 'xs', 'xz'], outputs: ['xd'] },
        { op: 'DequantizeLinear', inputs: ['wq', 'ws', 'wz'], outputs: ['wd'], attrs: { axis: 0 } },
        { op: 'Conv', inputs: ['xd', 'wd', 'b'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['c'], outputs: ['y'] },
      ],
      inits: [
        scalar('xs', 0.05), { name: 'xz', dims: [], type: T.UINT8, values: [128] },
        { name: 'wq', dims: [16, 4, 3, 3], type: T.INT8, fill: 3 }, f32('ws', [16], 0.01), { name: 'wz', dims: [16], type: T.INT8, fill: 0 },
        f32('b', [16]),
      ],
    };
    const s = countGraph(infer(spec), 'qdq');
    expect(s.precision).toBe('int8');
    expect(s.params).toBe(16 * 4 * 9 + 16);
    expect(s.weight_bytes).toBe(16 * 4 * 9 + 16 * 4 + 16 + 16 * 4);
    expect(s.macs).toBe(16 * 64 * 36);
    expect(s.layers.map((l) => l.op)).toEqual(['QuantizeLinear', 'Conv+Relu']);
    // The conv reads the quantized activations (1 byte each) and writes fp32.
    expect(s.layers[1].activationBytes).toBe(4 * 64 + 16 * 64 * 4);
  });

  it('a QLinearConv graph (the operator form of int8)', () => {
    const spec: ModelSpec = {
      opset: 13, inputs: [{ name: 'x', dims: [1, 4, 8, 8], type: T.UINT8 }], outputs: ['y'],
      nodes: [{ op: 'QLinearConv', inputs: ['x', 's', 'z', 'w', 'ws', 'wz', 's', 'z', 'b'], outputs: ['y'], attrs: { kernel_shape: [3, 3] } }],
      inits: [scalar('s', 0.1), { name: 'z', dims: [], type: T.UINT8, values: [128] }, { name: 'w', dims: [8, 4, 3, 3], type: T.INT8, fill: 1 }, scalar('ws', 0.1), { name: 'wz', dims: [], type: T.INT8, values: [0] }, { name: 'b', dims: [8], type: T.INT32, fill: 0 }],
    };
    const s = countGraph(infer(spec), 'ql');
    expect(s.params).toBe(8 * 4 * 9 + 8);
    expect(s.macs).toBe(8 * 36 * 36);
    expect(s.precision).toBe('int8');
  });
});

describe('random graphs never escape as anything but a UserError', () => {
  it('2,000 seeded graphs of random ops, inputs and attributes', () => {
    const rnd = seeded(2424);
    const int = (n: number) => Math.floor(rnd() * n);
    const pick = <V>(xs: readonly V[]): V => xs[int(xs.length)];
    const ops = [...INFERRED_OPS, 'Loop', 'If', 'NonZero', 'Mystery'];
    const attrPalette = (): NodeSpec['attrs'] => {
      const a: NonNullable<NodeSpec['attrs']> = {};
      const ints = () => Array.from({ length: int(5) }, () => int(9) - 3);
      for (const [k, gen] of [
        ['axis', () => int(7) - 3], ['axes', ints], ['perm', ints], ['kernel_shape', ints], ['strides', ints], ['pads', ints], ['dilations', ints],
        ['group', () => int(4)], ['split', ints], ['keepdims', () => int(2)], ['to', () => pick([1, 6, 7, 10, 9])], ['blocksize', () => int(4)],
        ['transA', () => int(2)], ['transB', () => int(2)], ['ceil_mode', () => int(2)], ['auto_pad', () => pick(['NOTSET', 'SAME_UPPER', 'VALID', 'bogus'])],
        ['equation', () => pick(['ij,jk->ik', 'bij->bji', 'i,i->', 'x'])], ['num_outputs', () => int(4)], ['shape', ints], ['start', () => int(5) - 2], ['end', () => int(5) - 2],
        ['mode', () => pick(['nearest', 'linear'])], ['output_shape', ints], ['allowzero', () => int(2)],
      ] as const) {
        if (rnd() < 0.15) a[k] = (gen as () => number | number[] | string)();
      }
      return a;
    };
    let refused = 0;
    for (let k = 0; k < 2000; k++) {
      const names = ['x', 'y'];
      const inputs = [{ name: 'x', dims: Array.from({ length: 1 + int(4) }, () => 1 + int(6)) }, { name: 'y', dims: Array.from({ length: int(4) }, () => 1 + int(6)) }];
      const inits: NonNullable<ModelSpec['inits']> = [];
      for (let i = 0; i < 3; i++) {
        const dims = Array.from({ length: int(3) }, () => 1 + int(4));
        const n = dims.reduce((a, b) => a * b, 1);
        const t = pick([T.INT64, T.FLOAT]);
        inits.push({ name: `c${i}`, dims, type: t, values: Array.from({ length: n }, () => (t === T.INT64 ? int(9) - 3 : rnd() * 4 - 2)) });
        names.push(`c${i}`);
      }
      const nodes: NodeSpec[] = [];
      for (let i = 0; i < 1 + int(6); i++) {
        const op = pick(ops);
        const outs = Array.from({ length: 1 + (rnd() < 0.2 ? int(3) : 0) }, (_, j) => `n${i}_${j}`);
        nodes.push({ op, inputs: Array.from({ length: int(5) }, () => (rnd() < 0.1 ? '' : pick(names))), outputs: outs, attrs: attrPalette(), ...(op === 'Mystery' ? { domain: 'com.x' } : {}) });
        names.push(...outs);
      }
      const spec: ModelSpec = { opset: 11 + int(11), inputs, outputs: [nodes[nodes.length - 1].outputs[0]], nodes, inits, extraOpsets: [{ domain: 'com.x', version: 1 }] };
      try {
        const g = infer(spec, { batch: 1 + int(3), resolution: 1 + int(9), limits: { maxTensorBytes: 1 << 20 } });
        countGraph(g, 'r');
      } catch (err) {
        if (!(err instanceof UserError)) throw new Error(`graph ${k}: ${JSON.stringify(spec.nodes.map((n) => [n.op, n.inputs, n.attrs]))}\n${(err as Error).stack}`);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
