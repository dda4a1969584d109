/**
 * Hand-written ONNX models for the tests: any opset (11 to 21 and beyond), exporter quirks (Identity-shared
 * initializers, symbolic dims, external data, QDQ, NHWC), and hostile files. Encoded with onnx-proto, so
 * what the reader under test decodes was written by an independent encoder.
 */
import { onnx } from 'onnx-proto';

export type Attr = number | number[] | string | { f: number } | { floats: number[] } | { t: InitSpec } | { g: GraphSpec };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
  name?: string;
  domain?: string;
}

export interface InitSpec {
  name: string;
  dims: number[];
  /** onnx.TensorProto.DataType, default FLOAT. */
  type?: number;
  /** Values (raw_data little-endian in the type), or `fill` for a large tensor. */
  values?: number[];
  fill?: number;
  /** Store in the typed field (float_data / int64_data / int32_data) instead of raw_data. */
  typed?: boolean;
  external?: { location: string; offset?: number; length?: number };
}

export interface GraphSpec {
  inputs: { name: string; dims?: (number | string | null)[]; type?: number }[];
  outputs: { name: string; dims?: (number | string | null)[]; type?: number }[] | string[];
  nodes: NodeSpec[];
  inits?: InitSpec[];
}

export interface ModelSpec extends GraphSpec {
  opset?: number;
  irVersion?: number;
  extraOpsets?: { domain: string; version: number }[];
}

export const T = onnx.TensorProto.DataType;

function rawBytes(type: number, values: number[]): Uint8Array {
  const n = values.length;
  switch (type) {
    case T.FLOAT: return new Uint8Array(new Float32Array(values).buffer);
    case T.DOUBLE: return new Uint8Array(new Float64Array(values).buffer);
    case T.INT64: return new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
    case T.INT32: return new Uint8Array(new Int32Array(values).buffer);
    case T.INT8: return new Uint8Array(new Int8Array(values).buffer);
    case T.UINT8: case T.BOOL: return new Uint8Array(values);
    case T.FLOAT16: {
      // Exact for the small integers and halves the tests use.
      const out = new Uint16Array(n);
      values.forEach((v, i) => {
        if (v === 0) return;
        const e = Math.floor(Math.log2(Math.abs(v)));
        const m = Math.round((Math.abs(v) / 2 ** e - 1) * 1024);
        out[i] = (v < 0 ? 0x8000 : 0) | ((e + 15) << 10) | m;
      });
      return new Uint8Array(out.buffer);
    }
    default: throw new Error(`rawBytes: type ${type}`);
  }
}

export function tensor(s: InitSpec): onnx.ITensorProto {
  const type = s.type ?? T.FLOAT;
  const count = s.dims.reduce((a, b) => a * b, 1);
  const values = s.values ?? (s.fill !== undefined ? new Array(count).fill(s.fill) : undefined);
  const t: onnx.ITensorProto = { name: s.name, dims: s.dims, dataType: type };
  if (s.external) {
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [{ key: 'location', value: s.external.location }];
    if (s.external.offset !== undefined) t.externalData.push({ key: 'offset', value: String(s.external.offset) });
    if (s.external.length !== undefined) t.externalData.push({ key: 'length', value: String(s.external.length) });
  } else if (values && s.typed) {
    if (type === T.FLOAT) t.floatData = values;
    else if (type === T.INT64) t.int64Data = values;
    else t.int32Data = values;
  } else if (values) t.rawData = rawBytes(type, values);
  return t;
}

function valueInfo(v: { name: string; dims?: (number | string | null)[]; type?: number }): onnx.IValueInfoProto {
  const shape = v.dims ? { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) } : undefined;
  return { name: v.name, type: { tensorType: { elemType: v.type ?? T.FLOAT, ...(shape ? { shape } : {}) } } };
}

function attribute(name: string, a: Attr): onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof a === 'number') return { name, type: A.INT, i: a };
  if (typeof a === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(a) };
  if (Array.isArray(a)) return { name, type: A.INTS, ints: a };
  if ('f' in a) return { name, type: A.FLOAT, f: a.f };
  if ('floats' in a) return { name, type: A.FLOATS, floats: a.floats };
  if ('t' in a) return { name, type: A.TENSOR, t: tensor(a.t) };
  return { name, type: A.GRAPH, g: graph(a.g, name) };
}

export function graph(g: GraphSpec, name = 'g'): onnx.IGraphProto {
  return {
    name,
    node: g.nodes.map((n, i) => ({
      opType: n.op,
      name: n.name ?? `${n.op}_${i}`,
      input: n.inputs,
      output: n.outputs,
      domain: n.domain ?? '',
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    })),
    initializer: (g.inits ?? []).map(tensor),
    input: g.inputs.map(valueInfo),
    output: g.outputs.map((o) => (typeof o === 'string' ? { name: o } : valueInfo(o))),
  };
}

export function encodeModel(m: ModelSpec): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: m.irVersion ?? 8,
    producerName: 'frontier-gate tests',
    opsetImport: [{ domain: '', version: m.opset ?? 17 }, ...(m.extraOpsets ?? [])],
    graph: graph(m),
  }).finish();
}

/** A protobuf field by hand: for bytes onnx-proto would refuse to write. */
export function wireField(no: number, payload: Uint8Array | number): Uint8Array {
  const varint = (v: number) => {
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return out;
  };
  if (typeof payload === 'number') return new Uint8Array([...varint(no * 8), ...varint(payload)]);
  return new Uint8Array([...varint(no * 8 + 2), ...varint(payload.length), ...payload]);
}

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
