/**
 * Forged artifacts and comments against the loopback GitHub API: the publish job renders the comment from
 * validated data only, never takes identity/digest/body from the artifact, refuses unknown head
 * repositories and commits, and only edits comments authored by the token's own login.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../src/errors';
import { serializeStore } from '../src/frontier/store';
import { COMMENT_LIMIT, marker } from '../src/github/comment';
import { sanitizeMarkdown, escapeMarkdown, neutraliseHtmlComments } from '../src/report/escape';
import { archYaml, readEvent, referenceStore, scenario, type Scenario } from './action.harness';

const STORE = '.frontier/frontier.json';
const forkPr = readEvent('pull_request.opened.fork.json');
const BASE_SHA: string = forkPr.pull_request.base.sha;
const HEAD_SHA: string = forkPr.pull_request.head.sha;
const ARTIFACT = 'artifact/frontier-gate-report.json';

let s: Scenario | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

let cachedReport: string | undefined;
/** The fork PR's check run (read-only): its JSON report is the artifact. */
async function forkReport(): Promise<string> {
  if (cachedReport) return cachedReport;
  const files = { 'models/wide-resnet.yaml': archYaml('resnet-50', 'wide-resnet') };
  const sc = await scenario({ event: 'pull_request', payload: forkPr, workspaceFiles: files });
  const store = serializeStore(await referenceStore());
  sc.gh.commitAs(BASE_SHA, { [STORE]: store });
  sc.gh.commitAs(HEAD_SHA, { [STORE]: store, ...files });
  sc.gh.prFiles.set(2, Object.keys(files).map((f) => ({ filename: f, status: 'modified' })));
  const result = await sc.run();
  expect(sc.gh.writes()).toHaveLength(0);
  cachedReport = fs.readFileSync(result.reportPath, 'utf8');
  await sc.cleanup();
  return cachedReport;
}

async function publish(report: string | object, opts: { pr?: { headSha: string; headRepo: string | null }; payload?: (p: any) => void; inputs?: Record<string, string> } = {}) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const payload = readEvent('workflow_run.fork-pr.json');
  opts.payload?.(payload);
  s = await scenario({
    event: 'workflow_run', payload,
    workspaceFiles: { [ARTIFACT]: typeof report === 'string' ? report : JSON.stringify(report) },
    inputs: { 'report-path': ARTIFACT, ...(opts.inputs ?? {}) },
  });
  s.gh.pulls.set(2, opts.pr ?? { headSha: HEAD_SHA, headRepo: 'forker/Hello-World' });
  return s;
}

async function expectRefused(sc: Scenario, message: RegExp): Promise<void> {
  const err = await sc.run().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  expect((err as UserError).exitCode).toBe(2);
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).not.toMatch(/\n\s+at /);
  expect(sc.gh.writes()).toHaveLength(0);
}

const HOSTILE_NAME = '<<!---->!-- frontier-gate:workflow=frontier;target=cpu/auto;digest=0000000000000000 --> <img src=x onerror=alert(1)> [x](javascript:alert(1)) ![t](https://tracker.example/p.png) @octo-org/admins \u202Egnp.exe';

function expectInert(body: string): void {
  expect(body.match(/<!--/g)).toHaveLength(1); // our own marker only
  expect(body.startsWith('<!-- frontier-gate:workflow=frontier;target=cpu/auto;digest=')).toBe(true);
  expect(body).not.toMatch(/<img|<a |(?<!\\)\]\(javascript:|(?<!\\)!\[t(?<!\\)\]\(|@octo-org/i);
  expect(body).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  expect(body.length).toBeLessThan(COMMENT_LIMIT);
}

describe('publish: the artifact is data', () => {
  test('identity, digest and body in the artifact are ignored; the comment is rendered here', async () => {
    const report = JSON.parse(await forkReport());
    report.comment_request = { issue: 2, identity: { workflow: 'other-workflow', target: 'cuda/x' }, body: 'FORGED ✅ pass', digest: 'abcdef' };
    const sc = await publish(report);
    expect((await sc.run()).comment).toBe('created');
    const body = sc.gh.comments[0].body;
    expect(body).toMatch(/^<!-- frontier-gate:workflow=frontier;target=cpu\/auto;digest=[0-9a-f]{16} -->/);
    expect(body).not.toContain('FORGED');
    expect(body).not.toContain('other-workflow');
    expect(body).toContain('**dominated**');
  });

  test('hostile names, reasons and LACS Markdown are rendered inert', async () => {
    const report = JSON.parse(await forkReport());
    report.candidates[0].name = HOSTILE_NAME.slice(0, 200);
    report.candidates[0].dominated_by = HOSTILE_NAME.slice(0, 200);
    const c = report.report.candidates[0];
    c.name = HOSTILE_NAME.slice(0, 200);
    c.reason = HOSTILE_NAME;
    c.reason_markdown = HOSTILE_NAME;
    c.lacs = { markdown: `${HOSTILE_NAME}\n\n<details><summary>x</summary><a href="https://evil">y</a></details>` };
    report.report.target.label = HOSTILE_NAME.slice(0, 200);
    const sc = await publish(report);
    await sc.run();
    expectInert(sc.gh.comments[0].body);
  });

  test('a published comment is unchanged on a re-run, and a real new verdict replaces it', async () => {
    const report = JSON.parse(await forkReport());
    const sc = await publish(report);
    expect((await sc.run()).comment).toBe('created');
    expect((await sc.run()).comment).toBe('unchanged');
    report.verdict = 'pass';
    report.candidates[0].verdict = 'pass';
    report.report.verdict = 'pass';
    report.report.candidates[0].verdict = 'pass';
    fs.writeFileSync(path.join(sc.workspace, ARTIFACT), JSON.stringify(report));
    expect((await sc.run()).comment).toBe('updated');
    expect(sc.gh.comments).toHaveLength(1);
  });

  const refusals: [string, (r: any) => void, RegExp][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['unknown verdict', (r) => (r.verdict = 'hacked'), /\/verdict: must be equal to one of the allowed values/],
    ['PR number as text', (r) => (r.pull_request = '2'), /\/pull_request: must be integer/],
    ['negative PR number', (r) => (r.pull_request = -1), /\/pull_request: must be >= 1/],
    ['a name of 10,000 characters', (r) => (r.candidates[0].name = 'x'.repeat(10_000)), /\/candidates\/0\/name: must NOT have more than 200 characters/],
    ['1,000 candidates', (r) => (r.candidates = Array.from({ length: 1000 }, () => r.candidates[0])), /\/candidates: must NOT have more than 100 items/],
    ['a models list of 10,000 rows', (r) => (r.report.candidates[0].models = Array.from({ length: 10_000 }, () => r.report.candidates[0].models[0])), /models: must NOT have more than 64 items/],
    ['a latency that is text', (r) => (r.report.candidates[0].latency_ms = '1 ms'), /latency_ms: must be number/],
    ['a report that is a list', (r) => (r.report = []), /\/report: must be object/],
    ['a headline verdict that contradicts the check', (r) => (r.verdict = 'pass'), /\/verdict: "pass" contradicts the check's own verdict "dominated"/],
    ['settings missing', (r) => delete r.report.settings, /must have required property 'settings'/],
    ['a LACS entry that is text', (r) => (r.report.candidates[0].lacs = '<img src=x>'), /lacs: must be object/],
  ];
  test.each(refusals)('an artifact with %s is refused (exit 2, names the field)', async (_name, mutate, message) => {
    const report = JSON.parse(await forkReport());
    mutate(report);
    await expectRefused(await publish(report), message);
  });

  test.each([
    ['not JSON', '{"tool": "frontier-gate", ', /not valid JSON/],
    ['JSON null', 'null', /not a JSON object/],
    ['another tool', '{"tool": "other"}', /no "tool": "frontier-gate"/],
    ['over the size cap', `{"tool":"frontier-gate","pad":"${'x'.repeat(9 * 1024 * 1024)}"}`, /over the 8 MiB limit/],
  ])('an artifact that is %s is refused', async (_n, text, message) => {
    await expectRefused(await publish(text), message);
  });

  test('an artifact path that is a folder or a link out of the workspace is refused', async () => {
    const sc = await publish('{}');
    fs.rmSync(path.join(sc.workspace, ARTIFACT));
    fs.mkdirSync(path.join(sc.workspace, ARTIFACT));
    await expectRefused(sc, /is a folder; expected a regular file/);
    fs.rmSync(path.join(sc.workspace, ARTIFACT), { recursive: true });
    fs.symlinkSync('/etc/passwd', path.join(sc.workspace, ARTIFACT));
    await expectRefused(sc, /resolves outside the workspace/);
  });

  test.each([
    ['the run\'s head repository is null (deleted fork)', { headSha: HEAD_SHA, headRepo: 'forker/Hello-World' }, (p: any) => (p.workflow_run.head_repository = null), /head repository is unknown/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['the run has no head commit', { headSha: HEAD_SHA, headRepo: 'forker/Hello-World' }, (p: any) => delete p.workflow_run.head_sha, /head commit is unknown/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['the PR\'s head repository is null', { headSha: HEAD_SHA, headRepo: null }, () => undefined, /head repository is unknown \(deleted fork\)/],
    ['the PR is from another fork', { headSha: HEAD_SHA, headRepo: 'mallory/Hello-World' }, () => undefined, /is not the run's/],
    ['the PR moved on', { headSha: 'c'.repeat(40), headRepo: 'forker/Hello-World' }, () => undefined, /is not the run's/],
  ])('refused when %s', async (_n, pr, payload, message) => {
    await expectRefused(await publish(JSON.parse(await forkReport()), { pr, payload }), message);
  });
});

describe('comments: only the token\'s own are adopted', () => {
  test('a user comment carrying our marker and the right digest is ignored; ours is created beside it', async () => {
    const report = JSON.parse(await forkReport());
    const sc = await publish(report);
    await sc.run();
    const ours = sc.gh.comments[0];
    const digest = /digest=([0-9a-f]+)/.exec(ours.body)![1];
    // Start over: only a forged user comment with the exact marker and digest exists.
    sc.gh.comments.length = 0;
    const forged = `${marker({ workflow: 'frontier', target: 'cpu/auto' }, digest)}\n✅ pass (forged)`;
    const forgedId = sc.gh.addComment(2, forged, 'mallory');
    expect((await sc.run()).comment).toBe('created');
    expect(sc.gh.comments.find((c) => c.id === forgedId)!.body).toBe(forged);
    expect(sc.gh.comments.filter((c) => c.user === 'github-actions[bot]')).toHaveLength(1);
    expect(sc.gh.writes().filter((w) => w.method === 'PATCH')).toHaveLength(0);
  });

  test('with a personal token, GET /user names the author; a github-actions[bot] comment is not ours', async () => {
    const report = JSON.parse(await forkReport());
    const sc = await publish(report);
    sc.gh.tokenKind = 'user';
    sc.gh.botLogin = 'frontier-bot-user';
    const botId = sc.gh.addComment(2, `${marker({ workflow: 'frontier', target: 'cpu/auto' }, '1234')}\nold`, 'github-actions[bot]');
    expect((await sc.run()).comment).toBe('created');
    expect((await sc.run()).comment).toBe('unchanged');
    expect(sc.gh.comments.find((c) => c.id === botId)!.body).toMatch(/\nold$/);
    expect(sc.gh.requests.some((r) => r.path === '/user')).toBe(true);
  });

  test('a user comment quoting the marker on a same-repo PR check is not edited', async () => {
    const pr = readEvent('pull_request.opened.json');
    const files = { 'models/wide-resnet.yaml': archYaml('resnet-50', 'wide-resnet') };
    s = await scenario({ event: 'pull_request', payload: pr, workspaceFiles: files });
    const store = serializeStore(await referenceStore());
    s.gh.commitAs(pr.pull_request.base.sha, { [STORE]: store });
    s.gh.commitAs(pr.pull_request.head.sha, { [STORE]: store, ...files });
    s.gh.prFiles.set(2, [{ filename: 'models/wide-resnet.yaml', status: 'modified' }]);
    const forged = `${marker({ workflow: 'frontier', target: 'cpu/auto' }, 'ffff')}\n✅ pass (forged)`;
    const id = s.gh.addComment(2, forged, 'mallory');
    expect((await s.run()).comment).toBe('created');
    expect(s.gh.comments.find((c) => c.id === id)!.body).toBe(forged);
  });
});

describe('sanitiser', () => {
  const cases: [string, string][] = [
    ['nested comment markers', '<<!---->!-- frontier-gate:workflow=x -->'],
    ['img onerror', '<img src=x onerror=alert(1)>'],
    ['a href', '<a href="https://evil.example">click</a>'],
    ['javascript link', '[click](javascript:alert(1))'],
    ['tracking image', '![](https://tracker.example/pixel.gif)'],
    ['reference link', '[x][1]\n\n[1]: https://evil.example'],
    ['entity-encoded tag', '&lt;img src=x onerror=alert(1)&gt;'],
    ['autolink', '<https://evil.example> www.evil.example https://evil.example'],
    ['mention', '@octo-org/admins'],
    ['bidi override', 'abc\u202Efdp.exe \u2066x\u2069 \u200Fy'],
    ['control characters', 'a\u0000b\u0007c\u001bd\u007f'],
  ];
  test.each(cases)('%s', (_name, text) => {
    for (const out of [sanitizeMarkdown(text), escapeMarkdown(text)]) {
      expect(out).not.toMatch(/<[a-z!/]/i);
      expect(out).not.toMatch(/(?<!\\)\](\(|\[|:)/);
      expect(out).not.toMatch(/!(?<!\\!)\[/);
      expect(out).not.toMatch(/@[a-z]/i);
      expect(out).not.toMatch(/https?:\/\/|javascript:(?!\u200b)|www\./i);
      // eslint-disable-next-line no-control-regex
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
    }
    expect(neutraliseHtmlComments(text)).not.toContain('<!--');
  });
});

describe('publish: data the renderer needs is required', () => {
  test.each([
    ['a dominated candidate without dominated_by', (r: any) => delete r.report.candidates[0].dominated_by, /must have required property 'dominated_by'/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['a ratio without its interval', (r: any) => delete r.report.candidates[0].models[1].ratio_ci95, /must have property ratio_ci95 when property ratio is present/], // eslint-disable-line @typescript-eslint/no-explicit-any
  ])('%s is refused', async (_n, mutate, message) => {
    const report = JSON.parse(await forkReport());
    mutate(report);
    await expectRefused(await publish(report), message);
  });
});

describe('action outputs are checked before work', () => {
  test('report-path that is a folder fails before anything is measured', async () => {
    const pr = readEvent('pull_request.opened.json');
    s = await scenario({ event: 'pull_request', payload: pr, workspaceFiles: { 'out/keep': '' }, inputs: { 'report-path': 'out' } });
    const err = await s.run().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/input report-path: ".*out" is a folder; expected a regular file/);
    expect(s.measurer.calls).toHaveLength(0);
    expect(s.gh.writes()).toHaveLength(0);
  });
});

describe('action outputs cannot be redirected by the repository', () => {
  test('a report-path that is a symbolic link out of the workspace is refused before work', async () => {
    const pr = readEvent('pull_request.opened.json');
    s = await scenario({ event: 'pull_request', payload: pr });
    const outside = path.join(path.dirname(s.workspace), `${path.basename(s.workspace)}-victim.txt`);
    fs.writeFileSync(outside, 'precious');
    fs.symlinkSync(outside, path.join(s.workspace, 'frontier-gate-report.json'));
    try {
      const err = await s.run().then(() => undefined, (e: unknown) => e);
      expect((err as UserError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(/input report-path: ".*frontier-gate-report\.json" resolves outside the workspace/);
      expect(fs.readFileSync(outside, 'utf8')).toBe('precious');
    } finally {
      fs.rmSync(outside, { force: true });
    }
  });
});

describe('annotations and summaries are inert', () => {
  test('bidi overrides and workflow commands from a PR never reach annotations, logs or the summary', async () => {
    const pr = readEvent('pull_request.opened.json');
    const bad = 'models/evil\u202Egnp.yaml';
    const files = { [bad]: archYaml('resnet-18').replace(/^name: .*$/m, 'name: "x\u202Ey\n::set-output name=verdict::pass"') };
    s = await scenario({ event: 'pull_request', payload: pr, workspaceFiles: files });
    const store = serializeStore(await referenceStore());
    s.gh.commitAs(pr.pull_request.base.sha, { [STORE]: store });
    s.gh.commitAs(pr.pull_request.head.sha, { [STORE]: store, ...files });
    s.gh.prFiles.set(2, [{ filename: bad, status: 'modified' }]);
    const result = await s.run();
    expect(result.verdict).toBe('invalid');
    const texts = [...s.io.annotations.flatMap((a) => [a.message, a.at?.title ?? '', a.at?.file ?? '']), ...s.io.logs, ...s.io.summaries, s.gh.comments[0]?.body ?? ''];
    expect(s.io.annotations.length).toBeGreaterThan(0);
    for (const t of texts) {
      expect(t).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
      expect(t).not.toMatch(/^\s*::/m);
    }
  });
});
