/**
 * The action fails closed at its boundaries (issue 24): an API or event payload that is not what GitHub
 * documents, a path that leaves the workspace, an API that hangs, trickles, floods or rate-limits, and a
 * comment call that fails after the verdict. Each case runs the action in-process against the loopback API
 * and checks the exit code, the message (naming the call or field), that no verdict is reached, and that
 * nothing is written outside the named outputs.
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { ServiceError, UserError } from '../src/errors';
import { serializeStore } from '../src/frontier/store';
import { reportError } from '../src/github/run';
import { archYaml, readEvent, referenceStore, RecordingIO, scenario, type Scenario } from './action.harness';
import type { RecordedRequest } from './action.fake-github';

const STORE = '.frontier/frontier.json';
const pr = readEvent('pull_request.opened.json');
const BASE_SHA: string = pr.pull_request.base.sha;
const HEAD_SHA: string = pr.pull_request.head.sha;
const FILES = { 'models/wide-resnet.yaml': archYaml('resnet-50', 'wide-resnet') };

let s: Scenario | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

/** A PR check scenario with the reference store at the base and one changed config. */
async function prCheck(opts: { payload?: unknown; inputs?: Record<string, string>; files?: Record<string, string>; realThrottle?: boolean } = {}): Promise<Scenario> {
  const files = opts.files ?? FILES;
  s = await scenario({ event: 'pull_request', payload: opts.payload ?? pr, workspaceFiles: files, inputs: opts.inputs, realThrottle: opts.realThrottle });
  const store = serializeStore(await referenceStore());
  s.gh.commitAs(BASE_SHA, { [STORE]: store });
  s.gh.commitAs(HEAD_SHA, { [STORE]: store, ...files });
  s.gh.prFiles.set(2, Object.keys(files).map((f) => ({ filename: f, status: 'modified' })));
  return s;
}

const STACK = /\n\s+at\s/;

/** The run fails (no verdict) with this exit code and message; the error path reports "could not judge". */
async function expectNoVerdict(sc: Scenario, code: number, message: RegExp): Promise<Error> {
  const started = Date.now();
  const err = (await sc.run().then(() => undefined, (e: unknown) => e)) as Error;
  expect(err).toBeInstanceOf(UserError);
  expect((err as UserError).exitCode).toBe(code);
  expect(err.message).toMatch(message);
  expect(err.message).not.toMatch(STACK);
  expect(sc.measurer.calls).toHaveLength(0);
  expect(sc.gh.comments).toHaveLength(0);
  // What the entry point does with it: the summary says so, the report holds verdict "error", the step fails.
  const io = new RecordingIO();
  const exit = await reportError(sc.env, io, err);
  expect(exit).toBe(code);
  expect(io.failed).toBe(err.message);
  expect(io.outputs.verdict).toBe('error');
  expect(io.summaries.join('\n')).toMatch(/could not judge/);
  const report = JSON.parse(fs.readFileSync(path.join(sc.workspace, 'frontier-gate-report.json'), 'utf8'));
  expect(report).toMatchObject({ verdict: 'error', error: { exit_code: code } });
  expect(Date.now() - started).toBeLessThan(20_000);
  return err;
}

/** Answer one route of the loopback API with raw text (a broken or hostile API). */
function answer(sc: Scenario, route: RegExp, status: number, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }) {
  sc.gh.intercept = (r: RecordedRequest, res: http.ServerResponse) => {
    if (!route.test(r.path)) return false;
    res.writeHead(status, headers);
    res.end(body);
    return true;
  };
}

describe('API responses are checked before use (exit 4, never a verdict)', () => {
  test('PR files answered with 200 and a body that is not JSON', async () => {
    const sc = await prCheck();
    answer(sc, /\/pulls\/2\/files$/, 200, '{"this is": not json');
    await expectNoVerdict(sc, 4, /^GET pulls\/2\/files \(page 1\): the response is not what the GitHub API documents: the body is not the JSON object or list the call answers/);
  });

  test('PR files answered with an object instead of a list', async () => {
    const sc = await prCheck();
    answer(sc, /\/pulls\/2\/files$/, 200, '{"files": []}');
    await expectNoVerdict(sc, 4, /GET pulls\/2\/files \(page 1\): .*the response: must be array, got an object/);
  });

  test('a response of 20 MiB (bounded while it arrives, never parsed)', async () => {
    const sc = await prCheck();
    const chunk = Buffer.from(`${'{"filename":"models/x.yaml","status":"added"},'.repeat(20_000)}`);
    sc.gh.intercept = (r, res) => {
      if (!/\/pulls\/2\/files$/.test(r.path)) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      let sent = 0;
      const more = () => {
        while (sent < 20 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('{}]');
      };
      res.on('error', () => undefined);
      more();
      return true;
    };
    await expectNoVerdict(sc, 4, /GET pulls\/2\/files.*: the response is over 16 MiB; not read further/);
  });

  test('a file name from the API that leaves the repository is refused, and nothing outside is read', async () => {
    const victim = path.join(path.dirname((await prCheck()).workspace), 'victim-secret.yaml');
    fs.writeFileSync(victim, 'name: top-secret-text\n');
    try {
      const sc = s!;
      sc.gh.prFiles.set(2, [{ filename: `models/../../../../../..${victim}`, status: 'modified' }]);
      sc.env['INPUT_CONFIGS'] = '**';
      await expectNoVerdict(sc, 4, /GET pulls\/2\/files \(page 1\): .*0\.filename: not a path inside the repository/);
      const all = [...sc.io.logs, ...sc.io.annotations.map((a) => a.message), ...sc.io.summaries].join('\n');
      expect(all).not.toContain('top-secret-text');
    } finally {
      fs.rmSync(victim, { force: true });
    }
  });

  test('a pull request that the API says has no head commit', async () => {
    s = await scenario({ event: 'workflow_run', payload: readEvent('workflow_run.fork-pr.json'), workspaceFiles: { 'artifact/r.json': '{}' }, inputs: { 'report-path': 'artifact/r.json' } });
    const report = { tool: 'frontier-gate', command: 'check', verdict: 'pass', pull_request: 2, candidates: [] };
    fs.writeFileSync(path.join(s.workspace, 'artifact/r.json'), JSON.stringify(report));
    answer(s, /\/pulls\/2$/, 200, JSON.stringify({ number: 2, state: 'open', head: { sha: 'not-a-sha', repo: null } }));
    const err = (await s.run().then(() => undefined, (e: unknown) => e)) as ServiceError;
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.message).toMatch(/^GET pulls\/2: .*head\.sha: must match pattern/);
    expect(s.gh.writes()).toHaveLength(0);
  });
});

describe('a report that says the check could not judge', () => {
  test('is not published: the publish job says so and writes nothing', async () => {
    s = await scenario({ event: 'workflow_run', payload: readEvent('workflow_run.fork-pr.json'), workspaceFiles: { 'artifact/r.json': '{}' }, inputs: { 'report-path': 'artifact/r.json' } });
    // What reportError writes when a fork PR's check could not judge.
    const io = new RecordingIO();
    await reportError({ ...s.env, 'INPUT_REPORT-PATH': 'artifact/r.json', 'INPUT_COMMAND': 'check' }, io, new ServiceError('GET pulls/2/files: HTTP 502', 502));
    const result = await s.run();
    expect(result.verdict).toBe('error');
    expect(result.comment).toBeUndefined();
    expect(s.io.logs.join('\n')).toMatch(/nothing to publish: the check run could not judge/);
    expect(s.gh.writes()).toHaveLength(0);
  });
});

describe('event payloads are checked before use (exit 2)', () => {
  test.each([
    ['pull_request without its commits', { ...pr, pull_request: { number: 2 } }, /the pull_request event's payload: pull_request: must have required property 'base'/],
    ['pull_request as text', { ...pr, pull_request: 'hello' }, /the pull_request event's payload: pull_request: must be object, got "hello"/],
    ['a base sha that is not one', { ...pr, pull_request: { ...pr.pull_request, base: { ...pr.pull_request.base, sha: '' } } }, /pull_request\.base\.sha: must match pattern/],
  ])('%s: never judged against an empty frontier', async (_name, payload, message) => {
    const sc = await prCheck({ payload });
    await expectNoVerdict(sc, 2, message);
    expect(sc.gh.requests).toHaveLength(0);
  });

  test('a push whose payload names a file out of the repository', async () => {
    const push = readEvent('push.default-branch.json');
    push.commits[0].added = ['models/../../etc/passwd'];
    s = await scenario({ event: 'push', payload: push });
    await expectNoVerdict(s, 2, /the push event's payload: commits\.0\.added\.0: not a path inside the repository/);
  });
});

describe('time bounds', () => {
  test('an API that never answers fails the call after api-timeout (exit 4)', async () => {
    const sc = await prCheck({ inputs: { 'api-timeout': '1' } });
    sc.gh.intercept = (r, res) => (/\/pulls\/2\/files$/.test(r.path) ? (sc.gh.hang(res), true) : false);
    await expectNoVerdict(sc, 4, /GET pulls\/2\/files: no complete answer within 1 s \(the request's time limit; input api-timeout\)/);
  });

  test('an API that trickles a byte a second is cut off at the same limit', async () => {
    const sc = await prCheck({ inputs: { 'api-timeout': '1' } });
    sc.gh.intercept = (r, res) => {
      if (!/\/pulls\/2\/files$/.test(r.path)) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      const body = '[{"filename":"models/wide-resnet.yaml","status":"modified"}]';
      let i = 0;
      const timer = setInterval(() => (i < body.length ? res.write(body[i++]) : (clearInterval(timer), res.end())), 300);
      res.on('close', () => clearInterval(timer));
      return true;
    };
    await expectNoVerdict(sc, 4, /no complete answer within 1 s/);
  });

  test('a rate-limit reset an hour away is not waited for (exit 4 at once)', async () => {
    const sc = await prCheck({ realThrottle: true });
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    answer(sc, /\/pulls\/2\/files$/, 403, JSON.stringify({ message: 'API rate limit exceeded for installation' }), {
      'content-type': 'application/json', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset,
    });
    const started = Date.now();
    await expectNoVerdict(sc, 4, /GET pulls\/2\/files: HTTP 403 API rate limit exceeded .*\(frontier-gate waits at most 60 s for a rate limit\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(sc.io.annotations.some((a) => /the reset is \d+ s away, more than the 60 s frontier-gate waits/.test(a.message))).toBe(true);
    expect(sc.gh.requests.filter((r) => r.path.endsWith('/files'))).toHaveLength(1);
  });

  test('a comment call that hangs after the verdict: the report file and the summary are written, then exit 4', async () => {
    const sc = await prCheck({ inputs: { 'api-timeout': '1' } });
    sc.gh.intercept = (r, res) => (/\/issues\/2\/comments$/.test(r.path) ? (sc.gh.hang(res), true) : false);
    const result = await sc.run();
    expect(result.verdict).toBe('dominated');
    expect(result.comment).toBe('failed');
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(fs.readFileSync(result.reportPath, 'utf8'));
    expect(report).toMatchObject({ verdict: 'dominated', comment: 'failed' });
    expect(sc.io.summaries.join('\n')).toMatch(/dominated/);
    expect(sc.io.failed).toMatch(/the PR comment could not be posted: GET issues\/2\/comments: no complete answer within 1 s/);
  });

  test('the same with on-error: pass and a passing verdict: the step passes with a warning', async () => {
    const files = { 'models/small.yaml': archYaml('mobilenet-v2', 'small-net').replace(/top1: [\d.]+/, 'top1: 99') };
    const sc = await prCheck({ files, inputs: { 'api-timeout': '1', 'on-error': 'pass' } });
    answer(sc, /\/issues\/2\/comments$/, 500, '{"message": "boom"}');
    const result = await sc.run();
    expect(result.comment).toBe('failed');
    expect(result.exitCode).toBe(0);
    expect(sc.io.failed).toBeUndefined();
    expect(sc.io.annotations.some((a) => a.level === 'warning' && /on-error: pass, so the step passes; exit 4 otherwise/.test(a.message))).toBe(true);
  });

  test('more changed configs than one check takes is refused before anything is read', async () => {
    const files = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`models/m${i}.yaml`, archYaml('mobilenet-v2', `m${i}`)]));
    const sc = await prCheck({ files });
    await expectNoVerdict(sc, 2, /input configs \("models\/\*\*\/\*\.\{yaml,yml\}", changed by this PR\): 101 candidate configs; allowed: at most 100 in one check/);
  });

  test('several changed configs are checked with a progress line over them', async () => {
    const files = Object.fromEntries(['a', 'b', 'c'].map((n) => [`models/${n}.yaml`, archYaml('mobilenet-v2', `net-${n}`)]));
    const sc = await prCheck({ files });
    await sc.run();
    expect(sc.io.logs.some((l) => /^checking 3 candidates: started \(3 models\)/.test(l))).toBe(true);
    expect(sc.io.logs.some((l) => /^checking 3 candidates: done in \d+ s · 3 candidates checked/.test(l))).toBe(true);
  });
});

describe('paths and outputs in the action', () => {
  test('a symbolic link at frontier-gate-out/profile.json is not written through', async () => {
    const victim = path.join(path.dirname((s = await scenario({ event: 'workflow_dispatch', payload: readEvent('workflow_dispatch.json') })).workspace), `${path.basename(s.workspace)}-victim.json`);
    fs.writeFileSync(victim, 'precious');
    try {
      fs.mkdirSync(path.join(s.workspace, 'frontier-gate-out'));
      fs.symlinkSync(victim, path.join(s.workspace, 'frontier-gate-out', 'profile.json'));
      fs.mkdirSync(path.join(s.workspace, 'spaces'));
      fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'spaces', 'genet.yaml'), path.join(s.workspace, 'spaces', 'genet.yaml'));
      const err = (await s.run({ INPUT_COMMAND: 'profile', INPUT_SPACE: 'spaces/genet.yaml', 'INPUT_SEARCH-ARGS': '--samples 1' }).then(() => undefined, (e: unknown) => e)) as UserError;
      expect(err).toBeInstanceOf(UserError);
      expect(err.exitCode).toBe(2);
      expect(err.message).toMatch(/--out: ".*profile\.json" (is a symbolic link|resolves outside the workspace through a symbolic link)/);
      expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    } finally {
      fs.rmSync(victim, { force: true });
    }
  });

  test('a symbolic link at sweep-shard-1-of-2.json (inside the workspace too) is not written through', async () => {
    s = await scenario({ event: 'schedule', payload: readEvent('schedule.json'), inputs: { command: 'sweep', 'search-args': '--shard 1/2' } });
    s.env.GITHUB_REF = 'refs/heads/master';
    s.gh.commitAs(s.env.GITHUB_SHA!, { [STORE]: serializeStore(await referenceStore()) });
    fs.writeFileSync(path.join(s.workspace, 'notes.txt'), 'precious');
    fs.mkdirSync(path.join(s.workspace, 'frontier-gate-out'));
    fs.symlinkSync('../notes.txt', path.join(s.workspace, 'frontier-gate-out', 'sweep-shard-1-of-2.json'));
    const err = (await s.run().then(() => undefined, (e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/--out: ".*sweep-shard-1-of-2\.json" is a symbolic link/);
    expect(fs.readFileSync(path.join(s.workspace, 'notes.txt'), 'utf8')).toBe('precious');
    expect(s.measurer.calls).toHaveLength(0);
  });
});

describe('exit codes', () => {
  test('an internal error is exit 70, not the gate\'s 1', async () => {
    const io = new RecordingIO();
    const exit = await reportError({ GITHUB_WORKSPACE: '/nonexistent-workspace' }, io, new TypeError('x is undefined'));
    expect(exit).toBe(70);
    expect(io.failed).toMatch(/frontier-gate: internal error \(a bug; please report it\): x is undefined/);
  });

  test('on-error: pass lets a run that could not judge pass with a warning; an on-error that is wrong fails', async () => {
    const io = new RecordingIO();
    expect(await reportError({ 'INPUT_ON-ERROR': 'pass' }, io, new ServiceError('GET pulls/2/files: HTTP 502', 502))).toBe(0);
    expect(io.failed).toBeUndefined();
    expect(io.annotations[0]).toMatchObject({ level: 'warning' });
    const strict = new RecordingIO();
    expect(await reportError({ 'INPUT_ON-ERROR': 'maybe' }, strict, new ServiceError('x', 502))).toBe(4);
  });

  test('a config that does not load is verdict invalid, exit 2 (bad input), not the gate\'s 1', async () => {
    const sc = await prCheck({ files: { 'models/bad.yaml': 'name: bad\nresolution: x\n' } });
    const result = await sc.run();
    expect(result.verdict).toBe('invalid');
    expect(result.exitCode).toBe(2);
  });
});
