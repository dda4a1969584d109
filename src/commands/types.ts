/**
 * The command layer: each command is {name, flags, parse, run(args, ctx) -> Result}. The CLI (src/cli.ts)
 * and the action (src/github/run.ts) both call these the one way: flag values -> parse -> run. `parse` is
 * pure over the flag values (no file is read or checked there); everything a command reads or writes goes
 * through its context (CommandContext.files), so the action's workspace, its store at a commit and a PR's
 * configs at its head are the same command code as the CLI's files. Results are data
 * (src/report/result.ts); rendering them is src/report's job, never a command's.
 */
import type { LoadedArchConfig } from '../arch/parse';
import type { ResourceLimits } from '../arch/types';
import type { StoreAccess } from '../frontier/access';
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

/**
 * Where a command's files come from: the CLI's file system (paths as given, relative to the current folder),
 * or the action's workspace and repository (paths inside the workspace, a PR's configs at its head commit,
 * the store read at a commit and committed back through the API).
 */
export interface CommandFiles {
  /** A path named by a flag or an argument, as the command's file functions open it (read or write). */
  resolve(file: string): string;
  /** An architecture config named on the command line: read, parsed and validated (with the resource limits). */
  config(file: string, limits?: Partial<ResourceLimits>): Promise<LoadedArchConfig>;
  /** The frontier store named by --frontier (written only by commands that apply updates). */
  store(file: string, opts?: { allowMissing?: boolean }): StoreAccess;
  /** The folder relative paths start from (the CLI: the current folder; the action: the workspace). */
  root(): string;
  /**
   * Checks an output file before any work (a folder, special file, read-only file, or a symbolic link where
   * links are refused is exit 2 at once). `named`: the path is a flag's value as the user gave it (the CLI
   * then writes through a link there); a path the command derived (a file in an output folder) is not.
   */
  checkOutput(file: string, out: OutputFile): void;
  /** Checks an output folder before any work: an existing writable folder, or one that can be created. */
  checkOutputFolder(dir: string, what: string): void;
  /** Writes an output file through the one atomic writer (src/util/fs.ts), creating its folder. */
  write(file: string, data: string | Uint8Array, out: OutputFile): void;
}

/** How a command names an output file to its context. */
export interface OutputFile {
  /** The flag or input, for messages: "--out", "-o", "reduced space". */
  what: string;
  /** The path is the value of a flag as the user gave it, not one the command made up. */
  named: boolean;
}

/** Everything a command may touch beside its arguments. */
export interface CommandContext {
  /** Every file a command reads or writes goes through here (see CommandFiles). */
  files: CommandFiles;
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
  /**
   * Flags and positionals into typed arguments, pure: every check of the values themselves fails here.
   * Files are read and output paths checked at the start of run(), before anything is measured.
   */
  parse(values: FlagValues, positionals: string[]): A;
  run(args: A, ctx: CommandContext): Promise<R>;
}

/** Commands are registered with their argument type erased; parse() and run() still pair up at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any, Result>;
