/**
 * What the providers ask the machine: commands (nvidia-smi, vulkaninfo), files and the environment, behind
 * one small interface so availability checks, fingerprints and their parsers are tested on captured samples.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdapterInfo, GpuClocks, SystemProbe } from './types';

export type { SystemProbe };

export const realSystem: SystemProbe = {
  exec(command, args, timeoutMs = 5000) {
    try {
      return execFileSync(command, args, { timeout: timeoutMs, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 8 << 20 });
    } catch {
      return undefined;
    }
  },
  exists: (file) => fs.existsSync(file),
  readFile(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  listDir(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  },
  env: process.env,
  platform: process.platform,
  arch: process.arch,
};

/** A probe that remembers each answer: nvidia-smi and vulkaninfo take a while and are asked once per run. */
export function memoProbe(probe: SystemProbe): SystemProbe {
  const cache = new Map<string, string | undefined>();
  return {
    ...probe,
    exec(command, args, timeoutMs) {
      const key = [command, ...args].join('\0');
      if (!cache.has(key)) cache.set(key, probe.exec(command, args, timeoutMs));
      return cache.get(key);
    },
  };
}

// ---------------------------------------------------------------------------------------------- nvidia-smi

export interface NvidiaGpu {
  name: string;
  driver: string;
}

/** `nvidia-smi --query-gpu=name,driver_version --format=csv,noheader`: the first GPU. */
export function parseNvidiaQuery(out: string | undefined): NvidiaGpu | undefined {
  const first = out?.split('\n').map((l) => l.trim()).find(Boolean);
  if (!first) return undefined;
  const [name, driver] = first.split(',').map((s) => s.trim());
  return name ? { name, driver: driver ?? '' } : undefined;
}

/** The "CUDA Version: 13.0" of nvidia-smi's banner: the newest CUDA the driver supports. */
export function parseDriverCuda(out: string | undefined): string | undefined {
  return out ? /CUDA Version\s*:\s*([0-9]+(?:\.[0-9]+)?)/.exec(out)?.[1] : undefined;
}

const mhz = (s: string | undefined): number | undefined => {
  const m = s ? /([0-9]+)\s*MHz/.exec(s) : null;
  return m ? Number(m[1]) : undefined;
};

/**
 * `nvidia-smi -q -d CLOCK,PERFORMANCE` for the first GPU: current and max clocks, the performance state
 * and the throttle reasons reported Active ("Clocks Throttle Reasons" before driver 535, "Clocks Event
 * Reasons" since). Undefined when the text has no GPU section.
 */
export function parseNvidiaClocks(out: string | undefined): GpuClocks | undefined {
  if (!out) return undefined;
  const lines = out.split('\n');
  const gpuStart = lines.findIndex((l) => /^GPU [0-9A-Fa-f:.]+\s*$/.test(l.trim()));
  if (gpuStart < 0) return undefined;
  const nextGpu = lines.findIndex((l, i) => i > gpuStart && /^GPU [0-9A-Fa-f:.]+\s*$/.test(l.trim()));
  const body = lines.slice(gpuStart + 1, nextGpu < 0 ? undefined : nextGpu);
  const indent = (l: string) => l.length - l.trimStart().length;
  /** Lines of a section (by header text), as key -> value. */
  const section = (header: RegExp): Map<string, string> => {
    const map = new Map<string, string>();
    const start = body.findIndex((l) => header.test(l.trim()));
    if (start < 0) return map;
    const base = indent(body[start]);
    for (let i = start + 1; i < body.length; i++) {
      const l = body[i];
      if (!l.trim()) continue;
      if (indent(l) <= base) break;
      const m = /^\s*([^:]+?)\s*:\s*(.*)$/.exec(l);
      if (m) map.set(m[1], m[2].trim());
    }
    return map;
  };
  const clocks = section(/^Clocks$/);
  const max = section(/^Max Clocks$/);
  const reasons = section(/^Clocks (Throttle|Event) Reasons$/);
  const pstate = body.map((l) => /^\s*Performance State\s*:\s*(\S+)/.exec(l)?.[1]).find(Boolean);
  const throttle = [...reasons].filter(([k, v]) => v === 'Active' && k !== 'Idle').map(([k]) => k);
  const result: GpuClocks = { throttle_reasons: throttle };
  const set = <K extends keyof GpuClocks>(k: K, v: GpuClocks[K] | undefined) => {
    if (v !== undefined) result[k] = v;
  };
  set('graphics_mhz', mhz(clocks.get('Graphics')));
  set('sm_mhz', mhz(clocks.get('SM')));
  set('memory_mhz', mhz(clocks.get('Memory')));
  set('max_graphics_mhz', mhz(max.get('Graphics')));
  set('max_memory_mhz', mhz(max.get('Memory')));
  set('performance_state', pstate);
  return result;
}

export function nvidiaGpu(probe: SystemProbe): NvidiaGpu | undefined {
  return parseNvidiaQuery(probe.exec('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], 3000));
}

export function nvidiaClocks(probe: SystemProbe): GpuClocks | undefined {
  return parseNvidiaClocks(probe.exec('nvidia-smi', ['-q', '-d', 'CLOCK,PERFORMANCE'], 3000));
}

export function nvidiaDriverCuda(probe: SystemProbe): string | undefined {
  return parseDriverCuda(probe.exec('nvidia-smi', [], 3000));
}

// ---------------------------------------------------------------------------------------------- libraries

/** Folders the dynamic loader searches: LD_LIBRARY_PATH, the ldconfig cache's folders, the usual defaults. */
export function librarySearchDirs(probe: SystemProbe): string[] {
  const dirs = (probe.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const cache = probe.exec('ldconfig', ['-p'], 3000) ?? probe.exec('/sbin/ldconfig', ['-p'], 3000) ?? '';
  for (const m of cache.matchAll(/=>\s*(\S+)/g)) dirs.push(path.dirname(m[1]));
  dirs.push('/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib', '/usr/local/lib');
  return [...new Set(dirs)];
}

/** Full paths of files in the search folders whose names match (e.g. /^libcudart\.so\.\d+$/). */
export function findLibraries(probe: SystemProbe, pattern: RegExp, extraDirs: string[] = []): string[] {
  const found: string[] = [];
  for (const dir of [...librarySearchDirs(probe), ...extraDirs]) {
    for (const f of probe.listDir(dir)) if (pattern.test(f)) found.push(path.join(dir, f));
  }
  return [...new Set(found)];
}

/** The CUDA runtime majors on the runner (libcudart.so.N on the loader's path or in /usr/local/cuda*). */
export function cudaRuntimeMajors(probe: SystemProbe): { majors: number[]; files: string[] } {
  const cudaDirs = probe.listDir('/usr/local').filter((d) => /^cuda(-[0-9.]+)?$/.test(d)).map((d) => path.join('/usr/local', d, 'lib64'));
  const files = findLibraries(probe, /^libcudart\.so\.[0-9]+$/, cudaDirs);
  const majors = [...new Set(files.map((f) => Number(/\.so\.([0-9]+)$/.exec(f)![1])))].sort((a, b) => a - b);
  return { majors, files };
}

// ---------------------------------------------------------------------------------------------- Vulkan

/** The Vulkan loader (libvulkan.so.1), or undefined when the dynamic loader would not find it. */
export function vulkanLoader(probe: SystemProbe): string | undefined {
  return findLibraries(probe, /^libvulkan\.so\.1$/)[0];
}

/**
 * Vulkan driver manifests (ICD JSON files) the loader would use: VK_DRIVER_FILES / VK_ICD_FILENAMES when
 * set, else the standard folders.
 */
export function vulkanDrivers(probe: SystemProbe): string[] {
  const explicit = probe.env.VK_DRIVER_FILES || probe.env.VK_ICD_FILENAMES;
  if (explicit) return explicit.split(':').filter((f) => f && probe.exists(f));
  const dirs = [
    ...(probe.env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':').map((d) => path.join(d, 'vulkan', 'icd.d')),
    '/etc/vulkan/icd.d',
    ...(probe.env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':').map((d) => path.join(d, 'vulkan', 'icd.d')),
  ];
  const files: string[] = [];
  for (const d of [...new Set(dirs)]) for (const f of probe.listDir(d)) if (f.endsWith('.json')) files.push(path.join(d, f));
  return files;
}

const VENDORS: Record<number, string> = { 0x10de: 'NVIDIA', 0x1002: 'AMD', 0x8086: 'Intel', 0x13b5: 'ARM', 0x5143: 'Qualcomm', 0x1010: 'ImgTec', 0x10005: 'Mesa' };
const DEVICE_TYPES: Record<string, string> = {
  PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: 'discrete',
  PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: 'integrated',
  PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: 'virtual',
  PHYSICAL_DEVICE_TYPE_CPU: 'cpu',
};
/** Dawn's default adapter order (high performance): discrete first, the CPU last. */
const TYPE_RANK: Record<string, number> = { discrete: 0, integrated: 1, virtual: 2, other: 3, cpu: 4 };

/**
 * `vulkaninfo --summary`: one adapter per "GPUn:" block, in Dawn's order of preference (discrete GPU,
 * integrated, virtual, CPU). Architecture: the Mesa/NVIDIA driver id (e.g. DRIVER_ID_MESA_LLVMPIPE).
 */
export function parseVulkanSummary(out: string | undefined): AdapterInfo[] {
  if (!out) return [];
  const blocks = out.split(/^GPU[0-9]+:\s*$/m).slice(1);
  const adapters: AdapterInfo[] = [];
  for (const block of blocks) {
    const field = (k: string) => new RegExp(`^\\s*${k}\\s*=\\s*(.*)$`, 'm').exec(block)?.[1].trim();
    const vendorId = Number(field('vendorID'));
    const device = field('deviceName');
    if (!device) continue;
    const type = DEVICE_TYPES[field('deviceType') ?? ''] ?? 'other';
    adapters.push({
      vendor: VENDORS[vendorId] ?? (Number.isFinite(vendorId) ? `0x${vendorId.toString(16)}` : 'unknown'),
      architecture: (field('driverID') ?? 'unknown').replace(/^DRIVER_ID_/, '').toLowerCase(),
      device,
      driver: field('driverInfo') || field('driverVersion') || 'unknown',
      type,
      source: 'vulkaninfo',
    });
  }
  return adapters.sort((a, b) => (TYPE_RANK[a.type ?? 'other'] ?? 3) - (TYPE_RANK[b.type ?? 'other'] ?? 3));
}
