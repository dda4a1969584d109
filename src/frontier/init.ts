/**
 * `frontier-gate init`: a model repository starts from nothing. From the repository's architecture
 * configs and, with --zoo, published models of the catalogue, build the first frontier store (one record per
 * config or published result, with its accuracy; no measurement yet:
 * the first push or sweep, or `init --measure`, measures them on the runner) and the workflow to add.
 * Pure: the caller finds and parses the configs and writes the files.
 */
import type { ArchConfig } from '../arch/types';
import { UserError } from '../errors';
import { initWorkflow, type InitOptions } from './init-workflow';
import type { GateModel } from './models';
import { emptyStore, newRecord, type FrontierRecord, type FrontierStore, type Provenance, type StoredAccuracy } from './store';

export { DEFAULT_CHART_BRANCH, DEFAULT_INIT_BRANCH, DEFAULT_INIT_CONFIGS, initWorkflow, type InitOptions } from './init-workflow';

export interface InitConfig {
  /** Repository-relative path. */
  file: string;
  config: ArchConfig;
}

export interface InitRow {
  name: string;
  /** The config's repository path; for a published model, its weights (`torchvision IMAGENET1K_V2`). */
  file: string;
  provenance: Provenance;
  accuracy: number | null;
}

/** A published model of the catalogue to put on the new store (frontier/published.ts). */
export interface InitPublished {
  model: GateModel;
  accuracy: StoredAccuracy;
}

export interface InitResult {
  store: FrontierStore;
  rows: InitRow[];
  /** Configs without an accuracy: the gate can only report their position (or read a metrics file). */
  withoutAccuracy: string[];
  /** The workflow to add as .github/workflows/frontier.yml. */
  workflow: string;
}

/**
 * The first store from the repository's configs and, with `published`, models of the catalogue (their
 * published top-1 kept with each). Names must be unique (they key the records).
 */
export function initStore(configs: readonly InitConfig[], opts: InitOptions, published: readonly InitPublished[] = []): InitResult {
  if (!configs.length && !published.length) throw new UserError(`init: no architecture config matches ${JSON.stringify(opts.configs)}; pass --configs GLOB (or --zoo for published models)`);
  const seen = new Map<string, string>();
  const entries: { name: string; from: string; record: FrontierRecord }[] = [];
  for (const c of configs) entries.push({ name: c.config.name, from: c.file, record: newRecord(c.config, accuracyOf(c.config)) });
  for (const p of published) {
    const config = p.model.config!;
    entries.push({ name: p.model.name, from: `${p.model.published!.source} ${p.model.published!.weights}`, record: newRecord(config, p.accuracy, p.model.published) });
  }
  for (const e of entries) {
    const other = seen.get(e.name);
    if (other) throw new UserError(`init: ${e.from} and ${other} are both named ${JSON.stringify(e.name)}; names key the store's records and must differ`);
    seen.set(e.name, e.from);
  }
  const store = emptyStore();
  const rows: InitRow[] = [];
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    store.records.push(e.record);
    rows.push({ name: e.name, file: e.from, provenance: e.record.provenance, accuracy: e.record.accuracy?.top1 ?? null });
  }
  return { store, rows, withoutAccuracy: rows.filter((r) => r.accuracy === null).map((r) => r.name), workflow: initWorkflow(opts) };
}

function accuracyOf(config: ArchConfig): StoredAccuracy | null {
  const a = config.accuracy;
  return a ? { top1: a.top1, dataset: a.dataset ?? null, source: a.source ?? null } : null;
}
