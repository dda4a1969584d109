/**
 * Reading architecture configs (format v1): YAML with source positions, validation against the JSON
 * Schema (schema.ts), defaults, semantic and shape checks, and resource limits, all before anything is
 * allocated. Every problem is a ConfigError "file:line:col: field: what is wrong; what is allowed".
 *
 * Order of defences, cheapest first: file size (before reading), a lexical nesting scan (before the YAML
 * parser, which runs out of memory on a few hundred KB of "- - - - ..."), YAML syntax/duplicate keys/
 * multiple documents, alias expansion (yaml's maxAliasCount), nesting depth, schema, then lowering
 * (impossible shapes) and analytic counts against ResourceLimits.
 */
import * as fs from 'fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { distance } from 'fastest-levenshtein';
import * as YAML from 'yaml';
import { ConfigError, UserError, type SourcePosition } from '../errors';
import { BLOCK_FIELDS, BLOCKS, fieldDefault, SE_OPTIONS, type BlockField } from './blocks';
import { countConfig, type NetworkStats } from './counts';
import { ShapeError } from './lower';
import { DECODED_CONFIG_SCHEMA, FIELD_HINTS, MAX_NESTING } from './schema';
import { BlockStringError, decodeBlockString } from './timm';
import {
  ACTIVATIONS, DEFAULT_LIMITS, SE_FROM, SE_GATES, SE_ROUNDING,
  type ArchConfig, type BlockType, type HeadConfig, type ResourceLimits, type StageConfig, type StemConfig,
} from './types';
import { EncodingError, FileInputError, readRegularText } from '../util/fs';
import { kindOfValue, quoteValue } from '../util/describe';

export type FieldPath = (string | number)[];

/**
 * Where a field of the decoded config is in its file. `field` names it as the file writes it (a stage
 * written as a list entry or a block string has another path in the file than in the decoded config).
 */
export type Locate = ((fieldPath: FieldPath) => SourcePosition) & { field?: (fieldPath: FieldPath) => string };

/** The field's name for a message: as the file writes it when known. */
const fieldName = (locate: Locate | undefined, path: FieldPath) => locate?.field?.(path) ?? formatFieldPath(path);

export interface LoadedArchConfig {
  config: ArchConfig;
  /** Where a field is in the file; a missing field resolves to its nearest present parent. */
  locate(fieldPath: FieldPath): SourcePosition;
  /** Counts computed for the resource check (fp32, batch 1); reuse them instead of counting again. */
  stats: NetworkStats;
}

/** Alias expansions a config may use (yaml's count grows with nested aliases, so bombs stop early). */
export const MAX_ALIAS_COUNT = 100;
/** Lexical limits checked before the YAML parser runs. */
const MAX_INDENT = 1024;
/**
 * Lines and flow items (commas) a config may have. The YAML parser takes microseconds per token, so a
 * 1 MiB file of a million tokens costs seconds; a real config has a few hundred.
 */
const MAX_LINES = 5000;
const MAX_FLOW_ITEMS = 5000;
const MAX_ERRORS_LISTED = 10;

/** `stages[2].act` */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** Default limits with the user's overrides; each must be a positive number. */
export function resolveLimits(user: Partial<ResourceLimits> = {}): ResourceLimits {
  const merged: ResourceLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(user) as [keyof ResourceLimits, unknown][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) {
      throw new UserError(`resource limits: unknown limit "${key}"; allowed: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    }
    if (typeof value !== 'number' || !(value > 0)) {
      throw new UserError(`resource limits: ${key} must be a positive number, got ${JSON.stringify(value)}`);
    }
    merged[key] = value;
  }
  return merged;
}

export function loadArchConfig(path: string, limits?: Partial<ResourceLimits>): ArchConfig {
  return loadArchConfigWithSource(path, limits).config;
}

export function parseArchConfig(text: string, file: string, limits?: Partial<ResourceLimits>): ArchConfig {
  return parseArchConfigWithSource(text, file, limits).config;
}

export function loadArchConfigWithSource(path: string, limits?: Partial<ResourceLimits>): LoadedArchConfig {
  const resolved = resolveLimits(limits);
  let text: string;
  try {
    // A regular file, size checked on the open descriptor before reading (src/util/fs.ts).
    text = readRegularText(path, { what: 'config', maxBytes: resolved.maxFileBytes });
  } catch (err) {
    if (err instanceof FileInputError && err.code === 'TOOLARGE') throw oversized(path, fs.statSync(path).size, resolved.maxFileBytes);
    if (err instanceof FileInputError && err.code === 'ENOENT') throw new UserError(`config ${path}: no such file`);
    if (err instanceof EncodingError) throw new ConfigError(err.detail, { file: path, line: 1, col: 1 }, undefined);
    throw err;
  }
  return parseArchConfigWithSource(text, path, resolved);
}

function oversized(file: string, bytes: number, max: number): ConfigError {
  return new ConfigError(
    `the file is ${bytes} bytes; allowed: at most ${max} bytes (limit maxFileBytes); an architecture config is a few KB`,
    { file, line: 1, col: 1 }, undefined,
  );
}

export function parseArchConfigWithSource(text: string, file: string, limits?: Partial<ResourceLimits>): LoadedArchConfig {
  const resolved = resolveLimits(limits);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > resolved.maxFileBytes) throw oversized(file, bytes, resolved.maxFileBytes);

  const lineCounter = new YAML.LineCounter();
  const posAt = (offset: number): SourcePosition => ({ file, ...lineCounter.linePos(offset) });
  scanNesting(text, file);

  const docs = YAML.parseAllDocuments(text, { lineCounter, uniqueKeys: false, merge: true, logLevel: 'silent', prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0];
  if (doc) {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw yamlProblem(problem, file, lineCounter);
  }
  const extra = list.slice(1).find((d) => d.contents !== null || d.errors.length > 0);
  if (extra) {
    throw new ConfigError(
      'a second YAML document starts here; allowed: exactly one document per config file (split it into two files)',
      posAt(extra.range[0]), undefined,
    );
  }
  if (!doc || doc.contents === null || (YAML.isScalar(doc.contents) && doc.contents.value === null)) {
    throw new ConfigError('the file is empty; expected a mapping with at least name, resolution, classes, stem, stages and head', { file, line: 1, col: 1 }, undefined);
  }
  if (!YAML.isMap(doc.contents)) {
    throw new ConfigError(
      `the top level is ${describeNode(doc.contents)}; expected a mapping of fields (name: ..., resolution: ..., stages: ...)`,
      posAt(doc.contents.range?.[0] ?? 0), undefined,
    );
  }
  checkStructure(doc, posAt);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = (err as Error).message;
    const unresolved = /Unresolved alias.*: (.+)$/.exec(message);
    if (unresolved) {
      const alias = firstAlias(doc, unresolved[1]);
      throw new ConfigError(
        `YAML alias *${unresolved[1]} has no anchor; define &${unresolved[1]} on a value before this alias`,
        alias ? posAt(alias.range?.[0] ?? 0) : { file, line: 1, col: 1 }, undefined,
      );
    }
    if (/Excessive alias count/.test(message)) {
      const alias = firstAlias(doc);
      throw new ConfigError(
        `YAML aliases expand to too many nodes (an alias bomb?); allowed: at most ${MAX_ALIAS_COUNT} alias expansions`,
        alias ? posAt(alias.range?.[0] ?? 0) : { file, line: 1, col: 1 }, undefined,
      );
    }
    if (/Merge sources/.test(message)) {
      const merge = badMergeValue(doc);
      throw new ConfigError(
        'a merge key (<<) must refer to a mapping; allowed: <<: *anchor or <<: [*a, *b] where each anchor names a mapping',
        merge ? posAt(merge.range?.[0] ?? 0) : { file, line: 1, col: 1 }, undefined,
      );
    }
    throw new ConfigError(`YAML could not be read: ${message}`, { file, line: 1, col: 1 }, undefined);
  }

  const source = new SourceMap(doc, posAt);
  // The written form (block strings, stages as lists, top-level defaults) becomes the decoded form the
  // schema validates; the source map keeps pointing into the file as written.
  data = decodeWritten(data, source);
  const validate = schemaValidator();
  if (!validate(data)) throw schemaProblems(validate.errors ?? [], data, source);

  const config = normalise(data as RawConfig);
  const locate: Locate = Object.assign((p: FieldPath) => source.locate(p), { field: (p: FieldPath) => source.display(p) });
  checkSemantics(config, locate);
  const stats = checkResourceLimits(config, resolved, 1, locate);
  return { config, locate, stats };
}

// ---------------------------------------------------------------------------------------------------
// The written form: block strings, stages as lists, model-level defaults

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Decodes the written form into the form the schema validates: each timm block string becomes its stage
 * mapping, a stage written as a list becomes its entries (the second and later marked `continues`), and
 * the top-level defaults (act, se_*) fill the stages, stem and heads that leave them out. Anything that is
 * not what it should be is left as it is, for the schema to report with its position.
 */
function decodeWritten(data: unknown, source: SourceMap): unknown {
  if (!isMapping(data) || !Array.isArray(data.stages)) return data;
  const stages: unknown[] = [];
  const paths: FieldPath[] = [];
  const decode = (text: string, path: FieldPath, first: boolean): Record<string, unknown> => {
    try {
      return decodeBlockString(text, first);
    } catch (err) {
      if (!(err instanceof BlockStringError)) throw err;
      throw new ConfigError(`block string "${text}": ${err.message}`, source.locateIn(path, err.offset), formatFieldPath(path));
    }
  };
  data.stages.forEach((item, i) => {
    if (typeof item === 'string') {
      stages.push(decode(item, ['stages', i], true));
      paths.push(['stages', i]);
    } else if (Array.isArray(item)) {
      if (item.length === 0) {
        throw new ConfigError('an empty list; allowed: a stage mapping, a timm block string, or a list of them', source.locate(['stages', i]), `stages[${i}]`);
      }
      item.forEach((entry, j) => {
        const path: FieldPath = ['stages', i, j];
        const stage = typeof entry === 'string' ? decode(entry, path, j === 0) : entry;
        stages.push(j > 0 && isMapping(stage) ? { ...stage, continues: true } : stage);
        paths.push(path);
      });
    } else {
      stages.push(item);
      paths.push(['stages', i]);
    }
  });
  source.stagePaths = paths;
  const out: Record<string, unknown> = { ...data, stages };
  const valid = (key: string, allowed: readonly string[]) => (typeof data[key] === 'string' && allowed.includes(data[key] as string) ? (data[key] as string) : undefined);
  const act = valid('act', ACTIVATIONS);
  const seDefaults: Partial<Record<BlockField, string | undefined>> = {
    se_from: valid('se_from', SE_FROM), se_act: valid('se_act', ACTIVATIONS), se_gate: valid('se_gate', SE_GATES), se_round: valid('se_round', SE_ROUNDING),
  };
  out.stages = stages.map((stage) => {
    if (!isMapping(stage)) return stage;
    const filled = { ...stage };
    if (act && filled.act === undefined) filled.act = act;
    const kind = BLOCKS[filled.block as BlockType];
    if (kind && typeof filled.se === 'number' && filled.se > 0) {
      for (const field of SE_OPTIONS) if (seDefaults[field] && kind.fields.includes(field) && filled[field] === undefined) filled[field] = seDefaults[field];
    }
    return filled;
  });
  if (act && isMapping(data.stem) && data.stem.act === undefined) out.stem = { ...data.stem, act };
  if (act && isMapping(data.head)) {
    const head = { ...data.head };
    if (head.act === undefined && typeof head.channels === 'number' && head.channels >= 1) head.act = act;
    if (isMapping(head.pooled) && head.pooled.act === undefined) head.pooled = { ...head.pooled, act };
    out.head = head;
  }
  return out;
}

/**
 * Counts the config analytically (no tensor is allocated) and compares params, MACs x batch and peak
 * activation bytes x batch with the limits. Also turns an impossible shape into a ConfigError. Returns the
 * fp32 counts for batch 1. `locate` (from loadArchConfigWithSource) adds file positions to errors.
 */
export function checkResourceLimits(
  config: ArchConfig,
  limits: Partial<ResourceLimits> = {},
  batch = 1,
  locate?: Locate,
): NetworkStats {
  const resolved = resolveLimits(limits);
  if (!Number.isInteger(batch) || batch < 1) throw new UserError(`batch must be a positive integer, got ${JSON.stringify(batch)}`);
  let stats: NetworkStats;
  try {
    stats = countConfig(config, 'fp32');
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    const { where } = err;
    const base: FieldPath =
      where.part === 'stage' ? ['stages', where.stage ?? 0] : where.part === 'classifier' ? ['classes'] : [where.part];
    const path = where.part === 'classifier' ? base : [...base, err.field];
    const block = where.block !== undefined ? ` (block ${where.block} of the stage after depth scaling)` : '';
    const field = fieldName(locate, path);
    throw new ConfigError(`impossible shape: ${err.message}${block}`, locate?.(path), locate ? field : `${config.name}: ${field}`);
  }
  const stagePeak = (key: 'params' | 'macs'): FieldPath => {
    const perStage = new Map<number, number>();
    for (const l of stats.layers) if (l.where.stage !== undefined) perStage.set(l.where.stage, (perStage.get(l.where.stage) ?? 0) + l[key]);
    let best = -1;
    let bestValue = -1;
    for (const [stage, v] of perStage) if (v > bestValue) [best, bestValue] = [stage, v];
    return best >= 0 ? ['stages', best] : ['stages'];
  };
  const fail = (what: string, value: number, max: number, limit: keyof ResourceLimits, path: FieldPath, advice: string) => {
    const field = fieldName(locate, path);
    throw new ConfigError(
      `resource limit: ${what} ${fmt(value)} exceed the limit ${fmt(max)} (${limit}${batch > 1 ? `, batch ${batch}` : ''}); ${advice}`,
      locate?.(path), locate ? field : `${config.name}: ${field}`,
    );
  };
  if (stats.params > resolved.maxParams) {
    const path = stagePeak('params');
    fail('params', stats.params, resolved.maxParams, 'maxParams', path, `${formatFieldPath(path)} holds the most; lower width, depth or channels, or raise maxParams`);
  }
  if (stats.macs * batch > resolved.maxMacs) {
    const path = stagePeak('macs');
    fail('multiply-adds', stats.macs * batch, resolved.maxMacs, 'maxMacs', path, `${formatFieldPath(path)} does the most; lower resolution, width or depth, or raise maxMacs`);
  }
  if (stats.peak_activation_bytes * batch > resolved.maxActivationBytes) {
    fail('peak activation bytes', stats.peak_activation_bytes * batch, resolved.maxActivationBytes, 'maxActivationBytes', ['resolution'],
      'lower resolution or batch, or raise maxActivationBytes');
  }
  return stats;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

// ---------------------------------------------------------------------------------------------------
// Before and around the YAML parser

/**
 * Bounds nesting lexically: flow brackets, block indicators stacked on one line ("- - - x") and
 * indentation. The bound is loose (quotes are not tracked), far above anything a config needs.
 */
export function scanNesting(text: string, file: string): void {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let inComment = false;
  let commas = 0;
  const tooDeep = (offset: number, what: string) =>
    new ConfigError(`${what}; allowed: at most ${MAX_NESTING} levels (a config needs 4)`, { file, line, col: offset - lineStart + 1 }, undefined);
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (i === lineStart) {
      let j = i;
      while (text[j] === ' ' || text[j] === '\t') j++;
      if (j - i > MAX_INDENT) throw tooDeep(j, `indentation of ${j - i} columns is too deep`);
      let indicators = 0;
      while ((text[j] === '-' || text[j] === '?' || text[j] === ':') && (text[j + 1] === ' ' || text[j + 1] === '\t')) {
        indicators++;
        j += 2;
        while (text[j] === ' ' || text[j] === '\t') j++;
        if (indicators > MAX_NESTING) throw tooDeep(j, 'block nesting is too deep');
      }
    }
    if (ch === 10 /* \n */) {
      if (line >= MAX_LINES) {
        throw new ConfigError(`the file has more than ${fmt(MAX_LINES)} lines; allowed: at most ${fmt(MAX_LINES)} (a config needs a few hundred)`, { file, line: line + 1, col: 1 }, undefined);
      }
      line++;
      lineStart = i + 1;
      inComment = false;
    } else if (inComment) {
      continue;
    } else if (ch === 35 /* # */ && (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\t' || text[i - 1] === '\n')) {
      inComment = true;
    } else if (ch === 91 /* [ */ || ch === 123 /* { */) {
      if (++depth > MAX_NESTING) throw tooDeep(i, 'flow nesting ([ or {) is too deep');
    } else if ((ch === 93 /* ] */ || ch === 125) /* } */ && depth > 0) {
      depth--;
    } else if (ch === 44 /* , */ && ++commas > MAX_FLOW_ITEMS) {
      throw new ConfigError(`the file has more than ${fmt(MAX_FLOW_ITEMS)} comma-separated items; allowed: at most ${fmt(MAX_FLOW_ITEMS)} (a config needs a few hundred)`, { file, line, col: i - lineStart + 1 }, undefined);
    }
  }
}

const YAML_HINTS: Record<string, string> = {
  BAD_INDENT: 'check the indentation and that every [ and { is closed',
  MISSING_CHAR: 'a bracket or quote is not closed',
  TAG_RESOLVE_FAILED: 'configs use plain YAML values; remove the tag',
  BAD_ALIAS: 'define the anchor (&name) before using the alias (*name)',
  MULTIPLE_DOCS: 'one document per config file',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
};

function yamlProblem(err: YAML.YAMLError, file: string, lineCounter: YAML.LineCounter): ConfigError {
  const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
  let detail = err.message.split(/ at line \d+, column \d+/)[0].trim();
  if (/Maximum call stack/.test(detail)) detail = `nesting is too deep; allowed: at most ${MAX_NESTING} levels`;
  const hint = YAML_HINTS[err.code];
  return new ConfigError(`YAML ${err.name === 'YAMLWarning' ? 'problem' : 'syntax error'}: ${detail}${hint ? `; ${hint}` : ''}`, { file, line: pos.line, col: pos.col }, undefined);
}

function describeNode(node: unknown): string {
  if (YAML.isSeq(node)) return 'a list';
  if (YAML.isMap(node)) return 'a mapping';
  if (YAML.isScalar(node)) return `a single value (${quoteValue(node.value)})`;
  if (YAML.isAlias(node)) return 'an alias';
  return 'not a mapping';
}

function firstAlias(doc: YAML.Document, source?: string): YAML.Alias | undefined {
  let found: YAML.Alias | undefined;
  YAML.visit(doc, {
    Alias(_, node) {
      if (source !== undefined && node.source !== source) return undefined;
      found = node;
      return YAML.visit.BREAK;
    },
  });
  return found;
}

/** The value of the first merge key (<<) that is not a mapping or a list of mappings. */
function badMergeValue(doc: YAML.Document): YAML.Node | undefined {
  let found: YAML.Node | undefined;
  const isMapLike = (n: unknown) => YAML.isMap(YAML.isAlias(n) ? n.resolve(doc) : n);
  YAML.visit(doc, {
    Pair(_, pair) {
      if (!YAML.isScalar(pair.key) || typeof pair.key.value !== 'symbol') return undefined;
      const v = pair.value;
      if (isMapLike(v) || (YAML.isSeq(v) && v.items.every(isMapLike))) return undefined;
      found = (YAML.isNode(v) ? v : pair.key) as YAML.Node;
      return YAML.visit.BREAK;
    },
  });
  return found;
}

/** Keys must be plain scalars, and nesting (followed iteratively, aliases not expanded) stays bounded. */
function checkStructure(doc: YAML.Document, posAt: (offset: number) => SourcePosition): void {
  const stack: { node: unknown; path: FieldPath }[] = [{ node: doc.contents, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    const depth = path.length + 1;
    const start = (n: unknown) => posAt((n as { range?: [number] }).range?.[0] ?? 0);
    if (depth > MAX_NESTING) {
      throw new ConfigError(`nesting is too deep; allowed: at most ${MAX_NESTING} levels (a config needs 4)`, start(node), undefined);
    }
    if (YAML.isMap(node)) {
      // Checked here in one pass: yaml's own uniqueKeys check is quadratic in the keys of a mapping.
      const seen = new Map<string, YAML.Scalar>();
      for (const pair of node.items) {
        // A YAML merge key (<<: *anchor) has a symbol value; its alias is followed by toJS.
        if (YAML.isScalar(pair.key) && typeof pair.key.value === 'symbol') continue;
        if (!YAML.isScalar(pair.key) || (typeof pair.key.value !== 'string' && typeof pair.key.value !== 'number')) {
          throw new ConfigError(`a key is ${describeNode(pair.key)}; allowed: plain field names such as "channels"`, start(pair.key ?? node), undefined);
        }
        const key = String(pair.key.value);
        const first = seen.get(key);
        if (first) {
          throw new ConfigError(
            `key ${JSON.stringify(key)} appears twice in this mapping (first at line ${start(first).line}); allowed: each key once; remove or rename one`,
            start(pair.key), formatFieldPath([...path, key]),
          );
        }
        seen.set(key, pair.key);
        stack.push({ node: pair.value, path: [...path, key] });
      }
    } else if (YAML.isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: [...path, i] }));
    }
  }
}

/** Field paths to source positions over the parsed document (aliases followed). */
class SourceMap {
  constructor(
    private readonly doc: YAML.Document,
    private readonly posAt: (offset: number) => SourcePosition,
  ) {}

  /** Where each decoded stage is written in the file (`stages[i]`, or `stages[i][j]` in a list). */
  stagePaths: FieldPath[] | undefined;

  /** A decoded config's path as the file writes it. */
  private toFile(path: FieldPath): FieldPath {
    const written = path[0] === 'stages' && typeof path[1] === 'number' ? this.stagePaths?.[path[1]] : undefined;
    return written ? [...written, ...path.slice(2)] : path;
  }

  /** The name of a field as the file writes it: `stages[3][1].act`. */
  display(path: FieldPath): string {
    return formatFieldPath(this.toFile(path));
  }

  /** The position `offset` characters into the (string) value at `path` (a block string's option). */
  locateIn(path: FieldPath, offset: number): SourcePosition {
    const { node } = this.find(path);
    const scalar = this.resolve(node);
    const range = (scalar as { range?: [number, number, number] } | undefined)?.range;
    if (!YAML.isScalar(scalar) || !range) return this.locate(path);
    const quoted = scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE' ? 1 : 0;
    return this.posAt(range[0] + quoted + offset);
  }

  /** Key -> pair per mapping, built once: error reports may look up thousands of keys. */
  private readonly index = new WeakMap<YAML.YAMLMap, Map<string, YAML.Pair>>();
  private pairsOf(map: YAML.YAMLMap): Map<string, YAML.Pair> {
    let pairs = this.index.get(map);
    if (!pairs) {
      pairs = new Map();
      for (const p of map.items) if (YAML.isScalar(p.key) && typeof p.key.value !== 'symbol' && !pairs.has(String(p.key.value))) pairs.set(String(p.key.value), p as YAML.Pair);
      this.index.set(map, pairs);
    }
    return pairs;
  }

  private resolve(node: unknown): unknown {
    for (let i = 0; i < 32 && YAML.isAlias(node); i++) node = (node as YAML.Alias).resolve(this.doc);
    return node;
  }

  /** The node at `path`, the pair holding its last segment, and the deepest node found on the way. */
  find(decodedPath: FieldPath): { node?: unknown; pair?: YAML.Pair; nearest: unknown } {
    const path = this.toFile(decodedPath);
    let node: unknown = this.doc.contents;
    let pair: YAML.Pair | undefined;
    for (const seg of path) {
      const cur = this.resolve(node);
      pair = undefined;
      let next: unknown;
      if (YAML.isMap(cur)) {
        pair = this.pairsOf(cur).get(String(seg));
        next = pair?.value ?? (pair ? pair.key : undefined);
      } else if (YAML.isSeq(cur) && typeof seg === 'number') {
        next = cur.items[seg];
      }
      if (next === undefined) return { nearest: node };
      node = next;
    }
    return { node, pair, nearest: node };
  }

  private position(node: unknown): SourcePosition {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return this.posAt(range?.[0] ?? 0);
  }

  /** Position of the value at `path` (an empty value points at its key), else of the nearest parent. */
  locate(path: FieldPath): SourcePosition {
    const { node, pair, nearest } = this.find(path);
    if (node && pair && YAML.isScalar(node) && node.value === null && node.source === '') return this.position(pair.key);
    return this.position(node ?? nearest);
  }

  /** Position of the key of the last segment (for unknown keys). */
  locateKey(path: FieldPath): SourcePosition {
    const { pair, nearest } = this.find(path);
    return this.position(pair?.key ?? nearest);
  }

  /** The value as written in the file, for quoting in messages. */
  sourceText(path: FieldPath): string | undefined {
    const { node } = this.find(path);
    const resolved = this.resolve(node);
    if (YAML.isScalar(resolved)) {
      const s = typeof resolved.source === 'string' && resolved.source !== '' ? resolved.source : String(resolved.value);
      return s.length > 40 ? `${s.slice(0, 37)}...` : s;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// Schema validation and its messages

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
    compiled = ajv.compile(DECODED_CONFIG_SCHEMA);
  }
  return compiled;
}

type SchemaNode = Record<string, unknown> & {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  description?: string;
  required?: string[];
};

/** The schema of the value at `path`. */
function schemaAt(path: FieldPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = DECODED_CONFIG_SCHEMA as SchemaNode;
  for (const seg of path) {
    if (!node) return undefined;
    node = typeof seg === 'number' ? node.items : node.properties?.[seg];
  }
  return node;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer', number: 'a number', string: 'a string', object: 'a mapping (key: value)', array: 'a list', boolean: 'true or false',
};

function typeOfValue(value: unknown): string {
  return kindOfValue(value);
}

/** "an integer from 1 to 64", "a number > 0 and <= 16", "1 | 3 | 5". */
export function allowedText(schema: SchemaNode | undefined): string {
  if (!schema) return '';
  if (schema.enum) return schema.enum.map((v) => (typeof v === 'string' ? v : String(v))).join(' | ');
  const word = TYPE_WORDS[schema.type ?? ''] ?? 'a value';
  const low = schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : schema.minimum !== undefined ? `>= ${schema.minimum}` : '';
  const high = schema.exclusiveMaximum !== undefined ? `< ${schema.exclusiveMaximum}` : schema.maximum !== undefined ? `<= ${schema.maximum}` : '';
  if (schema.type === 'integer' && schema.minimum !== undefined && schema.maximum !== undefined) return `an integer from ${schema.minimum} to ${schema.maximum}`;
  if (schema.pattern) return `${word} matching ${schema.pattern}`;
  return [word, [low, high].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
}

/** The closest candidate if it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** "3 or 5" for 4 among odd kernels. */
function nearestNumbers(value: number, options: number[]): string | undefined {
  const best = Math.min(...options.map((o) => Math.abs(o - value)));
  const nearest = options.filter((o) => Math.abs(o - value) === best);
  return nearest.length ? nearest.join(' or ') : undefined;
}

interface Problem {
  path: FieldPath;
  pos: SourcePosition;
  detail: string;
  /** A missing field that an unknown key in the same mapping probably meant. */
  suppressedBy?: string;
}

function pathOf(error: ErrorObject): FieldPath {
  if (!error.instancePath) return [];
  return error.instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let v = data;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

function describeProblem(error: ErrorObject, data: unknown, source: SourceMap): Problem {
  const path = pathOf(error);
  const schema = schemaAt(path);
  const field = path[path.length - 1];
  const hint = typeof field === 'string' && FIELD_HINTS[field] ? ` (${FIELD_HINTS[field]})` : '';
  const written = source.sourceText(path);
  const value = valueAt(data, path);
  // Strings are quoted, numbers shown as written (".inf", "1e3"), collections described.
  const quoted = written === undefined || value === null ? typeOfValue(value) : typeof value === 'string' ? quoteValue(written) : quoteValue(written).replace(/^"|"$/g, '');
  const got = written === undefined || value === null ? quoted : `${quoted} (${typeOfValue(value)})`;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(schema?.properties ?? {});
      const guess = didYouMean(key, allowed);
      return {
        path: [...path, key],
        pos: source.locateKey([...path, key]),
        detail: `unknown key ${quoteValue(key, 40)}${guess ? ` (did you mean "${guess}"?)` : ''}; allowed keys: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const sub = schema?.properties?.[missing];
      return {
        path: [...path, missing],
        pos: source.locate(path),
        detail: `missing required field "${missing}"; allowed: ${allowedText(sub)}${sub?.description ? ` (${sub.description})` : ''}${missing === 'act' ? '; or set a top-level act, the default of every stage, the stem and the head' : ''}`,
      };
    }
    case 'type': {
      const expected = String((error.params as { type: string }).type);
      let extra = '';
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) extra = '; remove the quotes to make it a number';
      else if (expected === 'integer' && typeof value === 'number' && Number.isFinite(value)) extra = '; use a whole number';
      let allowed = schema ? `; allowed: ${allowedText(schema)}` : '';
      if (schema?.type === 'object') allowed = `; allowed keys: ${Object.keys(schema.properties ?? {}).join(', ')}`;
      if (schema?.type === 'array') allowed = '; write one item per line as "- {block: mbconv, repeats: 1, ...}"';
      return { path, pos: source.locate(path), detail: `expected ${TYPE_WORDS[expected] ?? expected}, got ${got}${allowed}${extra}` };
    }
    case 'enum': {
      const options = (schema?.enum ?? (error.params as { allowedValues: unknown[] }).allowedValues).map(String);
      const numeric = typeof value === 'number' && options.every((o) => Number.isFinite(Number(o)));
      const guess = numeric ? nearestNumbers(value as number, options.map(Number)) : didYouMean(String(value), options);
      const suggestion = guess && guess !== String(value) ? `; did you mean ${numeric ? guess : `"${guess}"`}?` : '';
      return { path, pos: source.locate(path), detail: `${quoted} is not allowed; allowed: ${options.join(' | ')}${suggestion}${hint}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, pos: source.locate(path), detail: `${quoted} is out of range; allowed: ${allowedText(schema)}${schema?.description ? ` (${schema.description})` : ''}` };
    case 'pattern': {
      const suggestion = String(value).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
      return {
        path,
        pos: source.locate(path),
        detail: `${quoted} does not match ${schema?.pattern}; allowed: ${FIELD_HINTS[String(field)] ?? 'see the schema'}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      };
    }
    case 'minLength':
    case 'maxLength':
      return { path, pos: source.locate(path), detail: `${quoted} has ${String(value).length} characters; allowed: ${schema?.minLength ?? 0} to ${schema?.maxLength} characters` };
    case 'minItems':
    case 'maxItems':
      // Stages written as lists count each entry (the decoded form holds one stage per entry).
      return { path, pos: source.locate(path), detail: `has ${Array.isArray(value) ? value.length : 0} items${error.keyword === 'maxItems' && formatFieldPath(path) === 'stages' ? ' (stage entries: a stage written as a list counts each of its entries)' : ''}; allowed: ${schema?.minItems ?? 0} to ${schema?.maxItems} items` };
    default:
      return { path, pos: source.locate(path), detail: `${error.message ?? 'is invalid'}` };
  }
}

function schemaProblems(errors: ErrorObject[], data: unknown, source: SourceMap): ConfigError {
  // if/then summaries ("must match then schema") repeat the concrete error beside them.
  const problems = errors.filter((e) => e.keyword !== 'if').map((e) => describeProblem(e, data, source));
  // A typo'd key also shows up as a missing field; the unknown-key message already names it.
  for (const p of problems) {
    if (!p.detail.startsWith('missing required field')) continue;
    const missing = String(p.path[p.path.length - 1]);
    const parent = formatFieldPath(p.path.slice(0, -1));
    const typo = problems.find((q) => q.detail.startsWith('unknown key') && formatFieldPath(q.path.slice(0, -1)) === parent && q.detail.includes(`(did you mean "${missing}"?)`));
    if (typo) p.suppressedBy = formatFieldPath(typo.path);
  }
  const seen = new Set<string>();
  const kept = problems
    .filter((p) => !p.suppressedBy)
    .filter((p) => {
      const key = formatFieldPath(p.path);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
  const [first, ...rest] = kept;
  const more = rest.slice(0, MAX_ERRORS_LISTED - 1).map((p) => `\n${p.pos.file}:${p.pos.line}:${p.pos.col}: ${source.display(p.path) || '(top level)'}: ${p.detail}`);
  const omitted = rest.length > MAX_ERRORS_LISTED - 1 ? `\n(${rest.length - (MAX_ERRORS_LISTED - 1)} more problems not shown)` : '';
  return new ConfigError(first.detail + more.join('') + omitted, first.pos, source.display(first.path) || '(top level)');
}

// ---------------------------------------------------------------------------------------------------
// Normalisation and checks the schema cannot express

type RawStage = Omit<StageConfig, 'expand' | 'se'> & { expand?: number; se?: number };
type RawConfig = Omit<ArchConfig, 'stages'> & { stages: RawStage[] };

/** The optional stage fields in the order a normalised stage lists them (after the fields every stage has). */
const OPTIONAL_STAGE_FIELDS = [
  'space_to_depth', 'space_to_batch', 'continues', 'groups', 'group_width', 'se_from', 'se_act', 'se_gate', 'se_round',
  'skip', 'project_act', 'expand_always', 'expand_kernel', 'project_kernel', 'start_kernel', 'end_kernel', 'expand_in', 'downsample',
] as const;

/** A stage option at its default says nothing: normalised away, so writing a default never changes config_hash. */
function atDefault(stage: RawStage, field: (typeof OPTIONAL_STAGE_FIELDS)[number]): boolean {
  const value = stage[field];
  if (value === undefined) return true;
  if (field === 'continues' || field === 'project_act' || field === 'expand_always') return value === false;
  if (field === 'se_act') return value === stage.act;
  if (field === 'space_to_depth' || field === 'space_to_batch') return false;
  // A field the block does not read keeps any value but its default, for checkSemantics to refuse it.
  if (!BLOCKS[stage.block]) return false;
  return value === fieldDefault(stage.block, field as BlockField);
}

/** The validated data (ajv has filled the schema's defaults) as an ArchConfig with a fixed key order. */
function normalise(raw: RawConfig): ArchConfig {
  const stem: StemConfig = { channels: raw.stem.channels, kernel: raw.stem.kernel, stride: raw.stem.stride, act: raw.stem.act, pool: raw.stem.pool };
  if (raw.stem.deep?.length) stem.deep = [...raw.stem.deep];
  const head: HeadConfig = raw.head.act === undefined ? { channels: raw.head.channels } : { channels: raw.head.channels, act: raw.head.act };
  if (raw.head.pooled) {
    head.pooled = { channels: raw.head.pooled.channels, act: raw.head.pooled.act };
    if (raw.head.pooled.norm) head.pooled.norm = true;
  }
  const config: ArchConfig = {
    name: raw.name,
    resolution: raw.resolution,
    channels: raw.channels,
    classes: raw.classes,
    width: raw.width,
    depth: raw.depth,
    divisor: raw.divisor,
    stem,
    stages: raw.stages.map((s) => {
      const stage: StageConfig = {
        block: s.block, repeats: s.repeats, channels: s.channels, kernel: Array.isArray(s.kernel) ? [...s.kernel] : s.kernel, stride: s.stride,
        expand: s.expand ?? (BLOCK_FIELDS.expand.default as number), se: s.se ?? (BLOCK_FIELDS.se.default as number), act: s.act,
      };
      const optional = stage as unknown as Record<string, unknown>;
      for (const field of OPTIONAL_STAGE_FIELDS) {
        if (!atDefault(s, field)) optional[field] = Array.isArray(s[field]) ? [...(s[field] as number[])] : s[field];
      }
      return stage;
    }),
    head,
    dropout: raw.dropout,
  };
  if (raw.padding === 'same') config.padding = 'same';
  if (raw.accuracy) {
    config.accuracy = { top1: raw.accuracy.top1 };
    if (raw.accuracy.dataset !== undefined) config.accuracy.dataset = raw.accuracy.dataset;
    if (raw.accuracy.source !== undefined) config.accuracy.source = raw.accuracy.source;
  }
  if (raw.family !== undefined) config.family = raw.family;
  if (raw.description !== undefined) config.description = raw.description;
  return config;
}

const show = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/**
 * Fields a block kind would silently ignore (blocks.ts) are errors, so a config means what it says; so are
 * options that contradict each other or the block. Exported for configs that do not come from a file
 * (stored configs); `locate` adds file positions.
 */
export function checkSemantics(config: ArchConfig, locate?: Locate): void {
  const fail = (path: FieldPath, detail: string): never => {
    const field = fieldName(locate, path);
    throw new ConfigError(detail, locate?.(path), locate ? field : `${config.name}: ${field}`);
  };
  config.stages.forEach((stage, i) => {
    const kind = BLOCKS[stage.block];
    const at = (field: string): FieldPath => ['stages', i, field];
    const value = (field: BlockField) => (stage as unknown as Record<string, unknown>)[field];
    for (const field of Object.keys(BLOCK_FIELDS) as BlockField[]) {
      const v = value(field);
      const fallback = fieldDefault(stage.block, field);
      if (v === undefined || kind.fields.includes(field) || v === fallback) continue;
      const hint = kind.hints?.[field];
      const allowed = typeof fallback === 'number' ? `${fallback} (or leave it out)` : 'leave it out';
      fail(at(field), `${show(v)} has no effect on block ${stage.block}; allowed: ${allowed}${hint ? `; ${hint}` : ''}`);
    }
    if (!(stage.se > 0)) {
      for (const field of SE_OPTIONS) if (value(field) !== undefined) fail(at(field), `${show(value(field))} has no effect without squeeze-excitation (se is 0); allowed: leave it out, or set se`);
    }
    if (stage.groups !== undefined && stage.group_width !== undefined) fail(at('group_width'), 'groups and group_width both set; allowed: one of them (groups = a fixed count, group_width = channels per group)');
    const kernels = Array.isArray(stage.kernel) ? stage.kernel : [stage.kernel];
    if (Array.isArray(stage.kernel) && !kind.mixedKernels) {
      const mixed = (Object.keys(BLOCKS) as BlockType[]).filter((t) => BLOCKS[t].mixedKernels);
      fail(at('kernel'), `mixed kernels ${show(stage.kernel)} on block ${stage.block}; allowed: one kernel (mixed kernels on ${mixed.join(', ')})`);
    }
    if (kernels.includes(0) && !kind.kernelZero) fail(at('kernel'), `0 is not allowed for block ${stage.block}; allowed: 1 | 3 | 5 | 7 | 9 | 11 (kernel 0, no middle depthwise, is uir's)`);
    const expands = stage.expand !== 1 || stage.expand_always === true;
    if (stage.expand_always && stage.expand !== 1) fail(at('expand_always'), `has no effect at expand ${stage.expand}; allowed: leave it out (it only keeps the expanded structure at expand 1)`);
    if (stage.expand_kernel !== undefined && !expands) fail(at('expand_kernel'), 'has no effect: at expand 1 the block has no expansion conv; allowed: leave it out, or set expand_always: true');
    if (stage.block === 'fused_mbconv' && stage.project_kernel !== undefined && !expands) fail(at('project_kernel'), 'has no effect: at expand 1 fused_mbconv has no projection; allowed: leave it out, or set expand_always: true');
    if (stage.expand_in !== undefined && !expands) fail(at('expand_in'), 'has no effect at expand 1; allowed: leave it out');
    if (stage.continues && i === 0) fail(at('continues'), 'the first stage has no stage before it to continue; allowed: leave it out');
    if (stage.continues && stage.stride !== 1) fail(at('stride'), `${stage.stride} in an entry that continues a stage (a stage written as a list strides only at its first entry, as timm does); allowed: 1`);
  });
}

/**
 * Where a field is in a config file, for errors found after parsing (a record the store would refuse).
 * Undefined when the file cannot be read or parsed.
 */
export function locateInFile(file: string, fieldPath: FieldPath): SourcePosition | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const lineCounter = new YAML.LineCounter();
    const doc = YAML.parseDocument(text, { lineCounter, uniqueKeys: false, merge: true, logLevel: 'silent' });
    return new SourceMap(doc, (offset) => ({ file, ...lineCounter.linePos(offset) })).locate(fieldPath);
  } catch {
    return undefined;
  }
}
