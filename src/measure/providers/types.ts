/**
 * The execution-provider plugin contract. One file per provider implements it (cpu.ts, cuda.ts, ...);
 * index.ts registers them, and every choice list (CLI --ep, the action's execution-provider input, option
 * validation) is derived from that registry. Adding a provider = one file + one registry line (+ docs).
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { EnvironmentError } from '../../errors';

/** A provider-specific option: its CLI flag, the MeasureOptions key it sets, and what it means. */
export interface ProviderOptionSpec {
  flag: string;
  key: 'deviceId' | 'trtFp16' | 'trtCachePath';
  type: 'integer' | 'boolean' | 'string';
  description: string;
}

/** The provider-specific part of the options a session is created with. */
export interface ProviderSessionOptions {
  deviceId?: number;
  trtFp16?: boolean;
  trtCachePath?: string;
}

/** The adapter a GPU provider runs on, as the fingerprint records it. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  driver: string;
  /** discrete | integrated | virtual | cpu | other */
  type?: string;
  /** Where the facts came from: vulkaninfo, nvidia-smi or the Vulkan driver manifest. */
  source: string;
}

/** nvidia-smi's clocks and throttle reasons at measurement time (recorded, never part of the target key). */
export interface GpuClocks {
  graphics_mhz?: number;
  sm_mhz?: number;
  memory_mhz?: number;
  max_graphics_mhz?: number;
  max_memory_mhz?: number;
  performance_state?: string;
  /** The throttle reasons that are Active (e.g. "SW Power Cap", "HW Slowdown"); empty = none. */
  throttle_reasons: string[];
}

/** What a provider tells the fingerprint about the device it runs on. */
export interface DeviceFacts {
  /** Device name and driver version: part of the target key for GPU providers. */
  gpu?: string;
  driver?: string;
  adapter?: AdapterInfo;
  /** The CUDA version the driver supports (nvidia-smi), where known. */
  cuda?: string;
  clocks?: GpuClocks;
}

export interface ExecutionProviderDefinition<Name extends string = string> {
  readonly name: Name;
  /** One line: what it is and when to choose it. */
  readonly summary: string;
  readonly device: 'cpu' | 'gpu';
  /** What the runner needs, in words (used in errors and docs). */
  readonly requirements: string;
  /**
   * Whether onnxruntime-node can keep inputs and outputs on this provider's device (GPU tensors,
   * preferredOutputLocation 'gpu-buffer'); when false, a timed run includes the host copies.
   */
  readonly deviceTensors: boolean;
  readonly options: readonly ProviderOptionSpec[];
  /** Shared libraries fetched at run time (cuda, tensorrt: from the onnxruntime GPU NuGet package). */
  readonly libraries?: readonly string[];
  /** onnxruntime execution providers for a session, in priority order (cpu last as the fallback). */
  executionProviders(options: ProviderSessionOptions): InferenceSession.ExecutionProviderConfig[];
  /** Switches onnxruntime-node reads from the environment (TensorRT's fp16 and engine cache). */
  prepare?(options: ProviderSessionOptions): void;
  /** Throws an EnvironmentError (exit 3) naming what is missing and how to fix it; quick and quiet. */
  checkAvailable(probe: SystemProbe): void;
  /** Session creation failed: an EnvironmentError when the message means the provider cannot run here. */
  explainLoadFailure(message: string, probe: SystemProbe): EnvironmentError | undefined;
  /** Fingerprint fields of the device the provider runs on. */
  describeDevice(probe: SystemProbe): DeviceFacts;
}

/** What the providers ask the machine (commands, files, environment); realSystem in system.ts, fakes in tests. */
export interface SystemProbe {
  /** stdout of a command, or undefined when it is absent, fails or does not answer within the timeout. */
  exec(command: string, args: string[], timeoutMs?: number): string | undefined;
  exists(file: string): boolean;
  readFile(file: string): string | undefined;
  listDir(dir: string): string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
}
