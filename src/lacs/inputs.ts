/** Turning trained configs (a store's records, YAML configs with `accuracy`) into LACS inputs. */
import type { ArchConfig } from '../arch/types';
import { hasConfig, type ConfigRecord, type FrontierStore } from '../frontier/store';
import type { AccuracyRecord } from './accuracy';
import type { FrontierInput } from './run';

export interface LacsInputs {
  /** For the accuracy predictor. */
  records: AccuracyRecord[];
  /** Re-measured in the family call; positions are computed against their Pareto set. */
  frontier: FrontierInput[];
}

/** Configs that carry `accuracy`, first occurrence of a name wins. */
export function inputsFromConfigs(configs: ArchConfig[]): LacsInputs {
  const byName = new Map<string, ArchConfig>();
  for (const c of configs) if (c.accuracy && !byName.has(c.name)) byName.set(c.name, c);
  const records = [...byName.values()].map((c) => ({ config: c, top1: c.accuracy!.top1, name: c.name }));
  const frontier: FrontierInput[] = records.map((r) => ({ name: r.name, accuracy: r.top1, model: { kind: 'config', name: r.name, config: r.config } }));
  return { records, frontier };
}

/** A frontier store's records with accuracy, as configs (the store keeps accuracy beside the config). */
export function configsFromStore(store: FrontierStore): ArchConfig[] {
  // .onnx records have no config to scale or fit: LACS reads the networks it can rebuild.
  return store.records
    .filter((r): r is ConfigRecord => r.accuracy !== null && hasConfig(r))
    .map((r) => ({ ...r.config, name: r.name, accuracy: { top1: r.accuracy!.top1, ...(r.accuracy!.source ? { source: r.accuracy!.source } : {}) } }));
}
