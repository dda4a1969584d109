/**
 * LACS beside the gate: `check` and `record` of a `family: base` config also recompute its compound-scaling
 * coefficients on this runner (src/lacs/gate.ts). Composed here, at the command layer, after the gate's own
 * measurements (so LACS's calls never share a run with the verdict's models): frontier/ knows nothing of
 * LACS, and LACS never changes a verdict or an exit code.
 */
import type { CheckReport } from '../frontier/check';
import type { GateDeps } from '../frontier/measuring';
import type { RecordInput, RecordReport } from '../frontier/record';
import type { FrontierStore } from '../frontier/store';
import { applyRecordUpdates, type RecordUpdate } from '../frontier/updates';
import { gateLacs, type GateLacs } from '../lacs/gate';
import type { LacsOptions } from '../lacs/run';
import type { MeasureOptions } from '../measure/types';
import type { CheckResult, RecordResult } from '../report/result';

/** LACS for `family: base` configs: false = off; an object (may be empty) = on, overriding GATE_LACS_OPTIONS. */
export type GateLacsOption = Partial<LacsOptions> | false;

/** The report carries the comparison; the store entry goes into the update only. */
function withoutEntry(g: GateLacs): GateLacs {
  const { entry: _entry, ...rest } = g;
  void _entry;
  return rest;
}

/** The check's result with each `family: base` candidate's LACS section (when on). */
export async function checkWithLacs(
  report: CheckReport,
  store: FrontierStore,
  candidates: readonly Pick<RecordInput, 'model'>[],
  settings: { lacs: GateLacsOption; measure?: Partial<MeasureOptions> },
  deps: GateDeps,
): Promise<CheckResult> {
  const result: CheckResult = { ...report, settings: { ...report.settings, lacs: settings.lacs !== false }, candidates: [...report.candidates] };
  if (settings.lacs === false) return result;
  for (const [i, c] of candidates.entries()) {
    // LACS scales a config: an .onnx model has none to scale.
    const config = c.model.config;
    if (config?.family !== 'base') continue;
    const checked = result.candidates[i];
    const lacs = await gateLacs(config, store, { options: settings.lacs, measure: settings.measure, accuracy: checked.accuracy ?? undefined }, deps);
    result.candidates[i] = { ...checked, lacs: withoutEntry(lacs) };
  }
  return result;
}

/**
 * The record's result and updates with LACS for each `family: base` config (when on), computed on the store
 * with this call's records in it: configs recorded together (a first record of a zoo) are trained records
 * for the accuracy predictor too. A chosen result is filed with the record, under its own target key.
 */
export async function recordWithLacs(
  report: RecordReport,
  updates: RecordUpdate[],
  store: FrontierStore,
  inputs: readonly RecordInput[],
  settings: { lacs: GateLacsOption; measure?: Partial<MeasureOptions> },
  deps: GateDeps,
): Promise<{ result: RecordResult; updates: RecordUpdate[] }> {
  const result: RecordResult = { ...report, rows: [...report.rows] };
  if (settings.lacs === false) return { result, updates };
  const withThese = applyRecordUpdates(store, updates);
  const out = [...updates];
  for (const [n, input] of inputs.entries()) {
    const config = input.model.config;
    if (config?.family !== 'base') continue;
    // Dated like the measurement it is stored beside.
    const date = new Date(updates[n].measurement.date);
    const lacs = await gateLacs(config, withThese, { options: settings.lacs, measure: settings.measure, accuracy: updates[n].accuracy?.top1 }, { ...deps, now: () => date });
    if (lacs.entry) out[n] = { ...out[n], lacs: { target: lacs.target_key!, entry: lacs.entry } };
    result.rows[n] = { ...result.rows[n], lacs: withoutEntry(lacs) };
  }
  return { result, updates: out };
}
