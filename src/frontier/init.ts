/**
 * `frontier-gate init`: a model repository starts from nothing. From the repository's architecture
 * configs, build the first frontier store (one record per config, with its accuracy; no measurement yet:
 * the first push or sweep, or `init --measure`, measures them on the runner) and the workflow to add.
 * Pure: the caller finds and parses the configs and writes the files.
 */
import type { ArchConfig } from '../arch/types';
import { UserError } from '../errors';
import { initWorkflow, type InitOptions } from './init-workflow';
import { configHash, emptyStore, storedConfig, type FrontierStore, type StoredAccuracy } from './store';

export { DEFAULT_CHART_BRANCH, DEFAULT_INIT_BRANCH, DEFAULT_INIT_CONFIGS, initWorkflow, type InitOptions } from './init-workflow';

export interface InitConfig {
  /** Repository-relative path. */
  file: string;
  config: ArchConfig;
}

export interface InitRow {
  name: string;
  file: string;
  accuracy: number | null;
}

export interface InitResult {
  store: FrontierStore;
  rows: InitRow[];
  /** Configs without an accuracy: the gate can only report their position (or read a metrics file). */
  withoutAccuracy: string[];
  /** The workflow to add as .github/workflows/frontier.yml. */
  workflow: string;
}

/** The first store from the repository's configs. Names must be unique (they key the records). */
export function initStore(configs: readonly InitConfig[], opts: InitOptions): InitResult {
  if (!configs.length) throw new UserError(`init: no architecture config matches ${JSON.stringify(opts.configs)}; pass --configs GLOB`);
  const seen = new Map<string, string>();
  for (const c of configs) {
    const other = seen.get(c.config.name);
    if (other) throw new UserError(`init: ${c.file} and ${other} are both named ${JSON.stringify(c.config.name)}; names key the store's records and must differ`);
    seen.set(c.config.name, c.file);
  }
  const store = emptyStore();
  const rows: InitRow[] = [];
  for (const c of [...configs].sort((a, b) => (a.config.name < b.config.name ? -1 : 1))) {
    const config = storedConfig(c.config);
    const a = c.config.accuracy;
    const accuracy: StoredAccuracy | null = a ? { top1: a.top1, dataset: a.dataset ?? null, source: a.source ?? null } : null;
    store.records.push({ name: c.config.name, accuracy, config_hash: configHash(config), config, targets: {} });
    rows.push({ name: c.config.name, file: c.file, accuracy: accuracy?.top1 ?? null });
  }
  return { store, rows, withoutAccuracy: rows.filter((r) => r.accuracy === null).map((r) => r.name), workflow: initWorkflow(opts) };
}
