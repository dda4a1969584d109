/**
 * Where a candidate's accuracy comes from: a table of trained results (keyed by coefficients or by
 * config hash), the config's own `accuracy`, or a predictor fitted on known records. Every value carries
 * its kind so a predicted number is never shown as a trained one.
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
 * Hashes: the network hash LACS reports (lacs/hash.ts) or the store's config hash ("sha256:..."). Top-1
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
  const known = new Set(['alpha', 'beta', 'gamma', 'coefficients', 'hash', 'config_hash', 'top1', 'accuracy', 'name', 'source', 'dataset']);
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw new UserError(`${where}: unknown field ${JSON.stringify(k)}; allowed: ${[...known].join(', ')}`);
  }
  const top1 = parseTop1(o.top1 ?? o.accuracy, where);
  const hashRaw = o.hash ?? o.config_hash;
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

export interface PredictorFit {
  /** top1 = intercept + sum(coef_i * feature_i) */
  features: PredictorFeatures;
  featureNames: string[];
  intercept: number;
  coefficients: number[];
  n: number;
  r2: number;
  /** Root mean square of the residuals, top-1 points. */
  rmse: number;
  maxAbsResidual: number;
  /** Records used: `same-family` (same blocks as the base, other multipliers) or `all`. */
  scope: 'same-family' | 'all';
  residuals: { name: string; actual: number; predicted: number; residual: number }[];
  /** One line: the model and its fit quality. */
  description: string;
}

export interface AccuracyPredictor {
  fit: PredictorFit;
  predict(config: ArchConfig): number;
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

/**
 * Fits a scaling-law predictor of top-1 on trained records:
 * - with at least 6 records of the base's own family, top1 = c0 + cd ln(d) + cw ln(w) + cr ln(r), the
 *   multipliers relative to the base (a compound-scaling law; 6 gives 2 residual degrees of freedom);
 * - else with at least 3 same-family records, top1 = c0 + c1 ln(MACs) on them;
 * - else top1 = c0 + c1 ln(MACs) on all records (needs 3; cross-family, so a weak fit: its R^2 says so).
 * Returns undefined when there are too few records to fit anything.
 */
export function fitAccuracyPredictor(base: ArchConfig, records: AccuracyRecord[]): AccuracyPredictor | undefined {
  const usable = records.filter((r) => Number.isFinite(r.top1) && r.top1 > 0);
  const family = usable.filter((r) => sameFamily(r.config, base));
  const logMultipliers = (c: ArchConfig) => [Math.log(c.depth / base.depth), Math.log(c.width / base.width), Math.log(c.resolution / base.resolution)];
  const logMacs = (c: ArchConfig) => [Math.log(countConfig(c).macs)];
  let features: PredictorFeatures;
  let scope: PredictorFit['scope'];
  let chosen: AccuracyRecord[];
  let featureOf: (c: ArchConfig) => number[];
  let featureNames: string[];
  if (family.length >= 6) {
    [features, scope, chosen, featureOf, featureNames] = ['log-multipliers', 'same-family', family, logMultipliers, ['ln depth', 'ln width', 'ln resolution']];
  } else if (family.length >= 3) {
    [features, scope, chosen, featureOf, featureNames] = ['log-macs', 'same-family', family, logMacs, ['ln MACs']];
  } else if (usable.length >= 3) {
    [features, scope, chosen, featureOf, featureNames] = ['log-macs', 'all', usable, logMacs, ['ln MACs']];
  } else {
    return undefined;
  }
  const X = chosen.map((r) => [1, ...featureOf(r.config)]);
  const y = chosen.map((r) => r.top1);
  const beta = leastSquares(X, y);
  const predictRow = (row: number[]) => row.reduce((s, x, i) => s + x * beta[i], 0);
  const predictions = X.map(predictRow);
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const ssRes = y.reduce((s, v, i) => s + (v - predictions[i]) ** 2, 0);
  const ssTot = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : 1;
  const residuals = chosen.map((r, i) => ({
    name: r.name ?? r.config.name,
    actual: r.top1,
    predicted: predictions[i],
    residual: r.top1 - predictions[i],
  }));
  const rmse = Math.sqrt(ssRes / y.length);
  const maxAbsResidual = Math.max(...residuals.map((r) => Math.abs(r.residual)));
  const terms = featureNames.map((f, i) => `${fmt(beta[i + 1])}·${f}`).join(' + ');
  const description =
    `top1 = ${fmt(beta[0])} + ${terms}, least squares on ${chosen.length} ${scope} record(s): ` +
    `R² ${r2.toFixed(3)}, RMSE ${rmse.toFixed(2)} pp, max |residual| ${maxAbsResidual.toFixed(2)} pp`;
  const fit: PredictorFit = {
    features, featureNames, intercept: beta[0], coefficients: beta.slice(1), n: chosen.length, r2, rmse, maxAbsResidual, scope, residuals, description,
  };
  return { fit, predict: (config) => predictRow([1, ...featureOf(config)]) };
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
 * `accuracy` when it is the unscaled base, then the predictor. Undefined when none applies.
 */
export function resolveAccuracy(
  config: ArchConfig,
  hash: string | string[],
  coefficients: Coefficients | undefined,
  sources: { table?: AccuracyTable; predictor?: AccuracyPredictor; knownTop1?: number; knownSource?: string },
): AccuracyValue | undefined {
  const fromTable = sources.table?.lookup(hash, coefficients);
  if (fromTable !== undefined) return { top1: fromTable, kind: 'known', source: sources.table!.file };
  if (sources.knownTop1 !== undefined) return { top1: sources.knownTop1, kind: 'known', source: sources.knownSource ?? 'config' };
  if (sources.predictor) return { top1: sources.predictor.predict(config), kind: 'predicted', source: 'predictor' };
  return undefined;
}
