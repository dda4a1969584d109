/**
 * Block profiling from end-to-end measurements only (Mills et al., CIKM 2021), with a paired design: a
 * work unit is one sampled context network and one (stage, layer) position; the variants that differ only
 * in the block at that position are measured interleaved in one Measurer call, so each block's effect is
 * a difference within one context (machine drift and the rest of the network cancel), then averaged over
 * contexts with a 95% interval. Work units are numbered deterministically from the seed, so `--shard i/n`
 * runs a fixed subset and merging the shards' results gives exactly the unsharded result.
 */
import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import { quoteValue } from '../util/describe';
import { countConfig } from '../arch/counts';
import type { ArchConfig } from '../arch/types';
import { UserError } from '../errors';
import type { MeasureOptions, Measurer, ModelInput, Target } from '../measure/types';
import { derive, seeded } from '../util/random';
import { blockKey, blockLabeler, choicesAt, cloneGenome, genomeToConfig, sampleGenome, sampleLimitError, type Genome, type SearchSpace } from './space';
import { mean, meanCI, median, type MeanCI } from '../measure/stats';
import type { ResourceLimits } from '../arch/types';

export const PROFILE_KIND = 'frontier-gate/profile';

/** A training-free accuracy proxy (larger is better). Values it returns are labelled as proxy values. */
export interface AccuracyProxy {
  name: string;
  score(config: ArchConfig): Promise<number>;
}

export interface Position {
  stage: number;
  layer: number;
  /** Indices into the stage's blocks. */
  choices: number[];
}

export interface Shard {
  index: number;
  count: number;
}

export interface UnitResult {
  index: number;
  context: number;
  stage: number;
  layer: number;
  blocks: string[];
  macs: number[];
  median_ms: number[];
  ci95_ms: [number, number][];
  /** Proxy values of the variants (labelled proxy; absent without a proxy). */
  proxy?: number[];
  budget_exhausted: boolean;
  wall_s: number;
}

export interface ProfileResult {
  kind: typeof PROFILE_KIND;
  version: 1;
  space: { name: string; hash: string };
  seed: number;
  samples: number;
  units_total: number;
  /** null for a complete (unsharded or merged) run. */
  shard: Shard | null;
  /** Unit indices this run was responsible for. */
  planned: number[];
  /** Planned units not run because the wall-clock budget ran out. */
  skipped: number[];
  target: Target | null;
  proxy: string | null;
  measure: { budget_per_call_s: number; batch: number; precision: string; threads?: number };
  units: UnitResult[];
  wall_s: number;
}

export interface ProfileOptions {
  samples: number;
  seed: number;
  shard?: Shard;
  /** Total wall-clock budget in seconds: no unit starts when the projected finish passes it. */
  budgetSeconds?: number;
  /** Timed-phase budget of each measurement call (the variants of one unit). */
  perCallSeconds: number;
  measure?: Partial<MeasureOptions>;
  proxy?: AccuracyProxy;
  now?: () => number;
  onUnit?: (done: number, total: number, unit: UnitResult) => void;
  /** Resource limits every sampled network must pass before it is built (defaults: DEFAULT_LIMITS). */
  limits?: Partial<ResourceLimits>;
}

export function spaceHash(space: SearchSpace): string {
  return createHash('sha1').update(JSON.stringify(space)).digest('hex').slice(0, 16);
}

/** Positions where the block is a choice (at least two blocks allowed). */
export function profilePositions(space: SearchSpace): Position[] {
  const out: Position[] = [];
  space.stages.forEach((s, stage) => {
    for (let layer = 0; layer < s.depth.max; layer++) {
      const choices = choicesAt(s, layer);
      if (choices.length >= 2) out.push({ stage, layer, choices });
    }
  });
  return out;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard: expected i/n with 1 <= i <= n (e.g. 2/4), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** Unit u of a shard i/n: u mod n == i - 1 (contexts outer, positions inner, so shards stay balanced). */
export function unitsOfShard(total: number, shard?: Shard): number[] {
  const all = Array.from({ length: total }, (_, i) => i);
  return shard ? all.filter((u) => u % shard.count === shard.index - 1) : all;
}

/** The context network of a unit: sampled from the seed and context number, deep enough for the position. */
export function contextGenome(space: SearchSpace, seed: number, context: number, position: Position): Genome {
  const g = cloneGenome(sampleGenome(space, seeded(derive(seed, 'context', context))));
  const s = g.stages[position.stage];
  s.depth = Math.max(s.depth, position.layer + 1);
  return g;
}

export async function runProfile(space: SearchSpace, measurer: Measurer, options: ProfileOptions): Promise<ProfileResult> {
  const now = options.now ?? (() => performance.now() / 1000);
  const started = now();
  const positions = profilePositions(space);
  if (!positions.length) throw new UserError(`search space ${space.name}: no stage offers a choice of block, nothing to profile`);
  const total = options.samples * positions.length;
  const planned = unitsOfShard(total, options.shard);
  const label = blockLabeler(space);
  const units: UnitResult[] = [];
  const skipped: number[] = [];
  let target: Target | null = null;
  for (const index of planned) {
    const elapsed = now() - started;
    const perUnit = units.length ? elapsed / units.length : 0;
    if (options.budgetSeconds !== undefined && units.length > 0 && elapsed + perUnit > options.budgetSeconds) {
      skipped.push(index);
      continue;
    }
    const context = Math.floor(index / positions.length);
    const position = positions[index % positions.length];
    const unitStart = now();
    const genome = contextGenome(space, options.seed, context, position);
    const stage = space.stages[position.stage];
    const configs = position.choices.map((choice) => {
      const g = cloneGenome(genome);
      g.stages[position.stage].layers[position.layer] = choice;
      return genomeToConfig(space, g, `c${context}.s${position.stage}.l${position.layer}.${label(stage.blocks[choice]).replace(/\s+/g, '-')}`);
    });
    for (const config of configs) {
      const tooBig = sampleLimitError(space, config, options.limits, options.measure?.batch ?? 1);
      if (tooBig) throw new UserError(`${tooBig.message} (context ${context}, stage ${position.stage}, layer ${position.layer}); narrow the space's choices or raise the limit`);
    }
    const models: ModelInput[] = configs.map((config) => ({ kind: 'config', name: config.name, config }));
    const result = await measurer.measure(models, { slots: 1, ...(options.measure ?? {}), budgetSeconds: options.perCallSeconds, seed: derive(options.seed, 'unit', index) });
    target = result.target;
    const proxy = options.proxy ? await Promise.all(configs.map((c) => options.proxy!.score(c))) : undefined;
    const unit: UnitResult = {
      index,
      context,
      stage: position.stage,
      layer: position.layer,
      blocks: position.choices.map((c) => blockKey(stage.blocks[c])),
      macs: configs.map((c) => countConfig(c, 'fp32').macs),
      median_ms: result.models.map((m) => m.median_ms),
      ci95_ms: result.models.map((m) => m.ci95_ms),
      ...(proxy ? { proxy } : {}),
      budget_exhausted: result.budget_exhausted,
      wall_s: now() - unitStart,
    };
    units.push(unit);
    options.onUnit?.(units.length, planned.length, unit);
  }
  return {
    kind: PROFILE_KIND,
    version: 1,
    space: { name: space.name, hash: spaceHash(space) },
    seed: options.seed,
    samples: options.samples,
    units_total: total,
    shard: options.shard && options.shard.count > 1 ? options.shard : null,
    planned,
    skipped,
    target,
    proxy: options.proxy?.name ?? null,
    measure: {
      budget_per_call_s: options.perCallSeconds,
      batch: options.measure?.batch ?? 1,
      precision: options.measure?.precision ?? 'fp32',
      ...(options.measure?.threads ? { threads: options.measure.threads } : {}),
    },
    units,
    wall_s: now() - started,
  };
}

/** Joins shard results of one profile (same space, seed, samples, target, proxy). */
const NUMBERS = { type: 'array', maxItems: 64, items: { type: 'number', minimum: 0 } } as const;
const INDEXES = { type: 'array', maxItems: 1_000_000, items: { type: 'integer', minimum: 0 } } as const;

/**
 * A profile result file is an artifact of another job: every field the merge and the analysis read is
 * checked here before any is used (a unit's lists agree in length; indices are integers).
 */
const PROFILE_RESULT_SCHEMA = {
  type: 'object',
  required: ['kind', 'version', 'space', 'seed', 'samples', 'units_total', 'shard', 'planned', 'skipped', 'target', 'proxy', 'measure', 'units', 'wall_s'],
  properties: {
    kind: { const: PROFILE_KIND },
    version: { const: 1 },
    space: { type: 'object', required: ['name', 'hash'], properties: { name: { type: 'string', maxLength: 200 }, hash: { type: 'string', pattern: '^[0-9a-f]{16}$' } } },
    seed: { type: 'integer', minimum: 0 },
    samples: { type: 'integer', minimum: 1, maximum: 10000 },
    units_total: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    shard: { anyOf: [{ type: 'null' }, { type: 'object', required: ['index', 'count'], properties: { index: { type: 'integer', minimum: 1 }, count: { type: 'integer', minimum: 1 } } }] },
    planned: INDEXES,
    skipped: INDEXES,
    target: { anyOf: [{ type: 'null' }, { type: 'object', required: ['key', 'label'], properties: { key: { type: 'string', maxLength: 200 }, label: { type: 'string', maxLength: 1000 } } }] },
    proxy: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 100 }] },
    measure: { type: 'object' },
    units: {
      type: 'array',
      maxItems: 1_000_000,
      items: {
        type: 'object',
        required: ['index', 'context', 'stage', 'layer', 'blocks', 'macs', 'median_ms', 'ci95_ms', 'budget_exhausted', 'wall_s'],
        properties: {
          index: { type: 'integer', minimum: 0 }, context: { type: 'integer', minimum: 0 }, stage: { type: 'integer', minimum: 0, maximum: 64 },
          layer: { type: 'integer', minimum: 0, maximum: 64 }, blocks: { type: 'array', minItems: 2, maxItems: 64, items: { type: 'string', maxLength: 200 } },
          macs: NUMBERS, median_ms: NUMBERS, ci95_ms: { type: 'array', maxItems: 64, items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } } },
          proxy: { type: 'array', maxItems: 64, items: { type: 'number' } }, budget_exhausted: { type: 'boolean' }, wall_s: { type: 'number', minimum: 0 },
        },
      },
    },
    wall_s: { type: 'number', minimum: 0 },
  },
} as const;

let validateProfile: ReturnType<Ajv['compile']> | undefined;

/** A profile result read from a file (`name` as given), checked; throws exit 2 naming the field. */
export function checkProfileResult(value: unknown, name: string): ProfileResult {
  validateProfile ??= new Ajv({ allErrors: false, strict: false }).compile(PROFILE_RESULT_SCHEMA);
  const bad = (what: string) => new UserError(`merge: ${name}: not a profile result this frontier-gate can merge: ${what}; nothing was merged`);
  if (!validateProfile(value)) {
    const e = validateProfile.errors![0];
    let v: unknown = value;
    for (const p of e.instancePath.split('/').slice(1)) v = (v as Record<string, unknown> | undefined)?.[p];
    throw bad(`${e.instancePath.slice(1).replace(/\//g, '.') || '(top level)'}: ${e.message ?? 'invalid'}, got ${quoteValue(v, 60)}`);
  }
  const r = value as ProfileResult;
  r.units.forEach((u, i) => {
    const n = u.blocks.length;
    if (u.macs.length !== n || u.median_ms.length !== n || u.ci95_ms.length !== n || (u.proxy && u.proxy.length !== n)) {
      throw bad(`units.${i}: blocks, macs, median_ms, ci95_ms (and proxy) must list one value per block`);
    }
    if (new Set(u.blocks).size !== n) throw bad(`units.${i}.blocks: a block is listed twice`);
  });
  if (r.shard && r.shard.index > r.shard.count) throw bad(`shard.index ${r.shard.index} is beyond shard.count ${r.shard.count}`);
  return r;
}

/** The units of a profile of `space` are at its positions and name its blocks (checked before analysing them). */
export function checkUnitsAgainstSpace(result: ProfileResult, space: SearchSpace, name: string): void {
  const positions = new Map(profilePositions(space).map((p) => [`${p.stage}/${p.layer}`, new Set(p.choices.map((c) => blockKey(space.stages[p.stage].blocks[c])))]));
  for (const u of result.units) {
    const keys = positions.get(`${u.stage}/${u.layer}`);
    const stray = keys ? u.blocks.find((b) => !keys.has(b)) : undefined;
    if (!keys || stray !== undefined) {
      throw new UserError(`merge: ${name}: unit ${u.index} (stage ${u.stage}, layer ${u.layer}) ${keys ? `names block ${quoteValue(stray, 60)}, which` : 'is at a position that'} the space ${quoteValue(space.name, 60)} does not offer; nothing was merged`);
    }
  }
}

export function mergeProfiles(parts: ProfileResult[], names: string[] = parts.map((_, i) => `part ${i + 1}`)): ProfileResult {
  if (!parts.length) throw new UserError('merge: no profile results given');
  parts.forEach((p, i) => {
    if (p?.kind !== PROFILE_KIND) throw new UserError(`merge: ${names[i]} is not a frontier-gate profile result (kind ${JSON.stringify(p?.kind)})`);
    checkProfileResult(p, names[i]);
  });
  const first = parts[0];
  const sameAs = (p: ProfileResult, i: number, field: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new UserError(`merge: ${names[i]} differs from ${names[0]} in ${field} (${JSON.stringify(b)} vs ${JSON.stringify(a)}); only shards of one profile run can be merged`);
    }
  };
  parts.forEach((p, i) => {
    sameAs(p, i, 'space', first.space, p.space);
    sameAs(p, i, 'seed', first.seed, p.seed);
    sameAs(p, i, 'samples', first.samples, p.samples);
    sameAs(p, i, 'proxy', first.proxy, p.proxy);
    sameAs(p, i, 'measure settings', first.measure, p.measure);
    if (first.target && p.target) sameAs(p, i, 'target', first.target.key, p.target.key);
  });
  const byIndex = new Map<number, UnitResult>();
  for (const p of parts) for (const u of p.units) if (!byIndex.has(u.index)) byIndex.set(u.index, u);
  const planned = [...new Set(parts.flatMap((p) => p.planned))].sort((a, b) => a - b);
  const units = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const skipped = planned.filter((u) => !byIndex.has(u));
  const counts = new Set(parts.map((p) => p.shard?.count ?? 1));
  const complete = planned.length === first.units_total;
  return {
    ...first,
    shard: complete || counts.size !== 1 ? null : first.shard,
    planned,
    skipped,
    target: parts.find((p) => p.target)?.target ?? null,
    units,
    wall_s: parts.reduce((a, p) => a + p.wall_s, 0),
  };
}

// ---------------------------------------------------------------------------------------------------
// Analysis: a pure function of the units, so merged and unsharded results analyse identically.

/** One unit seen from a stage: the variants' latency, MACs and proxy by block key. */
export interface Replicate {
  context: number;
  layer: number;
  e2e_ms: number;
  ms: Record<string, number>;
  macs: Record<string, number>;
  proxy?: Record<string, number>;
  /** The variant with the fewest MACs: the base of the MAC-explained model. */
  base: string;
}

export interface CellStat {
  stage: number;
  layer: number;
  key: string;
  label: string;
  /** Latency relative to the mean of the position's choices, ms and % of end-to-end. */
  effect: MeanCI;
  pct: MeanCI;
  proxy?: MeanCI;
}

export interface StageBlockStat {
  stage: number;
  key: string;
  label: string;
  effect: MeanCI;
  pct: MeanCI;
  /** Latency over the stage's fewest-MAC block beyond what the extra MACs predict at the stage's rate. */
  excess: MeanCI;
  excessPct: MeanCI;
  /** Latency over the stage's fewest-MAC block (the increment the excess is part of), ms. */
  increment: MeanCI;
  macsDelta: number;
  proxy?: MeanCI;
}

export interface ProfileAnalysis {
  space: string;
  target: string;
  contexts: number;
  units: number;
  skipped: number;
  e2e_ms: number;
  /** Per stage: the device's median ms per GMAC between variants (Theil-Sen slope). */
  msPerGMac: number[];
  cells: CellStat[];
  stages: StageBlockStat[];
  replicates: Replicate[][];
  labels: Record<string, string>;
  hasProxy: boolean;
  proxyName: string | null;
}

export function analyzeProfile(space: SearchSpace, result: ProfileResult): ProfileAnalysis {
  const label = blockLabeler(space);
  const labels: Record<string, string> = {};
  for (const s of space.stages) for (const b of s.blocks) labels[blockKey(b)] = label(b);
  const units = [...result.units].sort((a, b) => a.index - b.index);
  const replicates: Replicate[][] = space.stages.map(() => []);
  for (const u of units) {
    const e2e = mean(u.median_ms);
    const ms: Record<string, number> = {};
    const macs: Record<string, number> = {};
    const proxy: Record<string, number> | undefined = u.proxy ? {} : undefined;
    u.blocks.forEach((k, i) => {
      ms[k] = u.median_ms[i];
      macs[k] = u.macs[i];
      if (proxy && u.proxy) proxy[k] = u.proxy[i];
    });
    const base = u.blocks.reduce((best, k) => (macs[k] < macs[best] ? k : best), u.blocks[0]);
    replicates[u.stage]?.push({ context: u.context, layer: u.layer, e2e_ms: e2e, ms, macs, proxy, base });
  }
  const msPerGMac = replicates.map((reps) => {
    const slopes: number[] = [];
    for (const r of reps) {
      for (const k of Object.keys(r.ms)) {
        const dm = r.macs[k] - r.macs[r.base];
        if (dm > 1e-6 * r.macs[r.base]) slopes.push((r.ms[k] - r.ms[r.base]) / (dm / 1e9));
      }
    }
    return slopes.length ? median(slopes) : 0;
  });

  const cells: CellStat[] = [];
  const cellKey = new Map<string, { stage: number; layer: number; key: string; effects: number[]; pcts: number[]; proxies: number[] }>();
  replicates.forEach((reps, stage) => {
    for (const r of reps) {
      const keys = Object.keys(r.ms);
      const proxyMean = r.proxy ? mean(keys.map((k) => r.proxy![k])) : 0;
      for (const k of keys) {
        const id = `${stage}|${r.layer}|${k}`;
        let c = cellKey.get(id);
        if (!c) cellKey.set(id, (c = { stage, layer: r.layer, key: k, effects: [], pcts: [], proxies: [] }));
        const effect = r.ms[k] - r.e2e_ms;
        c.effects.push(effect);
        c.pcts.push((100 * effect) / r.e2e_ms);
        if (r.proxy) c.proxies.push(r.proxy[k] - proxyMean);
      }
    }
  });
  for (const c of cellKey.values()) {
    cells.push({
      stage: c.stage, layer: c.layer, key: c.key, label: labels[c.key] ?? c.key, effect: meanCI(c.effects), pct: meanCI(c.pcts),
      ...(c.proxies.length ? { proxy: meanCI(c.proxies) } : {}),
    });
  }
  cells.sort((a, b) => a.stage - b.stage || a.layer - b.layer || space.stages[a.stage].blocks.findIndex((x) => blockKey(x) === a.key) - space.stages[b.stage].blocks.findIndex((x) => blockKey(x) === b.key));

  const stages: StageBlockStat[] = [];
  replicates.forEach((reps, stage) => {
    if (!reps.length) return;
    for (const b of space.stages[stage].blocks) {
      const key = blockKey(b);
      const mine = reps.filter((r) => key in r.ms);
      if (!mine.length) continue;
      const effects = mine.map((r) => r.ms[key] - r.e2e_ms);
      const excess = mine.map((r) => r.ms[key] - r.ms[r.base] - (msPerGMac[stage] * (r.macs[key] - r.macs[r.base])) / 1e9);
      const proxies = mine.filter((r) => r.proxy).map((r) => r.proxy![key] - mean(Object.values(r.proxy!)));
      stages.push({
        stage, key, label: labels[key],
        effect: meanCI(effects),
        pct: meanCI(mine.map((r, i) => (100 * effects[i]) / r.e2e_ms)),
        excess: meanCI(excess),
        excessPct: meanCI(mine.map((r, i) => (100 * excess[i]) / r.e2e_ms)),
        increment: meanCI(mine.map((r) => r.ms[key] - r.ms[r.base])),
        macsDelta: mean(mine.map((r) => r.macs[key] - mean(Object.values(r.macs)))),
        ...(proxies.length ? { proxy: meanCI(proxies) } : {}),
      });
    }
  });
  return {
    space: space.name,
    target: result.target?.label ?? 'unknown target',
    contexts: new Set(units.map((u) => u.context)).size,
    units: units.length,
    skipped: result.skipped.length,
    e2e_ms: units.length ? mean(units.map((u) => mean(u.median_ms))) : NaN,
    msPerGMac,
    cells,
    stages,
    replicates,
    labels,
    hasProxy: units.some((u) => u.proxy),
    proxyName: result.proxy,
  };
}
