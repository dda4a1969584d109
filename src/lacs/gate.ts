/**
 * LACS in the PR gate and in `record`: for a `family: base` config, recompute the compound-scaling
 * coefficients on this runner with a PR-sized budget and say how they moved from the ones stored with
 * the previous version of the base (same record name, same target). Never part of the verdict: a LACS
 * failure (too few trained records for the predictor, an unbuildable grid point...) is reported, not thrown.
 */
import type { ArchConfig } from '../arch/types';
import { configHash, type FrontierRecord, type FrontierStore, type StoredLacs, type StoredScaling } from '../frontier/store';
import type { MeasureOptions, Measurer } from '../measure/types';
import { escapeMarkdown as md } from '../report/markdown';
import { compareCoefficients, type CoefficientMove } from './compare';
import { configsFromStore, inputsFromConfigs } from './inputs';
import { runLacs, type LacsOptions, type LacsResult } from './run';

/**
 * The budget LACS gets inside `check` and `record`, about 1 to 1.5 minutes for an EfficientNet-B0 base on
 * a 2-core CPU (77 s measured on a shared one): the full default grid (so moves are not artefacts of a
 * coarser grid), short screening calls, one or two refine calls beside EfficientNet's model, and only
 * phi = 0..1 in the family call, without frontier models. `record` uses the same settings, so a PR
 * compares like with like.
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
  status: 'computed' | 'failed';
  /** Why LACS could not run (status failed). */
  error?: string;
  target_key?: string;
  target_label?: string;
  chosen?: StoredScaling;
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
  /** What `record` stores for this target (absent when LACS failed). */
  entry?: StoredLacs;
  markdown: string;
}

const round = (x: number, digits = 6) => +x.toFixed(digits);
const scaling = (c: { alpha: number; beta: number; gamma: number; objective: number }): StoredScaling => ({
  alpha: round(c.alpha), beta: round(c.beta), gamma: round(c.gamma), objective: round(c.objective),
});

/** The store entry for a LACS result. */
export function lacsEntry(base: ArchConfig, result: LacsResult, date: Date, commit: string | undefined): StoredLacs {
  return {
    date: date.toISOString(),
    commit: commit ?? null,
    base_hash: configHash(base),
    chosen: scaling(result.chosen),
    efficientnet: scaling(result.efficientnet),
    w: result.w,
    target_latency_ms: round(result.target_latency_ms, 4),
    grid: { ...result.grid },
    accuracy_source: result.accuracy_source,
    measured_candidates: result.measured_candidates,
  };
}

/**
 * Trained records for the accuracy predictor: the store's records with accuracy, except the stored version
 * of this base, which the PR's version (with its accuracy, when it has one) replaces.
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
  let result: LacsResult;
  try {
    result = await runLacs(base, options, { measurer: deps.measurer, records: predictorRecords(base, store, settings.accuracy), frontier: [] });
  } catch (err) {
    const error = (err as Error).message ?? String(err);
    const storedKeys = Object.keys(stored?.lacs ?? {}).sort();
    return {
      name: base.name, status: 'failed', error, previous: null, other_targets: storedKeys, moves: [], changed: false, settings_differ: false,
      markdown: `**LACS** for ${md(base.name)} (\`family: base\`) could not run: ${md(error)}. The verdict does not depend on it.\n`,
    };
  }
  const key = result.target.key;
  const prevEntry = stored?.lacs?.[key];
  const previous: PreviousLacs | null = prevEntry ? { ...prevEntry, target_key: key } : null;
  const comparison = compareCoefficients(
    previous ? { ...previous.chosen, base_hash: previous.base_hash, target_key: key, w: previous.w, date: previous.date } : undefined,
    { ...result.chosen, target_key: key },
  );
  const entry = lacsEntry(base, result, (deps.now ?? (() => new Date()))(), deps.commit);
  const settingsDiffer =
    !!previous &&
    (previous.w !== entry.w || previous.grid.step !== entry.grid.step || previous.grid.tolerance !== entry.grid.tolerance || previous.grid.flops_budget !== entry.grid.flops_budget);
  const other = Object.keys(stored?.lacs ?? {}).filter((k) => k !== key).sort();
  const gate: GateLacs = {
    name: base.name, status: 'computed', target_key: key, target_label: result.target.label,
    chosen: entry.chosen, efficientnet: entry.efficientnet, previous, other_targets: other,
    moves: comparison.moves, changed: comparison.changed, settings_differ: settingsDiffer,
    measured_candidates: result.measured_candidates, wall_s: round(result.timing.wall_s, 2), accuracy_source: result.accuracy_source,
    entry, markdown: '',
  };
  gate.markdown = renderGateLacs(gate);
  return gate;
}

const coef = (c: { alpha: number; beta: number; gamma: number }) => `(${c.alpha}, ${c.beta}, ${c.gamma})`;

/** The LACS section of a check or record report. */
export function renderGateLacs(g: GateLacs): string {
  if (g.status === 'failed') return g.markdown;
  const chosen = g.chosen!;
  const eff = g.efficientnet!;
  const out: string[] = [`**LACS** for ${md(g.name)} (\`family: base\`), recomputed on ${md(g.target_label ?? g.target_key ?? 'this runner')}: `];
  if (!g.previous) {
    out[0] += `coefficients **${coef(chosen)}**; none stored for the previous base on this target, so there is no move to show` +
      (g.other_targets.length ? ` (stored for other targets only: ${g.other_targets.map((k) => `\`${md(k)}\``).join(', ')})` : '') + '.';
  } else if (!g.changed) {
    out[0] += `coefficients unchanged at **${coef(chosen)}**.`;
  } else {
    const arrows = g.moves.filter((m) => m.delta !== 0).map((m) => `${m.name} ${m.from} → ${m.to} (${m.delta > 0 ? '+' : ''}${m.delta})`);
    out[0] += `coefficients moved from ${coef(g.previous.chosen)} to **${coef(chosen)}**: ${arrows.join(', ')}.`;
  }
  out.push('', '| coefficients | alpha | beta | gamma | objective |', '|---|---:|---:|---:|---:|');
  out.push(`| this change (chosen) | ${chosen.alpha} | ${chosen.beta} | ${chosen.gamma} | ${chosen.objective.toFixed(3)} |`);
  out.push(`| EfficientNet | ${eff.alpha} | ${eff.beta} | ${eff.gamma} | ${eff.objective.toFixed(3)} |`);
  if (g.previous) {
    const p = g.previous;
    const when = `${p.date.slice(0, 10)}${p.commit ? ` @ ${md(p.commit.slice(0, 12))}` : ''}`;
    out.push(`| stored with the previous base (${when}) | ${p.chosen.alpha} | ${p.chosen.beta} | ${p.chosen.gamma} | ${p.chosen.objective.toFixed(3)} |`);
  }
  out.push('');
  const notes = [
    `${g.measured_candidates} networks measured in ${g.wall_s} s with the PR budget`,
    `accuracy: ${md(g.accuracy_source ?? 'unknown')}`,
    'objectives of different runs are not comparable (each is scored against its own EfficientNet phi = 1 latency)',
  ];
  if (g.settings_differ) notes.push('the stored coefficients were searched with other grid settings or another w, so part of the move is the settings');
  out.push(`<sub>${notes.join(' · ')}. LACS does not change the verdict.</sub>`);
  return out.join('\n') + '\n';
}
