/**
 * The bounded .onnx reader (src/onnx/read.ts): it decodes what an independent encoder (onnx-proto) wrote,
 * and refuses hostile files (truncated, terabyte dims, cycles, escaping external data, counts over the
 * limits) with exit 2 naming the tensor or node, before anything large is allocated.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { loadArchConfig } from '../src/arch/parse';
import { UserError } from '../src/errors';
import { buildModel } from '../src/onnx/build';
import { checkGraph, ONNX_LIMITS, parseModel, readOnnxModel, storedTensors, tensorValues, type OnnxLimits } from '../src/onnx/read';
import { seeded } from '../src/util/random';
import { concat, encodeModel, T, wireField, type ModelSpec } from './support/onnx-models';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-onnx-read-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, bytes: Uint8Array | string) => {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, bytes);
  return p;
};

const tiny: ModelSpec = {
  inputs: [{ name: 'x', dims: [1, 4] }],
  outputs: ['y'],
  nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
  inits: [{ name: 'w', dims: [4], values: [1, 2, 3, 4] }],
};

/** The message of what `f` throws; fails the test when it throws something other than a UserError. */
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

describe('decoding what onnx-proto encoded', () => {
  it.each(['mobilenet-v2', 'efficientnet-b0'])('a built %s: every node, attribute, initializer and data view agrees', (arch) => {
    const bytes = buildModel(loadArchConfig(`fixtures/archs/${arch}.yaml`), { batch: 2, precision: 'fp16' });
    const ref = onnx.ModelProto.decode(bytes);
    const m = parseModel('m.onnx', bytes);
    expect(m.opsets.get('')).toBe(17);
    expect(m.graph.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs])).toEqual(ref.graph!.node!.map((n) => [n.opType, n.name, n.input, n.output]));
    for (const [i, n] of m.graph.nodes.entries()) {
      for (const a of ref.graph!.node![i].attribute ?? []) {
        const ours = n.attrs.get(a.name!)!;
        if (a.ints?.length) expect(ours.ints).toEqual(a.ints.map(Number));
        else if (a.type === onnx.AttributeProto.AttributeType.INT) expect(ours.i).toBe(Number(a.i));
      }
    }
    expect(m.graph.initializers.map((t) => [t.name, t.dims, t.dataType])).toEqual(ref.graph!.initializer!.map((t) => [t.name, t.dims!.map(Number), t.dataType]));
    for (const [i, t] of m.graph.initializers.entries()) {
      expect(t.data.kind).toBe('raw');
      // A view into the file, not a copy.
      if (t.data.kind === 'raw') {
        expect(t.data.bytes.buffer).toBe(bytes.buffer);
        expect(Buffer.from(t.data.bytes).equals(Buffer.from(ref.graph!.initializer![i].rawData!))).toBe(true);
      }
    }
    expect(m.graph.inputs[0]).toEqual({ name: 'input', kind: 'tensor', elemType: T.FLOAT16, dims: [2, 3, 224, 224] });
  });

  it('random graphs: names, dims, attributes and values survive (seeded, 200 models)', () => {
    const rnd = seeded(19);
    const int = (n: number) => Math.floor(rnd() * n);
    for (let k = 0; k < 200; k++) {
      const n = 1 + int(6);
      const nodes = Array.from({ length: n }, (_, i) => ({
        op: 'Relu', inputs: [i === 0 ? 'x' : `t${i - 1}`], outputs: [`t${i}`],
        attrs: { ints: Array.from({ length: int(5) }, () => int(2 ** 40) - 2 ** 39), f: { f: Math.fround(rnd()) }, s: `n${int(1000)}` },
      }));
      const dims = Array.from({ length: int(4) }, () => 1 + int(5));
      const values = Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => int(2 ** 31) - 2 ** 30);
      const typed = rnd() < 0.5;
      const spec: ModelSpec = { inputs: [{ name: 'x', dims: [1, 'N'] }], outputs: [`t${n - 1}`], nodes, inits: [{ name: 'c', dims, type: T.INT64, values, typed }] };
      const m = parseModel('r.onnx', encodeModel(spec));
      expect(m.graph.nodes.map((x) => [x.inputs, x.outputs, x.attrs.get('ints')?.ints ?? [], x.attrs.get('f')?.f, new TextDecoder().decode(x.attrs.get('s')!.s)])).toEqual(
        nodes.map((x) => [x.inputs, x.outputs, x.attrs.ints, x.attrs.f.f, x.attrs.s]),
      );
      expect(m.graph.initializers[0].dims).toEqual(dims);
      expect(m.graph.initializers[0].data.kind).toBe(typed ? 'typed' : 'raw');
      expect(tensorValues(m.graph.initializers[0])).toEqual(values);
      expect(m.graph.inputs[0].dims).toEqual([1, 'N']);
    }
  });

  it('reads typed fields (float_data, int32_data for int8) and fp16 raw data', () => {
    const m = parseModel('t.onnx', encodeModel({
      ...tiny,
      inits: [
        { name: 'w', dims: [4], values: [1.5, -2, 3, 4], typed: true },
        { name: 'q', dims: [3], type: T.INT8, values: [-128, 0, 127], typed: true },
        { name: 'h', dims: [2], type: T.FLOAT16, values: [0.5, -3] },
      ],
    }));
    expect(m.graph.initializers.map((t) => tensorValues(t))).toEqual([[1.5, -2, 3, 4], [-128, 0, 127], [0.5, -3]]);
  });

  it('keeps the file order when it is topological and sorts an acyclic graph that is not', () => {
    const spec: ModelSpec = {
      inputs: [{ name: 'x', dims: [1] }],
      outputs: ['z'],
      nodes: [
        { op: 'Relu', inputs: ['y'], outputs: ['z'], name: 'second' },
        { op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'first' },
      ],
    };
    const m = parseModel('s.onnx', encodeModel(spec));
    expect(checkGraph('s.onnx', m.graph).map((n) => n.name)).toEqual(['first', 'second']);
  });
});

describe('hostile files: exit 2 naming the tensor or node, never a stack', () => {
  const built = () => buildModel(loadArchConfig('fixtures/archs/mobilenet-v2.yaml'), { batch: 1 });

  it('a truncated model, cut anywhere, is a clear error or a smaller valid model (300 cuts)', () => {
    const bytes = built();
    const rnd = seeded(7);
    const seen = new Set<string>();
    for (let k = 0; k < 300; k++) {
      const cut = 1 + Math.floor(rnd() * (bytes.length - 1));
      try {
        const m = parseModel('cut.onnx', bytes.subarray(0, cut));
        checkGraph('cut.onnx', m.graph);
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        seen.add((err as Error).message.replace(/\d[\d,]*/g, 'N').slice(0, 60));
      }
    }
    expect([...seen].some((m) => /truncated protobuf/.test(m))).toBe(true);
  });

  it('names the field where a truncated initializer ends', () => {
    const bytes = built();
    const msg = userError(() => parseModel('cut.onnx', bytes.subarray(0, Math.floor(bytes.length / 2))));
    expect(msg).toMatch(/^cut\.onnx: (model|graph|graph\.initializer\[\d+\][^:]*): truncated protobuf: field \d+ declares [\d,]+ bytes at byte [\d,]+, but only [\d,]+ remain/);
  });

  it('random byte corruption never escapes as anything but a UserError (500 mutants)', () => {
    const bytes = encodeModel(tiny);
    const rnd = seeded(3);
    for (let k = 0; k < 500; k++) {
      const copy = Uint8Array.from(bytes);
      for (let j = 0; j < 1 + Math.floor(rnd() * 4); j++) copy[Math.floor(rnd() * copy.length)] = Math.floor(rnd() * 256);
      try {
        const m = parseModel('mut.onnx', copy);
        checkGraph('mut.onnx', m.graph);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
      }
    }
  });

  it('terabyte dims against 16 bytes of data', () => {
    const f = write('tb.onnx', encodeModel({ ...tiny, inits: [{ name: 'w', dims: [1_000_000, 1_000_000], values: [1, 2, 3, 4] }] }));
    expect(userError(() => readOnnxModel(f))).toMatch(/tb\.onnx: graph\.initializer\[0\] "w": dims \[1000000, 1000000\] \(float32\) need 4,000,000,000,000 bytes, but raw_data holds 16/);
  });

  it('dims past 2^53 elements, negative dims, a rank over the limit, a tensor with no data', () => {
    const big = write('big.onnx', encodeModel({ ...tiny, inits: [{ name: 'w', dims: [2 ** 30, 2 ** 30, 2 ** 30], values: [1] }] }));
    expect(userError(() => readOnnxModel(big))).toMatch(/"w": dims \[1073741824, 1073741824, 1073741824\] \(float32\) declare more than 2\^53 elements/);
    const neg = write('neg.onnx', encodeModel({ ...tiny, inits: [{ name: 'w', dims: [-4], values: [1, 2, 3, 4] }] }));
    expect(userError(() => readOnnxModel(neg))).toMatch(/"w": dims \[-4\] hold a negative dimension/);
    const rank = write('rank.onnx', encodeModel({ ...tiny, inits: [{ name: 'w', dims: new Array(17).fill(1), values: [1] }] }));
    expect(userError(() => readOnnxModel(rank))).toMatch(/rank above 16 \(limit ONNX_LIMITS\.maxRank\)/);
    const empty = write('nodata.onnx', encodeModel({ ...tiny, inits: [{ name: 'w', dims: [4] }] }));
    expect(userError(() => readOnnxModel(empty))).toMatch(/"w": dims \[4\] \(float32\) declare 4 elements but the tensor holds no data/);
    const typed = write('typed.onnx', encodeModel({ ...tiny, inits: [{ name: 'w', dims: [400], values: [1, 2], typed: true }] }));
    expect(userError(() => readOnnxModel(typed))).toMatch(/"w": dims \[400\] \(float32\) need 400 values, but the tensor holds 2/);
  });

  it('a cyclic graph, an undefined input, a name produced twice', () => {
    const cyc = write('cyc.onnx', encodeModel({
      inputs: [{ name: 'x', dims: [1] }], outputs: ['b'],
      nodes: [{ op: 'Add', inputs: ['x', 'b'], outputs: ['a'], name: 'A' }, { op: 'Relu', inputs: ['a'], outputs: ['b'], name: 'B' }],
    }));
    expect(userError(() => readOnnxModel(cyc))).toMatch(/cyc\.onnx: graph: the nodes form a cycle: 2 nodes depend on their own outputs, e\.g\. "A" \(Add\), "B" \(Relu\)/);
    const undef = write('undef.onnx', encodeModel({ inputs: [{ name: 'x', dims: [1] }], outputs: ['y'], nodes: [{ op: 'Add', inputs: ['x', 'ghost'], outputs: ['y'], name: 'adder' }] }));
    expect(userError(() => readOnnxModel(undef))).toMatch(/graph\.node\[0\] "adder" \(Add\): input "ghost" is not defined anywhere/);
    const twice = write('twice.onnx', encodeModel({
      inputs: [{ name: 'x', dims: [1] }], outputs: ['y'],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }, { op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'again' }],
    }));
    expect(userError(() => readOnnxModel(twice))).toMatch(/"again" \(Relu\): output "y" is already defined/);
  });

  it('counts over the limits are refused while reading', () => {
    const limits = (o: Partial<OnnxLimits>): OnnxLimits => ({ ...ONNX_LIMITS, ...o });
    const chain: ModelSpec = {
      inputs: [{ name: 'x', dims: [1] }], outputs: ['t9'],
      nodes: Array.from({ length: 10 }, (_, i) => ({ op: 'Relu', inputs: [i ? `t${i - 1}` : 'x'], outputs: [`t${i}`] })),
    };
    expect(userError(() => parseModel('n.onnx', encodeModel(chain), limits({ maxNodes: 5 })))).toMatch(/more than 5 nodes in the model \(limit ONNX_LIMITS\.maxNodes\)/);
    expect(userError(() => parseModel('i.onnx', encodeModel(chain), limits({ maxItems: 20 })))).toMatch(/more than 20 decoded values/);
    // If nested in If nested in If...: deeper than the limit.
    let g: ModelSpec['nodes'] = [{ op: 'Relu', inputs: ['x'], outputs: ['y0'] }];
    for (let d = 1; d <= 10; d++) {
      const inner = { inputs: [], outputs: [`y${d - 1}`], nodes: g };
      g = [{ op: 'If', inputs: ['c'], outputs: [`y${d}`], attrs: { then_branch: { g: inner }, else_branch: { g: inner } } }];
    }
    const deep = encodeModel({ inputs: [{ name: 'x', dims: [1] }, { name: 'c', dims: [], type: T.BOOL }], outputs: ['y10'], nodes: g });
    expect(userError(() => parseModel('deep.onnx', deep))).toMatch(/subgraphs nested deeper than 8/);
  });

  it('bytes that are no model at all', () => {
    expect(userError(() => readOnnxModel(write('text.onnx', 'this is not protobuf at all, just text')))).toMatch(/text\.onnx: not an ONNX model \(.*malformed protobuf/);
    expect(userError(() => readOnnxModel(write('empty.onnx', '')))).toMatch(/empty\.onnx: not an ONNX model \(the file is empty\)/);
    expect(userError(() => readOnnxModel(write('nograph.onnx', concat(wireField(1, 8)))))).toMatch(/not an ONNX model \(no graph\)/);
    const lfs = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 46733644\n';
    expect(userError(() => readOnnxModel(write('lfs.onnx', lfs)))).toMatch(/lfs\.onnx: a Git LFS pointer, not the model: fetch the LFS files first \(git lfs pull, or actions\/checkout with lfs: true\)/);
    // A length that claims more than the file: no allocation, one message.
    expect(userError(() => parseModel('len.onnx', concat(wireField(1, 8), new Uint8Array([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f]))))).toMatch(/truncated protobuf: field 7 declares 4,294,967,295 bytes/);
  });
});

describe('external data', () => {
  const spec = (location: string, extra: { offset?: number; length?: number } = {}): ModelSpec => ({ ...tiny, inits: [{ name: 'w', dims: [4], external: { location, ...extra } }] });

  it('reads a tensor next to the model, at its offset, and its values on demand', () => {
    write('ext/w.bin', new Uint8Array(new Float32Array([9, 9, 1, 2, 3, 4]).buffer));
    const f = write('ext/ok.onnx', encodeModel(spec('w.bin', { offset: 8, length: 16 })));
    const { model, externalFiles } = readOnnxModel(f);
    expect(externalFiles).toEqual([fs.realpathSync(path.join(dir, 'ext', 'w.bin'))]);
    expect(tensorValues([...storedTensors(model.graph)][0])).toEqual([1, 2, 3, 4]);
  });

  it('refuses data outside the folder, through a symlink, past the end of its file, or of the wrong length', () => {
    write('secret.bin', new Uint8Array(64));
    expect(userError(() => readOnnxModel(write('ext/up.onnx', encodeModel(spec('../secret.bin')))))).toMatch(/tensor "w" keeps its data in "\.\.\/secret\.bin", outside the model's folder/);
    expect(userError(() => readOnnxModel(write('ext/abs.onnx', encodeModel(spec('/etc/passwd')))))).toMatch(/outside the model's folder/);
    fs.symlinkSync(path.join(dir, 'secret.bin'), path.join(dir, 'ext', 'link.bin'));
    expect(userError(() => readOnnxModel(write('ext/link.onnx', encodeModel(spec('link.bin')))))).toMatch(/outside the model's folder/);
    write('ext/short.bin', new Uint8Array(8));
    expect(userError(() => readOnnxModel(write('ext/short.onnx', encodeModel(spec('short.bin')))))).toMatch(/tensor "w" dims \[4\] \(float32\) need 16 bytes at offset 0 of "short\.bin", which holds 8/);
    expect(userError(() => readOnnxModel(write('ext/len.onnx', encodeModel(spec('short.bin', { length: 8 })))))).toMatch(/"w": dims \[4\] \(float32\) need 16 bytes, but its external data length is 8/);
    expect(userError(() => readOnnxModel(write('ext/self.onnx', encodeModel(spec('.')))))).toMatch(/outside the model's folder|expected a regular file/);
  });
});
