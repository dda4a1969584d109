/**
 * onnxruntime's native pieces on the machine. The CPU and WebGPU providers are inside the bundled
 * libonnxruntime; the CUDA and TensorRT provider libraries are too large for the npm package (onnxruntime-node
 * fetches them from NuGet at install time), so a GPU runner fetches the same NuGet package once, caches it
 * in the tool cache, and copies the provider libraries next to the native binding, where onnxruntime looks
 * for them. The CUDA major those libraries link against must be the runner's.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import ortPackage from 'onnxruntime-node/package.json';
import { EnvironmentError } from '../../errors';
import { cudaRuntimeMajors, nvidiaDriverCuda, realSystem, type SystemProbe } from './system';

export const ORT_VERSION: string = ortPackage.version;
export const NUGET_PACKAGE = 'microsoft.ml.onnxruntime.gpu.linux';
export const TOOL_NAME = 'onnxruntime-gpu-linux';
/** Inside the .nupkg (a zip): where the Linux x64 native libraries are. */
export const NUGET_NATIVE_DIR = ['runtimes', 'linux-x64', 'native'];
export const GPU_PROVIDER_LIBRARIES = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_tensorrt.so'];
/** The CUDA major of the published onnxruntime GPU packages (1.19 onwards: CUDA 12, cuDNN 9). */
export const DEFAULT_CUDA_MAJOR = 12;

/**
 * The folder onnxruntime-node loads its native binding and provider libraries from: next to the bundle
 * (dist/bin/...) when packaged, else inside node_modules. Undefined when neither can be found.
 */
export function ortBinaryDir(): string | undefined {
  const rel = ['bin', 'napi-v6', process.platform, process.arch];
  for (const base of [__dirname, path.join(__dirname, '..'), path.join(__dirname, '..', '..')]) {
    const bundled = path.join(base, ...rel);
    if (fs.existsSync(path.join(bundled, 'onnxruntime_binding.node'))) return bundled;
  }
  try {
    return path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), ...rel);
  } catch {
    return undefined;
  }
}

/** Where onnxruntime_binding.node is (the libraries are copied there). */
export function bindingDir(): string {
  return ortBinaryDir() ?? path.join(__dirname, 'bin', 'napi-v6', process.platform, process.arch);
}

/** Library file names of a GPU provider, per platform. */
export function providerLibraryFiles(ep: 'cuda' | 'tensorrt', platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return ['onnxruntime_providers_shared.dll', `onnxruntime_providers_${ep}.dll`];
  return ['libonnxruntime_providers_shared.so', `libonnxruntime_providers_${ep}.so`];
}

/**
 * The CUDA major a provider library was built for, read from the sonames it links (libcudart.so.N,
 * libcublas.so.N); DEFAULT_CUDA_MAJOR when the file cannot be read or names none.
 */
export function requiredCudaMajor(libraryFile: string | undefined): number {
  if (!libraryFile) return DEFAULT_CUDA_MAJOR;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(libraryFile);
  } catch {
    return DEFAULT_CUDA_MAJOR;
  }
  const m = /lib(?:cudart|cublas|cublasLt|cufft|curand)\.so\.([0-9]+)/.exec(bytes.toString('latin1'));
  return m ? Number(m[1]) : DEFAULT_CUDA_MAJOR;
}

/**
 * Exit 3 when the runner's CUDA cannot host the provider: the driver supports an older CUDA, or the CUDA
 * runtime libraries on the loader's path are of another major (e.g. CUDA 13 only, for a CUDA 12 provider).
 */
export function checkCudaMatch(ep: 'cuda' | 'tensorrt', needMajor: number, probe: SystemProbe = realSystem, extraDirs: string[] = []): void {
  const driverCuda = nvidiaDriverCuda(probe);
  const { majors, files } = cudaRuntimeMajors(probe);
  const extra = extraDirs.flatMap((d) => probe.listDir(d).filter((f) => /^libcudart\.so\.[0-9]+$/.test(f)).map((f) => path.join(d, f)));
  const allMajors = [...new Set([...majors, ...extra.map((f) => Number(/\.so\.([0-9]+)$/.exec(f)![1]))])].sort((a, b) => a - b);
  const has = [
    driverCuda ? `a driver for CUDA up to ${driverCuda}` : 'no NVIDIA driver that answers nvidia-smi',
    allMajors.length ? `CUDA runtime ${allMajors.join(', ')} (${[...files, ...extra].join(', ')})` : 'no CUDA runtime (libcudart.so.N) on the library path',
  ].join(' and ');
  const needs = `execution provider '${ep}' (onnxruntime ${ORT_VERSION}) needs CUDA ${needMajor}.x`;
  const fix =
    `  install the CUDA ${needMajor} runtime, cuBLAS ${needMajor} and cuDNN 9 libraries on the library path (LD_LIBRARY_PATH), ` +
    `or choose --ep webgpu, which needs only a Vulkan driver and no CUDA`;
  if (driverCuda && Number(driverCuda.split('.')[0]) < needMajor) {
    throw new EnvironmentError(`${needs}, but this runner has ${has}: the driver is too old\n  update the NVIDIA driver to one for CUDA ${needMajor} or later\n${fix}`);
  }
  if (!allMajors.includes(needMajor)) {
    throw new EnvironmentError(`${needs}, but this runner has ${has}\n${fix}`);
  }
}

// ------------------------------------------------------------------------------------------ NuGet fetch

/**
 * Time allowed for the package's download and extraction (FRONTIER_GATE_ORT_GPU_TIMEOUT seconds): the
 * package is about 250 MB, so this asks for 0.5 MB/s. @actions/tool-cache only bounds a silent socket
 * (3 minutes, then retries), so a trickling mirror would otherwise hold the runner until the job's limit.
 */
export const DEFAULT_FETCH_TIMEOUT_S = 600;

/** Reads FRONTIER_GATE_ORT_GPU_TIMEOUT: seconds > 0, else an error naming the variable and the value. */
export function fetchTimeoutSeconds(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_FETCH_TIMEOUT_S;
  const s = Number(value);
  if (!(Number.isFinite(s) && s > 0)) {
    throw new EnvironmentError(`FRONTIER_GATE_ORT_GPU_TIMEOUT: expected seconds > 0 (default ${DEFAULT_FETCH_TIMEOUT_S}), got ${JSON.stringify(value)}`);
  }
  return s;
}

/** Runs `work` with a signal that aborts it once `ms` have passed, and rejects then naming `what`. */
async function withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, what: string): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`${what} did not finish within ${ms / 1000} s (FRONTIER_GATE_ORT_GPU_TIMEOUT)`)), ms);
  try {
    return await work(controller.signal);
  } catch (err) {
    throw controller.signal.aborted ? controller.signal.reason : err;
  } finally {
    clearTimeout(timer);
  }
}

/** The package is about 250 MB; anything past this is not the package. */
export const MAX_PACKAGE_BYTES = 2 * 1024 ** 3;

/**
 * Downloads `url` into the runner's temp folder through the runner's proxy settings (as @actions/github's
 * fetch), abortable: @actions/tool-cache's own download cannot be cancelled and retries in the background.
 */
export async function downloadPackage(url: string, signal?: AbortSignal): Promise<string> {
  // Loaded here, not at the top: undici costs every CLI start ~70 ms, and only a GPU runner's first use downloads.
  const { getProxyFetch } = require('@actions/github/lib/internal/utils') as typeof import('@actions/github/lib/internal/utils');
  const fetchVia = getProxyFetch(url) as unknown as typeof fetch;
  const res = await fetchVia(url, { signal, redirect: 'follow' });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  const dest = path.join(process.env.RUNNER_TEMP || os.tmpdir(), `frontier-gate-${randomUUID()}.nupkg`);
  let bytes = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > MAX_PACKAGE_BYTES ? new Error(`over ${MAX_PACKAGE_BYTES / 1024 ** 3} GiB; not a provider package`) : null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), cap, fs.createWriteStream(dest, { flags: 'wx' }), { signal });
  } catch (err) {
    fs.rmSync(dest, { force: true });
    throw err;
  }
  return dest;
}

export function defaultPackageUrl(version = ORT_VERSION): string {
  return `https://api.nuget.org/v3-flatcontainer/${NUGET_PACKAGE}/${version}/${NUGET_PACKAGE}.${version}.nupkg`;
}

/** The part of @actions/tool-cache used here (injected in tests). */
export interface ToolCache {
  find(tool: string, version: string, arch?: string): string;
  /** Downloads to a file and returns its path; stops when `signal` aborts. */
  downloadTool(url: string, signal?: AbortSignal): Promise<string>;
  extractZip(file: string): Promise<string>;
  cacheDir(dir: string, tool: string, version: string, arch?: string): Promise<string>;
}

export interface LibrarySetup {
  /** The provider, for messages. */
  ep: string;
  /** The libraries to make loadable (all of the GPU package's providers by default). */
  libraries?: readonly string[];
  /** Folder of the native binding (the libraries are copied there). */
  dir?: string;
  version?: string;
  /** Mirror of the NuGet package for networks without nuget.org (FRONTIER_GATE_ORT_GPU_URL). */
  url?: string;
  toolCache?: ToolCache;
  /** Bound on download plus extraction (DEFAULT_FETCH_TIMEOUT_S unless set). */
  timeoutSeconds?: number;
  platform?: string;
  log?: (message: string) => void;
}

export type LibraryState = 'present' | 'cached' | 'downloaded';

/**
 * Make the GPU provider libraries loadable: a no-op when they are already beside the binding, else copied
 * from the tool cache, else fetched (NuGet package of the bundled onnxruntime version), cached and copied.
 * Fails with an EnvironmentError that says what to do when the package cannot be fetched (offline runner).
 */
export async function fetchProviderLibraries(setup: LibrarySetup): Promise<LibraryState> {
  const platform = setup.platform ?? `${process.platform}-${process.arch}`;
  if (platform !== 'linux-x64') {
    throw new EnvironmentError(`execution-provider ${setup.ep}: its provider libraries are fetched for linux-x64 runners only (this is ${platform})`);
  }
  const files = setup.libraries ?? GPU_PROVIDER_LIBRARIES;
  const dir = setup.dir ?? bindingDir();
  const version = setup.version ?? ORT_VERSION;
  const cache: ToolCache = setup.toolCache ?? { ...(require('@actions/tool-cache') as ToolCache), downloadTool: downloadPackage };
  const log = setup.log ?? (() => undefined);
  const missing = () => files.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing().length === 0) return 'present';

  let cached = cache.find(TOOL_NAME, version, 'x64');
  let how: LibraryState = 'cached';
  if (!cached) {
    const url = setup.url ?? defaultPackageUrl(version);
    log(`fetching the onnxruntime ${version} GPU provider libraries from ${url} (once per runner; cached with the tool cache)`);
    let extracted: string;
    try {
      const nupkg = await withDeadline((signal) => cache.downloadTool(url, signal), (setup.timeoutSeconds ?? DEFAULT_FETCH_TIMEOUT_S) * 1000, 'the download');
      extracted = await cache.extractZip(nupkg);
    } catch (err) {
      throw new EnvironmentError(
        [
          `execution-provider ${setup.ep}: cannot fetch the onnxruntime ${version} GPU provider libraries from ${url}: ${(err as Error).message}`,
          '  the runner needs network access to nuget.org once (the libraries are then cached in the tool cache),',
          '  or set FRONTIER_GATE_ORT_GPU_URL to a reachable copy of the same .nupkg,',
          `  or pre-seed the tool cache (${TOOL_NAME}/${version}/x64 holding ${GPU_PROVIDER_LIBRARIES.join(', ')}),`,
          '  or use execution-provider: cpu, or webgpu (bundled; any GPU with a Vulkan driver)',
        ].join('\n'),
      );
    }
    const native = path.join(extracted, ...NUGET_NATIVE_DIR);
    const absent = GPU_PROVIDER_LIBRARIES.filter((f) => !fs.existsSync(path.join(native, f)));
    if (absent.length) {
      throw new EnvironmentError(`execution-provider ${setup.ep}: the package from ${url} lacks ${absent.join(', ')} under ${NUGET_NATIVE_DIR.join('/')}; is it Microsoft.ML.OnnxRuntime.Gpu.Linux ${version}?`);
    }
    cached = await cache.cacheDir(native, TOOL_NAME, version, 'x64');
    how = 'downloaded';
  }
  for (const f of missing()) {
    const from = path.join(cached, f);
    if (!fs.existsSync(from)) throw new EnvironmentError(`execution-provider ${setup.ep}: the tool cache entry ${cached} lacks ${f}; delete it to fetch again`);
    fs.copyFileSync(from, path.join(dir, f));
  }
  log(`GPU provider libraries ready in ${dir} (${how})`);
  return how;
}
