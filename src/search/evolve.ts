/**
 * Evolutionary search by random mutation (as in Mills et al.'s code) over a search space, with measured
 * latency (cached by config hash) and an accuracy proxy, keeping the Pareto set of networks within the
 * latency target. Children of one generation are measured in one call together with a fixed anchor
 * network, and their latency is the anchor's first median times their ratio to the anchor: drift of a
 * shared machine over a long search cancels. A random-sampling mode at the same budget is the baseline.
 */
import type { ArchConfig } from '../arch/types';
import type { MeasureOptions, Measurer, ModelInput } from '../measure/types';
import type { AccuracyProxy } from './profile';
import { derive, pick, randInt, seeded, type Random } from '../util/random';
import { networkHash } from '../arch/identity';
import { paretoBy } from '../frontier/pareto';
import { cloneGenome, genomeToConfig, sampleGenome, sampleLimitError, type Genome, type SearchSpace } from './space';
import { UserError } from '../errors';
import type { ResourceLimits } from '../arch/types';

export interface SearchOptions {
  latencyTargetMs: number;
  population: number;
  /** Budget in distinct networks evaluated. */
  evaluations?: number;
  /** Budget in wall-clock seconds (whichever budget ends first). */
  budgetSeconds?: number;
  seed: number;
  /** Children per generation, measured together in one call. */
  generation: number;
  perCallSeconds: number;
  measure?: Partial<MeasureOptions>;
  mode: 'evolution' | 'random';
  /** Latency by config hash, shared across runs on one target. */
  latencyCache?: Map<string, number>;
  proxyCache?: Map<string, number>;
  now?: () => number;
  onGeneration?: (evaluated: number, front: Candidate[]) => void;
  /** Resource limits every sampled network must pass before it is built (defaults: DEFAULT_LIMITS). */
  limits?: Partial<ResourceLimits>;
}

export interface Candidate {
  hash: string;
  config: ArchConfig;
  genome: Genome;
  latency_ms: number;
  /** Accuracy proxy value (a proxy, not an accuracy). */
  proxy: number;
  feasible: boolean;
  origin: 'sample' | 'mutation';
  generation: number;
}

export interface SearchResult {
  space: string;
  mode: SearchOptions['mode'];
  proxy: string;
  target: string | null;
  latency_target_ms: number;
  evaluations: number;
  measured: number;
  cache_hits: number;
  front: Candidate[];
  all: Candidate[];
  wall_s: number;
}

/** Non-dominated feasible candidates (lower latency, higher proxy), sorted by latency: the frontier's Pareto function. */
export function paretoFront<T extends { latency_ms: number; proxy: number }>(points: readonly T[], latencyLimit = Infinity): T[] {
  return paretoBy(points.filter((p) => p.latency_ms <= latencyLimit), (p) => ({ latency: p.latency_ms, accuracy: p.proxy }));
}

/** Area dominated by the front up to the reference point (latency at most ref, proxy at least ref). */
export function hypervolume(points: { latency_ms: number; proxy: number }[], ref: { latency_ms: number; proxy: number }): number {
  const front = paretoFront(points, ref.latency_ms).filter((p) => p.proxy > ref.proxy);
  let area = 0;
  let prevProxy = ref.proxy;
  for (const p of front) {
    area += (ref.latency_ms - p.latency_ms) * (p.proxy - prevProxy);
    prevProxy = p.proxy;
  }
  return area;
}

function mutate(space: SearchSpace, parent: Genome, rand: Random): Genome {
  const g = cloneGenome(parent);
  type Gene = () => boolean;
  const genes: Gene[] = [];
  const reroll = (n: number, current: number, set: (v: number) => void): Gene => () => {
    if (n < 2) return false;
    let v = current;
    while (v === current) v = Math.floor(rand() * n);
    set(v);
    return true;
  };
  genes.push(reroll(space.resolution.length, g.resolution, (v) => (g.resolution = v)));
  space.stages.forEach((s, si) => {
    const gs = g.stages[si];
    genes.push(reroll(s.channels.length, gs.width, (v) => (gs.width = v)));
    genes.push(() => {
      if (s.depth.min === s.depth.max) return false;
      let d = gs.depth;
      while (d === gs.depth) d = randInt(rand, s.depth.min, s.depth.max);
      gs.depth = d;
      return true;
    });
    for (let l = 0; l < s.depth.max; l++) {
      const choices = s.blocks.map((_, i) => i).filter((i) => l === 0 || !s.blocks[i].space_to_depth);
      genes.push(() => {
        if (choices.length < 2) return false;
        let c = gs.layers[l];
        while (c === gs.layers[l]) c = pick(rand, choices);
        gs.layers[l] = c;
        return true;
      });
    }
  });
  // Each gene flips with probability 1/genes; at least one effective change.
  let changed = false;
  for (const gene of genes) if (rand() < 1 / genes.length) changed = gene() || changed;
  for (let tries = 0; !changed && tries < 100; tries++) changed = pick(rand, genes)();
  return g;
}

export async function runSearch(space: SearchSpace, measurer: Measurer, proxy: AccuracyProxy, options: SearchOptions): Promise<SearchResult> {
  const now = options.now ?? (() => performance.now() / 1000);
  const started = now();
  const rand = seeded(derive(options.seed, options.mode, space.name));
  const latencyCache = options.latencyCache ?? new Map<string, number>();
  const proxyCache = options.proxyCache ?? new Map<string, number>();
  const seen = new Set<string>();
  const all: Candidate[] = [];
  let population: Candidate[] = [];
  let measured = 0;
  let cacheHits = 0;
  let anchor: { config: ArchConfig; ms: number } | null = null;
  let target: string | null = null;
  let generation = 0;

  const outOfBudget = () =>
    (options.evaluations !== undefined && all.length >= options.evaluations) ||
    (options.budgetSeconds !== undefined && now() - started >= options.budgetSeconds);

  const evaluate = async (genomes: { genome: Genome; origin: Candidate['origin'] }[]) => {
    const fresh = genomes.map(({ genome, origin }) => {
      const config = genomeToConfig(space, genome);
      return { genome, origin, config, hash: networkHash(config) };
    });
    const toMeasure = fresh.filter((c) => !latencyCache.has(c.hash));
    cacheHits += fresh.length - toMeasure.length;
    if (toMeasure.length) {
      const models: ModelInput[] = toMeasure.map((c) => ({ kind: 'config', name: c.config.name, config: c.config }));
      if (anchor) models.unshift({ kind: 'config', name: `anchor-${anchor.config.name}`, config: anchor.config });
      const result = await measurer.measure(models, { slots: 1, ...(options.measure ?? {}), budgetSeconds: options.perCallSeconds, seed: derive(options.seed, 'gen', generation) });
      target = result.target.label;
      const medians = result.models.map((m) => m.median_ms);
      if (!anchor) anchor = { config: toMeasure[0].config, ms: medians[0] };
      const offset = models.length - toMeasure.length;
      const scale = offset ? anchor.ms / medians[0] : 1;
      toMeasure.forEach((c, i) => latencyCache.set(c.hash, medians[i + offset] * scale));
      measured += toMeasure.length;
    }
    for (const c of fresh) {
      if (!proxyCache.has(c.hash)) proxyCache.set(c.hash, await proxy.score(c.config));
      const latency = latencyCache.get(c.hash)!;
      const cand: Candidate = {
        hash: c.hash, config: c.config, genome: c.genome, latency_ms: latency, proxy: proxyCache.get(c.hash)!,
        feasible: latency <= options.latencyTargetMs, origin: c.origin, generation,
      };
      all.push(cand);
      population.push(cand);
    }
    generation++;
    options.onGeneration?.(all.length, paretoFront(all, options.latencyTargetMs));
  };

  /** Draws a genome not seen before (a few retries; duplicates do not count against the budget). */
  // Networks over the resource limits are never built: they are drawn again (and counted as seen).
  let overLimits: UserError | undefined;
  const fresh = (make: () => Genome): Genome | null => {
    for (let tries = 0; tries < 50; tries++) {
      const g = make();
      const config = genomeToConfig(space, g);
      const h = networkHash(config);
      if (seen.has(h)) continue;
      seen.add(h);
      const tooBig = sampleLimitError(space, config, options.limits, options.measure?.batch ?? 1);
      if (tooBig) {
        overLimits = tooBig;
        continue;
      }
      return g;
    }
    return null;
  };

  const better = (a: Candidate, b: Candidate) => {
    if (a.feasible !== b.feasible) return a.feasible ? a : b;
    if (a.feasible) return a.proxy >= b.proxy ? a : b;
    return a.latency_ms <= b.latency_ms ? a : b;
  };
  const selectParent = (): Candidate => {
    const front = paretoFront(all, options.latencyTargetMs);
    if (front.length && rand() < 0.5) return pick(rand, front);
    let best = pick(rand, population);
    for (let i = 0; i < 2; i++) best = better(best, pick(rand, population));
    return best;
  };

  // Initial population (or, in random mode, everything) by uniform sampling.
  while (!outOfBudget()) {
    const room = options.evaluations !== undefined ? options.evaluations - all.length : Infinity;
    const isInit = options.mode === 'random' || all.length < options.population;
    const want = Math.min(options.generation, room, isInit && options.mode === 'evolution' ? options.population - all.length : Infinity);
    const batch: { genome: Genome; origin: Candidate['origin'] }[] = [];
    for (let i = 0; i < want; i++) {
      const g = isInit ? fresh(() => sampleGenome(space, rand)) : fresh(() => mutate(space, selectParent().genome, rand));
      if (g) batch.push({ genome: g, origin: isInit ? 'sample' : 'mutation' });
    }
    if (!batch.length) {
      if (!all.length && overLimits) throw new UserError(`${overLimits.message}; no sampled network fits the limits`);
      break; // the space is exhausted
    }
    await evaluate(batch);
    // Aging: the population keeps the most recent networks (regularised evolution).
    if (population.length > options.population) population = population.slice(population.length - options.population);
  }
  return {
    space: space.name,
    mode: options.mode,
    proxy: proxy.name,
    target,
    latency_target_ms: options.latencyTargetMs,
    evaluations: all.length,
    measured,
    cache_hits: cacheHits,
    front: paretoFront(all, options.latencyTargetMs),
    all,
    wall_s: now() - started,
  };
}

/** A common reference point for comparing fronts: the latency target and the lowest proxy seen. */
export function commonReference(results: SearchResult[]): { latency_ms: number; proxy: number } {
  const proxies = results.flatMap((r) => r.all.map((c) => c.proxy));
  return { latency_ms: results[0].latency_target_ms, proxy: Math.min(...proxies) };
}
