/**
 * Warm-up and the timed phase.
 *
 * Warm-up runs a model until it is steady: the median of the last `window` runs differs from the median of
 * the `window` runs before by at most `tolerance`, with a floor and a cap (runs and milliseconds) so a noisy
 * machine cannot stall it. First runs allocate arenas, pack weights, JIT kernels (GPU); they are not
 * steady-state latency.
 *
 * The timed phase runs rounds: every model once per round, in an order shuffled per round with a seeded
 * generator. Drift of the machine (thermal, a neighbour's job) then hits every model alike and position
 * effects (the model that runs right after another inherits its cache state) average out.
 */
import type { Clock } from './clock';
import type { Random as Rng } from '../util/random';
import { shuffleInPlace } from 'simple-statistics';

export interface Timed {
  run(): void | Promise<void>;
}

export async function timeOnce(runner: Timed, clock: Clock): Promise<number> {
  const start = clock.now();
  const pending = runner.run();
  // A synchronous runner is timed without a microtask in between.
  if (pending) await pending;
  return clock.now() - start;
}

export interface WarmupOptions {
  window: number;
  tolerance: number;
  minRuns: number;
  maxRuns: number;
  maxMs: number;
}

export const DEFAULT_WARMUP: WarmupOptions = { window: 5, tolerance: 0.02, minRuns: 10, maxRuns: 200, maxMs: 3000 };

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface WarmupResult {
  runs: number;
  steady: boolean;
  times: number[];
}

/** True when the last window's median is within tolerance of the window before it. */
export function isSteady(times: readonly number[], window: number, tolerance: number): boolean {
  if (times.length < 2 * window) return false;
  const last = medianOf(times.slice(-window));
  const before = medianOf(times.slice(-2 * window, -window));
  return Math.abs(last - before) <= tolerance * before;
}

export async function warmUp(runner: Timed, clock: Clock, opts: WarmupOptions = DEFAULT_WARMUP): Promise<WarmupResult> {
  const times: number[] = [];
  const start = clock.now();
  while (times.length < opts.maxRuns) {
    times.push(await timeOnce(runner, clock));
    if (times.length >= opts.minRuns && isSteady(times, opts.window, opts.tolerance)) return { runs: times.length, steady: true, times };
    if (clock.now() - start >= opts.maxMs && times.length >= Math.min(opts.minRuns, opts.maxRuns)) break;
  }
  return { runs: times.length, steady: false, times };
}

/** The order of one round: a seeded permutation of the model indices. */
export function roundOrder(models: number, rng: Rng): number[] {
  return shuffleInPlace(Array.from({ length: models }, (_, i) => i), rng);
}

export interface RoundsOptions {
  budgetMs: number;
  minRounds: number;
  maxRounds: number;
  /** Called at growing intervals once minRounds are in; returning true ends the timed phase. */
  done(samples: number[][], rounds: number): boolean;
  /** Rounds between checks grow by this factor, so checking (a bootstrap) stays a small share of the time. */
  checkGrowth?: number;
  /** Receives each round's order (tests check the interleaving). */
  onRound?(order: number[]): void;
  /** Called after each timed run, outside the timed region (a measuring child's heartbeat). */
  onRun?(): void;
}

export interface RoundsResult {
  /** samples[model][round], milliseconds. */
  samples: number[][];
  rounds: number;
  /** True when the time budget ended the phase before `done` said so. */
  budgetExhausted: boolean;
  converged: boolean;
  wallMs: number;
}

const YIELD_EVERY_MS = 50;

export async function runRounds(runners: Timed[], clock: Clock, rng: Rng, opts: RoundsOptions): Promise<RoundsResult> {
  const samples: number[][] = runners.map(() => []);
  const growth = opts.checkGrowth ?? 1.15;
  const start = clock.now();
  let rounds = 0;
  let nextCheck = opts.minRounds;
  let converged = false;
  let budgetExhausted = false;
  let lastYield = start;
  while (rounds < opts.maxRounds) {
    const order = roundOrder(runners.length, rng);
    opts.onRound?.(order);
    for (const i of order) {
      samples[i].push(await timeOnce(runners[i], clock));
      opts.onRun?.();
    }
    rounds++;
    // Synchronous runs never give the event loop a turn; between rounds (never inside a timed run) let
    // pending I/O and timers of the host process through now and then.
    if (clock.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = clock.now();
    }
    if (rounds >= nextCheck) {
      if (opts.done(samples, rounds)) {
        converged = true;
        break;
      }
      nextCheck = Math.max(rounds + 1, Math.ceil(rounds * growth));
    }
    if (clock.now() - start >= opts.budgetMs) {
      // The last rounds may not have been checked yet; give them their chance.
      if (rounds >= opts.minRounds && opts.done(samples, rounds)) converged = true;
      else budgetExhausted = true;
      break;
    }
  }
  return { samples, rounds, budgetExhausted, converged, wallMs: clock.now() - start };
}
