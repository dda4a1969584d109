/**
 * Search spaces: a macro network (stem, head, resolution choices) and, per stage, the allowed blocks,
 * a depth range and width choices. YAML, validated against schema/search-space.schema.json; every
 * error names file:line:col and the field. Sampling yields ArchConfig objects in format v1 that lower()
 * accepts: a stage whose layers differ becomes consecutive single-block stages (only the first strides),
 * which is how format v1 expresses per-layer choices.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isNode, stringify } from 'yaml';
import { ConfigError, UserError, type SourcePosition } from '../errors';
import type { Activation, ArchConfig, BlockType, ResourceLimits, SpaceToDepth, StageConfig, StemPool } from '../arch/types';
import { largestKernel } from '../arch/types';
import { BLOCKS } from '../arch/blocks';
import { configHash } from '../arch/identity';
import { lower, ShapeError } from '../arch/lower';
import { checkResourceLimits, MAX_ALIAS_COUNT, parseArchConfig, scanNesting } from '../arch/parse';
import type { Random } from '../util/random';
import { pick, randInt } from '../util/random';
import { SPACE_SCHEMA } from './space-schema';
import { excerpt, FILE_LIMITS, readRegularText } from '../util/fs';
import { quoteValue } from '../util/describe';

export interface BlockChoice {
  block: BlockType;
  kernel: number;
  expand: number;
  se: number;
  act: Activation;
  space_to_depth?: SpaceToDepth;
}

export interface SpaceStage {
  name: string;
  /** Width choices: output channels of the stage. */
  channels: number[];
  stride: number;
  depth: { min: number; max: number };
  blocks: BlockChoice[];
}

export interface SearchSpace {
  name: string;
  description?: string;
  source?: string;
  resolution: number[];
  channels: number;
  classes: number;
  divisor: number;
  dropout: number;
  stem: { channels: number; kernel: number; stride: number; act: Activation; pool: StemPool };
  head: { channels: number; act: Activation };
  stages: SpaceStage[];
}

/** One network of a space: indices into the space's choices. */
export interface Genome {
  resolution: number;
  stages: { width: number; depth: number; layers: number[] }[];
}

/** Stable identity of a block choice (used as the key in profiles, reductions and merges). */
export function blockKey(b: BlockChoice): string {
  return `${b.block}/k${b.kernel}/e${b.expand}/se${b.se}/${b.act}${b.space_to_depth ? `/s2d-${b.space_to_depth}` : ''}`;
}

/** A short label that shows only the fields that vary in the space, e.g. "MB e6 k7". */
export function blockLabeler(space: SearchSpace): (b: BlockChoice) => string {
  const all = space.stages.flatMap((s) => s.blocks);
  const varies = (f: keyof BlockChoice) => new Set(all.map((b) => String(b[f]))).size > 1;
  const show = { expand: varies('expand'), kernel: varies('kernel'), se: varies('se'), act: varies('act') };
  return (b) => {
    const parts = [BLOCKS[b.block].short];
    if (show.expand) parts.push(`e${b.expand}`);
    if (show.kernel) parts.push(`k${b.kernel}`);
    if (show.se && b.se > 0) parts.push(`se${b.se}`);
    if (show.act) parts.push(b.act);
    if (b.space_to_depth) parts.push(`s2d-${b.space_to_depth}`);
    return parts.join(' ');
  };
}

/** Block choices at layer `layer` of a stage: space_to_depth folds only at a stage's first layer. */
export function choicesAt(stage: SpaceStage, layer: number): number[] {
  const out: number[] = [];
  stage.blocks.forEach((b, i) => {
    if (layer === 0 || !b.space_to_depth) out.push(i);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Parsing and validation

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(SPACE_SCHEMA as object);

type Path = (string | number)[];

function pathOf(instancePath: string): Path {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function fieldName(path: Path): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(document)';
}

/** The most useful of ajv's errors: the deepest one that is not a oneOf/anyOf summary. */
function bestError(errors: ErrorObject[]): ErrorObject {
  const concrete = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const pool = concrete.length ? concrete : errors;
  // Prefer errors about a missing or unknown property, then the deepest path.
  return [...pool].sort((a, b) => {
    const depth = pathOf(b.instancePath).length - pathOf(a.instancePath).length;
    if (depth !== 0) return depth;
    const rank = (e: ErrorObject) => (e.keyword === 'additionalProperties' || e.keyword === 'required' || e.keyword === 'enum' ? 0 : 1);
    return rank(a) - rank(b);
  })[0];
}

function describe(e: ErrorObject, value: unknown): string {
  const quoted = quoteValue(value);
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field '${(e.params as { additionalProperty: string }).additionalProperty}'`;
    case 'required':
      return `missing field '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'enum':
      return `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(' | ')}, got ${quoted}`;
    default:
      return `${e.message ?? 'invalid'}, got ${quoted}`;
  }
}

function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const p of path) v = v == null ? undefined : (v as Record<string | number, unknown>)[p];
  return v;
}

const asList = <T>(v: T | T[] | undefined, fallback: T[]): T[] => (v === undefined ? fallback : Array.isArray(v) ? v : [v]);

interface RawBlock {
  block: BlockType | BlockType[];
  kernel: number | number[];
  expand: number | number[];
  se?: number | number[];
  act?: Activation | Activation[];
  space_to_depth?: 'none' | SpaceToDepth | ('none' | SpaceToDepth)[];
}

/**
 * Bounds on what one space may offer, checked on the lists before any choice is made: every block choice is
 * built and validated once when the space is read, so a space that lists 2 x 6 x 900 x 900 x 6 combinations
 * (58 million choices from a 14 KB file) is refused, not expanded until the heap runs out.
 */
export const SPACE_LIMITS = { blockChoicesPerStage: 256, blockChoices: 1024, widthChoices: 64, resolutionChoices: 64 } as const;

/** Parses and validates a search space; throws ConfigError with file:line:col. */
/** The first number that is not finite (1e309, .inf, .nan): JSON Schema's "number" would accept it. */
function findNonFinite(v: unknown, path: Path = [], depth = 0): { path: Path; value: number } | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : { path, value: v };
  if (!v || typeof v !== 'object' || depth > 64) return undefined;
  for (const [k, x] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
    const hit = findNonFinite(x, [...path, k], depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

/** Explicitly tagged nodes (other than the plain core tags, which mean what they say). */
function findTags(node: unknown, out: { tag: string; offset: number }[] = [], depth = 0): { tag: string; offset: number }[] {
  if (!node || typeof node !== 'object' || depth > 64 || out.length) return out;
  const n = node as { tag?: string; range?: [number, number, number]; items?: unknown[]; key?: unknown; value?: unknown };
  if (typeof n.tag === 'string' && !/^tag:yaml\.org,2002:(str|int|float|bool|null|seq|map)$/.test(n.tag)) out.push({ tag: n.tag, offset: n.range?.[0] ?? 0 });
  if (Array.isArray(n.items)) for (const it of n.items) findTags(it, out, depth + 1);
  if ('key' in n) findTags(n.key, out, depth + 1);
  if ('value' in n) findTags(n.value, out, depth + 1);
  return out;
}

export function parseSpace(text: string, file: string): SearchSpace {
  // The same lexical bounds as configs (size, lines, nesting, flow items) before the YAML parser runs.
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > FILE_LIMITS.searchSpace) {
    throw new ConfigError(`the file is ${bytes} bytes; allowed: at most ${FILE_LIMITS.searchSpace} bytes (FILE_LIMITS.searchSpace)`, { file, line: 1, col: 1 }, undefined);
  }
  scanNesting(text, file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  // Warnings are errors here: an unknown tag (!!binary, !foo) would otherwise be dropped silently.
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const hint = problem.code === 'TAG_RESOLVE_FAILED' ? '; search spaces use plain YAML values, remove the tag' : '';
    throw new ConfigError(`YAML ${doc.errors.length ? 'syntax' : 'problem'}: ${problem.message.split('\n')[0].split(/ at line \d+, column \d+/)[0]}${hint}`, at(problem.pos[0]), undefined);
  }
  for (const tagged of findTags(doc.contents)) {
    throw new ConfigError(`YAML tag ${excerpt(tagged.tag, 40)}: search spaces use plain YAML values; remove the tag`, at(tagged.offset), undefined);
  }
  const locate = (path: Path): SourcePosition => {
    // Walk down to the deepest node that exists (a missing field points at its parent).
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return { file, line: 1, col: 1 };
  };
  let raw: Record<string, unknown> | null;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown> | null;
  } catch (err) {
    const message = (err as Error).message;
    if (/alias count|resource exhaustion/i.test(message)) {
      throw new ConfigError(`YAML aliases expand to too many nodes (an alias bomb?); allowed: at most ${MAX_ALIAS_COUNT} alias expansions`, { file, line: 1, col: 1 }, undefined);
    }
    throw new ConfigError(`YAML: ${message.split('\n')[0].slice(0, 200)}`, { file, line: 1, col: 1 }, undefined);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('a search space must be a YAML mapping (name, resolution, stem, stages, ...)', { file, line: 1, col: 1 }, undefined);
  }
  const nonFinite = findNonFinite(raw);
  if (nonFinite) {
    throw new ConfigError(`expected a finite number, got ${quoteValue(nonFinite.value)}`, locate(nonFinite.path), fieldName(nonFinite.path));
  }
  if (!validate(raw)) {
    const e = bestError(validate.errors ?? []);
    const path = pathOf(e.instancePath);
    throw new ConfigError(describe(e, valueAt(raw, path)), locate(path), fieldName(path));
  }
  const fail = (path: Path, message: string): never => {
    throw new ConfigError(message, locate(path), fieldName(path));
  };
  const r = raw as {
    name: string; description?: string; source?: string; resolution: number | number[]; channels?: number; classes?: number;
    divisor?: number; dropout?: number; stem: { channels: number; kernel: number; stride: number; act?: Activation; pool?: StemPool };
    head?: { channels: number; act?: Activation };
    stages: { name?: string; channels: number | number[]; stride: number; depth: number | number[]; blocks: RawBlock[] }[];
  };
  const count = (v: unknown[] | unknown, fallback = 1) => (v === undefined ? fallback : Array.isArray(v) ? v.length : 1);
  if (count(r.resolution) > SPACE_LIMITS.resolutionChoices) {
    fail(['resolution'], `${count(r.resolution)} resolution choices; allowed: at most ${SPACE_LIMITS.resolutionChoices} (SPACE_LIMITS.resolutionChoices)`);
  }
  let totalChoices = 0;
  r.stages.forEach((s, si) => {
    if (count(s.channels) > SPACE_LIMITS.widthChoices) fail(['stages', si, 'channels'], `${count(s.channels)} width choices; allowed: at most ${SPACE_LIMITS.widthChoices} (SPACE_LIMITS.widthChoices)`);
    let stageChoices = 0;
    s.blocks.forEach((b, bi) => {
      const n = count(b.block) * count(b.kernel) * count(b.expand) * count(b.se) * count(b.act) * count(b.space_to_depth);
      stageChoices += n;
      if (stageChoices > SPACE_LIMITS.blockChoicesPerStage) {
        fail(['stages', si, 'blocks', bi], `the stage offers ${stageChoices.toLocaleString('en-US')} or more block choices (every combination of the listed values is one); allowed: at most ${SPACE_LIMITS.blockChoicesPerStage} per stage (SPACE_LIMITS.blockChoicesPerStage)`);
      }
    });
    totalChoices += stageChoices;
    if (totalChoices > SPACE_LIMITS.blockChoices) {
      fail(['stages', si, 'blocks'], `the space offers ${totalChoices.toLocaleString('en-US')} or more block choices over its stages; allowed: at most ${SPACE_LIMITS.blockChoices} (SPACE_LIMITS.blockChoices)`);
    }
  });
  const stages: SpaceStage[] = r.stages.map((s, si) => {
    const depth = Array.isArray(s.depth) ? { min: s.depth[0], max: s.depth[1] } : { min: s.depth, max: s.depth };
    if (depth.min > depth.max) fail(['stages', si, 'depth'], `depth [min, max] needs min <= max, got [${depth.min}, ${depth.max}]`);
    const blocks: BlockChoice[] = [];
    const seen = new Set<string>();
    s.blocks.forEach((b) => {
      for (const block of asList(b.block, []))
        for (const kernel of asList(b.kernel, []))
          for (const expand of asList(b.expand, []))
            for (const se of asList(b.se, [0]))
              for (const act of asList(b.act, ['relu' as Activation]))
                for (const s2d of asList(b.space_to_depth, ['none' as const])) {
                  const choice: BlockChoice = { block, kernel, expand, se, act };
                  if (s2d !== 'none') choice.space_to_depth = s2d;
                  const key = blockKey(choice);
                  if (!seen.has(key)) blocks.push(choice);
                  seen.add(key);
                }
    });
    blocks.forEach((b, bi) => {
      if (b.space_to_depth && depth.max > 1) {
        const idx = s.blocks.findIndex((raw) => asList(raw.space_to_depth, ['none']).some((v) => v !== 'none'));
        fail(['stages', si, 'blocks', idx, 'space_to_depth'], `space_to_depth folds the whole stage: it needs a stage of depth 1, this stage has depth up to ${depth.max}`);
      }
      if (b.kernel % 2 === 0) fail(['stages', si, 'blocks'], `kernel must be odd, got ${b.kernel} (block ${bi})`);
    });
    return { name: s.name ?? `stage${si}`, channels: asList(s.channels, []), stride: s.stride, depth, blocks };
  });
  const space: SearchSpace = {
    name: r.name,
    description: r.description,
    source: r.source,
    resolution: asList(r.resolution, []),
    channels: r.channels ?? 3,
    classes: r.classes ?? 1000,
    divisor: r.divisor ?? 8,
    dropout: r.dropout ?? 0,
    stem: { channels: r.stem.channels, kernel: r.stem.kernel, stride: r.stem.stride, act: r.stem.act ?? 'relu', pool: r.stem.pool ?? 'none' },
    head: { channels: r.head?.channels ?? 0, act: r.head?.act ?? 'relu' },
    stages,
  };
  // The smallest network of the space must lower: catches a resolution too small for the strides.
  const smallest: Genome = {
    resolution: space.resolution.indexOf(Math.min(...space.resolution)),
    stages: stages.map((s) => ({ width: 0, depth: s.depth.max, layers: Array.from({ length: s.depth.max }, (_, l) => choicesAt(s, l)[0]) })),
  };
  // Each block choice is tried at its stage's first layer (where space_to_depth and strides act).
  const trials: Genome[] = [smallest];
  const trialOrigin: { stage: number; choice: number }[] = [];
  stages.forEach((s, si) => s.blocks.forEach((_, c) => {
    const g = cloneGenome(smallest);
    g.stages[si].layers[0] = c; // every block is a choice at a stage's first layer
    trials.push(g);
    trialOrigin.push({ stage: si, choice: c });
  }));
  const label = blockLabeler(space);
  trials.forEach((g, t) => {
    const config = genomeToConfig(space, g);
    try {
      lower(config);
    } catch (err) {
      if (err instanceof ShapeError) fail(['resolution'], `the smallest resolution ${Math.min(...space.resolution)} cannot be built: ${err.message}`);
      throw err;
    }
    // Sampled networks must be valid format v1 configs (the ranges of schema/arch-config.schema.json).
    try {
      parseArchConfig(stringify(config), `${file} (sampled network)`);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const which = t === 0 ? undefined : trialOrigin[t - 1];
      const path: Path = which ? ['stages', which.stage, 'blocks'] : ['stages'];
      const what = which ? `block ${label(stages[which.stage].blocks[which.choice])}` : 'the smallest network';
      fail(path, `${what} gives a network that is not a valid architecture config: ${err.detail}${err.field ? ` (${err.field})` : ''}`);
    }
  });
  return space;
}

export function loadSpace(path: string): SearchSpace {
  let text: string;
  try {
    text = readRegularText(path, { what: 'search space', kind: 'searchSpace' });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read search space ${JSON.stringify(path)}: ${(err as Error).message}`);
  }
  return parseSpace(text, path);
}

// ---------------------------------------------------------------------------------------------------
// Sampling and configs

export function sampleGenome(space: SearchSpace, rand: Random): Genome {
  return {
    resolution: Math.floor(rand() * space.resolution.length),
    stages: space.stages.map((s) => {
      const depth = randInt(rand, s.depth.min, s.depth.max);
      // Every layer slot up to the maximum depth carries a gene, so depth mutations keep the rest.
      return { width: Math.floor(rand() * s.channels.length), depth, layers: Array.from({ length: s.depth.max }, (_, l) => pick(rand, choicesAt(s, l))) };
    }),
  };
}

/**
 * A sampled network must pass the resource limits (params, MACs, peak activation bytes; configurable with
 * --max-params / --max-macs / --max-activation-bytes) before anything is built from it. Returns the error
 * (a UserError naming the limit) or undefined when it fits.
 */
export function sampleLimitError(space: SearchSpace, config: ArchConfig, limits: Partial<ResourceLimits> = {}, batch = 1): UserError | undefined {
  try {
    checkResourceLimits(config, limits, batch);
    return undefined;
  } catch (err) {
    if (err instanceof UserError) return new UserError(`search space ${excerpt(space.name, 60)}: a sampled network does not fit: ${err.message}`);
    throw err;
  }
}

export function cloneGenome(g: Genome): Genome {
  return { resolution: g.resolution, stages: g.stages.map((s) => ({ width: s.width, depth: s.depth, layers: [...s.layers] })) };
}

/** The format v1 config of a genome; consecutive identical layers of a stage share one config stage. */
export function genomeToConfig(space: SearchSpace, genome: Genome, name?: string): ArchConfig {
  const stages: StageConfig[] = [];
  space.stages.forEach((s, si) => {
    const g = genome.stages[si];
    const channels = s.channels[g.width];
    for (let l = 0; l < g.depth; l++) {
      const b = s.blocks[g.layers[l]];
      const prev = stages[stages.length - 1];
      const sameAsPrev = l > 0 && prev && blockKey(stageChoice(prev)) === blockKey(b) && prev.channels === channels;
      if (sameAsPrev) {
        prev.repeats++;
        continue;
      }
      const stage: StageConfig = { block: b.block, repeats: 1, channels, kernel: b.kernel, stride: l === 0 ? s.stride : 1, expand: b.expand, se: b.se, act: b.act };
      if (b.space_to_depth) stage.space_to_depth = b.space_to_depth;
      stages.push(stage);
    }
  });
  const config: ArchConfig = {
    name: '',
    resolution: space.resolution[genome.resolution],
    channels: space.channels,
    classes: space.classes,
    width: 1,
    depth: 1,
    divisor: space.divisor,
    stem: { ...space.stem },
    stages,
    head: { ...space.head },
    dropout: space.dropout,
  };
  // Named by the config identity: naming needs no lowering (a genome that cannot be built still has a name).
  config.name = name ?? `${space.name}-${configHash(config).slice('sha256:'.length, 'sha256:'.length + 10)}`;
  return config;
}

function stageChoice(s: StageConfig): BlockChoice {
  const b: BlockChoice = { block: s.block, kernel: largestKernel(s.kernel), expand: s.expand, se: s.se, act: s.act };
  if (s.space_to_depth) b.space_to_depth = s.space_to_depth;
  return b;
}

/** Number of distinct genomes (as a float; spaces reach 1e19 and beyond). */
export function spaceSize(space: SearchSpace): number {
  let total = space.resolution.length;
  for (const s of space.stages) {
    let perWidth = 0;
    for (let d = s.depth.min; d <= s.depth.max; d++) {
      let n = 1;
      for (let l = 0; l < d; l++) n *= choicesAt(s, l).length;
      perWidth += n;
    }
    total *= perWidth * s.channels.length;
  }
  return total;
}

export function formatCount(n: number): string {
  return n < 1e6 ? String(Math.round(n)) : n.toExponential(2).replace('e+', 'e');
}

/** Serialises a space back to YAML (explicit block lists), with a header comment and optional notes. */
export function spaceToYaml(space: SearchSpace, header: string[] = [], extra: Record<string, unknown> = {}): string {
  const doc: Record<string, unknown> = {
    name: space.name,
    ...(space.description ? { description: space.description } : {}),
    ...(space.source ? { source: space.source } : {}),
    resolution: space.resolution,
    channels: space.channels,
    classes: space.classes,
    divisor: space.divisor,
    dropout: space.dropout,
    stem: space.stem,
    head: space.head,
    stages: space.stages.map((s) => ({
      name: s.name,
      channels: s.channels,
      stride: s.stride,
      depth: [s.depth.min, s.depth.max],
      blocks: s.blocks.map((b) => ({ ...b })),
    })),
    ...extra,
  };
  const body = stringify(doc, { flowCollectionPadding: false, lineWidth: 140 })
    // One block per line keeps reduced spaces readable and diffable.
    .replace(/\n(\s+)- block: (\w+)\n\s+kernel: (\d+)\n\s+expand: ([\d.]+)\n\s+se: ([\d.]+)\n\s+act: (\w+)(\n\s+space_to_depth: (\w+))?/g,
      (_m, ind, block, k, e, se, act, _s, s2d) => `\n${ind}- {block: ${block}, kernel: ${k}, expand: ${e}, se: ${se}, act: ${act}${s2d ? `, space_to_depth: ${s2d}` : ''}}`);
  return [...header.map((h) => `# ${h}`), body].join('\n');
}
