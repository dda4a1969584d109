/** `frontier-gate init`: the first store from a repository's configs, and the workflow it prints. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArchConfig } from '../src/arch/parse';
import { runCheck } from '../src/frontier/check';
import { DEFAULT_INIT_BRANCH, DEFAULT_INIT_CONFIGS, initStore, initWorkflow } from '../src/frontier/init';
import { DEFAULT_STORE_PATH, parseStore, serializeStore } from '../src/frontier/store';
import { MacsMeasurer } from './action.fake-measurer';
import { archYaml, ROOT } from './action.harness';
import { runCommand } from './support/run-command';
import { configModel } from '../src/frontier/models';

const OPTS = { configs: DEFAULT_INIT_CONFIGS, storePath: DEFAULT_STORE_PATH, branch: DEFAULT_INIT_BRANCH };
const cfg = (fixture: string, file = `models/${fixture}.yaml`) => ({ file, config: parseArchConfig(archYaml(fixture), file) });

test('initStore: one record per config, name order, accuracy kept, no measurement yet', () => {
  const r = initStore([cfg('resnet-18'), cfg('mobilenet-v2')], OPTS);
  expect(r.store.records.map((x) => x.name)).toEqual(['mobilenet-v2', 'resnet-18']);
  expect(r.store.records.every((x) => Object.keys(x.targets).length === 0)).toBe(true);
  expect(r.rows.find((x) => x.name === 'mobilenet-v2')!.accuracy).toBeCloseTo(71.878, 2);
  // The store it builds is valid as written.
  expect(parseStore(serializeStore(r.store), 'x').records).toHaveLength(2);
  expect(() => initStore([cfg('resnet-18'), cfg('resnet-18', 'models/copy.yaml')], OPTS)).toThrow(/models\/copy\.yaml and models\/resnet-18\.yaml are both named "resnet-18"/);
  expect(() => initStore([], OPTS)).toThrow(/no architecture config matches/);
});

test('the printed workflow for the defaults is docs/workflows/init.yml (checked by check-workflows)', () => {
  expect(initWorkflow(OPTS)).toBe(fs.readFileSync(path.join(ROOT, 'docs', 'workflows', 'init.yml'), 'utf8'));
  const custom = initWorkflow({ configs: 'nets/*.yaml', storePath: 'data/store.json', branch: 'trunk' });
  expect(custom).toContain("paths: ['nets/*.yaml']");
  expect(custom).toContain('branches: [trunk]');
  expect(custom).toContain('frontier: data/store.json');
});

describe('the command, in a fresh model repository', () => {
  let dir: string;
  let cwd: string;
  beforeEach(() => {
    cwd = process.cwd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-init-'));
    fs.mkdirSync(path.join(dir, 'models', 'mobile'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'models', 'mobile', 'mnv2.yaml'), archYaml('mobilenet-v2'));
    fs.writeFileSync(path.join(dir, 'models', 'r18.yml'), archYaml('resnet-18'));
    fs.writeFileSync(path.join(dir, 'models', 'notes.txt'), 'not a config');
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const deps = { measurer: () => new MacsMeasurer(), now: () => new Date('2026-11-01T00:00:00Z') };
  const init = (argv: string[]) => runCommand('init', [...argv, '--quiet'], deps);

  test('creates the store, prints the workflow; the store gates a candidate right away', async () => {
    const r = await init([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Created .frontier/frontier.json with 2 record(s)');
    expect(r.out).toContain(initWorkflow(OPTS));
    const store = parseStore(fs.readFileSync(path.join(dir, '.frontier', 'frontier.json'), 'utf8'), 's');
    expect(store.records.map((x) => x.name)).toEqual(['mobilenet-v2', 'resnet-18']);
    // Unmeasured records are still contenders: a slower, less accurate candidate is re-measured against them.
    const cand = parseArchConfig(archYaml('resnet-50', 'r50').replace(/^accuracy: .*$/m, 'accuracy: {top1: 60.0, dataset: imagenet-1k, source: t}'), 'c.yaml');
    const checked = await runCheck(store, [{ model: configModel(cand) }], { budgetSeconds: 1 }, { measurer: new MacsMeasurer() });
    expect(checked.verdict).toBe('dominated');
    // A second init does not overwrite the store.
    const again = await init([]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/\.frontier\/frontier\.json exists already/);
  });

  test('--measure records every config on this machine; --workflow-only prints only the workflow', async () => {
    const r = await init(['--measure', '--frontier', 'store.json', '--configs', 'models/**/*.yml']);
    expect(r.code).toBe(0);
    const store = parseStore(fs.readFileSync(path.join(dir, 'store.json'), 'utf8'), 's');
    expect(store.records.map((x) => x.name)).toEqual(['resnet-18']);
    expect(Object.keys(store.records[0].targets)).toHaveLength(1);
    const w = await init(['--workflow-only']);
    expect(w.out.trim()).toBe(initWorkflow(OPTS).trim());
  });

  test('a bad config stops init with its position and writes nothing; no match is a clear error', async () => {
    fs.writeFileSync(path.join(dir, 'models', 'bad.yaml'), archYaml('resnet-18', 'bad').replace(/channels: 64/, 'channels: -64'));
    const r = await init([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: models\/bad\.yaml:\d+:\d+: /);
    expect(fs.existsSync(path.join(dir, '.frontier'))).toBe(false);
    const none = await init(['--configs', 'nets/*.yaml']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no architecture config matches "nets\/\*\.yaml"/);
  });
});
