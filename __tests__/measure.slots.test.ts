/**
 * Several sessions per model (slots): intervals that hold across runs when the session itself moves a
 * model's latency, on the synthetic device; and measuring in a child process that is killed when a run
 * overstays its limit, without the runner's credentials.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMeasurer } from '../src/measure';
import { childEnv, childMeasurer, CHILD_ENV } from '../src/measure/child';
import { slottedRatioCI } from '../src/measure/stats';
import type { ModelInput } from '../src/measure/types';
import { seeded } from '../src/util/random';
import { FakeClock, syntheticDevice, syntheticHost } from './measure.synthetic';

const host = syntheticHost(2);
const bytesModel = (name: string): ModelInput => ({ kind: 'bytes', name, bytes: new Uint8Array() });

describe('slottedRatioCI', () => {
  it('alike slots give the pooled rounds\' interval; slots that disagree widen it by their spread', () => {
    const rng = seeded(1);
    const noisy = (level: number, n: number) => Array.from({ length: n }, () => level * (1 + 0.01 * (rng() - 0.5)));
    const base = [noisy(10, 40), noisy(10, 40), noisy(10, 40)];
    const alike = slottedRatioCI([noisy(11, 40), noisy(11, 40), noisy(11, 40)], base, seeded(2), 500);
    expect(alike.ratio).toBeCloseTo(1.1, 2);
    expect(alike.ci95[1] - alike.ci95[0]).toBeLessThan(0.01);
    const apart = slottedRatioCI([noisy(10.6, 40), noisy(11, 40), noisy(11.4, 40)], base, seeded(2), 500);
    expect(apart.slots.map((r) => +r.toFixed(2))).toEqual([1.06, 1.1, 1.14]);
    // t(2) x sd / sqrt(3) of the log ratios: about +-10%.
    expect(apart.ci95[0]).toBeLessThan(1.02);
    expect(apart.ci95[1]).toBeGreaterThan(1.18);
  });
});

describe('slots on a device whose sessions differ', () => {
  /** A/A runs with 2% session-to-session spread: how often does one run's interval cover the true ratio 1? */
  async function coverage(slots: number, runs: number): Promise<number> {
    let covered = 0;
    for (let seed = 0; seed < runs; seed++) {
      const clock = new FakeClock();
      const device = syntheticDevice(clock, { a: { latency: 10, noise: 0.02, sessionSpread: 0.02 }, b: { latency: 10, noise: 0.02, sessionSpread: 0.02 } }, { seed: 100 + seed });
      const r = await createMeasurer({ sessions: device.factory, clock, host }).measure([bytesModel('a'), bytesModel('b')], { budgetSeconds: 2, seed, slots });
      const [lo, hi] = r.ratios[0].ci95;
      if (lo <= 1 && 1 <= hi) covered++;
    }
    return covered / runs;
  }

  it('one session per model: the interval ignores the session and misses often; three slots cover the truth', async () => {
    const one = await coverage(1, 30);
    const three = await coverage(3, 30);
    expect(one).toBeLessThan(0.5); // 23% here
    expect(three).toBeGreaterThanOrEqual(0.9); // 97% here
  });

  it('every model is measured in every slot, interleaved; runs per model are counted over slots', async () => {
    const clock = new FakeClock();
    const device = syntheticDevice(clock, { a: { latency: 5, noise: 0.01 }, b: { latency: 7, noise: 0.01 } });
    const r = await createMeasurer({ sessions: device.factory, clock, host }).measure([bytesModel('a'), bytesModel('b')], { budgetSeconds: 5, seed: 3, slots: 4 });
    expect(r.slots).toBe(4);
    expect(r.models[0].samples).toBe(r.rounds);
    expect(r.rounds % 4).toBe(0);
    expect(r.ratios[0].verdict).toBe('slower');
    expect(device.disposed()).toBe(8);
  });

  it('slots must be 1 to 16', async () => {
    const clock = new FakeClock();
    const device = syntheticDevice(clock, { a: { latency: 5 } });
    await expect(createMeasurer({ sessions: device.factory, clock, host }).measure([bytesModel('a')], { slots: 0 })).rejects.toThrow(/slots: expected an integer from 1 to 16, got 0/);
  });
});

describe('measuring in a child process', () => {
  it('the child never sees credentials, and knows it is the child', () => {
    const env = childEnv({ PATH: '/bin', HOME: '/h', GITHUB_TOKEN: 'x', INPUT_GITHUB_TOKEN: 'x', ACTIONS_RUNTIME_TOKEN: 'x', ACTIONS_ID_TOKEN_REQUEST_URL: 'u', NPM_TOKEN: 'x', MY_SECRET: 'x', GH_TOKEN: 'x', RUNNER_TEMP: '/t' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', RUNNER_TEMP: '/t', [CHILD_ENV]: '1' });
  });

  it('a run that hangs past the per-run limit is killed, and the call fails with a clear message (never a verdict)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-child-'));
    const entry = path.join(dir, 'hang.js');
    // A child that starts timing, then never finishes its run.
    fs.writeFileSync(entry, "process.once('message', () => { process.send({ type: 'tick', phase: 'timed' }); setInterval(() => {}, 1000); });\n");
    const t0 = Date.now();
    const err = await childMeasurer({ entry, runTimeoutFloorS: 0.5 }).measure([bytesModel('a')], { budgetSeconds: 0.2 }).catch((e) => e);
    expect(err.message).toMatch(/one run took longer than 0\.5 s .*the measuring process was stopped\. A model this slow does not fit the budget/);
    expect(err.exitCode).toBe(2);
    expect(Date.now() - t0).toBeLessThan(5000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a child that dies is an environment error naming how it ended', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-child-'));
    const entry = path.join(dir, 'die.js');
    fs.writeFileSync(entry, "process.once('message', () => { console.error('out of luck'); process.exit(7); });\n");
    const err = await childMeasurer({ entry }).measure([bytesModel('a')], { budgetSeconds: 1 }).catch((e) => e);
    expect(err.message).toMatch(/the measuring process exited with code 7 before it reported: out of luck/);
    expect(err.exitCode).toBe(3);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const built = path.join(__dirname, '..', 'lib', 'measure', 'child-main.js');
  (fs.existsSync(built) ? it : it.skip)('the real engine measures in its child (lib/ built): three slots, the budget counted from the call', async () => {
    const { GraphBuilder } = await import('../src/onnx/graph');
    const tiny = (name: string, extra: boolean): ModelInput => {
      const g = new GraphBuilder('fp32');
      g.input('input', [1, 8, 16, 16]);
      const r = g.node('Relu', ['input']);
      g.node(extra ? 'Sigmoid' : 'Identity', [r], {}, 'output');
      g.output('output', [1, 8, 16, 16]);
      return { kind: 'bytes', name, bytes: g.toBytes('tiny') };
    };
    const t0 = Date.now();
    const r = await createMeasurer().measure([tiny('a', false), tiny('b', true)], { budgetSeconds: 3, threads: 1 });
    expect(r.slots).toBe(3);
    expect(r.models).toHaveLength(2);
    expect(r.ratios[0].ratio).toBeGreaterThan(0);
    expect((Date.now() - t0) / 1000).toBeLessThan(3 + 2);
  });
});
