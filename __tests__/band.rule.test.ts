/**
 * One band rule (src/measure/band.ts) behind every verdict: the check's verdict, its row texts and table,
 * the pairwise frontier status (the chart's markers, the dashboard's stars), drift (sweep, the dashboard's
 * drift column, the drift issue) and the measurement's stopping rule. The examples of issue #20 are
 * regression tests; a property test over random intervals and tolerances shows that none of them disagree.
 */
import * as path from 'node:path';
import fc from 'fast-check';
import { loadArchConfig } from '../src/arch/parse';
import { runCheck, type CheckReport, type ModelRow } from '../src/frontier/check';
import { driftOf } from '../src/frontier/sweep';
import { applyRecordUpdates, type RecordUpdate } from '../src/frontier/updates';
import { emptyStore, storedConfig, configHash, type FrontierStore, type StoredMeasurement } from '../src/frontier/store';
import { movedModels } from '../src/github/drift';
import { band, bandEdges, decided, fasterSide, invert, slowerSide, type Band } from '../src/measure/band';
import { decide } from '../src/measure/decision';
import { hasConverged } from '../src/measure';
import type { MeasureOptions, MeasureResult, Measurer, ModelInput } from '../src/measure/types';
import { renderMarkdown } from '../src/report';
import { candidateChartInput } from '../src/report/chart';
import { dashboardTargets } from '../src/report/dashboard';
import { candidateSentence, renderSweepMarkdown, separationText } from '../src/report/frontier';
import { markerFill } from '../src/report/svg-chart';
import { FAKE_TARGET } from './frontier.support/fake-measurer';
import { configModel } from '../src/frontier/models';

const CONFIG = storedConfig(loadArchConfig(path.join(__dirname, '../fixtures/archs/mobilenet-v2.yaml')));
const SEED = 20260120;

describe('the band', () => {
  it.each([
    [[1.04, 1.1], 'slower'],
    [[0.9, 0.96], 'faster'],
    [[0.98, 1.02], 'within'],
    // The edges belong to the band: exactly 1 + t or 1 - t is within, never a direction.
    [[0.97, 1.03], 'within'],
    [[1.03, 1.05], 'straddles'],
    [[0.95, 0.97], 'straddles'],
    [[1.02, 1.04], 'straddles'],
    [[0.9, 1.1], 'straddles'],
  ] as [[number, number], Band][])('%j at 3%% -> %s', (ci, expected) => {
    expect(band(ci, 0.03)).toBe(expected);
  });

  it('edges are 1 - t and 1 + t in the ratio subject / reference; invert turns a ratio around first', () => {
    expect(bandEdges(0.03)).toEqual({ faster: 0.97, slower: 1.03 });
    // 1 / 1.0305 = 0.97040: the other way round this interval is not "faster" but straddles 0.97.
    expect(band([1.0305, 1.05], 0.03)).toBe('slower');
    expect(band(invert([1.0305, 1.05]), 0.03)).toBe('straddles');
  });

  it('a malformed interval proves nothing', () => {
    for (const ci of [[NaN, 1], [1.1, 1.05], [1, Infinity]] as [number, number][]) {
      expect(band(ci, 0.03)).toBe('straddles');
      expect(slowerSide(ci, 0.03)).toBe('possible');
      expect(decided(ci, 0.03)).toBe(false);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// A check on exact intervals

/** Returns, for each stored model, the given interval of model / candidate (the candidate's median is 1 ms). */
class IntervalMeasurer implements Measurer {
  readonly options: (Partial<MeasureOptions> | undefined)[] = [];
  constructor(private readonly intervals: Record<string, [number, number]>) {}
  async measure(models: ModelInput[], options?: Partial<MeasureOptions>): Promise<MeasureResult> {
    this.options.push(options);
    const ci = (name: string) => this.intervals[name] ?? ([1, 1] as [number, number]);
    const median = (name: string, i: number) => (i === 0 ? 1 : Math.sqrt(ci(name)[0] * ci(name)[1]));
    return {
      target: FAKE_TARGET,
      models: models.map((m, i) => ({
        name: m.name, median_ms: median(m.name, i), mean_ms: median(m.name, i), p90_ms: 1, p99_ms: 1, mad_ms: 0, cv: 0,
        ci95_ms: i === 0 ? [1, 1] : ci(m.name), samples: 40, outliers: 0, session_ms: 1, first_run_ms: 1, warmup_runs: 1, raw_ms: [],
      })),
      ratios: models.slice(1).map((m, i) => ({ model: m.name, vs: models[0].name, ratio: median(m.name, i + 1), ci95: ci(m.name), verdict: 'inconclusive' })),
      budget_exhausted: false, rounds: 40, wall_s: 0.1,
    };
  }
}

interface Stored {
  name: string;
  accuracy: number;
  ci: [number, number];
}

const measurement = (median: number, ci: [number, number], date = '2026-01-01T00:00:00.000Z'): StoredMeasurement => ({
  date, commit: null, median_ms: median, ci95_ms: ci, samples: 40, batch: 1, precision: 'fp32', provider: 'cpu', fingerprint: FAKE_TARGET.fingerprint,
});

/** Stored models whose stored latency grows with accuracy: every one is on the stored frontier, so every one is measured. */
function storeOf(models: readonly Stored[]): FrontierStore {
  const ranked = [...models].sort((a, b) => a.accuracy - b.accuracy);
  const updates: RecordUpdate[] = ranked.map((m, i) => ({
    name: m.name, model: { provenance: 'config' as const, config: CONFIG, config_hash: configHash(CONFIG) }, accuracy: { top1: m.accuracy, dataset: null, source: null },
    target: FAKE_TARGET.key, label: FAKE_TARGET.label, measurement: measurement(10 + i, [9.9 + i, 10.1 + i]),
  }));
  return applyRecordUpdates(emptyStore(), updates);
}

async function checkOn(models: readonly Stored[], candidateAccuracy: number, tol: { latency: number; accuracy: number }): Promise<{ report: CheckReport; measurer: IntervalMeasurer }> {
  const measurer = new IntervalMeasurer(Object.fromEntries(models.map((m) => [m.name, m.ci])));
  const report = await runCheck(
    storeOf(models),
    [{ model: configModel({ ...CONFIG, name: 'cand', accuracy: { top1: candidateAccuracy } }) }],
    { latencyTolerance: tol.latency, accuracyTolerance: tol.accuracy, neighbors: Math.max(1, models.length) },
    { measurer },
  );
  return { report, measurer };
}

/** The stopping rule's verdict on one ratio, as the check asks it: the candidate (first) judged against the model. */
const stopRuleSays = (ratioCi: [number, number], t: number) => decide(invert(ratioCi), t);
const MEASURE_WORD: Record<Band, string> = { slower: 'slower', faster: 'faster', within: 'same', straddles: 'inconclusive' };

describe('issue #20: the examples, under the one rule', () => {
  const tol = { latency: 0.03, accuracy: 0.1 };

  it('[1.0305, 1.05]: the candidate is not proven faster beyond 3% (1 / 1.0305 = 0.9704 > 0.97): pass, straddles, and the stop rule samples on', async () => {
    const { report, measurer } = await checkOn([{ name: 'peer', accuracy: 77, ci: [1.0305, 1.05] }], 77, tol);
    const c = report.candidates[0];
    const row = c.models[1];
    expect(c.verdict).toBe('pass');
    expect(row.separation).toBe('straddles');
    expect(separationText(row, 0.03)).toBe('straddles ±3%: -4.8% .. -3.0%');
    expect(candidateSentence(c, report.settings)).toContain('not separated beyond the tolerance from **peer** (-4.8% .. -3.0%)');
    expect(renderMarkdown(report)).not.toMatch(/moves the frontier/);
    expect(stopRuleSays([1.0305, 1.05], 0.03)).toBe('inconclusive');
    expect(decided(invert([1.0305, 1.05]), 0.03)).toBe(false);
    // The check asks the engine to stop by the candidate's side of the band, with its tolerance.
    expect(measurer.options[0]).toMatchObject({ band: 0.03, bandSubject: 'first' });
  });

  it('[1.031, 1.05]: now the whole interval is beyond (1 / 1.031 = 0.96993): new frontier, faster, and the stop rule is satisfied', async () => {
    const { report } = await checkOn([{ name: 'peer', accuracy: 77, ci: [1.031, 1.05] }], 77, tol);
    const c = report.candidates[0];
    expect(c.verdict).toBe('new-frontier');
    expect(c.models[1].separation).toBe('faster');
    expect(candidateSentence(c, report.settings)).toMatch(/moves the frontier: it is faster than every measured model at least as accurate .*\*\*peer\*\* by 3\.0% \.\. 4\.8%\.$/);
    expect(stopRuleSays([1.031, 1.05], 0.03)).toBe('faster');
  });

  it('[0.9702, 0.9745]: the candidate may be more than 3% slower (1 / 0.9702 = 1.0307): inconclusive, straddles, and the stop rule samples on', async () => {
    const { report } = await checkOn([{ name: 'rival', accuracy: 77, ci: [0.9702, 0.9745] }], 77, tol);
    const c = report.candidates[0];
    expect(c.verdict).toBe('inconclusive');
    expect(c.undecided).toEqual(['rival']);
    expect(c.models[1].separation).toBe('straddles');
    expect(separationText(c.models[1], 0.03)).toBe('straddles ±3%: +2.6% .. +3.1%');
    expect(candidateSentence(c, report.settings)).toMatch(/straddles the \+3% tolerance line/);
    expect(c.frontier).toBe('undecided');
    // Before, the stop rule read this ratio as "same" (inside 0.97 .. 1.03) and stopped.
    expect(stopRuleSays([0.9702, 0.9745], 0.03)).toBe('inconclusive');
  });

  it('the stopping rule judges the side it is told: a ratio decided for the model can still straddle for the candidate', () => {
    // The model is 3.09% slower than the first with a tight interval: decided as "slower" read model / first,
    // but first / model = 0.96996 .. 0.97012 straddles 0.97, so a check keeps sampling.
    const first = Array.from({ length: 200 }, () => 10);
    const model = Array.from({ length: 200 }, (_, i) => 10 * (1.0304 + (0.001 * i) / 199));
    const target = 0.0002;
    expect(hasConverged([first, model], target, SEED, 500, 0.03, 'model')).toBe(true);
    expect(hasConverged([first, model], target, SEED, 500, 0.03, 'first')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The property: nothing disagrees

/** Interval ends near the band's edges (both readings of them) as well as anywhere. */
const end = (t: number) =>
  fc.oneof(
    fc.double({ min: 0.5, max: 2, noNaN: true }),
    fc.constantFrom(1 - t, 1 + t, 1 / (1 + t), 1 / (1 - t), 1).chain((x) => fc.constantFrom(x, x * (1 + 1e-12), x * (1 - 1e-12), x * 1.001, x * 0.999)),
  );
const interval = (t: number) => fc.tuple(end(t), end(t)).map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [number, number]).filter(([a]) => a > 0);

const scenario = fc
  .record({
    t: fc.oneof(fc.constantFrom(0, 0.01, 0.03, 0.05, 0.1), fc.double({ min: 0, max: 0.3, noNaN: true })),
    tolA: fc.constantFrom(0, 0.1, 0.5),
    cand: fc.constantFrom(70, 75),
  })
  .chain(({ t, tolA, cand }) =>
    fc.record({
      t: fc.constant(t),
      tolA: fc.constant(tolA),
      cand: fc.constant(cand),
      models: fc.uniqueArray(fc.oneof(fc.constantFrom(cand, cand - tolA, cand + tolA, cand - tolA - 0.01), fc.integer({ min: 600, max: 800 }).map((x) => x / 10)), { minLength: 0, maxLength: 5 })
        .chain((accs) => fc.tuple(...accs.map(() => interval(t))).map((cis) => accs.map((accuracy, i) => ({ name: `m${i}`, accuracy, ci: cis[i] })))),
    }),
  );

/** The first Markdown table of a candidate (model, provenance, top-1, latency, candidate vs this model, frontier): name -> cells. */
function tableOf(md: string): Map<string, string[]> {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| model | provenance | top-1 |')) + 2;
  const end = lines.findIndex((l, i) => i >= start && !l.startsWith('|'));
  const rows = lines.slice(start, end);
  return new Map(rows.map((l) => l.slice(2, -2).split(' | ')).map((cells) => [cells[0].replace(/\*\*/g, ''), cells]));
}

const STATUS_OF_VERDICT = { dominated: 'off', inconclusive: 'undecided', pass: 'on', 'new-frontier': 'on' } as const;
const STAR = { on: '★', off: '', undecided: '?', unrated: '–' } as const;

describe('property: the verdict, rows, table, pairwise status, chart, dashboard and stop rule agree', () => {
  it('over random intervals and tolerances (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ t, tolA, cand, models }) => {
        const tol = { latency: t, accuracy: tolA };
        const { report } = await checkOn(models, cand, tol);
        const c = report.candidates[0];
        const rows = c.models.slice(1);
        expect(rows.map((r) => r.name).sort()).toEqual(models.map((m) => m.name).sort());
        const asAccurate = (r: ModelRow) => r.accuracy! >= cand - tolA - 1e-9;
        for (const r of rows) {
          const judged = invert(r.ratio_ci95!);
          // Row words, the stopping rule and the engine's decision word: one band.
          expect(r.separation).toBe(band(judged, t));
          expect(decided(judged, t)).toBe(r.separation !== 'straddles');
          expect(stopRuleSays(r.ratio_ci95!, t)).toBe(MEASURE_WORD[r.separation!]);
          expect(separationText(r, t).split(/[: ]/)[0]).toBe(r.separation);
          // Roles follow accuracy alone.
          expect(r.role).toBe(asAccurate(r) ? 'contender' : 'neighbour');
        }
        // The verdict from the rows' band readings.
        const contenders = rows.filter((r) => r.role === 'contender');
        const slower = contenders.filter((r) => r.separation === 'slower');
        const open = contenders.filter((r) => slowerSide(invert(r.ratio_ci95!), t) === 'possible');
        // Without a contender every stored model is less accurate beyond the tolerance: the candidate moves the frontier.
        const expected = slower.length ? 'dominated'
          : open.length ? 'inconclusive'
            : contenders.every((r) => fasterSide(invert(r.ratio_ci95!), t) === 'proven') ? 'new-frontier' : 'pass';
        expect(c.verdict).toBe(expected);
        if (c.verdict === 'dominated') expect(slower.map((r) => r.name)).toContain(c.dominated_by!.name);
        if (c.verdict === 'inconclusive') expect(c.undecided.sort()).toEqual(open.map((r) => r.name).sort());
        // The candidate's own star is its verdict, and the pairwise statuses say the same.
        expect(c.frontier).toBe(STATUS_OF_VERDICT[c.verdict]);
        expect(c.models[0].frontier).toBe(c.frontier);
        // The sentence never contradicts the rows.
        const sentence = candidateSentence(c, report.settings);
        if (c.verdict === 'new-frontier') expect(sentence).not.toMatch(/not proven beyond|within the .* tolerance\)/);
        if (c.verdict === 'pass') for (const r of contenders.filter((x) => x.separation === 'within' || x.separation === 'straddles')) expect(sentence).toContain(`**${r.name}**`);
        // The table: each row's words and star.
        const table = tableOf(renderMarkdown(report));
        for (const r of c.models) {
          const cells = table.get(r.name)!;
          expect(cells[1]).toBe(r.provenance);
          if (r.role !== 'candidate') expect(cells[4].startsWith(r.separation!)).toBe(true);
          expect(cells[5]).toBe(STAR[r.frontier]);
        }
        // The chart: the same roles and statuses, and the marker from the status.
        const points = candidateChartInput(c, report.target.label).points;
        for (const p of points) {
          const r = c.models.find((m) => m.name === p.name)!;
          expect([p.role, p.frontier]).toEqual([r.role, r.frontier]);
          expect(markerFill(p) === 'white').toBe(r.frontier === 'off' || r.frontier === 'unrated');
        }
        // The dashboard over the same intervals (the candidate stored at exactly 1 ms): the same stars.
        const stored = applyRecordUpdates(storeOf(models.map((m) => ({ ...m }))), [
          ...models.map((m) => ({ name: m.name, model: { provenance: 'config' as const, config: CONFIG, config_hash: configHash(CONFIG) }, target: 'dash', label: 'dash', measurement: measurement(Math.sqrt(m.ci[0] * m.ci[1]), m.ci) })),
          { name: 'cand', model: { provenance: 'config' as const, config: CONFIG, config_hash: configHash(CONFIG) }, accuracy: { top1: cand, dataset: null, source: null }, target: 'dash', label: 'dash', measurement: measurement(1, [1, 1]) },
        ]);
        const dash = dashboardTargets(stored, tol).find((x) => x.key === 'dash')!;
        for (const r of c.models) expect([r.name, dash.models.find((m) => m.name === r.name)!.frontier]).toEqual([r.name, r.frontier]);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('drift: sweep, the dashboard and the drift issue judge a drift by its interval, as the band does', () => {
    const ms = fc.double({ min: 1, max: 100, noNaN: true });
    const half = fc.double({ min: 0, max: 0.2, noNaN: true });
    fc.assert(
      fc.property(fc.tuple(ms, half, ms, half, fc.oneof(fc.constantFrom(0, 0.03), fc.double({ min: 0, max: 0.3, noNaN: true }))), ([a, ha, b, hb, t]) => {
        const prev = { median_ms: a, ci95_ms: [a * (1 - ha), a * (1 + ha)] as [number, number] };
        const now = { median_ms: b, ci95_ms: [b * (1 - hb), b * (1 + hb)] as [number, number] };
        const d = driftOf(prev, now, t);
        const ratio = b / a;
        const spread = ha + hb;
        expect(d.status).toBe(band([ratio - spread, ratio + spread], t));
        // The dashboard's drift (oldest kept against latest) over the same two measurements.
        const store = applyRecordUpdates(emptyStore(), [
          { name: 'x', model: { provenance: 'config' as const, config: CONFIG, config_hash: configHash(CONFIG) }, accuracy: null, target: 'k', label: 'k', measurement: measurement(a, prev.ci95_ms, '2026-01-01T00:00:00.000Z') },
          { name: 'x', model: { provenance: 'config' as const, config: CONFIG, config_hash: configHash(CONFIG) }, target: 'k', label: 'k', measurement: measurement(b, now.ci95_ms, '2026-01-02T00:00:00.000Z') },
        ]);
        const m = dashboardTargets(store, { latency: t, accuracy: 0.1 })[0].models[0];
        expect([m.drift_status, m.drift_ci95]).toEqual([d.status, d.drift_ci95]);
        // The sweep report's status cell and the drift issue's moved models.
        const row = { name: 'x', provenance: 'config' as const, latency_ms: b, ci95_ms: now.ci95_ms, previous_ms: a, previous_date: '2026-01-01T00:00:00.000Z', ...d };
        const md = renderSweepMarkdown({ command: 'sweep', target: { key: 'k', label: 'k' }, rows: [row], common_drift: d.drift, latency_tolerance: t, dry_run: true });
        expect(md).toContain(`| x | config | ${d.status} |`);
        expect(movedModels([row]).length).toBe(d.status === 'slower' || d.status === 'faster' ? 1 : 0);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
