/** The real frontier core (src/frontier/gate.ts) behind the action's FrontierCore interface. */
import { runCheck, runRecord, runSweep, type CandidateResult } from '../frontier/gate';
import { renderLacsMarkdown, runLacs, writeFamily } from '../lacs';
import type { MeasureOptions } from '../measure/types';
import type { CoreCandidateResult, CoreOptions, FrontierCore } from './core';

function measureOptions(o: CoreOptions): Partial<MeasureOptions> {
  return { ep: o.ep, batch: o.batch, precision: o.precision };
}

/** Input lacs-on-base (default true): the PR-sized LACS budget of src/lacs/gate.ts, or off. */
const lacsOption = (o: CoreOptions) => (o.lacsOnBase === false ? (false as const) : {});

/**
 * The `ratio` the action reports: candidate latency over the model it is judged against (the one that
 * dominates it, else the measured neighbour closest in latency). Rows carry model / candidate.
 */
function competitorRatio(c: CandidateResult): number | undefined {
  if (c.dominated_by) return 1 / c.dominated_by.ratio;
  const rows = c.models.filter((m) => m.role !== 'candidate' && m.ratio !== undefined && m.ratio > 0);
  if (!rows.length) return undefined;
  const closest = rows.reduce((a, b) => (Math.abs(Math.log(b.ratio!)) < Math.abs(Math.log(a.ratio!)) ? b : a));
  return 1 / closest.ratio!;
}

function toResult(c: CandidateResult): CoreCandidateResult {
  return {
    name: c.name,
    file: c.file,
    verdict: c.verdict,
    latency_ms: c.latency_ms,
    ci95_ms: c.ci95_ms,
    ratio: competitorRatio(c),
    dominated_by: c.dominated_by?.name,
    accuracy: c.accuracy,
  };
}

/** Stored models that take part in LACS: the predictor's training records and the frontier to place the family on. */
const LACS_FRONTIER_MODELS = 10;

export function createFrontierCore(storeFile: string, lacsFamilyDir?: string): FrontierCore {
  return {
    async check(store, candidates, options, deps) {
      const report = await runCheck(
        store,
        candidates,
        {
          latencyTolerance: options.latencyTolerance,
          accuracyTolerance: options.accuracyTolerance,
          ...(options.budgetSeconds !== undefined ? { budgetSeconds: options.budgetSeconds } : {}),
          measure: measureOptions(options),
          storeFile,
          lacs: lacsOption(options),
        },
        deps,
      );
      return {
        verdict: report.verdict,
        candidates: report.candidates.map(toResult),
        targetLabel: report.target.label,
        targetKey: report.target.key,
        markdown: report.markdown,
        json: report.json,
      };
    },

    async record(store, candidates, options, deps) {
      const { report, store: updated } = await runRecord(
        store,
        candidates,
        { budgetSeconds: options.budgetSeconds ?? 20, measure: measureOptions(options), storeFile, lacs: lacsOption(options) },
        deps,
      );
      return { report: { markdown: report.markdown, json: report.json, targetLabel: report.target.label }, store: updated };
    },

    async sweep(store, options, deps) {
      const { report, store: updated } = await runSweep(
        store,
        { budgetSeconds: options.budgetSeconds ?? 20, latencyTolerance: options.latencyTolerance, measure: measureOptions(options), storeFile },
        deps,
      );
      return {
        report: { markdown: report.markdown, json: report.json, targetLabel: report.target.label },
        store: updated,
        drifted: report.rows.filter((r) => r.status === 'slower').length,
      };
    },

    async lacs(base, store, options, deps) {
      const withAccuracy = store.records.filter((r) => r.accuracy && r.config_hash);
      const frontier = [...withAccuracy]
        .sort((a, b) => b.accuracy!.top1 - a.accuracy!.top1)
        .slice(0, LACS_FRONTIER_MODELS)
        .map((r) => ({ name: r.name, accuracy: r.accuracy!.top1, model: { kind: 'config' as const, name: r.name, config: r.config } }));
      const result = await runLacs(
        base.config,
        { measure: measureOptions(options) },
        { measurer: deps.measurer, records: withAccuracy.map((r) => ({ config: r.config, top1: r.accuracy!.top1, name: r.name })), frontier },
      );
      const written = lacsFamilyDir ? writeFamily(lacsFamilyDir, result) : [];
      return { markdown: renderLacsMarkdown(result), json: { ...result, family_files: written }, targetLabel: result.target?.label ?? 'not measured' };
    },
  };
}
