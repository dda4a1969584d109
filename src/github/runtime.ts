/**
 * onnxruntime's native pieces on the runner. The CPU provider travels in dist/ (see scripts/postpackage.js);
 * the CUDA and TensorRT provider libraries are too large for the npm package (onnxruntime-node fetches
 * them from NuGet at install time), so on GPU runners the action fetches the same NuGet package once,
 * caches it with @actions/tool-cache, and copies the provider libraries next to the native binding,
 * where onnxruntime looks for them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tc from '@actions/tool-cache';
import ortPackage from 'onnxruntime-node/package.json';
import { EnvironmentError } from '../errors';
import { ortBinaryDir } from '../measure/session';
import type { ExecutionProvider } from '../measure/types';

export const ORT_VERSION: string = ortPackage.version;
const NUGET_PACKAGE = 'microsoft.ml.onnxruntime.gpu.linux';
const TOOL_NAME = 'onnxruntime-gpu-linux';
/** Inside the .nupkg (a zip): where the Linux x64 native libraries are. */
const NATIVE_DIR = ['runtimes', 'linux-x64', 'native'];
export const GPU_PROVIDER_LIBRARIES = [
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
  'libonnxruntime_providers_tensorrt.so',
];

export function defaultPackageUrl(version = ORT_VERSION): string {
  return `https://api.nuget.org/v3-flatcontainer/${NUGET_PACKAGE}/${version}/${NUGET_PACKAGE}.${version}.nupkg`;
}

/** Where onnxruntime_binding.node is: dist/bin/... in the bundle, node_modules/onnxruntime-node/bin/... otherwise. */
export function bindingDir(): string {
  return ortBinaryDir() ?? path.join(__dirname, 'bin', 'napi-v6', process.platform, process.arch);
}

export interface ToolCache {
  find(tool: string, version: string, arch?: string): string;
  downloadTool(url: string): Promise<string>;
  extractZip(file: string): Promise<string>;
  cacheDir(dir: string, tool: string, version: string, arch?: string): Promise<string>;
}

export interface ProviderSetup {
  ep: ExecutionProvider;
  /** Folder of the native binding (the libraries are copied there). */
  dir?: string;
  version?: string;
  /** Mirror of the NuGet package for networks without nuget.org (FRONTIER_GATE_ORT_GPU_URL). */
  url?: string;
  toolCache?: ToolCache;
  log?: (message: string) => void;
}

/**
 * Make the GPU provider libraries loadable; a no-op for cpu or when they are already present. Fails with
 * an EnvironmentError that says what to do when the package cannot be fetched (offline runner).
 */
export async function ensureProviderLibraries(setup: ProviderSetup): Promise<'not-needed' | 'present' | 'cached' | 'downloaded'> {
  if (setup.ep === 'cpu') return 'not-needed';
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new EnvironmentError(`execution-provider ${setup.ep}: the action ships GPU providers for linux-x64 runners only (this is ${process.platform}-${process.arch})`);
  }
  const dir = setup.dir ?? bindingDir();
  const version = setup.version ?? ORT_VERSION;
  const cache = setup.toolCache ?? tc;
  const log = setup.log ?? (() => undefined);
  const missing = () => GPU_PROVIDER_LIBRARIES.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing().length === 0) return 'present';

  let cached = cache.find(TOOL_NAME, version, 'x64');
  let how: 'cached' | 'downloaded' = 'cached';
  if (!cached) {
    const url = setup.url ?? defaultPackageUrl(version);
    log(`fetching the onnxruntime ${version} GPU provider libraries from ${url} (once per runner; cached with the tool cache)`);
    let extracted: string;
    try {
      const nupkg = await cache.downloadTool(url);
      extracted = await cache.extractZip(nupkg);
    } catch (err) {
      throw new EnvironmentError(
        [
          `execution-provider ${setup.ep}: cannot fetch the onnxruntime ${version} GPU provider libraries from ${url}: ${(err as Error).message}`,
          '  the runner needs network access to nuget.org once (the libraries are then cached in the tool cache),',
          '  or set FRONTIER_GATE_ORT_GPU_URL to a reachable copy of the same .nupkg,',
          `  or pre-seed the tool cache (${TOOL_NAME}/${version}/x64 holding ${GPU_PROVIDER_LIBRARIES.join(', ')}),`,
          '  or use execution-provider: cpu',
        ].join('\n'),
      );
    }
    const native = path.join(extracted, ...NATIVE_DIR);
    const absent = GPU_PROVIDER_LIBRARIES.filter((f) => !fs.existsSync(path.join(native, f)));
    if (absent.length) {
      throw new EnvironmentError(`execution-provider ${setup.ep}: the package from ${url} lacks ${absent.join(', ')} under ${NATIVE_DIR.join('/')}; is it Microsoft.ML.OnnxRuntime.Gpu.Linux ${version}?`);
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
