/**
 * The command layer: each command is {name, flags, parse, run(args, ctx) -> Result}. The CLI (src/cli.ts)
 * and the action (src/github/run.ts) both call these; neither re-implements a command. Results are data
 * (src/report/result.ts); rendering them is src/report's job, never a command's.
 */
import type { Measurer } from '../measure/types';
import type { AccuracyProxy } from '../search/profile';
import type { Result } from '../report/result';

/** A flag with what --help says about it. */
export interface FlagDef {
  type: 'string' | 'boolean';
  /** What the flag does, one line. */
  help: string;
  /** Placeholder for the value in --help: N, FILE, MS... */
  value?: string;
  /** The default as --help shows it; parse() applies defaults itself. */
  default?: string | number;
  short?: string;
  multiple?: boolean;
}

export type FlagDefs = Record<string, FlagDef>;
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Where a command writes; tests capture it. */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
}

/** Progress of a long step: models done / total. The CLI draws it on stderr; --quiet and the action drop or log it. */
export interface Progress {
  /** `total` units of `unit` (models, work units, networks; 's' for a time budget); 0 when unknown. */
  start(label: string, total: number, unit?: string): ProgressTask;
}

export interface ProgressTask {
  /** `done` units of `total` are finished; `note` names the last one. */
  update(done: number, note?: string): void;
  /** The step is over; `note` is its one-line summary. */
  end(note?: string): void;
}

export const silentProgress: Progress = { start: () => ({ update: () => undefined, end: () => undefined }) };

/** Everything a command may touch beside its arguments. */
export interface CommandContext {
  /** The measurer, created on first use: commands that fail on their input never load onnxruntime. */
  measurer(): Measurer;
  /** Notes for the person running the command (stderr on the CLI, the log in the action); never results. */
  log(line: string): void;
  progress: Progress;
  /** The training-free accuracy proxy of profile --proxy zen and search (Zen-score through onnxruntime). */
  proxy(options: { threads?: number; batch?: number }): AccuracyProxy;
  now(): Date;
  /** The commit the measurements belong to (GITHUB_SHA, else git HEAD); undefined outside git. */
  commit(): string | undefined;
}

export interface Command<A = unknown, R extends Result = Result> {
  name: string;
  summary: string;
  /** The positional arguments as --help shows them, e.g. '<config.yaml>...'. */
  args: string;
  flags: FlagDefs;
  /** Flags and positionals into typed arguments: every check that needs no measurement fails here. */
  parse(values: FlagValues, positionals: string[]): A;
  run(args: A, ctx: CommandContext): Promise<R>;
}

/** Commands are registered with their argument type erased; parse() and run() still pair up at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any, Result>;
