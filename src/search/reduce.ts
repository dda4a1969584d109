/**
 * Hardware-specific search-space reduction from a profile: drop, per stage, the blocks that cost latency on
 * this device without an accuracy benefit beyond noise, and say which rule and which numbers removed each.
 *
 * - With an accuracy proxy in the profile ("dominated"): block b goes when some block a of the same stage
 *   is faster by at least `minEffectPct` of end-to-end latency (95% CI of the paired difference above 0)
 *   and b's proxy gain over a is not beyond noise (the CI of the paired proxy difference reaches 0 or below).
 * - Without accuracy information ("mac-excess"): extra MACs stand in for extra capacity, so block b goes
 *   when its latency over the stage's fewest-MAC block exceeds what its extra MACs predict at the stage's
 *   ms-per-MAC rate by at least `minEffectPct` of end-to-end latency (CI above 0) and that excess is at least
 *   `minExcessShare` of its increment (most of its extra latency is not compute). This is the kernel-7 case
 *   on an NPU: kernel 7 adds few MACs but much latency.
 * A stage always keeps at least one block (the one with the lowest latency effect).
 */
import type { ProfileAnalysis, StageBlockStat } from './profile';
import { blockKey, spaceSize, type SearchSpace } from './space';
import { meanCI, type MeanCI } from '../measure/stats';

export interface ReductionOptions {
  /** Smallest latency cost worth a removal, % of end-to-end latency. */
  minEffectPct: number;
  /** mac-excess rule: the share of the block's latency increment its MACs do not explain. */
  minExcessShare: number;
}

export const DEFAULT_REDUCTION: ReductionOptions = { minEffectPct: 0.5, minExcessShare: 0.35 };

export interface Removal {
  stage: number;
  stageName: string;
  key: string;
  label: string;
  rule: 'dominated' | 'mac-excess';
  /** Human-readable numbers that justified the removal. */
  because: string;
  latency_pct: MeanCI;
  proxy_gain?: MeanCI;
  versus?: string;
}

export interface Reduction {
  space: SearchSpace;
  removals: Removal[];
  sizeBefore: number;
  sizeAfter: number;
  options: ReductionOptions;
}

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const ci = (c: MeanCI, d = 2) => `[${fmt(c.ci95[0], d)}, ${fmt(c.ci95[1], d)}]`;

function pairedDiffs(analysis: ProfileAnalysis, stage: number, b: string, a: string) {
  const latency: number[] = [];
  const proxy: number[] = [];
  for (const r of analysis.replicates[stage]) {
    if (!(a in r.ms) || !(b in r.ms)) continue;
    latency.push((100 * (r.ms[b] - r.ms[a])) / r.e2e_ms);
    if (r.proxy) proxy.push(r.proxy[b] - r.proxy[a]);
  }
  return { latency: meanCI(latency), proxy: meanCI(proxy) };
}

export function reduceSpace(space: SearchSpace, analysis: ProfileAnalysis, options: ReductionOptions = DEFAULT_REDUCTION): Reduction {
  const removals: Removal[] = [];
  const reduced: SearchSpace = structuredClone(space);
  reduced.name = `${space.name}-reduced`;
  space.stages.forEach((stage, si) => {
    const stats = analysis.stages.filter((s) => s.stage === si);
    if (stats.length < 2) return;
    const drop: Removal[] = [];
    for (const b of stats) {
      const removal = analysis.hasProxy ? dominatedRemoval(analysis, si, b, stats, options) : macExcessRemoval(b, options);
      if (removal) drop.push({ ...removal, stageName: stage.name });
    }
    // Never empty a stage: keep the block with the lowest latency effect.
    if (drop.length >= stage.blocks.length) {
      const keep = [...stats].sort((x, y) => x.effect.mean - y.effect.mean)[0].key;
      drop.splice(drop.findIndex((d) => d.key === keep), 1);
    }
    const gone = new Set(drop.map((d) => d.key));
    reduced.stages[si].blocks = stage.blocks.filter((b) => !gone.has(blockKey(b)));
    removals.push(...drop);
  });
  return { space: reduced, removals, sizeBefore: spaceSize(space), sizeAfter: spaceSize(reduced), options };
}

function macExcessRemoval(b: StageBlockStat, o: ReductionOptions): Omit<Removal, 'stageName'> | null {
  const share = b.increment.mean > 0 ? b.excess.mean / b.increment.mean : 0;
  if (!(b.excessPct.mean >= o.minEffectPct && b.excessPct.ci95[0] > 0 && share >= o.minExcessShare)) return null;
  return {
    stage: b.stage, key: b.key, label: b.label, rule: 'mac-excess', latency_pct: b.excessPct,
    because: `costs ${fmt(b.excess.mean, 3)} ms (${fmt(b.excessPct.mean)}% of end-to-end, 95% CI ${ci(b.excessPct)}%) more than its extra MACs predict at this stage's rate, ${fmt(100 * share, 0)}% of its ${fmt(b.increment.mean, 3)} ms increment over the fewest-MAC block (n=${b.excessPct.n}); thresholds ${o.minEffectPct}% and ${fmt(100 * o.minExcessShare, 0)}%`,
  };
}

function dominatedRemoval(analysis: ProfileAnalysis, stage: number, b: StageBlockStat, stats: StageBlockStat[], o: ReductionOptions): Omit<Removal, 'stageName'> | null {
  let best: { a: StageBlockStat; latency: MeanCI; proxy: MeanCI } | null = null;
  for (const a of stats) {
    if (a.key === b.key) continue;
    const d = pairedDiffs(analysis, stage, b.key, a.key);
    const slower = d.latency.mean >= o.minEffectPct && d.latency.ci95[0] > 0;
    const noGain = d.proxy.n > 0 && !(d.proxy.ci95[0] > 0);
    if (slower && noGain && (!best || d.latency.mean > best.latency.mean)) best = { a, ...d };
  }
  if (!best) return null;
  return {
    stage: b.stage, key: b.key, label: b.label, rule: 'dominated', latency_pct: best.latency, proxy_gain: best.proxy, versus: best.a.label,
    because: `is ${fmt(best.latency.mean)}% of end-to-end slower than ${best.a.label} (95% CI ${ci(best.latency)}%, n=${best.latency.n}) with a proxy gain of ${fmt(best.proxy.mean, 3)} (proxy; 95% CI ${ci(best.proxy, 3)}), not beyond noise`,
  };
}
