import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { EnvironmentError, EXIT, UserError } from '../src/errors';
import { GraphBuilder } from '../src/onnx/graph';
import { readOnnxFile } from '../src/measure/inputs';
import { checkProviderAvailable, loadNativeBinding, ortBinaryDir, ortFactory, ortSessionFactory, resolveDims } from '../src/measure/session';

const F32 = onnx.TensorProto.DataType.FLOAT;

/** y = relu(x + w) over [dims]; `dims` entries may be symbolic names; w optionally external. */
function model(dims: (number | string)[], w?: { location: string } | { values: number[] }): Uint8Array {
  const shape = { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  const last = dims[dims.length - 1] as number;
  const init: onnx.ITensorProto[] = [];
  const nodes: onnx.INodeProto[] = [];
  let x = 'x';
  if (w) {
    const t: onnx.ITensorProto = { name: 'w', dims: [last], dataType: F32 };
    if ('location' in w) {
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.externalData = [{ key: 'location', value: w.location }, { key: 'offset', value: '0' }, { key: 'length', value: String(4 * last) }];
    } else {
      t.floatData = w.values;
    }
    init.push(t);
    nodes.push({ opType: 'Add', input: ['x', 'w'], output: ['s'] });
    x = 's';
  }
  nodes.push({ opType: 'Relu', input: [x], output: ['y'] });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny', node: nodes, initializer: init,
      input: [{ name: 'x', type: { tensorType: { elemType: F32, shape } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: F32 } } }],
    },
  }).finish();
}

describe('cpu sessions through onnxruntime-node', () => {
  it('creates a session on a tiny graph, preallocates inputs and runs', async () => {
    const g = new GraphBuilder('fp32');
    g.input('input', [1, 3, 4, 4]);
    g.node('Relu', ['input'], {}, 'output');
    g.output('output', [1, 3, 4, 4]);
    const runner = await ortSessionFactory.create({ name: 'tiny', bytes: g.toBytes('tiny') }, { ep: 'cpu', threads: 1, batch: 1 });
    expect(runner.inputs).toEqual([{ name: 'input', type: 'float32', dims: [1, 3, 4, 4] }]);
    for (let i = 0; i < 3; i++) await runner.run();
    await runner.dispose();
  });

  it('runs synchronously on the native binding here, and through the public API as the fallback', async () => {
    expect(loadNativeBinding()).not.toBeNull();
    const bytes = model([1, 4]);
    const native = await ortSessionFactory.create({ name: 'n', bytes }, { ep: 'cpu', threads: 1, batch: 1 });
    expect(native.run()).toBeUndefined();
    await native.dispose();
    const viaPublic = await ortFactory('public').create({ name: 'p', bytes }, { ep: 'cpu', threads: 1, batch: 1 });
    expect(viaPublic.inputs).toEqual([{ name: 'x', type: 'float32', dims: [1, 4] }]);
    await expect(viaPublic.run()).resolves.toBeUndefined();
    await viaPublic.dispose();
  });

  it.each(['auto', 'public'] as const)('fills a dynamic batch from --batch and dynamic H, W from --resolution (%s)', async (mode) => {
    const bytes = model(['N', 3, 'H', 'W']);
    const runner = await ortFactory(mode).create({ name: 'dyn', bytes }, { ep: 'cpu', threads: 1, batch: 4, resolution: 32 });
    expect(runner.inputs[0].dims).toEqual([4, 3, 32, 32]);
    await runner.run();
    await runner.dispose();
  });

  it.each(['auto', 'public'] as const)('asks for --resolution when spatial dims are dynamic, naming the model, input and dim (%s)', async (mode) => {
    const bytes = model(['N', 3, 'height', 'width']);
    await expect(ortFactory(mode).create({ name: 'resnet.onnx', bytes }, { ep: 'cpu', threads: 1, batch: 1 })).rejects.toThrow(
      /resnet\.onnx: input 'x' has a dynamic dimension "height" at position 2; pass --resolution/,
    );
  });

  it('resolveDims keeps fixed dims and refuses symbolic channel dims', () => {
    expect(resolveDims('m', { name: 'x', isTensor: true, shape: [2, 3, 8, 8] }, 7, 9)).toEqual([2, 3, 8, 8]);
    expect(() => resolveDims('m', { name: 'x', isTensor: true, shape: [1, 'C', 8, 8] }, 1)).toThrow(/dynamic dimension "C" at position 1/);
  });

  it.each(['auto', 'public'] as const)('reports a model onnxruntime cannot load as a user error naming it (%s)', async (mode) => {
    await expect(ortFactory(mode).create({ name: 'junk', bytes: new Uint8Array([1, 2, 3]) }, { ep: 'cpu', threads: 1, batch: 1 })).rejects.toThrow(
      /junk: onnxruntime cannot load the model/,
    );
  });
});

describe('GPU providers that cannot load here', () => {
  const dir = ortBinaryDir();
  const available = (ep: 'cuda' | 'tensorrt') =>
    !!dir && fs.existsSync(path.join(dir, 'libonnxruntime_providers_shared.so')) && fs.existsSync(path.join(dir, `libonnxruntime_providers_${ep}.so`));

  it.each(['cuda', 'tensorrt'] as const)('%s: a clear EnvironmentError naming the library, requirements and the action', async (ep) => {
    if (available(ep)) return; // a GPU machine with the libraries: nothing to assert about the error
    const err = await ortSessionFactory.create({ name: 'tiny', bytes: model([1, 4]) }, { ep, threads: 1, batch: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.exitCode).toBe(EXIT.ENVIRONMENT);
    expect(err.message).toMatch(new RegExp(`execution provider '${ep}' cannot (load|run)`));
    expect(err.message).toContain(`libonnxruntime_providers_${ep}.so`);
    expect(err.message).toMatch(/CUDA 12/);
    expect(err.message).toMatch(/cuDNN/);
    if (ep === 'tensorrt') expect(err.message).toMatch(/TensorRT/);
    expect(err.message).toMatch(/action fetches the provider libraries on GPU runners/);
    expect(err.message).toMatch(/--ep cpu/);
  });

  it('checkProviderAvailable lists exactly the missing files, then checks the CUDA major', () => {
    const dir = ortBinaryDir() ?? '/ort';
    const files = new Set([path.join(dir, 'libonnxruntime_providers_shared.so')]);
    const probe = {
      exec: (cmd: string) => (cmd === 'nvidia-smi' ? 'CUDA Version: 12.4' : undefined),
      exists: (p: string) => files.has(p),
      readFile: () => undefined,
      listDir: (d: string) => [...files].filter((f) => path.dirname(f) === d).map((f) => path.basename(f)),
      env: {},
      platform: 'linux' as const,
      arch: 'x64',
    };
    expect(() => checkProviderAvailable('cpu', probe)).not.toThrow();
    const err = (() => {
      try {
        checkProviderAvailable('cuda', probe);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain(`missing: ${path.join(dir, 'libonnxruntime_providers_cuda.so')}`);
    expect(err?.message).not.toContain('libonnxruntime_providers_shared.so,');
    files.add(path.join(dir, 'libonnxruntime_providers_cuda.so'));
    expect(() => checkProviderAvailable('cuda', probe)).toThrow(/needs CUDA 12\.x, but this runner has a driver for CUDA up to 12\.4 and no CUDA runtime/);
    files.add('/usr/local/lib/libcudart.so.12');
    expect(() => checkProviderAvailable('cuda', probe)).not.toThrow();
  });

  it('on a machine with no NVIDIA GPU the message opens with that, the missing libraries after it', () => {
    const probe = (smi: string | undefined) => ({
      exec: (cmd: string) => (cmd === 'nvidia-smi' ? smi : undefined),
      exists: () => false, readFile: () => undefined, listDir: () => [], env: {}, platform: 'linux' as const, arch: 'x64',
    });
    const message = (smi: string | undefined) => {
      try {
        checkProviderAvailable('cuda', probe(smi));
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    const none = message(undefined).split('\n');
    expect(none[0]).toBe("no NVIDIA GPU here (nvidia-smi finds none): execution provider 'cuda' cannot run on this machine");
    expect(none[1]).toMatch(/^ {2}its provider libraries are not installed either \(2 missing in .*: libonnxruntime_providers_shared\.so, libonnxruntime_providers_cuda\.so\)$/);
    const gpu = message('NVIDIA T4, 535.104.05').split('\n');
    expect(gpu[0]).toBe("execution provider 'cuda' cannot load on this machine");
    expect(gpu[1]).toMatch(/^ {2}missing: .*libonnxruntime_providers_shared\.so, .*libonnxruntime_providers_cuda\.so$/);
  });
});

describe('external .onnx files', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-measure-'));
    fs.mkdirSync(path.join(root, 'models'));
    fs.writeFileSync(path.join(root, 'secret.bin'), Buffer.from(new Float32Array([1, 2, 3, 4]).buffer));
    fs.writeFileSync(path.join(root, 'models', 'w.bin'), Buffer.from(new Float32Array([1, -2, 3, -4]).buffer));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('loads a model with external data next to it, from its path, and runs it', async () => {
    const file = path.join(root, 'models', 'ok.onnx');
    fs.writeFileSync(file, model([1, 4], { location: 'w.bin' }));
    const source = readOnnxFile('ok', file);
    expect(source.path).toBe(file);
    expect(source.bytes).toBeUndefined();
    const runner = await ortSessionFactory.create(source, { ep: 'cpu', threads: 1, batch: 1 });
    await runner.run();
    await runner.dispose();
  });

  it('loads a self-contained model from bytes', () => {
    const file = path.join(root, 'models', 'inline.onnx');
    fs.writeFileSync(file, model([1, 4], { values: [1, 2, 3, 4] }));
    expect(readOnnxFile('inline', file).bytes?.length).toBeGreaterThan(0);
  });

  it.each([
    ['a parent folder', '../secret.bin'],
    ['an absolute path', '/etc/passwd'],
  ])('refuses external data in %s', (_what, location) => {
    const file = path.join(root, 'models', 'evil.onnx');
    fs.writeFileSync(file, model([1, 4], { location }));
    expect(() => readOnnxFile('evil', file)).toThrow(UserError);
    expect(() => readOnnxFile('evil', file)).toThrow(/tensor "w" keeps its data in ".*", outside the model's folder .*\(refused\)/);
  });

  it('refuses a symlink inside the folder that points outside it', () => {
    const link = path.join(root, 'models', 'link.bin');
    fs.symlinkSync(path.join(root, 'secret.bin'), link);
    const file = path.join(root, 'models', 'sneaky.onnx');
    fs.writeFileSync(file, model([1, 4], { location: 'link.bin' }));
    expect(() => readOnnxFile('sneaky', file)).toThrow(/outside the model's folder/);
  });

  it('names a missing external file, a missing model and a file that is not ONNX', () => {
    const file = path.join(root, 'models', 'missing.onnx');
    fs.writeFileSync(file, model([1, 4], { location: 'nope.bin' }));
    expect(() => readOnnxFile('m', file)).toThrow(/needs external data file "nope.bin", which does not exist/);
    expect(() => readOnnxFile('m', path.join(root, 'absent.onnx'))).toThrow(/cannot read ".*absent\.onnx": no such file/);
    const junk = path.join(root, 'models', 'junk.onnx');
    fs.writeFileSync(junk, 'this is not protobuf at all, just text');
    expect(() => readOnnxFile('junk', junk)).toThrow(/junk\.onnx: not an ONNX model/);
  });
});
