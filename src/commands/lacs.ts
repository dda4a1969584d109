import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import type { ArchConfig } from '../arch/types';
import { choiceFlag, numberFlag, parseFlags, stringFlag } from '../cliargs';
import { UserError } from '../errors';
import { readStoreFile } from '../frontier/store';
import { loadAccuracyTable } from '../lacs/accuracy';
import { checkOutputFolder, checkOutputPath, readRegularText, writeFileAtomic } from '../util/fs';
import { configsFromStore, inputsFromConfigs } from '../lacs/inputs';
import { FileCache } from '../lacs/cache';
import { compareCoefficients, type StoredCoefficients } from '../lacs/compare';
import { lacsJson, storedCoefficients, writeFamily } from '../lacs/family';
import { DEFAULT_GRID_STEP, DEFAULT_TOLERANCE } from '../lacs/grid';
import { DEFAULT_LACS_OPTIONS, runLacs, type LacsOptions } from '../lacs/run';
import { createMeasurer } from '../measure';
import type { MeasureOptions, Measurer } from '../measure/types';
import type { Command, CommandIO } from './types';

const USAGE =
  'frontier-gate lacs <base-config.yaml> [--grid-step 0.05] [--tolerance 0.1] [--phi N] [--w -0.07] [--target-latency MS] ' +
  '[--accuracy FILE] [--records DIR|FILE]... [--frontier STORE] [--family-dir DIR] [--markdown FILE] [--json] ' +
  '[--cache FILE] [--previous FILE] [--coefficients-out FILE] [--screen-budget S] [--refine-top K] [--family-budget S] ' +
  '[--macs-slack 0.15] [--ep cpu|cuda|tensorrt] [--threads N] [--batch N] [--precision fp32|fp16] [--seed N]';

const isYaml = (f: string) => /\.ya?ml$/i.test(f);

/**
 * Trained records for the accuracy predictor and the frontier: configs that carry `accuracy`. A
 * directory contributes its YAML files that parse as configs; other YAML there (search spaces, tables)
 * is skipped, and said so on stderr. A named file must parse.
 */
function loadRecordConfigs(sources: string[], warn: (s: string) => void, strict: boolean): ArchConfig[] {
  const out: ArchConfig[] = [];
  for (const source of sources) {
    if (!fs.existsSync(source)) throw new UserError(`--records: ${JSON.stringify(source)} does not exist`);
    if (fs.statSync(source).isDirectory()) {
      for (const name of fs.readdirSync(source).filter(isYaml).sort()) {
        try {
          out.push(loadArchConfig(path.join(source, name)));
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          if (strict) warn(`lacs: skipping ${path.join(source, name)}: ${err.message.split('\n')[0]}`);
        }
      }
    } else {
      out.push(loadArchConfig(source));
    }
  }
  return out.filter((c) => c.accuracy !== undefined);
}

function readPrevious(file: string): StoredCoefficients {
  let doc: unknown;
  try {
    doc = JSON.parse(readRegularText(file, { what: '--previous', kind: 'metrics' }));
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`--previous ${file}: cannot read stored coefficients: ${(err as Error).message}`);
  }
  const o = doc as Record<string, unknown>;
  for (const k of ['alpha', 'beta', 'gamma']) {
    if (typeof o?.[k] !== 'number') throw new UserError(`--previous ${file}: ${k}: expected a number, got ${JSON.stringify(o?.[k])}`);
  }
  return o as unknown as StoredCoefficients;
}

/** The command with its measurer injectable (tests pass a deterministic one). */
export async function runLacsCommand(argv: string[], io: CommandIO, makeMeasurer: () => Measurer = createMeasurer): Promise<number> {
  const { values, positionals } = parseFlags('lacs', argv, {
    'grid-step': { type: 'string' },
    tolerance: { type: 'string' },
    phi: { type: 'string' },
    w: { type: 'string' },
    'target-latency': { type: 'string' },
    accuracy: { type: 'string' },
    records: { type: 'string', multiple: true },
    frontier: { type: 'string' },
    'family-dir': { type: 'string' },
    markdown: { type: 'string' },
    json: { type: 'boolean' },
    cache: { type: 'string' },
    previous: { type: 'string' },
    'coefficients-out': { type: 'string' },
    'screen-budget': { type: 'string' },
    'refine-top': { type: 'string' },
    'family-budget': { type: 'string' },
    'macs-slack': { type: 'string' },
    ep: { type: 'string' },
    threads: { type: 'string' },
    batch: { type: 'string' },
    precision: { type: 'string' },
    seed: { type: 'string' },
    quiet: { type: 'boolean' },
  }, USAGE);
  if (positionals.length !== 1) {
    throw new UserError(`frontier-gate lacs: expected one base config, got ${positionals.length ? positionals.map((p) => JSON.stringify(p)).join(' ') : 'none'}\nusage: ${USAGE}`);
  }
  const baseFile = positionals[0];
  const base = loadArchConfig(baseFile);
  const target = values['target-latency'] === undefined ? undefined : numberFlag(values, 'target-latency', 0, { min: 1e-6 });
  const measure: Partial<MeasureOptions> = {
    ep: choiceFlag(values, 'ep', ['cpu', 'cuda', 'tensorrt'] as const, 'cpu'),
    batch: numberFlag(values, 'batch', 1, { min: 1, max: 1024, integer: true }),
    precision: choiceFlag(values, 'precision', ['fp32', 'fp16'] as const, 'fp32'),
  };
  if (values.threads !== undefined) measure.threads = numberFlag(values, 'threads', 0, { min: 1, max: 1024, integer: true });
  if (values.seed !== undefined) measure.seed = numberFlag(values, 'seed', 0, { min: 0, max: 2 ** 31 - 1, integer: true });
  const options: Partial<LacsOptions> = {
    gridStep: numberFlag(values, 'grid-step', DEFAULT_GRID_STEP, { min: 0.005, max: 1 }),
    tolerance: numberFlag(values, 'tolerance', DEFAULT_TOLERANCE, { min: 0, max: 0.99 }),
    phi: numberFlag(values, 'phi', DEFAULT_LACS_OPTIONS.phi, { min: 0, max: 12, integer: true }),
    w: numberFlag(values, 'w', DEFAULT_LACS_OPTIONS.w, { min: -10, max: 10 }),
    targetLatencyMs: target,
    screenSeconds: numberFlag(values, 'screen-budget', DEFAULT_LACS_OPTIONS.screenSeconds, { min: 0.1, max: 600 }),
    refineTop: numberFlag(values, 'refine-top', DEFAULT_LACS_OPTIONS.refineTop, { min: 0, max: 50, integer: true }),
    familySeconds: numberFlag(values, 'family-budget', DEFAULT_LACS_OPTIONS.familySeconds, { min: 0.1, max: 3600 }),
    macsSlack: numberFlag(values, 'macs-slack', DEFAULT_LACS_OPTIONS.macsSlack, { min: 0, max: 100 }),
    measure,
  };

  const accuracyFile = stringFlag(values, 'accuracy');
  let accuracyTable;
  if (accuracyFile) {
    accuracyTable = loadAccuracyTable(accuracyFile);
  }

  // Records (predictor) and the frontier (positions): the store's records when --frontier is given,
  // configs from --records, and by default the YAML configs beside the base that carry an accuracy.
  // Every output path is checked before anything is measured.
  for (const flag of ['markdown', 'coefficients-out', 'cache']) {
    const file = stringFlag(values, flag);
    if (file) checkOutputPath(file, `--${flag}`);
  }
  const familyDirFlag = stringFlag(values, 'family-dir');
  if (familyDirFlag) checkOutputFolder(familyDirFlag, '--family-dir');
  const warn = (s: string) => io.err(s);
  const recordSources = (values.records as string[] | undefined) ?? [];
  const frontierFile = stringFlag(values, 'frontier');
  const configs: ArchConfig[] = loadRecordConfigs(recordSources, warn, true);
  if (frontierFile) configs.push(...configsFromStore(readStoreFile(frontierFile)));
  if (!frontierFile && recordSources.length === 0) configs.push(...loadRecordConfigs([path.dirname(baseFile)], warn, false));
  const { records, frontier } = inputsFromConfigs(configs);

  const cacheFile = stringFlag(values, 'cache');
  const cache = cacheFile ? new FileCache(cacheFile) : undefined;
  const previousFile = stringFlag(values, 'previous');
  const previous = previousFile ? readPrevious(previousFile) : undefined;

  const result = await runLacs(base, options, {
    measurer: makeMeasurer(),
    accuracyTable,
    records,
    frontier,
    cache,
    log: values.quiet ? undefined : (s) => io.err(s),
  });

  const familyDir = stringFlag(values, 'family-dir');
  const written = familyDir ? writeFamily(familyDir, result.family) : [];
  let markdown = result.markdown;
  const comparison = base.family === 'base' || previous ? compareCoefficients(previous, { ...result.chosen, target_key: result.target.key }) : undefined;
  if (comparison) markdown += `\n${comparison.markdown}\n`;
  if (written.length) markdown += `\nFamily written to ${written.map((f) => `\`${f}\``).join(', ')}.\n`;
  const markdownFile = stringFlag(values, 'markdown');
  if (markdownFile) writeFileAtomic(markdownFile, markdown, { what: '--markdown' });
  const coefficientsOut = stringFlag(values, 'coefficients-out');
  if (coefficientsOut) writeFileAtomic(coefficientsOut, JSON.stringify(storedCoefficients(result, new Date().toISOString()), null, 2) + '\n', { what: '--coefficients-out' });

  if (values.json) {
    io.out(JSON.stringify({ ...lacsJson(result), family_files: written, coefficients_comparison: comparison && { ...comparison, markdown: undefined } }, null, 2));
  } else {
    io.out(markdown);
  }
  return 0;
}

export const command: Command = {
  name: 'lacs',
  summary: 'recompute latency-aware compound scaling (alpha, beta, gamma) for a base config on this hardware',
  usage: USAGE,
  run: (argv, io) => runLacsCommand(argv, io),
};
