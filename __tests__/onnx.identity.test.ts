/** The network hash of an .onnx model (src/onnx/identity.ts): the network, not the bytes. */
import { onnx } from 'onnx-proto';
import { loadArchConfig } from '../src/arch/parse';
import { scale } from '../src/arch/scale';
import { buildModel } from '../src/onnx/build';
import { onnxNetworkHash } from '../src/onnx/identity';
import { parseModel } from '../src/onnx/read';
import { encodeModel, type ModelSpec } from './support/onnx-models';

const hash = (bytes: Uint8Array) => onnxNetworkHash(parseModel('m.onnx', bytes));
const config = loadArchConfig('fixtures/archs/mobilenet-v2.yaml');

/** The same model with every tensor and node renamed and the doc string and producer changed. */
function renamed(bytes: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  const names = new Map<string, string>();
  const rn = (s: string) => {
    if (!s) return s;
    if (!names.has(s)) names.set(s, `t${names.size}_renamed`);
    return names.get(s)!;
  };
  const g = m.graph!;
  for (const n of g.node!) {
    n.input = n.input!.map(rn);
    n.output = n.output!.map(rn);
    n.name = `node_${Math.random()}`;
  }
  for (const t of g.initializer!) t.name = rn(t.name!);
  for (const v of [...g.input!, ...g.output!]) v.name = rn(v.name!);
  m.producerName = 'another exporter';
  m.docString = 'exported again';
  return onnx.ModelProto.encode(m).finish();
}

describe('onnxNetworkHash', () => {
  const base = buildModel(config, { seed: 1 });

  it('is 16 hex digits and ignores weight values, names, doc strings and producer', () => {
    expect(hash(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(buildModel(config, { seed: 2 }))).toBe(hash(base));
    expect(hash(renamed(base))).toBe(hash(base));
  });

  it('ignores the order of independent nodes and Identity nodes over weights', () => {
    const spec = (order: number[], identity: boolean): ModelSpec => {
      const nodes = [
        { op: 'Relu', inputs: ['x'], outputs: ['a'] },
        { op: 'Sigmoid', inputs: ['x'], outputs: ['b'] },
        { op: 'Add', inputs: ['a', 'b'], outputs: ['c'] },
        { op: 'Mul', inputs: ['c', identity ? 'w2' : 'w'], outputs: ['y'] },
      ];
      return {
        inputs: [{ name: 'x', dims: [1, 4] }], outputs: ['y'],
        nodes: [...order.map((i) => nodes[i]), ...(identity ? [{ op: 'Identity', inputs: ['w'], outputs: ['w2'] }] : [])],
        inits: [{ name: 'w', dims: [4], values: [1, 2, 3, 4] }],
      };
    };
    const h = hash(encodeModel(spec([0, 1, 2, 3], false)));
    expect(hash(encodeModel(spec([1, 0, 2, 3], false)))).toBe(h);
    expect(hash(encodeModel({ ...spec([0, 1, 2, 3], true), nodes: [spec([0, 1, 2, 3], true).nodes[4], ...spec([0, 1, 2, 3], true).nodes.slice(0, 4)] }))).toBe(h);
  });

  it('changes with the network: width, resolution, batch, precision, an attribute, the wiring, the opset', () => {
    const h = hash(base);
    const others = [
      buildModel(scale(config, { width: 1.1 })),
      buildModel(scale(config, { resolution: 192 })),
      buildModel(config, { batch: 2 }),
      buildModel(config, { precision: 'fp16' }),
    ].map(hash);
    for (const o of others) expect(o).not.toBe(h);
    expect(new Set(others).size).toBe(others.length);
    const m = onnx.ModelProto.decode(base);
    const conv = m.graph!.node!.find((n) => n.opType === 'Conv')!;
    conv.attribute!.find((a) => a.name === 'strides')!.ints = [1, 1];
    expect(hash(onnx.ModelProto.encode(m).finish())).not.toBe(h);
    const wiring = (inputs: string[]): ModelSpec => ({ inputs: [{ name: 'x', dims: [2] }, { name: 'z', dims: [2] }], outputs: ['y'], nodes: [{ op: 'Sub', inputs, outputs: ['y'] }] });
    expect(hash(encodeModel(wiring(['x', 'z'])))).not.toBe(hash(encodeModel(wiring(['z', 'x']))));
    expect(hash(encodeModel({ ...wiring(['x', 'z']), opset: 13 }))).not.toBe(hash(encodeModel(wiring(['x', 'z']))));
  });
});
