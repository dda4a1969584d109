import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { LIMIT_FLAGS, limitsFromFlags, numberFlag, parseFlags, stringFlag } from '../cliargs';
import { UserError } from '../errors';
import { createMeasurer } from '../measure';
import type { Measurer } from '../measure/types';
import { commonReference, hypervolume, runSearch, type SearchResult } from '../search/evolve';
import type { AccuracyProxy } from '../search/profile';
import { formatCount, loadSpace, spaceSize } from '../search/space';
import { zenProxy } from '../search/zen';
import { writeFileOrFail } from './profile';
import type { Command } from './types';
import { checkOutputFolder } from '../util/fs';

const USAGE =
  'frontier-gate search <space.yaml> --latency-target MS [--reduced reduced.yaml] [--random] [--budget SECONDS] ' +
  '[--evaluations N] [--population P] [--generation G] [--per-call SECONDS] [--seed N] [--threads N] [--zen-batch N] [--out DIR] [--json]';

/** Seams for tests: the measurer and the accuracy proxy. */
export const searchDeps: { measurer: () => Measurer; proxy: (o: { threads?: number; batch: number }) => AccuracyProxy } = {
  measurer: () => createMeasurer(),
  proxy: (o) => zenProxy({ threads: o.threads, batch: o.batch }),
};

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function renderFronts(runs: { label: string; result: SearchResult }[], ref: { latency_ms: number; proxy: number }): string {
  const lines = [`### Search: latency target ${f(ref.latency_ms)} ms${runs[0].result.target ? ` on ${runs[0].result.target}` : ''}`, ''];
  lines.push(`Accuracy side is the ${runs[0].result.proxy} **proxy**, not a measured accuracy. Hypervolume: area dominated up to (latency target, lowest proxy seen in any run), in ms x proxy units.`);
  lines.push('');
  lines.push('| run | networks | measured | front size | hypervolume | best proxy within target |');
  lines.push('|---|---|---|---|---|---|');
  for (const { label, result } of runs) {
    const best = result.front[result.front.length - 1];
    lines.push(`| ${label} | ${result.evaluations} | ${result.measured} | ${result.front.length} | ${f(hypervolume(result.all, ref), 3)} | ${best ? `${f(best.proxy)} (proxy) at ${f(best.latency_ms)} ms` : 'none within target'} |`);
  }
  for (const { label, result } of runs) {
    lines.push('', `#### Pareto front: ${label}`, '', '| network | latency ms | proxy | blocks per stage |', '|---|---|---|---|');
    for (const c of result.front) {
      const desc = c.config.stages.map((s) => `${s.block === 'mbconv' ? '' : s.block + ' '}e${s.expand}k${s.kernel}${s.repeats > 1 ? `x${s.repeats}` : ''}`).join(' ');
      lines.push(`| ${c.config.name} | ${f(c.latency_ms)} | ${f(c.proxy)} | r${c.config.resolution}: ${desc} |`);
    }
  }
  return lines.join('\n');
}

export const command: Command = {
  name: 'search',
  summary: 'evolutionary search of a space for the latency/Zen-score-proxy Pareto front; full vs reduced space at equal budget',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags('search', argv, {
      'latency-target': { type: 'string' },
      reduced: { type: 'string' },
      random: { type: 'boolean' },
      budget: { type: 'string' },
      evaluations: { type: 'string' },
      population: { type: 'string' },
      generation: { type: 'string' },
      'per-call': { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      'zen-batch': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      ...LIMIT_FLAGS,
    }, USAGE);
    if (positionals.length !== 1) throw new UserError(`frontier-gate search: expected one search space file, got ${positionals.length}\nusage: ${USAGE}`);
    if (values['latency-target'] === undefined) throw new UserError(`frontier-gate search: --latency-target MS is required\nusage: ${USAGE}`);
    const latencyTargetMs = numberFlag(values, 'latency-target', 0, { min: 0.001 });
    const outFolder = stringFlag(values, 'out');
    if (outFolder) checkOutputFolder(outFolder, '--out');
    const space = loadSpace(positionals[0]);
    const reducedPath = stringFlag(values, 'reduced');
    const reduced = reducedPath ? loadSpace(reducedPath) : undefined;
    const budgetSeconds = values.budget === undefined ? undefined : numberFlag(values, 'budget', 0, { min: 1 });
    const evaluations = values.evaluations === undefined ? (budgetSeconds === undefined ? 100 : undefined) : numberFlag(values, 'evaluations', 100, { min: 1, integer: true });
    const population = numberFlag(values, 'population', 16, { min: 2, max: 10000, integer: true });
    const generation = numberFlag(values, 'generation', 4, { min: 1, max: 256, integer: true });
    const perCall = numberFlag(values, 'per-call', 1, { min: 0.05, max: 600 });
    const seed = numberFlag(values, 'seed', 1, { min: 0, integer: true });
    const threads = values.threads === undefined ? undefined : numberFlag(values, 'threads', 1, { min: 1, max: 1024, integer: true });
    const zenBatch = numberFlag(values, 'zen-batch', 4, { min: 1, max: 256, integer: true });
    const measurer = searchDeps.measurer();
    const proxy = searchDeps.proxy({ threads, batch: zenBatch });
    const latencyCache = new Map<string, number>();
    const proxyCache = new Map<string, number>();
    const common = { limits: limitsFromFlags(values), latencyTargetMs, population, evaluations, budgetSeconds, seed, generation, perCallSeconds: perCall, measure: threads ? { threads } : undefined, latencyCache, proxyCache };
    const runs: { label: string; result: SearchResult }[] = [];
    const plan: { label: string; space: typeof space; mode: 'evolution' | 'random' }[] = [{ label: `evolution, full space ${space.name} (${formatCount(spaceSize(space))})`, space, mode: 'evolution' }];
    if (reduced) plan.push({ label: `evolution, reduced space ${reduced.name} (${formatCount(spaceSize(reduced))})`, space: reduced, mode: 'evolution' });
    if (values.random) plan.push({ label: `random sampling, full space ${space.name}`, space, mode: 'random' });
    for (const p of plan) {
      io.err(`search: ${p.label}; budget ${evaluations !== undefined ? `${evaluations} networks` : ''}${evaluations !== undefined && budgetSeconds !== undefined ? ' or ' : ''}${budgetSeconds !== undefined ? `${budgetSeconds} s` : ''}`);
      const result = await runSearch(p.space, measurer, proxy, {
        ...common, mode: p.mode,
        onGeneration: (n, front) => { if (n % 20 < generation) io.err(`  ${n} networks, front ${front.length}`); },
      });
      runs.push({ label: p.label, result });
    }
    const ref = commonReference(runs.map((r) => r.result));
    const report = renderFronts(runs, ref);
    const summary = runs.map(({ label, result }) => ({
      label, space: result.space, mode: result.mode, proxy: result.proxy, target: result.target, latency_target_ms: latencyTargetMs,
      evaluations: result.evaluations, measured: result.measured, cache_hits: result.cache_hits, wall_s: result.wall_s,
      hypervolume: hypervolume(result.all, ref), reference: ref,
      front: result.front.map((c) => ({ name: c.config.name, hash: c.hash, latency_ms: c.latency_ms, proxy: c.proxy })),
    }));
    const outDir = stringFlag(values, 'out');
    if (outDir) {
      try {
        fs.mkdirSync(outDir, { recursive: true });
      } catch (err) {
        throw new UserError(`--out ${JSON.stringify(outDir)}: cannot create the folder (${(err as NodeJS.ErrnoException).code})`);
      }
      for (const { result } of runs) {
        for (const c of result.front) {
          const header = `# ${c.config.name}: found by frontier-gate search (${result.mode}) in ${result.space}; latency ${f(c.latency_ms)} ms on ${result.target ?? 'unknown target'}, ${result.proxy} ${f(c.proxy)} (a proxy, not an accuracy)\n`;
          writeFileOrFail(path.join(outDir, `${c.config.name}.yaml`), header + stringify(c.config, { flowCollectionPadding: false }), 'candidate config');
        }
      }
      writeFileOrFail(path.join(outDir, 'search.json'), JSON.stringify(summary, null, 1) + '\n', 'search result');
      writeFileOrFail(path.join(outDir, 'search.md'), report + '\n', 'search report');
    }
    io.out(values.json ? JSON.stringify(summary, null, 1) : report);
    return 0;
  },
};
