/**
 * .onnx models in the action, against the loopback GitHub API: a PR that changes an .onnx file is checked as a
 * candidate against the store at the base commit, a stored .onnx model is never measured from the PR's
 * bytes, a Git LFS pointer gets the message to check out LFS files, pull_request_target (the base checked
 * out) is refused, and a push records the changed file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArchConfig } from '../src/arch/parse';
import { inspectOnnxModel } from '../src/frontier/models';
import { runRecord } from '../src/frontier/record';
import { parseStore, serializeStore, type FrontierStore } from '../src/frontier/store';
import { buildModel } from '../src/onnx/build';
import { MacsMeasurer } from './action.fake-measurer';
import { archYaml, readEvent, referenceStore, scenario, type Scenario } from './action.harness';

const STORE = '.frontier/frontier.json';
const CONFIGS = 'models/**/*.yaml models/**/*.onnx';
const pr = readEvent('pull_request.opened.json');
const BASE_SHA: string = pr.pull_request.base.sha;
const HEAD_SHA: string = pr.pull_request.head.sha;

const NET = (channels: number) => parseArchConfig(`name: net
resolution: 64
classes: 10
stem: {channels: ${channels}, kernel: 3, stride: 2, act: relu}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 2, expand: 4, act: relu}
head: {channels: 64, act: relu}
`, 'net.yaml');

const CARD = `---
model-index:
- name: tiny
  results:
  - dataset: {name: ImageNet-1K, type: imagenet-1k}
    metrics:
    - {type: accuracy, value: 72.5, name: Top 1 Accuracy}
---
`;

let s: Scenario | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

const writeOnnx = (sc: Scenario, rel: string, channels: number, seed = 1) => {
  fs.mkdirSync(path.dirname(path.join(sc.workspace, rel)), { recursive: true });
  fs.writeFileSync(path.join(sc.workspace, rel), buildModel(NET(channels), { seed }));
};

/** The zoo reference store plus .onnx records of the workspace's files as they are now (the base versions). */
async function storeWithOnnx(sc: Scenario, files: string[], accuracy = 50): Promise<FrontierStore> {
  const base = await referenceStore();
  const inputs = files.map((f) => ({ model: inspectOnnxModel(f, { root: sc.workspace }).model, accuracy, accuracySource: 'test' }));
  const { store } = await runRecord(base, inputs, { budgetSeconds: 1 }, { measurer: new MacsMeasurer(), now: () => new Date('2026-01-02T00:00:00Z'), files: { root: sc.workspace } });
  return store;
}

async function prScenario(changed: string[], inputs: Record<string, string> = {}): Promise<Scenario> {
  s = await scenario({ event: 'pull_request', payload: pr, inputs: { configs: CONFIGS, ...inputs }, workspaceFiles: { 'models/README.md': CARD } });
  s.gh.prFiles.set(2, changed.map((f) => ({ filename: f, status: 'modified' })));
  return s;
}

describe('pull_request: a changed .onnx file is a candidate', () => {
  test('judged against the store at the base commit, its previous version left out, accuracy from the card beside it', async () => {
    const sc = await prScenario(['models/tiny.onnx']);
    writeOnnx(sc, 'models/tiny.onnx', 32);
    writeOnnx(sc, 'models/other.onnx', 8);
    const base = await storeWithOnnx(sc, ['models/tiny.onnx', 'models/other.onnx']);
    sc.gh.commitAs(BASE_SHA, { [STORE]: serializeStore(base) });
    sc.gh.commitAs(HEAD_SHA, { [STORE]: serializeStore(base) });
    // The PR's version: a narrower network.
    writeOnnx(sc, 'models/tiny.onnx', 16, 7);
    const result = await sc.run();
    expect(result.command).toBe('check');
    const names = sc.measurer.calls[0].names;
    expect(names[0]).toBe('tiny');
    expect(names.filter((n) => n === 'tiny')).toHaveLength(1);
    const body = sc.gh.comments[0]?.body ?? sc.io.summaries.join('\n');
    expect(body).toMatch(/\| \*\*tiny\*\* \| onnx \| 72\.5 \|/);
    expect(body).toContain('Model: `models/tiny.onnx` (.onnx, opset 17, fp32) · input input [1, 3, 64, 64] NCHW');
    expect(body).toMatch(/top-1 from models\/README\.md:.*\(dataset ImageNet-1K\)/);
    const reads = sc.gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/contents/${STORE}`));
    expect(reads.map((r) => r.query.ref)).toEqual([BASE_SHA]);
  });

  test('a stored .onnx model whose file the PR changed is never measured from the PR\'s bytes', async () => {
    const sc = await prScenario(['models/slim.yaml', 'models/other.onnx'], { configs: 'models/**/*.yaml' });
    writeOnnx(sc, 'models/other.onnx', 8);
    // As accurate as anything: a contender the selection picks.
    const base = await storeWithOnnx(sc, ['models/other.onnx'], 90);
    sc.gh.commitAs(BASE_SHA, { [STORE]: serializeStore(base) });
    fs.writeFileSync(path.join(sc.workspace, 'models/slim.yaml'), archYaml('mobilenet-v2', 'slim'));
    // The PR rewrites the stored model's file (the glob does not make it a candidate).
    writeOnnx(sc, 'models/other.onnx', 8, 99);
    const result = await sc.run();
    expect(result.command).toBe('check');
    expect(sc.measurer.calls.flatMap((c) => c.names)).not.toContain('other');
    expect(sc.io.summaries.join('\n')).toContain('Not measured: other (its file models/other.onnx has other bytes than were recorded; record it again to measure it)');
  });

  test('changed-only false: a model an earlier step exported (in no PR diff) is checked; with the default it is not', async () => {
    const sc = await prScenario(['train/net.py'], { 'changed-only': 'false' });
    sc.gh.commitAs(BASE_SHA, { [STORE]: serializeStore(await referenceStore()) });
    writeOnnx(sc, 'models/tiny.onnx', 16);
    const result = await sc.run();
    expect(result.command).toBe('check');
    expect(sc.measurer.calls[0].names[0]).toBe('tiny');
    const only = await sc.run({ 'INPUT_CHANGED-ONLY': 'true' });
    expect(only.verdict).toBe('skipped');
  });

  test('a Git LFS pointer is an invalid candidate with the message to check out LFS files; nothing is measured', async () => {
    const sc = await prScenario(['models/tiny.onnx']);
    sc.gh.commitAs(BASE_SHA, { [STORE]: serializeStore(await referenceStore()) });
    fs.writeFileSync(path.join(sc.workspace, 'models/tiny.onnx'), 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n');
    const result = await sc.run();
    expect(result.verdict).toBe('invalid');
    const err = sc.io.annotations.find((a) => a.at?.file === 'models/tiny.onnx');
    expect(err?.at?.title).toBe('frontier-gate: invalid .onnx model');
    expect(err?.message).toMatch(/a Git LFS pointer, not the model: check out the LFS files \(actions\/checkout with lfs: true, or git lfs pull\)/);
    expect(sc.measurer.calls).toHaveLength(0);
  });

  test('pull_request_target (the base branch checked out) refuses .onnx candidates rather than judge the base\'s file', async () => {
    const sc = await prScenario(['models/tiny.onnx']);
    sc.gh.commitAs(BASE_SHA, { [STORE]: serializeStore(await referenceStore()) });
    writeOnnx(sc, 'models/tiny.onnx', 16);
    const result = await sc.run({ GITHUB_EVENT_NAME: 'pull_request_target' });
    expect(result.verdict).toBe('invalid');
    expect(sc.io.annotations.find((a) => a.at?.file === 'models/tiny.onnx')?.message).toMatch(/pull_request_target run checks out the base branch/);
    expect(sc.measurer.calls).toHaveLength(0);
  });

  test('an .onnx file missing from the workspace (no checkout) says to check the repository out', async () => {
    const sc = await prScenario(['models/tiny.onnx']);
    sc.gh.commitAs(BASE_SHA, { [STORE]: serializeStore(await referenceStore()) });
    const result = await sc.run();
    expect(result.verdict).toBe('invalid');
    expect(sc.io.annotations.find((a) => a.at?.file === 'models/tiny.onnx')?.message).toMatch(/not in the workspace: .*add actions\/checkout \(with lfs: true for Git LFS files\)/);
  });
});

describe('push: a changed .onnx file is recorded', () => {
  test('the store is committed with the model recorded by path, sha256 and network hash', async () => {
    const push = readEvent('push.default-branch.json');
    push.before = '1111111111111111111111111111111111111111';
    push.commits[0].added = ['models/tiny.onnx'];
    s = await scenario({ event: 'push', payload: push, inputs: { configs: CONFIGS }, workspaceFiles: { 'models/README.md': CARD } });
    writeOnnx(s, 'models/tiny.onnx', 16);
    s.gh.commit('master', { [STORE]: serializeStore(await referenceStore(['resnet-18'])) });
    const result = await s.run();
    expect(result.command).toBe('record');
    expect(result.commit).toMatchObject({ status: 'committed' });
    const after = parseStore(s.gh.fileAt('master', STORE)!, 'x');
    const rec = after.records.find((r) => r.name === 'tiny')!;
    expect(rec).toMatchObject({ provenance: 'onnx', accuracy: { top1: 72.5, dataset: 'ImageNet-1K' }, onnx: { path: 'models/tiny.onnx', network_hash: expect.stringMatching(/^[0-9a-f]{16}$/) } });
    expect(Object.keys(rec.targets)).toEqual(['cpu-actionfake']);
  });
});
