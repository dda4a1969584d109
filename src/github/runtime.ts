/**
 * onnxruntime's native pieces on the runner. The CPU and WebGPU providers travel in dist/ (see
 * scripts/postpackage.js); providers that need libraries fetched at run time (cuda, tensorrt) declare them
 * in the provider registry, and src/measure/providers/libraries.ts fetches, caches and places them. The
 * action only calls it, before measuring.
 */
import { getProvider, type ExecutionProvider } from '../measure/providers';
import { fetchProviderLibraries, type LibraryState, type ToolCache } from '../measure/providers/libraries';

export { ORT_VERSION, DEFAULT_FETCH_TIMEOUT_S, fetchTimeoutSeconds, GPU_PROVIDER_LIBRARIES, defaultPackageUrl, bindingDir, type ToolCache } from '../measure/providers/libraries';

export interface ProviderSetup {
  ep: ExecutionProvider;
  /** Folder of the native binding (the libraries are copied there). */
  dir?: string;
  version?: string;
  /** Mirror of the NuGet package for networks without nuget.org (FRONTIER_GATE_ORT_GPU_URL). */
  url?: string;
  toolCache?: ToolCache;
  /** Bound on the package's download and extraction (FRONTIER_GATE_ORT_GPU_TIMEOUT). */
  timeoutSeconds?: number;
  log?: (message: string) => void;
}

/**
 * Make the provider's libraries loadable; a no-op for providers bundled with onnxruntime-node (cpu, webgpu)
 * or when they are already present.
 */
export async function ensureProviderLibraries(setup: ProviderSetup): Promise<'not-needed' | LibraryState> {
  if (!getProvider(setup.ep)?.libraries) return 'not-needed';
  return fetchProviderLibraries(setup);
}
