import * as os from 'node:os';
import { fingerprint, makeTarget, realHost, targetKey, targetLabel, type HostProbe } from '../src/measure/fingerprint';
import type { FingerprintOptions } from '../src/measure/fingerprint';

const base: HostProbe = {
  cpuModel: () => 'AMD EPYC 7763 64-Core Processor',
  cores: () => 4,
  totalMemoryBytes: () => 16.4 * 1024 ** 3,
  os: () => 'linux-x64 Ubuntu 24.04.1 LTS',
  nodeVersion: () => '20.19.1',
  onnxruntimeVersion: () => '1.30.0',
  gpu: () => undefined,
};
const cpuOpts: FingerprintOptions = { provider: 'cpu', threads: 4, batch: 1, precision: 'fp32' };

describe('fingerprint and target key', () => {
  it('collects the machine facts and the measurement settings', () => {
    const fp = fingerprint(cpuOpts, base);
    expect(fp).toEqual({
      cpu: 'AMD EPYC 7763 64-Core Processor', cores: 4, memory_gb: 16, os: 'linux-x64 Ubuntu 24.04.1 LTS',
      node: '20.19.1', onnxruntime: '1.30.0', provider: 'cpu', threads: 4, batch: 1, precision: 'fp32',
    });
  });

  it('is stable on this machine across calls (no free memory, load or time in it)', () => {
    const opts = { ...cpuOpts, threads: os.availableParallelism() };
    const a = makeTarget(fingerprint(opts, realHost));
    // Allocate and burn a little so free memory and load move between the two readings.
    const junk = Array.from({ length: 200000 }, (_, i) => ({ i }));
    const b = makeTarget(fingerprint(opts, realHost));
    expect(junk.length).toBe(200000);
    expect(b.key).toBe(a.key);
    expect(b).toEqual(a);
    expect(a.key).toMatch(/^cpu-[0-9a-f]{16}$/);
  });

  it('ignores node patch releases and memory jitter below half a GB, but not what changes latency', () => {
    const key = targetKey(fingerprint(cpuOpts, base));
    expect(targetKey(fingerprint(cpuOpts, { ...base, nodeVersion: () => '20.20.2' }))).toBe(key);
    expect(targetKey(fingerprint(cpuOpts, { ...base, totalMemoryBytes: () => 15.8 * 1024 ** 3 }))).toBe(key);
    const changed = [
      fingerprint({ ...cpuOpts, threads: 2 }, base),
      fingerprint({ ...cpuOpts, batch: 8 }, base),
      fingerprint({ ...cpuOpts, precision: 'fp16' }, base),
      fingerprint({ ...cpuOpts, provider: 'cuda' }, base),
      fingerprint(cpuOpts, { ...base, cores: () => 2 }),
      fingerprint(cpuOpts, { ...base, cpuModel: () => 'Intel Xeon Platinum 8370C' }),
      fingerprint(cpuOpts, { ...base, onnxruntimeVersion: () => '1.31.0' }),
      fingerprint(cpuOpts, { ...base, nodeVersion: () => '22.1.0' }),
      fingerprint(cpuOpts, { ...base, os: () => 'win32-x64 10.0.20348' }),
    ].map(targetKey);
    expect(new Set([key, ...changed]).size).toBe(changed.length + 1);
  });

  it('keys GPU name and driver for GPU providers only', () => {
    const withGpu: HostProbe = { ...base, gpu: () => ({ name: 'NVIDIA T4', driver: '535.104.05' }) };
    // A GPU in the box does not change a CPU measurement's target.
    expect(targetKey(fingerprint(cpuOpts, withGpu))).toBe(targetKey(fingerprint(cpuOpts, base)));
    const cuda = { ...cpuOpts, provider: 'cuda' as const };
    const t4 = fingerprint(cuda, withGpu);
    expect(t4.gpu).toBe('NVIDIA T4');
    expect(t4.driver).toBe('535.104.05');
    expect(targetKey(t4)).toMatch(/^cuda-/);
    expect(targetKey(t4)).not.toBe(targetKey(fingerprint(cuda, { ...base, gpu: () => ({ name: 'NVIDIA A10G', driver: '535.104.05' }) })));
    expect(targetLabel(t4)).toBe('cuda · NVIDIA T4 (driver 535.104.05) · linux-x64 Ubuntu 24.04.1 LTS · onnxruntime 1.30.0 · 4 threads · batch 1 · fp32');
  });

  it('has a readable label', () => {
    expect(targetLabel(fingerprint(cpuOpts, base))).toBe('cpu · AMD EPYC 7763 64-Core Processor x4 · linux-x64 Ubuntu 24.04.1 LTS · onnxruntime 1.30.0 · 4 threads · batch 1 · fp32');
  });

  it('gets no GPU here when nvidia-smi is absent, without throwing', () => {
    const fp = fingerprint(cpuOpts, realHost);
    expect(fp.onnxruntime).toMatch(/^\d+\.\d+\.\d+/);
    if (!fp.gpu) expect(fp.driver).toBeUndefined();
  });
});
