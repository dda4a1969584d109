/**
 * A small graph builder over onnx-proto's protobufjs-generated ONNX schema. Initializers are written as
 * raw_data views over the caller's typed arrays, so encoding copies each weight once, into the model bytes.
 */
import { onnx } from 'onnx-proto';
import type { Precision } from '../arch/types';
import { float32ToFloat16 } from './float16';

/** Opset 17 (IR 8): HardSwish and LayerNormalization exist; onnxruntime-node 1.30 runs it on every provider. */
export const OPSET = 17;
export const IR_VERSION = 8;

export type { Precision };
const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

export type AttrValue = number | number[] | string | { float: number } | { ints: number[] };

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  if (typeof value === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttrType.INTS, ints: value };
  if (typeof value === 'object' && 'float' in value) return { name, type: AttrType.FLOAT, f: value.float };
  if (typeof value === 'object' && 'ints' in value) return { name, type: AttrType.INTS, ints: value.ints };
  return Number.isInteger(value) ? { name, type: AttrType.INT, i: value } : { name, type: AttrType.FLOAT, f: value };
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly precision: Precision = 'fp32') {}

  get floatType(): number {
    return this.precision === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT;
  }

  /** A fresh tensor/node name with a readable prefix. */
  name(prefix: string): string {
    let candidate = prefix;
    while (this.used.has(candidate)) candidate = `${prefix}_${++this.counter}`;
    this.used.add(candidate);
    return candidate;
  }

  /** A float initializer in the graph's precision (converted from fp32 when the graph is fp16). */
  floatInit(prefix: string, dims: number[], data: Float32Array): string {
    const name = this.name(prefix);
    const raw = this.precision === 'fp16' ? bytesOf(float32ToFloat16(data)) : bytesOf(data);
    this.initializers.push({ name, dims, dataType: this.floatType, rawData: raw });
    return name;
  }

  /** A float scalar constant in the graph's precision. */
  scalar(prefix: string, value: number): string {
    return this.floatInit(prefix, [], new Float32Array([value]));
  }

  int64Init(prefix: string, values: number[]): string {
    const name = this.name(prefix);
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, rawData: bytesOf(data) });
    return name;
  }

  /** Adds a node; returns the name of its (first) output. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputName?: string): string {
    const output = outputName ?? this.name(`${opType.toLowerCase()}_out`);
    if (outputName) this.used.add(outputName);
    this.nodes.push({
      opType,
      name: this.name(`${opType}_${this.nodes.length}`),
      input: inputs,
      output: [output],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** Adds a node with several named outputs (Split). */
  nodeOutputs(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): void {
    this.nodes.push({
      opType,
      name: this.name(`${opType}_${this.nodes.length}`),
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
  }

  private valueInfo(name: string, dims: number[], elemType: number): onnx.IValueInfoProto {
    return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
  }

  input(name: string, dims: number[]): string {
    this.used.add(name);
    this.inputs.push(this.valueInfo(name, dims, this.floatType));
    return name;
  }

  output(name: string, dims: number[]): void {
    this.outputs.push(this.valueInfo(name, dims, this.floatType));
  }

  /** Renames the tensor produced last so the graph output has a stable name. */
  renameLastOutput(to: string): void {
    const last = this.nodes[this.nodes.length - 1];
    last.output = [to];
  }

  toBytes(graphName: string, docString = ''): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: IR_VERSION,
      producerName: 'frontier-gate',
      producerVersion: '1',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: { name: graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}
