/**
 * The WebGPU provider, bundled in onnxruntime-node's libonnxruntime (Dawn over Vulkan on Linux): any GPU
 * with a Vulkan driver (NVIDIA, AMD, Intel), no download and no CUDA version to match. Mesa's lavapipe (a
 * Vulkan driver on the CPU, Mesa >= 25) runs it without a GPU: correct, but ~25x slower than the CPU
 * provider, so the fingerprint names the adapter and lavapipe is never the same target as a GPU.
 * onnxruntime-node keeps WebGPU tensors on the device (preferredOutputLocation 'gpu-buffer'), so timed
 * runs measure the model and the with-copies time is reported beside it.
 */
import * as path from 'node:path';
import { EnvironmentError } from '../../errors';
import { nvidiaClocks, nvidiaGpu, parseVulkanSummary, vulkanDrivers, vulkanLoader, type SystemProbe } from './system';
import type { AdapterInfo, DeviceFacts, ExecutionProviderDefinition } from './types';

const DRIVER_HINT =
  'install a Vulkan driver: the NVIDIA driver\'s ICD (e.g. export VK_DRIVER_FILES=/usr/share/vulkan/icd.d/nvidia_icd.json, or ' +
  '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json in containers), mesa-vulkan-drivers for AMD/Intel, or lavapipe for a CPU-only ' +
  'test machine (Mesa >= 25: scripts/ci-vulkan.sh)';

/** The ICD manifests, by name (lvp_icd.json -> lvp), for messages and the no-vulkaninfo fallback. */
function driverNames(files: string[]): string[] {
  return files.map((f) => path.basename(f, '.json').replace(/_icd(\.[a-z0-9_]+)?$/, ''));
}

export function checkWebGpu(probe: SystemProbe): void {
  if (probe.platform !== 'linux' && probe.platform !== 'win32') {
    throw new EnvironmentError(`execution provider 'webgpu': onnxruntime-node bundles WebGPU for Linux and Windows only (this is ${probe.platform}-${probe.arch}); use --ep cpu`);
  }
  if (probe.platform !== 'linux') return; // Windows: Dawn uses D3D12, nothing to check beforehand
  if (!vulkanLoader(probe)) {
    throw new EnvironmentError(
      "execution provider 'webgpu' cannot start: no Vulkan loader (libvulkan.so.1 is not on the library path)\n" +
        '  install it (Debian/Ubuntu: apt-get install libvulkan1; without root: dpkg -x libvulkan1_*.deb DIR and add DIR/usr/lib/x86_64-linux-gnu to LD_LIBRARY_PATH)\n' +
        `  and a driver: ${DRIVER_HINT}`,
    );
  }
  const drivers = vulkanDrivers(probe);
  if (!drivers.length) {
    const explicit = probe.env.VK_DRIVER_FILES || probe.env.VK_ICD_FILENAMES;
    throw new EnvironmentError(
      `execution provider 'webgpu' cannot start: no Vulkan driver${explicit ? ` (VK_DRIVER_FILES/VK_ICD_FILENAMES=${explicit} names no existing manifest)` : ' (no ICD manifest in /usr/share/vulkan/icd.d, /etc/vulkan/icd.d)'}\n  ${DRIVER_HINT}`,
    );
  }
}

const NO_ADAPTER = /No supported adapters|Failed to get a WebGPU adapter|RequestAdapter|RequestDevice|Vulkan|webgpu_context/i;

export function explainWebGpuFailure(message: string, probe: SystemProbe): EnvironmentError | undefined {
  if (!NO_ADAPTER.test(message)) return undefined;
  const drivers = driverNames(vulkanDrivers(probe));
  return new EnvironmentError(
    `execution provider 'webgpu' found no usable adapter: ${message.replace(/^.*?(Failed to get)/, '$1').trim()}\n` +
      `  Vulkan drivers present: ${drivers.length ? drivers.join(', ') : 'none'}; Dawn needs a Vulkan 1.1 device with the WebGPU core features\n` +
      '  lavapipe needs Mesa >= 25 (Debian 12: bookworm-backports, see scripts/ci-vulkan.sh); an NVIDIA GPU needs its ICD visible (VK_DRIVER_FILES)\n' +
      `  check with: vulkaninfo --summary; or measure with --ep cpu`,
  );
}

/** The adapter Dawn will pick: vulkaninfo's list first, else nvidia-smi for an NVIDIA ICD, else the manifest names. */
export function webGpuAdapter(probe: SystemProbe): AdapterInfo | undefined {
  if (probe.platform !== 'linux') return undefined;
  const listed = parseVulkanSummary(probe.exec('vulkaninfo', ['--summary'], 10000));
  if (listed.length) return listed[0];
  const drivers = driverNames(vulkanDrivers(probe));
  if (drivers.includes('nvidia')) {
    const gpu = nvidiaGpu(probe);
    if (gpu) return { vendor: 'NVIDIA', architecture: 'nvidia', device: gpu.name, driver: gpu.driver, type: 'discrete', source: 'nvidia-smi' };
  }
  if (!drivers.length) return undefined;
  return { vendor: 'unknown', architecture: drivers.join('+'), device: `Vulkan driver ${drivers.join(', ')}`, driver: 'unknown', source: 'driver manifest (install vulkan-tools for the adapter name)' };
}

export function describeWebGpu(probe: SystemProbe): DeviceFacts {
  const adapter = webGpuAdapter(probe);
  if (!adapter) return {};
  const facts: DeviceFacts = { gpu: `${adapter.vendor} ${adapter.device}`, driver: adapter.driver, adapter };
  if (adapter.vendor === 'NVIDIA') {
    const clocks = nvidiaClocks(probe);
    if (clocks) facts.clocks = clocks;
  }
  return facts;
}

export const webgpu: ExecutionProviderDefinition<'webgpu'> = {
  name: 'webgpu',
  summary: 'bundled; any GPU with a Vulkan driver (NVIDIA, AMD, Intel), no CUDA; tensors stay on the device',
  device: 'gpu',
  requirements: 'the Vulkan loader (libvulkan1) and a Vulkan driver for the GPU (lavapipe, Mesa >= 25, on a CPU-only machine)',
  deviceTensors: true,
  options: [],
  executionProviders: () => ['webgpu', 'cpu'],
  checkAvailable: checkWebGpu,
  explainLoadFailure: explainWebGpuFailure,
  describeDevice: describeWebGpu,
};
