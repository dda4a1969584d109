/**
 * Published models on a store: `init --zoo` and `record --zoo` put catalogue models (src/arch/catalogue) on
 * the store in one command, so a team sees the published frontier on its own hardware on day one. Each
 * published result is one record, named for its entry, weights and evaluation resolution, with provenance
 * `published`: the entry's network at the result's resolution, the result's top-1 as its accuracy and the
 * result itself (source, weights, resolution, crop, interpolation, top-1) kept on the record.
 *
 * The selection (`--zoo`), comma-separated:
 *   NAME                 the entry's first listed result (torchvision's current default weights where it has them)
 *   NAME:WEIGHTS[@RES]   one result by its weights tag (and evaluation resolution), as `zoo --weights` takes it
 *   NAME:all             every published result of the entry
 *   model.tag            a timm weights tag names its result (resnet50d.ra2_in1k)
 *   family:FAMILY        every entry of a family (family:mobilenetv3, family:efficientnet), first results
 *   all                  every entry of the catalogue, first results
 * NAME is torchvision's name or a timm alias, as `frontier-gate zoo` lists them.
 */
import { closest } from 'fastest-levenshtein';
import { CATALOGUE, catalogueConfig, findEntry, findResult, resultAccuracy, type CatalogueEntry, type PublishedResult } from '../arch/catalogue';
import { UserError } from '../errors';
import { configModel, type GateModel } from './models';
import type { StoredAccuracy, StoredPublished } from './store';

export interface PublishedPick {
  entry: CatalogueEntry;
  result: PublishedResult;
}

const familyKey = (f: string) => f.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The record name of a published result: entry, weights tag and resolution (resnet50.imagenet1k_v2.224, resnet50d.ra2_in1k.288). */
export function publishedName(entry: CatalogueEntry, result: PublishedResult): string {
  const tag = result.source === 'timm' ? result.weights.slice(result.weights.indexOf('.') + 1) : result.weights;
  return `${entry.name}.${tag}.${result.resolution}`.toLowerCase().replace(/[^a-z0-9._-]+/g, '_').slice(0, 128);
}

function unknownName(name: string, what: string): never {
  const names = CATALOGUE.flatMap((e) => [e.name, ...e.aliases]);
  throw new UserError(`${what}: no published model named ${JSON.stringify(name)}; did you mean "${closest(name.toLowerCase(), names)}"? (\`frontier-gate zoo\` lists them)`);
}

/** Parses a --zoo selection into published results, in the order given, each once. Pure (catalogue data only). */
export function selectPublished(spec: string, what = '--zoo'): PublishedPick[] {
  const items = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new UserError(`${what}: expected catalogue names (e.g. efficientnet_b0,mobilenet_v3_large), family:NAME or all, got ${JSON.stringify(spec)}`);
  const picks: PublishedPick[] = [];
  const add = (entry: CatalogueEntry, result: PublishedResult) => {
    if (!picks.some((p) => p.entry === entry && p.result === result)) picks.push({ entry, result });
  };
  for (const item of items) {
    if (item.toLowerCase() === 'all') {
      for (const e of CATALOGUE) add(e, e.results[0]);
      continue;
    }
    const family = /^family:(.+)$/i.exec(item);
    if (family) {
      const want = familyKey(family[1]);
      const members = CATALOGUE.filter((e) => familyKey(e.family) === want);
      if (!members.length) {
        const families = [...new Set(CATALOGUE.map((e) => e.family))];
        throw new UserError(`${what}: no family ${JSON.stringify(family[1])}; allowed: ${families.map((f) => familyKey(f)).join(', ')}`);
      }
      for (const e of members) add(e, e.results[0]);
      continue;
    }
    const colon = item.indexOf(':');
    const name = colon < 0 ? item : item.slice(0, colon);
    const weights = colon < 0 ? undefined : item.slice(colon + 1);
    const entry = findEntry(name);
    if (!entry) unknownName(name, what);
    if (weights?.toLowerCase() === 'all') {
      for (const r of entry.results) add(entry, r);
      continue;
    }
    // A timm weights tag (model.tag) names its own result.
    const tagged = weights === undefined && name.includes('.') ? findResult(entry, name) : undefined;
    const result = weights !== undefined ? findResult(entry, weights) : (tagged ?? entry.results[0]);
    if (!result) {
      throw new UserError(`${what}: ${entry.name} has no published result ${JSON.stringify(weights ?? name)}; allowed: ${entry.results.map((r) => `${r.weights}@${r.resolution}`).join(', ')}, or all`);
    }
    add(entry, result);
  }
  return picks;
}

/** The published result as a record keeps it. */
export function storedPublished(entry: CatalogueEntry, r: PublishedResult): StoredPublished {
  return {
    entry: entry.name, source: r.source, weights: r.weights, resolution: r.resolution, crop_pct: r.crop_pct,
    ...(r.resize !== undefined ? { resize: r.resize } : {}), interpolation: r.interpolation, top1: r.top1,
  };
}

/** A published result as a model to record: the entry's network at the result's resolution, named for the result. */
export function publishedModel(pick: PublishedPick): { model: GateModel; accuracy: StoredAccuracy } {
  const config = catalogueConfig(pick.entry, pick.result);
  config.name = publishedName(pick.entry, pick.result);
  const a = resultAccuracy(pick.result);
  return { model: configModel(config, storedPublished(pick.entry, pick.result)), accuracy: { top1: a.top1, dataset: a.dataset ?? null, source: a.source ?? null } };
}
