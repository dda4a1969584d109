/**
 * Bad configs: every case must give a ConfigError (exit code 2) whose message names file:line:col, the
 * field, and what is allowed (or a hint), with no stack trace in the message.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkResourceLimits, loadArchConfig, parseArchConfig, resolveLimits } from '../src/arch/parse';
import { ConfigError, EXIT, UserError } from '../src/errors';

const FILE = 'bad.yaml';
const BASE_LINES = [
  'name: tiny-net', // 1
  'resolution: 64', // 2
  'classes: 10', // 3
  'stem: {channels: 16, kernel: 3, stride: 2, act: relu}', // 4
  'stages:', // 5
  '  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25, act: swish}', // 6
  '  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6, se: 0.25, act: swish}', // 7
  '  - {block: conv, repeats: 1, channels: 32, kernel: 3, stride: 2, act: relu}', // 8
  'head: {channels: 64, act: relu}', // 9
  'dropout: 0.1', // 10
  'accuracy: {top1: 50.5, dataset: tiny, source: test}', // 11
];
const BASE = BASE_LINES.join('\n') + '\n';

/** The base config with line `n` (1-based) replaced; null deletes it. */
function withLine(n: number, text: string | null): string {
  const lines = [...BASE_LINES];
  if (text === null) lines.splice(n - 1, 1);
  else lines[n - 1] = text;
  return lines.join('\n') + '\n';
}
/** The base with `from` replaced by `to` on line `n`. */
const edit = (n: number, from: string, to: string) => {
  if (!BASE_LINES[n - 1].includes(from)) throw new Error(`test setup: line ${n} has no ${from}`);
  return withLine(n, BASE_LINES[n - 1].replace(from, to));
};

interface Case {
  name: string;
  text: string;
  /** Expected position: the line, and the text whose first occurrence on that line gives the column (or the column). */
  at: [number, string | number];
  /** The field the message names; undefined for whole-file problems. */
  field?: string;
  /** Fragments of what is allowed / the hint. */
  says: (string | RegExp)[];
  limits?: Parameters<typeof parseArchConfig>[2];
}

const aliasBomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
].join('\n');

const cases: Case[] = [
  // YAML itself
  { name: 'unclosed flow mapping', text: edit(4, 'act: relu}', 'act: relu'), at: [5, 1], says: ['YAML syntax error', /closed|indent/] },
  { name: 'duplicate key', text: BASE + 'resolution: 32\n', at: [12, 1], field: 'resolution', says: ['key "resolution" appears twice', 'first at line 2', 'each key once'] },
  { name: 'duplicate key in a stage', text: edit(7, 'act: swish', 'act: swish, act: relu'), at: [7, 'act: relu'], field: 'stages[1].act', says: ['key "act" appears twice'] },
  { name: 'too many lines', text: BASE + '#\n'.repeat(6000), at: [5001, 1], says: ['more than 5,000 lines', 'at most 5,000'] },
  { name: 'too many flow items', text: BASE + 'x: [' + '1,'.repeat(6000) + '1]\n', at: [12, 2 * (5001 - (BASE.split(',').length - 1)) + 4], says: ['more than 5,000 comma-separated items'] },
  { name: 'tab indentation', text: BASE.replace('  - {block: conv', '\t- {block: conv'), at: [8, 1], says: ['YAML syntax error', 'tabs'] },
  { name: 'unknown tag', text: edit(2, '64', '!!python/object 64'), at: [2, '!!python'], says: ['Unresolved tag', 'remove the tag'] },
  { name: 'undefined alias', text: edit(9, 'relu}', '*nothing}'), at: [9, '*nothing'], says: ['alias *nothing has no anchor', 'define &nothing'] },
  { name: 'merge key of a number', text: edit(8, '{block', '{<<: 5, block'), at: [8, '5,'], says: ['merge key (<<) must refer to a mapping', '<<: *anchor'] },
  { name: 'alias bomb', text: aliasBomb + '\n' + BASE, at: [2, '*a'], says: ['alias bomb', 'at most 100 alias expansions'] },
  { name: 'deep flow nesting', text: BASE + 'x: ' + '['.repeat(200) + ']'.repeat(200) + '\n', at: [12, 36], says: ['too deep', 'at most 32 levels'] },
  { name: 'deep block nesting on one line', text: '- '.repeat(100000) + 'x\n', at: [1, 67], says: ['too deep', 'at most 32 levels'] },
  { name: 'deep block nesting by indentation', text: BASE + 'x:\n' + Array.from({ length: 40 }, (_, i) => ' '.repeat(i + 1) + `k${i}:`).join('\n') + ' 1\n', at: [44, 33], says: ['too deep', 'at most 32 levels'] },
  { name: 'list document', text: '- name: a\n- name: b\n', at: [1, 1], says: ['a list', 'expected a mapping'] },
  { name: 'scalar document', text: 'efficientnet-b0\n', at: [1, 1], says: ['a single value', 'expected a mapping'] },
  { name: 'two documents', text: BASE + '---\nname: other\n', at: [12, 1], says: ['second YAML document', 'exactly one document'] },
  { name: 'empty file', text: '# nothing here\n', at: [1, 1], says: ['empty', 'name, resolution'] },
  { name: 'oversized file', text: BASE + '#' + 'x'.repeat(300) + '\n', at: [1, 1], says: ['bytes', 'at most 200 bytes', 'maxFileBytes'], limits: { maxFileBytes: 200 } },
  { name: 'collection as a key', text: BASE + '? [a, b]\n: 1\n', at: [12, 3], says: ['a key is a list', 'plain field names'] },
  // Types
  { name: 'quoted number', text: edit(2, '64', '"64"'), at: [2, '"64"'], field: 'resolution', says: ['expected an integer', 'from 8 to 4096', 'remove the quotes'] },
  { name: 'fractional integer', text: edit(2, '64', '64.5'), at: [2, '64.5'], field: 'resolution', says: ['expected an integer', 'whole number'] },
  { name: 'word for a number', text: edit(3, '10', 'ten'), at: [3, 'ten'], field: 'classes', says: ['expected an integer, got "ten" (a string)', 'from 0 to 100000'] },
  { name: 'non-finite width', text: BASE + 'width: .inf\n', at: [12, '.inf'], field: 'width', says: ['got .inf (a non-finite number)', '> 0 and <= 10'] },
  { name: 'mapping where a list belongs', text: withLine(5, 'stages: {block: mbconv}').replace(/^ {2}- .*\n/gm, ''), at: [5, '{'], field: 'stages', says: ['expected a list, got a mapping', 'one item per line'] },
  { name: 'scalar where a mapping belongs', text: withLine(4, 'stem: 32'), at: [4, '32'], field: 'stem', says: ['expected a mapping (key: value), got 32 (an integer)', 'allowed keys: channels, kernel, stride, act, pool'] },
  { name: 'empty value', text: edit(9, 'act: relu', 'act:'), at: [9, 'act'], field: 'head.act', says: ['expected a string, got nothing', 'relu | relu6 | swish'] },
  // Unknown keys and enums
  { name: 'top-level typo', text: BASE + 'widht: 1.2\n', at: [12, 1], field: 'widht', says: ['unknown key "widht"', 'did you mean "width"', 'allowed keys: name'] },
  { name: 'stage key typo', text: edit(7, 'kernel: 3', 'kernal: 3'), at: [7, 'kernal'], field: 'stages[1].kernal', says: ['did you mean "kernel"', 'allowed keys: block, repeats'] },
  { name: 'unknown stem key', text: edit(4, 'act: relu', 'act: relu, activation: relu'), at: [4, 'activation'], field: 'stem.activation', says: ['unknown key "activation"', 'allowed keys: channels, kernel, stride, act, pool'] },
  { name: 'activation typo', text: edit(6, 'act: swish', 'act: swsh'), at: [6, 'swsh'], field: 'stages[0].act', says: ['did you mean "swish"', 'relu | relu6 | swish | hswish | gelu | sigmoid'] },
  { name: 'block typo', text: edit(7, 'mbconv', 'mbcov'), at: [7, 'mbcov'], field: 'stages[1].block', says: ['did you mean "mbconv"', 'conv | mbconv | fused_mbconv | basic | bottleneck | dw_bottleneck'] },
  { name: 'stem pool', text: edit(4, 'act: relu', 'act: relu, pool: avg'), at: [4, 'avg'], field: 'stem.pool', says: ['none | max'] },
  { name: 'space_to_depth value', text: edit(6, 'act: swish', 'act: swish, space_to_depth: conv2d'), at: [6, 'conv2d'], field: 'stages[0].space_to_depth', says: ['conv | reshape', 'did you mean "conv"'] },
  // Ranges
  { name: 'resolution too small', text: edit(2, '64', '4'), at: [2, '4'], field: 'resolution', says: ['4 is out of range', 'from 8 to 4096'] },
  { name: 'resolution too large', text: edit(2, '64', '5000'), at: [2, '5000'], field: 'resolution', says: ['from 8 to 4096'] },
  { name: 'even kernel', text: edit(7, 'kernel: 3', 'kernel: 4'), at: [7, '4, stride'], field: 'stages[1].kernel', says: ['1 | 3 | 5 | 7 | 9 | 11', 'did you mean 3 or 5', 'odd'] },
  { name: 'kernel too large', text: edit(4, 'kernel: 3', 'kernel: 13'), at: [4, '13'], field: 'stem.kernel', says: ['1 | 3 | 5 | 7 | 9 | 11', 'did you mean 11'] },
  { name: 'stride 3', text: edit(7, 'stride: 2', 'stride: 3'), at: [7, '3, expand'], field: 'stages[1].stride', says: ['allowed: 1 | 2'] },
  { name: 'zero repeats', text: edit(6, 'repeats: 1', 'repeats: 0'), at: [6, '0,'], field: 'stages[0].repeats', says: ['from 1 to 64'] },
  { name: 'too many repeats', text: edit(6, 'repeats: 1', 'repeats: 100'), at: [6, '100'], field: 'stages[0].repeats', says: ['from 1 to 64'] },
  { name: 'zero channels', text: edit(8, 'channels: 32', 'channels: 0'), at: [8, '0,'], field: 'stages[2].channels', says: ['from 1 to 16384'] },
  { name: 'huge channels', text: edit(9, '64', '20000'), at: [9, '20000'], field: 'head.channels', says: ['from 0 to 16384'] },
  { name: 'zero expand', text: edit(7, 'expand: 6', 'expand: 0'), at: [7, '0,'], field: 'stages[1].expand', says: ['> 0 and <= 16'] },
  { name: 'large expand', text: edit(7, 'expand: 6', 'expand: 20'), at: [7, '20'], field: 'stages[1].expand', says: ['> 0 and <= 16'] },
  { name: 'se above 1', text: edit(7, 'se: 0.25', 'se: 1.5'), at: [7, '1.5'], field: 'stages[1].se', says: ['>= 0 and <= 1'] },
  { name: 'zero width', text: BASE + 'width: 0\n', at: [12, '0'], field: 'width', says: ['> 0 and <= 10'] },
  { name: 'depth too large', text: BASE + 'depth: 11\n', at: [12, '11'], field: 'depth', says: ['> 0 and <= 10'] },
  { name: 'zero divisor', text: BASE + 'divisor: 0\n', at: [12, '0'], field: 'divisor', says: ['from 1 to 64'] },
  { name: 'negative classes', text: edit(3, '10', '-1'), at: [3, '-1'], field: 'classes', says: ['from 0 to 100000'] },
  { name: 'dropout 1', text: edit(10, '0.1', '1'), at: [10, '1'], field: 'dropout', says: ['>= 0 and < 1'] },
  { name: 'top1 above 100', text: edit(11, '50.5', '101'), at: [11, '101'], field: 'accuracy.top1', says: ['>= 0 and <= 100'] },
  { name: 'name pattern', text: edit(1, 'tiny-net', 'Tiny Net'), at: [1, 'Tiny'], field: 'name', says: ['^[a-z0-9._-]+$', 'lowercase letters', 'did you mean "tiny-net"'] },
  { name: 'no stages', text: withLine(5, 'stages: []').replace(/^ {2}- .*\n/gm, ''), at: [5, '['], field: 'stages', says: ['has 0 items', '1 to 64 items'] },
  // Missing fields
  { name: 'missing resolution', text: withLine(2, null), at: [1, 1], field: 'resolution', says: ['missing required field "resolution"', 'from 8 to 4096'] },
  { name: 'missing stage act', text: edit(8, ', act: relu', ''), at: [8, '{'], field: 'stages[2].act', says: ['missing required field "act"', 'relu | relu6'] },
  // Meaning
  { name: 'se on a conv block', text: edit(8, 'act: relu', 'act: relu, se: 0.25'), at: [8, '0.25'], field: 'stages[2].se', says: ['no effect on block conv', 'allowed: 0'] },
  { name: 'expand on a conv block', text: edit(8, 'act: relu', 'act: relu, expand: 4'), at: [8, '4}'], field: 'stages[2].expand', says: ['no effect on block conv', 'fused_mbconv'] },
  // Impossible shapes (found by lowering)
  {
    name: 'space_to_depth on an odd size', text: edit(2, '64', '66').replace('expand: 1, se: 0.25, act: swish}', 'expand: 1, se: 0.25, act: swish, space_to_depth: reshape}'),
    at: [6, 'reshape'], field: 'stages[0].space_to_depth', says: ['impossible shape', 'even input size', '33x33'],
  },
  {
    name: 'space_to_batch not dividing', text: edit(7, 'act: swish', 'act: swish, space_to_batch: 3'),
    at: [7, '3}'], field: 'stages[1].space_to_batch', says: ['impossible shape', 'divisible by 3', '32x32'],
  },
  // Resource limits (analytic, before any allocation)
  { name: 'params limit', text: BASE, at: [7, '{'], field: 'stages[1]', says: ['params', 'maxParams', 'exceed the limit 1,000'], limits: { maxParams: 1000 } },
  { name: 'MACs limit', text: BASE, at: [7, '{'], field: 'stages[1]', says: ['multiply-adds', 'maxMacs'], limits: { maxMacs: 1e5 } },
  { name: 'activation limit', text: BASE, at: [2, '64'], field: 'resolution', says: ['peak activation bytes', 'maxActivationBytes'], limits: { maxActivationBytes: 1e4 } },
];

function expectedPosition(text: string, at: Case['at']): string {
  const [line, where] = at;
  const lineText = text.split('\n')[line - 1] ?? '';
  const col = typeof where === 'number' ? where : lineText.indexOf(where) + 1;
  if (col < 1) throw new Error(`test setup: ${JSON.stringify(where)} not on line ${line}: ${lineText}`);
  return `${FILE}:${line}:${col}`;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, got none');
}

describe('bad configs give ConfigError with position, field and what is allowed', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it('the base config is valid', () => {
    expect(parseArchConfig(BASE, FILE).stages).toHaveLength(3);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const err = errorOf(() => parseArchConfig(c.text, FILE, c.limits));
    expect(err).toBeInstanceOf(UserError);
    expect(err.exitCode).toBe(EXIT.BAD_INPUT);
    const firstLine = err.message.split('\n')[0];
    expect(firstLine.slice(0, expectedPosition(c.text, c.at).length + 2)).toBe(`${expectedPosition(c.text, c.at)}: `);
    if (c.field) {
      expect(err.field).toBe(c.field);
      expect(firstLine).toContain(`: ${c.field}: `);
    }
    for (const s of c.says) {
      if (typeof s === 'string') expect(firstLine).toContain(s);
      else expect(firstLine).toMatch(s);
    }
    expect(err.message).not.toMatch(/\n\s+at /);
    if (process.env.SHOW_MESSAGES) console.log(err.message);
  });
});

describe('several problems at once', () => {
  it('lists every problem in file order, first one as the error position', () => {
    const text = edit(6, 'act: swish', 'act: swsh').replace('resolution: 64', 'resolution: "64"') + 'widht: 1\n';
    const err = errorOf(() => parseArchConfig(text, FILE));
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^bad\.yaml:2:13: resolution: /);
    expect(lines[1]).toMatch(/^bad\.yaml:6:\d+: stages\[0\]\.act: /);
    expect(lines[2]).toMatch(/^bad\.yaml:12:1: widht: unknown key/);
  });

  it('a typo does not also report the field it meant as missing', () => {
    const err = errorOf(() => parseArchConfig(edit(7, 'channels: 24', 'chanels: 24'), FILE));
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message).toContain('did you mean "channels"');
  });
});

describe('files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-errors-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('rejects an oversized file before reading it', () => {
    const file = path.join(dir, 'big.yaml');
    fs.writeFileSync(file, BASE + '#'.repeat(4096) + '\n');
    const err = errorOf(() => loadArchConfig(file, { maxFileBytes: 1024 }));
    expect(err.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:1: the file is \\d+ bytes; allowed: at most 1024 bytes`));
  });

  it('names a missing file with exit code 2', () => {
    const file = path.join(dir, 'absent.yaml');
    expect(() => loadArchConfig(file)).toThrow(new UserError(`config ${file}: no such file`));
  });

  it('rejects a directory', () => {
    expect(() => loadArchConfig(dir)).toThrow(/is a folder; expected a regular file/);
  });

  it('reports positions in the file it read', () => {
    const file = path.join(dir, 'typo.yaml');
    fs.writeFileSync(file, edit(6, 'act: swish', 'act: swsh'));
    expect(() => loadArchConfig(file)).toThrow(`${file}:6:`);
  });
});

describe('resource limits', () => {
  const config = parseArchConfig(BASE, FILE);

  it('multiplies MACs and activations by the batch', () => {
    const stats = checkResourceLimits(config, {}, 1);
    const limits = { maxMacs: stats.macs * 10 };
    expect(() => checkResourceLimits(config, limits, 10)).not.toThrow();
    const err = errorOf(() => checkResourceLimits(config, limits, 11));
    expect(err.message).toContain('batch 11');
    // Without a source map the message names the config instead of a position.
    expect(err.message).toMatch(/^tiny-net: stages\[\d\]: resource limit: multiply-adds/);
    const act = { maxActivationBytes: stats.peak_activation_bytes * 4 };
    expect(() => checkResourceLimits(config, act, 4)).not.toThrow();
    expect(() => checkResourceLimits(config, act, 5)).toThrow(/peak activation bytes/);
  });

  it('rejects a bad batch or limit with exit code 2', () => {
    expect(() => checkResourceLimits(config, {}, 0)).toThrow(UserError);
    expect(() => resolveLimits({ maxParams: -1 })).toThrow('maxParams must be a positive number, got -1');
    expect(() => resolveLimits({ maxParms: 1 } as never)).toThrow('unknown limit "maxParms"');
  });

  it('merges user limits over the defaults', () => {
    const merged = resolveLimits({ maxParams: 5 });
    expect(merged.maxParams).toBe(5);
    expect(merged.maxFileBytes).toBe(1024 * 1024);
  });
});

describe('through the CLI', () => {
  it('prints the message only and exits with 2', async () => {
    const { main } = await import('../src/cli');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-cli-'));
    const file = path.join(dir, 'typo.yaml');
    fs.writeFileSync(file, edit(6, 'act: swish', 'act: swsh'));
    const out: string[] = [];
    const err: string[] = [];
    try {
      const code = await main(['stats', file], { out: (t) => out.push(t), err: (t) => err.push(t) });
      expect(code).toBe(EXIT.BAD_INPUT);
      const text = err.join('');
      expect(text).toContain(`${file}:6:`);
      expect(text).toContain('stages[0].act');
      expect(text).toContain('did you mean "swish"');
      expect(text).not.toMatch(/\n\s+at |internal error/);
      expect(out).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
