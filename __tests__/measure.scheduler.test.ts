import { isSteady, roundOrder, runRounds, warmUp, DEFAULT_WARMUP } from '../src/measure/scheduler';
import { seeded as seededRng } from '../src/util/random';
import { hrClock } from '../src/measure/clock';
import { FakeClock, syntheticDevice } from './measure.synthetic';

describe('roundOrder', () => {
  it('is a permutation, reproducible for a seed, and balanced over positions', () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const firsts = [0, 0, 0];
    for (let r = 0; r < 3000; r++) {
      const order = roundOrder(3, a);
      expect([...order].sort()).toEqual([0, 1, 2]);
      expect(roundOrder(3, b)).toEqual(order);
      firsts[order[0]]++;
    }
    // Each model opens about a third of the rounds.
    for (const f of firsts) expect(Math.abs(f / 3000 - 1 / 3)).toBeLessThan(0.04);
  });

  it('differs between seeds', () => {
    const a = seededRng(1);
    const b = seededRng(2);
    const orders = (rng: () => number) => Array.from({ length: 20 }, () => roundOrder(4, rng).join('')).join(',');
    expect(orders(a)).not.toEqual(orders(b));
  });
});

describe('runRounds', () => {
  it('runs every model exactly once per round, in the shuffled order', async () => {
    const clock = new FakeClock();
    const device = syntheticDevice(clock, { a: { latency: 1 }, b: { latency: 2 }, c: { latency: 3 } });
    const runners = await Promise.all(['a', 'b', 'c'].map((name) => device.factory.create({ name }, { ep: 'cpu', threads: 1, batch: 1 })));
    const orders: number[][] = [];
    const res = await runRounds(runners, clock, seededRng(3), { budgetMs: 1e9, minRounds: 10, maxRounds: 50, done: () => false, onRound: (o) => orders.push([...o]) });
    expect(res.rounds).toBe(50);
    expect(res.samples.map((s) => s.length)).toEqual([50, 50, 50]);
    const names = ['a', 'b', 'c'];
    for (let r = 0; r < 50; r++) {
      const ran = device.calls.slice(3 * r, 3 * r + 3);
      expect(ran).toEqual(orders[r].map((i) => names[i]));
    }
    // Not always the same order: the point of shuffling.
    expect(new Set(orders.map((o) => o.join(''))).size).toBeGreaterThan(3);
    // Samples land with their model whatever the order.
    expect(res.samples[0].every((x) => x === 1)).toBe(true);
    expect(res.samples[2].every((x) => x === 3)).toBe(true);
  });

  it('stops at the time budget and says so', async () => {
    const clock = new FakeClock();
    const device = syntheticDevice(clock, { a: { latency: 10 }, b: { latency: 10 } });
    const runners = await Promise.all(['a', 'b'].map((name) => device.factory.create({ name }, { ep: 'cpu', threads: 1, batch: 1 })));
    const res = await runRounds(runners, clock, seededRng(1), { budgetMs: 1000, minRounds: 5, maxRounds: 1e6, done: () => false });
    expect(res.budgetExhausted).toBe(true);
    expect(res.converged).toBe(false);
    expect(res.rounds).toBe(50);
  });

  it('checks convergence at growing intervals and stops when done', async () => {
    const clock = new FakeClock();
    const device = syntheticDevice(clock, { a: { latency: 1 } });
    const runner = await device.factory.create({ name: 'a' }, { ep: 'cpu', threads: 1, batch: 1 });
    const checkedAt: number[] = [];
    const res = await runRounds([runner], clock, seededRng(1), {
      budgetMs: 1e9, minRounds: 20, maxRounds: 1e6, checkGrowth: 1.5,
      done: (_s, rounds) => {
        checkedAt.push(rounds);
        return rounds >= 100;
      },
    });
    expect(res.converged).toBe(true);
    expect(res.budgetExhausted).toBe(false);
    expect(checkedAt).toEqual([20, 30, 45, 68, 102]);
    expect(res.rounds).toBe(102);
  });
});

describe('runRounds with synchronous runners', () => {
  it('lets timers of the host process run between rounds', async () => {
    const busy = { run: () => { const end = hrClock.now() + 1; while (hrClock.now() < end); } };
    let firedAtRound = -1;
    let rounds = 0;
    setTimeout(() => (firedAtRound = rounds), 5);
    const res = await runRounds([busy], hrClock, seededRng(1), { budgetMs: 300, minRounds: 1e9, maxRounds: 1e9, done: () => false, onRound: () => rounds++ });
    expect(res.budgetExhausted).toBe(true);
    expect(firedAtRound).toBeGreaterThan(0);
    expect(firedAtRound).toBeLessThan(res.rounds);
  });
});

describe('warm-up', () => {
  it('isSteady compares the medians of the last two windows', () => {
    expect(isSteady([10, 10, 10, 10], 2, 0.02)).toBe(true);
    expect(isSteady([20, 20, 10, 10], 2, 0.02)).toBe(false);
    expect(isSteady([10, 10, 10], 2, 0.02)).toBe(false);
  });

  it('runs until a cold model settles, not a fixed count', async () => {
    const clock = new FakeClock();
    // 40 ms extra on the first run, fading to 0 over 30 runs.
    const device = syntheticDevice(clock, { m: { latency: 10, coldExtra: 40, slowRuns: 30, noise: 0.002 } });
    const runner = await device.factory.create({ name: 'm' }, { ep: 'cpu', threads: 1, batch: 1 });
    const w = await warmUp(runner, clock, DEFAULT_WARMUP);
    expect(w.steady).toBe(true);
    expect(w.runs).toBeGreaterThanOrEqual(25);
    expect(w.runs).toBeLessThan(60);
    const warmDevice = syntheticDevice(new FakeClock(), { m: { latency: 10, noise: 0.002 } });
    const warmRunner = await warmDevice.factory.create({ name: 'm' }, { ep: 'cpu', threads: 1, batch: 1 });
    const quick = await warmUp(warmRunner, new FakeClock(), DEFAULT_WARMUP);
    expect(quick.runs).toBe(DEFAULT_WARMUP.minRuns);
  });

  it('gives up at its time cap on a device that never settles', async () => {
    const clock = new FakeClock();
    const device = syntheticDevice(clock, { m: { latency: 10, noise: 0.5 } }, { seed: 3 });
    const runner = await device.factory.create({ name: 'm' }, { ep: 'cpu', threads: 1, batch: 1 });
    const w = await warmUp(runner, clock, { window: 5, tolerance: 0.001, minRuns: 10, maxRuns: 1000, maxMs: 500 });
    expect(w.steady).toBe(false);
    expect(w.runs).toBeGreaterThanOrEqual(10);
    expect(w.runs).toBeLessThan(80);
  });
});
