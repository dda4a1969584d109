/**
 * The action wires the chart: file beside the report (output chart-svg), committed to chart-branch (created
 * on first use as an orphan branch), an image in the comment and the job summary; where the run cannot
 * write, one line says why; a fork PR's chart is committed by the publish job, rendered from the report's data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeStore } from '../src/frontier/store';
import { renderPublishedCharts, readPublishableReport } from '../src/github/publish';
import { archYaml, readEvent, referenceStore, scenario, type Scenario } from './action.harness';

const STORE = '.frontier/frontier.json';
const pr = readEvent('pull_request.opened.json');
const BASE_SHA: string = pr.pull_request.base.sha;
const HEAD_SHA: string = pr.pull_request.head.sha;
const IMAGE = /!\[Top-1 against latency[^\]]*\]\((https:\/\/github\.com\/[^/]+\/[^/]+\/raw\/([0-9a-f]{40})\/([^)]+))\)/;

let s: Scenario | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

async function prScenario(inputs: Record<string, string>, payload = pr): Promise<Scenario> {
  const files = { 'models/wide-resnet.yaml': archYaml('resnet-50', 'wide-resnet') };
  s = await scenario({ event: 'pull_request', payload, workspaceFiles: files, inputs });
  const store = serializeStore(await referenceStore());
  s.gh.commitAs(BASE_SHA, { [STORE]: store });
  s.gh.commitAs(HEAD_SHA, { [STORE]: store, ...files });
  s.gh.prFiles.set(2, Object.keys(files).map((f) => ({ filename: f, status: 'modified' })));
  return s;
}

describe('action: the frontier chart', () => {
  test('chart-branch (default frontier-assets): the branch is created on the first PR, the comment and the summary show the image', async () => {
    const sc = await prScenario({ 'chart-branch': 'frontier-assets' });
    sc.gh.strictBranches = true;
    sc.gh.commit('master', { 'README.md': 'code' });
    const master = sc.gh.branches.get('master');
    const result = await sc.run();
    expect(result.verdict).toBe('dominated');
    const file = sc.io.outputs['chart-svg'];
    expect(file).toBe(result.reportPath.replace(/\.json$/, '.chart.svg'));
    const svg = fs.readFileSync(file, 'utf8');
    const assetPath = `frontier-gate/pr-2/${HEAD_SHA.slice(0, 12)}-wide-resnet.svg`;
    expect(sc.gh.fileAt('frontier-assets', assetPath)).toBe(svg);
    // An orphan commit holding only the chart; the code's branch did not move.
    const head = sc.gh.branches.get('frontier-assets')!;
    expect(sc.gh.parents.get(head)).toEqual([]);
    expect([...sc.gh.commits.get(head)!.keys()]).toEqual([assetPath]);
    expect(sc.gh.branches.get('master')).toBe(master);
    const image = IMAGE.exec(sc.gh.comments[0].body)!;
    expect(image[2]).toBe(head);
    expect(image[3]).toBe(assetPath);
    expect(sc.io.summaries[0]).toContain(image[1]);
    expect(sc.gh.comments[0].body).not.toMatch(/No chart image/);
  });

  test("chart-branch '': the file and the chart in words, no write beside the comment", async () => {
    const sc = await prScenario({});
    const result = await sc.run();
    expect(fs.existsSync(sc.io.outputs['chart-svg'])).toBe(true);
    expect(sc.gh.writes().filter((w) => w.method !== 'POST' || !w.path.endsWith('/comments'))).toHaveLength(0);
    expect(sc.gh.comments[0].body).toMatch(/<sub>Top-1 against latency on .*candidate wide-resnet /);
    expect(sc.gh.comments[0].body).not.toMatch(/No chart image/);
    expect(result.verdict).toBe('dominated');
  });

  test('a token that may not write contents: the comment says so in one line, one warning, the step judged on the verdict alone', async () => {
    const sc = await prScenario({ 'chart-branch': 'frontier-assets', 'on-fail': 'comment' });
    sc.gh.contentsReadOnly = true;
    const result = await sc.run();
    expect(result.failing).toBe(true);
    expect(sc.io.annotations.filter((a) => a.level === 'warning' && /chart-branch/.test(a.message)).map((a) => a.message)).toEqual([expect.stringMatching(/may not write to frontier-assets \(HTTP 403\); give the job contents: write, or set chart-branch: ''/)]);
    const lines = sc.gh.comments[0].body.split('\n').filter((l) => /No chart image/.test(l));
    expect(lines).toEqual([expect.stringMatching(/^<sub>📈 No chart image: the chart could not be committed to `frontier-assets`: the token may not write/)]);
    expect(sc.io.failed).toBeUndefined();
  });

  test('a fork PR: nothing written, the summary says the publish workflow commits the chart', async () => {
    const sc = await prScenario({ 'chart-branch': 'frontier-assets' }, readEvent('pull_request.opened.fork.json'));
    await sc.run();
    expect(sc.gh.writes()).toHaveLength(0);
    expect(sc.io.summaries[0]).toMatch(/<sub>📈 No chart image: this pull request comes from a fork, whose token cannot write; the publish workflow \(workflow_run\) commits the chart to `frontier-assets`/);
    expect(sc.io.summaries[0]).toMatch(/<sub>Top-1 against latency/);
  });

  test('chart-branch naming the code\'s branch is bad input', async () => {
    for (const branch of ['master', '../x']) {
      const sc = await prScenario({ 'chart-branch': branch });
      await expect(sc.run()).rejects.toThrow(/input chart-branch: /);
      expect(sc.gh.writes()).toHaveLength(0);
      await sc.cleanup();
      s = undefined;
    }
  });

  test('the publish job commits a fork PR\'s chart rendered from the report\'s data, never a file of the fork\'s run', async () => {
    const fork = await prScenario({ 'chart-branch': 'frontier-assets' }, readEvent('pull_request.opened.fork.json'));
    const reportText = fs.readFileSync((await fork.run()).reportPath, 'utf8');
    await fork.cleanup();
    const planted = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    s = await scenario({
      event: 'workflow_run', payload: readEvent('workflow_run.fork-pr.json'),
      workspaceFiles: { 'artifact/frontier-gate-report.json': reportText, 'artifact/frontier-gate-report.chart.svg': planted },
      inputs: { 'report-path': 'artifact/frontier-gate-report.json', 'chart-branch': 'frontier-assets' },
    });
    s.gh.pulls.set(2, { headSha: HEAD_SHA, headRepo: 'forker/Hello-World' });
    const first = await s.run();
    expect(first.comment).toBe('created');
    const image = IMAGE.exec(s.gh.comments[0].body)!;
    const committed = s.gh.fileAt(image[2], decodeURIComponent(image[3]))!;
    const expected = await renderPublishedCharts(readPublishableReport('artifact/frontier-gate-report.json', s.workspace).check!);
    expect(committed).toBe(expected[0].svg);
    expect(committed).not.toContain('<script');
    expect(decodeURIComponent(image[3])).toBe(`frontier-gate/pr-2/${HEAD_SHA.slice(0, 12)}-wide-resnet.svg`);
    expect(s.gh.parents.get(s.gh.branches.get('frontier-assets')!)).toEqual([]);
    // A re-run recommits the same chart, and the comment is left alone.
    const second = await s.run();
    expect(second.comment).toBe('unchanged');
    expect(fs.readFileSync(path.join(s.workspace, 'artifact/frontier-gate-report.chart.svg'), 'utf8')).toBe(planted);
  });
});
