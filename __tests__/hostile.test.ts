/**
 * Table-driven hostile inputs over every input kind: configs, stores, search spaces, metrics, accuracy
 * tables, .onnx files, flags, action inputs, event payloads and artifacts. Each case asserts the exit code
 * (2 unless documented otherwise), a message naming the file/position/field, a short message (no whole
 * file quoted) and no stack trace. Cases that could allocate much (special files, alias bombs, huge shapes,
 * stored configs beyond the limits) also run in one child process with a capped heap, whose peak RSS is
 * checked.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { main, type CliDeps } from '../src/cli';
import { configHash } from '../src/arch/identity';
import type { CommandIO } from '../src/commands/types';
import { UserError } from '../src/errors';
import { readEventContext } from '../src/github/event';
import { parseActionInputs } from '../src/github/inputs';
import { readPublishableReport } from '../src/github/publish';
import type { Measurer } from '../src/measure/types';
import { encodeModel, T, type ModelSpec, type NodeSpec } from './support/onnx-models';

const ROOT = path.resolve(__dirname, '..');
const ARCH = fs.readFileSync(path.join(ROOT, 'fixtures/archs/mobilenet-v2.yaml'), 'utf8');
const STORE_TEXT = fs.readFileSync(path.join(ROOT, 'fixtures/frontier/frontier.json'), 'utf8');
const SPACE = fs.readFileSync(path.join(ROOT, 'fixtures/spaces/genet.yaml'), 'utf8');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-hostile-'));
  fs.writeFileSync(path.join(dir, 'ok.yaml'), ARCH);
  fs.writeFileSync(path.join(dir, 'store.json'), STORE_TEXT);
  fs.mkdirSync(path.join(dir, 'folder'));
  spawnSync('mkfifo', [path.join(dir, 'fifo')]);
  fs.writeFileSync(path.join(dir, 'regular.txt'), 'x');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file in the case's folder; `size` makes a sparse file of that many bytes (no disk used). */
function file(name: string, text: string | Uint8Array = '', size?: number): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  if (size !== undefined) fs.truncateSync(p, size);
  return p;
}
const special = {
  zero: () => '/dev/zero',
  folder: () => path.join(dir, 'folder'),
  fifo: () => path.join(dir, 'fifo'),
  missing: () => path.join(dir, 'does-not-exist'),
};

/** A measurer that must never be reached: every case fails before anything is measured. */
const noMeasure: Measurer = {
  measure: async () => {
    throw new Error('hostile input reached the measurer');
  },
};
const deps: CliDeps = {
  measurer: () => noMeasure,
  proxy: () => ({ name: 'none', score: async () => 0 }) as never,
  now: () => new Date('2026-01-01T00:00:00Z'),
  commit: () => undefined,
  tty: { stdout: false, stderr: false },
};

interface Outcome {
  code: number;
  message: string;
}

async function cli(argv: string[], withDeps: CliDeps = deps): Promise<Outcome> {
  let message = '';
  const io: CommandIO = { out: () => undefined, err: (t) => void (message += t + '\n') };
  return { code: await main(argv, io, withDeps), message };
}
/** .onnx files are read by the real measurer (nothing is measured: each case fails on reading). */
const REAL: CliDeps = { tty: { stdout: false, stderr: false } };

function sync(fn: () => unknown): Outcome {
  try {
    fn();
    return { code: 0, message: '' };
  } catch (err) {
    if (err instanceof UserError) return { code: err.exitCode, message: err.message };
    return { code: 70, message: (err as Error).stack ?? String(err) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Builders of hostile files

const arch = (edit: (t: string) => string) => edit(ARCH);
const withStage0 = (field: string, value: string) => arch((t) => t.replace(/(stages:\n\s+- \{)/, `$1${field}: ${value}, `).replace(new RegExp(`(stages:\\n\\s+- \\{${field}: ${value}, [^}]*?)\\b${field}: [^,}]+,? ?`), '$1'));

function storeWith(mutate: (s: any) => void): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  const s = JSON.parse(STORE_TEXT);
  mutate(s);
  return JSON.stringify(s, (_k, v) => (v === Infinity ? '__INF__' : v)).replace(/"__INF__"/g, '1e309');
}

function onnxModel(dims: number[], extra: Partial<onnx.IModelProto> = {}): Buffer {
  const shape = { dim: dims.map((d) => ({ dimValue: d })) };
  const model = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1, shape } } }],
    },
    ...extra,
  }).finish();
  return Buffer.from(model);
}

const TINY_ONNX: ModelSpec = { inputs: [{ name: 'x', dims: [4] }], outputs: ['y'], nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }], inits: [{ name: 'w', dims: [4], values: [1, 2, 3, 4] }] };

/** A node that makes a 16 GB tensor from a 4-element shape. */
function bomb(op: 'ConstantOfShape' | 'Expand'): Uint8Array {
  const node = op === 'ConstantOfShape' ? { op, inputs: ['s'], outputs: ['big'], name: 'bomb' } : { op, inputs: ['x', 's'], outputs: ['big'], name: 'bomb' };
  return encodeModel({
    inputs: [{ name: 'x', dims: [1] }], outputs: ['y'],
    nodes: [node, { op: 'Add', inputs: ['x', 'big'], outputs: ['y'] }],
    inits: [{ name: 's', dims: [4], type: T.INT64, values: [4, 1024, 1024, 1024] }],
  });
}

/** A Loop with a constant trip count (or, with null, one computed from the input). */
function loopModel(trip: number | null): Uint8Array {
  const body = { inputs: [{ name: 'i', dims: [], type: T.INT64 }, { name: 'c', dims: [], type: T.BOOL }], outputs: ['c2'], nodes: [{ op: 'Identity', inputs: ['c'], outputs: ['c2'] }] };
  const computed: NodeSpec[] = [{ op: 'ReduceMax', inputs: ['x'], outputs: ['mx'], attrs: { keepdims: 0 } }, { op: 'Cast', inputs: ['mx'], outputs: ['M'], attrs: { to: T.INT64 } }];
  return encodeModel({
    opset: 13, inputs: [{ name: 'x', dims: [1] }], outputs: ['y'],
    nodes: [...(trip === null ? computed : []), { op: 'Loop', inputs: ['M', 'cond'], outputs: [], name: 'forever', attrs: { body: { g: body } } }, { op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    inits: [{ name: 'cond', dims: [], type: T.BOOL, values: [1] }, ...(trip === null ? [] : [{ name: 'M', dims: [], type: T.INT64, values: [trip] }])],
  });
}

function externalModel(location: string): Buffer {
  return Buffer.from(onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dims: [4], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: location }] }],
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } } }],
    },
  }).finish());
}

const aliasBomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n') + '\n';

const spaceWith = (edit: (t: string) => string) => edit(SPACE);
/** Every sample far beyond the activation limit: wide channels at a high resolution. */
const hugeSpace = spaceWith((t) => t.replace('resolution: [192]', 'resolution: [192, 4096]').replace('channels: 384', 'channels: [384, 8192]'));

// ---------------------------------------------------------------------------------------------------------
// The table

type Case = [kind: string, name: string, run: () => Promise<Outcome> | Outcome, message: RegExp, code?: number];

const cfg = (name: string, text: string) => () => cli(['stats', file(`configs/${name}.yaml`, text)]);
const cfgPath = (p: () => string) => () => cli(['stats', p()]);
const check = (args: string[]) => cli(['check', file('cand.yaml', ARCH), '--accuracy', '70', ...args]);
const store = (name: string, text: string, cmd = 'check') => () =>
  cmd === 'check' ? check(['--frontier', file(`stores/${name}.json`, text)]) : cli([cmd, '--frontier', file(`stores/${name}.json`, text)]);
const storePath = (p: () => string) => () => check(['--frontier', p()]);
const space = (name: string, text: string) => () => cli(['profile', file(`spaces/${name}.yaml`, text)]);
const spacePath = (p: () => string) => () => cli(['profile', p()]);
const withMetrics = (args: string[]) => cli(['check', file('cand.yaml', ARCH), '--frontier', path.join(dir, 'store.json'), ...args]);
const metrics = (name: string, text: string, key = 'eval.top1') => () => withMetrics(['--metrics', file(`metrics/${name}.json`, text), '--metrics-key', key]);
const metricsPath = (p: () => string) => () => withMetrics(['--metrics', p(), '--metrics-key', 'eval.top1']);
const table = (name: string, text: string) => () => cli(['lacs', file('base.yaml', ARCH), '--accuracy', file(`tables/${name}.yaml`, text)]);
const tablePath = (p: () => string) => () => cli(['lacs', file('base.yaml', ARCH), '--accuracy', p()]);
const model = (name: string, bytes: Uint8Array | string) => () => cli(['measure', file(`models/${name}.onnx`, bytes), '--quiet'], REAL);

function inputs(extra: Record<string, string>) {
  const all: Record<string, string> = { 'github-token': 't', ...extra };
  return () => sync(() => parseActionInputs((name) => all[name] ?? ''));
}
function event(p: () => string) {
  return () => sync(() => readEventContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: p(), GITHUB_REPOSITORY: 'o/r', GITHUB_WORKSPACE: dir }));
}
const eventText = (name: string, text: string) => event(() => file(`events/${name}.json`, text));
const artifact = (p: () => string) => () => sync(() => readPublishableReport(p(), dir));
const artifactText = (name: string, text: string) => artifact(() => file(`artifacts/${name}.json`, text));

const CASES: Case[] = [
  // Configs
  ['config', '/dev/zero', cfgPath(special.zero), /config: "\/dev\/zero" is a character device; expected a regular file/],
  ['config', 'a folder', cfgPath(special.folder), /config: ".*folder" is a folder; expected a regular file/],
  ['config', 'a FIFO', cfgPath(special.fifo), /config: ".*fifo" is a FIFO \(named pipe\); expected a regular file/],
  ['config', 'a missing file', cfgPath(special.missing), /config .*does-not-exist: no such file/],
  ['config', 'a 2 MB file', () => cli(['stats', file('configs/big.yaml', ARCH, 2 * 1024 * 1024)]), /big\.yaml:1:1: the file is 2097152 bytes; allowed: at most 1048576 bytes \(limit maxFileBytes\)/],
  ['config', '/proc/self/environ', cfgPath(() => '/proc/self/environ'), /\/proc\/self\/environ:1:1: the top level is a single value/],
  ['config', 'an empty file', cfg('empty', ''), /empty\.yaml:1:1: the file is empty/],
  ['config', 'binary garbage', cfg('garbage', '\u0000\u0001\u0002\u00ff\ufffe'), /garbage\.yaml:\d+:\d+: /],
  ['config', 'an alias bomb', cfg('bomb', aliasBomb), /bomb\.yaml:\d+:\d+: .*alias/i],
  ['config', 'deep flow nesting', cfg('deep', 'a: ' + '['.repeat(5000) + ']'.repeat(5000)), /deep\.yaml:1:\d+: flow nesting \(\[ or \{\) is too deep/],
  ['config', '10,000 lines', cfg('lines', '# x\n'.repeat(10_000)), /lines\.yaml:5001:1: the file has more than 5,000 lines/],
  ['config', 'resolution 1e309', cfg('inf', arch((t) => t.replace(/^resolution: .*$/m, 'resolution: 1e309'))), /inf\.yaml:\d+:\d+: resolution: expected an integer, got 1e309 \(a non-finite number\)/],
  ['config', 'a !!binary name', cfg('binary', arch((t) => t.replace(/^name: .*$/m, 'name: !!binary aGVsbG8='))), /binary\.yaml:\d+:\d+: name: .*binary data \(!!binary\)/],
  ['config', 'repeats 1e9', cfg('repeats', withStage0('repeats', '1000000000')), /repeats\.yaml:\d+:\d+: stages\[0\]\.repeats: /],
  ['config', 'depth 1e300', cfg('depth', arch((t) => t.replace(/^depth: .*$/m, 'depth: 1e300').replace(/^resolution:/m, 'depth: 1e300\nresolution:'))), /depth\.yaml:\d+:\d+: .*depth/],
  ['config', 'se 1e6', cfg('se', withStage0('se', '1000000')), /se\.yaml:\d+:\d+: stages\[0\]\.se: /],
  ['config', 'resolution 65536', cfg('res', arch((t) => t.replace(/^resolution: .*$/m, 'resolution: 65536'))), /res\.yaml:\d+:\d+: resolution: /],
  ['config', 'width 1e6 (beyond the limits)', cfg('width', arch((t) => t.replace(/^resolution:/m, 'width: 1000000\nresolution:'))), /width\.yaml:\d+:\d+: width/],
  ['config', 'an unknown key', cfg('unknown', ARCH + 'evil: 1\n'), /unknown\.yaml:\d+:\d+: evil: unknown key "evil"/],
  ['config', 'a duplicate key', cfg('dup', ARCH + 'classes: 10\n'), /dup\.yaml:\d+:\d+: .*appears twice/],
  ['config', 'two documents', cfg('twodocs', ARCH + '---\nname: x\n'), /twodocs\.yaml:\d+:\d+: a second YAML document/],
  ['config', 'tab indentation', cfg('tabs', 'name: x\nstem:\n\tchannels: 3\n'), /tabs\.yaml:\d+:\d+: YAML/],
  ['config', 'negative channels', cfg('negch', withStage0('channels', '-1')), /negch\.yaml:\d+:\d+: stages\[0\]\.channels: /],
  ['config', 'a string for a number', cfg('str', arch((t) => t.replace(/^resolution: .*$/m, 'resolution: "big"'))), /str\.yaml:\d+:\d+: resolution: expected an integer/],
  ['config', '.nan', cfg('nan', arch((t) => t.replace(/^resolution: .*$/m, 'resolution: .nan'))), /nan\.yaml:\d+:\d+: resolution: /],
  ['config', 'a !!js/function tag', cfg('jsfn', arch((t) => t.replace(/^name: .*$/m, 'name: !!js/function "function(){}"'))), /jsfn\.yaml:\d+:\d+: /],
  ['config', 'a 100 KB name', cfg('longname', arch((t) => t.replace(/^name: .*$/m, `name: ${'a'.repeat(100_000)}`))), /longname\.yaml:\d+:\d+: name: /],
  ['config', 'a bidi override in the name', cfg('bidi', arch((t) => t.replace(/^name: .*$/m, 'name: "abc\u202Efdp"'))), /bidi\.yaml:\d+:\d+: name: .*\\u202e/],
  ['config', 'a key with terminal escapes and a bidi override', cfg('esc', ARCH + '"\u001b]0;pwned\u0007\u001b[2J\u202egnp": 1\n'), /esc\.yaml:\d+:1: \\u001b\]0;pwned\\u0007\\u001b\[2J\\u202egnp: unknown key/],
  ['config', 'UTF-16 with a byte order mark', cfg('utf16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ARCH, 'utf16le')]) as never), /utf16\.yaml:1:1: the file is UTF-16 \(little-endian, with a byte order mark\); save it as UTF-8/],
  ['config', 'UTF-16 without a mark', cfg('utf16be', Buffer.from(ARCH, 'utf16le').swap16() as never), /utf16be\.yaml:1:1: the file looks like UTF-16 \(big-endian/],
  ['config', 'CR-only line endings', cfg('cr', ARCH.replace(/\n/g, '\r')), /cr\.yaml:1:1: the file's lines end in CR alone \(classic Mac OS line endings\); save it with LF/],
  ['config', 'bytes that are not UTF-8', cfg('latin1', Buffer.from(ARCH.replace(/^name: .*$/m, 'name: caf\u00e9'), 'latin1') as never), /latin1\.yaml:1:1: the file is not UTF-8 text \(invalid bytes at byte \d+\)/],

  // Stores (check reads it before measuring; record/sweep check the output first)
  ['store', '/dev/zero', storePath(special.zero), /--frontier: "\/dev\/zero" is a character device; expected a regular file/],
  ['store', 'a folder', storePath(special.folder), /--frontier: ".*folder" is a folder/],
  ['store', 'a FIFO', storePath(special.fifo), /--frontier: ".*fifo" is a FIFO/],
  ['store', 'a missing store', storePath(special.missing), /--frontier: no frontier store at/],
  ['store', 'a sparse 65 MB file', () => check(['--frontier', file('stores/huge.json', '', 65 * 1024 * 1024)]), /--frontier: ".*huge\.json" is 65 MiB, over the 64 MiB limit/],
  ['store', 'not JSON', store('notjson', '{"version": 1, "records": ['), /notjson\.json/],
  ['store', 'a JSON list', store('list', '[]'), /list\.json/],
  ['store', 'an unknown version', store('v3', '{"version": 3, "records": []}'), /v3\.json.*unknown frontier store format/],
  ['store', 'records that are not a list', store('recs', '{"version": 1, "records": {}}'), /recs\.json/],
  ['store', 'a record without config', store('nocfg', storeWith((s) => delete s.records[0].config)), /nocfg\.json.*config/],
  ['store', 'a stored config with repeats 1e9', store('rep', storeWith((s) => (s.records[0].config.stages[0].repeats = 1e9))), /rep\.json.*efficientnet-b0.*(repeats|hash)/],
  ['store', 'a stored config with depth 1e300', store('dep', storeWith((s) => (s.records[0].config.depth = 1e300))), /dep\.json.*efficientnet-b0.*(depth|hash)/],
  ['store', 'a stored config with se 1e6', store('se', storeWith((s) => (s.records[0].config.stages[0].se = 1e6))), /se\.json.*efficientnet-b0.*(se|hash)/],
  ['store', 'a stored accuracy of 1e309', store('inf', storeWith((s) => (s.records[0].accuracy.top1 = Infinity))), /inf\.json.*records\[0\] \(efficientnet-b0\)\.accuracy/],
  ['store', 'a record with an unknown field', store('extra', storeWith((s) => (s.records[0].evil = '<img src=x>'))), /extra\.json.*evil/],
  ['store', 'a record that is null', store('nullrec', storeWith((s) => (s.records[0] = null))), /nullrec\.json/],
  ['store', 'record: /dev/zero as store', () => cli(['record', file('cand2.yaml', ARCH), '--accuracy', '70', '--frontier', '/dev/zero']), /--frontier: "\/dev\/zero" is a character device/],
  ['store', 'sweep: a store in a folder that is a file', () => cli(['sweep', '--frontier', path.join(dir, 'regular.txt', 'frontier.json')]), /--frontier: .*regular\.txt/],
  ['store', 'record: a read-only store', () => {
    const p = file('stores/ro.json', STORE_TEXT);
    fs.chmodSync(p, 0o444);
    return cli(['record', file('cand3.yaml', ARCH), '--accuracy', '70', '--frontier', p]);
  }, /--frontier: ".*ro\.json" is read-only \(mode 444\)/],
  ['store', 'record: a read-only folder', () => {
    const d = path.join(dir, 'rodir');
    fs.mkdirSync(d, { recursive: true });
    fs.chmodSync(d, 0o555);
    return cli(['record', file('cand4.yaml', ARCH), '--accuracy', '70', '--frontier', path.join(d, 'frontier.json')]);
  }, /--frontier: .*rodir.* (is read-only|is not writable)/],

  // Search spaces
  ['space', '/dev/zero', spacePath(special.zero), /search space: "\/dev\/zero" is a character device/],
  ['space', 'a folder', spacePath(special.folder), /search space: ".*folder" is a folder/],
  ['space', 'a FIFO', spacePath(special.fifo), /search space: ".*fifo" is a FIFO/],
  ['space', 'a missing file', spacePath(special.missing), /search space: cannot read ".*does-not-exist": no such file/],
  ['space', 'a sparse 2 MB file', () => cli(['profile', file('spaces/big.yaml', '', 2 * 1024 * 1024)]), /search space: .*big\.yaml" is 2 MiB, over the 1 MiB limit/],
  ['space', 'an alias bomb', space('bomb', aliasBomb), /bomb\.yaml:\d+:\d+: .*alias/i],
  ['space', '10,000 lines', space('lines', SPACE + '# x\n'.repeat(10_000)), /lines\.yaml:\d+:1: the file has more than 5,000 lines/],
  ['space', 'deep nesting', space('deep', 'a: ' + '['.repeat(5000)), /deep\.yaml:1:\d+: flow nesting/],
  ['space', 'a !!binary tag', space('binary', SPACE.replace('name: genet', 'name: !!binary aGVsbG8=')), /binary\.yaml:\d+:\d+: YAML .*tag/],
  ['space', 'an unknown tag', space('tag', SPACE.replace('classes: 1000', 'classes: !evil 1000')), /tag\.yaml:\d+:\d+: YAML .*tag/],
  ['space', 'profile: samples beyond the resource limits', () => cli(['profile', file('spaces/huge.yaml', hugeSpace), '--max-macs', '1000']), /search space "genet": a sampled network does not fit: .*resource limit: multiply-adds .* \(maxMacs\).*context 0/],
  ['space', 'search: samples beyond the resource limits', () => cli(['search', file('spaces/huge.yaml', hugeSpace), '--latency-target', '5', '--max-activation-bytes', '1000']), /search space "genet": a sampled network does not fit: .*resource limit.*no sampled network fits the limits/],
  ['space', 'resolution 1e309', space('inf', SPACE.replace('resolution: [192]', 'resolution: [1e309]')), /inf\.yaml:7:14: resolution\[0\]: expected a finite number, got Infinity/],
  ['space', 'not a mapping', space('list', '- 1\n- 2\n'), /list\.yaml:1:1: a search space must be a YAML mapping/],
  ['space', 'an unknown block', space('block', SPACE.replace('block: basic', 'block: evil')), /block\.yaml:\d+:\d+: .*block/],
  ['space', 'an even kernel', space('kernel', SPACE.replace('{block: basic, kernel: 3', '{block: basic, kernel: 4')), /kernel\.yaml:\d+:\d+: .*kernel/],
  ['space', '2 x 6 x 900 x 900 x 6 block choices in 14 KB', space('choices', SPACE.replace('      - {block: basic, kernel: 3, expand: 1, act: relu}\n', `      - {block: basic, kernel: 3, expand: 1, act: relu}\n      - {block: [basic, bottleneck], kernel: [1, 3, 5, 7, 9, 11], expand: [${Array.from({ length: 900 }, (_, i) => 1 + i / 1000).join(', ')}], se: [${Array.from({ length: 900 }, (_, i) => i / 1000).join(', ')}], act: [relu, relu6, swish, hswish, gelu, sigmoid]}\n`)), /choices\.yaml:\d+:\d+: stages\[0\]\.blocks\[1\]: the stage offers 58,320,001 or more block choices .*allowed: at most 256 per stage \(SPACE_LIMITS\.blockChoicesPerStage\)/],
  ['space', '100 width choices', space('widths', SPACE.replace('channels: 48', `channels: [${Array.from({ length: 100 }, (_, i) => 8 * (i + 1)).join(', ')}]`)), /widths\.yaml:\d+:\d+: stages\[0\]\.channels: 100 width choices; allowed: at most 64/],

  // Metrics files
  ['metrics', '/dev/zero', metricsPath(special.zero), /--metrics: "\/dev\/zero" is a character device/],
  ['metrics', 'a folder', metricsPath(special.folder), /--metrics: ".*folder" is a folder/],
  ['metrics', 'a FIFO', metricsPath(special.fifo), /--metrics: ".*fifo" is a FIFO/],
  ['metrics', 'a missing file', metricsPath(special.missing), /--metrics: cannot read ".*does-not-exist": no such file/],
  ['metrics', 'a sparse 17 MB file', () => withMetrics(['--metrics', file('metrics/big.json', '', 17 * 1024 * 1024), '--metrics-key', 'a']), /--metrics: ".*big\.json" is 17 MiB, over the 16 MiB limit/],
  ['metrics', 'not JSON', metrics('notjson', '{"eval": '), /--metrics .*notjson\.json: not valid JSON/],
  ['metrics', 'a missing key', metrics('nokey', '{"eval": {}}'), /nokey\.json.*eval\.top1/],
  ['metrics', 'top-1 as text', metrics('text', '{"eval": {"top1": "high"}}'), /text\.json: key "eval\.top1": expected a number \(top-1 accuracy, e\.g\. 77\.69, 77\.69% or 0\.7769\), got "high"/],
  ['metrics', 'top-1 1e309', metrics('inf', '{"eval": {"top1": 1e309}}'), /inf\.json: key "eval\.top1": expected a number \(top-1 accuracy, e\.g\. 77\.69, 77\.69% or 0\.7769\), got Infinity \(a number too large/],
  ['metrics', 'top-1 -5', metrics('neg', '{"eval": {"top1": -5}}'), /neg\.json: key "eval\.top1": top-1 accuracy must be within 0\.\.100/],
  ['metrics', 'top-1 150', metrics('big150', '{"eval": {"top1": 150}}'), /big150\.json: key "eval\.top1": top-1 accuracy must be within/],
  ['metrics', 'top-1 null', metrics('null', '{"eval": {"top1": null}}'), /null\.json: key "eval\.top1": expected a number/],
  ['metrics', 'a 100 KB string value', metrics('long', JSON.stringify({ eval: { top1: 'x'.repeat(100_000) } })), /long\.json: key "eval\.top1": expected a number \(top-1 accuracy, e\.g\. 77\.69, 77\.69% or 0\.7769\), got "x{60}…"\n?$/],
  ['metrics', '/proc/self/environ', metricsPath(() => '/proc/self/environ'), /--metrics \/proc\/self\/environ: not valid JSON/],
  ['metrics', 'a value nested 100,000 deep', metrics('deep', `{"eval": {"top1": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`), /--metrics .*deep\.json: nested deeper than 64 levels \(at character \d+\); allowed: at most 64/],
  ['metrics', 'a key of 20,000 parts', metrics('parts', '{"eval": {"top1": 70}}', Array(20_000).fill('a').join('.')), /--metrics-key: 39999 characters in 20000 parts; allowed: at most 1000 characters and 64 parts/],
  ['metrics', 'a key that reads a list\'s length', metrics('length', '{"runs": [70, 71]}', 'runs.length'), /length\.json: key "runs\.length": no "length" at "runs" \(it has indexes 0\.\.1\)/],
  ['metrics', 'UTF-16 with a byte order mark', metrics('utf16', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('{"eval": {"top1": 70}}', 'utf16le').swap16()]) as never), /--metrics: ".*utf16\.json": the file is UTF-16 \(big-endian, with a byte order mark\)/],

  // Accuracy tables (lacs --accuracy)
  ['accuracy table', '/dev/zero', tablePath(special.zero), /--accuracy: "\/dev\/zero" is a character device/],
  ['accuracy table', 'a folder', tablePath(special.folder), /--accuracy: ".*folder" is a folder/],
  ['accuracy table', 'a FIFO', tablePath(special.fifo), /--accuracy: ".*fifo" is a FIFO/],
  ['accuracy table', 'a missing file', tablePath(special.missing), /--accuracy: cannot read ".*does-not-exist": no such file/],
  ['accuracy table', 'a sparse 17 MB file', () => cli(['lacs', file('base.yaml', ARCH), '--accuracy', file('tables/big.yaml', '', 17 * 1024 * 1024)]), /--accuracy: ".*big\.yaml" is 17 MiB, over the 16 MiB limit/],
  ['accuracy table', 'an alias bomb', table('bomb', aliasBomb), /bomb\.yaml: /],
  ['accuracy table', 'a scalar', table('scalar', '42\n'), /scalar\.yaml: expected a list .* got 42/],
  ['accuracy table', 'top1 1e309', table('inf', '- {alpha: 1.2, beta: 1.1, gamma: 1.15, top1: 1e309}\n'), /inf\.yaml.*top1: expected a percentage in \(0, 100\], got Infinity/],
  ['accuracy table', 'coefficients of text', table('coef', '- {coefficients: [a, b], top1: 70}\n'), /coef\.yaml.*coefficients: expected \[alpha, beta, gamma\] numbers/],
  ['accuracy table', 'a bad hash', table('hash', '- {hash: "zz<script>", top1: 70}\n'), /hash\.yaml.*hash: expected a hex config hash, got "zz<script>"/],

  ['accuracy table', 'lacs --cache /dev/zero', () => cli(['lacs', file('base.yaml', ARCH), '--cache', '/dev/zero']), /--cache: "\/dev\/zero" is a character device/],
  ['accuracy table', 'lacs --cache not JSON', () => cli(['lacs', file('base.yaml', ARCH), '--cache', file('tables/cache.json', '{')]), /cache\.json: measurement cache is not valid JSON/],

  // .onnx models (measure)
  ['onnx', '/dev/zero as model.onnx', () => {
    const link = path.join(dir, 'models', 'zero.onnx');
    fs.mkdirSync(path.dirname(link), { recursive: true });
    if (!fs.existsSync(link)) fs.symlinkSync('/dev/zero', link);
    return cli(['measure', link, '--quiet'], REAL);
  }, /\.onnx model: ".*zero\.onnx" is a character device; expected a regular file/],
  ['onnx', 'a folder named .onnx', () => cli(['measure', path.join(dir, 'folder.onnx'), '--quiet'], REAL), /folder\.onnx/],
  ['onnx', 'a FIFO named .onnx', () => {
    const p = path.join(dir, 'models', 'pipe.onnx');
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (!fs.existsSync(p)) spawnSync('mkfifo', [p]);
    return cli(['measure', p, '--quiet'], REAL);
  }, /\.onnx model: ".*pipe\.onnx" is a FIFO/],
  ['onnx', 'garbage bytes', model('garbage', Buffer.from('this is not protobuf \u0000\u00ff')), /garbage\.onnx: not an ONNX model/],
  ['onnx', 'an empty file', model('empty', ''), /empty\.onnx: not an ONNX model/],
  ['onnx', 'a 65536x65536 input', model('huge', onnxModel([1, 1, 65536, 65536])), /huge\.onnx: input 'x' of shape \[1, 1, 65536, 65536\] \(float32\) needs 17,179,869,184 bytes, over the limit .* \(maxInputBytes/],
  ['onnx', 'a 12000x12000 input', model('big', onnxModel([1, 3, 12000, 12000])), /big\.onnx: input 'x' of shape \[1, 3, 12000, 12000\].*over the limit/],
  ['onnx', 'a 2^62-element input', model('overflow', onnxModel([2 ** 31, 2 ** 31])), /overflow\.onnx: input 'x' .*over the limit/],
  ['onnx', 'external data outside the folder', model('outside', externalModel('../../etc/passwd')), /outside\.onnx: tensor "w" keeps its data in .*outside the model's folder/],
  ['onnx', 'external data missing', model('ext-missing', externalModel('weights.bin')), /ext-missing\.onnx: tensor "w" needs external data file "weights\.bin", which does not exist/],
  ['onnx', 'a ConstantOfShape to 16 GB (measure)', model('cos16g', bomb('ConstantOfShape')), /cos16g\.onnx: node "bomb" \(ConstantOfShape\): makes tensor "big" of shape \[4, 1024, 1024, 1024\] \(float32\), 17,179,869,184 bytes, over the limit/],
  ['onnx', 'an Expand to 16 GB (stats)', () => cli(['stats', file('models/exp16g.onnx', bomb('Expand'))]), /exp16g\.onnx: node "bomb" \(Expand\): makes tensor "big" of shape \[4, 1024, 1024, 1024\]/],
  ['onnx', 'a Loop of 1e12 iterations', model('loop', loopModel(1e12)), /loop\.onnx: node "forever" \(Loop\): runs its 1-node body 1,000,000,000,000 times/],
  ['onnx', 'a Loop whose trip count is computed at run time', () => cli(['stats', file('models/loopdyn.onnx', loopModel(null))]), /loopdyn\.onnx: node "forever" \(Loop\): its trip count is computed at run time/],
  ['onnx', 'a cyclic graph', () => cli(['stats', file('models/cycle.onnx', encodeModel({ inputs: [{ name: 'x', dims: [1] }], outputs: ['b'], nodes: [{ op: 'Add', inputs: ['x', 'b'], outputs: ['a'], name: 'A' }, { op: 'Relu', inputs: ['a'], outputs: ['b'], name: 'B' }] }))]), /cycle\.onnx: graph: the nodes form a cycle/],
  ['onnx', 'a truncated model', () => cli(['stats', file('models/cut.onnx', Buffer.from(encodeModel(TINY_ONNX)).subarray(0, 60))]), /cut\.onnx: .*truncated protobuf/],
  ['onnx', 'terabyte dims on 16 bytes', () => cli(['stats', file('models/tb.onnx', encodeModel({ ...TINY_ONNX, inits: [{ name: 'w', dims: [1e6, 1e6], values: [1, 2, 3, 4] }] }))]), /tb\.onnx: graph\.initializer\[0\] "w": dims \[1000000, 1000000\] \(float32\) need 4,000,000,000,000 bytes, but raw_data holds 16/],
  ['onnx', 'an opset outside 11..21', () => cli(['stats', file('models/old.onnx', encodeModel({ ...TINY_ONNX, opset: 9 }))]), /old\.onnx: imports ONNX opset 9; supported: 11 to 21/],
  ['onnx', 'external data that is a FIFO', () => {
    const p = path.join(dir, 'models', 'ext.fifo');
    if (!fs.existsSync(p)) spawnSync('mkfifo', [p]);
    return cli(['measure', file('models/ext-fifo.onnx', externalModel('ext.fifo')), '--quiet'], REAL);
  }, /ext-fifo\.onnx: tensor "w" external data "ext\.fifo" is a FIFO/],

  // Flags
  ['flags', 'build without -o', () => cli(['build', path.join(dir, 'ok.yaml')]), /-o\/--output is required/],
  ['flags', 'build -o a folder', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', path.join(dir, 'folder')]), /-o: ".*folder" is a folder; expected a regular file/],
  ['flags', 'build -o a folder path ending in /', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', dir + '/']), /-o: ".*\/" names a folder/],
  ['flags', 'build -o under a file', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', path.join(dir, 'regular.txt', 'm.onnx')]), /-o: .*regular\.txt.* (is a regular file, not a folder|a part of the path is a file)/],
  ['flags', 'build -o /dev/zero', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', '/dev/zero']), /-o: "\/dev\/zero" is a character device/],
  ['flags', 'build -o a read-only file', () => {
    const p = file('ro.onnx', 'x');
    fs.chmodSync(p, 0o444);
    return cli(['build', path.join(dir, 'ok.yaml'), '-o', p]);
  }, /-o: ".*ro\.onnx" is read-only/],
  ['flags', 'build --batch 0', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', path.join(dir, 'm.onnx'), '--batch', '0']), /--batch/],
  ['flags', 'build --batch 1e309', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', path.join(dir, 'm.onnx'), '--batch', '1e309']), /--batch/],
  ['flags', 'build --max-params -1', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', path.join(dir, 'm.onnx'), '--max-params', '-1']), /--max-params/],
  ['flags', 'build --max-activation-bytes 1 (config beyond it)', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', path.join(dir, 'm.onnx'), '--max-activation-bytes', '1']), /maxActivationBytes/],
  ['flags', 'build --precision fp64', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', path.join(dir, 'm.onnx'), '--precision', 'fp64']), /--precision/],
  ['flags', 'an unknown flag', () => cli(['stats', path.join(dir, 'ok.yaml'), '--evil']), /evil/],
  ['flags', 'an unknown command', () => cli(['hack']), /unknown command 'hack'/],
  ['flags', 'check --neighbors 1e9', () => check(['--neighbors', '1e9']), /--neighbors/],
  ['flags', 'check --latency-tolerance 2', () => check(['--latency-tolerance', '2']), /--latency-tolerance/],
  ['flags', 'check --report to a folder', () => check(['--report', path.join(dir, 'folder'), '--frontier', path.join(dir, 'store.json')]), /--report: ".*folder" is a folder/],
  ['flags', 'check --json-report to /dev/zero', () => check(['--json-report', '/dev/zero', '--frontier', path.join(dir, 'store.json')]), /--json-report: "\/dev\/zero" is a character device/],
  ['flags', 'check --accuracy 1e309', () => cli(['check', path.join(dir, 'ok.yaml'), '--accuracy', '1e309', '--frontier', path.join(dir, 'store.json')]), /--accuracy/],
  ['flags', 'lacs --family-dir a file', () => cli(['lacs', file('base.yaml', ARCH), '--family-dir', path.join(dir, 'regular.txt')]), /--family-dir: ".*regular\.txt" is a regular file; expected a folder/],
  ['flags', 'lacs --coefficients-out to a folder', () => cli(['lacs', file('base.yaml', ARCH), '--coefficients-out', path.join(dir, 'folder')]), /--coefficients-out: ".*folder" is a folder/],
  ['flags', 'lacs --report to a folder', () => cli(['lacs', file('base.yaml', ARCH), '--report', path.join(dir, 'folder')]), /--report: ".*folder" is a folder/],
  ['flags', 'search --out a file', () => cli(['search', file('spaces/ok.yaml', SPACE), '--latency-target', '5', '--out', path.join(dir, 'regular.txt')]), /--out: ".*regular\.txt" is a regular file; expected a folder/],
  ['flags', 'profile --out a folder', () => cli(['profile', file('spaces/ok.yaml', SPACE), '--out', path.join(dir, 'folder')]), /--out: ".*folder" is a folder/],
  ['flags', 'check --chart to a folder', () => {
    fs.mkdirSync(path.join(dir, 'charts.svg'), { recursive: true });
    return check(['--chart', path.join(dir, 'charts.svg'), '--frontier', path.join(dir, 'store.json')]);
  }, /--chart: ".*charts\.svg" is a folder; expected a regular file/],
  ['flags', 'report --html to a file', () => cli(['report', '--html', path.join(dir, 'regular.txt'), '--frontier', path.join(dir, 'store.json')]), /--html: ".*regular\.txt" is a regular file; expected a folder/],
  ['flags', 'sweep with a config given', () => cli(['sweep', 'x.yaml']), /takes no configs/],
  ['flags', 'a negative value (--batch -1)', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', path.join(dir, 'm.onnx'), '--batch', '-1']), /--batch: expected an integer >= 1 and <= 4096, got "-1"/],
  ['flags', 'a negative value (--min-effect -5)', () => cli(['profile', file('spaces/ok.yaml', SPACE), '--min-effect', '-5']), /--min-effect: expected a number >= 0 and <= 100, got "-5"/],
  ['flags', 'a value that starts with a dash (-o -x)', () => cli(['build', path.join(dir, 'ok.yaml'), '-o', '-x']), /-o \(--output\) takes a value, and the next argument starts with "-"; write --output=VALUE/],
  ['flags', '101 configs to check', () => cli(['check', ...Array.from({ length: 101 }, (_, i) => `c${i}.yaml`), '--accuracy', '70']), /check: 101 candidate configs; allowed: at most 100 in one check/],
  ['flags', 'report --html of a store with an impossible stored shape', () => cli(['report', '--html', path.join(dir, 'site'), '--frontier', file('stores/shape.json', storeWith((st) => {
    const r = st.records.find((x: { config: { stages: { space_to_depth?: string }[] } }) => x.config.stages.some((g) => g.space_to_depth));
    r.config.resolution = 226;
    r.config_hash = configHash(r.config);
  }))]), /shape\.json: record "efficientnet-x-b0": .*space_to_depth needs an even input size, got 113x113/],

  // Action inputs
  ['action input', 'metrics-file outside the workspace', inputs({ 'metrics-file': '/etc/passwd' }), /input metrics-file: expected a path inside the repository, got "\/etc\/passwd"/],
  ['action input', 'metrics-file with ..', inputs({ 'metrics-file': '../secrets.json' }), /input metrics-file: expected a path inside the repository/],
  ['action input', 'report-path outside the workspace', inputs({ 'report-path': '/tmp/evil.json' }), /input report-path: expected a path inside the repository/],
  ['action input', 'metrics-key without metrics-file', inputs({ 'metrics-key': 'a.b' }), /input metrics-key: set metrics-file too/],
  ['action input', 'an unknown command', inputs({ command: 'rm -rf' }), /input command: /],
  ['action input', 'batch-size 0', inputs({ 'batch-size': '0' }), /input batch-size: /],
  ['action input', 'latency-tolerance text', inputs({ 'latency-tolerance': 'lots' }), /input latency-tolerance: /],
  ['action input', 'a target with shell characters', inputs({ target: '$(curl evil)' }), /input target: expected "auto" or a target key\/label/],
  ['action input', 'frontier-ref with ;', inputs({ 'frontier-ref': 'main;rm' }), /input frontier-ref: /],
  ['action input', 'configs glob from /', inputs({ configs: '/etc/**' }), /input configs: expected a glob inside the repository/],
  ['action input', 'an empty token', () => sync(() => parseActionInputs(() => '')), /input github-token: empty/],
  ['action input', 'comment "maybe"', inputs({ comment: 'maybe' }), /input comment: expected true or false/],
  ['action input', 'output-dir ../..', inputs({ 'output-dir': '../..' }), /input output-dir: expected a path inside the repository/],
  ['action input', 'frontier absolute', inputs({ frontier: '/etc/passwd' }), /input frontier: expected a path inside the repository/],

  // Event payloads
  ['event', '/dev/zero', event(special.zero), /GITHUB_EVENT_PATH: "\/dev\/zero" is a character device/],
  ['event', 'a folder', event(special.folder), /GITHUB_EVENT_PATH: ".*folder" is a folder/],
  ['event', 'a FIFO', event(special.fifo), /GITHUB_EVENT_PATH: ".*fifo" is a FIFO/],
  ['event', 'not JSON', eventText('notjson', '{"pull_request": '), /GITHUB_EVENT_PATH ".*notjson\.json": not valid JSON/],
  ['event', 'JSON null', eventText('null', 'null'), /GITHUB_EVENT_PATH ".*null\.json": the event payload is not a JSON object/],
  ['event', 'a JSON list', eventText('list', '[1, 2]'), /the event payload is not a JSON object/],
  ['event', 'a sparse 17 MB payload', event(() => file('events/big.json', '', 17 * 1024 * 1024)), /GITHUB_EVENT_PATH: ".*big\.json" is 17 MiB, over the 16 MiB limit/],

  // Artifacts (publish's report-path)
  ['artifact', '/dev/zero', artifact(special.zero), /input report-path/],
  ['artifact', 'a folder', artifact(() => 'folder'), /input report-path "folder": ".*folder" is a folder/],
  ['artifact', 'a FIFO', artifact(() => 'fifo'), /input report-path "fifo": ".*fifo" is a FIFO/],
  ['artifact', 'a sparse 9 MB file', artifact(() => path.relative(dir, file('artifacts/big.json', '', 9 * 1024 * 1024))), /is 9 MiB, over the 8 MiB limit/],
  ['artifact', 'not JSON', artifactText('notjson', '{'), /is not a frontier-gate check report: not valid JSON/],
  ['artifact', 'a forged verdict', artifactText('verdict', '{"tool": "frontier-gate", "command": "check", "verdict": "<img src=x>", "candidates": []}'), /\/verdict: must be equal to one of the allowed values .* got "<img src=x>"/],
];

const STACK = /\n\s+at\s|internal error|Array buffer allocation failed|heap out of memory/;

describe('hostile inputs', () => {
  test('the table covers every input kind with at least 100 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    const kinds = new Set(CASES.map((c) => c[0]));
    for (const k of ['config', 'store', 'space', 'metrics', 'accuracy table', 'onnx', 'flags', 'action input', 'event', 'artifact']) expect(kinds).toContain(k);
  });

  test.each(CASES)('%s: %s', async (_kind, _name, run, message, code = 2) => {
    const out = await run();
    expect(out.message).not.toMatch(STACK);
    expect(out.message).toMatch(message);
    expect(out.code).toBe(code);
    // A short message: never a whole file, at most a short excerpt of the offending value.
    expect(out.message.length).toBeLessThan(2500);
  });
});

describe('hostile inputs that could allocate much, in a memory-capped child process', () => {
  const HEAP_MB = 256;
  const PEAK_RSS_MB = 384;
  test('exit 2 with a clear message, no signal, peak RSS bounded', () => {
    const link = path.join(dir, 'heavy', 'zero.onnx');
    fs.mkdirSync(path.dirname(link), { recursive: true });
    if (!fs.existsSync(link)) fs.symlinkSync('/dev/zero', link);
    const heavy: [string[], RegExp][] = [
      [['stats', '/dev/zero'], /config: "\/dev\/zero" is a character device/],
      [['stats', file('heavy/bomb.yaml', aliasBomb)], /bomb\.yaml:\d+:\d+: .*alias/i],
      [['stats', file('heavy/big.yaml', ARCH, 512 * 1024 * 1024)], /big\.yaml:1:1: the file is 536870912 bytes/],
      [['check', file('heavy/c.yaml', ARCH), '--accuracy', '70', '--frontier', '/dev/zero'], /--frontier: "\/dev\/zero" is a character device/],
      [['check', file('heavy/c.yaml', ARCH), '--accuracy', '70', '--frontier', file('heavy/rep.json', storeWith((s) => (s.records[0].config.stages[0].repeats = 1e9)))], /rep\.json.*efficientnet-b0/],
      [['check', file('heavy/c.yaml', ARCH), '--accuracy', '70', '--frontier', file('heavy/se.json', storeWith((s) => (s.records[0].config.stages[0].se = 1e6)))], /se\.json.*efficientnet-b0/],
      [['sweep', '--dry-run', '--frontier', file('heavy/dep.json', storeWith((s) => (s.records[0].config.depth = 1e300)))], /dep\.json.*efficientnet-b0/],
      [['check', file('heavy/c.yaml', ARCH), '--frontier', path.join(dir, 'store.json'), '--metrics', '/dev/zero', '--metrics-key', 'a'], /--metrics: "\/dev\/zero" is a character device/],
      [['profile', '/dev/zero'], /search space: "\/dev\/zero" is a character device/],
      [['profile', file('heavy/bomb-space.yaml', aliasBomb)], /bomb-space\.yaml:\d+:\d+: .*alias/i],
      [['lacs', file('heavy/base.yaml', ARCH), '--accuracy', '/dev/zero'], /--accuracy: "\/dev\/zero" is a character device/],
      [['measure', link], /\.onnx model: ".*zero\.onnx" is a character device/],
      [['measure', file('heavy/huge.onnx', onnxModel([1, 1, 65536, 65536]))], /huge\.onnx: input 'x' of shape \[1, 1, 65536, 65536\].*over the limit/],
      [['measure', file('heavy/big12k.onnx', onnxModel([1, 3, 12000, 12000]))], /big12k\.onnx: input 'x' of shape \[1, 3, 12000, 12000\].*over the limit/],
      [['measure', file('heavy/cos16g.onnx', bomb('ConstantOfShape'))], /cos16g\.onnx: node "bomb" \(ConstantOfShape\): makes tensor "big".*over the limit/],
      [['stats', file('heavy/loop.onnx', loopModel(1e12))], /loop\.onnx: node "forever" \(Loop\): runs its 1-node body/],
      [['build', file('heavy/b.yaml', ARCH), '-o', path.join(dir, 'folder')], /-o: ".*folder" is a folder/],
      [['build', file('heavy/r.yaml', arch((t) => t.replace(/^resolution: .*$/m, 'resolution: 4096'))), '-o', path.join(dir, 'heavy', 'r.onnx'), '--max-activation-bytes', '1000000'], /r\.yaml:\d+:\d+: .*resource limit.*maxActivationBytes/],
    ];
    // The capped child must measure the hostile inputs, not the TypeScript compiler: transpile first.
    const warm = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(__dirname, 'faults.register.js'))}).warmCache(${JSON.stringify(path.join(__dirname, '..', 'src'))})`], { encoding: 'utf8', timeout: 120_000 });
    expect(warm.stderr).toBe('');
    const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, path.join(__dirname, 'hostile.child.js'), JSON.stringify(heavy.map((h) => h[0]))], {
      encoding: 'utf8', timeout: 90_000, maxBuffer: 16 * 1024 * 1024,
    });
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const results = JSON.parse(child.stdout) as { argv: string[]; code: number; message: string; maxRssMb: number }[];
    expect(results).toHaveLength(heavy.length);
    results.forEach((r, i) => {
      expect({ argv: r.argv, code: r.code }).toEqual({ argv: heavy[i][0], code: 2 });
      expect(r.message).not.toMatch(STACK);
      expect(r.message).toMatch(heavy[i][1]);
      expect(r.message.length).toBeLessThan(2500);
    });
    const peak = Math.max(...results.map((r) => r.maxRssMb));
    console.log(`hostile heavy cases: ${results.length} in a child with --max-old-space-size=${HEAP_MB}, peak RSS ${peak.toFixed(0)} MB`);
    expect(peak).toBeLessThan(PEAK_RSS_MB);
  });
});
