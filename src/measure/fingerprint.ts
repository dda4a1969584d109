/**
 * The runner fingerprint and the target key. Measurements with different keys are never compared.
 *
 * The key hashes only what stays put on one machine: CPU model and cores, total memory (rounded to GB),
 * OS family and distribution, node's major version, the onnxruntime version, the provider, GPU name and
 * driver (GPU providers only; for webgpu the adapter's vendor, architecture, device and driver, so lavapipe
 * and a real GPU are different targets), threads, batch and precision. Free memory, load, uptime, clocks,
 * throttle reasons and the kernel patch level stay out of it, so two runs on the same runner image get the
 * same key; clocks and throttle reasons are recorded beside it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { getProvider, memoProbe, realSystem, runsOnGpu, type DeviceFacts } from './providers';
import { nvidiaGpu } from './providers/system';
import type { ExecutionProvider, Fingerprint, Precision, Target } from './types';

/** The machine facts, behind an interface so fingerprints are tested without depending on this host. */
export interface HostProbe {
  cpuModel(): string;
  cores(): number;
  totalMemoryBytes(): number;
  os(): string;
  nodeVersion(): string;
  onnxruntimeVersion(): string;
  /** GPU name and driver, or undefined when nvidia-smi is absent or does not answer in time. */
  gpu(): { name: string; driver: string } | undefined;
  /** The device a provider runs on (adapter, clocks); when absent, gpu() names it. */
  device?(provider: ExecutionProvider): DeviceFacts;
}

export interface FingerprintOptions {
  provider: ExecutionProvider;
  threads: number;
  batch: number;
  precision: Precision;
}

function distribution(): string | undefined {
  try {
    const text = fs.readFileSync('/etc/os-release', 'utf8');
    const field = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?`, 'm').exec(text)?.[1];
    return field('PRETTY_NAME') ?? [field('NAME'), field('VERSION_ID')].filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}


/** nvidia-smi and vulkaninfo are asked once per process. */
const systemOnce = memoProbe(realSystem);

export const realHost: HostProbe = {
  cpuModel: () => (os.cpus()[0]?.model ?? 'unknown cpu').replace(/\s+/g, ' ').trim(),
  cores: () => os.availableParallelism(),
  totalMemoryBytes: () => os.totalmem(),
  os: () => {
    const distro = process.platform === 'linux' ? distribution() : undefined;
    return [`${process.platform}-${process.arch}`, distro ?? (process.platform === 'linux' ? undefined : os.release())].filter(Boolean).join(' ');
  },
  nodeVersion: () => process.versions.node,
  onnxruntimeVersion: () => {
    try {
      return (require('onnxruntime-node') as { env: { versions: { node?: string; common?: string } } }).env.versions.node ?? 'unknown';
    } catch {
      return 'unavailable';
    }
  },
  gpu: () => nvidiaGpu(systemOnce),
  device: (provider) => getProvider(provider).describeDevice(systemOnce),
};

export function fingerprint(opts: FingerprintOptions, host: HostProbe = realHost): Fingerprint {
  const fp: Fingerprint = {
    cpu: host.cpuModel(),
    cores: host.cores(),
    memory_gb: Math.round(host.totalMemoryBytes() / 1024 ** 3),
    os: host.os(),
    node: host.nodeVersion(),
    onnxruntime: host.onnxruntimeVersion(),
    provider: opts.provider,
    threads: opts.threads,
    batch: opts.batch,
    precision: opts.precision,
  };
  if (!runsOnGpu(opts.provider)) {
    // Recorded for the reader; a GPU in the box does not change CPU latency (not in the key).
    const gpu = host.gpu();
    if (gpu) Object.assign(fp, { gpu: gpu.name, driver: gpu.driver });
    return fp;
  }
  const facts: DeviceFacts = host.device ? host.device(opts.provider) : {};
  const gpu = facts.gpu ? { name: facts.gpu, driver: facts.driver ?? '' } : host.gpu();
  if (gpu) {
    fp.gpu = gpu.name;
    fp.driver = gpu.driver;
  }
  if (facts.adapter) fp.adapter = facts.adapter;
  if (facts.cuda) fp.cuda = facts.cuda;
  if (facts.clocks) fp.clocks = facts.clocks;
  return fp;
}

/** The fields that define comparability, in a fixed order. */
function keyFields(fp: Fingerprint): Record<string, string | number> {
  const fields: Record<string, string | number> = {
    cpu: fp.cpu,
    cores: fp.cores,
    memory_gb: fp.memory_gb,
    os: fp.os,
    node_major: fp.node.split('.')[0],
    onnxruntime: fp.onnxruntime,
    provider: fp.provider,
    threads: fp.threads,
    batch: fp.batch,
    precision: fp.precision,
  };
  // A GPU in the box does not change CPU latency; it defines the target only when it runs the model.
  if (runsOnGpu(fp.provider)) {
    fields.gpu = fp.gpu ?? 'none';
    fields.driver = fp.driver ?? 'none';
  }
  // Only when known, so keys of existing cuda/tensorrt targets stay as they were.
  if (fp.adapter) fields.adapter = [fp.adapter.vendor, fp.adapter.architecture, fp.adapter.device, fp.adapter.driver].join(' | ');
  return fields;
}

export function targetKey(fp: Fingerprint): string {
  const canonical = JSON.stringify(keyFields(fp));
  return `${fp.provider}-${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

export function targetLabel(fp: Fingerprint): string {
  const device = runsOnGpu(fp.provider) && fp.gpu ? `${fp.gpu}${fp.driver ? ` (driver ${fp.driver})` : ''}` : `${fp.cpu} x${fp.cores}`;
  // In words: "t1 b1" read as a code nobody had explained.
  return `${fp.provider} · ${device} · ${fp.os} · onnxruntime ${fp.onnxruntime} · ${fp.threads} thread${fp.threads === 1 ? '' : 's'} · batch ${fp.batch} · ${fp.precision}`;
}

export function makeTarget(fp: Fingerprint): Target {
  return { key: targetKey(fp), label: targetLabel(fp), fingerprint: fp };
}
