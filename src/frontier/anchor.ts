/**
 * The sweep's anchor: the model every other model is measured beside, night after night, so that drift is
 * judged on ratios to it (./drift.ts) and shards on different runners combine through it (./shard.ts).
 */
import { countConfig } from '../arch/counts';
import { UserError } from '../errors';
import { hasConfig, type FrontierStore } from './store';

/** The anchor most of the records' latest measurements name, if it is still a record (ties by name). */
export function lastAnchor(store: FrontierStore): string | undefined {
  const counts = new Map<string, number>();
  for (const r of store.records) for (const t of Object.values(r.targets)) if (t.latest.anchor) counts.set(t.latest.anchor, (counts.get(t.latest.anchor) ?? 0) + 1);
  const ranked = [...counts].filter(([name]) => store.records.some((r) => r.name === name)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return ranked[0]?.[0];
}

/**
 * The anchors: the names given, else the anchor the store's latest measurements were taken against, else
 * the record with the median MACs (ties by name). A mid-sized model:
 * long enough to time precisely, short enough not to eat the budget. The first anchor is the reference of
 * every ratio; further anchors are measured in every shard as a cross-check.
 */
export function chooseAnchors(store: FrontierStore, names?: readonly string[]): string[] {
  if (!store.records.length) throw new UserError('sweep --shard: the store has no records; add some with frontier-gate record');
  if (names?.length) {
    for (const n of names) {
      if (!store.records.some((r) => r.name === n)) {
        throw new UserError(`--anchor: ${JSON.stringify(n)} is not a record of the store (records: ${store.records.slice(0, 8).map((r) => r.name).join(', ')}${store.records.length > 8 ? ', …' : ''})`);
      }
    }
    return [...new Set(names)];
  }
  // The anchor the store's measurements were last taken against, while it is still a record: a new anchor
  // starts every model's ratio history afresh.
  const stored = lastAnchor(store);
  if (stored) return [stored];
  // Every shard must measure the anchor: a config (rebuilt anywhere) rather than a file that may be missing.
  const built = store.records.filter(hasConfig);
  const ranked = (built.length ? built : store.records)
    .map((r) => ({ name: r.name, macs: hasConfig(r) ? countConfig(r.config).macs : r.onnx!.counts.macs }))
    .sort((a, b) => a.macs - b.macs || (a.name < b.name ? -1 : 1));
  return [ranked[Math.floor((ranked.length - 1) / 2)].name];
}

/** The records of shard i/n (anchors excluded: every shard measures them anyway). */
