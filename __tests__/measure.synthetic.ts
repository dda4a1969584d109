/** A synthetic device for the engine's tests: a clock that advances only when a model "runs". */
import type { Clock } from '../src/measure/clock';
import { seeded as seededRng } from '../src/util/random';
import type { Runner, SessionFactory } from '../src/measure/session';
import type { HostProbe } from '../src/measure/fingerprint';

export class FakeClock implements Clock {
  t = 0;
  now(): number {
    return this.t;
  }
}

/** Normal noise from two uniforms (Box-Muller), seeded. */
export function gaussian(seed: number): () => number {
  const rnd = seededRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

export interface DeviceModel {
  /** Steady latency in ms. */
  latency: number;
  /** Relative noise (sd / latency) of each run. */
  noise?: number;
  /** Extra ms of the first `slowRuns` runs, decaying linearly: a cold cache. */
  coldExtra?: number;
  slowRuns?: number;
  sessionMs?: number;
  /** Relative sd of a session's own latency (where its memory lands, which kernels it picks). */
  sessionSpread?: number;
}

/**
 * Latency of a run = model latency x (1 + noise) x drift(t), where drift is shared by every model (a slow
 * phase of the machine), so interleaving must cancel it.
 */
export function syntheticDevice(clock: FakeClock, models: Record<string, DeviceModel>, opts: { seed?: number; drift?: (t: number) => number } = {}) {
  const noise = gaussian(opts.seed ?? 7);
  const calls: string[] = [];
  let disposed = 0;
  const factory: SessionFactory = {
    async create(source) {
      const m = models[source.name];
      if (!m) throw new Error(`synthetic device: unknown model ${source.name}`);
      clock.t += m.sessionMs ?? 5;
      const sessionFactor = 1 + (m.sessionSpread ?? 0) * noise();
      let runs = 0;
      const runner: Runner = {
        inputs: [{ name: 'input', type: 'float32', dims: [1, 3, 8, 8] }],
        async run() {
          calls.push(source.name);
          const cold = m.coldExtra && runs < (m.slowRuns ?? 0) ? m.coldExtra * (1 - runs / (m.slowRuns ?? 1)) : 0;
          runs++;
          const drift = opts.drift ? opts.drift(clock.t) : 1;
          clock.t += Math.max(0.001, (m.latency * sessionFactor * (1 + (m.noise ?? 0) * noise()) + cold) * drift);
        },
        async dispose() {
          disposed++;
        },
      };
      return runner;
    },
  };
  return { factory, calls, disposed: () => disposed };
}

/** A host for the engine's tests: `cores` cores (threads default to cores less one), no GPU. */
export function syntheticHost(cores = 4): HostProbe {
  return {
    cpuModel: () => 'Synthetic CPU',
    cores: () => cores,
    totalMemoryBytes: () => 16 * 1024 ** 3,
    os: () => 'linux-x64 Test OS',
    nodeVersion: () => '20.1.0',
    onnxruntimeVersion: () => '1.30.0',
    gpu: () => undefined,
  };
}
