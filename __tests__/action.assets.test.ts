import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleCheckPoints } from '../src/bench/report';
import { createOctokit, createRepoApi, type RepoApi } from '../src/github/api';
import { chartFiles } from '../src/commands/chart-files';
import { chartAssetPath, chartAssetUrl, chartFileBesideReport, publishCheckCharts } from '../src/github/assets';
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
const opts = (over: Partial<Parameters<typeof publishCheckCharts>[3]> = {}) => ({
  branch: 'frontier-assets', serverUrl: 'https://github.com', repo: REPO, pr: 7, sha: SHA, readOnly: false, ...over,
});

/** The charts as the check command writes them beside the report (--chart), then published. */
async function publish(inputs: FrontierChartInput[], over: Partial<Parameters<typeof publishCheckCharts>[3]> = {}) {
  const names = inputs.map((i) => i.points.find((p) => p.role === 'candidate')!.name);
  const files = chartFiles(chartFileBesideReport(path.join(dir, 'out', 'frontier-report.json')), names);
  fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
  for (const [i, f] of files.entries()) fs.writeFileSync(f, await renderFrontierSvg(inputs[i]));
  return publishCheckCharts(api, inputs, files, opts(over));
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
    const again = await publish([input('cand-a')]);
    expect(again.warnings).toEqual([]);
    expect(gh.writes().filter((w) => w.method === 'PUT').slice(-1)[0].body.sha).toBeDefined();
  });

  it('no branch, read-only, missing branch or a forbidden write: files and the chart in words, one warning, never a throw', async () => {
    const none = await publish([input('c')], { branch: '' });
    expect(none.warnings).toEqual([]);
    expect(none.markdown).toMatch(/^<sub>Top-1 against latency on cpu:\u200b candidate c /);
    expect(fs.existsSync(none.charts[0].file)).toBe(true);
    expect(gh.writes()).toHaveLength(0);

    const ro = await publish([input('c')], { readOnly: true });
    expect(ro.warnings).toEqual(['chart-branch frontier-assets: not committed, this run makes no write calls; the charts are files beside the report']);
    expect(gh.writes()).toHaveLength(0);

    gh.strictBranches = true;
    const missing = await publish([input('c'), input('d')]);
    expect(missing.warnings).toEqual([expect.stringMatching(/^chart-branch frontier-assets: chart not committed: branch "frontier-assets" does not exist/)]);
    expect(missing.charts.every((c) => c.url === undefined)).toBe(true);
    expect(gh.writes().filter((w) => w.method === 'PUT')).toHaveLength(1); // not retried for the second chart

    gh.strictBranches = false;
    gh.readOnly = true;
    const forbidden = await publish([input('c')]);
    expect(forbidden.warnings).toEqual([expect.stringMatching(/may not write to frontier-assets \(HTTP 403\)/)]);
  });

  it('untrusted names cannot break out of the comment', async () => {
    const res = await publish([input('x](http://evil) <img src=x> @team')], { branch: '' });
    expect(res.markdown).not.toMatch(/<img|(?<!\\)\]\(|https?:\/\/|@team/);
  });
});
