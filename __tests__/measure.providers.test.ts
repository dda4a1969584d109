/**
 * The execution-provider registry and what each provider asks the machine: parsers on captured samples
 * (nvidia-smi, vulkaninfo), availability errors on a fake machine, CUDA-major mismatch, fingerprint keys.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentError, EXIT, UserError } from '../src/errors';
import { fingerprint, targetKey, type HostProbe } from '../src/measure/fingerprint';
import { getProvider, PROVIDER_NAMES, PROVIDERS, providerFlagSpec, readProviderOptions, requireProvider } from '../src/measure/providers';
import { checkCudaMatch, requiredCudaMajor } from '../src/measure/providers/libraries';
import { parseDriverCuda, parseNvidiaClocks, parseNvidiaQuery, parseVulkanSummary, type SystemProbe } from '../src/measure/providers/system';
import { checkWebGpu, describeWebGpu, explainWebGpuFailure } from '../src/measure/providers/webgpu';
import { parseActionInputs } from '../src/github/inputs';

/** `nvidia-smi -q -d CLOCK,PERFORMANCE` on an H100 (driver 580) under a power cap. */
const NVIDIA_CLOCKS = `
==============NVSMI LOG==============

Timestamp                                 : Thu Nov 26 21:14:05 2026
Driver Version                            : 580.95.05
CUDA Version                              : 13.0

Attached GPUs                             : 1
GPU 00000000:18:00.0
    Performance State                     : P0
    Clocks Event Reasons
        Idle                              : Not Active
        Applications Clocks Setting       : Not Active
        SW Power Cap                      : Active
        HW Slowdown                       : Not Active
            HW Thermal Slowdown           : Not Active
            HW Power Brake Slowdown       : Not Active
        Sync Boost                        : Not Active
        SW Thermal Slowdown               : Not Active
        Display Clock Setting             : Not Active
    Clocks Event Reasons Counters
        SW Power Capping                  : 1349 us
        Sync Boost                        : 0 us
    Sparse Operation Mode                 : N/A
    Clocks
        Graphics                          : 1755 MHz
        SM                                : 1755 MHz
        Memory                            : 2619 MHz
        Video                             : 1545 MHz
    Applications Clocks
        Graphics                          : 1755 MHz
        Memory                            : 2619 MHz
    Default Applications Clocks
        Graphics                          : 1755 MHz
        Memory                            : 2619 MHz
    Deferred Clocks
        Memory                            : N/A
    Max Clocks
        Graphics                          : 1980 MHz
        SM                                : 1980 MHz
        Memory                            : 2619 MHz
        Video                             : 1545 MHz
    Max Customer Boost Clocks
        Graphics                          : 1980 MHz
`;

/** The same section from an older driver (T4, 470): "Clocks Throttle Reasons", idle. */
const NVIDIA_CLOCKS_OLD = `
Attached GPUs                             : 1
GPU 00000000:00:1E.0
    Performance State                     : P8
    Clocks Throttle Reasons
        Idle                              : Active
        Applications Clocks Setting       : Not Active
        SW Power Cap                      : Not Active
        HW Slowdown                       : Not Active
    Clocks
        Graphics                          : 300 MHz
        SM                                : 300 MHz
        Memory                            : 405 MHz
        Video                             : 540 MHz
    Max Clocks
        Graphics                          : 1590 MHz
        SM                                : 1590 MHz
        Memory                            : 5001 MHz
`;

/** `vulkaninfo --summary` here: lavapipe from Mesa 25 (bookworm-backports). */
const VULKAN_LAVAPIPE = `
Devices:
========
GPU0:
	apiVersion         = 1.4.305
	driverVersion      = 0.0.1
	vendorID           = 0x10005
	deviceID           = 0x0000
	deviceType         = PHYSICAL_DEVICE_TYPE_CPU
	deviceName         = llvmpipe (LLVM 15.0.6, 256 bits)
	driverID           = DRIVER_ID_MESA_LLVMPIPE
	driverName         = llvmpipe
	driverInfo         = Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6)
	conformanceVersion = 1.3.1.1
`;
/** A machine with an NVIDIA GPU and lavapipe: Dawn prefers the discrete GPU. */
const VULKAN_BOTH = `
Devices:
========
GPU0:
	apiVersion         = 1.4.305
	vendorID           = 0x10005
	deviceType         = PHYSICAL_DEVICE_TYPE_CPU
	deviceName         = llvmpipe (LLVM 15.0.6, 256 bits)
	driverID           = DRIVER_ID_MESA_LLVMPIPE
	driverInfo         = Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6)
GPU1:
	apiVersion         = 1.4.312
	driverVersion      = 580.95.5.0
	vendorID           = 0x10de
	deviceID           = 0x2330
	deviceType         = PHYSICAL_DEVICE_TYPE_DISCRETE_GPU
	deviceName         = NVIDIA H100 80GB HBM3
	driverID           = DRIVER_ID_NVIDIA_PROPRIETARY
	driverName         = NVIDIA
	driverInfo         = 580.95.05
`;

/** A fake machine: files (path -> content), folders, command answers. */
function fakeSystem(opts: { files?: Record<string, string>; commands?: Record<string, string>; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {}): SystemProbe {
  const files = opts.files ?? {};
  return {
    exec: (cmd, args) => opts.commands?.[[cmd, ...args].join(' ')],
    exists: (f) => f in files || Object.keys(files).some((k) => k.startsWith(f + '/')),
    readFile: (f) => files[f],
    listDir: (d) => [...new Set(Object.keys(files).filter((k) => k.startsWith(d + '/')).map((k) => k.slice(d.length + 1).split('/')[0]))],
    env: opts.env ?? {},
    platform: opts.platform ?? 'linux',
    arch: 'x64',
  };
}

const caught = (f: () => unknown): Error | undefined => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  return undefined;
};

describe('provider registry', () => {
  it('lists every provider once, each complete, and every choice list derives from it', () => {
    expect(PROVIDER_NAMES).toEqual(['cpu', 'cuda', 'tensorrt', 'webgpu']);
    for (const p of PROVIDERS) {
      expect(getProvider(p.name)).toBe(p);
      expect(p.summary.length).toBeGreaterThan(10);
      expect(p.executionProviders({}).at(-1)).toBe('cpu');
    }
    expect(requireProvider('webgpu').deviceTensors).toBe(true);
    expect(() => requireProvider('tpu', '--ep')).toThrow('--ep: expected one of cpu | cuda | tensorrt | webgpu, got "tpu"');
    // The action's input takes the same list.
    const inputs = (values: Record<string, string>) => parseActionInputs((name) => ({ 'github-token': 't', ...values })[name] ?? '');
    expect(inputs({ 'execution-provider': 'webgpu' }).executionProvider).toBe('webgpu');
    expect(() => inputs({ 'execution-provider': 'tpu' })).toThrow(/input execution-provider: expected one of cpu \| cuda \| tensorrt \| webgpu/);
  });

  it('provider options: typed, and refused for a provider that does not take them', () => {
    expect(Object.keys(providerFlagSpec()).sort()).toEqual(['device-id', 'trt-cache', 'trt-fp16']);
    expect(readProviderOptions({ 'device-id': '1', 'trt-fp16': true, 'trt-cache': 'c' }, 'tensorrt')).toEqual({ deviceId: 1, trtFp16: true, trtCachePath: 'c' });
    expect(readProviderOptions({ 'device-id': '2' }, 'cuda')).toEqual({ deviceId: 2 });
    expect(caught(() => readProviderOptions({ 'trt-fp16': true }, 'cuda'))?.message).toBe('--trt-fp16: applies to --ep tensorrt only, not cuda');
    expect(caught(() => readProviderOptions({ 'device-id': 'x' }, 'cuda'))).toBeInstanceOf(UserError);
    expect(caught(() => readProviderOptions({ 'device-id': '0' }, 'auto'))?.message).toMatch(/give --ep/);
  });
});

describe('nvidia-smi parsers (captured samples)', () => {
  it('name and driver, driver CUDA', () => {
    expect(parseNvidiaQuery('NVIDIA H100 80GB HBM3, 580.95.05\n')).toEqual({ name: 'NVIDIA H100 80GB HBM3', driver: '580.95.05' });
    expect(parseNvidiaQuery('')).toBeUndefined();
    expect(parseDriverCuda('| NVIDIA-SMI 580.95.05   Driver Version: 580.95.05   CUDA Version: 13.0     |')).toBe('13.0');
    expect(parseDriverCuda(NVIDIA_CLOCKS)).toBe('13.0');
  });

  it('clocks and the active throttle reasons (driver 580 "Clocks Event Reasons")', () => {
    expect(parseNvidiaClocks(NVIDIA_CLOCKS)).toEqual({
      graphics_mhz: 1755, sm_mhz: 1755, memory_mhz: 2619, max_graphics_mhz: 1980, max_memory_mhz: 2619, performance_state: 'P0',
      throttle_reasons: ['SW Power Cap'],
    });
  });

  it('older drivers ("Clocks Throttle Reasons"); Idle is not a throttle', () => {
    expect(parseNvidiaClocks(NVIDIA_CLOCKS_OLD)).toEqual({
      graphics_mhz: 300, sm_mhz: 300, memory_mhz: 405, max_graphics_mhz: 1590, max_memory_mhz: 5001, performance_state: 'P8', throttle_reasons: [],
    });
    expect(parseNvidiaClocks('No devices were found')).toBeUndefined();
    expect(parseNvidiaClocks(undefined)).toBeUndefined();
  });
});

describe('webgpu: adapter, availability, failures', () => {
  it('vulkaninfo --summary: lavapipe is named as such; a discrete GPU comes first', () => {
    expect(parseVulkanSummary(VULKAN_LAVAPIPE)).toEqual([
      { vendor: 'Mesa', architecture: 'mesa_llvmpipe', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', driver: 'Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6)', type: 'cpu', source: 'vulkaninfo' },
    ]);
    const both = parseVulkanSummary(VULKAN_BOTH);
    expect(both.map((a) => [a.vendor, a.device, a.type])).toEqual([['NVIDIA', 'NVIDIA H100 80GB HBM3', 'discrete'], ['Mesa', 'llvmpipe (LLVM 15.0.6, 256 bits)', 'cpu']]);
    expect(both[0]).toMatchObject({ architecture: 'nvidia_proprietary', driver: '580.95.05' });
  });

  const loader = { '/usr/lib/x86_64-linux-gnu/libvulkan.so.1': '' };
  it('no Vulkan loader: exit 3 saying to install libvulkan1', () => {
    const err = caught(() => checkWebGpu(fakeSystem()));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).toBe(EXIT.ENVIRONMENT);
    expect(err?.message).toMatch(/no Vulkan loader \(libvulkan\.so\.1/);
    expect(err?.message).toMatch(/apt-get install libvulkan1/);
  });

  it('a loader but no driver: exit 3 naming the ICD folders, or the VK_DRIVER_FILES that points nowhere', () => {
    expect(caught(() => checkWebGpu(fakeSystem({ files: loader })))?.message).toMatch(/no Vulkan driver \(no ICD manifest in \/usr\/share\/vulkan\/icd\.d/);
    const err = caught(() => checkWebGpu(fakeSystem({ files: loader, env: { VK_DRIVER_FILES: '/x/nvidia_icd.json' } })));
    expect(err?.message).toMatch(/VK_DRIVER_FILES\/VK_ICD_FILENAMES=\/x\/nvidia_icd\.json names no existing manifest/);
    expect(err?.message).toMatch(/lavapipe/);
    expect(() => checkWebGpu(fakeSystem({ files: { ...loader, '/usr/share/vulkan/icd.d/lvp_icd.json': '{}' } }))).not.toThrow();
    expect(caught(() => checkWebGpu(fakeSystem({ platform: 'darwin' })))?.message).toMatch(/Linux and Windows only/);
  });

  it('no adapter (the Dawn message): exit 3 naming the drivers present and the Mesa >= 25 requirement', () => {
    const dawn = 'webgpu_context.cc:136 ... was false. Failed to get a WebGPU adapter: No supported adapters';
    const err = explainWebGpuFailure(dawn, fakeSystem({ files: { '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json': '{}' } }));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err?.message).toMatch(/found no usable adapter: Failed to get a WebGPU adapter: No supported adapters/);
    expect(err?.message).toMatch(/Vulkan drivers present: lvp/);
    expect(err?.message).toMatch(/Mesa >= 25/);
    expect(explainWebGpuFailure('Unsupported data type', fakeSystem())).toBeUndefined();
  });

  it('the adapter without vulkaninfo: nvidia-smi for an NVIDIA ICD, else the manifest names', () => {
    const nvidia = fakeSystem({
      files: { '/etc/vulkan/icd.d/nvidia_icd.json': '{}' },
      commands: { 'nvidia-smi --query-gpu=name,driver_version --format=csv,noheader': 'NVIDIA H100 80GB HBM3, 580.95.05', 'nvidia-smi -q -d CLOCK,PERFORMANCE': NVIDIA_CLOCKS },
    });
    const facts = describeWebGpu(nvidia);
    expect(facts).toMatchObject({ gpu: 'NVIDIA NVIDIA H100 80GB HBM3', driver: '580.95.05', adapter: { vendor: 'NVIDIA', source: 'nvidia-smi' } });
    expect(facts.clocks?.throttle_reasons).toEqual(['SW Power Cap']);
    expect(describeWebGpu(fakeSystem({ files: { '/usr/share/vulkan/icd.d/lvp_icd.json': '{}' } })).adapter).toMatchObject({ architecture: 'lvp', driver: 'unknown' });
    expect(describeWebGpu(fakeSystem({ commands: { 'vulkaninfo --summary': VULKAN_LAVAPIPE } })).adapter?.device).toBe('llvmpipe (LLVM 15.0.6, 256 bits)');
  });
});

describe('cuda / tensorrt: the CUDA major', () => {
  const smi = (cuda: string) => ({ 'nvidia-smi': `| NVIDIA-SMI 580.95.05   Driver Version: 580.95.05   CUDA Version: ${cuda} |` });

  it('a CUDA 13-only runner: exit 3 saying the provider needs CUDA 12 and the runner has 13', () => {
    const sys = fakeSystem({ files: { '/usr/local/cuda-13.0/lib64/libcudart.so.13': '' }, commands: smi('13.0') });
    const err = caught(() => checkCudaMatch('cuda', 12, sys));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err?.message).toMatch(/execution provider 'cuda' \(onnxruntime [0-9.]+\) needs CUDA 12\.x, but this runner has a driver for CUDA up to 13\.0 and CUDA runtime 13 \(\/usr\/local\/cuda-13\.0\/lib64\/libcudart\.so\.13\)/);
    expect(err?.message).toMatch(/--ep webgpu/);
  });

  it('a driver older than the provider: exit 3 saying to update the driver', () => {
    const sys = fakeSystem({ files: { '/usr/lib/x86_64-linux-gnu/libcudart.so.12': '' }, commands: smi('11.4') });
    expect(caught(() => checkCudaMatch('tensorrt', 12, sys))?.message).toMatch(/needs CUDA 12\.x, but this runner has a driver for CUDA up to 11\.4 .*the driver is too old/);
  });

  it('no CUDA runtime at all: exit 3 naming what is missing', () => {
    expect(caught(() => checkCudaMatch('cuda', 12, fakeSystem()))?.message).toMatch(/no NVIDIA driver that answers nvidia-smi and no CUDA runtime \(libcudart\.so\.N\) on the library path/);
  });

  it('CUDA 12 beside 13 (LD_LIBRARY_PATH) is enough', () => {
    const sys = fakeSystem({ files: { '/usr/local/cuda-13.0/lib64/libcudart.so.13': '', '/opt/cu12/libcudart.so.12': '' }, commands: smi('13.0'), env: { LD_LIBRARY_PATH: '/opt/cu12' } });
    expect(() => checkCudaMatch('cuda', 12, sys)).not.toThrow();
  });

  it('reads the needed major from the provider library it links', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-cudamajor-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.so'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from('libcublasLt.so.12\0libcudart.so.12\0')]));
      fs.writeFileSync(path.join(dir, 'b.so'), Buffer.from('\0libcudart.so.13\0'));
      expect(requiredCudaMajor(path.join(dir, 'a.so'))).toBe(12);
      expect(requiredCudaMajor(path.join(dir, 'b.so'))).toBe(13);
      expect(requiredCudaMajor(path.join(dir, 'absent.so'))).toBe(12);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GPU fingerprints', () => {
  const host: HostProbe = {
    cpuModel: () => 'AMD EPYC 7B13', cores: () => 2, totalMemoryBytes: () => 8 * 1024 ** 3, os: () => 'linux-x64 Debian 12',
    nodeVersion: () => '20.19.1', onnxruntimeVersion: () => '1.30.0', gpu: () => undefined,
  };
  const opts = { provider: 'webgpu' as const, threads: 1, batch: 1, precision: 'fp32' as const };
  const withDevice = (sample: string): HostProbe => ({ ...host, device: (p) => getProvider(p).describeDevice(fakeSystem({ commands: { 'vulkaninfo --summary': sample } })) });

  it('lavapipe and a real GPU are different webgpu targets; the adapter is recorded', () => {
    const lvp = fingerprint(opts, withDevice(VULKAN_LAVAPIPE));
    const h100 = fingerprint(opts, withDevice(VULKAN_BOTH));
    expect(lvp.adapter?.device).toMatch(/llvmpipe/);
    expect(h100.adapter?.vendor).toBe('NVIDIA');
    expect(targetKey(lvp)).toMatch(/^webgpu-/);
    expect(targetKey(lvp)).not.toBe(targetKey(h100));
  });

  it('clocks and throttle reasons are recorded but do not change the key', () => {
    const smi = (clocks: string) => fakeSystem({
      commands: { 'nvidia-smi --query-gpu=name,driver_version --format=csv,noheader': 'NVIDIA H100 80GB HBM3, 580.95.05', 'nvidia-smi -q -d CLOCK,PERFORMANCE': clocks, 'nvidia-smi': 'CUDA Version: 13.0' },
    });
    const cudaOpts = { ...opts, provider: 'cuda' as const };
    const capped = fingerprint(cudaOpts, { ...host, device: (p) => getProvider(p).describeDevice(smi(NVIDIA_CLOCKS)) });
    const idle = fingerprint(cudaOpts, { ...host, device: (p) => getProvider(p).describeDevice(smi(NVIDIA_CLOCKS_OLD)) });
    expect(capped.clocks?.throttle_reasons).toEqual(['SW Power Cap']);
    expect(capped.cuda).toBe('13.0');
    expect(capped.gpu).toBe('NVIDIA H100 80GB HBM3');
    expect(targetKey(capped)).toBe(targetKey(idle));
    // The same GPU and driver keyed as before the registry (gpu and driver only): stored cuda targets stay valid.
    expect(targetKey(capped)).toBe(targetKey(fingerprint(cudaOpts, { ...host, gpu: () => ({ name: 'NVIDIA H100 80GB HBM3', driver: '580.95.05' }) })));
  });
});
