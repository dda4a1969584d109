/**
 * Flag definitions shared by several commands (one place for each flag's name, meaning and default) and the
 * typed readers that turn a flag's text into a value or a clear usage error (exit 2).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { PRECISIONS as ARCH_PRECISIONS } from '../arch/types';
import { UserError } from '../errors';
import { checkAccuracyFlags, NAME_PLACEHOLDER, readMetricsAccuracy, resolveAccuracy, type AccuracyFlags, type ResolvedAccuracy } from '../frontier/accuracy';
import { cardBeside, readCardBeside } from '../frontier/model-card';
import { configModel, inspectOnnxModel, type GateModel } from '../frontier/models';
import { repoPath } from '../util/paths';
import { DEFAULT_MEASURE_OPTIONS, DEFAULT_SLOTS, type ExecutionProvider, type MeasureOptions, type Precision } from '../measure/types';
import { PROVIDER_NAMES, providerOptions, readProviderOptions } from '../measure/providers';
import type { CommandContext, FlagDefs, FlagValues } from './types';

/** The execution providers, from the provider registry (src/measure/providers). */
export const PROVIDERS: readonly ExecutionProvider[] = PROVIDER_NAMES;
export const PRECISIONS: readonly Precision[] = ARCH_PRECISIONS;

export function stringFlag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listFlag(values: FlagValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** A numeric flag within [min, max]; the error quotes the bad value and the allowed range. */
export function numberFlag(values: FlagValues, name: string, fallback: number, range: { min?: number; max?: number; integer?: boolean } = {}): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = range;
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const kind = integer ? 'an integer' : 'a number';
    const bounds = [Number.isFinite(min) ? `>= ${min}` : '', Number.isFinite(max) ? `<= ${max}` : ''].filter(Boolean).join(' and ');
    throw new UserError(`--${name}: expected ${kind}${bounds ? ' ' + bounds : ''}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** An optional numeric flag: undefined when not given. */
export function optionalNumber(values: FlagValues, name: string, range: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  return values[name] === undefined ? undefined : numberFlag(values, name, 0, range);
}

export function choiceFlag<T extends string>(values: FlagValues, name: string, choices: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (typeof raw === 'string' && (choices as readonly string[]).includes(raw)) return raw as T;
  throw new UserError(`--${name}: expected one of ${choices.join(' | ')}, got ${JSON.stringify(raw)}`);
}

/** Resource limits, checked analytically before anything is allocated. */
export const LIMIT_FLAGS: FlagDefs = {
  'max-params': { type: 'string', value: 'N', help: 'refuse configs and .onnx models with more parameters than this' },
  'max-macs': { type: 'string', value: 'N', help: 'refuse configs and .onnx models with more multiply-adds than this' },
  'max-activation-bytes': { type: 'string', value: 'N', help: 'refuse configs and .onnx models whose activations (or any one .onnx tensor) need more bytes than this' },
};

export function limitsFromFlags(values: FlagValues): { maxParams?: number; maxMacs?: number; maxActivationBytes?: number } {
  const get = (name: string) => optionalNumber(values, name, { min: 1 });
  return { maxParams: get('max-params'), maxMacs: get('max-macs'), maxActivationBytes: get('max-activation-bytes') };
}

/** The provider-specific options (each provider file declares its own), e.g. --device-id, --trt-fp16. */
export const PROVIDER_OPTION_FLAGS: FlagDefs = Object.fromEntries(
  providerOptions().map((o) => [
    o.flag,
    o.type === 'boolean' ? { type: 'boolean', help: `${o.description} (${o.providers.join(', ')})` } : { type: 'string', value: o.type === 'integer' ? 'N' : 'X', help: `${o.description} (${o.providers.join(', ')})` },
  ]),
) as FlagDefs;

/** How a measuring command runs its models: provider, batch, precision, threads, seed. */
export const MEASURE_FLAGS: FlagDefs = {
  ep: { type: 'string', value: PROVIDERS.join('|'), default: DEFAULT_MEASURE_OPTIONS.ep, help: 'onnxruntime execution provider to measure on' },
  batch: { type: 'string', value: 'N', default: DEFAULT_MEASURE_OPTIONS.batch, help: 'batch size the models are built with' },
  precision: { type: 'string', value: PRECISIONS.join('|'), default: DEFAULT_MEASURE_OPTIONS.precision, help: 'weights and activations precision' },
  threads: { type: 'string', value: 'N', default: 'cores - 1', help: 'intra-op threads (CPU provider)' },
  seed: { type: 'string', value: 'N', help: 'seed of the round-robin order and the bootstrap (reproducible intervals)' },
  slots: { type: 'string', value: 'N', default: DEFAULT_SLOTS, help: 'sets of sessions each model is measured in, interleaved: ratio intervals then cover session-to-session noise (1 to 16)' },
  verbose: { type: 'boolean', help: 'print the measurement log (warm-up, rounds) on stderr' },
  ...PROVIDER_OPTION_FLAGS,
};

/** Only the flags the user gave: unset fields fall back to the measurer's defaults. */
export function measureOptions(values: FlagValues): Partial<MeasureOptions> {
  const out: Partial<MeasureOptions> = {};
  if (values.ep !== undefined) out.ep = choiceFlag(values, 'ep', PROVIDERS, DEFAULT_MEASURE_OPTIONS.ep);
  Object.assign(out, readProviderOptions(values, out.ep ?? DEFAULT_MEASURE_OPTIONS.ep));
  if (values.batch !== undefined) out.batch = numberFlag(values, 'batch', 1, { min: 1, max: 4096, integer: true });
  if (values.precision !== undefined) out.precision = choiceFlag(values, 'precision', PRECISIONS, DEFAULT_MEASURE_OPTIONS.precision);
  if (values.threads !== undefined) out.threads = numberFlag(values, 'threads', 1, { min: 1, max: 1024, integer: true });
  if (values.seed !== undefined) out.seed = numberFlag(values, 'seed', 0, { min: 0, max: 2 ** 32 - 1, integer: true });
  if (values.slots !== undefined) out.slots = numberFlag(values, 'slots', DEFAULT_SLOTS, { min: 1, max: 16, integer: true });
  return out;
}

export const STORE_FLAG: FlagDefs = {
  frontier: { type: 'string', value: 'STORE', default: '.frontier/frontier.json', help: 'the frontier store (JSON)' },
};

export function storeFlag(values: FlagValues, fallback: string): string {
  const file = stringFlag(values, 'frontier') ?? fallback;
  if (!file.trim()) throw new UserError(`--frontier: expected the store's path, got ${JSON.stringify(file)}`);
  return file;
}

export function budgetFlag(values: FlagValues, fallback: number): number {
  return numberFlag(values, 'budget', fallback, { min: 0.1, max: 86400 });
}

export const ACCURACY_FLAGS: FlagDefs = {
  accuracy: { type: 'string', value: 'PERCENT', help: "the candidate's top-1 (overrides the config's accuracy; one model only)" },
  metrics: { type: 'string', value: 'FILE', help: 'read the top-1 from this JSON metrics file (with --metrics-key)' },
  'metrics-key': { type: 'string', value: 'a.b.c', help: 'dotted path of the top-1 in --metrics; {name} stands for each model\'s name (several models)' },
  'model-card': { type: 'string', value: 'README.md', help: 'read the top-1 from a model card\'s model-index (one model; an .onnx model\'s README.md beside it is read without this flag)' },
  'card-dataset': { type: 'string', value: 'NAME', help: 'the dataset (name or type) whose result a model card\'s top-1 is read from, when it lists several' },
  'card-model': { type: 'string', value: 'NAME', help: 'the model-index entry a model card\'s top-1 is read from, when it lists several' },
};

/** .onnx models: the size their symbolic spatial dims are fixed to (the batch is --batch). */
export const ONNX_FLAGS: FlagDefs = {
  resolution: { type: 'string', value: 'N', help: '.onnx models: the size symbolic height and width are fixed to (a size the graph states is kept)' },
};

export function resolutionFlag(values: FlagValues): number | undefined {
  return optionalNumber(values, 'resolution', { min: 1, max: 8192, integer: true });
}

/** --lacs / --no-lacs: LACS for `family: base` configs (check: report the move; record: store it). */
export const LACS_FLAGS: FlagDefs = {
  lacs: { type: 'boolean', help: 'recompute LACS coefficients for configs with family: base (the default)' },
  'no-lacs': { type: 'boolean', help: 'skip LACS for family: base configs' },
};

/** On unless --no-lacs; both flags at once is a contradiction, not a precedence question. */
export function lacsFlag(values: FlagValues, fallback = true): boolean {
  if (values.lacs && values['no-lacs']) throw new UserError('--lacs and --no-lacs: give one of them, not both');
  if (values['no-lacs']) return false;
  if (values.lacs) return true;
  return fallback;
}

/** Where a report goes beside the terminal; the CLI writes these (src/cli.ts). */
export const REPORT_FLAGS: FlagDefs = {
  report: { type: 'string', value: 'FILE.md', help: 'also write the report as Markdown (as the PR comment shows it)' },
  'json-report': { type: 'string', value: 'FILE.json', help: 'also write the result as JSON' },
};

export interface LoadedCandidate {
  model: GateModel;
  file: string;
  accuracy?: ResolvedAccuracy;
}

/** --accuracy / --metrics / --metrics-key / --model-card as given, checked against the number of models (pure). */
export function accuracyFlags(values: FlagValues, models: number): AccuracyFlags {
  const flags = {
    accuracy: stringFlag(values, 'accuracy'), metrics: stringFlag(values, 'metrics'), metricsKey: stringFlag(values, 'metrics-key'),
    modelCard: stringFlag(values, 'model-card'), cardDataset: stringFlag(values, 'card-dataset'), cardModel: stringFlag(values, 'card-model'),
  };
  checkAccuracyFlags(flags, models);
  return flags;
}

/** What each argument is, from its extension (pure): a config to build, or an ONNX model to read. */
export function modelKind(file: string): 'config' | 'onnx' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.onnx') return 'onnx';
  if (ext === '.yaml' || ext === '.yml') return 'config';
  throw new UserError(`${file}: expected an architecture config (.yaml, .yml) or an ONNX model (.onnx), got ${JSON.stringify(ext || 'no extension')}`);
}

/** How messages and reports name a file: its repository path when it is inside the repository, else as given. */
function shownPath(ctx: Pick<CommandContext, 'files'>, file: string): string {
  try {
    return repoPath(ctx.files.root(), file, file).rel;
  } catch {
    return file;
  }
}

/**
 * Loads configs and .onnx models through the context, each with its accuracy from --accuracy, --metrics (its
 * key with `{name}` replaced by the model's name) or --model-card; else an .onnx model's from the model card
 * beside it (README.md with model-index), a config's from the config itself. An .onnx model is read,
 * fixed to `onnx.batch`/`onnx.resolution`, counted and identified (frontier/models.ts) inside the repository.
 */
export async function loadCandidates(
  files: readonly string[], flags: AccuracyFlags, ctx: Pick<CommandContext, 'files'>, onnx: { batch?: number; resolution?: number } = {},
): Promise<LoadedCandidate[]> {
  const out: LoadedCandidate[] = [];
  for (const file of files) {
    let model: GateModel;
    if (modelKind(file) === 'onnx') model = inspectOnnxModel(ctx.files.resolve(file), { root: ctx.files.root() }, { ...onnx, what: file }).model;
    else model = configModel((await ctx.files.config(file)).config);
    let accuracy: ResolvedAccuracy | undefined;
    if (flags.accuracy !== undefined) accuracy = resolveAccuracy(flags, undefined);
    else if (flags.metrics !== undefined) {
      accuracy = readMetricsAccuracy(ctx.files.resolve(flags.metrics), flags.metricsKey?.split(NAME_PLACEHOLDER).join(model.name), flags.metrics);
    } else if (flags.modelCard !== undefined) {
      accuracy = resolveAccuracy({ ...flags, modelCard: ctx.files.resolve(flags.modelCard) }, undefined, shownPath(ctx, ctx.files.resolve(flags.modelCard)));
    } else if (model.onnxFile) {
      const card = cardBeside(model.onnxFile);
      const read = card ? readCardBeside(card, { dataset: flags.cardDataset, model: flags.cardModel }, shownPath(ctx, card)) : undefined;
      if (read) accuracy = { top1: read.top1, source: read.source, dataset: read.dataset };
    }
    out.push({ model, file, ...(accuracy ? { accuracy } : {}) });
  }
  return out;
}

/** A candidate as the gate takes it: the model and, when given on the command line or by a model card, its accuracy. */
export function gateCandidate(c: LoadedCandidate): { model: GateModel; file: string; accuracy?: number; accuracySource?: string; accuracyDataset?: string | null } {
  return { model: c.model, file: c.file, ...(c.accuracy ? { accuracy: c.accuracy.top1, accuracySource: c.accuracy.source, accuracyDataset: c.accuracy.dataset ?? null } : {}) };
}

/** GITHUB_SHA in CI, else the checkout's HEAD; undefined outside git. */
export function detectCommit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GITHUB_SHA && /^[0-9a-f]{7,64}$/i.test(env.GITHUB_SHA)) return env.GITHUB_SHA;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}
