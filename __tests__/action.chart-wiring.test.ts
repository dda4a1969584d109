/** The action wires the chart: file beside the report (output chart-svg), commit to chart-branch, image in the comment. */
import * as fs from 'node:fs';
import { serializeStore } from '../src/frontier/store';
import { archYaml, readEvent, referenceStore, scenario, type Scenario } from './action.harness';

const STORE = '.frontier/frontier.json';
const pr = readEvent('pull_request.opened.json');
const BASE_SHA: string = pr.pull_request.base.sha;
const HEAD_SHA: string = pr.pull_request.head.sha;

let s: Scenario | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

async function prScenario(inputs: Record<string, string>): Promise<Scenario> {
  const files = { 'models/wide-resnet.yaml': archYaml('resnet-50', 'wide-resnet') };
  s = await scenario({ event: 'pull_request', payload: pr, workspaceFiles: files, inputs });
  const store = serializeStore(await referenceStore());
  s.gh.commitAs(BASE_SHA, { [STORE]: store });
  s.gh.commitAs(HEAD_SHA, { [STORE]: store, ...files });
  s.gh.prFiles.set(2, Object.keys(files).map((f) => ({ filename: f, status: 'modified' })));
  return s;
}

describe('action: the frontier chart', () => {
  test('with chart-branch: committed there and shown in the comment by its pinned URL', async () => {
    const sc = await prScenario({ 'chart-branch': 'frontier-assets' });
    sc.gh.strictBranches = true;
    sc.gh.commit('frontier-assets', { 'README.md': 'charts' });
    const result = await sc.run();
    expect(result.verdict).toBe('dominated');
    const file = sc.io.outputs['chart-svg'];
    expect(file).toBe(result.reportPath.replace(/\.json$/, '.chart.svg'));
    const svg = fs.readFileSync(file, 'utf8');
    const assetPath = `frontier-gate/pr-2/${HEAD_SHA.slice(0, 12)}-wide-resnet.svg`;
    expect(sc.gh.fileAt('frontier-assets', assetPath)).toBe(svg);
    const body = sc.gh.comments[0].body;
    const url = new RegExp(`!\\[Top-1 against latency[^\\]]*\\]\\((https://github\\.com/[^/]+/[^/]+/raw/[0-9a-f]{40}/${assetPath.replace(/[.]/g, '\\.')})\\)`).exec(body);
    expect(url).not.toBeNull();
    expect(sc.io.summaries[0]).toContain(url![1]);
  });

  test('without chart-branch: the file and the chart in words, no write beside the comment', async () => {
    const sc = await prScenario({});
    const result = await sc.run();
    expect(fs.existsSync(sc.io.outputs['chart-svg'])).toBe(true);
    expect(sc.gh.writes().filter((w) => w.method === 'PUT')).toHaveLength(0);
    expect(sc.gh.comments[0].body).toMatch(/<sub>Top-1 against latency on .*candidate wide-resnet /);
    expect(result.verdict).toBe('dominated');
  });

  test('a missing branch is one warning, and the step is judged on the verdict alone', async () => {
    const sc = await prScenario({ 'chart-branch': 'no-such-branch', 'on-fail': 'comment' });
    sc.gh.strictBranches = true;
    const result = await sc.run();
    expect(result.failing).toBe(true);
    expect(sc.io.annotations.filter((a) => a.level === 'warning' && /chart-branch/.test(a.message)).map((a) => a.message)).toEqual([expect.stringMatching(/branch "no-such-branch" does not exist/)]);
    expect(sc.io.failed).toBeUndefined();
  });

  test('a bad branch name is bad input', async () => {
    const sc = await prScenario({ 'chart-branch': '../x' });
    await expect(sc.run()).rejects.toThrow(/input chart-branch: expected a branch name/);
  });
});
