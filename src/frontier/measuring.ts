/**
 * What check, record and sweep share: their dependencies (the measurer, and the repository stored .onnx
 * records are read from), stored configs checked like any input, and reading the measurer's result. Latency comparisons are only ever
 * side by side: the models compared are measured in one interleaved run on this machine.
 */
import { checkResourceLimits } from '../arch/parse';
import { UserError } from '../errors';
import type { MeasureResult, Measurer, ModelMeasurement } from '../measure/types';
import type { ModelFiles } from './models';
import type { FrontierRecord, FrontierStore } from './store';

export interface GateDeps {
  measurer: Measurer;
  now?: () => Date;
  /** Commit the measurement belongs to (GITHUB_SHA or git HEAD); recorded with each measurement. */
  commit?: string;
  /** Called as each of several candidates (or records) is done, for a progress line. */
  onItem?: (done: number, total: number, name: string) => void;
  /** The repository stored .onnx records are read from (their paths are relative to its root). */
  files?: ModelFiles;
}

/**
 * A stored config is input like any other (a PR can edit the store): it must fit the resource limits and
 * have possible shapes before anything is built from it. An .onnx record's MACs are its stored counts (its
 * file is read, with every limit, only when it is measured).
 */
export function checkStoredConfig(record: FrontierRecord, storeFile?: string): { macs: number } {
  if (record.onnx) return { macs: record.onnx.counts.macs };
  try {
    return checkResourceLimits(record.config!);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${storeFile ?? 'frontier store'}: record ${JSON.stringify(record.name)}: ${err.message}`);
    throw err;
  }
}

/**
 * Every stored config checked as check and sweep check the ones they build: a command that only reads the
 * store (report --html counts every record) refuses an impossible one the same way (exit 2), not with a crash.
 */
export function checkStoredConfigs(store: FrontierStore, storeFile?: string): void {
  for (const r of store.records) checkStoredConfig(r, storeFile);
}

export function measurementOf(result: MeasureResult, name: string): ModelMeasurement {
  const m = result.models.find((x) => x.name === name);
  if (!m) throw new Error(`measurer returned no measurement for ${name}`);
  return m;
}
