/**
 * The CUDA provider: NVIDIA GPUs, with the provider libraries of the onnxruntime GPU NuGet package (fetched
 * by the action, see libraries.ts) and the CUDA runtime, cuBLAS and cuDNN of the major those libraries link.
 * onnxruntime-node keeps tensors on a CUDA device only through WebGPU buffers, so a timed CUDA run
 * includes copying the inputs in and the outputs out (small for CNN classifiers; reported as such).
 */
import * as path from 'node:path';
import { EnvironmentError } from '../../errors';
import { checkCudaMatch, ortBinaryDir, providerLibraryFiles, requiredCudaMajor } from './libraries';
import { nvidiaClocks, nvidiaDriverCuda, nvidiaGpu, type SystemProbe } from './system';
import type { DeviceFacts, ExecutionProviderDefinition, ProviderOptionSpec } from './types';

type NvidiaEp = 'cuda' | 'tensorrt';

export const DEVICE_ID_OPTION: ProviderOptionSpec = { flag: 'device-id', key: 'deviceId', type: 'integer', description: 'GPU index (default 0)' };

const REQUIREMENTS: Record<NvidiaEp, string> = {
  cuda: 'an NVIDIA GPU and driver, the CUDA 12.x runtime and cuBLAS, and cuDNN 9 on the library path',
  tensorrt: 'an NVIDIA GPU and driver, CUDA 12.x, cuDNN 9 and TensorRT 10 libraries on the library path',
};

/**
 * The error for a GPU provider that cannot load: the diagnosis first (no GPU here, when nvidia-smi finds
 * none), then what is missing, what it needs, and how to get it.
 */
export function nvidiaUnavailable(ep: NvidiaEp, dir: string | undefined, missing: string[], cause?: string, noGpu = false): EnvironmentError {
  const where = dir ?? 'the onnxruntime-node bin folder';
  const libraries = missing.length
    ? noGpu
      ? `  its provider libraries are not installed either (${missing.length} missing in ${where}: ${missing.join(', ')})`
      : `  missing: ${missing.map((f) => path.join(where, f)).join(', ')}`
    : `  provider libraries in ${where} failed to load`;
  const lines = [
    noGpu
      ? `no NVIDIA GPU here (nvidia-smi finds none): execution provider '${ep}' cannot run on this machine`
      : `execution provider '${ep}' cannot load on this machine` + (cause ? `: ${cause}` : ''),
    libraries,
    `  the ${ep} provider needs ${REQUIREMENTS[ep]}`,
    `  the frontier-gate action fetches the provider libraries on GPU runners (input execution-provider: ${ep});`,
    `  elsewhere install them with ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node, or measure with --ep webgpu (any Vulkan driver) or --ep cpu`,
  ];
  return new EnvironmentError(lines.join('\n'));
}

/** Libraries beside the binding, then the runner's CUDA against the major they link. */
export function checkNvidiaProvider(ep: NvidiaEp, probe: SystemProbe, dir: string | undefined = ortBinaryDir()): void {
  if (probe.platform === 'darwin') throw nvidiaUnavailable(ep, dir, [], 'onnxruntime-node has no CUDA or TensorRT build for macOS');
  if (!dir) return; // unknown layout (bundled elsewhere): let session creation report it
  const files = providerLibraryFiles(ep, probe.platform);
  const missing = files.filter((f) => !probe.exists(path.join(dir, f)));
  // Missing libraries on a machine with no GPU at all: the GPU is the news, the libraries a footnote.
  if (missing.length) throw nvidiaUnavailable(ep, dir, missing, undefined, !nvidiaGpu(probe));
  if (probe.platform === 'linux') checkCudaMatch(ep, requiredCudaMajor(path.join(dir, files[1])), probe, [dir]);
}

const LOAD_FAILURE = /Failed to load (shared )?library|cannot open shared object|LoadLibrary failed|CUDA failure|cudaErrorNoDevice|no CUDA-capable device|CUDA driver version is insufficient/i;

export function explainNvidiaFailure(ep: NvidiaEp, message: string): EnvironmentError | undefined {
  return LOAD_FAILURE.test(message) ? nvidiaUnavailable(ep, ortBinaryDir(), [], message) : undefined;
}

/** nvidia-smi: name and driver (target key), driver CUDA, clocks and throttle reasons (recorded). */
export function describeNvidia(probe: SystemProbe): DeviceFacts {
  const gpu = nvidiaGpu(probe);
  if (!gpu) return {};
  const facts: DeviceFacts = { gpu: gpu.name, driver: gpu.driver };
  const cuda = nvidiaDriverCuda(probe);
  if (cuda) facts.cuda = cuda;
  const clocks = nvidiaClocks(probe);
  if (clocks) facts.clocks = clocks;
  return facts;
}

export const cuda: ExecutionProviderDefinition<'cuda'> = {
  name: 'cuda',
  summary: 'NVIDIA GPUs through CUDA and cuDNN; needs provider libraries for CUDA 12 (the action fetches them)',
  device: 'gpu',
  requirements: REQUIREMENTS.cuda,
  deviceTensors: false,
  options: [DEVICE_ID_OPTION],
  libraries: providerLibraryFiles('cuda', 'linux'),
  executionProviders: (o) => [{ name: 'cuda', deviceId: o.deviceId ?? 0 }, 'cpu'],
  checkAvailable: (probe) => checkNvidiaProvider('cuda', probe),
  explainLoadFailure: (message) => explainNvidiaFailure('cuda', message),
  describeDevice: describeNvidia,
};
