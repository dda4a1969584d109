/**
 * The drift rule (frontier/drift.ts) and its change points (frontier/changepoint.ts) on seeded synthetic
 * ratio series: the false-alarm rate of nights with nothing changed, the detection delay of a real step, a
 * single noisy night, a runner shift, and accept-drift's baseline.
 */
import { changePoints } from '../src/frontier/changepoint';
import { judgeDrift, movedTogether, ratioSeries, runnerShift, type RatioPoint } from '../src/frontier/drift';
import { acceptDrift } from '../src/frontier/accept';
import { applyRecordUpdates } from '../src/frontier/updates';
import { seeded } from '../src/util/random';
import type { FrontierStore, StoredMeasurement } from '../src/frontier/store';

const TOL = 0.03;
/** Night-to-night noise of a side-by-side ratio (between-session noise included; 0.7% between runs in the measurements): its 95% interval is +-2 SIGMA. */
const SIGMA = 0.005;

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

const day = (i: number) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString();
const point = (i: number, ratio: number): RatioPoint => ({ date: day(i), ratio, ci95: [ratio * (1 - 2 * SIGMA), ratio * (1 + 2 * SIGMA)] });

/** A series of `n` nights around `level(i)`, seeded. */
function series(n: number, level: (i: number) => number, seed: number): RatioPoint[] {
  const rng = seeded(seed);
  return Array.from({ length: n }, (_, i) => point(i, level(i) * (1 + SIGMA * gaussian(rng))));
}

describe('change points (E-divisive means, permutation test)', () => {
  it('finds a 5% step in a noisy series, and nothing in a flat one', () => {
    const step = series(16, (i) => (i < 10 ? 1 : 1.05), 1).map((p) => p.ratio);
    expect(changePoints(step).map((c) => c.index)).toEqual([10]);
    expect(changePoints(Array(16).fill(1.2))).toEqual([]);
  });

  it('false change points over 200 seeded flat series stay near alpha (0.05)', () => {
    let found = 0;
    for (let s = 0; s < 200; s++) if (changePoints(series(20, () => 1, 100 + s).map((p) => p.ratio)).length) found++;
    expect(found / 200).toBeLessThan(0.1);
  });
});

describe('the drift rule: history and tonight together', () => {
  it('A/A: 300 seeded nights with nothing changed raise no alert (a change point alone never alerts)', () => {
    let alerts = 0;
    let pending = 0;
    for (let s = 0; s < 300; s++) {
      const nights = series(20, () => 1, 1000 + s);
      const j = judgeDrift(nights.slice(0, -1), nights[19], TOL);
      if (j.status === 'slower' || j.status === 'faster') alerts++;
      if (j.status === 'pending') pending++;
    }
    expect(alerts).toBe(0);
    expect(pending).toBeLessThanOrEqual(3);
  });

  it('a real 5% step: pending or within on its first night, alerted on its second in at least 95% of seeded series', () => {
    let secondNight = 0;
    for (let s = 0; s < 100; s++) {
      const nights = series(14, (i) => (i < 12 ? 1 : 1.05), 2000 + s);
      const first = judgeDrift(nights.slice(0, 12), nights[12], TOL);
      expect(first.status === 'slower' || first.status === 'faster').toBe(false);
      const second = judgeDrift(nights.slice(0, 13), nights[13], TOL);
      if (second.status === 'slower') {
        secondNight++;
        expect(second.since).toBe(day(12));
        expect(second.change_point).toBe(12);
      }
    }
    expect(secondNight).toBeGreaterThanOrEqual(95);
  });

  it('one noisy night (+8%) is pending, and the night after it, back to normal, alerts nothing', () => {
    const nights = series(12, () => 1, 7);
    const spike = point(12, 1.08);
    expect(judgeDrift(nights, spike, TOL).status).toBe('pending');
    const after = judgeDrift([...nights, spike], point(13, 1.0), TOL);
    expect(['within', 'straddles']).toContain(after.status);
  });

  it('a step that reverts is no longer drift', () => {
    const nights = series(15, (i) => (i < 12 ? 1 : 1.1), 8);
    expect(judgeDrift(nights.slice(0, 14), nights[14], TOL).status).toBe('slower');
    expect(judgeDrift(nights, point(15, 1.0), TOL).status).not.toBe('slower');
  });

  it('a model with no ratio history is new; the series keeps only ratios to the same anchor after the baseline', () => {
    expect(judgeDrift([], point(0, 1), TOL).status).toBe('new');
    const entry = {
      history: [
        { date: day(0), commit: null, median_ms: 10, ci95_ms: [9.9, 10.1] as [number, number], samples: 20 },
        { date: day(1), commit: null, median_ms: 10, ci95_ms: [9.9, 10.1] as [number, number], samples: 20, anchor: 'b', ratio: 2, ratio_ci95: [1.98, 2.02] as [number, number] },
        { date: day(2), commit: null, median_ms: 10, ci95_ms: [9.9, 10.1] as [number, number], samples: 20, anchor: 'a', ratio: 1, ratio_ci95: [0.99, 1.01] as [number, number] },
        { date: day(3), commit: null, median_ms: 10, ci95_ms: [9.9, 10.1] as [number, number], samples: 20, anchor: 'a', ratio: 1.1, ratio_ci95: [1.09, 1.11] as [number, number] },
      ],
    };
    expect(ratioSeries(entry, 'a').map((p) => p.ratio)).toEqual([1, 1.1]);
    expect(ratioSeries({ ...entry, baseline: { since: day(3), accepted: day(4) } }, 'a').map((p) => p.ratio)).toEqual([1.1]);
  });

  it('all models moving the same way against the anchor is one fact; one model moving is not', () => {
    expect(movedTogether([{ status: 'slower', drift: 0.1 }, { status: 'pending', drift: 0.08 }, { status: 'new', drift: null }])).toEqual({ status: 'slower', drift: 0.09 });
    expect(movedTogether([{ status: 'slower', drift: 0.1 }, { status: 'within', drift: 0 }])).toBeNull();
    expect(movedTogether([{ status: 'slower', drift: 0.1 }])).toBeNull();
  });
});

describe('runner shift', () => {
  const m = (median: number, over: Partial<StoredMeasurement['fingerprint']> = {}): StoredMeasurement => ({
    date: day(0), commit: null, median_ms: median, ci95_ms: [median * 0.99, median * 1.01], samples: 20, batch: 1, precision: 'fp32', provider: 'cpu',
    fingerprint: { cpu: 'X', cores: 2, memory_gb: 8, os: 'linux', node: 'v20', onnxruntime: '1.30.0', provider: 'cpu', threads: 1, batch: 1, precision: 'fp32', ...over },
  });
  it('the anchor 20% slower with a new onnxruntime: one shift naming the field; 1% is no shift', () => {
    const shift = runnerShift('a', m(10), { ...m(12, { onnxruntime: '1.31.0' }), date: day(1) }, TOL)!;
    expect(shift).toMatchObject({ anchor: 'a', status: 'slower', previous_date: day(0), fingerprint_changes: [{ field: 'onnxruntime', from: '1.30.0', to: '1.31.0' }] });
    expect(shift.change).toBeCloseTo(0.2, 10);
    expect(runnerShift('a', m(10), m(10.1), TOL)).toBeNull();
    expect(runnerShift('a', undefined, m(10), TOL)).toBeNull();
  });
});

describe('accept-drift', () => {
  const entry = (ratios: number[]) => {
    const history = ratios.map((r, i) => ({ date: day(i), commit: null, median_ms: 10 * r, ci95_ms: [9.9 * r, 10.1 * r] as [number, number], samples: 20, anchor: 'a', ratio: r, ratio_ci95: [r * 0.98, r * 1.02] as [number, number] }));
    const last = history[history.length - 1];
    return {
      label: 'cpu', history,
      latest: { ...last, batch: 1, precision: 'fp32' as const, provider: 'cpu' as const, fingerprint: { cpu: 'X', cores: 2, memory_gb: 8, os: 'linux', node: 'v20', onnxruntime: '1.30.0', provider: 'cpu' as const, threads: 1, batch: 1, precision: 'fp32' as const } },
    };
  };
  const store: FrontierStore = {
    version: 2,
    records: [
      { name: 'm', provenance: 'config', accuracy: null, targets: { t1: entry([...Array(10).fill(1), 1.2, 1.2, 1.2]) } },
      { name: 'n', provenance: 'config', accuracy: null, targets: { t1: entry(Array(13).fill(1)) } },
    ],
  };
  it('defaults to where each record last changed (else its latest), writes a baseline, and refuses what it cannot do', () => {
    const now = new Date(day(20));
    const { target, rows, updates } = acceptDrift(store, { note: 'driver 580' }, now);
    expect(target).toBe('t1');
    expect(rows).toEqual([{ name: 'm', since: day(10), from: 'change-point' }, { name: 'n', since: day(12), from: 'latest' }]);
    const after = applyRecordUpdates(store, updates);
    expect(after.records[0].targets.t1.baseline).toEqual({ since: day(10), accepted: day(20), note: 'driver 580' });
    // Judged from the baseline on, the step is the level.
    const judged = judgeDrift(ratioSeries(after.records[0].targets.t1, 'a'), point(13, 1.2), TOL);
    expect(judged.status).toBe('within');
    expect(() => acceptDrift(store, { target: 'nope' }, now)).toThrow(/--target "nope" has no measurements/);
    expect(() => acceptDrift(store, { models: ['zz'] }, now)).toThrow(/--model "zz" has no measurement on t1/);
    expect(() => acceptDrift(store, { since: 'yesterday-ish' }, now)).toThrow(/--since expected a date/);
    expect(acceptDrift(store, { since: '2026-01-05' }, now).rows[0]).toEqual({ name: 'm', since: '2026-01-05T00:00:00.000Z', from: 'given' });
  });
});

describe('the dashboard draws what the sweep judged', () => {
  it("a model's ratio series with its change point, and the sweep's status", async () => {
    const { dashboardTargets, modelTable } = await import('../src/report/dashboard');
    const ratios = [...Array(10).fill(1), 1.2, 1.2];
    const history = ratios.map((r, i) => ({ date: day(i), commit: null, median_ms: 10 * r, ci95_ms: [9.9 * r, 10.1 * r] as [number, number], samples: 20, anchor: 'a', ratio: r, ratio_ci95: [r * 0.99, r * 1.01] as [number, number] }));
    const fingerprint = { cpu: 'X', cores: 2, memory_gb: 8, os: 'linux', node: 'v20', onnxruntime: '1.30.0', provider: 'cpu' as const, threads: 1, batch: 1, precision: 'fp32' as const };
    const latest = { ...history[11], batch: 1, precision: 'fp32' as const, provider: 'cpu' as const, fingerprint };
    const store: FrontierStore = { version: 2, records: [{ name: 'm<x>', provenance: 'onnx', accuracy: null, onnx: { path: 'm.onnx', sha256: 'a'.repeat(64), network_hash: 'b'.repeat(16), opset: 17, producer: 'p', input: { name: 'i', dims: [1, 3, 8, 8], layout: 'NCHW', fixed: [] }, counts: { params: 1, macs: 1, weight_bytes: 4, activation_bytes: 4, peak_activation_bytes: 4, intensity: 1, partial: false, ops: {}, unknown_nodes: [] } } as never, targets: { t: { label: 'cpu', latest, history } } }] };
    const [target] = dashboardTargets(store);
    const m = target.models[0];
    expect(m).toMatchObject({ drift_status: 'slower', change_point: 10, anchor: 'a' });
    const html = modelTable(target.models);
    expect(html).toMatch(/aria-label="ratio to a, 12 measurements"/);
    expect(html).toMatch(/<line class="cp" [^>]*><title>change point: 2026-01-11<\/title><\/line>/);
    expect(html).toContain('m&lt;x&gt;');
  });
});
