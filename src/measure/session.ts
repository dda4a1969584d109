/**
 * Inference sessions behind a small interface (SessionFactory -> Runner) so the scheduler and statistics are
 * tested on a synthetic device, and onnxruntime-node is the one real implementation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { EnvironmentError, UserError } from '../errors';
import { seeded } from '../util/random';
import { checkInputBytes } from './limits';
import type { ExecutionProvider } from './types';

/** What to load: in-memory bytes, or a file path (needed when the model keeps weights in external files). */
export interface ModelSource {
  name: string;
  bytes?: Uint8Array;
  path?: string;
}

export interface SessionOptions {
  ep: ExecutionProvider;
  threads: number;
  batch: number;
  /** Fills dynamic spatial dims of 4-D inputs. */
  resolution?: number;
  deviceId?: number;
  trtFp16?: boolean;
  trtCachePath?: string;
  /** Seed of the preallocated input data. */
  seed?: number;
}

export interface InputSpec {
  name: string;
  type: string;
  dims: number[];
}

export interface Runner {
  readonly inputs: InputSpec[];
  /** One inference on the preallocated inputs; synchronous when the runner can be (less timing overhead). */
  run(): void | Promise<void>;
  dispose(): Promise<void>;
}

export interface SessionFactory {
  create(source: ModelSource, opts: SessionOptions): Promise<Runner>;
}

/** Library file names of the GPU providers, per platform (onnxruntime-node loads them from its bin folder). */
function providerLibraries(ep: 'cuda' | 'tensorrt'): string[] {
  if (process.platform === 'win32') return ['onnxruntime_providers_shared.dll', `onnxruntime_providers_${ep}.dll`];
  return ['libonnxruntime_providers_shared.so', `libonnxruntime_providers_${ep}.so`];
}

/**
 * The folder onnxruntime-node loads its native binding and provider libraries from: next to the bundle
 * (dist/bin/...) when packaged, else inside node_modules. Undefined when neither can be found.
 */
export function ortBinaryDir(): string | undefined {
  const rel = ['bin', 'napi-v6', process.platform, process.arch];
  const bundled = path.join(__dirname, ...rel);
  if (fs.existsSync(path.join(bundled, 'onnxruntime_binding.node'))) return bundled;
  try {
    return path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), ...rel);
  } catch {
    return undefined;
  }
}

const REQUIREMENTS: Record<'cuda' | 'tensorrt', string> = {
  cuda: 'an NVIDIA GPU and driver, CUDA 12.x and cuDNN 9 libraries on the library path',
  tensorrt: 'an NVIDIA GPU and driver, CUDA 12.x, cuDNN 9 and TensorRT 10 libraries on the library path',
};

/** The error for a GPU provider that cannot load: what is missing, what it needs, and how to get it. */
export function providerUnavailableError(ep: 'cuda' | 'tensorrt', dir: string | undefined, missing: string[], cause?: string): EnvironmentError {
  const where = dir ?? 'the onnxruntime-node bin folder';
  const lines = [
    `execution provider '${ep}' cannot load on this machine` + (cause ? `: ${cause}` : ''),
    missing.length ? `  missing: ${missing.map((f) => path.join(where, f)).join(', ')}` : `  provider libraries in ${where} failed to load`,
    `  the ${ep} provider needs ${REQUIREMENTS[ep]}`,
    `  the frontier-gate action fetches the provider libraries on GPU runners (input execution-provider: ${ep});`,
    `  elsewhere install them with ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node, or measure with --ep cpu`,
  ];
  return new EnvironmentError(lines.join('\n'));
}

/** Fails early, without onnxruntime's native log noise, when a GPU provider's libraries are absent. */
export function checkProviderAvailable(ep: ExecutionProvider, dir = ortBinaryDir(), exists: (p: string) => boolean = fs.existsSync): void {
  if (ep === 'cpu') return;
  if (process.platform === 'darwin') {
    throw providerUnavailableError(ep, dir, [], 'onnxruntime-node has no CUDA or TensorRT build for macOS');
  }
  if (!dir) return; // unknown layout (bundled): let session creation report it
  const missing = providerLibraries(ep).filter((f) => !exists(path.join(dir, f)));
  if (missing.length) throw providerUnavailableError(ep, dir, missing);
}

export function ortSessionOptions(opts: SessionOptions): ort.InferenceSession.SessionOptions {
  const providers: ort.InferenceSession.ExecutionProviderConfig[] = [];
  if (opts.ep === 'cuda') providers.push({ name: 'cuda', deviceId: opts.deviceId ?? 0 });
  if (opts.ep === 'tensorrt') providers.push({ name: 'tensorrt', deviceId: opts.deviceId ?? 0 });
  providers.push('cpu');
  return {
    executionProviders: providers,
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

/**
 * onnxruntime-node exposes only a device id for TensorRT; its fp16 and engine-cache switches are the
 * provider's documented environment variables, read when the provider is created.
 */
function applyTensorRtEnv(opts: SessionOptions): void {
  if (opts.ep !== 'tensorrt') return;
  if (opts.trtFp16) process.env.ORT_TENSORRT_FP16_ENABLE = '1';
  if (opts.trtCachePath) {
    fs.mkdirSync(opts.trtCachePath, { recursive: true });
    process.env.ORT_TENSORRT_ENGINE_CACHE_ENABLE = '1';
    process.env.ORT_TENSORRT_CACHE_PATH = path.resolve(opts.trtCachePath);
  }
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
export function preallocateInputs(model: string, metas: readonly Meta[], opts: SessionOptions): { feeds: Record<string, ort.Tensor>; specs: InputSpec[] } {
  const rnd = seeded(opts.seed ?? 1);
  const feeds: Record<string, ort.Tensor> = {};
  const specs: InputSpec[] = [];
  const planned: { meta: Meta; dims: number[]; fill: (typeof FILLERS)[string] }[] = [];
  for (const meta of metas) {
    if (!meta.isTensor || !meta.type) throw new UserError(`${model}: input '${meta.name}' is not a tensor; only tensor inputs can be measured`);
    const fill = FILLERS[meta.type];
    if (!fill) throw new UserError(`${model}: input '${meta.name}' has type ${meta.type}; supported: ${Object.keys(FILLERS).join(', ')}`);
    planned.push({ meta, dims: resolveDims(model, meta, opts.batch, opts.resolution), fill });
  }
  checkInputBytes(model, planned.map((p) => ({ name: p.meta.name, type: p.meta.type!, dims: p.dims })));
  for (const { meta, dims, fill } of planned) {
    const count = dims.reduce((a, b) => a * b, 1);
    feeds[meta.name] = new ort.Tensor(meta.type as 'float32', fill(count, rnd) as Float32Array, dims);
    specs.push({ name: meta.name, type: meta.type!, dims });
  }
  return { feeds, specs };
}

function isProviderLoadFailure(message: string): boolean {
  return /Failed to load (shared )?library|cannot open shared object|LoadLibrary failed|CUDA failure|cudaErrorNoDevice|no CUDA-capable device/i.test(message);
}

/** onnxruntime-node's synchronous native session (dist/binding), which its public API wraps in promises. */
interface NativeSession {
  loadModel(modelPath: string, options: object): void;
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  readonly inputMetadata: { name: string; isTensor: boolean; symbolicDimensions: string[]; shape: number[]; type: number }[];
  readonly outputMetadata: { name: string }[];
  run(feeds: Record<string, ort.Tensor>, fetches: Record<string, null>, options: object): unknown;
  dispose(): void;
}
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
  if (opts.ep !== 'cpu' && isProviderLoadFailure(message)) return providerUnavailableError(opts.ep, ortBinaryDir(), [], message);
  return new UserError(`${source.name}: onnxruntime cannot load the model: ${message}`);
}

/**
 * Sessions on the native binding directly: run() is a synchronous call, without the promise and the
 * setImmediate hop of InferenceSession.run, so a sample is the inference plus a few hundred nanoseconds.
 * That matters for small graphs (block profiling), where tens of microseconds of harness would bias ratios.
 */
async function createNative(native: NativeBinding, source: ModelSource, opts: SessionOptions): Promise<Runner> {
  native.initOrt();
  const session = new native.binding.InferenceSession();
  try {
    const options = ortSessionOptions(opts);
    if (source.path && !source.bytes) session.loadModel(source.path, options);
    else {
      const bytes = source.bytes ?? new Uint8Array();
      session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, options);
    }
  } catch (err) {
    throw loadFailure(source, opts, err);
  }
  try {
    const metas: Meta[] = session.inputMetadata.map((m) => ({
      name: m.name,
      isTensor: m.isTensor,
      type: NATIVE_TYPES[m.type],
      shape: m.shape.map((d, i) => (d === -1 ? m.symbolicDimensions[i] || '?' : d)),
    }));
    const { feeds, specs } = preallocateInputs(source.name, metas, opts);
    const fetches = Object.fromEntries(session.outputMetadata.map((m) => [m.name, null] as const));
    return {
      inputs: specs,
      run() {
        session.run(feeds, fetches, {});
      },
      async dispose() {
        session.dispose();
      },
    };
  } catch (err) {
    session.dispose();
    throw err;
  }
}

/** Sessions through the public API (the fallback when the binding's layout is not the one we know). */
async function createPublic(source: ModelSource, opts: SessionOptions): Promise<Runner> {
  const options = ortSessionOptions(opts);
  let session: ort.InferenceSession;
  try {
    session = source.path && !source.bytes
      ? await ort.InferenceSession.create(source.path, options)
      : await ort.InferenceSession.create(source.bytes ?? new Uint8Array(), options);
  } catch (err) {
    throw loadFailure(source, opts, err);
  }
  let prepared: ReturnType<typeof preallocateInputs>;
  try {
    prepared = preallocateInputs(source.name, session.inputMetadata as Meta[], opts);
  } catch (err) {
    await session.release();
    throw err;
  }
  const { feeds, specs } = prepared;
  return {
    inputs: specs,
    async run() {
      await session.run(feeds);
    },
    async dispose() {
      await session.release();
    },
  };
}

/** The real factory: onnxruntime-node sessions (native binding when available, else the public API). */
export function ortFactory(mode: 'auto' | 'public' = 'auto'): SessionFactory {
  return {
    async create(source, opts) {
      checkProviderAvailable(opts.ep);
      applyTensorRtEnv(opts);
      const native = mode === 'auto' ? loadNativeBinding() : null;
      return native ? createNative(native, source, opts) : createPublic(source, opts);
    },
  };
}

export const ortSessionFactory: SessionFactory = ortFactory('auto');
