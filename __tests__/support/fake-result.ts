/**
 * The MeasureResult a fake measurer returns for given medians: every test fake (by name, by MACs, by a
 * latency model) differs only in where its medians come from and how wide its intervals are.
 */
import type { MeasureResult, ModelInput, RatioVerdict, Target } from '../../src/measure/types';

export interface FakeResultOptions {
  target: Target;
  /** Relative half-width of each ratio's 95% interval (default 0.01). */
  ratioHalfWidth?: (name: string) => number;
  /** Relative half-width of each median's 95% interval (default 0.01). */
  medianHalfWidth?: number;
  /** The ratio verdict reported (consumers of these fakes decide from the intervals themselves). */
  verdict?: RatioVerdict;
  rounds?: number;
  wallS?: number;
}

export function fakeResult(models: ModelInput[], medians: number[], o: FakeResultOptions): MeasureResult {
  const m = o.medianHalfWidth ?? 0.01;
  return {
    target: o.target,
    models: models.map((model, i) => ({
      name: model.name, median_ms: medians[i], mean_ms: medians[i], p90_ms: medians[i] * 1.02, p99_ms: medians[i] * 1.05,
      mad_ms: medians[i] * 0.005, cv: 0.01, ci95_ms: [medians[i] * (1 - m), medians[i] * (1 + m)], samples: 50, outliers: 0,
      session_ms: 5, first_run_ms: medians[i] * 2, warmup_runs: 5, raw_ms: [],
    })),
    ratios: models.slice(1).map((model, i) => {
      const ratio = medians[i + 1] / medians[0];
      const w = o.ratioHalfWidth?.(model.name) ?? 0.01;
      return { model: model.name, vs: models[0].name, ratio, ci95: [ratio * (1 - w), ratio * (1 + w)], verdict: o.verdict ?? 'inconclusive' };
    }),
    budget_exhausted: false,
    rounds: o.rounds ?? 50,
    wall_s: o.wallS ?? 0.01,
  };
}
