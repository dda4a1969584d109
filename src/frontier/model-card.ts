/**
 * Accuracy from a model card: the Hugging Face `model-index` in a README's YAML front matter,
 *
 *   model-index:
 *   - name: my-model
 *     results:
 *     - task: {type: image-classification}
 *       dataset: {name: ImageNet-1k, type: imagenet-1k, split: validation}
 *       metrics:
 *       - {type: accuracy, value: 77.69, name: Top 1 Accuracy}
 *
 * The top-1 is chosen, never guessed: candidates are metrics of type accuracy (or a type that names top-1);
 * within one result a metric named top-1 ("Top 1 Accuracy", "top1", "acc@1"...) wins, otherwise a single
 * accuracy metric not named top-k (k > 1) is taken. Several results (datasets) with candidates, several
 * models, or several top-1 metrics make the card ambiguous: exit 2 listing what it found, with the
 * selector that picks one (a dataset or model name). The value is read by the one percent/fraction rule
 * (toPercent).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { UserError } from '../errors';
import { quoteValue } from '../util/describe';
import { excerpt, readRegularText } from '../util/fs';
import { readingNote, toPercent } from './top1';

export interface CardAccuracy {
  top1: number;
  /** The dataset's name (or type) as the card states it; null when it states none. */
  dataset: string | null;
  /** Where the value came from: `README.md: model-index[0].results[0].metrics[0] "Top 1 Accuracy"`, with the reading. */
  source: string;
  /** The value as the card wrote it. */
  value: unknown;
  fraction: boolean;
}

export interface CardSelector {
  /** Picks a result by its dataset name or type (case-insensitive). */
  dataset?: string;
  /** Picks a model-index entry by name (case-insensitive). */
  model?: string;
}

interface Candidate {
  where: string;
  model: string;
  dataset: string | null;
  datasetType: string | null;
  name: string;
  type: string;
  value: unknown;
  top1Named: boolean;
}

const TOP1 = /(^|[^a-z0-9])(top[\s_-]?1|acc(uracy)?[\s_-]?@[\s_-]?1|top1|acc1)($|[^0-9])/i;
const TOPK = /(^|[^a-z0-9])(top[\s_-]?([2-9]|\d\d+)|acc(uracy)?[\s_-]?@[\s_-]?([2-9]|\d\d+)|top[2-9]|acc[2-9])($|[^0-9])/i;
const MAX_FRONT_MATTER = 256 * 1024;

/** The YAML front matter of a Markdown file: the text between a first line `---` and the next `---` (or `...`) line. */
export function frontMatter(text: string, file: string): string | undefined {
  const body = text.replace(/^\uFEFF/, '');
  const first = /^---[ \t]*\r?\n/.exec(body);
  if (!first) return undefined;
  const rest = body.slice(first[0].length);
  const end = /^(---|\.\.\.)[ \t]*\r?$/m.exec(rest);
  if (!end) throw new UserError(`${file}: the front matter opened by --- on line 1 is never closed by a --- line`);
  if (end.index > MAX_FRONT_MATTER) throw new UserError(`${file}: the front matter is over ${MAX_FRONT_MATTER / 1024} KiB; a model card's metadata is a few KB`);
  return rest.slice(0, end.index);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

function candidatesOf(index: unknown[], file: string): Candidate[] {
  const out: Candidate[] = [];
  index.forEach((entry, mi) => {
    const model = obj(entry);
    if (!model) throw new UserError(`${file}: model-index[${mi}] is ${quoteValue(entry)}; expected a mapping with name and results`);
    const results = model.results ?? [];
    if (!Array.isArray(results)) throw new UserError(`${file}: model-index[${mi}].results is ${quoteValue(results)}; expected a list`);
    results.forEach((r, ri) => {
      const result = obj(r);
      if (!result) throw new UserError(`${file}: model-index[${mi}].results[${ri}] is ${quoteValue(r)}; expected a mapping with task, dataset and metrics`);
      const dataset = obj(result.dataset);
      const metrics = result.metrics ?? [];
      if (!Array.isArray(metrics)) throw new UserError(`${file}: model-index[${mi}].results[${ri}].metrics is ${quoteValue(metrics)}; expected a list`);
      metrics.forEach((m, k) => {
        const metric = obj(m);
        if (!metric) return;
        const type = str(metric.type) ?? '';
        const name = str(metric.name) ?? '';
        const accuracyType = /^(acc|accuracy|top[\s_-]?1([\s_-]?acc(uracy)?)?|acc@1)$/i.test(type);
        if (!accuracyType) return;
        out.push({
          where: `model-index[${mi}].results[${ri}].metrics[${k}]`,
          model: str(model.name) ?? `model-index[${mi}]`,
          dataset: dataset ? str(dataset.name) : null,
          datasetType: dataset ? str(dataset.type) : null,
          name,
          type,
          value: metric.value,
          top1Named: TOP1.test(name) || TOP1.test(type),
        });
      });
    });
  });
  return out;
}

const describe = (c: Candidate) =>
  `${c.where} ${c.name ? JSON.stringify(c.name.slice(0, 60)) : `(type ${c.type}, no name)`} = ${quoteValue(c.value)}` +
  `${c.dataset || c.datasetType ? ` on ${JSON.stringify((c.dataset ?? c.datasetType)!.slice(0, 60))}` : ''} (model ${JSON.stringify(c.model.slice(0, 60))})`;

function ambiguous(file: string, why: string, found: Candidate[], hint: string): never {
  const list = found.slice(0, 12).map((c) => `  - ${describe(c)}`).join('\n');
  const more = found.length > 12 ? `\n  ... and ${found.length - 12} more` : '';
  throw new UserError(`${file}: the model card is ambiguous: ${why}; found:\n${list}${more}\n${hint}`);
}

/** Picks the top-1 from parsed front matter (exported for tests of card layouts). */
export function accuracyFromCard(data: unknown, file: string, select: CardSelector = {}): CardAccuracy {
  const top = obj(data);
  const index = top?.['model-index'];
  if (index === undefined) throw new UserError(`${file}: the model card has no model-index in its front matter, so it states no accuracy to read; give it with --accuracy or --metrics`);
  if (!Array.isArray(index)) throw new UserError(`${file}: model-index is ${quoteValue(index)}; expected a list of {name, results}`);
  let found = candidatesOf(index, file);
  if (select.model) found = found.filter((c) => c.model.toLowerCase() === select.model!.toLowerCase());
  if (select.dataset) {
    const want = select.dataset.toLowerCase();
    found = found.filter((c) => c.dataset?.toLowerCase() === want || c.datasetType?.toLowerCase() === want);
  }
  const filters = [select.model && `model ${JSON.stringify(select.model)}`, select.dataset && `dataset ${JSON.stringify(select.dataset)}`].filter(Boolean).join(' and ');
  if (!found.length) {
    const all = candidatesOf(index, file);
    if (all.length && filters) ambiguous(file, `no accuracy metric matches ${filters}`, all, 'choose one of the datasets or models listed (--card-dataset, --card-model)');
    throw new UserError(`${file}: the model card's model-index has no metric of type accuracy${filters ? ` for ${filters}` : ''}; give the accuracy with --accuracy or --metrics`);
  }
  const models = new Set(found.map((c) => c.model));
  if (models.size > 1) ambiguous(file, `it lists ${models.size} models`, found, 'choose the model by its model-index name (--card-model NAME)');
  const results = new Set(found.map((c) => c.where.replace(/\.metrics\[\d+\]$/, '')));
  if (results.size > 1) ambiguous(file, `${results.size} results (datasets) report accuracy`, found, 'choose the dataset by its name or type (--card-dataset NAME)');
  const named = found.filter((c) => c.top1Named);
  let chosen: Candidate;
  if (named.length === 1) chosen = named[0];
  else if (named.length > 1) ambiguous(file, `${named.length} metrics are named top-1`, named, 'keep one top-1 metric in the card');
  else {
    const plain = found.filter((c) => !TOPK.test(c.name) && !TOPK.test(c.type));
    if (plain.length !== 1) ambiguous(file, plain.length ? `${plain.length} accuracy metrics and none is named top-1 ("Top 1 Accuracy", "top1", "acc@1")` : 'only top-k (k > 1) accuracy metrics', found, 'name the top-1 metric "Top 1 Accuracy" in the card');
    chosen = plain[0];
  }
  const at = `${file}: ${chosen!.where}${chosen!.name ? ` ${JSON.stringify(chosen!.name.slice(0, 60))}` : ''}`;
  const { top1, fraction } = toPercent(chosen!.value, at);
  return { top1, dataset: chosen!.dataset ?? chosen!.datasetType, source: `${at}${readingNote(fraction)}`, value: chosen!.value, fraction };
}

/** The parsed front matter of a card; undefined when the file has none. `name` is how messages call the file. */
function cardData(file: string, name: string): unknown {
  const text = readRegularText(file, { what: '--model-card', kind: 'modelCard' });
  const yamlText = frontMatter(text, name);
  if (yamlText === undefined) return undefined;
  try {
    const doc = YAML.parseDocument(yamlText, { uniqueKeys: false, logLevel: 'silent', prettyErrors: true });
    const problem = doc.errors[0];
    if (problem) {
      // The front matter starts on the file's second line.
      const line = (problem.linePos?.[0]?.line ?? 0) + 1;
      throw new UserError(`${name}:${line}: the front matter is not valid YAML: ${problem.message.split('\n')[0]}`);
    }
    return doc.toJS({ maxAliasCount: 100 }) ?? null;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${name}: the front matter could not be read: ${excerpt((err as Error).message, 120)}`);
  }
}

/** Reads a model card (README.md) and picks its top-1. `name` is how messages and the source call the file (default: its path). */
export function readModelCard(file: string, select: CardSelector = {}, name = file): CardAccuracy {
  const data = cardData(file, name);
  if (data === undefined) throw new UserError(`${name}: no YAML front matter (a first line ---): the model card states no model-index to read accuracy from`);
  return accuracyFromCard(data, name, select);
}

/**
 * The accuracy of the card beside a model file, when that README is a model card: a README without front
 * matter or without `model-index` is documentation, not a card (undefined); a card that is ambiguous or
 * malformed is an error, as with --model-card.
 */
export function readCardBeside(card: string, select: CardSelector = {}, name = card): CardAccuracy | undefined {
  const data = cardData(card, name);
  if (data === undefined || obj(data)?.['model-index'] === undefined) return undefined;
  return accuracyFromCard(data, name, select);
}

/** The model card that sits beside a model file (README.md in its folder), if there is one. */
export function cardBeside(modelFile: string): string | undefined {
  const dir = path.dirname(path.resolve(modelFile));
  for (const name of ['README.md', 'readme.md', 'MODEL_CARD.md']) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}
