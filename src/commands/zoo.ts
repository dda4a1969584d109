/**
 * `frontier-gate zoo`: the catalogue of published models (src/arch/catalogue). With no name it lists every
 * entry; with a name (torchvision's, or a timm alias or weights tag) it shows the entry and its published
 * results; with -o it writes the entry's config for one result (its resolution and top-1, a comment
 * saying where the top-1 comes from).
 */
import { closest } from 'fastest-levenshtein';
import { CATALOGUE, catalogueYaml, entryStats, findEntry, findResult, type CatalogueEntry } from '../arch/catalogue';
import { UserError } from '../errors';
import type { ZooEntry, ZooResult } from '../report/result';
import { stringFlag } from './flags';
import type { Command } from './types';

export interface ZooArgs {
  entries: CatalogueEntry[];
  detail: boolean;
  write?: { file: string; weights?: string };
}

const row = (e: CatalogueEntry): ZooEntry => {
  const stats = entryStats(e);
  return { name: e.name, aliases: [...e.aliases], family: e.family, resolution: stats.resolution, params: stats.params, macs: stats.macs, results: [...e.results] };
};

export const command: Command<ZooArgs, ZooResult> = {
  name: 'zoo',
  summary: 'published CNNs (torchvision names, timm aliases) with their published top-1: list them, show one, or write its config',
  args: '[NAME] [-o FILE.yaml]',
  flags: {
    output: { type: 'string', short: 'o', value: 'FILE', help: 'write the config of NAME to this file (YAML)' },
    weights: { type: 'string', value: 'TAG[@RES]', help: 'the published result -o writes: torchvision IMAGENET1K_V2, timm ra2_in1k or model.tag; @RES picks its evaluation resolution (default: the first listed)' },
  },
  parse(values, positionals) {
    if (positionals.length > 1) throw new UserError(`zoo: expected at most one name, got ${positionals.length}`);
    const output = stringFlag(values, 'output');
    const weights = stringFlag(values, 'weights');
    const name = positionals[0];
    if (name === undefined) {
      if (output !== undefined || weights !== undefined) throw new UserError('zoo: -o and --weights need a NAME (run `frontier-gate zoo` for the list)');
      return { entries: [...CATALOGUE], detail: false };
    }
    const entry = findEntry(name);
    if (!entry) {
      const names = CATALOGUE.flatMap((e) => [e.name, ...e.aliases]);
      throw new UserError(`zoo: no published model named ${JSON.stringify(name)}; did you mean "${closest(name.toLowerCase(), names)}"? (\`frontier-gate zoo\` lists them)`);
    }
    if (weights !== undefined && !findResult(entry, weights)) {
      throw new UserError(`zoo: ${entry.name} has no published result ${JSON.stringify(weights)}; allowed: ${entry.results.map((r) => `${r.weights}@${r.resolution}`).join(', ')}`);
    }
    if (output !== undefined) {
      return { entries: [entry], detail: true, write: { file: output, ...(weights !== undefined ? { weights } : {}) } };
    }
    if (weights !== undefined) throw new UserError('zoo: --weights chooses the result -o writes; add -o FILE.yaml');
    return { entries: [entry], detail: true };
  },
  async run(args, ctx) {
    const result: ZooResult = { command: 'zoo', entries: args.entries.map(row), detail: args.detail };
    if (args.write) {
      const file = args.write.file;
      ctx.files.checkOutput(file, { what: '-o', named: true });
      const entry = args.entries[0];
      const chosen = findResult(entry, args.write.weights)!;
      ctx.files.write(file, catalogueYaml(entry, chosen), { what: '-o', named: true });
      result.written = { file: args.write.file, name: entry.name, result: chosen };
    }
    return result;
  },
};
