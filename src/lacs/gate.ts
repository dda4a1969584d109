/**
 * LACS in the PR gate and in `record`: for a `family: base` config, recompute the compound-scaling
 * coefficients on this runner with a PR-sized budget and say how they moved from the ones stored with
 * the previous version of the base (same record name, same target). Never part of the verdict: a LACS
 * failure (an unbuildable grid point...) is reported, not thrown, and so is a run that could choose
 * nothing because accuracy is unknown (no usable predictor): then nothing is stored.
 * Returns typed data; src/report/lacs.ts renders it.
 */
import type { ArchConfig } from '../arch/types';
import { configHash } from '../arch/identity';
import { type FrontierRecord, type FrontierStore, type StoredLacs, type StoredScaling } from '../frontier/store';
import type { MeasureOptions, Measurer } from '../measure/types';
import type { AccuracyKind } from './accuracy';
import { compareCoefficients, type CoefficientMove } from './compare';
import { configsFromStore, inputsFromConfigs } from './inputs';
import { runLacs, type ChosenSummary, type LacsOptions, type LacsResult } from './run';

/**
 * The budget LACS gets inside `check` and `record`, about 1 to 1.5 minutes for an EfficientNet-B0 base on
 * a 2-core CPU (77 s measured on a shared one): the full default grid (so moves are not artefacts of a
 * coarser grid), short screening calls, one or two refine calls beside EfficientNet's model, and only
 * phi = 0..1 in the family call, without frontier models. `record` uses the same settings, so a PR
 * compares like with like. When no candidate's accuracy can be known (no usable predictor), nothing is
 * measured: the gate has no use for latencies it cannot choose with.
 */
export const GATE_LACS_OPTIONS: Partial<LacsOptions> = {
  phi: 1,
  referenceSeconds: 4,
  screenSeconds: 0.4,
  chunkSize: 6,
  refineTop: 2,
  refineRounds: 2,
  refineSeconds: 8,
  familySeconds: 3,
  measureWithoutAccuracy: false,
};

export interface GateLacsDeps {
  measurer: Measurer;
  now?: () => Date;
  commit?: string;
}

/** The stored entry this run compared with, plus the target it was filed under. */
export type PreviousLacs = StoredLacs & { target_key: string };

export interface GateLacs {
  name: string;
  /** computed: coefficients chosen; no-choice: accuracy unknown, nothing chosen or stored; failed: LACS could not run. */
  status: 'computed' | 'no-choice' | 'failed';
  /** Why LACS could not run (failed) or could not choose (no-choice), plain text. */
  error?: string;
  target_key?: string;
  target_label?: string;
  chosen?: StoredScaling;
  /** Whether the choice rests on trained results or on a prediction. */
  chosen_basis?: AccuracyKind;
  efficientnet?: StoredScaling;
  /** Coefficients stored with the previous version of this base on this target; null when none are stored. */
  previous: PreviousLacs | null;
  /** Targets with stored coefficients other than this one (not compared: other hardware). */
  other_targets: string[];
  moves: CoefficientMove[];
  changed: boolean;
  /** The stored entry was searched with other grid settings or another w: part of the move is the settings. */
  settings_differ: boolean;
  measured_candidates?: number;
  wall_s?: number;
  accuracy_source?: string;
  /** What `record` stores for this target (only when coefficients were chosen). */
  entry?: StoredLacs;
}

const round = (x: number, digits = 6) => +x.toFixed(digits);
const scaling = (c: { alpha: number; beta: number; gamma: number; objective: number }): StoredScaling => ({
  alpha: round(c.alpha), beta: round(c.beta), gamma: round(c.gamma), objective: round(c.objective),
});

/**
 * The store entry for a LACS result; undefined when nothing was chosen (no coefficients to store) or
 * EfficientNet's objective is unknown.
 */
export function lacsEntry(base: ArchConfig, result: LacsResult, date: Date, commit: string | undefined): StoredLacs | undefined {
  const chosen: ChosenSummary | null = result.chosen;
  const eff = result.efficientnet;
  if (!chosen || eff.objective === null || result.target_latency_ms === null) return undefined;
  return {
    date: date.toISOString(),
    commit: commit ?? null,
    base_config_hash: configHash(base),
    chosen: scaling(chosen),
    efficientnet: scaling({ ...eff, objective: eff.objective }),
    w: result.w,
    target_latency_ms: round(result.target_latency_ms, 4),
    grid: { ...result.grid },
    accuracy_source: result.accuracy_source,
    measured_candidates: result.measured_candidates,
  };
}

/**
 * Trained records for the accuracy predictor: the store's records with accuracy, except the stored version
 * of this base, which the PR's version (with its accuracy, when it has one) replaces. Only those of the
 * base's own family are fitted (lacs/accuracy.ts).
 */
function predictorRecords(base: ArchConfig, store: FrontierStore, accuracy: number | undefined) {
  const others = configsFromStore({ ...store, records: store.records.filter((r) => r.name !== base.name) });
  const top1 = accuracy ?? base.accuracy?.top1;
  const mine = top1 === undefined ? [] : [{ ...base, accuracy: { ...base.accuracy, top1 } }];
  return inputsFromConfigs([...mine, ...others]).records;
}

/** Runs LACS for one base config and compares with the coefficients stored on its record for this target. */
export async function gateLacs(
  base: ArchConfig,
  store: FrontierStore,
  settings: { options?: Partial<LacsOptions>; measure?: Partial<MeasureOptions>; accuracy?: number },
  deps: GateLacsDeps,
): Promise<GateLacs> {
  const stored: FrontierRecord | undefined = store.records.find((r) => r.name === base.name);
  const options: Partial<LacsOptions> = { ...GATE_LACS_OPTIONS, ...settings.options, measure: { ...settings.measure } };
  const storedKeys = Object.keys(stored?.lacs ?? {}).sort();
  let result: LacsResult;
  try {
    result = await runLacs(base, options, { measurer: deps.measurer, records: predictorRecords(base, store, settings.accuracy), frontier: [] });
  } catch (err) {
    const error = (err as Error).message ?? String(err);
    return { name: base.name, status: 'failed', error, previous: null, other_targets: storedKeys, moves: [], changed: false, settings_differ: false };
  }
  const entry = lacsEntry(base, result, (deps.now ?? (() => new Date()))(), deps.commit);
  const key = result.target?.key;
  const prevEntry = key !== undefined ? stored?.lacs?.[key] : undefined;
  const previous: PreviousLacs | null = prevEntry && key !== undefined ? { ...prevEntry, target_key: key } : null;
  const other = storedKeys.filter((k) => k !== key);
  const common = {
    name: base.name,
    ...(key !== undefined ? { target_key: key, target_label: result.target!.label } : {}),
    previous, other_targets: other,
    measured_candidates: result.measured_candidates, wall_s: round(result.timing.wall_s, 2), accuracy_source: result.accuracy_source,
  };
  if (!entry || !result.chosen) {
    return {
      // The gate takes no table of trained results, so the reason is the predictor's (or the extrapolation).
      ...common, status: 'no-choice', moves: [], changed: false, settings_differ: false,
      error: result.accuracy.predictor_rejected ? `accuracy is unknown: ${result.accuracy.predictor_rejected}` : result.decision.reason,
      ...(result.efficientnet.objective !== null ? { efficientnet: scaling({ ...result.efficientnet, objective: result.efficientnet.objective }) } : {}),
    };
  }
  const comparison = compareCoefficients(
    previous ? { ...previous.chosen, base_config_hash: previous.base_config_hash, target_key: key!, w: previous.w, date: previous.date } : undefined,
    { ...result.chosen, target_key: key },
  );
  const settingsDiffer =
    !!previous &&
    (previous.w !== entry.w || previous.grid.step !== entry.grid.step || previous.grid.tolerance !== entry.grid.tolerance || previous.grid.flops_budget !== entry.grid.flops_budget);
  return {
    ...common, status: 'computed', chosen: entry.chosen, chosen_basis: result.chosen.accuracy_kind, efficientnet: entry.efficientnet,
    moves: comparison.moves, changed: comparison.changed, settings_differ: settingsDiffer, entry,
  };
}
