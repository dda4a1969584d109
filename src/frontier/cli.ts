/** Flag handling shared by check, record and sweep: measurement flags, accuracy flags, commit, output. */
import { execFileSync } from 'node:child_process';
import { loadArchConfig } from '../arch/parse';
import type { ArchConfig } from '../arch/types';
import { choiceFlag, numberFlag, stringFlag, type FlagSpec, type ParsedArgs } from '../cliargs';
import { UserError } from '../errors';
import type { CommandIO } from '../commands/types';
import type { MeasureOptions, Measurer } from '../measure/types';
import { resolveAccuracy, type ResolvedAccuracy } from './accuracy';
import { checkOutputPath, writeFileAtomic } from '../util/fs';

/** What the commands need from the outside world; tests inject a fake measurer and a fixed clock. */
export interface CliDeps {
  measurer: (io: CommandIO, verbose: boolean) => Measurer;
  now?: () => Date;
  commit?: () => string | undefined;
}

export const MEASURE_FLAGS: FlagSpec = {
  target: { type: 'string' },
  budget: { type: 'string' },
  batch: { type: 'string' },
  precision: { type: 'string' },
  threads: { type: 'string' },
  seed: { type: 'string' },
  verbose: { type: 'boolean' },
};

export const ACCURACY_FLAGS: FlagSpec = {
  accuracy: { type: 'string' },
  metrics: { type: 'string' },
  'metrics-key': { type: 'string' },
};

/** --lacs / --no-lacs: LACS for `family: base` configs (check: report the move; record: store it). */
export const LACS_FLAGS: FlagSpec = {
  lacs: { type: 'boolean' },
  'no-lacs': { type: 'boolean' },
};

/** On unless --no-lacs; both flags at once is a contradiction, not a precedence question. */
export function lacsFlag(values: ParsedArgs['values'], fallback = true): boolean {
  if (values.lacs && values['no-lacs']) throw new UserError('--lacs and --no-lacs: give one of them, not both');
  if (values['no-lacs']) return false;
  if (values.lacs) return true;
  return fallback;
}

export const OUTPUT_FLAGS: FlagSpec = {
  frontier: { type: 'string' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  'json-report': { type: 'string' },
};

/** --target auto|cpu|cuda|tensorrt (auto: the measurer's default provider) and the other measure flags. */
export function measureOptions(values: ParsedArgs['values']): Partial<MeasureOptions> {
  const target = choiceFlag(values, 'target', ['auto', 'cpu', 'cuda', 'tensorrt'] as const, 'auto');
  const out: Partial<MeasureOptions> = {};
  if (target !== 'auto') out.ep = target;
  if (values.batch !== undefined) out.batch = numberFlag(values, 'batch', 1, { min: 1, max: 4096, integer: true });
  if (values.precision !== undefined) out.precision = choiceFlag(values, 'precision', ['fp32', 'fp16'] as const, 'fp32');
  if (values.threads !== undefined) out.threads = numberFlag(values, 'threads', 1, { min: 1, max: 1024, integer: true });
  if (values.seed !== undefined) out.seed = numberFlag(values, 'seed', 0, { min: 0, max: 2 ** 31 - 1, integer: true });
  return out;
}

export function budgetFlag(values: ParsedArgs['values'], fallback: number): number {
  return numberFlag(values, 'budget', fallback, { min: 0.1, max: 3600 });
}

export interface LoadedCandidate {
  config: ArchConfig;
  file: string;
  accuracy?: ResolvedAccuracy;
}

/** Loads configs; --accuracy / --metrics name one config's accuracy, so they need exactly one config. */
export function loadCandidates(command: string, files: string[], values: ParsedArgs['values'], usage: string): LoadedCandidate[] {
  if (!files.length) throw new UserError(`frontier-gate ${command}: no config given\nusage: ${usage}`);
  const flags = { accuracy: stringFlag(values, 'accuracy'), metrics: stringFlag(values, 'metrics'), metricsKey: stringFlag(values, 'metrics-key') };
  const given = flags.accuracy !== undefined || flags.metrics !== undefined;
  if (given && files.length > 1) {
    throw new UserError(`--${flags.accuracy !== undefined ? 'accuracy' : 'metrics'} gives one model's accuracy but ${files.length} configs were given; check them one at a time or put accuracy in each config`);
  }
  return files.map((file) => {
    const config = loadArchConfig(file);
    const accuracy = given || flags.metricsKey !== undefined ? resolveAccuracy(flags, undefined) : undefined;
    return { config, file, ...(accuracy ? { accuracy } : {}) };
  });
}

export function storeFlag(values: ParsedArgs['values'], fallback: string): string {
  const file = stringFlag(values, 'frontier') ?? fallback;
  if (!file.trim()) throw new UserError(`--frontier: expected the store's path, got ${JSON.stringify(file)}`);
  return file;
}

/** GITHUB_SHA in CI, else the checkout's HEAD; undefined outside git. */
export function detectCommit(): string | undefined {
  if (process.env.GITHUB_SHA && /^[0-9a-f]{7,64}$/i.test(process.env.GITHUB_SHA)) return process.env.GITHUB_SHA;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/** --report and --json-report (and the store, for a command that writes it) are checked before any work. */
export function checkOutputFlags(values: ParsedArgs['values'], storeFile?: string): void {
  for (const flag of ['report', 'json-report']) {
    const file = stringFlag(values, flag);
    if (file) checkOutputPath(file, `--${flag}`);
  }
  if (storeFile) checkOutputPath(storeFile, '--frontier');
}

/** Writes --report (Markdown) and --json-report files, and prints one of them. */
export function emitReport(values: ParsedArgs['values'], io: CommandIO, report: { markdown: string; json: unknown }): void {
  const write = (flag: string, text: string) => {
    const file = stringFlag(values, flag);
    if (!file) return;
    writeFileAtomic(file, text, { what: `--${flag}` });
  };
  const jsonText = JSON.stringify(report.json, null, 2) + '\n';
  write('report', report.markdown);
  write('json-report', jsonText);
  io.out(values.json ? jsonText : report.markdown);
}

export const defaultCliDeps: CliDeps = {
  measurer: (io, verbose) => {
    // Loaded lazily: commands that fail on flags never load onnxruntime.
    const { createMeasurer } = require('../measure') as typeof import('../measure');
    return createMeasurer(verbose ? { log: (line: string) => io.err(line) } : {});
  },
  commit: detectCommit,
};
