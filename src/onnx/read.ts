/**
 * The one reader of .onnx files: a bounded protobuf wire-format decoder over the file's bytes.
 *
 * Why not onnx-proto's decoder: it copies nothing for raw_data but decodes every float_data/int64_data
 * value into a JS array, and it checks nothing before it allocates (a file of a million empty nodes, or a
 * tensor whose dims claim terabytes). This reader keeps tensor data as views into the file buffer (raw_data,
 * packed typed fields) and checks, while reading:
 *  - every length against the bytes that remain (a truncated file names the field it ends in);
 *  - the counts in ONNX_LIMITS (nodes, initializers, value infos, rank, subgraph depth, decoded items);
 *  - every tensor's declared dims x element size against the bytes it actually holds (raw, typed or
 *    external), so no later step trusts a dim the file cannot back.
 * The graph's structure (names defined once, inputs defined before use, no cycles) is checked by
 * checkGraph(); external data by resolveExternalData() (it must stay inside the model's folder).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { describeFileType, excerpt, FILE_LIMITS, formatBytes, readRegularFile } from '../util/fs';
import { MinHeap } from '../util/heap';

/** Limits of what an .onnx file may contain (documented in docs/onnx.md). */
export const ONNX_LIMITS = {
  /** File size: protobuf itself cannot exceed 2 GiB; larger weights go to external data. */
  maxFileBytes: FILE_LIMITS.onnx,
  /** Nodes in all graphs together (subgraphs and functions included). */
  maxNodes: 100_000,
  /** Initializers (dense and sparse) in all graphs together. */
  maxInitializers: 100_000,
  /** Value infos (inputs, outputs, value_info) in all graphs together. */
  maxValueInfos: 200_000,
  /** Rank of any tensor or declared shape. */
  maxRank: 16,
  /** Nesting of subgraphs (If / Loop / Scan bodies). */
  maxGraphDepth: 8,
  /** Everything decoded into JS values (messages, dims, attribute list elements): bounds the reader's memory. */
  maxItems: 4_000_000,
  /** Inputs or outputs of one node, attributes of one node. */
  maxNodeFields: 10_000,
} as const;
export type OnnxLimits = { [K in keyof typeof ONNX_LIMITS]: number };

/** ONNX TensorProto.DataType codes this project names. */
export const DT = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11,
  UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16, FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18, FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20, UINT4: 21, INT4: 22,
} as const;

const TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64',
  12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2',
  20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4',
};
/** Bytes per element; 4-bit types are 0.5 (two per byte, rounded up per tensor). Strings have no fixed size. */
const ELEMENT_BYTES: Record<number, number> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1, 21: 0.5, 22: 0.5,
};

export const typeName = (t: number): string => TYPE_NAMES[t] ?? `type ${t}`;
/** Bytes per element of a data type (0 for strings and unknown types). */
export const elementBytes = (t: number): number => ELEMENT_BYTES[t] ?? 0;
/** Bytes of `elements` values of type `t` as stored (4-bit types packed two per byte). */
export const storedBytes = (t: number, elements: number): number => Math.ceil(elements * elementBytes(t));
export const isFloatType = (t: number): boolean => t === DT.FLOAT || t === DT.FLOAT16 || t === DT.DOUBLE || t === DT.BFLOAT16;

/** Which typed field holds a data type's values (TensorProto), and how many numbers per element. */
function typedField(t: number): { field: number; perElement: number } | undefined {
  switch (t) {
    case DT.FLOAT: return { field: 4, perElement: 1 };
    case DT.COMPLEX64: return { field: 4, perElement: 2 };
    case DT.INT64: return { field: 7, perElement: 1 };
    case DT.DOUBLE: return { field: 10, perElement: 1 };
    case DT.COMPLEX128: return { field: 10, perElement: 2 };
    case DT.UINT32: case DT.UINT64: return { field: 11, perElement: 1 };
    case DT.STRING: return { field: 6, perElement: 1 };
    case DT.UINT4: case DT.INT4: return { field: 5, perElement: 0.5 };
    default: return t in ELEMENT_BYTES ? { field: 5, perElement: 1 } : undefined;
  }
}

/** Where a tensor's elements are. Views point into the file buffer; nothing is copied. */
export type TensorData =
  | { kind: 'none' }
  | { kind: 'raw'; bytes: Uint8Array }
  /** A typed repeated field (float_data, int64_data...): its packed or unpacked occurrences. */
  | { kind: 'typed'; field: number; parts: { wire: number; bytes: Uint8Array }[] }
  | { kind: 'external'; location: string; offset: number; length?: number; file?: string };

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  elements: number;
  data: TensorData;
  /** Where it sits in the file, for messages: "graph.initializer[3]". */
  where: string;
}

export type AttrValue = {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  g?: OnnxGraph;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: OnnxTensor[];
  graphs?: OnnxGraph[];
  /** A function attribute reference (only inside functions). */
  ref?: string;
};

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
  /** Position in its graph's node list. */
  index: number;
}

/** A declared dim: a number, a symbol (dim_param), or unknown (neither). */
export type DeclaredDim = number | string | undefined;

export interface OnnxValueInfo {
  name: string;
  /** 'tensor' (elemType and maybe dims known), or another kind (sequence, map, optional). */
  kind: 'tensor' | 'sparse_tensor' | 'other';
  elemType?: number;
  /** Undefined when the shape is not declared at all (any rank). */
  dims?: DeclaredDim[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  /** Sparse initializers: their values tensor, named as the sparse tensor, with its dense dims. */
  sparseInitializers: { name: string; dims: number[]; values: OnnxTensor; indices: OnnxTensor }[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  /** "graph", or "graph.node[12].attribute 'body'" for a subgraph. */
  where: string;
}

export interface OnnxModel {
  file: string;
  /** The file's bytes (every view above points into them). */
  bytes: Uint8Array;
  irVersion: number;
  /** Opset version per domain ('' is the default ONNX domain). */
  opsets: Map<string, number>;
  producer: { name: string; version: string };
  graph: OnnxGraph;
  /** Model-local functions (domain, name) that nodes may call. */
  functions: { domain: string; name: string; nodes: number }[];
  metadata: Map<string, string>;
}

/** A file that is not a valid, bounded ONNX model: exit 2, naming the file and where in it. */
export class OnnxError extends UserError {
  constructor(file: string, where: string, detail: string) {
    super(`${file}: ${where ? `${where}: ` : ''}${detail}`);
    this.name = 'OnnxError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;
const TWO32 = 2 ** 32;

interface Budget {
  items: number;
  nodes: number;
  initializers: number;
  valueInfos: number;
}

/** Reading state shared by every message of one file. */
class Reader {
  readonly budget: Budget = { items: 0, nodes: 0, initializers: 0, valueInfos: 0 };
  constructor(
    readonly file: string,
    readonly buf: Uint8Array,
    readonly limits: OnnxLimits,
  ) {}

  fail(where: string, detail: string): never {
    throw new OnnxError(this.file, where, detail);
  }

  count(where: string, what: keyof Budget, n = 1): void {
    this.budget[what] += n;
    const limit = { items: this.limits.maxItems, nodes: this.limits.maxNodes, initializers: this.limits.maxInitializers, valueInfos: this.limits.maxValueInfos }[what];
    if (this.budget[what] > limit) {
      const noun = { items: 'decoded values', nodes: 'nodes', initializers: 'initializers', valueInfos: 'value infos' }[what];
      this.fail(where, `more than ${limit.toLocaleString('en-US')} ${noun} in the model (limit ONNX_LIMITS.max${what[0].toUpperCase()}${what.slice(1)}); refused before reading further`);
    }
  }

  /** A varint at `pos`; returns [value, next]. Values past 2^53 lose precision (never used as sizes). */
  varint(pos: number, end: number, where: string): [number, number] {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let p = pos;
    for (let i = 0; i < 10; i++) {
      if (p >= end) this.fail(where, `truncated protobuf: a varint runs past the end of its message (byte ${p} of ${this.buf.length})`);
      const b = this.buf[p++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if ((b & 0x80) === 0) {
        // int64 fields hold two's complement: a set top bit is a negative number.
        if (hi & 0x80000000) return [-((~hi >>> 0) * TWO32 + (~lo >>> 0) + 1), p];
        return [(hi >>> 0) * TWO32 + (lo >>> 0), p];
      }
    }
    return this.fail(where, `malformed protobuf: a varint longer than 10 bytes at byte ${pos}`);
  }

  /** Calls `field` for each field of the message in [start, end). */
  fields(start: number, end: number, where: string, field: (no: number, wire: number, pos: number, valueEnd: number, value: number) => void): void {
    let p = start;
    while (p < end) {
      const [key, afterKey] = this.varint(p, end, where);
      const no = Math.floor(key / 8);
      const wire = key % 8;
      if (no < 1) this.fail(where, `malformed protobuf: field number 0 at byte ${p}`);
      let value = 0;
      let vStart = afterKey;
      let vEnd: number;
      switch (wire) {
        case WIRE.VARINT:
          [value, vEnd] = this.varint(afterKey, end, where);
          break;
        case WIRE.I64:
          vEnd = afterKey + 8;
          break;
        case WIRE.I32:
          vEnd = afterKey + 4;
          break;
        case WIRE.LEN: {
          const [len, afterLen] = this.varint(afterKey, end, where);
          if (len < 0 || afterLen + len > end) {
            this.fail(where, `truncated protobuf: field ${no} declares ${len.toLocaleString('en-US')} bytes at byte ${afterLen}, but only ${(end - afterLen).toLocaleString('en-US')} remain in its message`);
          }
          vStart = afterLen;
          vEnd = afterLen + len;
          value = len;
          break;
        }
        default:
          return this.fail(where, `malformed protobuf: wire type ${wire} (field ${no}) at byte ${p}; ONNX uses types 0, 1, 2 and 5`);
      }
      if (vEnd > end) this.fail(where, `truncated protobuf: field ${no} runs past the end of its message (byte ${end})`);
      field(no, wire, vStart, vEnd, value);
      p = vEnd;
    }
  }

  string(start: number, end: number): string {
    return utf8.decode(this.buf.subarray(start, end));
  }

  float32(pos: number): number {
    return new DataView(this.buf.buffer, this.buf.byteOffset + pos, 4).getFloat32(0, true);
  }

  /** A repeated int64 field's values, packed or not; appends to `out`. */
  ints(wire: number, start: number, end: number, value: number, where: string, out: number[]): void {
    if (wire === WIRE.VARINT) {
      this.count(where, 'items');
      out.push(value);
      return;
    }
    if (wire !== WIRE.LEN) this.fail(where, `malformed protobuf: an integer list with wire type ${wire}`);
    for (let p = start; p < end; ) {
      const [v, next] = this.varint(p, end, where);
      this.count(where, 'items');
      out.push(v);
      p = next;
    }
  }

  floats(wire: number, start: number, end: number, where: string, out: number[]): void {
    if (wire === WIRE.I32) {
      this.count(where, 'items');
      out.push(this.float32(start));
      return;
    }
    if (wire !== WIRE.LEN || (end - start) % 4 !== 0) this.fail(where, `malformed protobuf: a float list with wire type ${wire} and ${end - start} bytes`);
    this.count(where, 'items', (end - start) / 4);
    for (let p = start; p < end; p += 4) out.push(this.float32(p));
  }
}

const named = (where: string, name: string) => (name ? `${where} ${excerpt(name, 80)}` : where);

function expectLen(r: Reader, wire: number, where: string, what: string): void {
  if (wire !== WIRE.LEN) r.fail(where, `malformed protobuf: ${what} with wire type ${wire}`);
}

/** Numbers a typed field holds, counted without decoding them. */
function typedCount(r: Reader, parts: { wire: number; bytes: Uint8Array }[], field: number): number {
  let n = 0;
  for (const part of parts) {
    if (part.wire !== WIRE.LEN || field === 6) n += 1;
    else if (field === 4) n += part.bytes.length / 4;
    else if (field === 10) n += part.bytes.length / 8;
    else for (const b of part.bytes) if ((b & 0x80) === 0) n++;
  }
  void r;
  return n;
}

function readTensor(r: Reader, start: number, end: number, where: string, depth: number): OnnxTensor {
  r.count(where, 'items');
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  const typed = new Map<number, { wire: number; bytes: Uint8Array }[]>();
  const external = new Map<string, string>();
  let location = 0;
  r.fields(start, end, where, (no, wire, s, e, value) => {
    switch (no) {
      case 1:
        r.ints(wire, s, e, value, where, dims);
        if (dims.length > r.limits.maxRank) r.fail(where, `a tensor of rank above ${r.limits.maxRank} (limit ONNX_LIMITS.maxRank)`);
        break;
      case 2:
        dataType = value;
        break;
      case 3:
        r.fail(named(where, name), 'segmented tensors (TensorProto.segment) are not supported; re-save the model without segments');
        break;
      case 4: case 5: case 6: case 7: case 10: case 11: {
        const list = typed.get(no) ?? [];
        r.count(where, 'items');
        list.push({ wire, bytes: r.buf.subarray(s, e) });
        typed.set(no, list);
        break;
      }
      case 8:
        name = r.string(s, e);
        break;
      case 9:
        raw = r.buf.subarray(s, e);
        break;
      case 13: {
        let key = '';
        let val = '';
        r.fields(s, e, where, (n2, _w, s2, e2) => {
          if (n2 === 1) key = r.string(s2, e2);
          else if (n2 === 2) val = r.string(s2, e2);
        });
        r.count(where, 'items');
        external.set(key, val);
        break;
      }
      case 14:
        location = value;
        break;
    }
  });
  void depth;
  const at = named(where, name);
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) r.fail(at, `dims [${dims.join(', ')}] hold ${d < 0 ? 'a negative' : 'an oversized'} dimension; a stored tensor's dims are integers >= 0`);
  }
  const elements = dims.reduce((a, b) => a * b, 1);
  const shape = `dims [${dims.join(', ')}] (${typeName(dataType)})`;
  if (!Number.isSafeInteger(elements)) r.fail(at, `${shape} declare more than 2^53 elements`);
  const field = typedField(dataType);
  if (!field) r.fail(at, `unknown data type ${dataType}`);
  let data: TensorData;
  if (location === 1 || external.size) {
    const loc = external.get('location');
    if (!loc) r.fail(at, 'is stored externally but names no location');
    const num = (key: string): number | undefined => {
      const v = external.get(key);
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) r.fail(at, `external data ${key} ${excerpt(v)} is not a byte count`);
      return n;
    };
    data = { kind: 'external', location: loc, offset: num('offset') ?? 0, length: num('length') };
    if (data.length !== undefined && dataType !== DT.STRING && data.length !== storedBytes(dataType, elements)) {
      r.fail(at, `${shape} need ${storedBytes(dataType, elements).toLocaleString('en-US')} bytes, but its external data length is ${data.length.toLocaleString('en-US')}`);
    }
  } else if (raw !== undefined) {
    if (dataType === DT.STRING) r.fail(at, 'a string tensor in raw_data (not allowed by ONNX)');
    const need = storedBytes(dataType, elements);
    if (raw.length !== need) {
      r.fail(at, `${shape} need ${need.toLocaleString('en-US')} bytes, but raw_data holds ${raw.length.toLocaleString('en-US')}`);
    }
    data = { kind: 'raw', bytes: raw };
  } else if (typed.size) {
    if (typed.size > 1 || !typed.has(field.field)) {
      r.fail(at, `${shape} stores its values in field ${[...typed.keys()].join(', ')}, not in the field its type uses (${field.field})`);
    }
    const parts = typed.get(field.field)!;
    const numbers = typedCount(r, parts, field.field);
    const need = Math.ceil(elements * field.perElement);
    if (numbers !== need) r.fail(at, `${shape} need ${need.toLocaleString('en-US')} values, but the tensor holds ${numbers.toLocaleString('en-US')}`);
    data = { kind: 'typed', field: field.field, parts };
  } else {
    if (elements > 0) r.fail(at, `${shape} declare ${elements.toLocaleString('en-US')} elements but the tensor holds no data`);
    data = { kind: 'none' };
  }
  return { name, dims, dataType, elements, data, where: at };
}

function readValueInfo(r: Reader, start: number, end: number, where: string): OnnxValueInfo {
  r.count(where, 'valueInfos');
  r.count(where, 'items');
  const info: OnnxValueInfo = { name: '', kind: 'other' };
  r.fields(start, end, where, (no, wire, s, e) => {
    if (no === 1) info.name = r.string(s, e);
    else if (no === 2) {
      expectLen(r, wire, where, 'a type');
      r.fields(s, e, where, (tno, twire, ts, te) => {
        // tensor_type (1) and sparse_tensor_type (8) share their layout: elem_type 1, shape 2.
        if (tno !== 1 && tno !== 8) return;
        expectLen(r, twire, where, 'a tensor type');
        info.kind = tno === 1 ? 'tensor' : 'sparse_tensor';
        r.fields(ts, te, where, (n2, _w2, s2, e2, v2) => {
          if (n2 === 1) info.elemType = v2;
          else if (n2 === 2) {
            const dims: DeclaredDim[] = [];
            r.fields(s2, e2, where, (n3, _w3, s3, e3) => {
              if (n3 !== 1) return;
              r.count(where, 'items');
              let dim: DeclaredDim;
              r.fields(s3, e3, where, (n4, _w4, s4, e4, v4) => {
                if (n4 === 1) dim = v4;
                else if (n4 === 2) dim = r.string(s4, e4);
              });
              dims.push(dim);
              if (dims.length > r.limits.maxRank) r.fail(named(where, info.name), `a declared shape of rank above ${r.limits.maxRank} (limit ONNX_LIMITS.maxRank)`);
            });
            info.dims = dims;
          }
        });
      });
    }
  });
  return info;
}

function readAttribute(r: Reader, start: number, end: number, where: string, depth: number): AttrValue {
  r.count(where, 'items');
  const a: AttrValue = { name: '', type: 0 };
  r.fields(start, end, where, (no, wire, s, e, value) => {
    const at = `${where} ${excerpt(a.name, 60)}`;
    switch (no) {
      case 1: a.name = r.string(s, e); break;
      case 20: a.type = value; break;
      case 21: a.ref = r.string(s, e); break;
      case 2: if (wire === WIRE.I32) a.f = r.float32(s); break;
      case 3: a.i = value; break;
      case 4: a.s = r.buf.subarray(s, e); break;
      case 5: a.t = readTensor(r, s, e, `${at}.t`, depth); break;
      case 6: a.g = readGraph(r, s, e, `${at}.g`, depth + 1); break;
      case 7: r.floats(wire, s, e, at, (a.floats ??= [])); break;
      case 8: r.ints(wire, s, e, value, at, (a.ints ??= [])); break;
      case 9: r.count(at, 'items'); (a.strings ??= []).push(r.buf.subarray(s, e)); break;
      case 10: (a.tensors ??= []).push(readTensor(r, s, e, `${at}.tensors[${a.tensors?.length ?? 0}]`, depth)); break;
      case 11: (a.graphs ??= []).push(readGraph(r, s, e, `${at}.graphs[${a.graphs?.length ?? 0}]`, depth + 1)); break;
      // sparse_tensor (22), sparse_tensors (23), tp (14), type_protos (15) are not read: no op of the
      // inference set uses them, and onnxruntime checks them when it loads the model.
    }
  });
  return a;
}

function readNode(r: Reader, start: number, end: number, where: string, index: number, depth: number): OnnxNode {
  r.count(where, 'nodes');
  r.count(where, 'items');
  const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attrs: new Map(), index };
  r.fields(start, end, where, (no, wire, s, e) => {
    switch (no) {
      case 1: r.count(where, 'items'); node.inputs.push(r.string(s, e)); break;
      case 2: r.count(where, 'items'); node.outputs.push(r.string(s, e)); break;
      case 3: node.name = r.string(s, e); break;
      case 4: node.opType = r.string(s, e); break;
      case 7: node.domain = r.string(s, e); break;
      case 5: {
        expectLen(r, wire, where, 'an attribute');
        const attr = readAttribute(r, s, e, `${where} attribute`, depth);
        node.attrs.set(attr.name, attr);
        break;
      }
    }
    if (node.inputs.length + node.outputs.length + node.attrs.size > r.limits.maxNodeFields) {
      r.fail(where, `more than ${r.limits.maxNodeFields.toLocaleString('en-US')} inputs, outputs and attributes on one node (limit ONNX_LIMITS.maxNodeFields)`);
    }
  });
  if (node.domain === 'ai.onnx') node.domain = '';
  return node;
}

function readGraph(r: Reader, start: number, end: number, where: string, depth: number): OnnxGraph {
  if (depth > r.limits.maxGraphDepth) r.fail(where, `subgraphs nested deeper than ${r.limits.maxGraphDepth} (limit ONNX_LIMITS.maxGraphDepth)`);
  r.count(where, 'items');
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], sparseInitializers: [], inputs: [], outputs: [], valueInfo: [], where };
  r.fields(start, end, where, (no, wire, s, e) => {
    switch (no) {
      case 1:
        expectLen(r, wire, where, 'a node');
        g.nodes.push(readNode(r, s, e, `${where}.node[${g.nodes.length}]`, g.nodes.length, depth));
        break;
      case 2: g.name = r.string(s, e); break;
      case 5:
        expectLen(r, wire, where, 'an initializer');
        r.count(where, 'initializers');
        g.initializers.push(readTensor(r, s, e, `${where}.initializer[${g.initializers.length}]`, depth));
        break;
      case 15: {
        expectLen(r, wire, where, 'a sparse initializer');
        r.count(where, 'initializers');
        const at = `${where}.sparse_initializer[${g.sparseInitializers.length}]`;
        let values: OnnxTensor | undefined;
        let indices: OnnxTensor | undefined;
        const dims: number[] = [];
        r.fields(s, e, at, (n2, w2, s2, e2, v2) => {
          if (n2 === 1) values = readTensor(r, s2, e2, `${at}.values`, depth);
          else if (n2 === 2) indices = readTensor(r, s2, e2, `${at}.indices`, depth);
          else if (n2 === 3) r.ints(w2, s2, e2, v2, at, dims);
        });
        if (!values || !indices) r.fail(at, 'a sparse initializer needs values and indices');
        g.sparseInitializers.push({ name: values.name, dims, values, indices });
        break;
      }
      case 11: g.inputs.push(readValueInfo(r, s, e, `${where}.input[${g.inputs.length}]`)); break;
      case 12: g.outputs.push(readValueInfo(r, s, e, `${where}.output[${g.outputs.length}]`)); break;
      case 13: g.valueInfo.push(readValueInfo(r, s, e, `${where}.value_info[${g.valueInfo.length}]`)); break;
    }
  });
  return g;
}

/** Decodes an ONNX ModelProto from `bytes` (already size-checked), with every check above. */
export function parseModel(file: string, bytes: Uint8Array, limits: OnnxLimits = ONNX_LIMITS): OnnxModel {
  const r = new Reader(file, bytes, limits);
  if (bytes.length === 0) r.fail('', 'not an ONNX model (the file is empty)');
  // A repository that keeps models in Git LFS checks out pointers unless asked for the files.
  if (bytes.length < 1024 && Buffer.from(bytes.subarray(0, 40)).toString('latin1').startsWith('version https://git-lfs.github.com/spec/')) {
    r.fail('', 'a Git LFS pointer, not the model: fetch the LFS files first (git lfs pull, or actions/checkout with lfs: true)');
  }
  let graph: OnnxGraph | undefined;
  let irVersion = 0;
  const opsets = new Map<string, number>();
  const producer = { name: '', version: '' };
  const functions: OnnxModel['functions'] = [];
  const metadata = new Map<string, string>();
  let recognised = false;
  try {
    r.fields(0, bytes.length, 'model', (no, wire, s, e, value) => {
      if (no === 1 || no === 7 || no === 8) recognised = true;
      switch (no) {
        case 1: irVersion = value; break;
        case 2: producer.name = r.string(s, e); break;
        case 3: producer.version = r.string(s, e); break;
        case 7:
          expectLen(r, wire, 'model', 'the graph');
          if (graph) r.fail('model', 'two graphs in one model');
          graph = readGraph(r, s, e, 'graph', 0);
          break;
        case 8: {
          expectLen(r, wire, 'model', 'an opset import');
          let domain = '';
          let version = 0;
          r.fields(s, e, 'model.opset_import', (n2, _w, s2, e2, v2) => {
            if (n2 === 1) domain = r.string(s2, e2);
            else if (n2 === 2) version = v2;
          });
          opsets.set(domain === 'ai.onnx' ? '' : domain, version);
          break;
        }
        case 14: {
          expectLen(r, wire, 'model', 'metadata');
          let key = '';
          let val = '';
          r.fields(s, e, 'model.metadata_props', (n2, _w, s2, e2) => {
            if (n2 === 1) key = r.string(s2, e2);
            else if (n2 === 2) val = r.string(s2, e2);
          });
          r.count('model.metadata_props', 'items');
          metadata.set(key, val);
          break;
        }
        case 25: {
          expectLen(r, wire, 'model', 'a function');
          const fn = { domain: '', name: '', nodes: 0 };
          const at = `model.functions[${functions.length}]`;
          r.fields(s, e, at, (n2, w2, s2, e2) => {
            if (n2 === 1) fn.name = r.string(s2, e2);
            else if (n2 === 10) fn.domain = r.string(s2, e2);
            else if (n2 === 7) {
              expectLen(r, w2, at, 'a node');
              readNode(r, s2, e2, `${at}.node[${fn.nodes}]`, fn.nodes, 1);
              fn.nodes++;
            }
          });
          functions.push(fn);
          break;
        }
      }
    });
  } catch (err) {
    // Bytes that never looked like a model (text, an image) are named so, not as a broken model.
    if (err instanceof OnnxError && !recognised) r.fail('', `not an ONNX model (${err.message.slice(file.length + 2)})`);
    if (err instanceof OnnxError) throw err;
    // Only a bug of this reader lands here; it still must not show a stack for a user's file.
    if (err instanceof RangeError) r.fail('', `not an ONNX model (${err.message})`);
    throw err;
  }
  const found = graph as OnnxGraph | undefined;
  if (!found) return r.fail('', 'not an ONNX model (no graph)');
  return { file, bytes, irVersion, opsets, producer, graph: found, functions, metadata };
}

/** Every tensor a graph stores (initializers, sparse values, tensors in attributes), subgraphs included. */
export function* storedTensors(graph: OnnxGraph): Generator<OnnxTensor> {
  yield* graph.initializers;
  for (const s of graph.sparseInitializers) {
    yield s.values;
    yield s.indices;
  }
  for (const node of graph.nodes) {
    for (const a of node.attrs.values()) {
      if (a.t) yield a.t;
      if (a.tensors) yield* a.tensors;
      if (a.g) yield* storedTensors(a.g);
      for (const g of a.graphs ?? []) yield* storedTensors(g);
    }
  }
}

/**
 * Resolves every externally stored tensor: its file must resolve (real path too, so a symlink cannot
 * escape) inside the model's folder, be a regular file within FILE_LIMITS.onnx, and hold the tensor's bytes
 * at its offset. Returns the external files (real paths).
 */
export function resolveExternalData(model: OnnxModel): string[] {
  const folder = fs.realpathSync(path.dirname(path.resolve(model.file)));
  const files = new Map<string, number>();
  for (const tensor of storedTensors(model.graph)) {
    if (tensor.data.kind !== 'external') continue;
    const { location } = tensor.data;
    const at = `tensor ${excerpt(tensor.name, 80)}`;
    const fail = (detail: string): never => {
      throw new OnnxError(model.file, '', `${at} ${detail}`);
    };
    const target = path.resolve(folder, location);
    const real = fs.existsSync(target) ? fs.realpathSync(target) : target;
    for (const candidate of [target, real]) {
      const rel = path.relative(folder, candidate);
      if (path.isAbsolute(location) || rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
        fail(`keeps its data in ${excerpt(location)}, outside the model's folder ${folder}; external data must sit next to the model (refused)`);
      }
    }
    if (!fs.existsSync(real)) fail(`needs external data file ${excerpt(location)}, which does not exist`);
    let size = files.get(real);
    if (size === undefined) {
      const st = fs.statSync(real);
      if (!st.isFile()) fail(`external data ${excerpt(location)} is ${describeFileType(st)}; expected a regular file`);
      if (st.size > FILE_LIMITS.onnx) fail(`external data ${excerpt(location)} is ${formatBytes(st.size)}, over the ${formatBytes(FILE_LIMITS.onnx)} limit (FILE_LIMITS.onnx)`);
      size = st.size;
      files.set(real, size);
    }
    const need = tensor.data.length ?? storedBytes(tensor.dataType, tensor.elements);
    if (tensor.data.offset + need > size) {
      fail(`dims [${tensor.dims.join(', ')}] (${typeName(tensor.dataType)}) need ${need.toLocaleString('en-US')} bytes at offset ${tensor.data.offset.toLocaleString('en-US')} of ${excerpt(location)}, which holds ${size.toLocaleString('en-US')}`);
    }
    tensor.data.file = real;
  }
  return [...files.keys()];
}

/**
 * The graph's structure, checked once: every tensor name is produced once (graph input, initializer or
 * node output), every node input is defined somewhere (in this graph, before use in some order, or in an
 * enclosing graph), and the nodes form no cycle. Returns the nodes in a topological order (the file's
 * order when it is one, as ONNX requires, else a sorted one).
 */
export function checkGraph(file: string, graph: OnnxGraph, outer: (name: string) => boolean = () => false): OnnxNode[] {
  const fail = (where: string, detail: string): never => {
    throw new OnnxError(file, where, detail);
  };
  const producer = new Map<string, number>();
  // Names defined before any node: initializers and inputs (an initializer may also be listed as an input).
  const given = new Set<string>();
  const inputNames = new Set(graph.inputs.map((i) => i.name));
  const define = (name: string, where: string) => {
    if (!name) return;
    if (given.has(name) && !inputNames.has(name)) fail(where, `tensor ${excerpt(name, 80)} is defined twice (each name must be produced once)`);
    given.add(name);
  };
  for (const t of graph.initializers) define(t.name, t.where);
  for (const s of graph.sparseInitializers) define(s.name, `${graph.where}.sparse_initializer`);
  for (const name of inputNames) given.add(name);
  const local = new Set<string>(given);
  const nodeWhere = (n: OnnxNode) => `${graph.where}.node[${n.index}] ${excerpt(n.name || n.outputs[0] || '', 80)} (${n.opType})`;
  graph.nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (!o) continue;
      if (local.has(o)) fail(nodeWhere(n), `output ${excerpt(o, 80)} is already defined (each name must be produced once)`);
      local.add(o);
      producer.set(o, i);
    }
  });
  // Scopes are chained, never copied: a subgraph sees this graph's names through `inScope`.
  const inScope = (name: string) => local.has(name) || outer(name);
  const definedBefore = (name: string) => given.has(name) || outer(name);
  // The file's order, when it is topological (as ONNX requires and exporters write it).
  const seen = new Set<string>();
  const inOrder = graph.nodes.every((n) => {
    const ok = [...n.inputs, ...subgraphInputs(n)].every((i) => !i || seen.has(i) || definedBefore(i));
    for (const o of n.outputs) seen.add(o);
    return ok;
  });
  if (inOrder) {
    checkSubgraphs(file, graph, inScope);
    return graph.nodes;
  }
  // Kahn's algorithm otherwise, keeping the file's order among ready nodes.
  const pending = new Array<number>(graph.nodes.length).fill(0);
  const consumers = new Map<number, number[]>();
  graph.nodes.forEach((n, i) => {
    const deps = new Set<number>();
    for (const input of [...n.inputs, ...subgraphInputs(n)]) {
      if (!input) continue;
      const p = producer.get(input);
      if (p !== undefined) deps.add(p);
      else if (!definedBefore(input)) fail(nodeWhere(n), `input ${excerpt(input, 80)} is not defined anywhere in the graph (not an input, an initializer or a node's output)`);
    }
    pending[i] = deps.size;
    for (const d of deps) {
      const list = consumers.get(d);
      if (list) list.push(i);
      else consumers.set(d, [i]);
    }
  });
  const order: OnnxNode[] = [];
  const ready = new MinHeap<number>((a, b) => a < b);
  pending.forEach((c, i) => c === 0 && ready.push(i));
  while (ready.size) {
    const i = ready.pop()!;
    order.push(graph.nodes[i]);
    for (const c of consumers.get(i) ?? []) if (--pending[c] === 0) ready.push(c);
  }
  if (order.length < graph.nodes.length) {
    const stuck = graph.nodes.filter((_, i) => pending[i] > 0);
    const names = stuck.slice(0, 3).map((n) => `${excerpt(n.name || n.outputs[0] || '', 60)} (${n.opType})`).join(', ');
    fail(graph.where, `the nodes form a cycle: ${stuck.length} node${stuck.length === 1 ? '' : 's'} depend on their own outputs, e.g. ${names}`);
  }
  checkSubgraphs(file, graph, inScope);
  return order;
}

function checkSubgraphs(file: string, graph: OnnxGraph, inScope: (name: string) => boolean): void {
  for (const n of graph.nodes) {
    for (const a of n.attrs.values()) {
      for (const g of [a.g, ...(a.graphs ?? [])]) if (g) checkGraph(file, g, inScope);
    }
  }
}

/** Names a node's subgraphs read from the enclosing scope (they order the node after their producers). */
function subgraphInputs(node: OnnxNode): string[] {
  const out: string[] = [];
  for (const a of node.attrs.values()) {
    for (const g of [a.g, ...(a.graphs ?? [])]) {
      if (!g) continue;
      const local = new Set<string>([...g.initializers.map((t) => t.name), ...g.inputs.map((i) => i.name), ...g.nodes.flatMap((n) => n.outputs)]);
      for (const n of g.nodes) for (const i of [...n.inputs, ...subgraphInputs(n)]) if (i && !local.has(i)) out.push(i);
    }
  }
  return out;
}

/** Reads, decodes and checks an .onnx file: size cap, bounded decode, external data, graph structure. */
export function readOnnxModel(file: string, limits: OnnxLimits = ONNX_LIMITS): { model: OnnxModel; order: OnnxNode[]; externalFiles: string[] } {
  let bytes: Uint8Array;
  try {
    bytes = readRegularFile(file, { what: '.onnx model', kind: 'onnx', maxBytes: limits.maxFileBytes === FILE_LIMITS.onnx ? undefined : limits.maxFileBytes });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read the model: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const model = parseModel(file, bytes, limits);
  const externalFiles = resolveExternalData(model);
  const order = checkGraph(file, model.graph);
  return { model, order, externalFiles };
}

/**
 * The values of a small stored tensor as numbers (int64 beyond 2^53 approximate), or undefined when it
 * holds more than `maxElements` values, strings, or a type without a numeric reading. External data is
 * read at its offset, never more than the tensor's bytes.
 */
export function tensorValues(tensor: OnnxTensor, maxElements = 4096): number[] | undefined {
  const { dataType: t, elements, data } = tensor;
  if (elements > maxElements || t === DT.STRING || t === DT.COMPLEX64 || t === DT.COMPLEX128 || t >= DT.FLOAT8E4M3FN) return undefined;
  if (data.kind === 'none') return [];
  let bytes: Uint8Array;
  if (data.kind === 'external') {
    if (!data.file) return undefined;
    bytes = new Uint8Array(storedBytes(t, elements));
    const fd = fs.openSync(data.file, 'r');
    try {
      if (fs.readSync(fd, bytes, 0, bytes.length, data.offset) !== bytes.length) return undefined;
    } finally {
      fs.closeSync(fd);
    }
  } else if (data.kind === 'raw') bytes = data.bytes;
  else return typedValues(t, data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < elements; i++) {
    switch (t) {
      case DT.FLOAT: out.push(view.getFloat32(i * 4, true)); break;
      case DT.DOUBLE: out.push(view.getFloat64(i * 8, true)); break;
      case DT.FLOAT16: out.push(halfToFloat(view.getUint16(i * 2, true))); break;
      case DT.BFLOAT16: out.push(new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0]); break;
      case DT.INT8: out.push(view.getInt8(i)); break;
      case DT.UINT8: case DT.BOOL: out.push(view.getUint8(i)); break;
      case DT.INT16: out.push(view.getInt16(i * 2, true)); break;
      case DT.UINT16: out.push(view.getUint16(i * 2, true)); break;
      case DT.INT32: out.push(view.getInt32(i * 4, true)); break;
      case DT.UINT32: out.push(view.getUint32(i * 4, true)); break;
      case DT.INT64: out.push(Number(view.getBigInt64(i * 8, true))); break;
      case DT.UINT64: out.push(Number(view.getBigUint64(i * 8, true))); break;
      default: return undefined;
    }
  }
  return out;
}

function typedValues(t: number, data: Extract<TensorData, { kind: 'typed' }>): number[] | undefined {
  const out: number[] = [];
  for (const part of data.parts) {
    const view = new DataView(part.bytes.buffer, part.bytes.byteOffset, part.bytes.byteLength);
    if (data.field === 4) for (let p = 0; p + 4 <= part.bytes.length; p += 4) out.push(view.getFloat32(p, true));
    else if (data.field === 10) for (let p = 0; p + 8 <= part.bytes.length; p += 8) out.push(view.getFloat64(p, true));
    else {
      const sub = new Reader('', part.bytes, ONNX_LIMITS);
      for (let p = 0; p < part.bytes.length; ) {
        const [v, next] = sub.varint(p, part.bytes.length, '');
        out.push(v);
        p = next;
      }
    }
  }
  // int32_data holds float16 as bit patterns, int8/uint8/bool widened; uint64_data holds uint32 too.
  if (t === DT.FLOAT16) return out.map(halfToFloat);
  if (t === DT.BFLOAT16) return out.map((b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0]);
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}
