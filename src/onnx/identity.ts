/**
 * The network identity of an .onnx model: a hash of its graph and weight shapes, not of its bytes. A
 * re-export that differs in weight values, tensor and node names, node order among independent nodes,
 * doc strings or producer, but not in the network, hashes the same; a different op, attribute, wiring or
 * weight shape does not. (The store's record of an ONNX model keeps the sha256 of the bytes beside it.)
 *
 * What is hashed: the opset imports; each node (Identity left out: exporters write it, or not, depending on
 * whether two weights happen to be equal) as its domain, op, attributes (tensor attributes by type and
 * dims, subgraphs by their own hash) and inputs, each input named by what produces it (a graph input by
 * position, a stored tensor by type and dims, a node output by that node's position in a canonical
 * topological order and the output's index); the graph inputs' types and declared dims (symbols as "?");
 * the graph outputs by producer. 16 hex digits of sha256, as arch/identity.ts's networkHash.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../arch/identity';
import { MinHeap } from '../util/heap';
import type { AttrValue, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor } from './read';

type Ref = string;

const tensorShape = (t: OnnxTensor) => `${t.dataType}[${t.dims.join(',')}]`;

function attrValue(a: AttrValue): unknown {
  if (a.g) return { g: graphBody(a.g) };
  if (a.graphs) return { graphs: a.graphs.map(graphBody) };
  if (a.t) return { t: tensorShape(a.t) };
  if (a.tensors) return { tensors: a.tensors.map(tensorShape) };
  if (a.floats) return { floats: a.floats };
  if (a.ints) return { ints: a.ints };
  if (a.strings) return { strings: a.strings.map((s) => Buffer.from(s).toString('hex')) };
  if (a.s) return { s: Buffer.from(a.s).toString('hex') };
  if (a.f !== undefined) return { f: a.f };
  if (a.i !== undefined) return { i: a.i };
  return a.ref !== undefined ? { ref: a.ref } : null;
}

/** The graph as canonical data, names replaced by what produces each value. */
function graphBody(g: OnnxGraph): unknown {
  const refs = new Map<string, Ref>();
  g.inputs.forEach((vi, i) => refs.set(vi.name, `in${i}`));
  for (const t of g.initializers) refs.set(t.name, `w${tensorShape(t)}`);
  for (const s of g.sparseInitializers) refs.set(s.name, `sparse${s.values.dataType}[${s.dims.join(',')}]`);
  const producerOf = new Map<string, OnnxNode>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producerOf.set(o, n);
  const ref = (name: string): Ref => {
    if (!name) return '';
    const known = refs.get(name);
    if (known !== undefined) return known;
    // Outer-scope names (inside subgraphs) are referred to by name: the enclosing graph fixes them.
    return `outer:${name}`;
  };
  // Canonical order: repeatedly take, among nodes whose inputs are resolved, the one whose description
  // sorts first, so independent nodes written in another order give the same sequence.
  const waiting = new Map<OnnxNode, number>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) {
    const deps = new Set(n.inputs.filter((i) => i && producerOf.has(i)));
    waiting.set(n, deps.size);
    for (const d of deps) {
      const list = consumers.get(d);
      if (list) list.push(n);
      else consumers.set(d, [n]);
    }
  }
  const nodes: unknown[] = [];
  const describe = (n: OnnxNode) =>
    canonicalJson({
      op: `${n.domain}:${n.opType}`,
      in: n.inputs.map(ref),
      attrs: Object.fromEntries([...n.attrs.values()].map((a) => [a.name, attrValue(a)])),
      outs: n.outputs.length,
    });
  // A node's description is fixed once its inputs are resolved; among ready nodes the smallest goes first.
  const ready = new MinHeap<[string, number, OnnxNode]>((a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]));
  const enqueue = (n: OnnxNode) => ready.push([describe(n), n.index, n]);
  for (const [n, c] of waiting) if (c === 0) enqueue(n);
  while (ready.size) {
    const [text, , n] = ready.pop()!;
    if (n.opType === 'Identity' && n.domain === '' && n.inputs[0]) refs.set(n.outputs[0], ref(n.inputs[0]));
    else {
      const index = nodes.length;
      nodes.push(text);
      n.outputs.forEach((o, k) => o && refs.set(o, `n${index}.${k}`));
    }
    for (const o of n.outputs) {
      for (const c of consumers.get(o) ?? []) {
        const left = waiting.get(c)! - 1;
        waiting.set(c, left);
        if (left === 0) enqueue(c);
      }
    }
  }
  return {
    inputs: g.inputs.map((vi) => ({ type: vi.elemType ?? null, dims: vi.dims?.map((d) => (typeof d === 'number' ? d : '?')) ?? null })),
    nodes,
    outputs: g.outputs.map((o) => ref(o.name)),
  };
}

export function onnxNetworkHash(model: OnnxModel): string {
  const opsets = Object.fromEntries([...model.opsets].sort());
  const body = canonicalJson({ opsets, graph: graphBody(model.graph) });
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}
