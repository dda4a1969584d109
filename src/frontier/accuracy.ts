/**
 * Candidate accuracy: from `--accuracy`, from a metrics JSON a training job wrote (`--metrics FILE
 * --metrics-key a.b.c`), from a model card (`--model-card README.md`), or from the config's `accuracy.top1`,
 * in that order of precedence; an .onnx model without any of these reads the model card beside its file
 * (src/commands/flags.ts loadCandidates).
 */
import { UserError } from '../errors';
import { excerpt, readRegularText } from '../util/fs';
import { quoteValue } from '../util/describe';
import { parseJson } from '../util/json';
import { readModelCard } from './model-card';
import { readingNote, toPercent } from './top1';

export { readingNote, toPercent } from './top1';

export interface ResolvedAccuracy {
  top1: number;
  /** Where it came from, for the report: "--accuracy", "metrics.json:eval.top1", "config", a model card's metric. */
  source: string;
  /** The dataset, when the source states one (a model card). */
  dataset?: string | null;
}

/** A metrics key's bounds: a real one has a handful of parts (the lookup tries every dotted run of parts). */
export const METRICS_KEY_LIMITS = { maxChars: 1000, maxParts: 64 } as const;

/** `part` names an element of `node`: an own key of an object, or a canonical index of a list (never "length"). */
function hasPart(node: object, part: string): boolean {
  if (Array.isArray(node)) return /^(0|[1-9]\d{0,8})$/.test(part) && Number(part) < node.length;
  return Object.prototype.hasOwnProperty.call(node, part);
}

/**
 * Looks a dotted key up in parsed JSON. Array elements are addressed by index ("runs.0.top1"), and only
 * by index (a list's "length" is not a metric); a key that itself contains dots is matched whole first
 * ("eval.top1.acc" finds {"eval": {"top1.acc": ..}}). Keys are bounded (METRICS_KEY_LIMITS).
 */
export function lookupKey(data: unknown, key: string, file: string): unknown {
  if (!key.trim()) throw new UserError(`--metrics-key: expected a dotted path such as "eval.top1", got ${JSON.stringify(key)}`);
  const parts = key.split('.');
  if (key.length > METRICS_KEY_LIMITS.maxChars || parts.length > METRICS_KEY_LIMITS.maxParts) {
    throw new UserError(`--metrics-key: ${key.length} characters in ${parts.length} parts; allowed: at most ${METRICS_KEY_LIMITS.maxChars} characters and ${METRICS_KEY_LIMITS.maxParts} parts (METRICS_KEY_LIMITS)`);
  }
  let node: unknown = data;
  let walked: string[] = [];
  let i = 0;
  while (i < parts.length) {
    if (node === null || typeof node !== 'object') {
      const at = walked.length ? `"${walked.join('.')}"` : 'the top level';
      throw new UserError(`--metrics ${file}: key ${excerpt(key, 80)}: ${at} is ${quoteValue(node, 40)}, not an object, so ${excerpt(parts.slice(i).join('.'), 60)} cannot be looked up in it`);
    }
    // Longest dotted segment that exists as a key at this level.
    let matched = 0;
    for (let j = parts.length; j > i; j--) {
      if (hasPart(node, parts.slice(i, j).join('.'))) {
        matched = j;
        break;
      }
    }
    if (!matched) {
      const at = walked.length ? `"${walked.join('.')}"` : 'the top level';
      const keys = Array.isArray(node) ? `indexes 0..${node.length - 1}` : `keys ${Object.keys(node).slice(0, 20).map((k) => excerpt(k, 40)).join(', ') || '(none)'}`;
      throw new UserError(`--metrics ${file}: key ${excerpt(key, 80)}: no ${excerpt(parts[i], 40)} at ${at} (it has ${keys})`);
    }
    const segment = parts.slice(i, matched).join('.');
    node = (node as Record<string, unknown>)[segment];
    walked = [...walked, segment];
    i = matched;
  }
  return node;
}

/** The top-1 under `key` in a metrics file; `name` is how messages and the source call the file (default: its path). */
export function readMetricsAccuracy(file: string, key: string | undefined, name = file): ResolvedAccuracy {
  if (!key) throw new UserError(`--metrics ${name}: also give --metrics-key, the dotted path of top-1 in it (e.g. --metrics-key eval.top1)`);
  let text: string;
  try {
    text = readRegularText(file, { what: '--metrics', kind: 'metrics' });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`--metrics: cannot read ${JSON.stringify(file)}: ${(err as Error).message}`);
  }
  const data = parseJson(text, `--metrics ${name}`);
  const { top1, fraction } = toPercent(lookupKey(data, key, name), `--metrics ${name}: key ${JSON.stringify(key)}`);
  return { top1, source: `${name}:${key}${readingNote(fraction)}` };
}

export interface AccuracyFlags {
  accuracy?: string;
  metrics?: string;
  metricsKey?: string;
  /** A model card (README.md with model-index front matter), and optionally the dataset or model to read it for. */
  modelCard?: string;
  cardDataset?: string;
  cardModel?: string;
}

/** `{name}` in a metrics key stands for each config's name: one metrics file for several configs. */
export const NAME_PLACEHOLDER = '{name}';

/**
 * What the flags allow, checked before anything is read: one of --accuracy, --metrics and --model-card,
 * --metrics-key needs --metrics, and each gives one model's accuracy, so several configs need a metrics key
 * with `{name}` (each config's own entry).
 */
export function checkAccuracyFlags(flags: AccuracyFlags, configs = 1): void {
  const given = [flags.accuracy !== undefined && '--accuracy', flags.metrics !== undefined && '--metrics', flags.modelCard !== undefined && '--model-card'].filter(Boolean);
  if (given.length > 1) throw new UserError(`${given.join(' and ')} all give the accuracy; use one`.replace(' all give', given.length === 2 ? ' both give' : ' all give'));
  if (flags.metricsKey !== undefined && flags.metrics === undefined) {
    throw new UserError(`--metrics-key ${JSON.stringify(flags.metricsKey)} needs --metrics FILE`);
  }
  const perConfig = flags.metricsKey?.includes(NAME_PLACEHOLDER) ?? false;
  if (configs > 1 && given.length === 1 && !(flags.metrics !== undefined && perConfig)) {
    throw new UserError(
      `${given[0]} gives one model's accuracy but ${configs} configs were given; ` +
        `check them one at a time, put accuracy in each config, or name each config's entry with "${NAME_PLACEHOLDER}" in --metrics-key (e.g. models.${NAME_PLACEHOLDER}.top1)`,
    );
  }
}

/**
 * The candidate's accuracy by precedence; undefined when none is given (the caller decides whether
 * that is an error: it is, unless --latency-only).
 */
export function resolveAccuracy(flags: AccuracyFlags, configTop1: number | undefined, cardName?: string): ResolvedAccuracy | undefined {
  checkAccuracyFlags(flags);
  if (flags.accuracy !== undefined) {
    const { top1, fraction } = toPercent(flags.accuracy, '--accuracy');
    return { top1, source: `--accuracy${readingNote(fraction)}` };
  }
  if (flags.metrics !== undefined) return readMetricsAccuracy(flags.metrics, flags.metricsKey);
  if (flags.modelCard !== undefined) {
    const card = readModelCard(flags.modelCard, { dataset: flags.cardDataset, model: flags.cardModel }, cardName);
    return { top1: card.top1, source: card.source, dataset: card.dataset };
  }
  if (configTop1 !== undefined) return { top1: configTop1, source: 'config' };
  return undefined;
}
