/**
 * The measurement engine: sessions, warm-up, interleaved timed rounds with adaptive stopping, statistics,
 * ratio verdicts, the target fingerprint and (optionally) the roofline. Every dependency on the outside
 * world (onnxruntime, the clock, the host) is injected, so the engine runs on a synthetic device in tests.
 */
import { UserError } from '../errors';
import { PRECISIONS } from '../arch/types';
import { isExecutionProvider, PROVIDER_NAMES, runsOnGpu } from './providers';
import { hrClock, type Clock } from './clock';
import { decided, invert } from './band';
import { decide } from './decision';
import { fingerprint, makeTarget, realHost, type HostProbe } from './fingerprint';
import { defaultConfigBuilder, prepareModel, type ConfigBuilder, type PreparedModel } from './inputs';
import { classify, probeRoofline, type RooflineResult } from './roofline';
import { derive, seeded } from '../util/random';
import { DEFAULT_WARMUP, runRounds, timeOnce, warmUp, type WarmupOptions, type WarmupResult } from './scheduler';
import { ortSessionFactory, type Runner, type SessionFactory, type SessionOptions } from './session';
import { CHILD_ENV, childEntry, childMeasurer } from './child';
import { bootstrapMedianCI, bootstrapRatioCI, relativeHalfWidth, slottedRatioCI, summarize } from './stats';
import {
  DEFAULT_MEASURE_OPTIONS,
  DEFAULT_SLOTS,
  type MeasureOptions,
  type MeasureResult,
  type Measurer,
  type ModelInput,
  type ModelMeasurement,
  type RatioResult,
} from './types';

export * from './types';
export { decide } from './decision';
export { band, bandEdges, change, decided, fasterSide, invert, slowerSide, type Band, type Side } from './band';
export { summarize, bootstrapMedianCI, bootstrapRatioCI, relativeHalfWidth, OUTLIER_MADS } from './stats';
export { seeded, derive } from '../util/random';
export { hrClock, type Clock } from './clock';
export { warmUp, isSteady, runRounds, roundOrder, timeOnce, DEFAULT_WARMUP } from './scheduler';
export { ortSessionFactory, ortFactory, checkProviderAvailable, type SessionFactory, type Runner, type SessionOptions, type ModelSource } from './session';
export { PROVIDERS, PROVIDER_NAMES, GPU_PROVIDER_NAMES, getProvider, requireProvider, isExecutionProvider, providerOptions } from './providers';
export { fingerprint, makeTarget, targetKey, targetLabel, realHost, type HostProbe } from './fingerprint';
export { probeRoofline, classify, matmulModel, elementwiseModel, type RooflineResult } from './roofline';
export { prepareModel, readOnnxFile } from './inputs';

export const DEFAULT_SEED = 20251121;
/** Rounds before the first convergence check: fewer make a bootstrap interval too optimistic. */
export const MIN_ROUNDS = 20;
/**
 * Rounds below which a ratio never decides: a bootstrap over one to four rounds gives a (near) degenerate
 * interval that would call noise a difference (seen on GPUs whose first runs eat a short budget).
 */
export const MIN_VERDICT_ROUNDS = 5;
/** Keeps memory and bootstrap time bounded for sub-millisecond models. */
export const MAX_ROUNDS = 20000;
/** Bootstrap resamples: fewer while deciding whether to stop, more for the reported intervals. */
export const CHECK_RESAMPLES = 500;
export const FINAL_RESAMPLES = 2000;

export interface MeasureDeps {
  sessions: SessionFactory;
  clock: Clock;
  host: HostProbe;
  buildConfig: ConfigBuilder;
  warmup: WarmupOptions;
  /** Progress lines (stderr in the CLI); silent by default. */
  log: (line: string) => void;
  /** Called after each session (setup) and each timed run (timed): a measuring child's heartbeat (./child.ts). */
  tick?: (phase: 'setup' | 'timed') => void;
  /**
   * Measure in this process even with the real onnxruntime factory (the measuring child itself, and the
   * in-process tests of the engine). Injected session factories always measure in-process.
   */
  inProcess?: boolean;
}

function invalid(flag: string, expected: string, got: unknown): UserError {
  return new UserError(`${flag}: expected ${expected}, got ${JSON.stringify(got)}`);
}

/**
 * Intra-op threads by default: the cores available, less one for the harness and the OS. Measured on the
 * 2-core runner (EfficientNet-B0, two interleaved sessions): 2 threads gave a 19 ms median with a 30%
 * coefficient of variation, 1 thread 11.9 ms with 2%; a ratio then needs seconds instead of never settling.
 */
export function defaultThreads(cores: number): number {
  return Math.max(1, cores - 1);
}

/** Fills defaults and checks ranges, naming the option and quoting the bad value. */
export function resolveOptions(options: Partial<MeasureOptions> = {}, cores = realHost.cores()): MeasureOptions & { threads: number; seed: number; slots: number } {
  const o = { ...DEFAULT_MEASURE_OPTIONS, ...stripUndefined(options) };
  if (!isExecutionProvider(o.ep)) throw invalid('ep', PROVIDER_NAMES.join(' | '), o.ep);
  if (!(PRECISIONS as readonly string[]).includes(o.precision)) throw invalid('precision', PRECISIONS.join(' | '), o.precision);
  if (!Number.isInteger(o.batch) || o.batch < 1) throw invalid('batch', 'an integer >= 1', o.batch);
  if (!(o.budgetSeconds > 0)) throw invalid('budget', 'seconds > 0', o.budgetSeconds);
  if (!(o.precisionTarget > 0 && o.precisionTarget < 1)) throw invalid('precision-target', 'a fraction in (0, 1), e.g. 0.01', o.precisionTarget);
  if (!(o.band >= 0 && o.band < 1)) throw invalid('band', 'a fraction in [0, 1), e.g. 0.02', o.band);
  const threads = o.threads ?? defaultThreads(cores);
  if (!Number.isInteger(threads) || threads < 1) throw invalid('threads', 'an integer >= 1', o.threads);
  if (o.resolution !== undefined && (!Number.isInteger(o.resolution) || o.resolution < 1)) throw invalid('resolution', 'an integer >= 1', o.resolution);
  const slots = o.slots ?? DEFAULT_SLOTS;
  if (!Number.isInteger(slots) || slots < 1 || slots > 16) throw invalid('slots', 'an integer from 1 to 16', o.slots);
  return { ...o, threads, slots, seed: o.seed ?? DEFAULT_SEED };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Half-widths at which an interval that still straddles an edge of the band stops anyway: a true change
 * right at the edge never settles, and sampling on costs budget for nothing.
 */
export const EDGE_PRECISION_FACTOR = 0.25;

/**
 * The stopping rule: with one model, the median's 95% CI is within +/- target of the median; with several,
 * every ratio's 95% CI is within +/- target of its ratio and decides under the band rule (./band.ts: slower,
 * faster or within). A ratio whose interval straddles an edge of the band (e.g. a true +3% against a 2%
 * band, interval [1.019, 1.041]) keeps sampling until it decides or its half-width is a quarter of the
 * target: the budget, not the precision target, then says when to give up. `subject` is the side the band
 * judges, as MeasureOptions.bandSubject: each model against the first, or the first against each model.
 */
export function hasConverged(
  samples: number[][],
  target: number,
  seed: number,
  resamples = CHECK_RESAMPLES,
  band?: number,
  subject: 'model' | 'first' = 'model',
  slots = 1,
): boolean {
  if (slots > 1) return slottedConverged(samples, slots, target, seed, resamples, band, subject);
  if (samples.length === 1) {
    const s = samples[0];
    const ci = bootstrapMedianCI(s, seeded(derive(seed, `check-${s.length}`)), resamples);
    // Written as "within" so a degenerate interval (NaN from a zero median) never counts as converged.
    return relativeHalfWidth(ci, summarize(s).median) <= target;
  }
  for (let i = 1; i < samples.length; i++) {
    const { ratio, ci95 } = bootstrapRatioCI(samples[i], samples[0], seeded(derive(seed, `check-${i}-${samples[0].length}`)), resamples);
    const halfWidth = relativeHalfWidth(ci95, ratio);
    if (!(halfWidth <= target)) return false;
    const judged = subject === 'first' ? invert(ci95) : ci95;
    if (band !== undefined && !decided(judged, band) && !(halfWidth <= target * EDGE_PRECISION_FACTOR)) return false;
  }
  return true;
}

/** Samples of unit u = slot * models + model, regrouped: perSlot[model][slot] = that unit's rounds. */
export function bySlot(samples: readonly number[][], slots: number): number[][][] {
  const models = samples.length / slots;
  return Array.from({ length: models }, (_, m) => Array.from({ length: slots }, (_, s) => samples[s * models + m]));
}

/**
 * The stopping rule over slots. Rounds narrow the round-to-round part of an interval but not the
 * session-to-session part: a ratio samples on until its pooled rounds meet the precision target (what
 * rounds can narrow, so stored latencies stay as precise as with one session), then stops once the band
 * decides it, or once its whole interval is within the precision target (a quarter of it at an edge).
 */
function slottedConverged(samples: number[][], slots: number, target: number, seed: number, resamples: number, band: number | undefined, subject: 'model' | 'first'): boolean {
  const grouped = bySlot(samples, slots);
  if (grouped.length === 1) {
    const all = grouped[0].flat();
    const ci = bootstrapMedianCI(all, seeded(derive(seed, `check-${all.length}`)), resamples);
    return relativeHalfWidth(ci, summarize(all).median) <= target;
  }
  for (let i = 1; i < grouped.length; i++) {
    const { ratio, ci95, pooled } = slottedRatioCI(grouped[i], grouped[0], seeded(derive(seed, `check-${i}-${samples[0].length}`)), resamples);
    if (!(relativeHalfWidth(pooled, ratio) <= target)) return false;
    const halfWidth = relativeHalfWidth(ci95, ratio);
    const judged = subject === 'first' ? invert(ci95) : ci95;
    if (band !== undefined && decided(judged, band)) continue;
    if (!(halfWidth <= target * (band !== undefined ? EDGE_PRECISION_FACTOR : 1))) return false;
  }
  return true;
}

/** Runs of each device-resident model with host copies: at least this many, more while time allows. */
export const COPIES_MIN_RUNS = 3;
export const COPIES_MAX_RUNS = 15;

/**
 * The with-copies time of device-resident runners (median of runs that copy the inputs in and read every
 * output back), interleaved across models, after the timed phase; up to a tenth of the budget on top.
 */
export async function measureWithCopies(runners: Runner[], clock: Clock, budgetMs: number): Promise<(number | undefined)[]> {
  const times: number[][] = runners.map(() => []);
  const active = runners.map((r, i) => (r.io === 'device' && r.runWithCopies ? i : -1)).filter((i) => i >= 0);
  if (!active.length) return runners.map(() => undefined);
  const start = clock.now();
  for (let round = 0; round < COPIES_MAX_RUNS; round++) {
    if (round >= COPIES_MIN_RUNS && clock.now() - start > 0.1 * budgetMs) break;
    for (const i of active) {
      const t0 = clock.now();
      await runners[i].runWithCopies!();
      times[i].push(clock.now() - t0);
    }
  }
  return times.map((t) => (t.length ? summarize(t).median : undefined));
}

/**
 * The measurement engine. With the real onnxruntime sessions (no injected factory) every call runs in a
 * child process that can be killed when a run overstays the per-run limit (./child.ts); the child itself,
 * and callers with an injected factory, measure in this process.
 */
export function createMeasurer(overrides: Partial<MeasureDeps> = {}): Measurer {
  const deps: MeasureDeps = {
    sessions: ortSessionFactory,
    clock: hrClock,
    host: realHost,
    buildConfig: defaultConfigBuilder,
    warmup: DEFAULT_WARMUP,
    log: () => undefined,
    ...overrides,
  };
  const ready = (options?: Partial<MeasureOptions>) => deps.sessions.check?.(resolveOptions(options, deps.host.cores()).ep);
  const entry = deps.sessions === ortSessionFactory && !deps.inProcess && process.env[CHILD_ENV] !== '1' ? childEntry() : undefined;
  if (entry) {
    const child = childMeasurer({ entry, log: deps.log });
    return {
      measure: async (models, options) => {
        // Bad options and names are refused here, at once, as in-process.
        resolveOptions(options, deps.host.cores());
        checkNames(models);
        return child.measure(models, options);
      },
      ready,
    };
  }
  return { measure: (models, options) => measureWith(deps, models, options), ready };
}

function checkNames(models: readonly ModelInput[]): void {
  if (models.length === 0) throw new UserError('measure: no models given');
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.name)) throw new UserError(`measure: two models are named ${JSON.stringify(m.name)}; names must be unique to pair ratios`);
    seen.add(m.name);
  }
}

async function measureWith(deps: MeasureDeps, models: ModelInput[], options?: Partial<MeasureOptions>): Promise<MeasureResult> {
  const opts = resolveOptions(options, deps.host.cores());
  checkNames(models);
  const { clock } = deps;
  const wallStart = clock.now();
  const target = makeTarget(fingerprint({ provider: opts.ep, threads: opts.threads, batch: opts.batch, precision: opts.precision }, deps.host));
  const sessionOptions: SessionOptions = {
    ep: opts.ep,
    threads: opts.threads,
    batch: opts.batch,
    resolution: opts.resolution,
    deviceId: opts.deviceId,
    trtFp16: opts.trtFp16,
    trtCachePath: opts.trtCachePath,
    seed: opts.seed,
  };

  const prepared: PreparedModel[] = models.map((m) => prepareModel(m, { batch: opts.batch, precision: opts.precision, seed: opts.seed, resolution: opts.resolution }, deps.buildConfig));
  const slots = opts.slots;
  // One budget covers session creation, warm-up and sampling, so --budget bounds the time to a verdict.
  const budgetMs = opts.budgetSeconds * 1000;
  const budgetStart = clock.now();
  // runners[slot * models + model]: every model in every slot, each its own session.
  const runners: Runner[] = [];
  try {
    const setup: { session_ms: number; first_run_ms: number }[] = [];
    for (let s = 0; s < slots; s++) {
      for (const p of prepared) {
        const t0 = clock.now();
        const runner = await deps.sessions.create(p.source, sessionOptions);
        runners.push(runner);
        const session_ms = clock.now() - t0;
        const first_run_ms = await timeOnce(runner, clock);
        setup.push({ session_ms, first_run_ms });
        deps.tick?.('setup');
        deps.log(`${p.source.name}${slots > 1 ? ` (slot ${s + 1})` : ''}: session ${session_ms.toFixed(1)} ms, first run ${first_run_ms.toFixed(2)} ms`);
      }
    }

    // Warm-up gets at most a share of the budget, split between the runners, so a slow-to-settle model
    // cannot eat the timed phase.
    const warmupCap = { ...deps.warmup, maxMs: Math.min(deps.warmup.maxMs, (0.15 * budgetMs) / runners.length) };
    const warm: WarmupResult[] = [];
    for (const r of runners) {
      warm.push(await warmUp(r, clock, warmupCap));
      deps.tick?.('timed');
    }

    const rounds = await runRounds(runners, clock, seeded(derive(opts.seed, 'order')), {
      budgetMs: Math.max(0, budgetMs - (clock.now() - budgetStart)),
      minRounds: Math.max(MIN_VERDICT_ROUNDS, Math.ceil(MIN_ROUNDS / slots)),
      maxRounds: Math.ceil(MAX_ROUNDS / slots),
      done: (samples) => hasConverged(samples, opts.precisionTarget, opts.seed, CHECK_RESAMPLES, opts.band, opts.bandSubject, slots),
      onRun: deps.tick ? () => deps.tick!('timed') : undefined,
    });
    deps.log(`${rounds.rounds} rounds${slots > 1 ? ` in each of ${slots} slots` : ''} in ${(rounds.wallMs / 1000).toFixed(1)} s${rounds.budgetExhausted ? ' (budget exhausted)' : ''}`);
    const withCopies = await measureWithCopies(runners.slice(0, prepared.length), clock, budgetMs);
    const grouped = bySlot(rounds.samples, slots);

    const measurements: ModelMeasurement[] = prepared.map((p, i) => {
      const raw = grouped[i].flat();
      const s = summarize(raw);
      const units = grouped[i].map((_, slot) => slot * prepared.length + i);
      return {
        name: p.source.name,
        median_ms: s.median,
        mean_ms: s.mean,
        p90_ms: s.p90,
        p99_ms: s.p99,
        mad_ms: s.mad,
        cv: s.cv,
        ci95_ms: bootstrapMedianCI(raw, seeded(derive(opts.seed, `median-${i}`)), FINAL_RESAMPLES),
        samples: s.n,
        outliers: s.outliers,
        session_ms: Math.max(...units.map((u) => setup[u].session_ms)),
        first_run_ms: Math.max(...units.map((u) => setup[u].first_run_ms)),
        warmup_runs: units.reduce((a, u) => a + warm[u].runs, 0),
        warmup_steady: units.every((u) => warm[u].steady),
        io: runners[i].io ?? 'host',
        ...(withCopies[i] !== undefined ? { with_copies_ms: withCopies[i] } : {}),
        inputs: runners[i].inputs,
        raw_ms: raw,
      };
    });

    const ratios: RatioResult[] = [];
    for (let i = 1; i < measurements.length; i++) {
      const rng = seeded(derive(opts.seed, `ratio-${i}`));
      const { ratio, ci95 } = slots > 1 ? slottedRatioCI(grouped[i], grouped[0], rng, FINAL_RESAMPLES) : bootstrapRatioCI(rounds.samples[i], rounds.samples[0], rng, FINAL_RESAMPLES);
      const verdict = rounds.rounds < MIN_VERDICT_ROUNDS ? 'inconclusive' : decide(ci95, opts.band);
      ratios.push({ model: measurements[i].name, vs: measurements[0].name, ratio, ci95, verdict });
    }

    let roofline: RooflineResult | undefined;
    if (opts.roofline) {
      roofline = await probeRoofline(deps.sessions, clock, { session: sessionOptions, precision: runsOnGpu(opts.ep) ? opts.precision : 'fp32' });
      prepared.forEach((p, i) => {
        if (p.stats) measurements[i].roofline = classify(p.stats, opts.batch, measurements[i].median_ms, roofline!);
      });
    }

    return {
      target,
      models: measurements,
      ratios,
      budget_exhausted: rounds.budgetExhausted,
      rounds: rounds.rounds * slots,
      slots,
      wall_s: (clock.now() - wallStart) / 1000,
      seed: opts.seed,
      precision_target: opts.precisionTarget,
      band: opts.band,
      ...(roofline ? { roofline } : {}),
    };
  } finally {
    for (const r of runners) await r.dispose().catch(() => undefined);
  }
}
