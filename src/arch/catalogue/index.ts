/**
 * The catalogue of published models: architectures that model repositories train (torchvision's and
 * timm's), each as a config (format v1, the text a user would write) with the results published for its
 * trained weights. Accuracy belongs to weights, not to an architecture: an entry is named by its
 * architecture (torchvision's name where torchvision has it, timm's names as aliases) and carries one or
 * more results, each with its weights tag, evaluation resolution and crop, top-1 and source.
 *
 * This module is data plus lookups: `frontier-gate zoo` lists and writes entries, and whatever puts
 * published models on a store reads `catalogueConfig(entry, result)` (the config at that result's
 * resolution, with its accuracy). The counts of every entry are asserted against torchvision's modules
 * and timm's published numbers in __tests__/zoo.catalogue.test.ts.
 */
import * as YAML from 'yaml';
import { UserError } from '../../errors';
import type { NetworkStats } from '../counts';
import { parseArchConfig, parseArchConfigWithSource } from '../parse';
import type { ArchConfig } from '../types';
import { EFFICIENTNETS } from './efficientnet';
import { MOBILENETS } from './mobilenet';
import { REGNETS } from './regnet';
import { RESNETS } from './resnet';
import type { CatalogueEntry, PublishedResult, ResultSource } from './types';

export type { CatalogueEntry, PublishedResult, ResultSource } from './types';

/** Where each source's numbers are read, as a report cites them. */
export const RESULT_SOURCES: Record<ResultSource, string> = {
  torchvision: 'torchvision model weights metadata (ImageNet-1K acc@1, transforms crop_size/resize_size)',
  timm: 'timm results/results-imagenet.csv (top1, img_size, crop_pct)',
};

export const CATALOGUE: readonly CatalogueEntry[] = [...RESNETS, ...REGNETS, ...MOBILENETS, ...EFFICIENTNETS];

/** Names are compared with `-` and `_` alike and case folded: `mobilenet-v3-large` finds mobilenet_v3_large. */
const key = (name: string) => name.toLowerCase().replace(/-/g, '_');

let index: Map<string, CatalogueEntry> | undefined;
function nameIndex(): Map<string, CatalogueEntry> {
  if (!index) {
    index = new Map();
    for (const e of CATALOGUE) for (const n of [e.name, ...e.aliases]) index.set(key(n), e);
  }
  return index;
}

/** The entry a torchvision name or a timm alias names (a timm weights tag like `resnet50d.ra2_in1k` names its architecture). */
export function findEntry(name: string): CatalogueEntry | undefined {
  const direct = nameIndex().get(key(name));
  if (direct) return direct;
  const dot = name.indexOf('.');
  return dot > 0 ? nameIndex().get(key(name.slice(0, dot))) : undefined;
}

/**
 * The result a weights tag names: the torchvision tag, or timm's `model.tag` or just `tag`, optionally
 * `@RES` for the result at that evaluation resolution (timm lists one set of weights at several); the
 * first result when none is given.
 */
export function findResult(entry: CatalogueEntry, weights?: string): PublishedResult | undefined {
  if (weights === undefined) return entry.results[0];
  const [tag, res] = weights.toLowerCase().split('@');
  return entry.results.find((r) => {
    const name = r.weights.toLowerCase();
    const named = name === tag || (r.source === 'timm' && name.split('.').slice(1).join('.') === tag);
    return named && (res === undefined || String(r.resolution) === res);
  });
}

const parsed = new Map<string, { config: ArchConfig; stats: NetworkStats }>();

function load(entry: CatalogueEntry): { config: ArchConfig; stats: NetworkStats } {
  let loaded = parsed.get(entry.name);
  if (!loaded) {
    // Parsing counts the network (the resource check): the counts come with the config.
    const { config, stats } = parseArchConfigWithSource(entry.yaml, `catalogue:${entry.name}`);
    loaded = { config, stats };
    parsed.set(entry.name, loaded);
  }
  return loaded;
}

/** The entry's config as written in the catalogue (parsed and validated once). */
export function entryConfig(entry: CatalogueEntry): ArchConfig {
  return structuredClone(load(entry).config);
}

/** The entry's exact counts at its config's resolution (fp32, batch 1). */
export function entryStats(entry: CatalogueEntry): NetworkStats {
  return load(entry).stats;
}

/** The accuracy record of a result, as a config holds it. */
export function resultAccuracy(result: PublishedResult): NonNullable<ArchConfig['accuracy']> {
  return { top1: result.top1, dataset: 'imagenet-1k', source: `${result.source} ${result.weights}` };
}

/**
 * The config a result stands for: the entry's network at the result's evaluation resolution, with its
 * top-1. What a store of published models records.
 */
export function catalogueConfig(entry: CatalogueEntry, result: PublishedResult = entry.results[0]): ArchConfig {
  const config = entryConfig(entry);
  config.resolution = result.resolution;
  config.accuracy = resultAccuracy(result);
  return config;
}

/** One line on where a result comes from, for the comment a written config starts with. */
export function describeResult(result: PublishedResult): string {
  const crop = `crop ${result.crop_pct.toFixed(3)}${result.resize ? ` (${result.resolution} of ${result.resize})` : ''}, ${result.interpolation}`;
  return `${result.source} weights ${result.weights}: top-1 ${result.top1} on ImageNet-1k at ${result.resolution} px, ${crop}`;
}

/**
 * The config file `zoo NAME -o FILE.yaml` writes: the catalogue's text (block strings and comments kept),
 * resolution and accuracy set from the result, and a comment saying where the accuracy comes from.
 */
export function catalogueYaml(entry: CatalogueEntry, result: PublishedResult = entry.results[0]): string {
  const doc = YAML.parseDocument(entry.yaml);
  doc.set('resolution', result.resolution);
  const accuracy = doc.createNode(resultAccuracy(result));
  accuracy.flow = true;
  doc.set('accuracy', accuracy);
  const header = [
    `${entry.name} from frontier-gate's catalogue of published models (${entry.family}).`,
    `accuracy: ${describeResult(result)}.`,
    `source: ${RESULT_SOURCES[result.source]}.`,
    `Other published results: ${entry.results.filter((r) => r !== result).map((r) => `${r.weights} ${r.top1} @${r.resolution}`).join(', ') || 'none'}.`,
  ];
  doc.commentBefore = [...header.map((l) => ` ${l}`), ...(doc.commentBefore ? [doc.commentBefore] : [])].join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * Checks the catalogue's own consistency: unique names and aliases, every config valid and named as its
 * entry, results present, the first one at the config's resolution. Throws on the first problem (a bug in
 * the data, tested).
 */
export function validateCatalogue(entries: readonly CatalogueEntry[] = CATALOGUE): void {
  const seen = new Map<string, string>();
  for (const e of entries) {
    for (const n of [e.name, ...e.aliases]) {
      const other = seen.get(key(n));
      if (other) throw new UserError(`catalogue: ${n} names both ${other} and ${e.name}`);
      seen.set(key(n), e.name);
    }
    const config = parseArchConfig(e.yaml, `catalogue:${e.name}`);
    if (config.name !== e.name) throw new UserError(`catalogue: ${e.name}: its config is named ${config.name}`);
    if (e.results.length === 0) throw new UserError(`catalogue: ${e.name} has no published result`);
    if (e.results[0].resolution !== config.resolution) {
      throw new UserError(`catalogue: ${e.name}: its first result is at ${e.results[0].resolution} px, its config at ${config.resolution}`);
    }
    const tags = new Set<string>();
    for (const r of e.results) {
      const tag = `${r.source}:${r.weights}@${r.resolution}`;
      if (tags.has(tag)) throw new UserError(`catalogue: ${e.name}: result ${tag} listed twice`);
      tags.add(tag);
      if (!(r.top1 > 0 && r.top1 < 100) || !(r.crop_pct > 0 && r.crop_pct <= 1)) throw new UserError(`catalogue: ${e.name}: result ${tag} is out of range`);
    }
  }
}
