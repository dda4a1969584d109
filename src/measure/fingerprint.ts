/**
 * The runner fingerprint and the target key. Measurements with different keys are never compared.
 *
 * The key hashes only what stays put on one machine: CPU model and cores, total memory (rounded to GB),
 * OS family and distribution, node's major version, the onnxruntime version, the provider, GPU name and
 * driver (GPU providers only), threads, batch and precision. Free memory, load, uptime and the kernel patch
 * level stay out of it, so two runs on the same runner image get the same key.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

/** nvidia-smi with a timeout: a hung driver must not hang the gate. */
export function queryNvidiaSmi(timeoutMs = 3000): { name: string; driver: string } | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], {
      timeout: timeoutMs,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const first = out.split('\n').map((l) => l.trim()).find(Boolean);
    if (!first) return undefined;
    const [name, driver] = first.split(',').map((s) => s.trim());
    return name ? { name, driver: driver ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

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
  gpu: () => queryNvidiaSmi(),
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
  const gpu = host.gpu();
  if (gpu) {
    fp.gpu = gpu.name;
    fp.driver = gpu.driver;
  }
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
  if (fp.provider !== 'cpu') {
    fields.gpu = fp.gpu ?? 'none';
    fields.driver = fp.driver ?? 'none';
  }
  return fields;
}

export function targetKey(fp: Fingerprint): string {
  const canonical = JSON.stringify(keyFields(fp));
  return `${fp.provider}-${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

export function targetLabel(fp: Fingerprint): string {
  const device = fp.provider !== 'cpu' && fp.gpu ? `${fp.gpu}${fp.driver ? ` (driver ${fp.driver})` : ''}` : `${fp.cpu} x${fp.cores}`;
  return `${fp.provider} · ${device} · ${fp.os} · ort ${fp.onnxruntime} · t${fp.threads} b${fp.batch} ${fp.precision}`;
}

export function makeTarget(fp: Fingerprint): Target {
  return { key: targetKey(fp), label: targetLabel(fp), fingerprint: fp };
}
