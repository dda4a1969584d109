/**
 * Which stored models a check re-measures beside a candidate. Stored latencies (of any target) only rank
 * models here, to decide what to measure; a verdict never compares them. The models at least as accurate
 * that the pre-filter leaves out are returned too, so the report can name them.
 */
import { paretoFrontier } from './pareto';
import { ACCURACY_EPSILON } from './position';
import { ownEntry, type FrontierRecord } from './store';

export const DEFAULT_NEIGHBORS = 3;
/** Contenders whose stored (proxy) latency is within this factor of the fastest one are all re-measured. */
export const CONTENDER_SPREAD = 1.5;

export interface SelectionEstimate {
  /** Proxy latency per record name (ms on the reference target, or MACs scaled onto it). */
  proxy: Map<string, number>;
  /** Scale from MACs to proxy ms, for configs without a stored measurement (the candidate). */
  msPerMac: number;
  /** The stored target the ranking is based on; undefined when none is stored (MACs only). */
  referenceTarget?: string;
}

/**
 * Proxy latencies for ranking only: the stored medians of the target most records were measured on, and
 * MACs scaled by the median ms-per-MAC for records without one. Never used as a verdict's latency.
 */
export function selectionEstimate(records: readonly FrontierRecord[], macsOf: (r: FrontierRecord) => number): SelectionEstimate {
  const counts = new Map<string, number>();
  for (const r of records) for (const key of Object.keys(r.targets)) counts.set(key, (counts.get(key) ?? 0) + 1);
  const referenceTarget = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  const perMac: number[] = [];
  for (const r of records) {
    const m = referenceTarget ? ownEntry(r.targets, referenceTarget)?.latest : undefined;
    if (m) perMac.push(m.median_ms / Math.max(1, macsOf(r)));
  }
  perMac.sort((a, b) => a - b);
  const msPerMac = perMac.length ? perMac[Math.floor(perMac.length / 2)] : 1e-9;
  const proxy = new Map<string, number>();
  for (const r of records) {
    const m = referenceTarget ? ownEntry(r.targets, referenceTarget)?.latest : undefined;
    proxy.set(r.name, m ? m.median_ms : Math.max(1, macsOf(r)) * msPerMac);
  }
  return { proxy, msPerMac, referenceTarget };
}

export interface Selected {
  record: FrontierRecord;
  /**
   * Why it was picked: could dominate (a contender within the stored-latency spread) or a neighbour for
   * context. The report's role is decided after measuring, by accuracy alone (ModelRow.role).
   */
  role: 'contender' | 'neighbour';
  proxy_ms: number;
}

/** Why a stored model at least as accurate as the candidate (a contender by the rule) was not re-measured. */
export type SkipReason = 'spread' | 'limit' | 'off-stored-frontier';

export interface Skipped {
  name: string;
  accuracy: number;
  /** Its proxy latency (stored median, or MACs scaled), the pre-filter's only input. */
  stored_ms: number;
  reason: SkipReason;
}

/** Skipped contenders listed by name in a result; the rest are counted. */
export const SKIPPED_LISTED = 10;

export interface Selection {
  models: Selected[];
  /** Stored models at least as accurate that are not re-measured, fastest stored first (at most SKIPPED_LISTED). */
  skipped: Skipped[];
  skipped_total: number;
}

/**
 * The stored models to measure beside a candidate: the fastest frontier models at least as accurate
 * (minus the tolerance) whose stored latency is within CONTENDER_SPREAD of the fastest such model's, plus
 * its nearest frontier neighbours above and below its accuracy, in turn (by latency when the candidate has
 * no accuracy) up to `neighbors` models in all. A stored record of the same name is the candidate's previous
 * version and is left out. Stored latencies only pre-filter what is measured: the models at least as
 * accurate that are left out come back in `skipped`, with the reason, for the report to say.
 */
export function selectModels(
  records: readonly FrontierRecord[],
  candidate: { name: string; accuracy: number | null; macs: number },
  opts: { neighbors: number; accuracyTolerance: number },
  estimate: SelectionEstimate,
): Selection {
  const eligible = records.filter((r) => r.name !== candidate.name);
  const proxyOf = (r: FrontierRecord) => estimate.proxy.get(r.name) ?? Infinity;
  const points = eligible.filter((r) => r.accuracy).map((r) => ({ name: r.name, accuracy: r.accuracy!.top1, latency: proxyOf(r), record: r }));
  const frontier = paretoFrontier(points);
  const chosen: Selected[] = [];
  const take = (r: FrontierRecord, role: Selected['role']) => {
    if (!chosen.some((c) => c.record.name === r.name)) chosen.push({ record: r, role, proxy_ms: proxyOf(r) });
  };
  if (candidate.accuracy === null) {
    const mine = Math.max(1, candidate.macs) * estimate.msPerMac;
    const pool = frontier.length ? frontier.map((p) => p.record) : eligible;
    const byLatency = [...pool].sort((a, b) => Math.abs(Math.log(proxyOf(a) / mine)) - Math.abs(Math.log(proxyOf(b) / mine)));
    for (const r of byLatency.slice(0, opts.neighbors)) take(r, 'neighbour');
    return { models: chosen, skipped: [], skipped_total: 0 };
  }
  const acc = candidate.accuracy;
  const asAccurate = (p: { accuracy: number }) => p.accuracy >= acc - opts.accuracyTolerance - ACCURACY_EPSILON;
  const contenders = frontier.filter(asAccurate); // fastest first
  const cap = Math.max(1, opts.neighbors);
  const withinSpread = (p: { latency: number }) => p.latency <= contenders[0].latency * CONTENDER_SPREAD;
  for (const p of contenders) {
    if (withinSpread(p) && chosen.length < cap) take(p.record, 'contender');
  }
  // Neighbours bracket the candidate: the nearest frontier models above and below its accuracy, in turn.
  const distance = (p: { accuracy: number }) => Math.abs(p.accuracy - acc);
  const above = frontier.filter((p) => p.accuracy >= acc).sort((a, b) => distance(a) - distance(b) || a.latency - b.latency);
  const below = frontier.filter((p) => p.accuracy < acc).sort((a, b) => distance(a) - distance(b) || a.latency - b.latency);
  const bracketing: typeof frontier = [];
  for (let i = 0; i < Math.max(above.length, below.length); i++) {
    const pair = [above[i], below[i]].filter((p) => p !== undefined).sort((a, b) => distance(a) - distance(b));
    bracketing.push(...pair);
  }
  for (const p of bracketing) {
    if (chosen.length >= opts.neighbors) break;
    take(p.record, 'neighbour');
  }
  const onFrontier = new Set(frontier.map((p) => p.name));
  const skipped: Skipped[] = points
    .filter((p) => asAccurate(p) && !chosen.some((c) => c.record.name === p.name))
    .sort((a, b) => a.latency - b.latency || (a.name < b.name ? -1 : 1))
    .map((p) => ({
      name: p.name, accuracy: p.accuracy, stored_ms: p.latency,
      reason: !onFrontier.has(p.name) ? 'off-stored-frontier' : withinSpread(p) ? 'limit' : 'spread',
    }));
  return { models: chosen, skipped: skipped.slice(0, SKIPPED_LISTED), skipped_total: skipped.length };
}
