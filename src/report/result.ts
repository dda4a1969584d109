/**
 * What each command returns: plain typed data, discriminated by `command`. src/report renders a Result in
 * each format (terminal text, Markdown, JSON); the JSON form is the result itself.
 */
import type { AcceptedRow } from '../frontier/accept';
import type { PublishedResult } from '../arch/catalogue';
import type { NetworkStats } from '../arch/counts';
import type { GraphStats } from '../onnx/count';
import type { CandidateResult, CheckReport } from '../frontier/check';
import type { RecordReport, RecordRow } from '../frontier/record';
import type { SweepReport } from '../frontier/sweep';
import type { InitRow } from '../frontier/init';
import type { MergedSweep, SweepShardResult } from '../frontier/shard';
import type { GateLacs } from '../lacs/gate';
import type { LacsScreen, LacsShardResult } from '../lacs/shard';
import type { LacsResult } from '../lacs/run';
import type { CoefficientComparison } from '../lacs/compare';
import type { MeasureResult, Precision } from '../measure/types';
import type { SearchResult } from '../search/evolve';
import type { ProfileAnalysis, ProfileResult } from '../search/profile';
import type { Reduction } from '../search/reduce';
import type { SearchSpace } from '../search/space';

export type { CheckReport, RecordReport, SweepReport };

/** A checked candidate as reported: the gate's result and, for a `family: base` config with LACS on, its LACS section. */
export interface CheckedCandidate extends CandidateResult {
  /** Recomputed coefficients and their move (src/lacs/gate.ts); never part of the verdict. */
  lacs?: GateLacs;
}

/** `check`: the gate's report (src/frontier/check.ts) with LACS composed by the command (src/commands/gate-lacs.ts). */
export interface CheckResult extends Omit<CheckReport, 'candidates' | 'settings'> {
  /** lacs: whether LACS was on for `family: base` candidates (set by the command; absent from the frontier's own report). */
  settings: CheckReport['settings'] & { lacs?: boolean };
  candidates: CheckedCandidate[];
}

/** A recorded config as reported, with its LACS section when it is a `family: base` config and LACS is on. */
export interface RecordedRow extends RecordRow {
  lacs?: GateLacs;
}

/** `record`: the frontier's report with LACS composed by the command. */
export interface RecordResult extends Omit<RecordReport, 'rows'> {
  rows: RecordedRow[];
}

export interface StatsResult {
  command: 'stats';
  /** Configs give NetworkStats; .onnx models give GraphStats (kind 'onnx'). */
  networks: (NetworkStats | GraphStats)[];
  /** Per-layer rows are part of the result only when asked for (--layers). */
  layers: boolean;
}

export interface BuildResult {
  command: 'build';
  file: string;
  name: string;
  batch: number;
  precision: Precision;
  params: number;
  bytes: number;
}

export interface MeasureCommandResult {
  command: 'measure';
  measurement: MeasureResult;
  /** With several batch sizes or precisions (--batch 1,8,64 --precision fp32,fp16): every run; measurement is runs[0]. */
  runs?: (MeasureResult & { batch: number; precision: Precision })[];
  /** Keep every raw sample in the JSON form (--raw). */
  raw: boolean;
}

export interface LacsCommandResult {
  command: 'lacs';
  lacs: LacsResult;
  /** Against the coefficients stored for the previous version of this base, when known. */
  comparison?: CoefficientComparison;
  family_files: string[];
  coefficients_file?: string;
}

/** A profile (or merged shards) with its analysis and, when asked for, the reduced space written out. */
export interface ProfileCommandResult {
  command: 'profile' | 'merge';
  profile: ProfileResult;
  /** The space profiled; undefined for a merge without --space. */
  space?: SearchSpace;
  /** Undefined for a merge without --space (shards joined, nothing analysed). */
  analysis?: ProfileAnalysis;
  reduction?: Reduction & { file: string; min_effect_pct: number };
  files: string[];
  /** Work units the merged shards do not cover (a shard is missing). */
  missing_units: number;
}

export interface SearchRun {
  label: string;
  result: SearchResult;
  hypervolume: number;
}

export interface SearchCommandResult {
  command: 'search';
  latency_target_ms: number;
  /** The hypervolume reference point shared by every run: (latency target, lowest proxy seen). */
  reference: { latency_ms: number; proxy: number };
  runs: SearchRun[];
  files: string[];
}

/** `report --html DIR`: the dashboard pages written. */
export interface DashboardCommandResult {
  command: 'report';
  dir: string;
  files: string[];
  targets: number;
  records: number;
}

/** `init`: the first store written from the repository's configs, and the workflow to add. */
export interface InitCommandResult {
  command: 'init';
  /** Repository-relative path of the store written (nothing is written with --workflow-only). */
  store_path: string;
  /** The configs glob the records come from. */
  configs: string;
  rows: InitRow[];
  /** Configs without an accuracy: the gate can only report their position (or read a metrics file). */
  without_accuracy: string[];
  /** The workflow to add as .github/workflows/frontier.yml. */
  workflow: string;
  /** The records were measured on this machine (--measure). */
  measured: boolean;
  /** --workflow-only: only the workflow, no store written. */
  workflow_only: boolean;
}

/** `sweep --shard i/n`: one shard measured against the anchor; the store is not touched. */
export interface SweepShardCommandResult {
  command: 'sweep-shard';
  shard: SweepShardResult;
  /** Where the shard result was written (--out), for `merge`. */
  file?: string;
}

/**
 * `merge <sweep-shard.json>...`: the shards of one sweep of one target joined through the anchor. It reads
 * as a sweep report (target, rows, drift) plus what the merge adds (shards, runners, anchor, gaps).
 */
export interface MergedSweepResult extends Omit<MergedSweep, 'updates'> {
  command: 'merge-sweep';
  latency_tolerance: number;
  /** The store updated; undefined with --dry-run. */
  store?: string;
  dry_run: boolean;
  files: string[];
}

/** `lacs --shard i/n`: this shard's part of the LACS screen, written for `merge`. */
export interface LacsShardCommandResult {
  command: 'lacs-shard';
  shard: LacsShardResult;
  file: string;
}

/** `merge <lacs-shard.json>... --out`: the shards joined into one screen for `lacs --screened`. */
export interface LacsScreenCommandResult {
  command: 'lacs-screen';
  screen: LacsScreen;
  file: string;
  files: string[];
}

/** One catalogue entry as `zoo` shows it: its counts at its config's resolution and its published results. */
export interface ZooEntry {
  name: string;
  aliases: string[];
  family: string;
  resolution: number;
  params: number;
  macs: number;
  results: PublishedResult[];
}

/** `zoo`: the catalogue (every entry), one entry in full, and the config written with -o. */
export interface ZooResult {
  command: 'zoo';
  entries: ZooEntry[];
  /** One entry shown with all its results (a NAME was given). */
  detail: boolean;
  written?: { file: string; name: string; result: PublishedResult };
}

/** accept-drift: the baselines set (or, with --dry-run, that would be). */
export interface AcceptDriftResult {
  command: 'accept-drift';
  target: string;
  rows: AcceptedRow[];
  note?: string;
  store: string;
  dry_run: boolean;
}

export type Result =
  | AcceptDriftResult
  | CheckResult
  | RecordResult
  | SweepReport
  | StatsResult
  | BuildResult
  | MeasureCommandResult
  | LacsCommandResult
  | ProfileCommandResult
  | SearchCommandResult
  | DashboardCommandResult
  | InitCommandResult
  | SweepShardCommandResult
  | MergedSweepResult
  | LacsShardCommandResult
  | LacsScreenCommandResult
  | ZooResult;

/** The process exit code a result stands for (0 unless the gate failed). */
export function exitCodeOf(result: Result): number {
  return result.command === 'check' ? result.exitCode : 0;
}
