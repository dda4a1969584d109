/**
 * What the action needs from the frontier core, as an interface: the orchestration is tested with a
 * fake core, and src/github/frontier-core.ts adapts the real one (src/frontier/gate.ts).
 */
import type { ArchConfig } from '../arch/types';
import type { FrontierStore } from '../frontier/store';
import type { ExecutionProvider, Measurer, Precision } from '../measure/types';

export type GateVerdict = 'pass' | 'new-frontier' | 'dominated' | 'inconclusive';

export interface CoreCandidate {
  config: ArchConfig;
  /** Repository-relative path, for the report and annotations. */
  file?: string;
  accuracy?: number;
  accuracySource?: string;
}

export interface CoreCandidateResult {
  name: string;
  file?: string;
  verdict: GateVerdict;
  latency_ms?: number;
  ci95_ms?: [number, number];
  /** Candidate latency over its closest competitor's (dominating model, else nearest neighbour). */
  ratio?: number;
  dominated_by?: string;
  accuracy?: number | null;
  /** Stage indexes the core blames for a dominated candidate, when it can tell. */
  stages?: { index: number; message: string }[];
}

export interface CoreReport {
  markdown: string;
  json: unknown;
  /** Readable label of the measured target. */
  targetLabel?: string;
}

export interface CoreCheckReport extends CoreReport {
  verdict: GateVerdict;
  candidates: CoreCandidateResult[];
  targetLabel: string;
  /** Stable key of the measured target (fingerprint-derived). */
  targetKey?: string;
}

export interface CoreOptions {
  target: string;
  latencyTolerance: number;
  accuracyTolerance: number;
  budgetSeconds?: number;
  ep: ExecutionProvider;
  batch: number;
  precision: Precision;
  /** LACS for `family: base` configs in check (reported) and record (stored); undefined = on. */
  lacsOnBase?: boolean;
}

export interface CoreDeps {
  measurer: Measurer;
  /** Commit the measurements are attributed to. */
  commit?: string;
  now?: () => Date;
}

export interface FrontierCore {
  check(store: FrontierStore, candidates: CoreCandidate[], options: CoreOptions, deps: CoreDeps): Promise<CoreCheckReport>;
  record(store: FrontierStore, candidates: CoreCandidate[], options: CoreOptions, deps: CoreDeps): Promise<{ report: CoreReport; store: FrontierStore }>;
  sweep(store: FrontierStore, options: CoreOptions, deps: CoreDeps): Promise<{ report: CoreReport; store: FrontierStore; drifted?: number }>;
  /** Undefined while src/lacs has no entry point the action can call. */
  lacs?: (base: CoreCandidate, store: FrontierStore, options: CoreOptions, deps: CoreDeps) => Promise<CoreReport>;
}
