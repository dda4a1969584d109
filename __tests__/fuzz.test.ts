/**
 * Property-based fuzzing of every input kind (issue 24): configs, stores, sweep and profile shards, search
 * spaces, metrics files, accuracy tables, .onnx models, event payloads and GitHub API responses. Inputs are
 * valid files mutated by fast-check (values replaced by hostile ones, keys renamed or deleted, bytes flipped
 * or cut), run through the CLI in-process (or the action against the loopback API), with fixed seeds so a
 * failure reproduces. Every run must:
 *   - end with an exit code in {0, 1, 2, 3, 4} (a thrown UserError of those codes for library entry points)
 *     within a time bound;
 *   - never show a stack trace or "internal error";
 *   - write nothing outside the outputs it was named (and never rewrite an input it failed on);
 *   - print nothing that acts on a terminal (ESC, C1 controls, bidi overrides).
 * The whole suite is sized to stay well under 2 minutes of CI (`FUZZ_RUNS=n` scales every property).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { main, type CliDeps } from '../src/cli';
import type { CommandIO } from '../src/commands/types';
import { UserError } from '../src/errors';
import { runSweepShard } from '../src/frontier/shard';
import { serializeStore } from '../src/frontier/store';
import { readEventContext } from '../src/github/event';
import { resolveCommand } from '../src/github/run';
import { parseAccuracyTable } from '../src/lacs/accuracy';
import { runProfile } from '../src/search/profile';
import { loadSpace } from '../src/search/space';
import { SyntheticMeasurer } from '../src/search/synthetic';
import { MacsMeasurer } from './action.fake-measurer';
import { archYaml, readEvent, referenceStore, scenario, type Scenario } from './action.harness';
import { encodeModel, T } from './support/onnx-models';

const ROOT = path.resolve(__dirname, '..');
/** Fixed in CI; FUZZ_SEED explores other inputs (a failure prints the seed and path to replay). */
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_024);
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** One run of any property: far above what a run takes, far below a hang. */
const RUN_BOUND_MS = 15_000;

// ---------------------------------------------------------------------------------------------------------
// What every run must satisfy

const ALLOWED_EXITS = new Set([0, 1, 2, 3, 4]);
const STACK = /\n\s+at\s|internal error|Maximum call stack|heap out of memory|TypeError|RangeError|ReferenceError/;
// eslint-disable-next-line no-control-regex
const ACTS_ON_TERMINAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

interface Outcome {
  code: number;
  out: string;
  err: string;
  ms: number;
}

/** Exit codes seen per property: the summary shows the fuzzing reached past the schemas too. */
const seen = new Map<string, Map<number, number>>();
function count(kind: string, code: number): void {
  const m = seen.get(kind) ?? new Map<number, number>();
  m.set(code, (m.get(code) ?? 0) + 1);
  seen.set(kind, m);
}
afterAll(() => {
  const rows = [...seen].map(([k, m]) => `${k}: ${[...m].sort((a, b) => a[0] - b[0]).map(([c, n]) => `exit ${c} x${n}`).join(', ')}`);
  console.log(`fuzz runs (seed ${SEED}):\n${rows.join('\n')}`);
});

function expectWellBehaved(kind: string, o: Outcome, allowed: ReadonlySet<number> = ALLOWED_EXITS): void {
  count(kind, o.code);
  if (!allowed.has(o.code) || STACK.test(o.err) || STACK.test(o.out) || ACTS_ON_TERMINAL.test(o.out.replace(/\n/g, '')) || ACTS_ON_TERMINAL.test(o.err.replace(/[\n\t]/g, '')) || o.ms > RUN_BOUND_MS) {
    throw new Error(`not well behaved: exit ${o.code} in ${o.ms} ms\nstdout: ${o.out.slice(0, 600)}\nstderr: ${o.err.slice(0, 1500)}`);
  }
}

/** A library entry point: returns, or throws a UserError of a documented code with a short message. */
function expectUserErrorOrValue(kind: string, fn: () => unknown): void {
  const started = Date.now();
  try {
    fn();
    count(kind, 0);
  } catch (err) {
    if (err instanceof UserError) count(kind, err.exitCode);
    if (!(err instanceof UserError) || !ALLOWED_EXITS.has(err.exitCode) || STACK.test(err.message) || err.message.length > 4000) {
      throw new Error(`not a clean refusal: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
  expect(Date.now() - started).toBeLessThan(RUN_BOUND_MS);
}

const deps = (extra: Partial<CliDeps> = {}): CliDeps => ({
  measurer: () => new MacsMeasurer(),
  proxy: () => ({ name: 'none', score: async () => 0 }) as never,
  now: () => new Date('2026-01-01T00:00:00Z'),
  commit: () => undefined,
  tty: { stdout: false, stderr: false },
  ...extra,
});

async function cli(argv: string[], cwd: string, extra: Partial<CliDeps> = {}): Promise<Outcome> {
  let out = '';
  let err = '';
  const io: CommandIO = { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') };
  const started = Date.now();
  const code = await main(argv, io, deps({ cwd, ...extra }));
  return { code, out, err, ms: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------------------
// Files: what a run may touch

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-fuzz-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every file under `root` with a hash of its bytes (links not followed). */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(root, p), e.isFile() ? createHash('sha1').update(fs.readFileSync(p)).digest('hex') : 'special');
    }
  };
  walk(root);
  return out;
}

/**
 * Runs `fn` in a fresh folder holding `files` (and a sibling "outside" folder); afterwards only `outputs`
 * (paths relative to the folder) may be new or changed, and nothing outside may be.
 */
async function inFolder(files: Record<string, string | Uint8Array>, outputs: readonly string[], fn: (cwd: string) => Promise<Outcome | void>): Promise<Outcome | void> {
  const base = fs.mkdtempSync(path.join(dir, 'case-'));
  const cwd = path.join(base, 'work');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(outside, { recursive: true });
  fs.writeFileSync(path.join(outside, 'victim.txt'), 'precious');
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(cwd, name)), { recursive: true });
    fs.writeFileSync(path.join(cwd, name), data);
  }
  const before = snapshot(base);
  try {
    const result = await fn(cwd);
    const after = snapshot(base);
    const allowed = (p: string) => outputs.some((o) => p === path.join('work', o) || p.startsWith(path.join('work', o) + path.sep));
    for (const [p, h] of after) if (before.get(p) !== h && !allowed(p)) throw new Error(`wrote ${p}, which is not a named output`);
    for (const p of before.keys()) if (!after.has(p) && !allowed(p)) throw new Error(`removed ${p}`);
    return result;
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Mutations

/** Values a hostile or careless input puts where a field was. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, Infinity, -Infinity, 2 ** 53 + 1, Number.MIN_VALUE, '', ' ', '__proto__', 'constructor', '../../etc/passwd', '/dev/zero',
    '\u001b]0;pwned\u0007\u001b[2J', 'abc\u202Efdp', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))', '@octo-org/admins', '::set-output name=x::y',
    [], {}, [[[[[[[[]]]]]]]], { __proto__: { polluted: 1 } }, 'x'.repeat(5000), '0'.repeat(40), 'sha256:' + 'f'.repeat(64)),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
);

type JsonPath = (string | number)[];

function paths(doc: unknown, at: JsonPath = [], out: JsonPath[] = [], depth = 0): JsonPath[] {
  out.push(at);
  if (doc && typeof doc === 'object' && depth < 12 && out.length < 5000) {
    for (const [k, v] of Array.isArray(doc) ? doc.entries() : Object.entries(doc)) paths(v, [...at, k], out, depth + 1);
  }
  return out;
}

interface JsonEdit {
  at: number;
  kind: 'set' | 'delete' | 'rename' | 'deep' | 'nudge';
  value: unknown;
  key: string;
  factor: number;
}

/** Small changes keep many inputs valid (the code past the schema runs); large ones test the schema. */
const factor = fc.constantFrom(0, 0.5, 0.9, 1.01, 1.1, 2, 10, -1);

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('set', 'set', 'delete', 'rename', 'deep', 'nudge', 'nudge', 'nudge'),
  factor,
  value: hostileValue,
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'evil', '', '\u202e', 'length'), fc.string({ maxLength: 12 })),
});

/** Applies edits to a copy of `doc` at paths chosen by index; `deep` nests a value 100,000 levels (as text). */
function editJson(doc: unknown, edits: readonly JsonEdit[]): string {
  const copy = JSON.parse(JSON.stringify(doc)) as unknown;
  let deep: JsonPath | undefined;
  let root: unknown = copy;
  for (const e of edits) {
    const all = paths(root);
    const p = all[e.at % all.length];
    if (!p.length) {
      if (e.kind === 'set') root = e.value;
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const k of p.slice(0, -1)) parent = parent?.[k] as Record<string | number, unknown>;
    if (!parent || typeof parent !== 'object') continue;
    const last = p[p.length - 1];
    if (e.kind === 'nudge') {
      const v = parent[last];
      if (typeof v === 'number') parent[last] = Number.isInteger(v) ? Math.round(v * e.factor) : v * e.factor;
      else if (typeof v === 'string') parent[last] = e.factor > 1 ? v + v : v.slice(0, Math.floor(v.length * Math.max(0, e.factor)));
    } else if (e.kind === 'set') Object.defineProperty(parent, last, { value: e.value, enumerable: true, writable: true, configurable: true });
    else if (e.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    }
    else if (e.kind === 'rename' && !Array.isArray(parent)) {
      const v = parent[last];
      delete parent[last];
      Object.defineProperty(parent, e.key, { value: v, enumerable: true, writable: true, configurable: true });
    } else if (e.kind === 'deep') {
      parent[last] = '__DEEP__';
      deep = p;
    }
  }
  const text = JSON.stringify(root) ?? 'null';
  return deep ? text.replace('"__DEEP__"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`) : text;
}

interface TextEdit {
  line: number;
  kind: 'value' | 'insert' | 'delete' | 'bytes' | 'cut' | 'key' | 'nudge';
  value: unknown;
  text: string;
  factor: number;
}

const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  line: fc.nat(),
  kind: fc.constantFrom('value', 'value', 'insert', 'delete', 'bytes', 'cut', 'key', 'nudge', 'nudge', 'nudge'),
  factor,
  value: hostileValue,
  text: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('&a [*a, *a]', '!!binary aGk=', '{{{{{{', '- - - -', '"\\u202e": 1', '<<: *x', '? [a]', '\t', '\r', '\ufeff')),
});

/** Edits YAML text line by line: a value replaced (as YAML flow), a line inserted, deleted or cut, bytes added. */
function editText(text: string, edits: readonly TextEdit[]): string {
  let lines = text.split('\n');
  for (const e of edits) {
    if (!lines.length) lines = [''];
    const i = e.line % lines.length;
    const yamlValue = JSON.stringify(e.value) ?? 'null';
    if (e.kind === 'nudge') lines[i] = lines[i].replace(/(?<=[:,[]\s*)(\d+(?:\.\d+)?)/g, (n) => String(Number.isInteger(Number(n)) ? Math.round(Number(n) * e.factor) : Number(n) * e.factor));
    else if (e.kind === 'value') lines[i] = lines[i].replace(/(:\s*)([^\s{[,][^,}\]]*|\[[^\]]*\]|\{[^}]*\})/, (_m, sep: string) => `${sep}${yamlValue}`);
    else if (e.kind === 'insert') lines.splice(i, 0, e.text);
    else if (e.kind === 'delete') lines.splice(i, 1);
    else if (e.kind === 'bytes') lines[i] = lines[i] + e.text;
    else if (e.kind === 'cut') lines = lines.slice(0, i);
    else lines[i] = lines[i].replace(/^(\s*-?\s*\{?\s*)([\w.]+)(\s*:)/, (_m, a: string, _k: string, b: string) => `${a}${JSON.stringify(e.text)}${b}`);
  }
  return lines.join('\n');
}

interface ByteEdit {
  at: number;
  kind: 'flip' | 'set' | 'cut' | 'insert';
  value: number;
}

const byteEdit: fc.Arbitrary<ByteEdit> = fc.record({ at: fc.nat(), kind: fc.constantFrom('flip', 'set', 'set', 'cut', 'insert'), value: fc.integer({ min: 0, max: 255 }) });

function editBytes(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let b = Buffer.from(bytes);
  for (const e of edits) {
    const i = e.at % Math.max(1, b.length);
    if (e.kind === 'flip') b[i] ^= 1 << (e.value % 8);
    else if (e.kind === 'set') b[i] = e.value;
    else if (e.kind === 'cut') b = b.subarray(0, i);
    // A varint-looking run: counts and lengths that claim far more than the file holds.
    else b = Buffer.concat([b.subarray(0, i), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f & e.value]), b.subarray(i)]);
  }
  return b;
}

const opts = (numRuns: number) => ({ seed: SEED, numRuns: runs(numRuns), endOnFailure: true });

// ---------------------------------------------------------------------------------------------------------
// Seeds: valid inputs of every kind

const CONFIG = archYaml('mobilenet-v2');
const SPACE = fs.readFileSync(path.join(ROOT, 'fixtures', 'spaces', 'genet.yaml'), 'utf8');
const TINY = [
  'name: tiny', 'resolution: 32', 'classes: 10', 'stem: {channels: 8, kernel: 3, stride: 2, act: relu}',
  'stages:', '  - {block: mbconv, repeats: 1, channels: 8, kernel: 3, stride: 1, expand: 2, se: 0.25, act: relu}', 'head: {channels: 16, act: relu}', '',
].join('\n');
const ONNX = encodeModel({
  opset: 13, inputs: [{ name: 'x', dims: [1, 3, 8, 8] }], outputs: ['y'],
  nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], name: 'conv', attrs: { pads: [1, 1, 1, 1] } }, { op: 'Relu', inputs: ['c'], outputs: ['r'] }, { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['y'] }],
  inits: [{ name: 'w', dims: [4, 3, 3, 3], values: Array.from({ length: 108 }, (_, i) => (i % 7) / 7) }],
});
const METRICS = { eval: { top1: 71.5, top5: 90.1 }, runs: [{ top1: 0.7 }, { top1: 0.71 }], models: { 'mobilenet-v2': { top1: '72%' } } };
const TABLE = `- {alpha: 1.2, beta: 1.1, gamma: 1.15, top1: 78.8}\n- {coefficients: [1, 1.4, 1], top1: 79.2}\n- {hash: "sha256:${'ab'.repeat(32)}", top1: 70}\n`;

let smallStore: string;
let sweepShards: unknown[];
let profileShards: unknown[];

beforeAll(async () => {
  const store = await referenceStore(['mobilenet-v2', 'resnet-18', 'efficientnet-b0', 'genet-light']);
  smallStore = serializeStore(store);
  const now = () => new Date('2026-01-02T00:00:00Z');
  sweepShards = [];
  for (const index of [1, 2]) sweepShards.push(await runSweepShard(store, { index, count: 2 }, { budgetSeconds: 1 }, { measurer: new MacsMeasurer(), now }));
  const space = loadSpace(path.join(ROOT, 'fixtures', 'spaces', 'genet.yaml'));
  profileShards = [];
  for (const index of [1, 2]) profileShards.push(await runProfile(space, new SyntheticMeasurer(), { samples: 1, seed: 1, perCallSeconds: 0.05, shard: { index, count: 2 }, now: () => 0 }));
});

// ---------------------------------------------------------------------------------------------------------
// The properties

describe('fuzz: every input kind ends in a documented exit, quickly, without a stack, writing only its outputs', () => {
  test('configs (stats, build)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(textEdit, { minLength: 1, maxLength: 4 }), fc.boolean(), async (edits, build) => {
      const text = editText(build ? TINY : CONFIG, edits);
      await inFolder({ 'c.yaml': text }, build ? ['m.onnx'] : [], async (cwd) => {
        const o = await cli(build ? ['build', 'c.yaml', '-o', 'm.onnx'] : ['stats', 'c.yaml'], cwd);
        expectWellBehaved('configs', o, new Set([0, 2]));
      });
    }), opts(300));
  });

  test('stores (check, record, report --html)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), fc.constantFrom('check', 'record', 'report'), async (edits, command) => {
      const text = editJson(JSON.parse(smallStore), edits);
      const argv = command === 'check' ? ['check', 'cand.yaml', '--frontier', 'store.json', '--budget', '1']
        : command === 'record' ? ['record', 'cand.yaml', '--frontier', 'store.json', '--budget', '1', '--no-lacs']
          : ['report', '--html', 'site', '--frontier', 'store.json'];
      await inFolder({ 'store.json': text, 'cand.yaml': archYaml('mobilenet-v2', 'candidate-net') }, command === 'record' ? ['store.json', 'store.json.lock'] : command === 'report' ? ['site'] : [], async (cwd) => {
        const o = await cli(argv, cwd);
        expectWellBehaved('stores', o, new Set([0, 1, 2]));
        // A store the run refused is never rewritten.
        if (o.code !== 0) expect(fs.readFileSync(path.join(cwd, 'store.json'), 'utf8')).toBe(text);
      });
    }), opts(200));
  });

  test('sweep shards (merge into a store)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), fc.nat(1), fc.boolean(), async (edits, which, dry) => {
      const files = { 'store.json': smallStore, 's1.json': JSON.stringify(sweepShards[0]), 's2.json': JSON.stringify(sweepShards[1]) };
      files[which ? 's2.json' : 's1.json'] = editJson(sweepShards[which], edits);
      await inFolder(files, dry ? [] : ['store.json', 'store.json.lock'], async (cwd) => {
        const o = await cli(['merge', 's1.json', 's2.json', '--frontier', 'store.json', ...(dry ? ['--dry-run'] : [])], cwd);
        expectWellBehaved('sweep shards', o, new Set([0, 2]));
        if (o.code !== 0) expect(fs.readFileSync(path.join(cwd, 'store.json'), 'utf8')).toBe(smallStore);
      });
    }), opts(200));
  });

  test('profile shards (merge with the space)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), fc.nat(1), async (edits, which) => {
      const files = { 'space.yaml': SPACE, 'p1.json': JSON.stringify(profileShards[0]), 'p2.json': JSON.stringify(profileShards[1]) };
      files[which ? 'p2.json' : 'p1.json'] = editJson(profileShards[which], edits);
      await inFolder(files, ['merged.json', 'reduced.yaml'], async (cwd) => {
        const o = await cli(['merge', 'p1.json', 'p2.json', '--space', 'space.yaml', '--out', 'merged.json', '--reduce', 'reduced.yaml'], cwd);
        expectWellBehaved('profile shards', o, new Set([0, 2]));
      });
    }), opts(150));
  });

  test('search spaces (profile on the synthetic device)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(textEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
      await inFolder({ 'space.yaml': editText(SPACE, edits) }, ['profile.json'], async (cwd) => {
        const o = await cli(['profile', 'space.yaml', '--samples', '1', '--per-call', '0.05', '--out', 'profile.json', '--quiet'], cwd, { measurer: () => new SyntheticMeasurer() });
        expectWellBehaved('search spaces', o, new Set([0, 2]));
      });
    }), opts(100));
  });

  test('metrics files and keys (check --metrics)', async () => {
    const key = fc.oneof(fc.constantFrom('eval.top1', 'runs.1.top1', 'runs.length', 'models.{name}.top1', '__proto__.polluted', 'eval..top1', '.', 'constructor.name'), fc.string({ maxLength: 20 }));
    await fc.assert(fc.asyncProperty(fc.array(jsonEdit, { maxLength: 3 }), key, async (edits, metricsKey) => {
      await inFolder({ 'm.json': editJson(METRICS, edits), 'cand.yaml': archYaml('mobilenet-v2', 'candidate-net'), 'store.json': smallStore }, [], async (cwd) => {
        const o = await cli(['check', 'cand.yaml', '--frontier', 'store.json', '--metrics', 'm.json', '--metrics-key', metricsKey || 'x', '--budget', '1'], cwd);
        expectWellBehaved('metrics', o, new Set([0, 1, 2]));
      });
    }), opts(200));
  });

  test('accuracy tables (the LACS table reader)', () => {
    fc.assert(fc.property(fc.array(textEdit, { minLength: 1, maxLength: 4 }), (edits) => {
      expectUserErrorOrValue('accuracy tables', () => parseAccuracyTable(editText(TABLE, edits), 'table.yaml'));
    }), opts(800));
  });

  test('.onnx models (stats)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(byteEdit, { minLength: 1, maxLength: 4 }), async (edits) => {
      await inFolder({ 'm.onnx': editBytes(ONNX, edits) }, [], async (cwd) => {
        const o = await cli(['stats', 'm.onnx'], cwd);
        expectWellBehaved('.onnx models', o, new Set([0, 2]));
      });
    }), opts(400));
  });

  test('event payloads (read by the action)', () => {
    const events = ['pull_request.opened.json', 'pull_request.opened.fork.json', 'push.default-branch.json', 'workflow_run.fork-pr.json', 'schedule.json', 'workflow_dispatch.json'];
    const names = ['pull_request', 'pull_request', 'push', 'workflow_run', 'schedule', 'workflow_dispatch'];
    const file = path.join(dir, 'event.json');
    fc.assert(fc.property(fc.nat(events.length - 1), fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), (i, edits) => {
      fs.writeFileSync(file, editJson(readEvent(events[i]), edits));
      expectUserErrorOrValue('event payloads', () => {
        const ctx = readEventContext({ GITHUB_EVENT_NAME: names[i], GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: 'o/r', GITHUB_WORKSPACE: dir, GITHUB_REF: 'refs/heads/master' });
        if (ctx.pullRequest) expect(ctx.pullRequest.baseSha).toMatch(/^[0-9a-f]{40}$/i);
        resolveCommand('auto', ctx);
      });
    }), opts(1500));
  });

  describe('GitHub API responses (the action against the loopback API)', () => {
    let sc: Scenario;
    const pr = readEvent('pull_request.opened.json');
    beforeAll(async () => {
      const files = { 'models/wide-resnet.yaml': archYaml('resnet-50', 'wide-resnet') };
      sc = await scenario({ event: 'pull_request', payload: pr, workspaceFiles: files, inputs: { 'api-timeout': '2' } });
      sc.gh.commitAs(pr.pull_request.base.sha, { '.frontier/frontier.json': smallStore });
      sc.gh.commitAs(pr.pull_request.head.sha, { '.frontier/frontier.json': smallStore, ...files });
      sc.gh.prFiles.set(2, [{ filename: 'models/wide-resnet.yaml', status: 'modified' }]);
    });
    afterAll(() => sc.cleanup());

    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.constantFrom('{"this is": not json', '', 'null', '[]', '{}', '[{"filename": "../../x", "status": "added"}]', '[{"filename": "models/wide-resnet.yaml"}]',
        '{"type": "file", "sha": "zz", "encoding": "base64", "content": "!!"}', '{"type": "dir"}', '{"type": "file", "sha": "' + 'a'.repeat(40) + '", "encoding": "base64", "content": "//79"}'),
      fc.string({ maxLength: 50 }),
    );
    const route = fc.constantFrom(/\/pulls\/2\/files$/, /\/contents\//, /\/issues\/2\/comments$/);

    test('any answer to the PR files, the store or the comments: a verdict from valid data, or exit 2 or 4', async () => {
      await fc.assert(fc.asyncProperty(route, fc.constantFrom(200, 200, 200, 201, 404, 422, 500), body, async (which, status, text) => {
        sc.gh.intercept = (r, res) => {
          if (!which.test(r.path) || r.method !== 'GET') return false;
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
          res.end(text);
          return true;
        };
        const started = Date.now();
        let result: Awaited<ReturnType<Scenario['run']>> | undefined;
        try {
          result = await sc.run();
          count('API responses', result.exitCode);
        } catch (err) {
          if (err instanceof UserError) count('API responses', err.exitCode);
          if (!(err instanceof UserError) || ![2, 4].includes(err.exitCode) || STACK.test(err.message)) throw new Error(`not a clean refusal: ${(err as Error)?.stack ?? String(err)}`);
        }
        // Never a judgement from an answer that is not the API's documented one: only valid data decides.
        if (result && which.source.includes('files')) expect(['dominated', 'pass', 'new-frontier', 'inconclusive', 'invalid', 'skipped']).toContain(result.verdict);
        if (result?.verdict === 'skipped') expect(text).toMatch(/^\[\]$|^\[.*"status"/);
        expect(Date.now() - started).toBeLessThan(RUN_BOUND_MS);
      }), opts(120));
    });
  });
});

// Keep the ONNX seed honest: it is a model the reader accepts (a mutation then means something).
test('the seeds are valid inputs', async () => {
  await inFolder({ 'm.onnx': ONNX, 'c.yaml': CONFIG, 't.yaml': TINY }, [], async (cwd) => {
    for (const argv of [['stats', 'm.onnx'], ['stats', 'c.yaml'], ['stats', 't.yaml']]) {
      const o = await cli(argv, cwd);
      expect({ argv, code: o.code, err: o.err }).toEqual({ argv, code: 0, err: '' });
    }
  });
  expect(parseAccuracyTable(TABLE, 't.yaml')).toBeDefined();
  expect(T.FLOAT).toBeDefined();
});
