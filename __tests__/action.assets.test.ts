import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleCheckPoints } from '../src/bench/report';
import { createOctokit, createRepoApi, type RepoApi } from '../src/github/api';
import { chartFiles } from '../src/commands/chart-files';
import { chartAssetPath, chartAssetUrl, chartFileBesideReport, maskChartCommits, publishCharts } from '../src/github/assets';
import { renderFrontierSvg, type FrontierChartInput } from '../src/report/svg-chart';
import { FakeGitHub } from './action.fake-github';

const REPO = { owner: 'acme', repo: 'models' };
const SHA = 'c0ffee1234567890c0ffee1234567890c0ffee12';
const quiet = { debug: () => undefined, info: () => undefined, warning: () => undefined };

let gh: FakeGitHub;
let api: RepoApi;
let dir: string;
beforeEach(async () => {
  gh = new FakeGitHub();
  await gh.start();
  api = createRepoApi(createOctokit({ token: 't', baseUrl: gh.url, log: quiet, retryBaseMs: 1, throttle: false }), REPO);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assets-'));
});
afterEach(async () => {
  await gh.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const input = (name: string): FrontierChartInput => ({
  title: `${name}: pass`,
  target: 'cpu',
  points: sampleCheckPoints(4).map((p) => (p.role === 'candidate' ? { ...p, name } : p)),
});
const opts = (over: Partial<Parameters<typeof publishCharts>[2]> = {}) => ({
  branch: 'frontier-assets', serverUrl: 'https://github.com', repo: REPO, pr: 7, sha: SHA, readOnly: false, ...over,
});

/** The charts as the check command writes them beside the report (--chart), then published. */
async function publish(inputs: FrontierChartInput[], over: Partial<Parameters<typeof publishCharts>[2]> = {}) {
  const names = inputs.map((i) => i.points.find((p) => p.role === 'candidate')!.name);
  const files = chartFiles(chartFileBesideReport(path.join(dir, 'out', 'frontier-report.json')), names);
  fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
  for (const [i, f] of files.entries()) fs.writeFileSync(f, await renderFrontierSvg(inputs[i]));
  return publishCharts(api, inputs.map((input, i) => ({ name: names[i], input, svg: fs.readFileSync(files[i], 'utf8'), file: files[i] })), opts(over));
}

describe('chart assets', () => {
  it('paths and URLs: beside the report, per PR and commit on the branch, pinned to the commit', () => {
    expect(chartFiles(chartFileBesideReport('/w/r.json'), ['a'])).toEqual(['/w/r.chart.svg']);
    expect(chartFiles(chartFileBesideReport('/w/r.json'), ['a', 'b'])).toEqual(['/w/r.chart-a.svg', '/w/r.chart-b.svg']);
    expect(chartAssetPath({ pr: 7, sha: SHA, name: 'mbv2' })).toBe('frontier-gate/pr-7/c0ffee123456-mbv2.svg');
    expect(chartAssetPath({ folder: '/charts/', sha: SHA, name: '../x' })).toBe('charts/commits/c0ffee123456-x.svg');
    expect(chartAssetUrl('https://github.com/', REPO, 'abc', 'a b/c.svg')).toBe('https://github.com/acme/models/raw/abc/a%20b/c.svg');
  });

  it('commits each chart to the assets branch and embeds it by its pinned URL', async () => {
    gh.commit('frontier-assets', { 'README.md': 'charts' });
    const res = await publish([input('cand-a'), input('cand-b')]);
    expect(res.warnings).toEqual([]);
    expect(res.charts.map((c) => c.assetPath)).toEqual(['frontier-gate/pr-7/c0ffee123456-cand-a.svg', 'frontier-gate/pr-7/c0ffee123456-cand-b.svg']);
    for (const c of res.charts) {
      const svg = fs.readFileSync(c.file!, 'utf8');
      expect(svg).toMatch(/^<svg/);
      expect(gh.fileAt('frontier-assets', c.assetPath!)).toBe(svg);
      // The URL names the commit that added the file, and that commit holds it.
      const commit = /\/raw\/([0-9a-f]{40})\//.exec(c.url!)![1];
      expect(gh.fileAt(commit, c.assetPath!)).toBe(svg);
      expect(res.markdown).toContain(`](${c.url})`);
    }
    const puts = gh.writes().filter((w) => w.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(puts[0].body.message).toBe('frontier-gate: chart of cand-a at c0ffee123456 (PR #7)');
    // A re-run of the same commit replaces its chart (the stale-sha precondition is met).
    const again = await publish([input('cand-a')]);
    expect(again.warnings).toEqual([]);
    expect(gh.writes().filter((w) => w.method === 'PUT').slice(-1)[0].body.sha).toBeDefined();
  });

  it('a missing branch is created as an orphan commit holding only the chart; no other branch moves', async () => {
    gh.commit('main', { 'models/a.yaml': 'name: a' });
    const mainBefore = gh.branches.get('main');
    const res = await publish([input('cand-a'), input('cand-b')]);
    expect(res.warnings).toEqual([]);
    const head = gh.branches.get('frontier-assets')!;
    expect(gh.branches.get('main')).toBe(mainBefore);
    // The first chart made the branch: a root commit (no parent) with that one file; the second is a normal commit on it.
    const first = /\/raw\/([0-9a-f]{40})\//.exec(res.charts[0].url!)![1];
    expect(gh.parents.get(first)).toEqual([]);
    expect([...gh.commits.get(first)!.keys()]).toEqual(['frontier-gate/pr-7/c0ffee123456-cand-a.svg']);
    expect(gh.parents.get(head)).toEqual([first]);
    expect([...gh.commits.get(head)!.keys()].sort()).toEqual(['frontier-gate/pr-7/c0ffee123456-cand-a.svg', 'frontier-gate/pr-7/c0ffee123456-cand-b.svg']);
    expect(gh.writes().map((w) => `${w.method} ${w.path.replace(/^\/repos\/acme\/models\//, '')}`)).toEqual([
      'POST git/trees', 'POST git/commits', 'POST git/refs', 'PUT contents/frontier-gate/pr-7/c0ffee123456-cand-b.svg',
    ]);
    expect(gh.writes().find((w) => w.path.endsWith('/git/refs'))!.body).toEqual({ ref: 'refs/heads/frontier-assets', sha: first });
  });

  it('a branch another run created meanwhile is committed to, not recreated', async () => {
    // The branch appears between the look-up and the ref creation: 422 "Reference already exists".
    const realStart = gh.requests.length;
    let raced = false;
    gh.beforeRequest = (r) => {
      if (!raced && r.method === 'POST' && r.path.endsWith('/git/refs')) {
        raced = true;
        gh.commit('frontier-assets', { 'frontier-gate/pr-6/other.svg': '<svg/>' });
      }
    };
    const res = await publish([input('c')]);
    expect(res.warnings).toEqual([]);
    expect(gh.fileAt('frontier-assets', 'frontier-gate/pr-6/other.svg')).toBe('<svg/>');
    expect(gh.fileAt('frontier-assets', res.charts[0].assetPath!)).toMatch(/^<svg/);
    expect(gh.requests.slice(realStart).filter((w) => w.method !== 'GET').map((w) => w.method)).toEqual(['POST', 'POST', 'POST', 'PUT']);
  });

  it('no branch, read-only, a fork PR or a forbidden write: files, one line why and the chart in words, one warning, never a throw', async () => {
    const none = await publish([input('c')], { branch: '' });
    expect(none.warnings).toEqual([]);
    expect(none.markdown).toMatch(/^<sub>Top-1 against latency on cpu:\u200b candidate c /);
    expect(fs.existsSync(none.charts[0].file!)).toBe(true);
    expect(gh.writes()).toHaveLength(0);

    const ro = await publish([input('c')], { readOnly: true, readOnlyReason: 'Dependabot runs get a read-only token' });
    expect(ro.warnings).toEqual(['chart-branch frontier-assets: not committed, this run makes no write calls; the charts are files beside the report']);
    expect(ro.markdown.split('\n\n')[0]).toBe('<sub>📈 No chart image: this run makes no write call (Dependabot runs get a read-only token), so the chart was not committed to `frontier-assets`. The chart in words:</sub>');
    const fork = await publish([input('c'), input('d')], { readOnly: true, forkPr: true });
    const lines = fork.markdown.split('\n\n');
    expect(lines[0]).toMatch(/^<sub>📈 No chart image: this pull request comes from a fork, whose token cannot write; the publish workflow \(workflow_run\) commits the chart to `frontier-assets` and shows it in the comment\./);
    expect(lines.slice(1).every((l) => l.startsWith('<sub>Top-1 against latency'))).toBe(true);
    expect(gh.writes()).toHaveLength(0);

    gh.readOnly = true;
    const forbidden = await publish([input('c'), input('d')]);
    expect(forbidden.warnings).toEqual([expect.stringMatching(/may not write to frontier-assets \(HTTP 403\)/)]);
    expect(forbidden.markdown).toMatch(/^<sub>📈 No chart image: the chart could not be committed to `frontier-assets`: the token may not write/);
    expect(gh.writes().filter((w) => w.method !== 'GET')).toHaveLength(1); // not retried for the second chart
  });

  it('a digest ignores which commit a chart URL names', () => {
    const a = `![x](https://github.com/acme/models/raw/${'a'.repeat(40)}/frontier-gate/pr-7/x.svg)`;
    const b = `![x](https://github.com/acme/models/raw/${'b'.repeat(40)}/frontier-gate/pr-7/x.svg)`;
    expect(maskChartCommits(a)).toBe(maskChartCommits(b));
  });

  it('untrusted names cannot break out of the comment', async () => {
    const res = await publish([input('x](http://evil) <img src=x> @team')], { branch: '' });
    expect(res.markdown).not.toMatch(/<img|(?<!\\)\]\(|https?:\/\/|@team/);
  });
});
