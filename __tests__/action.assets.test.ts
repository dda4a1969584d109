import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleCheckPoints } from '../src/bench/report';
import { createOctokit, createRepoApi, type RepoApi } from '../src/github/api';
import { chartAssetPath, chartAssetUrl, chartFilesBesideReport, publishCheckCharts } from '../src/github/assets';
import type { FrontierChartInput } from '../src/report/svg-chart';
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
const opts = (over: Partial<Parameters<typeof publishCheckCharts>[2]> = {}) => ({
  branch: 'frontier-assets', reportPath: path.join(dir, 'out', 'frontier-report.json'), serverUrl: 'https://github.com', repo: REPO, pr: 7, sha: SHA, readOnly: false, ...over,
});

describe('chart assets', () => {
  it('paths and URLs: beside the report, per PR and commit on the branch, pinned to the commit', () => {
    expect(chartFilesBesideReport('/w/r.json', ['a'])).toEqual(['/w/r.chart.svg']);
    expect(chartFilesBesideReport('/w/r.json', ['a', 'b c'])).toEqual(['/w/r.chart-a.svg', '/w/r.chart-b-c.svg']);
    expect(chartAssetPath({ pr: 7, sha: SHA, name: 'mbv2' })).toBe('frontier-gate/pr-7/c0ffee123456-mbv2.svg');
    expect(chartAssetPath({ folder: '/charts/', sha: SHA, name: '../x' })).toBe('charts/commits/c0ffee123456-x.svg');
    expect(chartAssetUrl('https://github.com/', REPO, 'abc', 'a b/c.svg')).toBe('https://github.com/acme/models/raw/abc/a%20b/c.svg');
  });

  it('commits each chart to the assets branch and embeds it by its pinned URL', async () => {
    gh.commit('frontier-assets', { 'README.md': 'charts' });
    const res = await publishCheckCharts(api, [input('cand-a'), input('cand-b')], opts());
    expect(res.warnings).toEqual([]);
    expect(res.charts.map((c) => c.assetPath)).toEqual(['frontier-gate/pr-7/c0ffee123456-cand-a.svg', 'frontier-gate/pr-7/c0ffee123456-cand-b.svg']);
    for (const c of res.charts) {
      const svg = fs.readFileSync(c.file, 'utf8');
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
    const again = await publishCheckCharts(api, [input('cand-a')], opts());
    expect(again.warnings).toEqual([]);
    expect(gh.writes().filter((w) => w.method === 'PUT').slice(-1)[0].body.sha).toBeDefined();
  });

  it('no branch, read-only, missing branch or a forbidden write: files and the chart in words, one warning, never a throw', async () => {
    const none = await publishCheckCharts(api, [input('c')], opts({ branch: '' }));
    expect(none.warnings).toEqual([]);
    expect(none.markdown).toMatch(/^<sub>Top-1 against latency on cpu:\u200b candidate c /);
    expect(fs.existsSync(none.charts[0].file)).toBe(true);
    expect(gh.writes()).toHaveLength(0);

    const ro = await publishCheckCharts(api, [input('c')], opts({ readOnly: true }));
    expect(ro.warnings).toEqual(['chart-branch frontier-assets: not committed, this run makes no write calls; the charts are files beside the report']);
    expect(gh.writes()).toHaveLength(0);

    gh.strictBranches = true;
    const missing = await publishCheckCharts(api, [input('c'), input('d')], opts());
    expect(missing.warnings).toEqual([expect.stringMatching(/^chart-branch frontier-assets: chart not committed: branch "frontier-assets" does not exist/)]);
    expect(missing.charts.every((c) => c.url === undefined)).toBe(true);
    expect(gh.writes().filter((w) => w.method === 'PUT')).toHaveLength(1); // not retried for the second chart

    gh.strictBranches = false;
    gh.readOnly = true;
    const forbidden = await publishCheckCharts(api, [input('c')], opts());
    expect(forbidden.warnings).toEqual([expect.stringMatching(/may not write to frontier-assets \(HTTP 403\)/)]);
  });

  it('untrusted names cannot break out of the comment', async () => {
    const res = await publishCheckCharts(api, [input('x](http://evil) <img src=x> @team')], opts({ branch: '' }));
    expect(res.markdown).not.toMatch(/<img|(?<!\\)\]\(|https?:\/\/|@team/);
  });
});
