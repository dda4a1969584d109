/**
 * Inference sessions behind a small interface (SessionFactory -> Runner) so the scheduler and statistics are
 * tested on a synthetic device, and onnxruntime-node is the one real implementation.
 */
import * as ort from 'onnxruntime-node';
import { UserError } from '../errors';
import { GraphBuilder } from '../onnx/graph';
import { seeded } from '../util/random';
import { memoProbe, requireProvider, realSystem, type ProviderSessionOptions, type SystemProbe } from './providers';
import { checkInputBytes } from './limits';
import type { ExecutionProvider } from './types';

/** What to load: in-memory bytes, or a file path (needed when the model keeps weights in external files). */
export interface ModelSource {
  name: string;
  bytes?: Uint8Array;
  path?: string;
  /** Input dims fixed and checked when the model was read (.onnx files); else derived from the session's metadata. */
  inputDims?: Record<string, number[]>;
}

export interface SessionOptions extends ProviderSessionOptions {
  ep: ExecutionProvider;
  threads: number;
  batch: number;
  /** Fills dynamic spatial dims of 4-D inputs. */
  resolution?: number;
  /** Seed of the preallocated input data. */
  seed?: number;
  /**
   * 'device' (default where the provider allows it): inputs uploaded once, outputs left on the device, a
   * run ends when the device has finished; 'host': every run copies inputs in and outputs out.
   */
  io?: 'device' | 'host';
}

export interface InputSpec {
  name: string;
  type: string;
  dims: number[];
}

export interface Runner {
  readonly inputs: InputSpec[];
  /** Where run()'s inputs and outputs live (host when absent). */
  readonly io?: 'device' | 'host';
  /** One inference on the preallocated inputs; synchronous when the runner can be (less timing overhead). */
  run(): void | Promise<void>;
  /** With io 'device': one inference that copies the inputs in and the outputs out, for the with-copies time. */
  runWithCopies?(): void | Promise<void>;
  /** With io 'host': the outputs of one inference (correctness checks against another provider). */
  outputs?(): Record<string, ort.Tensor> | Promise<Record<string, ort.Tensor>>;
  dispose(): Promise<void>;
}

export interface SessionFactory {
  create(source: ModelSource, opts: SessionOptions): Promise<Runner>;
  /** Throws the environment error creating a session with this provider would hit (exit 3), at once. */
  check?(ep: ExecutionProvider): void;
}

export { ortBinaryDir } from './providers/libraries';

/** nvidia-smi, ldconfig and vulkaninfo are asked once per process, not once per session. */
const systemOnce = memoProbe(realSystem);

/**
 * Fails early, without onnxruntime's native log noise, when a provider cannot run here (exit 3 naming
 * what is missing: provider libraries, CUDA major, Vulkan loader, driver).
 */
export function checkProviderAvailable(ep: ExecutionProvider, probe: SystemProbe = systemOnce): void {
  requireProvider(ep, 'ep').checkAvailable(probe);
}

export function ortSessionOptions(opts: SessionOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: requireProvider(opts.ep, 'ep').executionProviders(opts),
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.threads,
    // One model runs at a time: parallel branches would fight the intra-op threads for the same cores.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
    // Models are measured interleaved, each session with its own intra-op pool: spinning workers of the
    // session that just ran would steal the cores the next one needs.
    ...(opts.threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  };
}

type Meta = { name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> };

/** Concrete dims: batch for a symbolic first dim, resolution for symbolic H and W of 4-D inputs. */
export function resolveDims(model: string, meta: Meta, batch: number, resolution?: number): number[] {
  const shape = meta.shape ?? [];
  return shape.map((d, i) => {
    if (typeof d === 'number' && d >= 0) return d;
    if (i === 0) return batch;
    if (shape.length === 4 && (i === 2 || i === 3)) {
      if (resolution) return resolution;
      throw new UserError(`${model}: input '${meta.name}' has a dynamic dimension ${JSON.stringify(d)} at position ${i}; pass --resolution N`);
    }
    throw new UserError(`${model}: input '${meta.name}' has a dynamic dimension ${JSON.stringify(d)} at position ${i} that --batch/--resolution do not cover`);
  });
}

const FILLERS: Record<string, (n: number, rnd: () => number) => ort.Tensor['data']> = {
  float32: (n, r) => Float32Array.from({ length: n }, () => r() * 2 - 1),
  float64: (n, r) => Float64Array.from({ length: n }, () => r() * 2 - 1),
  // float16 tensors take their raw bit patterns; these are values in [0.5, 1).
  float16: (n, r) => Uint16Array.from({ length: n }, () => 0x3800 + ((r() * 0x400) | 0)),
  int32: (n, r) => Int32Array.from({ length: n }, () => (r() * 100) | 0),
  int64: (n, r) => BigInt64Array.from({ length: n }, () => BigInt((r() * 100) | 0)),
  int8: (n, r) => Int8Array.from({ length: n }, () => (r() * 100) | 0),
  uint8: (n, r) => Uint8Array.from({ length: n }, () => (r() * 255) | 0),
  bool: (n, r) => Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)),
};

/** Inputs allocated once and reused by every run, so timing covers inference only. */
export function preallocateInputs(model: string, metas: readonly Meta[], opts: SessionOptions, fixed?: Record<string, number[]>): { feeds: Record<string, ort.Tensor>; specs: InputSpec[] } {
  const rnd = seeded(opts.seed ?? 1);
  const feeds: Record<string, ort.Tensor> = {};
  const specs: InputSpec[] = [];
  const planned: { meta: Meta; dims: number[]; fill: (typeof FILLERS)[string] }[] = [];
  for (const meta of metas) {
    if (!meta.isTensor || !meta.type) throw new UserError(`${model}: input '${meta.name}' is not a tensor; only tensor inputs can be measured`);
    const fill = FILLERS[meta.type];
    if (!fill) throw new UserError(`${model}: input '${meta.name}' has type ${meta.type}; supported: ${Object.keys(FILLERS).join(', ')}`);
    const dims = fixed && Object.prototype.hasOwnProperty.call(fixed, meta.name) ? fixed[meta.name] : resolveDims(model, meta, opts.batch, opts.resolution);
    planned.push({ meta, dims, fill });
  }
  checkInputBytes(model, planned.map((p) => ({ name: p.meta.name, type: p.meta.type!, dims: p.dims })));
  for (const { meta, dims, fill } of planned) {
    const count = dims.reduce((a, b) => a * b, 1);
    feeds[meta.name] = ortTensor(meta.type!, fill(count, rnd), dims);
    specs.push({ name: meta.name, type: meta.type!, dims });
  }
  return { feeds, specs };
}

/**
 * A CPU tensor for onnxruntime-node. float16 data stays a Uint16Array: where the runtime has Float16Array
 * (Node 24), onnxruntime-common turns it into a Float16Array view, which the 1.30 binding reads as 0 bytes
 * ("not enough space: expected N, got 0"; microsoft/onnxruntime#32323). The binding accepts the Uint16Array.
 */
export function ortTensor(type: string, data: ArrayLike<number> | ArrayBufferView | readonly string[], dims: readonly number[]): ort.Tensor {
  const tensor = new ort.Tensor(type as 'float32', data as Float32Array, dims);
  if (type === 'float16' && data instanceof Uint16Array && !(tensor.data instanceof Uint16Array)) {
    (tensor as unknown as { cpuData: Uint16Array }).cpuData = data;
  }
  return tensor;
}

/** onnxruntime-node's synchronous native session (dist/binding), which its public API wraps in promises. */
interface NativeSession {
  loadModel(modelPath: string, options: object): void;
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  readonly inputMetadata: NativeMeta[];
  readonly outputMetadata: NativeMeta[];
  run(feeds: Record<string, ort.Tensor>, fetches: Record<string, null>, options: object): Record<string, ort.Tensor>;
  dispose(): void;
}
type NativeMeta = { name: string; isTensor: boolean; symbolicDimensions: string[]; shape: number[]; type: number };
interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

/** Element type codes of the binding's metadata (ONNX TensorProto.DataType), as onnxruntime-node maps them. */
const NATIVE_TYPES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64' };

let nativeBinding: NativeBinding | null | undefined;
/** The binding module when its shape is the one we know; null otherwise (then the public API is used). */
export function loadNativeBinding(): NativeBinding | null {
  if (nativeBinding !== undefined) return nativeBinding;
  try {
    const mod = require('onnxruntime-node/dist/binding') as Partial<NativeBinding>;
    nativeBinding = typeof mod?.binding?.InferenceSession === 'function' && typeof mod.initOrt === 'function' ? (mod as NativeBinding) : null;
  } catch {
    nativeBinding = null;
  }
  return nativeBinding;
}

function loadFailure(source: ModelSource, opts: SessionOptions, err: unknown): Error {
  const message = (err as Error)?.message ?? String(err);
  return requireProvider(opts.ep, 'ep').explainLoadFailure(message, systemOnce) ?? new UserError(`${source.name}: onnxruntime cannot load the model: ${message}`);
}

type Feeds = Record<string, ort.Tensor>;

/** One loaded onnxruntime session, whichever API loaded it. */
interface CoreSession {
  inputs: Meta[];
  outputs: Meta[];
  /** Synchronous on the native binding (no promise hop in the timed path). */
  run(feeds: Feeds): Feeds | Promise<Feeds>;
  dispose(): Promise<void>;
}
type Loader = (source: ModelSource, options: ort.InferenceSession.SessionOptions) => Promise<CoreSession>;

const nativeMeta = (m: NativeMeta): Meta => ({
  name: m.name,
  isTensor: m.isTensor,
  type: NATIVE_TYPES[m.type],
  shape: m.shape.map((d, i) => (d === -1 ? m.symbolicDimensions[i] || '?' : d)),
});

/**
 * Sessions on the native binding directly: run() is a synchronous call, without the promise and the
 * setImmediate hop of InferenceSession.run, so a sample is the inference plus a few hundred nanoseconds.
 * That matters for small graphs (block profiling), where tens of microseconds of harness would bias ratios.
 */
function nativeLoader(native: NativeBinding): Loader {
  return async (source, options) => {
    native.initOrt();
    const session = new native.binding.InferenceSession();
    try {
      if (source.path && !source.bytes) session.loadModel(source.path, options);
      else {
        const bytes = source.bytes ?? new Uint8Array();
        session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, options);
      }
    } catch (err) {
      session.dispose();
      throw err;
    }
    const outputs = session.outputMetadata.map(nativeMeta);
    const fetches = Object.fromEntries(outputs.map((m) => [m.name, null] as const));
    return {
      inputs: session.inputMetadata.map(nativeMeta),
      outputs,
      run: (feeds) => session.run(feeds, fetches, {}),
      async dispose() {
        session.dispose();
      },
    };
  };
}

/** Sessions through the public API (the fallback when the binding's layout is not the one we know). */
const publicLoader: Loader = async (source, options) => {
  const session = source.path && !source.bytes ? await ort.InferenceSession.create(source.path, options) : await ort.InferenceSession.create(source.bytes ?? new Uint8Array(), options);
  return {
    inputs: session.inputMetadata as Meta[],
    outputs: session.outputMetadata as Meta[],
    run: (feeds) => session.run(feeds) as Promise<Feeds>,
    dispose: () => session.release(),
  };
};

const DEVICE_TYPES = new Set(['float32', 'float16']);

/** Static dims and one float type for every value, or undefined (then the runner copies through the host). */
function staticFloatShapes(metas: readonly Meta[], batch: number): { dims: number[][]; type: 'float32' | 'float16' } | undefined {
  const types = new Set(metas.map((m) => m.type));
  if (types.size !== 1 || !DEVICE_TYPES.has(metas[0]?.type ?? '')) return undefined;
  const dims: number[][] = [];
  for (const m of metas) {
    const d = (m.shape ?? []).map((x, i) => (typeof x === 'number' && x >= 0 ? x : i === 0 ? batch : NaN));
    if (d.some((x) => !Number.isInteger(x))) return undefined;
    dims.push(d);
  }
  return { dims, type: metas[0].type as 'float32' | 'float16' };
}

/** A graph of Identity nodes: value i comes in as `${names[i]}__in` and leaves as names[i]. */
export function identityModel(names: string[], dims: number[][], type: 'float32' | 'float16'): Uint8Array {
  const g = new GraphBuilder(type === 'float16' ? 'fp16' : 'fp32');
  names.forEach((n, i) => {
    g.input(`${n}__in`, dims[i]);
    g.node('Identity', [`${n}__in`], {}, n);
    g.output(n, dims[i]);
  });
  return g.toBytes('frontier_gate_identity');
}

/** A graph that reduces one tensor to a scalar: reading it back waits for everything queued before. */
export function syncModel(dims: number[], type: 'float32' | 'float16'): Uint8Array {
  const g = new GraphBuilder(type === 'float16' ? 'fp16' : 'fp32');
  g.input('x', dims);
  g.node('ReduceSum', ['x'], { keepdims: 0 }, 'y');
  g.output('y', []);
  return g.toBytes('frontier_gate_sync');
}

function disposeAll(values: Feeds): void {
  for (const t of Object.values(values)) (t as { dispose?: () => void }).dispose?.();
}

/** run() then f() on its result, staying synchronous when run() is. */
function then<T, R>(value: T | Promise<T>, f: (v: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/**
 * A runner whose inputs are uploaded once and whose outputs stay on the device (WebGPU buffers). GPU work
 * is asynchronous: run() returns when a 4-byte reduction of the first output has been read back, which the
 * in-order queue delivers only after the whole model has run. runWithCopies() feeds host inputs and reads
 * every output back (through an Identity session), as an application without device tensors would.
 */
async function deviceRunner(load: Loader, main: CoreSession, feeds: Feeds, specs: InputSpec[], opts: SessionOptions): Promise<Runner | undefined> {
  const inShapes = staticFloatShapes(main.inputs.map((m, i) => ({ ...m, shape: specs[i].dims })), opts.batch);
  const outShapes = staticFloatShapes(main.outputs, opts.batch);
  if (!inShapes || !outShapes || !main.outputs.length) return undefined;
  const helper: ort.InferenceSession.SessionOptions = {
    executionProviders: requireProvider(opts.ep, 'ep').executionProviders(opts),
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  };
  const inNames = main.inputs.map((m) => m.name);
  const outNames = main.outputs.map((m) => m.name);
  const helpers: CoreSession[] = [];
  const deviceFeeds: Feeds = {};
  try {
    const upload = await load({ name: 'upload', bytes: identityModel(inNames, inShapes.dims, inShapes.type) }, { ...helper, preferredOutputLocation: 'gpu-buffer' });
    helpers.push(upload);
    const sync = await load({ name: 'sync', bytes: syncModel(outShapes.dims[0], outShapes.type) }, helper);
    helpers.push(sync);
    const copyOut = await load({ name: 'copy-out', bytes: identityModel(outNames, outShapes.dims, outShapes.type) }, helper);
    helpers.push(copyOut);
    Object.assign(deviceFeeds, await upload.run(Object.fromEntries(inNames.map((n) => [`${n}__in`, feeds[n]]))));
    const readBack = (out: Feeds) => Object.fromEntries(outNames.map((n) => [`${n}__in`, out[n]]));
    const finish = <R>(out: Feeds, f: (out: Feeds) => R | Promise<R>): R | Promise<R> => {
      let disposed = false;
      const done = () => {
        if (!disposed) disposeAll(out);
        disposed = true;
      };
      try {
        const r = f(out);
        if (r instanceof Promise) return r.finally(done);
        done();
        return r;
      } catch (err) {
        done();
        throw err;
      }
    };
    return {
      inputs: specs,
      io: 'device',
      run: () => then(main.run(deviceFeeds), (out) => finish(out, (o) => then(sync.run({ x: o[outNames[0]] }), () => undefined))),
      runWithCopies: () => then(main.run(feeds), (out) => finish(out, (o) => then(copyOut.run(readBack(o)), () => undefined))),
      outputs: () => then(main.run(feeds), (out) => finish(out, (o) => copyOut.run(readBack(o)))),
      async dispose() {
        disposeAll(deviceFeeds);
        for (const h of helpers) await h.dispose();
        await main.dispose();
      },
    };
  } catch (err) {
    disposeAll(deviceFeeds);
    for (const h of helpers) await h.dispose().catch(() => undefined);
    throw err;
  }
}

async function createRunner(load: Loader, source: ModelSource, opts: SessionOptions): Promise<Runner> {
  const provider = requireProvider(opts.ep, 'ep');
  const device = provider.deviceTensors && opts.io !== 'host';
  let main: CoreSession;
  try {
    main = await load(source, { ...ortSessionOptions(opts), ...(device ? { preferredOutputLocation: 'gpu-buffer' as const } : {}) });
  } catch (err) {
    throw loadFailure(source, opts, err);
  }
  try {
    const { feeds, specs } = preallocateInputs(source.name, main.inputs, opts, source.inputDims);
    if (device) {
      const runner = await deviceRunner(load, main, feeds, specs, opts);
      if (runner) return runner;
      // Dynamic or non-float outputs: load again with host outputs.
      await main.dispose();
      main = await load(source, ortSessionOptions(opts));
    }
    const session = main;
    return {
      inputs: specs,
      io: 'host',
      run: () => then(session.run(feeds), () => undefined),
      outputs: () => session.run(feeds),
      dispose: () => session.dispose(),
    };
  } catch (err) {
    await main.dispose().catch(() => undefined);
    throw err;
  }
}

/** The real factory: onnxruntime-node sessions (native binding when available, else the public API). */
export function ortFactory(mode: 'auto' | 'public' = 'auto'): SessionFactory {
  return {
    check: (ep) => checkProviderAvailable(ep),
    async create(source, opts) {
      const provider = requireProvider(opts.ep, 'ep');
      provider.checkAvailable(systemOnce);
      provider.prepare?.(opts);
      const native = mode === 'auto' ? loadNativeBinding() : null;
      return createRunner(native ? nativeLoader(native) : publicLoader, source, opts);
    },
  };
}

export const ortSessionFactory: SessionFactory = ortFactory('auto');
