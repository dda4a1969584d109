/**
 * LACS in the action: a PR that changes a `family: base` config gets the recomputed coefficients and their
 * move in its comment (input lacs-on-base, default true); a push records them into the committed store.
 * Loopback fake GitHub, real Octokit and frontier core, deterministic MACs measurer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import { runRecord } from '../src/frontier/record';
import { applyRecordUpdates } from '../src/frontier/updates';
import { recordWithLacs } from '../src/commands/gate-lacs';
import { emptyStore, parseStore, serializeStore, type FrontierStore } from '../src/frontier/store';
import { parseActionInputs } from '../src/github/inputs';
import { ARCHS, archYaml, readEvent, referenceStore, scenario, type Scenario } from './action.harness';
import { ACTION_FAKE_TARGET, MacsMeasurer } from './action.fake-measurer';
import { configModel } from '../src/frontier/models';

const STORE = '.frontier/frontier.json';
const pr = readEvent('pull_request.opened.json');
const BASE_SHA: string = pr.pull_request.base.sha;
const HEAD_SHA: string = pr.pull_request.head.sha;
const BASE_FILE = 'models/efficientnet-b0.yaml';
/**
 * The PR's edit of the base: another network under the same record name, of the same family as the
 * stored B1..B3 (same blocks, another resolution), so LACS has trained family members to predict from.
 */
const EDITED_BASE = archYaml('efficientnet-b0').replace(/^resolution: 224$/m, 'resolution: 256');
/** An edit of the blocks: a family with no trained members, so LACS can choose nothing. */
const REBLOCKED_BASE = archYaml('efficientnet-b0').replace(/^(\s*- \{?\s*block: mbconv.*?kernel: )3/m, '$15');
/** The base's family and two other models. */
const FAMILY_STORE = ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3', 'mobilenet-v2', 'resnet-18'];

/** A store whose base record carries LACS coefficients, as a push with lacs-on-base would have left it. */
async function storeWithLacs(): Promise<FrontierStore> {
  const configs = FAMILY_STORE.map((n) => ({ model: configModel(loadArchConfig(path.join(ARCHS, `${n}.yaml`))) }));
  const deps = { measurer: new MacsMeasurer(), now: () => new Date('2026-02-01T00:00:00Z'), commit: 'feedbeef0001' };
  const recorded = await runRecord(emptyStore(), configs, { budgetSeconds: 1 }, deps);
  const { updates } = await recordWithLacs(recorded.report, recorded.updates, emptyStore(), configs, { lacs: {} }, deps);
  return applyRecordUpdates(emptyStore(), updates);
}

let s: Scenario | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

async function prScenario(store: FrontierStore, inputs: Record<string, string> = {}, edited = EDITED_BASE) {
  const files = { [BASE_FILE]: edited };
  s = await scenario({ event: 'pull_request', payload: pr, workspaceFiles: files, inputs });
  const text = serializeStore(store);
  s.gh.commitAs(BASE_SHA, { [STORE]: text });
  s.gh.commitAs(HEAD_SHA, { [STORE]: text, ...files });
  s.gh.prFiles.set(2, [{ filename: BASE_FILE, status: 'modified' }]);
  return s;
}

describe('pull_request changing a family: base config', () => {
  test('the comment and the JSON report carry the recomputed coefficients and their move from the stored ones', async () => {
    expect(EDITED_BASE).not.toBe(archYaml('efficientnet-b0'));
    const store = await storeWithLacs();
    const stored = store.records.find((r) => r.name === 'efficientnet-b0')!.lacs![ACTION_FAKE_TARGET.key];
    expect(stored).toBeDefined();
    const sc = await prScenario(store);
    const result = await sc.run();
    expect(result.command).toBe('check');
    expect(sc.gh.comments).toHaveLength(1);
    const body = sc.gh.comments[0].body;
    expect(body).toContain('**LACS** for efficientnet-b0 (`family: base`)');
    expect(body).toMatch(/\| stored with the previous base \(2026-02-01 @ feedbeef0001\) \| /);
    expect(body).toContain('| EfficientNet | 1.2 | 1.1 | 1.15 |');
    expect(body).toContain('LACS does not change the verdict.');
    const json = JSON.parse(fs.readFileSync(result.reportPath, 'utf8'));
    const lacs = json.report.candidates[0].lacs;
    expect(lacs).toMatchObject({ status: 'computed', target_key: ACTION_FAKE_TARGET.key, previous: { chosen: stored.chosen, commit: 'feedbeef0001' } });
    // The measurer behaves as when the coefficients were stored: they hold.
    expect(lacs.changed).toBe(false);
    expect(body).toContain(`coefficients unchanged at **(${stored.chosen.alpha}, ${stored.chosen.beta}, ${stored.chosen.gamma})**`);
    // A check never writes the store.
    expect(sc.gh.writes().filter((w) => w.method === 'PUT')).toHaveLength(0);
  });

  test('a store without LACS entries: the comment says none are stored; lacs-on-base: false leaves LACS out', async () => {
    const store = await referenceStore(FAMILY_STORE);
    const sc = await prScenario(store);
    const result = await sc.run();
    expect(sc.gh.comments[0].body).toContain('none stored for the previous base on this target');
    const verdict = result.verdict;
    await sc.cleanup();

    const off = await prScenario(store, { 'lacs-on-base': 'false' });
    const offResult = await off.run();
    expect(off.gh.comments[0].body).not.toContain('LACS');
    expect(offResult.verdict).toBe(verdict);
  });

  test('an edit of the blocks leaves LACS without trained family members: the comment says "no choice" and the verdict stands', async () => {
    const store = await storeWithLacs();
    const sc = await prScenario(store, {}, REBLOCKED_BASE);
    const result = await sc.run();
    const body = sc.gh.comments[0].body;
    expect(body).toMatch(/\*\*LACS\*\* for efficientnet-b0 \(`family: base`\): no choice, accuracy is unknown: .*family/);
    expect(body).toContain('Nothing is stored. The coefficients stored with the previous base are left as they are.');
    const json = JSON.parse(fs.readFileSync(result.reportPath, 'utf8'));
    expect(json.report.candidates[0].lacs).toMatchObject({ status: 'no-choice', measured_candidates: 0 });
    expect(json.report.candidates[0].lacs.chosen).toBeUndefined();
  });

  test('lacs-on-base must be true or false', () => {
    const read = (v: Record<string, string>) => (name: string) => v[name] ?? '';
    expect(parseActionInputs(read({ 'github-token': 't' })).lacsOnBase).toBe(true);
    expect(parseActionInputs(read({ 'github-token': 't', 'lacs-on-base': 'false' })).lacsOnBase).toBe(false);
    expect(() => parseActionInputs(read({ 'github-token': 't', 'lacs-on-base': 'sometimes' }))).toThrow('input lacs-on-base: expected true or false, got "sometimes"');
  });
});

describe('push to the default branch: record stores the coefficients', () => {
  test('the committed store has the base record\'s LACS entry for this target', async () => {
    const payload = readEvent('push.default-branch.json');
    payload.before = '1111111111111111111111111111111111111111';
    payload.commits[0].added = [BASE_FILE];
    s = await scenario({ event: 'push', payload, workspaceFiles: { [BASE_FILE]: EDITED_BASE } });
    s.gh.commit('master', { [STORE]: serializeStore(await referenceStore(FAMILY_STORE)), [BASE_FILE]: EDITED_BASE });
    const result = await s.run();
    expect(result).toMatchObject({ command: 'record', verdict: 'recorded' });
    expect(result.commit?.status).toBe('committed');
    const after = parseStore(s.gh.fileAt('master', STORE)!, 'after.json');
    const rec = after.records.find((r) => r.name === 'efficientnet-b0')!;
    const entry = rec.lacs![ACTION_FAKE_TARGET.key];
    expect(entry).toMatchObject({ base_config_hash: rec.config_hash, efficientnet: { alpha: 1.2, beta: 1.1, gamma: 1.15 }, commit: s.env.GITHUB_SHA });
    expect(after.records.filter((r) => r.lacs).map((r) => r.name)).toEqual(['efficientnet-b0']);
    expect(s.io.summaries[0]).toContain('Stored with efficientnet-b0 for this target');
  });
});
