/**
 * Where a candidate's accuracy comes from: a table of trained results (keyed by coefficients or by
 * config hash), the config's own `accuracy`, or a scaling-law predictor fitted on the trained records of
 * the base's own family, used only when it passes its thresholds. Every value carries its kind so a
 * predicted number is never shown as a trained one.
 */
import * as YAML from 'yaml';
import { UserError } from '../errors';
import { readRegularText } from '../util/fs';
import { quoteValue } from '../util/describe';
import type { ArchConfig } from '../arch/types';
import { countConfig } from '../arch/counts';
import { formatCoefficients, type Coefficients } from './grid';

export type AccuracyKind = 'known' | 'predicted';

export interface AccuracyValue {
  top1: number;
  kind: AccuracyKind;
  /** Where it came from: "accuracy table", "config", or the predictor's description. */
  source: string;
  /** A prediction outside the range of the data the predictor was fitted on (never true for known values). */
  extrapolated: boolean;
}

/** A trained result: the config and its top-1 (percent). Plain objects, so the store module is not needed. */
export interface AccuracyRecord {
  config: ArchConfig;
  top1: number;
  name?: string;
}

// --- table ---------------------------------------------------------------------------------------------

export interface AccuracyTableEntry {
  coefficients?: Coefficients;
  hash?: string;
  top1: number;
}

export class AccuracyTable {
  private readonly byCoefficients = new Map<string, number>();
  private readonly byHash = new Map<string, number>();

  constructor(readonly entries: AccuracyTableEntry[], readonly file = 'accuracy table') {
    for (const e of entries) {
      if (e.coefficients) this.byCoefficients.set(coefficientKey(e.coefficients), e.top1);
      if (e.hash) this.byHash.set(normalizeHash(e.hash), e.top1);
    }
  }

  /** A hash match wins: it names the exact network; coefficients name the phi = 1 member only. */
  lookup(hashes: string | string[], coefficients?: Coefficients): number | undefined {
    for (const hash of Array.isArray(hashes) ? hashes : [hashes]) {
      const h = this.byHash.get(normalizeHash(hash));
      if (h !== undefined) return h;
    }
    return coefficients ? this.byCoefficients.get(coefficientKey(coefficients)) : undefined;
  }

  get size(): number {
    return this.entries.length;
  }
}

const coefficientKey = (c: Coefficients) => formatCoefficients(c);
const HASH = /^(sha256:)?[0-9a-f]{8,64}$/i;
const normalizeHash = (h: string) => h.toLowerCase().replace(/^sha256:/, '');

/**
 * Parses an accuracy table (YAML or JSON). Accepted shapes:
 *   - a list of entries: `{alpha, beta, gamma, top1}`, `{coefficients: [a, b, g], top1}` or `{hash, top1}`
 *     (`accuracy` is accepted for `top1`, as a number or `{top1}`);
 *   - a mapping from "a,b,g" or a config hash to top-1 (a number or `{top1}`);
 *   - either of these under a top-level `results` or `entries` key.
 * Hashes: the network hash LACS reports (networkHash, arch/identity.ts) or the store's config hash ("sha256:..."). Top-1
 * is in percent (0..100].
 */
/** Reads an accuracy table file: a regular file within FILE_LIMITS.accuracyTable, then parseAccuracyTable. */
export function loadAccuracyTable(file: string, what = '--accuracy'): AccuracyTable {
  return parseAccuracyTable(readRegularText(file, { what, kind: 'accuracyTable' }), file);
}

export function parseAccuracyTable(text: string, file: string): AccuracyTable {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new UserError(`${file}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const inner = (doc as Record<string, unknown>).results ?? (doc as Record<string, unknown>).entries;
    if (inner !== undefined) doc = inner;
  }
  const entries: AccuracyTableEntry[] = [];
  if (Array.isArray(doc)) {
    doc.forEach((item, i) => entries.push(parseEntry(item, `${file}: entry ${i}`)));
  } else if (doc && typeof doc === 'object') {
    for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
      const where = `${file}: key ${JSON.stringify(key)}`;
      const top1 = parseTop1(value, where);
      const parts = key.split(/[\s,()[\]]+/).filter(Boolean);
      if (parts.length === 3 && parts.every((p) => Number.isFinite(Number(p)))) {
        const [alpha, beta, gamma] = parts.map(Number);
        entries.push({ coefficients: checkCoefficients({ alpha, beta, gamma }, where), top1 });
      } else if (HASH.test(key)) {
        entries.push({ hash: key, top1 });
      } else {
        throw new UserError(`${where}: expected "alpha,beta,gamma" (e.g. "1.2,1.1,1.15") or a config hash (hex), got ${quoteValue(key)}`);
      }
    }
  } else {
    throw new UserError(`${file}: expected a list of {alpha, beta, gamma, top1} / {hash, top1} entries or a mapping, got ${quoteValue(doc)}`);
  }
  if (entries.length === 0) throw new UserError(`${file}: the accuracy table is empty`);
  return new AccuracyTable(entries, file);
}

function parseEntry(item: unknown, where: string): AccuracyTableEntry {
  if (!item || typeof item !== 'object' || Array.isArray(item)) throw new UserError(`${where}: expected a mapping, got ${quoteValue(item)}`);
  const o = item as Record<string, unknown>;
  const known = new Set(['alpha', 'beta', 'gamma', 'coefficients', 'hash', 'network_hash', 'config_hash', 'top1', 'accuracy', 'name', 'source', 'dataset']);
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw new UserError(`${where}: unknown field ${JSON.stringify(k)}; allowed: ${[...known].join(', ')}`);
  }
  const top1 = parseTop1(o.top1 ?? o.accuracy, where);
  const hashRaw = o.hash ?? o.network_hash ?? o.config_hash;
  let hash: string | undefined;
  if (hashRaw !== undefined) {
    if (typeof hashRaw !== 'string' || !HASH.test(hashRaw)) throw new UserError(`${where}: hash: expected a hex config hash, got ${quoteValue(hashRaw)}`);
    hash = hashRaw;
  }
  let coefficients: Coefficients | undefined;
  if (o.coefficients !== undefined) {
    const c = o.coefficients;
    if (!Array.isArray(c) || c.length !== 3 || !c.every((x) => typeof x === 'number')) {
      throw new UserError(`${where}: coefficients: expected [alpha, beta, gamma] numbers, got ${quoteValue(c)}`);
    }
    coefficients = checkCoefficients({ alpha: c[0], beta: c[1], gamma: c[2] }, where);
  } else if (o.alpha !== undefined || o.beta !== undefined || o.gamma !== undefined) {
    for (const k of ['alpha', 'beta', 'gamma']) {
      if (typeof o[k] !== 'number') throw new UserError(`${where}: ${k}: expected a number, got ${quoteValue(o[k])}`);
    }
    coefficients = checkCoefficients({ alpha: o.alpha as number, beta: o.beta as number, gamma: o.gamma as number }, where);
  }
  if (!coefficients && !hash) throw new UserError(`${where}: needs alpha/beta/gamma, coefficients or hash to say which model it is`);
  return { coefficients, hash, top1 };
}

function parseTop1(value: unknown, where: string): number {
  const v = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>).top1 : value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 100) {
    throw new UserError(`${where}: top1: expected a percentage in (0, 100], got ${quoteValue(v)}`);
  }
  return v;
}

function checkCoefficients(c: Coefficients, where: string): Coefficients {
  for (const [k, v] of Object.entries(c)) {
    if (!Number.isFinite(v) || v < 1) throw new UserError(`${where}: ${k}: expected a number >= 1, got ${quoteValue(v)}`);
  }
  return c;
}

// --- predictor -----------------------------------------------------------------------------------------

export type PredictorFeatures = 'log-multipliers' | 'log-macs';

/**
 * When a fitted predictor may be used to choose. A fit that fails any of these is reported but never
 * used: LACS then treats accuracy as unknown.
 */
export interface PredictorThresholds {
  /** In-sample R² at least this. */
  minR2: number;
  /** Leave-one-out RMSE (each record predicted by a fit on the others) at most this many top-1 points. */
  maxLooRmse: number;
}

export const DEFAULT_PREDICTOR_THRESHOLDS: PredictorThresholds = { minR2: 0.8, maxLooRmse: 1.0 };

export interface PredictorFit {
  /** top1 = intercept + sum(coef_i * feature_i) */
  features: PredictorFeatures;
  featureNames: string[];
  intercept: number;
  coefficients: number[];
  n: number;
  r2: number;
  /** Root mean square of the in-sample residuals, top-1 points. */
  rmse: number;
  maxAbsResidual: number;
  /** Leave-one-out RMSE, top-1 points; null when a record cannot be left out (n - 1 < parameters). */
  loo_rmse: number | null;
  /** Always the base's own family (same blocks, other multipliers): records of other families are never fitted. */
  scope: 'same-family';
  residuals: { name: string; actual: number; predicted: number; residual: number; loo_predicted: number | null }[];
  /** The data it was fitted on: a prediction outside these ranges is an extrapolation. */
  range: { top1: [number, number]; features: [number, number][] };
  thresholds: PredictorThresholds;
  /** Passes every threshold: may be used to choose. */
  usable: boolean;
  /** Why it is not usable (empty when usable), e.g. "R² 0.37 < 0.80". */
  failures: string[];
  /** One line: the model and its fit quality. */
  description: string;
}

export interface AccuracyPredictor {
  fit: PredictorFit;
  predict(config: ArchConfig): number;
  /** The config's features and the predicted top-1 both lie within the ranges of the fitted records. */
  inRange(config: ArchConfig, top1: number): boolean;
}

/** The outcome of fitting: every fit tried (richest first) and the first that passes the thresholds. */
export interface PredictorOutcome {
  /** Trained records of the base's family, and of other families (ignored). */
  same_family: number;
  other_family: number;
  fits: PredictorFit[];
  /** Undefined when no fit passes (or there are too few same-family records to fit). */
  predictor?: AccuracyPredictor;
  /** Why there is no usable predictor (plain text); undefined when there is one. */
  reason?: string;
}

/** The structure a family shares: everything but the multipliers and the bookkeeping fields. */
function familyKey(config: ArchConfig): string {
  const { stem, stages, head, classes, channels, divisor } = config;
  return JSON.stringify({ stem, stages, head, classes, channels, divisor });
}

/** Records of the base's family have the same blocks and differ in depth, width and resolution only. */
export function sameFamily(a: ArchConfig, b: ArchConfig): boolean {
  return familyKey(a) === familyKey(b);
}

/** Fewest same-family records for each law (the log-multipliers law has 4 parameters, log-MACs 2). */
export const MIN_RECORDS = { 'log-multipliers': 6, 'log-macs': 3 } as const;

/**
 * Fits scaling-law predictors of top-1 on the trained records of the base's own family (same blocks,
 * other depth/width/resolution multipliers); records of other families are never used:
 * - with at least 6 records, top1 = c0 + cd ln(d) + cw ln(w) + cr ln(r), multipliers relative to the base;
 * - with at least 3, top1 = c0 + c1 ln(MACs).
 * Each fit is judged by the thresholds (in-sample R², leave-one-out RMSE) and by plausibility (no term
 * may say that more depth, width, resolution or compute predicts lower accuracy). The first fit that
 * passes, richest first, is the predictor.
 */
export function fitAccuracyPredictor(
  base: ArchConfig,
  records: AccuracyRecord[],
  thresholds: PredictorThresholds = DEFAULT_PREDICTOR_THRESHOLDS,
): PredictorOutcome {
  const usable = records.filter((r) => Number.isFinite(r.top1) && r.top1 > 0);
  const family = usable.filter((r) => sameFamily(r.config, base));
  const outcome: PredictorOutcome = { same_family: family.length, other_family: usable.length - family.length, fits: [] };
  const laws: { features: PredictorFeatures; names: string[]; of: (c: ArchConfig) => number[] }[] = [
    {
      features: 'log-multipliers', names: ['ln depth', 'ln width', 'ln resolution'],
      of: (c) => [Math.log(c.depth / base.depth), Math.log(c.width / base.width), Math.log(c.resolution / base.resolution)],
    },
    { features: 'log-macs', names: ['ln MACs'], of: (c) => [Math.log(countConfig(c).macs)] },
  ];
  for (const law of laws) {
    if (family.length < MIN_RECORDS[law.features]) continue;
    const predictor = fitLaw(family, law.features, law.names, law.of, thresholds);
    outcome.fits.push(predictor.fit);
    if (predictor.fit.usable && !outcome.predictor) outcome.predictor = predictor;
  }
  if (!outcome.predictor) {
    outcome.reason = outcome.fits.length
      ? `the accuracy predictor fails its thresholds (${outcome.fits.map((f) => `${f.features}: ${f.failures.join(', ')}`).join('; ')})`
      : `${family.length} trained record(s) of ${base.name}'s family (same blocks, other multipliers); a predictor needs at least ` +
        `${MIN_RECORDS['log-macs']}` + (outcome.other_family ? ` (${outcome.other_family} record(s) of other families are not used)` : '');
  }
  return outcome;
}

function fitLaw(
  records: AccuracyRecord[],
  features: PredictorFeatures,
  featureNames: string[],
  featureOf: (c: ArchConfig) => number[],
  thresholds: PredictorThresholds,
): AccuracyPredictor {
  const rows = records.map((r) => featureOf(r.config));
  const X = rows.map((f) => [1, ...f]);
  const y = records.map((r) => r.top1);
  const beta = leastSquares(X, y);
  const dot = (b: number[], row: number[]) => row.reduce((s, x, i) => s + x * b[i], 0);
  const predictions = X.map((row) => dot(beta, row));
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const ssRes = y.reduce((s, v, i) => s + (v - predictions[i]) ** 2, 0);
  const ssTot = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : 1;
  // Leave one out: each record predicted by the same law fitted on the others.
  const parameters = X[0].length;
  const loo = records.length - 1 >= parameters
    ? X.map((row, i) => dot(leastSquares(X.filter((_, j) => j !== i), y.filter((_, j) => j !== i)), row))
    : null;
  const loo_rmse = loo ? Math.sqrt(loo.reduce((s, p, i) => s + (y[i] - p) ** 2, 0) / y.length) : null;
  const residuals = records.map((r, i) => ({
    name: r.name ?? r.config.name, actual: r.top1, predicted: predictions[i], residual: r.top1 - predictions[i], loo_predicted: loo ? loo[i] : null,
  }));
  const rmse = Math.sqrt(ssRes / y.length);
  const maxAbsResidual = Math.max(...residuals.map((r) => Math.abs(r.residual)));
  const failures: string[] = [];
  if (!(r2 >= thresholds.minR2)) failures.push(`R² ${r2.toFixed(2)} < ${thresholds.minR2.toFixed(2)}`);
  if (loo_rmse === null) failures.push(`too few records (${records.length}) for a leave-one-out check`);
  else if (!(loo_rmse <= thresholds.maxLooRmse)) failures.push(`leave-one-out RMSE ${loo_rmse.toFixed(2)} pp > ${thresholds.maxLooRmse.toFixed(2)} pp`);
  beta.slice(1).forEach((b, i) => {
    if (b < -1e-6) failures.push(`${featureNames[i]} has a negative coefficient (${fmt(b)}): more ${featureNames[i].replace(/^ln /, '')} would predict lower accuracy`);
  });
  const span = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  const range = { top1: span(y), features: featureNames.map((_, i) => span(rows.map((r) => r[i]))) };
  const terms = featureNames.map((f, i) => `${fmt(beta[i + 1])}·${f}`).join(' + ');
  const description =
    `top1 = ${fmt(beta[0])} + ${terms}, least squares on ${records.length} same-family record(s): ` +
    `R² ${r2.toFixed(3)}, leave-one-out RMSE ${loo_rmse === null ? 'n/a' : `${loo_rmse.toFixed(2)} pp`}, RMSE ${rmse.toFixed(2)} pp, max |residual| ${maxAbsResidual.toFixed(2)} pp`;
  const fit: PredictorFit = {
    features, featureNames, intercept: beta[0], coefficients: beta.slice(1), n: records.length, r2, rmse, maxAbsResidual, loo_rmse,
    scope: 'same-family', residuals, range, thresholds: { ...thresholds }, usable: failures.length === 0, failures, description,
  };
  const eps = 1e-9;
  const within = (x: number, [lo, hi]: [number, number]) => x >= lo - eps && x <= hi + eps;
  return {
    fit,
    predict: (config) => dot(beta, [1, ...featureOf(config)]),
    inRange: (config, top1) => within(top1, range.top1) && featureOf(config).every((x, i) => within(x, range.features[i])),
  };
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toFixed(3));

/**
 * Ordinary least squares by the normal equations with a tiny ridge (1e-9 of the diagonal) so collinear
 * features (e.g. all records at one resolution) give a finite answer instead of a singular matrix.
 */
export function leastSquares(X: number[][], y: number[]): number[] {
  const p = X[0].length;
  const A = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  X.forEach((row, r) => {
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) A[i][j] += row[i] * row[j];
      A[i][p] += row[i] * y[r];
    }
  });
  for (let i = 0; i < p; i++) A[i][i] += 1e-9 * (A[i][i] || 1);
  // Gauss-Jordan with partial pivoting.
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r][c]) > Math.abs(A[pivot][c])) pivot = r;
    [A[c], A[pivot]] = [A[pivot], A[c]];
    const d = A[c][c];
    if (d === 0) continue;
    for (let j = c; j <= p; j++) A[c][j] /= d;
    for (let r = 0; r < p; r++) {
      if (r === c || A[r][c] === 0) continue;
      const f = A[r][c];
      for (let j = c; j <= p; j++) A[r][j] -= f * A[c][j];
    }
  }
  return A.map((row) => row[p]);
}

/**
 * Resolves a config's accuracy: the table (hash, then phi = 1 coefficients), then the config's own
 * `accuracy` when it is the unscaled base, then the predictor (flagged `extrapolated` when the config or
 * its prediction lies outside the data the predictor was fitted on). Undefined when none applies.
 */
export function resolveAccuracy(
  config: ArchConfig,
  hash: string | string[],
  coefficients: Coefficients | undefined,
  sources: { table?: AccuracyTable; predictor?: AccuracyPredictor; knownTop1?: number; knownSource?: string },
): AccuracyValue | undefined {
  const fromTable = sources.table?.lookup(hash, coefficients);
  if (fromTable !== undefined) return { top1: fromTable, kind: 'known', source: sources.table!.file, extrapolated: false };
  if (sources.knownTop1 !== undefined) return { top1: sources.knownTop1, kind: 'known', source: sources.knownSource ?? 'config', extrapolated: false };
  if (sources.predictor) {
    const top1 = sources.predictor.predict(config);
    return { top1, kind: 'predicted', source: 'predictor', extrapolated: !sources.predictor.inRange(config, top1) };
  }
  return undefined;
}
