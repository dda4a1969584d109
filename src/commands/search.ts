import * as path from 'node:path';
import { stringify } from 'yaml';
import { UserError } from '../errors';
import { commonReference, hypervolume, runSearch, type SearchResult } from '../search/evolve';
import { formatCount, loadSpace, spaceSize, type SearchSpace } from '../search/space';
import type { SearchCommandResult } from '../report/result';
import type { MeasureOptions } from '../measure/types';
import { toJson } from '../report/index';
import { renderSearch } from '../report/search';
import { LIMIT_FLAGS, limitsFromFlags, MEASURE_FLAGS, measureOptions, REPORT_FLAGS, numberFlag, optionalNumber, stringFlag } from './flags';
import type { Command } from './types';
import type { ResourceLimits } from '../arch/types';

export interface SearchArgs {
  /** The search space file, read through the context. */
  space: string;
  /** --max-params / --max-macs / --max-activation-bytes: every sampled network passes them before it is built. */
  limits: Partial<ResourceLimits>;
  /** --reduced: a reduced space file, searched at equal budget. */
  reduced?: string;
  random: boolean;
  latencyTargetMs: number;
  budgetSeconds?: number;
  evaluations?: number;
  population: number;
  generation: number;
  perCallSeconds: number;
  seed: number;
  threads?: number;
  /** --ep, --batch, --precision of the latency measurements. */
  measure: Partial<MeasureOptions>;
  zenBatch: number;
  outDir?: string;
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

export const command: Command<SearchArgs, SearchCommandResult> = {
  name: 'search',
  summary: 'evolutionary search of a space for the latency/Zen-score-proxy Pareto front; full vs reduced space at equal budget',
  args: '<space.yaml> --latency-target MS',
  flags: {
    ...LIMIT_FLAGS,
    'latency-target': { type: 'string', value: 'MS', help: 'latency bound of the front (required)' },
    reduced: { type: 'string', value: 'FILE.yaml', help: 'also search this reduced space (from profile --reduce) at equal budget' },
    random: { type: 'boolean', help: 'also run random sampling at equal budget, as a baseline' },
    budget: { type: 'string', value: 'SECONDS', help: 'time budget of each run' },
    evaluations: { type: 'string', value: 'N', default: 100, help: 'networks evaluated per run (default when no --budget)' },
    population: { type: 'string', value: 'P', default: 16, help: 'population size' },
    generation: { type: 'string', value: 'G', default: 4, help: 'children per generation' },
    'per-call': { type: 'string', value: 'SECONDS', default: 1, help: 'measurement budget per network' },
    seed: { type: 'string', value: 'N', default: 1, help: 'seed of the search' },
    threads: { type: 'string', value: 'N', default: 'cores - 1', help: 'intra-op threads' },
    ep: MEASURE_FLAGS.ep,
    batch: MEASURE_FLAGS.batch,
    precision: MEASURE_FLAGS.precision,
    'zen-batch': { type: 'string', value: 'N', default: 4, help: 'batch of the Zen-score proxy' },
    out: { type: 'string', value: 'DIR', help: 'write the fronts as configs, search.json and search.md here' },
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length !== 1) throw new UserError(`search: expected one search space file, got ${positionals.length}`);
    if (values['latency-target'] === undefined) throw new UserError('search: --latency-target MS is required');
    const budgetSeconds = optionalNumber(values, 'budget', { min: 1 });
    return {
      limits: limitsFromFlags(values),
      latencyTargetMs: numberFlag(values, 'latency-target', 0, { min: 0.001 }),
      space: positionals[0],
      reduced: stringFlag(values, 'reduced'),
      random: Boolean(values.random),
      budgetSeconds,
      evaluations: values.evaluations === undefined ? (budgetSeconds === undefined ? 100 : undefined) : numberFlag(values, 'evaluations', 100, { min: 1, integer: true }),
      population: numberFlag(values, 'population', 16, { min: 2, max: 10000, integer: true }),
      generation: numberFlag(values, 'generation', 4, { min: 1, max: 256, integer: true }),
      perCallSeconds: numberFlag(values, 'per-call', 1, { min: 0.05, max: 600 }),
      seed: numberFlag(values, 'seed', 1, { min: 0, integer: true }),
      threads: optionalNumber(values, 'threads', { min: 1, max: 1024, integer: true }),
      measure: measureOptions(values),
      zenBatch: numberFlag(values, 'zen-batch', 4, { min: 1, max: 256, integer: true }),
      outDir: stringFlag(values, 'out'),
    };
  },
  async run(a, ctx) {
    if (a.outDir) ctx.files.checkOutputFolder(a.outDir, '--out');
    const space = loadSpace(ctx.files.resolve(a.space));
    const reduced = a.reduced ? loadSpace(ctx.files.resolve(a.reduced)) : undefined;
    const measurer = ctx.measurer();
    const proxy = ctx.proxy({ threads: a.threads, batch: a.zenBatch });
    const latencyCache = new Map<string, number>();
    const proxyCache = new Map<string, number>();
    const common = {
      limits: a.limits,
      latencyTargetMs: a.latencyTargetMs, population: a.population, evaluations: a.evaluations, budgetSeconds: a.budgetSeconds, seed: a.seed,
      generation: a.generation, perCallSeconds: a.perCallSeconds, measure: { ...a.measure, ...(a.threads ? { threads: a.threads } : {}) }, latencyCache, proxyCache,
    };
    const plan: { label: string; space: SearchSpace; mode: 'evolution' | 'random' }[] = [{ label: `evolution, full space ${space.name} (${formatCount(spaceSize(space))})`, space, mode: 'evolution' }];
    if (reduced) plan.push({ label: `evolution, reduced space ${reduced.name} (${formatCount(spaceSize(reduced))})`, space: reduced, mode: 'evolution' });
    if (a.random) plan.push({ label: `random sampling, full space ${space.name}`, space, mode: 'random' });
    const results: { label: string; result: SearchResult }[] = [];
    for (const p of plan) {
      const budget = [a.evaluations !== undefined ? `${a.evaluations} networks` : '', a.budgetSeconds !== undefined ? `${a.budgetSeconds} s` : ''].filter(Boolean).join(' or ');
      ctx.log(`search: ${p.label}; budget ${budget}`);
      // Progress counts networks when the budget is a count; a time budget has no total to count against.
      const task = ctx.progress.start(`search: ${p.label}`, a.evaluations ?? 0);
      const result = await runSearch(p.space, measurer, proxy, { ...common, mode: p.mode, onGeneration: (n, front) => task.update(n, `front ${front.length}`) });
      task.end(`${result.evaluations} networks evaluated (${result.measured} measured), front ${result.front.length}`);
      results.push({ label: p.label, result });
    }
    const reference = commonReference(results.map((r) => r.result));
    const runs = results.map((r) => ({ ...r, hypervolume: hypervolume(r.result.all, reference) }));
    const out: SearchCommandResult = { command: 'search', latency_target_ms: a.latencyTargetMs, reference, runs, files: [] };
    if (a.outDir) {
      for (const { result } of runs) {
        for (const c of result.front) {
          const header = `# ${c.config.name}: found by frontier-gate search (${result.mode}) in ${result.space}; latency ${f(c.latency_ms)} ms on ${result.target ?? 'unknown target'}, ${result.proxy} ${f(c.proxy)} (a proxy, not an accuracy)\n`;
          const file = path.join(a.outDir, `${c.config.name}.yaml`);
          // Files named here, in the folder --out names: a symbolic link among them is refused.
          ctx.files.write(file, header + stringify(c.config, { flowCollectionPadding: false }), { what: '--out', named: false });
          out.files.push(file);
        }
      }
      const json = path.join(a.outDir, 'search.json');
      const md = path.join(a.outDir, 'search.md');
      out.files.push(json, md);
      // search.json is the same document `--json` prints (src/report's JSON form).
      ctx.files.write(json, JSON.stringify(toJson(out), null, 1) + '\n', { what: '--out', named: false });
      ctx.files.write(md, renderSearch(out), { what: '--out', named: false });
    }
    return out;
  },
};
