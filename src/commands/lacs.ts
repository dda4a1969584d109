import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import type { ArchConfig } from '../arch/types';
import { UserError } from '../errors';
import { loadAccuracyTable, type AccuracyTable } from '../lacs/accuracy';
import { FileCache, type MeasurementCache } from '../lacs/cache';
import { compareCoefficients, type StoredCoefficients } from '../lacs/compare';
import { familyFiles, storedCoefficients } from '../lacs/family';
import { DEFAULT_GRID_STEP, DEFAULT_TOLERANCE } from '../lacs/grid';
import { configsFromStore, inputsFromConfigs } from '../lacs/inputs';
import { DEFAULT_LACS_OPTIONS, runLacs, type LacsOptions } from '../lacs/run';
import { isLacsScreen, readLacsShardFile, runLacsShard, screenedCache, type LacsScreen, type LacsShard } from '../lacs/shard';
import { parseShard } from '../frontier/shard';
import { DEFAULT_MEASURE_OPTIONS, type MeasureOptions } from '../measure/types';
import type { LacsCommandResult, LacsShardCommandResult } from '../report/result';
import { MEASURE_FLAGS, REPORT_FLAGS, choiceFlag, listFlag, numberFlag, optionalNumber, PRECISIONS, PROVIDERS, stringFlag } from './flags';
import type { Command } from './types';
import { readRegularText } from '../util/fs';
import { parseJson } from '../util/json';

const isYaml = (f: string) => /\.ya?ml$/i.test(f);

/**
 * Trained records for the accuracy predictor and the frontier: configs that carry `accuracy`. A
 * directory contributes its YAML files that parse as configs; other YAML there (search spaces, tables)
 * is skipped, and said so. A named file must parse.
 */
function loadRecordConfigs(sources: string[], warn: ((s: string) => void) | undefined): ArchConfig[] {
  const out: ArchConfig[] = [];
  for (const source of sources) {
    if (!fs.existsSync(source)) throw new UserError(`--records: ${JSON.stringify(source)} does not exist`);
    if (fs.statSync(source).isDirectory()) {
      for (const name of fs.readdirSync(source).filter(isYaml).sort()) {
        try {
          out.push(loadArchConfig(path.join(source, name)));
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          warn?.(`lacs: skipping ${path.join(source, name)}: ${err.message.split('\n')[0]}`);
        }
      }
    } else {
      out.push(loadArchConfig(source));
    }
  }
  return out.filter((c) => c.accuracy !== undefined);
}

function readPrevious(file: string, name = file): StoredCoefficients {
  const doc = parseJson(readRegularText(file, { what: '--previous', kind: 'metrics' }), `--previous ${name}`, { notJson: 'cannot read stored coefficients: not valid JSON' });
  const o = doc as Record<string, unknown>;
  for (const k of ['alpha', 'beta', 'gamma']) {
    if (typeof o?.[k] !== 'number') throw new UserError(`--previous ${name}: ${k}: expected a number, got ${JSON.stringify(o?.[k])}`);
  }
  // Files written before the hashes were named for what they hold call the base's network hash base_hash.
  const { base_hash: legacy, ...rest } = o;
  return (typeof legacy === 'string' && rest.base_network_hash === undefined ? { ...rest, base_network_hash: legacy } : rest) as unknown as StoredCoefficients;
}

/** The merged screen of `merge <lacs-shard.json>... --out`, checked to be one. */
function readScreen(file: string, name = file): LacsScreen {
  const screen = parseJson(readRegularText(file, { what: '--screened', kind: 'store' }), `--screened ${name}`, { notJson: 'cannot read the merged screen: not valid JSON' });
  if (!isLacsScreen(screen)) throw new UserError(`--screened ${name}: not a merged LACS screen (merge the lacs --shard results with frontier-gate merge --out)`);
  return readLacsShardFile(screen, name) as LacsScreen;
}

/** The base config and the files of a LACS run (pure); every file is read when the command runs. */
export interface LacsArgs {
  baseFile: string;
  options: Partial<LacsOptions>;
  /** --accuracy: a table of trained results. */
  accuracyFile?: string;
  recordSources: string[];
  /** --frontier: the store's records as well. */
  storeFile?: string;
  cacheFile?: string;
  /** --previous: coefficients stored for the previous base. */
  previousFile?: string;
  familyDir?: string;
  coefficientsOut?: string;
  /** `--shard i/n --out FILE`: screen only this shard's part of the grid and write it for `merge`. */
  shard?: { shard: LacsShard; out: string };
  /** `--screened FILE`: the merged screen; its networks are not measured again. */
  screenFile?: string;
}

export const command: Command<LacsArgs, LacsCommandResult | LacsShardCommandResult> = {
  name: 'lacs',
  summary: 'recompute latency-aware compound scaling (alpha, beta, gamma) for a base config on this hardware',
  args: '<base-config.yaml>',
  flags: {
    'grid-step': { type: 'string', value: 'STEP', default: DEFAULT_GRID_STEP, help: 'grid step of alpha, beta, gamma' },
    tolerance: { type: 'string', value: 'FRACTION', default: DEFAULT_TOLERANCE, help: 'how far alpha*beta^2*gamma^2 may be from 2' },
    phi: { type: 'string', value: 'N', default: DEFAULT_LACS_OPTIONS.phi, help: 'family members phi = 0..N' },
    w: { type: 'string', value: 'W', default: DEFAULT_LACS_OPTIONS.w, help: 'latency exponent of the objective ACC x (LAT / TARGET)^w' },
    'target-latency': { type: 'string', value: 'MS', help: "TARGET of the objective (default: EfficientNet's phi=1 model measured here)" },
    accuracy: { type: 'string', value: 'FILE', help: 'table of trained results (YAML/JSON) for the candidates' },
    records: { type: 'string', multiple: true, value: 'DIR|FILE', help: 'configs with accuracy: the predictor and the frontier (default: the base config\'s folder)' },
    frontier: { type: 'string', value: 'STORE', help: "use the store's records as well" },
    'family-dir': { type: 'string', value: 'DIR', help: 'write the family phi = 0..N as configs here' },
    cache: { type: 'string', value: 'FILE', help: 'measurement cache across runs' },
    previous: { type: 'string', value: 'FILE', help: 'coefficients stored for the previous base, to report the move' },
    'coefficients-out': { type: 'string', value: 'FILE', help: 'write the chosen coefficients (the input of --previous)' },
    'screen-budget': { type: 'string', value: 'SECONDS', default: DEFAULT_LACS_OPTIONS.screenSeconds, help: 'measurement budget per grid point' },
    'refine-top': { type: 'string', value: 'K', default: DEFAULT_LACS_OPTIONS.refineTop, help: 'leaders re-measured together' },
    'family-budget': { type: 'string', value: 'SECONDS', default: DEFAULT_LACS_OPTIONS.familySeconds, help: 'measurement budget of the family' },
    'macs-slack': { type: 'string', value: 'FRACTION', default: DEFAULT_LACS_OPTIONS.macsSlack, help: 'MACs filter slack before measuring' },
    'min-r2': { type: 'string', value: 'R2', default: DEFAULT_LACS_OPTIONS.predictor.minR2, help: 'least in-sample R² of the accuracy predictor for it to be used' },
    'max-loo-error': { type: 'string', value: 'POINTS', default: DEFAULT_LACS_OPTIONS.predictor.maxLooRmse, help: 'largest leave-one-out RMSE (top-1 points) of the accuracy predictor for it to be used' },
    ep: MEASURE_FLAGS.ep,
    threads: MEASURE_FLAGS.threads,
    batch: MEASURE_FLAGS.batch,
    precision: MEASURE_FLAGS.precision,
    seed: MEASURE_FLAGS.seed,
    shard: { type: 'string', value: 'i/n', help: 'screen only shard i of n of the grid (beside the base) and write it to --out; merge joins the shards' },
    out: { type: 'string', value: 'FILE.json', help: "with --shard: where the shard's screen goes" },
    screened: { type: 'string', value: 'FILE.json', help: 'the merged screen (merge <lacs-shard.json>... --out): its networks are not measured again' },
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length !== 1) {
      throw new UserError(`lacs: expected one base config, got ${positionals.length ? positionals.map((p) => JSON.stringify(p)).join(' ') : 'none'}`);
    }
    const measure: Partial<MeasureOptions> = {
      ep: choiceFlag(values, 'ep', PROVIDERS, DEFAULT_MEASURE_OPTIONS.ep),
      batch: numberFlag(values, 'batch', DEFAULT_MEASURE_OPTIONS.batch, { min: 1, max: 1024, integer: true }),
      precision: choiceFlag(values, 'precision', PRECISIONS, DEFAULT_MEASURE_OPTIONS.precision),
      threads: optionalNumber(values, 'threads', { min: 1, max: 1024, integer: true }),
      seed: optionalNumber(values, 'seed', { min: 0, max: 2 ** 31 - 1, integer: true }),
    };
    const options: Partial<LacsOptions> = {
      gridStep: numberFlag(values, 'grid-step', DEFAULT_GRID_STEP, { min: 0.005, max: 1 }),
      tolerance: numberFlag(values, 'tolerance', DEFAULT_TOLERANCE, { min: 0, max: 0.99 }),
      phi: numberFlag(values, 'phi', DEFAULT_LACS_OPTIONS.phi, { min: 0, max: 12, integer: true }),
      w: numberFlag(values, 'w', DEFAULT_LACS_OPTIONS.w, { min: -10, max: 10 }),
      targetLatencyMs: optionalNumber(values, 'target-latency', { min: 1e-6 }),
      screenSeconds: numberFlag(values, 'screen-budget', DEFAULT_LACS_OPTIONS.screenSeconds, { min: 0.1, max: 600 }),
      refineTop: numberFlag(values, 'refine-top', DEFAULT_LACS_OPTIONS.refineTop, { min: 0, max: 50, integer: true }),
      familySeconds: numberFlag(values, 'family-budget', DEFAULT_LACS_OPTIONS.familySeconds, { min: 0.1, max: 3600 }),
      macsSlack: numberFlag(values, 'macs-slack', DEFAULT_LACS_OPTIONS.macsSlack, { min: 0, max: 100 }),
      predictor: {
        minR2: numberFlag(values, 'min-r2', DEFAULT_LACS_OPTIONS.predictor.minR2, { max: 1 }),
        maxLooRmse: numberFlag(values, 'max-loo-error', DEFAULT_LACS_OPTIONS.predictor.maxLooRmse, { min: 0, max: 100 }),
      },
      measure,
    };
    const shardText = stringFlag(values, 'shard');
    const out = stringFlag(values, 'out');
    const screenedFile = stringFlag(values, 'screened');
    if (shardText !== undefined) {
      if (!out) throw new UserError('lacs --shard: give --out lacs-shard.json for the shard\'s screen');
      if (screenedFile !== undefined) throw new UserError('lacs: --shard screens one shard; --screened runs on the merged screen: give one');
    } else if (out !== undefined) {
      throw new UserError('lacs: --out goes with --shard i/n (the family goes to --family-dir, the coefficients to --coefficients-out)');
    }
    return {
      baseFile: positionals[0],
      options,
      accuracyFile: stringFlag(values, 'accuracy'),
      recordSources: listFlag(values, 'records'),
      storeFile: stringFlag(values, 'frontier'),
      cacheFile: stringFlag(values, 'cache'),
      previousFile: stringFlag(values, 'previous'),
      familyDir: stringFlag(values, 'family-dir'),
      coefficientsOut: stringFlag(values, 'coefficients-out'),
      ...(shardText !== undefined ? { shard: { shard: parseShard(shardText), out: out! } } : {}),
      ...(screenedFile ? { screenFile: screenedFile } : {}),
    };
  },
  async run(a, ctx) {
    const file = (f: string) => ctx.files.resolve(f);
    const accuracyTable: AccuracyTable | undefined = a.accuracyFile ? loadAccuracyTable(file(a.accuracyFile)) : undefined;
    // Every output path is checked before anything is measured.
    for (const [flag, f] of [['coefficients-out', a.coefficientsOut], ['cache', a.cacheFile], ['out', a.shard?.out]] as const) if (f) ctx.files.checkOutput(f, { what: `--${flag}`, named: true });
    if (a.familyDir) ctx.files.checkOutputFolder(a.familyDir, '--family-dir');
    const { config: base } = await ctx.files.config(a.baseFile);
    const previous = a.previousFile ? readPrevious(file(a.previousFile), a.previousFile) : undefined;
    const screen = a.screenFile ? readScreen(file(a.screenFile), a.screenFile) : undefined;
    // Records (predictor) and the frontier (positions): the store's records when --frontier is given,
    // configs from --records, and by default the YAML configs beside the base that carry an accuracy.
    const configs: ArchConfig[] = loadRecordConfigs(a.recordSources.map(file), ctx.log);
    if (a.storeFile) configs.push(...configsFromStore(await ctx.files.store(a.storeFile).read()));
    if (!a.storeFile && a.recordSources.length === 0) configs.push(...loadRecordConfigs([path.dirname(file(a.baseFile))], undefined));
    const { records, frontier } = inputsFromConfigs(configs);
    const cacheFile = a.cacheFile;
    let cache: MeasurementCache | undefined = cacheFile ? new FileCache(file(cacheFile), (_f, text) => ctx.files.write(cacheFile, text, { what: '--cache', named: true })) : undefined;
    if (a.shard) {
      // One shard of the screen (src/lacs/shard.ts): written for `merge`, then `lacs --screened`.
      const shard = await runLacsShard(base, a.shard.shard, a.options, { measurer: ctx.measurer(), accuracyTable, records, frontier, cache, log: ctx.log });
      cache?.flush?.();
      ctx.files.write(a.shard.out, JSON.stringify(shard, null, 1) + '\n', { what: '--out', named: true });
      return { command: 'lacs-shard', shard, file: a.shard.out };
    }
    if (screen) cache = screenedCache(screen, base, cache);
    const lacs = await runLacs(base, a.options, {
      measurer: ctx.measurer(),
      accuracyTable,
      records,
      frontier,
      cache,
      log: ctx.log,
    });
    // Nothing chosen (accuracy unknown): no family, no coefficients to write or compare; the report says why.
    // Files named here, in the folder --family-dir names: a symbolic link among them is refused.
    const family = a.familyDir ? familyFiles(a.familyDir, lacs) : [];
    for (const f of family) ctx.files.write(f.file, f.text, { what: '--family-dir', named: false });
    const family_files = family.map((f) => file(f.file));
    if (a.familyDir && !lacs.chosen) ctx.log(`lacs: no coefficients were chosen (accuracy unknown); no family written to ${a.familyDir}`);
    const comparison = lacs.chosen && (base.family === 'base' || previous)
      ? compareCoefficients(previous, { ...lacs.chosen, target_key: lacs.target?.key })
      : undefined;
    const stored = storedCoefficients(lacs, ctx.now().toISOString());
    if (a.coefficientsOut && stored) ctx.files.write(a.coefficientsOut, JSON.stringify(stored, null, 2) + '\n', { what: '--coefficients-out', named: true });
    else if (a.coefficientsOut) ctx.log(`lacs: no coefficients were chosen (accuracy unknown); ${a.coefficientsOut} was not written`);
    const written = a.coefficientsOut && stored ? { coefficients_file: a.coefficientsOut } : {};
    return { command: 'lacs', lacs, ...(comparison ? { comparison } : {}), family_files, ...written };
  },
};
