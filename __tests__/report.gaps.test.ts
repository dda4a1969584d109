/**
 * One rule for how a gap reads (src/report/format.ts): a gap whose whole 95% interval is at least 2x (or at
 * most 1/2x) is a factor of the latency ("12.6x the latency"), any other a percentage change; one gap never
 * mixes the two, and only a proven direction (the band rule's slower or faster) can be a factor. Checked on
 * the functions, and on the check's sentence and table, the sweep's drift and the dashboard in every format.
 */
import * as path from 'node:path';
import fc from 'fast-check';
import { loadArchConfig } from '../src/arch/parse';
import { runCheck } from '../src/frontier/check';
import { configHash, emptyStore, storedConfig, type StoredMeasurement } from '../src/frontier/store';
import { driftOf } from '../src/frontier/sweep';
import { applyRecordUpdates, type RecordUpdate } from '../src/frontier/updates';
import { band, change } from '../src/measure/band';
import type { MeasureResult, Measurer, ModelInput } from '../src/measure/types';
import { render, renderMarkdown, toJson } from '../src/report';
import { buildDashboard } from '../src/report/dashboard';
import { factorText, FACTOR_FROM, gapInterval, gapPoint, gapRuns, gapSize, gapUnit } from '../src/report/format';
import { renderSweepMarkdown } from '../src/report/frontier';
import { FAKE_TARGET } from './frontier.support/fake-measurer';
import { configModel } from '../src/frontier/models';

const CONFIG = storedConfig(loadArchConfig(path.join(__dirname, '../fixtures/archs/mobilenet-v2.yaml')));

describe('the gap rule', () => {
  it('factor from 2x (or up to 1/2x) for the whole interval, else percent; three significant digits', () => {
    expect(gapUnit(change([2, 2.5]))).toBe('factor');
    expect(gapUnit(change([1.99, 2.5]))).toBe('percent');
    expect(gapUnit(change([0.3, 0.5]))).toBe('factor');
    expect(gapUnit(change([0.3, 0.51]))).toBe('percent');
    expect(factorText(12.644)).toBe('12.6x');
    expect(factorText(2.049)).toBe('2.05x');
    expect(factorText(0.3)).toBe('0.3x');
    expect(factorText(125.4)).toBe('125x');
    // The example of issue #21.
    expect(gapRuns(11.644, [10.905, 11.834])).toBe('at 12.6x the latency (95% CI 11.9x .. 12.8x)');
    expect(gapRuns(0.904, [0.897, 0.918])).toBe('90.4% slower (95% CI 89.7% .. 91.8%)');
    expect(gapRuns(-0.36, [-0.367, -0.354])).toBe('36.0% faster (95% CI 35.4% .. 36.7%)');
    expect(gapSize([-0.7, -0.65])).toBe('at 0.3x .. 0.35x the latency');
    expect(gapSize([-0.367, -0.354])).toBe('by 35.4% .. 36.7%');
    expect(gapInterval([-0.012, 0.041])).toBe('-1.2% .. +4.1%');
    expect(gapPoint(1.5, [1.4, 1.6])).toBe('2.5x');
  });

  it('property: one unit per gap, and a factor only where the band proves a direction', () => {
    const ratio = fc.double({ min: 0.01, max: 50, noNaN: true });
    fc.assert(
      fc.property(ratio, ratio, fc.double({ min: 0, max: 0.5, noNaN: true }), (a, b, t) => {
        const ci: [number, number] = [Math.min(a, b), Math.max(a, b)];
        const unit = gapUnit(change(ci));
        expect(unit).toBe(ci[0] >= FACTOR_FROM || ci[1] <= 1 / FACTOR_FROM ? 'factor' : 'percent');
        const texts = [gapInterval(change(ci)), gapPoint(Math.sqrt(ci[0] * ci[1]) - 1, change(ci)), gapSize(change(ci))];
        for (const text of texts) expect(/%/.test(text) && /\dx\b/.test(text)).toBe(false);
        if (unit === 'factor') expect(['slower', 'faster']).toContain(band(ci, t));
      }),
      { seed: 2126, numRuns: 500 },
    );
  });
});

/** model / candidate intervals as given (the candidate's median is 1 ms). */
class IntervalMeasurer implements Measurer {
  constructor(private readonly intervals: Record<string, [number, number]>) {}
  async measure(models: ModelInput[]): Promise<MeasureResult> {
    const ci = (name: string) => this.intervals[name] ?? ([1, 1] as [number, number]);
    const median = (name: string, i: number) => (i === 0 ? 1 : Math.sqrt(ci(name)[0] * ci(name)[1]));
    return {
      target: FAKE_TARGET,
      models: models.map((m, i) => ({
        name: m.name, median_ms: median(m.name, i), mean_ms: median(m.name, i), p90_ms: 1, p99_ms: 1, mad_ms: 0, cv: 0,
        ci95_ms: i === 0 ? [0.99, 1.01] : ci(m.name), samples: 40, outliers: 0, session_ms: 1, first_run_ms: 1, warmup_runs: 1, raw_ms: [],
      })),
      ratios: models.slice(1).map((m, i) => ({ model: m.name, vs: models[0].name, ratio: median(m.name, i + 1), ci95: ci(m.name), verdict: 'inconclusive' })),
      budget_exhausted: false, rounds: 40, wall_s: 0.1,
    };
  }
}

const measurement = (median: number, ci: [number, number], date: string): StoredMeasurement => ({
  date, commit: null, median_ms: median, ci95_ms: ci, samples: 40, batch: 1, precision: 'fp32', provider: 'cpu', fingerprint: FAKE_TARGET.fingerprint,
});

async function checkAgainst(name: string, accuracy: number, modelOverCandidate: [number, number], candidateAccuracy: number) {
  const update: RecordUpdate = {
    name, model: { provenance: 'config', config: CONFIG, config_hash: configHash(CONFIG) }, accuracy: { top1: accuracy, dataset: null, source: null },
    target: FAKE_TARGET.key, label: FAKE_TARGET.label, measurement: measurement(10, [9.9, 10.1], '2026-01-01T00:00:00.000Z'),
  };
  return runCheck(
    applyRecordUpdates(emptyStore(), [update]),
    [{ model: configModel({ ...CONFIG, name: 'cand', accuracy: { top1: candidateAccuracy } }) }],
    { latencyTolerance: 0.03, accuracyTolerance: 0.1, neighbors: 3 },
    { measurer: new IntervalMeasurer({ [name]: modelOverCandidate }) },
  );
}

describe('the rule in every format', () => {
  it('a candidate 12.6x as slow: the sentence and the cell read as factors in Markdown and text; JSON keeps the numbers', async () => {
    // model / candidate = 1 / 12.6: the candidate takes 12.3x .. 12.9x the model's latency.
    const report = await checkAgainst('small', 80, [1 / 12.9, 1 / 12.3], 79.95);
    const c = report.candidates[0];
    expect(c.verdict).toBe('dominated');
    const markdown = renderMarkdown(report);
    const text = render(report, 'text');
    for (const out of [markdown, text]) {
      expect(out).toMatch(/it runs at 12\.6x the latency \(95% CI 12\.3x \.\. 12\.9x\), beyond the 3% latency tolerance/);
      expect(out).toMatch(/slower: 12\.3x \.\. 12\.9x/);
      expect(out).not.toMatch(/\d{4}\.\d%/);
    }
    const json = toJson(report) as { candidates: { dominated_by: { slower_by: number } }[] };
    expect(json.candidates[0].dominated_by.slower_by).toBeCloseTo(11.6, 1);
  });

  it('a candidate 90% slower stays in percent; a candidate 3x as fast reads as 0.33x', async () => {
    const slower = renderMarkdown(await checkAgainst('small', 80, [1 / 1.92, 1 / 1.89], 79.95));
    expect(slower).toMatch(/it runs 90\.\d% slower \(95% CI 89\.\d% \.\. 92\.\d%\)/);
    expect(slower).toMatch(/slower: \+89\.\d% \.\. \+92\.\d%/);
    const faster = await checkAgainst('big', 80, [2.9, 3.1], 80);
    expect(faster.candidates[0].verdict).toBe('new-frontier');
    const md = renderMarkdown(faster);
    expect(md).toMatch(/\*\*big\*\* at 0\.323x \.\. 0\.345x the latency/);
    expect(md).toMatch(/faster: 0\.323x \.\. 0\.345x/);
  });

  it('drift of 2.5x: the sweep report, its terminal text and the dashboard say 2.5x', async () => {
    const prev = { median_ms: 4, ci95_ms: [3.96, 4.04] as [number, number] };
    const now = { median_ms: 10, ci95_ms: [9.9, 10.1] as [number, number] };
    const d = driftOf(prev, now, 0.03);
    expect(d.status).toBe('slower');
    const row = { name: 'x', provenance: 'config' as const, latency_ms: 10, ci95_ms: now.ci95_ms, previous_ms: 4, previous_date: '2026-01-01T00:00:00.000Z', ...d };
    const sweep = { command: 'sweep' as const, target: { key: 'k', label: 'k' }, rows: [row], common_drift: d.drift, latency_tolerance: 0.03, dry_run: true };
    const md = renderSweepMarkdown(sweep);
    expect(md).toContain('**x** slower: 2.5x (2.48x .. 2.52x)');
    expect(md).toContain('All models moved to 2.5x their latency in the median');
    expect(render(sweep, 'text')).toContain('x slower: 2.5x (2.48x .. 2.52x)');
    const store = applyRecordUpdates(emptyStore(), [
      { name: 'x', model: { provenance: 'config' as const, config: CONFIG, config_hash: configHash(CONFIG) }, accuracy: null, target: 'k', label: 'k', measurement: measurement(4, prev.ci95_ms, '2026-01-01T00:00:00.000Z') },
      { name: 'x', model: { provenance: 'config' as const, config: CONFIG, config_hash: configHash(CONFIG) }, target: 'k', label: 'k', measurement: measurement(10, now.ci95_ms, '2026-01-02T00:00:00.000Z') },
    ]);
    const pages = [...(await buildDashboard(store, { now: new Date('2026-02-01T00:00:00Z') })).values()].join('\n');
    expect(pages).toContain('2.5x slower</span> <span class="muted">(2.48x .. 2.52x)</span>');
  });
});
