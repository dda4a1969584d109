/**
 * Store safety: a store is validated before it is written; stored configs meet the limits of configs on
 * disk before anything is built from them; a config without classifier or head goes through
 * record -> check -> sweep.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import { ConfigError, UserError } from '../src/errors';
import type { CliDeps } from '../src/cli';
import { runRecord } from '../src/frontier/record';
import { configHash, emptyStore, parseStore, readStoreFile, serializeStore, type FrontierStore } from '../src/frontier/store';
import { FakeMeasurer } from './frontier.support/fake-measurer';
import { runCommand } from './support/run-command';
import { configModel } from '../src/frontier/models';

const ROOT = path.join(__dirname, '..');
const arch = (n: string) => path.join(ROOT, 'fixtures/archs', `${n}.yaml`);

const FEATURES = `# A feature extractor: no head conv, no classifier.
name: features-only
resolution: 64
classes: 0
stem: {channels: 16, kernel: 3, stride: 2, act: relu}
stages:
  - {block: basic, repeats: 1, channels: 16, kernel: 3, stride: 1, act: relu}
  - {block: basic, repeats: 1, channels: 32, kernel: 3, stride: 2, act: relu}
head: {channels: 0}
accuracy: {top1: 50}
`;

const LATENCY = { 'features-only': 2, 'mobilenet-v2': 20, 'resnet-18': 26 };

function deps(): CliDeps & { fake: FakeMeasurer } {
  const fake = new FakeMeasurer({ latency: LATENCY });
  return { fake, measurer: () => fake, now: () => new Date('2026-04-01T00:00:00.000Z'), commit: () => 'cafe123' };
}

let dir: string;
let store: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontier-safety-'));
  store = path.join(dir, 'frontier.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('a classes: 0, head channels: 0 config goes through record -> check -> sweep', async () => {
  const file = path.join(dir, 'features.yaml');
  fs.writeFileSync(file, FEATURES);
  const rec = await runCommand('record', [file, arch('mobilenet-v2'), '--frontier', store, '--budget', '1', '--quiet'], deps());
  expect(rec).toMatchObject({ code: 0, err: '' });
  const stored = readStoreFile(store).records.find((r) => r.name === 'features-only')!;
  expect(stored.config).toMatchObject({ classes: 0, head: { channels: 0 } });

  const check = await runCommand('check', [file, '--frontier', store, '--budget', '1', '--json', '--quiet'], deps());
  expect(check.err).toBe('');
  expect(check.code).toBe(0);
  expect(JSON.parse(check.out).candidates[0]).toMatchObject({ name: 'features-only', verdict: expect.stringMatching(/pass|new-frontier/) });

  const sweep = await runCommand('sweep', ['--frontier', store, '--budget', '1', '--json', '--quiet'], deps());
  expect(sweep).toMatchObject({ code: 0, err: '' });
  expect(JSON.parse(sweep.out).rows.map((r: { name: string }) => r.name).sort()).toEqual(['features-only', 'mobilenet-v2']);
  // The store a later command reads is the store that was written.
  expect(() => readStoreFile(store)).not.toThrow();
});

describe('stored configs meet the limits of configs on disk, before anything is built', () => {
  const edits: [string, (c: Record<string, unknown> & { stages: Record<string, unknown>[] }) => void, RegExp][] = [
    ['repeats: 1e9', (c) => (c.stages[0].repeats = 1e9), /records\[\d\] \(resnet-18\)\.config\.stages\[0\]\.repeats: must be <= 64/],
    ['depth: 1e300', (c) => (c.depth = 1e300), /records\[\d\] \(resnet-18\)\.config\.depth: must be <= 10/],
    ['se: 1e6', (c) => (c.stages[1].se = 1e6), /records\[\d\] \(resnet-18\)\.config\.stages\[1\]\.se: must be <= 1/],
    ['expand on a conv block', (c) => Object.assign(c.stages[0], { block: 'conv', expand: 4 }), /records\[\d\] \(resnet-18\)\.config\.stages\[0\]\.expand: 4 has no effect on block conv/],
  ];

  it.each(edits)('%s: check and sweep exit 2 naming the store and the record; nothing is measured', async (_name, edit, message) => {
    const rec = await runCommand('record', [arch('resnet-18'), arch('mobilenet-v2'), '--frontier', store, '--budget', '1', '--quiet'], deps());
    expect(rec.code).toBe(0);
    const data = JSON.parse(fs.readFileSync(store, 'utf8'));
    const r18 = data.records.find((r: { name: string }) => r.name === 'resnet-18');
    edit(r18.config);
    r18.config_hash = configHash(r18.config); // a consistent hand edit: only the limits can refuse it
    fs.writeFileSync(store, JSON.stringify(data));
    for (const cmd of ['check', 'sweep']) {
      const d = deps();
      const args = cmd === 'check' ? [arch('mobilenet-v2'), '--frontier', store, '--budget', '1', '--quiet'] : ['--frontier', store, '--budget', '1', '--quiet'];
      const out = await runCommand(cmd, args, d);
      expect(out.code).toBe(2);
      expect(out.err).toContain(store);
      expect(out.err).toMatch(message);
      expect(out.err).not.toMatch(/\n\s+at /);
      expect(d.fake.calls).toHaveLength(0);
    }
  });
});

describe('a store is validated before it is written', () => {
  it('serializeStore refuses a store its next read would refuse, naming the file', () => {
    const s: FrontierStore = parseStore(serializeStore(emptyStore()), 'x.json');
    const config = loadArchConfig(arch('resnet-18'));
    const { accuracy: _a, ...stored } = config;
    s.records.push({ name: 'resnet-18', provenance: 'config', accuracy: null, config_hash: configHash(stored), config: { ...stored, depth: 1e300 }, targets: {} });
    expect(() => serializeStore(s, 'store.json')).toThrow(UserError);
    expect(() => serializeStore(s, 'store.json')).toThrow(/^store\.json: invalid frontier store: records\[0\] \(resnet-18\)\.config\.depth: must be <= 10; nothing was written$/);
  });

  it('record refuses a record the store would refuse before measuring, at file:line:col of the config', async () => {
    const file = arch('mobilenet-v2');
    const config = { ...loadArchConfig(file), classes: -1 };
    const fake = new FakeMeasurer({ latency: LATENCY });
    let error: unknown;
    try {
      await runRecord(emptyStore(), [{ model: configModel(config), file }], { budgetSeconds: 1 }, { measurer: fake });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('classes:')) + 1;
    expect((error as Error).message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:${line}:10: classes: must be >= 0; the frontier store would refuse this record, so nothing was measured$`));
    expect(fake.calls).toHaveLength(0);
  });
});
