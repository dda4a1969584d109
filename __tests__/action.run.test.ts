/**
 * The action's orchestration in-process: real webhook payloads, the real Octokit (retry + throttling)
 * talking to a loopback fake GitHub API, the real frontier core; only the measurer is a deterministic
 * fake (latency proportional to MACs). Spawned `node dist/index.js` runs are in action.dist.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStore, serializeStore } from '../src/frontier/store';
import { COMMENT_LIMIT } from '../src/github/comment';
import { archYaml, readEvent, referenceStore, scenario, type Scenario } from './action.harness';
import { configModel } from '../src/frontier/models';

const STORE = '.frontier/frontier.json';
const pr = readEvent('pull_request.opened.json');
const BASE_SHA: string = pr.pull_request.base.sha;
const HEAD_SHA: string = pr.pull_request.head.sha;

let s: Scenario | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

async function prScenario(
  opts: { payload?: unknown; files?: Record<string, string>; changed?: string[]; inputs?: Record<string, string>; storeAtHead?: string; realThrottle?: boolean } = {},
) {
  const files = opts.files ?? { 'models/wide-resnet.yaml': archYaml('resnet-50', 'wide-resnet') };
  s = await scenario({ event: 'pull_request', payload: opts.payload ?? pr, workspaceFiles: files, inputs: opts.inputs, realThrottle: opts.realThrottle });
  const store = serializeStore(await referenceStore());
  s.gh.commitAs(BASE_SHA, { [STORE]: store });
  s.gh.commitAs(HEAD_SHA, { [STORE]: opts.storeAtHead ?? store, ...files });
  s.gh.prFiles.set(2, (opts.changed ?? Object.keys(files)).map((f) => ({ filename: f, status: 'modified' })));
  return s;
}

describe('pull_request: check', () => {
  test('a dominated candidate: comment created, then left alone on an identical re-run, then updated in place on a new head', async () => {
    const sc = await prScenario({ realThrottle: true });
    const first = await sc.run();
    expect(first.command).toBe('check');
    expect(first.verdict).toBe('dominated');
    expect(first.comment).toBe('created');
    expect(sc.gh.comments).toHaveLength(1);
    const body1 = sc.gh.comments[0].body;
    expect(body1).toMatch(/^<!-- frontier-gate:workflow=frontier;target=cpu\/auto;digest=[0-9a-f]{16} -->/);
    expect(body1).toContain('**dominated**');
    expect(body1).toMatch(/wide-resnet.*dominated by \*\*efficientnet-b0\*\*/);

    // Identical re-run (same head, same verdicts): no write call at all.
    const writesBefore = sc.gh.writes().length;
    const second = await sc.run();
    expect(second.comment).toBe('unchanged');
    expect(sc.gh.writes()).toHaveLength(writesBefore);

    // A new push to the PR: the same comment is edited, not a second one posted.
    const sync = readEvent('pull_request.synchronize.json');
    sync.pull_request.head.sha = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    sync.pull_request.base.sha = BASE_SHA;
    fs.writeFileSync(sc.env.GITHUB_EVENT_PATH!, JSON.stringify(sync));
    const third = await sc.run();
    expect(third.comment).toBe('updated');
    expect(sc.gh.comments).toHaveLength(1);
    expect(sc.gh.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(sc.gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  test('the store is read at the PR base commit, and a PR that edits the store is warned and judged against the base', async () => {
    // The PR's own store claims the candidate is on the frontier: it must be ignored.
    const sc = await prScenario({
      changed: ['models/wide-resnet.yaml', STORE],
      storeAtHead: '{"version": 1, "records": []}\n',
    });
    const result = await sc.run();
    const storeReads = sc.gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/contents/${STORE}`));
    expect(storeReads.map((r) => r.query.ref)).toEqual([BASE_SHA]);
    expect(result.verdict).toBe('dominated');
    const warn = sc.io.annotations.find((a) => a.level === 'warning' && a.at?.file === STORE);
    expect(warn?.message).toContain('edits the frontier store');
    expect(sc.gh.comments[0].body).toContain('edits the frontier store');
  });

  test('frontier-ref overrides the base commit', async () => {
    const sc = await prScenario({ inputs: { 'frontier-ref': 'release-1' } });
    sc.gh.branches.set('release-1', BASE_SHA);
    await sc.run();
    const storeReads = sc.gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/contents/${STORE}`));
    expect(storeReads.map((r) => r.query.ref)).toEqual(['release-1']);
  });

  test('outputs, job summary, JSON report and the failed step (on-fail both)', async () => {
    const sc = await prScenario();
    const result = await sc.run();
    expect(sc.io.outputs.verdict).toBe('dominated');
    expect(sc.io.outputs['new-frontier']).toBe('false');
    expect(Number(sc.io.outputs['latency-ms'])).toBeGreaterThan(0);
    // wide-resnet (ResNet-50) is ~10x the MACs of EfficientNet-B0 in the fake measurer.
    expect(Number(sc.io.outputs.ratio)).toBeGreaterThan(5);
    expect(sc.io.outputs['report-json']).toBe(result.reportPath);
    const json = JSON.parse(fs.readFileSync(result.reportPath, 'utf8'));
    expect(json.verdict).toBe('dominated');
    expect(json.store).toEqual({ path: STORE, ref: BASE_SHA });
    expect(json.candidates[0]).toMatchObject({ name: 'wide-resnet', file: 'models/wide-resnet.yaml', verdict: 'dominated', dominated_by: 'efficientnet-b0' });
    expect(sc.io.summaries).toHaveLength(1);
    expect(sc.io.summaries[0]).toContain('**dominated**');
    expect(sc.io.failed).toMatch(/dominated.*wide-resnet is dominated by efficientnet-b0/);
  });

  test('the dominated candidate is annotated at the line of its name in the config', async () => {
    const sc = await prScenario();
    await sc.run();
    const err = sc.io.annotations.find((a) => a.level === 'error');
    const lines = archYaml('resnet-50', 'wide-resnet').split('\n');
    expect(err?.at).toMatchObject({ file: 'models/wide-resnet.yaml', line: lines.findIndex((l) => l.startsWith('name:')) + 1 });
    expect(err?.message).toContain('dominated by efficientnet-b0');
  });

  test('on-fail comment: comments but the step passes', async () => {
    const sc = await prScenario({ inputs: { 'on-fail': 'comment', comment: 'false' } });
    const result = await sc.run();
    expect(result.verdict).toBe('dominated');
    expect(sc.io.failed).toBeUndefined();
    expect(sc.gh.comments).toHaveLength(1);
  });

  test('on-fail fail with comment false: fails the step and posts nothing', async () => {
    const sc = await prScenario({ inputs: { 'on-fail': 'fail', comment: 'false' } });
    const result = await sc.run();
    expect(result.comment).toBe('disabled');
    expect(sc.io.failed).toBeDefined();
    expect(sc.gh.writes()).toHaveLength(0);
  });

  test('a new-frontier candidate passes and says so', async () => {
    const tiny = archYaml('mobilenet-v2', 'slim-net').replace(/^resolution: .*$/m, 'resolution: 96').replace(/^accuracy: .*$/m, 'accuracy: {top1: 75}');
    const sc = await prScenario({ files: { 'models/slim-net.yaml': tiny } });
    const result = await sc.run();
    expect(result.verdict).toBe('new-frontier');
    expect(sc.io.outputs['new-frontier']).toBe('true');
    expect(sc.io.failed).toBeUndefined();
  });

  test('a bad config field is annotated with its file and line; the step fails', async () => {
    const bad = archYaml('resnet-18', 'broken').replace('{block: basic, repeats: 2, channels: 128', '{block: basic, repeats: 2, channels: -5');
    const sc = await prScenario({ files: { 'models/broken.yaml': bad } });
    const result = await sc.run();
    expect(result.verdict).toBe('invalid');
    const err = sc.io.annotations.find((a) => a.level === 'error');
    const line = bad.split('\n').findIndex((l) => l.includes('channels: -5')) + 1;
    expect(err?.at?.file).toBe('models/broken.yaml');
    expect(err?.at?.line).toBe(line);
    expect(err?.message).toMatch(/channels/);
    expect(sc.io.failed).toMatch(/invalid/);
    // The measurer was never called for an invalid config.
    expect(sc.measurer.calls).toHaveLength(0);
  });

  test('only changed files matching the configs glob are checked; none -> skipped, no comment', async () => {
    const sc = await prScenario({ changed: ['README.md'] });
    const result = await sc.run();
    expect(result.verdict).toBe('skipped');
    expect(sc.gh.writes()).toHaveLength(0);
    expect(sc.measurer.calls).toHaveLength(0);
  });

  test('configs missing from the workspace (no checkout) are read at the PR head', async () => {
    const sc = await prScenario();
    fs.rmSync(path.join(sc.workspace, 'models'), { recursive: true });
    const result = await sc.run();
    expect(result.verdict).toBe('dominated');
    expect(sc.gh.requests.some((r) => r.path.endsWith('/contents/models/wide-resnet.yaml') && r.query.ref === HEAD_SHA)).toBe(true);
  });

  test('a config that is a symlink out of the repository is not read', async () => {
    const sc = await prScenario({ files: { 'models/ok.yaml': archYaml('resnet-18', 'ok') }, changed: ['models/ok.yaml', 'models/leak.yaml'] });
    const secret = path.join(sc.workspace, '..', `${path.basename(sc.workspace)}-secret.yaml`);
    fs.writeFileSync(secret, 'name: TOPSECRET\n');
    fs.symlinkSync(secret, path.join(sc.workspace, 'models', 'leak.yaml'));
    try {
      const result = await sc.run();
      expect(result.verdict).toBe('invalid');
      const err = sc.io.annotations.find((a) => a.at?.file === 'models/leak.yaml');
      expect(err?.message).toContain('resolves outside the workspace through a symbolic link');
      expect(JSON.stringify(sc.gh.comments)).not.toContain('TOPSECRET');
      expect(JSON.stringify(sc.io.annotations)).not.toContain('TOPSECRET');
    } finally {
      fs.rmSync(secret);
    }
  });

  test('pull_request_target: configs come from the PR head, not the checked-out base', async () => {
    const headVersion = archYaml('resnet-50', 'wide-resnet');
    const sc = await prScenario({ files: { 'models/wide-resnet.yaml': headVersion } });
    // The workspace holds the base branch's (different) version, as pull_request_target checks out.
    fs.writeFileSync(path.join(sc.workspace, 'models/wide-resnet.yaml'), archYaml('mobilenet-v2', 'wide-resnet'));
    const result = await sc.run({ GITHUB_EVENT_NAME: 'pull_request_target' });
    expect(sc.gh.requests.some((r) => r.path.endsWith('/contents/models/wide-resnet.yaml') && r.query.ref === HEAD_SHA)).toBe(true);
    expect(result.verdict).toBe('dominated');
  });

  test('untrusted names are escaped in the comment', async () => {
    const evil = archYaml('resnet-50', '"<img src=x onerror=alert(1)> @everyone [x](https://evil.example)"');
    const sc = await prScenario({ files: { 'models/evil.yaml': evil } });
    await sc.run();
    const body = sc.gh.comments[0].body;
    expect(body).not.toContain('<img');
    expect(body).not.toMatch(/(^|[^\\])\[x\]\(https/);
    expect(body).not.toMatch(/@everyone/);
  });
});

describe('API resilience', () => {
  test('transient 502s are retried by the retry plugin', async () => {
    const sc = await prScenario();
    sc.gh.failNext = 2;
    const result = await sc.run();
    expect(result.verdict).toBe('dominated');
    expect(sc.gh.requests.filter((r) => r.path.endsWith('/pulls/2/files')).length).toBe(3);
    expect(sc.gh.comments).toHaveLength(1);
  });
});

describe('read-only tokens', () => {
  test('a fork PR makes no write call; the report goes to the summary and the file', async () => {
    const sc = await prScenario({ payload: readEvent('pull_request.opened.fork.json') });
    const result = await sc.run();
    expect(result.readOnly).toBe(true);
    expect(result.comment).toBe('skipped-read-only');
    expect(sc.gh.writes()).toHaveLength(0);
    expect(sc.io.summaries[0]).toContain('**dominated**');
    expect(JSON.parse(fs.readFileSync(result.reportPath, 'utf8')).read_only).toBe(true);
    expect(sc.io.annotations.some((a) => a.level === 'warning' && /fork/.test(a.message))).toBe(true);
  });

  test('a token that turns out read-only (403) stops writing and still reports', async () => {
    const sc = await prScenario();
    sc.gh.readOnly = true;
    const result = await sc.run();
    expect(result.comment).toBe('skipped-read-only');
    expect(sc.gh.writes()).toHaveLength(1); // the one POST that answered 403, no retry
    expect(sc.io.summaries).toHaveLength(1);
  });
});

describe('push to the default branch: record and commit the store', () => {
  function pushPayload(files: string[]) {
    const push = readEvent('push.default-branch.json');
    push.before = '1111111111111111111111111111111111111111';
    push.commits[0].added = files;
    return push;
  }

  async function pushScenario(files: Record<string, string>) {
    const payload = pushPayload(Object.keys(files));
    s = await scenario({ event: 'push', payload, workspaceFiles: files });
    const store = serializeStore(await referenceStore(['efficientnet-b0', 'resnet-18']));
    s.gh.commit('master', { [STORE]: store, ...files });
    return s;
  }

  test('commits with the blob sha as precondition', async () => {
    const sc = await pushScenario({ 'models/slim.yaml': archYaml('mobilenet-v2', 'slim') });
    const before = sc.gh.fileAt('master', STORE)!;
    const result = await sc.run();
    expect(result.command).toBe('record');
    expect(result.commit).toMatchObject({ status: 'committed', attempts: 1, merges: 0 });
    const puts = sc.gh.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0].body.sha).toBe(require('./action.fake-github').blobSha(before));
    expect(puts[0].body.branch).toBe('master');
    const after = parseStore(sc.gh.fileAt('master', STORE)!, 'x');
    expect(after.records.map((r) => r.name).sort()).toEqual(['efficientnet-b0', 'resnet-18', 'slim']);
  });

  test('a 409 conflict is re-read, merged and retried: nothing is lost', async () => {
    const sc = await pushScenario({ 'models/slim.yaml': archYaml('mobilenet-v2', 'slim') });
    // Another writer records resnet-50 between our read and our write.
    const other = serializeStore(await referenceStore(['efficientnet-b0', 'resnet-18', 'resnet-50']));
    let raced = false;
    sc.gh.beforePut = () => {
      if (raced) return;
      raced = true;
      sc.gh.commit('master', { [STORE]: other });
    };
    const result = await sc.run();
    expect(result.commit).toMatchObject({ status: 'committed', attempts: 2, merges: 1 });
    const methods = sc.gh.requests.filter((r) => r.path.endsWith(`/contents/${STORE}`)).map((r) => r.method);
    expect(methods).toEqual(['GET', 'PUT', 'GET', 'PUT']);
    const final = parseStore(sc.gh.fileAt('master', STORE)!, 'x');
    expect(final.records.map((r) => r.name).sort()).toEqual(['efficientnet-b0', 'resnet-18', 'resnet-50', 'slim']);
  });

  test('a push of more than 20 commits asks the compare API which files changed', async () => {
    const files = { 'models/slim.yaml': archYaml('mobilenet-v2', 'slim') };
    const payload = pushPayload([]);
    payload.commits = Array.from({ length: 20 }, (_, i) => ({ ...payload.commits[0], id: `c${i}`, added: [], modified: [] }));
    s = await scenario({ event: 'push', payload, workspaceFiles: files });
    s.gh.commit('master', { [STORE]: serializeStore(await referenceStore(['resnet-18'])), ...files });
    s.gh.compare.set(`${payload.before}...${payload.after}`, ['models/slim.yaml', 'README.md']);
    const result = await s.run();
    expect(s.gh.requests.some((r) => r.path.endsWith(`/compare/${payload.before}...${payload.after}`))).toBe(true);
    expect(result.verdict).toBe('recorded');
    expect(parseStore(s.gh.fileAt('master', STORE)!, 'x').records.map((r) => r.name).sort()).toEqual(['resnet-18', 'slim']);
  });

  test('a push that changes no config records nothing and writes nothing', async () => {
    const sc = await pushScenario({ 'README.md': '# hi\n' });
    const result = await sc.run();
    expect(result.verdict).toBe('skipped');
    expect(sc.gh.writes()).toHaveLength(0);
  });

  test('a push to another branch is skipped', async () => {
    const payload = pushPayload(['models/slim.yaml']);
    payload.ref = 'refs/heads/feature';
    s = await scenario({ event: 'push', payload, workspaceFiles: { 'models/slim.yaml': archYaml('mobilenet-v2', 'slim') } });
    const result = await s.run();
    expect(result.command).toBe('skip');
    expect(s.gh.requests).toHaveLength(0);
  });
});

describe('schedule: sweep', () => {
  test('re-measures the store and commits the new measurements', async () => {
    const sched = readEvent('schedule.json');
    const { MacsMeasurer } = await import('./action.fake-measurer');
    s = await scenario({ event: 'schedule', payload: sched, measurer: new MacsMeasurer(1.3) });
    s.env.GITHUB_REF = 'refs/heads/master';
    const store = serializeStore(await referenceStore(['efficientnet-b0', 'resnet-18']));
    s.gh.commit('master', { [STORE]: store });
    const result = await s.run();
    expect(result.command).toBe('sweep');
    expect(result.commit?.status).toBe('committed');
    const after = parseStore(s.gh.fileAt('master', STORE)!, 'x');
    for (const rec of after.records) {
      const entry = Object.values(rec.targets)[0];
      expect(entry.history.length).toBe(2);
      expect(entry.latest.median_ms).toBeGreaterThan(entry.history[0].median_ms * 1.2);
    }
  });
});

describe('inputs and dispatch', () => {
  test('a bad input is named with its value quoted', async () => {
    s = await scenario({ event: 'pull_request', payload: pr, inputs: { 'batch-size': 'eight' } });
    await expect(s.run()).rejects.toThrow('input batch-size: expected an integer >= 1 and <= 4096, got "eight"');
    await expect(s.run({ 'INPUT_BATCH-SIZE': '1', 'INPUT_ON-FAIL': 'explode' })).rejects.toThrow('input on-fail: expected one of fail | comment | both, got "explode"');
  });

  test('workflow_dispatch with command auto asks for a command; with check it checks the glob', async () => {
    const wd = readEvent('workflow_dispatch.json');
    s = await scenario({ event: 'workflow_dispatch', payload: wd, workspaceFiles: { 'models/wide.yaml': archYaml('resnet-50', 'wide') } });
    await expect(s.run()).rejects.toThrow(/input command: "auto" cannot choose for workflow_dispatch/);
    s.gh.commitAs(s.env.GITHUB_SHA!, { [STORE]: serializeStore(await referenceStore()) });
    const result = await s.run({ INPUT_COMMAND: 'check' });
    expect(result.verdict).toBe('dominated');
    expect(s.gh.writes()).toHaveLength(0); // no PR: nothing to comment on
  });
});

describe('comment size', () => {
  test('a huge report is cut to fit under 65,536 characters and keeps the verdict', async () => {
    const { fitMarkdown, commentBudget } = await import('../src/github/comment');
    const rows = Array.from({ length: 5000 }, (_, i) => `| model-${i} | ${i} ms | 77.0 |`);
    const report = ['Verdict sentence.', '', '| model | latency | top-1 |', '|---|---|---|', ...rows, '', '```mermaid', 'xychart-beta', '```'].join('\n');
    const head = '## frontier-gate\n\n❌ **dominated**\n- x: **dominated** by y';
    const budget = commentBudget({ workflow: 'w', target: 'cpu/auto' });
    const body = fitMarkdown(head, report, budget, 'See the job summary.');
    expect(body.length).toBeLessThanOrEqual(budget);
    expect(budget).toBeLessThan(COMMENT_LIMIT);
    expect(body.startsWith(head)).toBe(true);
    expect(body).toMatch(/… \d+ more rows not shown/);
    expect(body).toContain('| model | latency | top-1 |');
    expect(body).not.toContain('```mermaid'); // a chart is dropped whole, never cut open
    expect(body).toContain('See the job summary.');
  });
});

describe('workflow_dispatch: lacs', () => {
  test('runs LACS for the one base config, writes the family and reports the coefficients', async () => {
    const wd = readEvent('workflow_dispatch.json');
    // Half resolution keeps the grid's shape checks and counts cheap; the fake measurer makes timing free.
    const base = archYaml('efficientnet-b0').replace(/^resolution: .*$/m, 'resolution: 112');
    s = await scenario({ event: 'workflow_dispatch', payload: wd, inputs: { command: 'lacs' }, workspaceFiles: { 'models/b0.yaml': base } });
    // LACS predicts accuracy only from the base's own family: B0..B3 at half their resolutions.
    const { loadArchConfig } = await import('../src/arch/parse');
    const { runRecord } = await import('../src/frontier/record');
    const { emptyStore } = await import('../src/frontier/store');
    const { MacsMeasurer } = await import('./action.fake-measurer');
    const small: Record<string, number> = { 'efficientnet-b0': 112, 'efficientnet-b1': 120, 'efficientnet-b2': 130, 'efficientnet-b3': 150 };
    const family = Object.entries(small).map(([n, r]) => ({ model: configModel({ ...loadArchConfig(path.join(__dirname, '..', 'fixtures', 'archs', `${n}.yaml`)), resolution: r }) }));
    const { store } = await runRecord(emptyStore(), family, { budgetSeconds: 1 }, { measurer: new MacsMeasurer(), now: () => new Date('2026-01-01T00:00:00Z') });
    s.gh.commitAs(s.env.GITHUB_SHA!, { [STORE]: serializeStore(store) });
    const { runAction } = await import('../src/github/run');
    const { createOctokit, createRepoApi } = await import('../src/github/api');
    const { loadArchConfigWithSource } = await import('../src/arch/parse');
    const sc = s;
    const result = await runAction({
      env: sc.env,
      io: sc.io,
      api: (ctx, config) => createRepoApi(createOctokit({ token: config.githubToken, baseUrl: ctx.apiUrl, log: { debug: () => {}, info: () => {}, warning: () => {} }, throttle: false }), ctx.repo),
      createMeasurer: () => sc.measurer,
      loadConfig: (f) => loadArchConfigWithSource(f),
    });
    expect(result.verdict).toBe('lacs');
    const json = JSON.parse(fs.readFileSync(result.reportPath, 'utf8'));
    expect(json.report.chosen).toEqual(expect.objectContaining({ alpha: expect.any(Number), beta: expect.any(Number), gamma: expect.any(Number) }));
    expect(json.report.efficientnet).toEqual(expect.objectContaining({ alpha: 1.2, beta: 1.1, gamma: 1.15 }));
    expect(json.report.family_files.length).toBeGreaterThan(0);
    for (const f of json.report.family_files) expect(fs.existsSync(f)).toBe(true);
    expect(sc.io.summaries[0]).toContain('LACS');
    expect(sc.gh.writes()).toHaveLength(0);
  });
});

describe('workflow_run: publishing a fork PR report', () => {
  /** The check run on the fork PR: no writes, the report (with the comment it would post) is left as a file. */
  async function forkReport(): Promise<string> {
    const sc = await prScenario({ payload: readEvent('pull_request.opened.fork.json') });
    const result = await sc.run();
    expect(sc.gh.writes()).toHaveLength(0);
    const text = fs.readFileSync(result.reportPath, 'utf8');
    await sc.cleanup();
    s = undefined;
    return text;
  }

  async function publishScenario(report: string, pr: { headSha: string; headRepo: string | null }) {
    s = await scenario({ event: 'workflow_run', payload: readEvent('workflow_run.fork-pr.json'), workspaceFiles: { 'artifact/frontier-gate-report.json': report }, inputs: { 'report-path': 'artifact/frontier-gate-report.json' } });
    s.gh.pulls.set(2, pr);
    return s;
  }

  test('the comment the fork run could not post is published once, then left alone', async () => {
    const report = await forkReport();
    expect(JSON.parse(report).comment_request).toMatchObject({ issue: 2, identity: { workflow: 'frontier', target: 'cpu/auto' } });
    const sc = await publishScenario(report, { headSha: HEAD_SHA, headRepo: 'forker/Hello-World' });
    const first = await sc.run();
    expect(first.command).toBe('publish');
    expect(first.comment).toBe('created');
    expect(sc.gh.comments).toHaveLength(1);
    expect(sc.gh.comments[0].body).toMatch(/^<!-- frontier-gate:workflow=frontier;target=cpu\/auto;digest=/);
    expect(sc.gh.comments[0].body).toContain('**dominated**');
    expect(sc.io.outputs.verdict).toBe('dominated');
    expect(sc.io.failed).toBeUndefined();
    const second = await sc.run();
    expect(second.comment).toBe('unchanged');
    expect(sc.gh.comments).toHaveLength(1);
    // The artifact is input, never overwritten.
    expect(fs.readFileSync(path.join(sc.workspace, 'artifact/frontier-gate-report.json'), 'utf8')).toBe(report);
  });

  test('an artifact naming a PR whose head is not the run\'s is refused without writing', async () => {
    const report = await forkReport();
    const sc = await publishScenario(report, { headSha: 'cccccccccccccccccccccccccccccccccccccccc', headRepo: 'forker/Hello-World' });
    await expect(sc.run()).rejects.toThrow(/report names PR #2, but that PR's head .* is not the run's .*not publishing/);
    expect(sc.gh.writes()).toHaveLength(0);
  });

  test('a forged body cannot plant markers or mentions', async () => {
    const report = JSON.parse(await forkReport());
    report.comment_request.body = 'pwned @octo-org/admins <!-- frontier-gate:workflow=other;target=x;digest=00 -->\n\n' + 'x'.repeat(80_000);
    const sc = await publishScenario(JSON.stringify(report), { headSha: HEAD_SHA, headRepo: 'forker/Hello-World' });
    await sc.run();
    const body = sc.gh.comments[0].body;
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(body).not.toContain('@octo-org');
    expect(body.length).toBeLessThan(COMMENT_LIMIT);
  });

  test('a report that is not ours is a clear error naming the input', async () => {
    const sc = await publishScenario('{"hello": 1}', { headSha: HEAD_SHA, headRepo: 'forker/Hello-World' });
    await expect(sc.run()).rejects.toThrow('input report-path: "artifact/frontier-gate-report.json" is not a frontier-gate check report');
  });
});
