/**
 * accept-drift: a step the team has understood (a new driver, a runtime upgrade, an intended model change)
 * becomes the new baseline. Per record on the target, drift is then judged only on measurements from the
 * baseline's `since` on; by default that is where the record's ratio series last changed (its last change
 * point, ./changepoint.ts), else its latest measurement. Nothing is measured and no history is deleted.
 */
import { UserError } from '../errors';
import { changePoints } from './changepoint';
import { ratioSeries } from './drift';
import { ownEntry, type FrontierStore } from './store';
import type { BaselineUpdate } from './updates';

export interface AcceptOptions {
  /** The target key; may be left out when the store has one target. */
  target?: string;
  /** Records to accept; default every record measured on the target. */
  models?: string[];
  /** Accept from this date on, for every named record (ISO date); default per record as above. */
  since?: string;
  note?: string;
}

export interface AcceptedRow {
  name: string;
  since: string;
  /** Where `since` came from. */
  from: 'change-point' | 'latest' | 'given';
}

export function targetsOf(store: FrontierStore): string[] {
  return [...new Set(store.records.flatMap((r) => Object.keys(r.targets)))].sort();
}

/** The baseline updates for an acceptance, and what they say. Pure; throws exit 2 naming the bad value. */
export function acceptDrift(store: FrontierStore, options: AcceptOptions, now: Date): { target: string; rows: AcceptedRow[]; updates: BaselineUpdate[] } {
  const targets = targetsOf(store);
  const target = options.target ?? (targets.length === 1 ? targets[0] : undefined);
  if (!target) {
    throw new UserError(`accept-drift: the store has ${targets.length ? `${targets.length} targets` : 'no measurements'}; name one with --target (${targets.slice(0, 6).join(', ') || 'none'})`);
  }
  if (!targets.includes(target)) throw new UserError(`accept-drift: --target ${JSON.stringify(target)} has no measurements in the store (targets: ${targets.slice(0, 6).join(', ') || 'none'})`);
  let since: string | undefined;
  if (options.since !== undefined) {
    const t = Date.parse(options.since);
    if (Number.isNaN(t)) throw new UserError(`accept-drift: --since expected a date (2026-12-01 or an ISO time), got ${JSON.stringify(options.since)}`);
    since = new Date(t).toISOString();
  }
  const measured = store.records.filter((r) => ownEntry(r.targets, target));
  for (const name of options.models ?? []) {
    if (!measured.some((r) => r.name === name)) throw new UserError(`accept-drift: --model ${JSON.stringify(name)} has no measurement on ${target}`);
  }
  const chosen = options.models ? measured.filter((r) => options.models!.includes(r.name)) : measured;
  const accepted = now.toISOString();
  const rows: AcceptedRow[] = [];
  const updates: BaselineUpdate[] = [];
  for (const r of chosen) {
    const entry = ownEntry(r.targets, target)!;
    let row: AcceptedRow;
    if (since) row = { name: r.name, since, from: 'given' };
    else {
      const series = entry.latest.anchor ? ratioSeries(entry, entry.latest.anchor) : [];
      const cps = changePoints(series.map((p) => p.ratio));
      row = cps.length ? { name: r.name, since: series[cps[cps.length - 1].index].date, from: 'change-point' } : { name: r.name, since: entry.latest.date, from: 'latest' };
    }
    rows.push(row);
    updates.push({ name: r.name, target, baseline: { since: row.since, accepted, ...(options.note ? { note: options.note } : {}) } });
  }
  return { target, rows, updates };
}
