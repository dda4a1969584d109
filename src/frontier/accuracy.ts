/**
 * Candidate accuracy: from `--accuracy`, from a metrics JSON a training job wrote (`--metrics FILE
 * --metrics-key a.b.c`), from a model card (`--model-card README.md`), or from the config's `accuracy.top1`,
 * in that order of precedence; an .onnx model without any of these reads the model card beside its file
 * (src/commands/flags.ts loadCandidates).
 */
import { UserError } from '../errors';
import { readRegularText } from '../util/fs';
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

/**
 * Looks a dotted key up in parsed JSON. Array elements are addressed by index ("runs.0.top1"); a key that
 * itself contains dots is matched whole first ("eval.top1.acc" finds {"eval": {"top1.acc": ..}}).
 */
export function lookupKey(data: unknown, key: string, file: string): unknown {
  if (!key.trim()) throw new UserError(`--metrics-key: expected a dotted path such as "eval.top1", got ${JSON.stringify(key)}`);
  const parts = key.split('.');
  let node: unknown = data;
  let walked: string[] = [];
  let i = 0;
  while (i < parts.length) {
    if (node === null || typeof node !== 'object') {
      const at = walked.length ? `"${walked.join('.')}"` : 'the top level';
      throw new UserError(`--metrics ${file}: key ${JSON.stringify(key)}: ${at} is ${JSON.stringify(node)}, not an object, so "${parts.slice(i).join('.')}" cannot be looked up in it`);
    }
    // Longest dotted segment that exists as a key at this level.
    let matched = 0;
    for (let j = parts.length; j > i; j--) {
      const candidate = parts.slice(i, j).join('.');
      if (Object.prototype.hasOwnProperty.call(node, candidate)) {
        matched = j;
        break;
      }
    }
    if (!matched) {
      const at = walked.length ? `"${walked.join('.')}"` : 'the top level';
      const keys = Array.isArray(node) ? `indexes 0..${node.length - 1}` : `keys ${Object.keys(node).slice(0, 20).map((k) => JSON.stringify(k)).join(', ') || '(none)'}`;
      throw new UserError(`--metrics ${file}: key ${JSON.stringify(key)}: no "${parts[i]}" at ${at} (it has ${keys})`);
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
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`--metrics ${name}: not valid JSON (${(err as Error).message})`);
  }
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
