/**
 * The action at scale and in the open: API errors that name the call (exit 4), store-source: git with no
 * API call, on-drift issues, and a sharded sweep over a matrix of shards x 8 targets whose merge jobs commit
 * concurrently against the loopback API without losing an entry.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArchConfigWithSource } from '../src/arch/parse';
import { EXIT, ServiceError } from '../src/errors';
import { parseStore, serializeStore } from '../src/frontier/store';
import { createOctokit, createRepoApi, describeCall } from '../src/github/api';
import { driftMarker } from '../src/github/drift';
import { runAction, type ActionResult } from '../src/github/run';
import type { MeasureOptions, MeasureResult, ModelInput } from '../src/measure/types';
import { FakeGitHub } from './action.fake-github';
import { ACTION_FAKE_TARGET, MacsMeasurer } from './action.fake-measurer';
import { archYaml, readEvent, RecordingIO, referenceStore } from './action.harness';

const STORE = '.frontier/frontier.json';
const ALL = ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'genet-light', 'mobilenet-v2', 'resnet-18', 'resnet-50'];

/** The MacsMeasurer on another runner: its own target key, every latency `scale` times. */
class TargetMeasurer extends MacsMeasurer {
  constructor(private readonly name: string, scale = 1) {
    super(scale);
  }
  override async measure(models: ModelInput[], options?: Partial<MeasureOptions>): Promise<MeasureResult> {
    const r = await super.measure(models, options);
    return { ...r, target: { ...ACTION_FAKE_TARGET, key: `cpu-${this.name}`, label: `cpu · ${this.name}`, fingerprint: { ...ACTION_FAKE_TARGET.fingerprint, cpu: this.name } } };
  }
}

interface Job {
  event: string;
  payload: Record<string, unknown>;
  inputs?: Record<string, string>;
  files?: Record<string, string>;
  measurer?: MacsMeasurer;
  workspace?: string;
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-platform-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** One action run in-process, as the runner would start it, against `apiUrl`. */
async function run(apiUrl: string, job: Job): Promise<{ result?: ActionResult; error?: unknown; io: RecordingIO; workspace: string }> {
  const workspace = job.workspace ?? fs.mkdtempSync(path.join(tmpRoot, 'ws-'));
  for (const [f, text] of Object.entries(job.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(workspace, f)), { recursive: true });
    fs.writeFileSync(path.join(workspace, f), text);
  }
  const eventPath = path.join(fs.mkdtempSync(path.join(tmpRoot, 'ev-')), 'event.json');
  fs.writeFileSync(eventPath, JSON.stringify(job.payload));
  const env: NodeJS.ProcessEnv = {
    GITHUB_EVENT_NAME: job.event, GITHUB_EVENT_PATH: eventPath, GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_API_URL: apiUrl, GITHUB_WORKSPACE: workspace, GITHUB_WORKFLOW: 'frontier-nightly',
    GITHUB_SHA: (job.payload.after as string) ?? 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', GITHUB_REF: 'refs/heads/master',
    GITHUB_RUN_ID: '9', 'INPUT_GITHUB-TOKEN': 'ghs_platform', 'INPUT_BUDGET-SECONDS': '1',
  };
  for (const [k, v] of Object.entries(job.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  const io = new RecordingIO();
  const measurer = job.measurer ?? new MacsMeasurer();
  try {
    const result = await runAction({
      env, io,
      api: (ctx, config) => createRepoApi(createOctokit({ token: config.githubToken, baseUrl: ctx.apiUrl, log: { debug: () => undefined, info: () => undefined, warning: () => undefined }, retryBaseMs: 1, retries: 1, throttle: false }), ctx.repo),
      createMeasurer: () => measurer,
      loadConfig: (file) => loadArchConfigWithSource(file),
      conflictBackoffMs: (n) => Math.random() * 5 * n,
    });
    return { result, io, workspace };
  } catch (error) {
    return { error, io, workspace };
  }
}

async function withGitHub<T>(fn: (gh: FakeGitHub) => Promise<T>): Promise<T> {
  const gh = new FakeGitHub();
  await gh.start();
  try {
    return await fn(gh);
  } finally {
    await gh.stop();
  }
}

const schedule = () => ({ ...readEvent('push.default-branch.json'), after: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821' });

describe('API errors', () => {
  test('describeCall names the route, its parameters and the ref', () => {
    const sha = 'a'.repeat(40);
    expect(describeCall({ method: 'GET', url: '/repos/{owner}/{repo}/contents/{path}', owner: 'o', repo: 'r', path: '.frontier/frontier.json', ref: sha })).toBe(`GET contents .frontier/frontier.json@${'a'.repeat(12)}`);
    expect(describeCall({ method: 'PUT', url: '/repos/{owner}/{repo}/contents/{path}', path: 'x.json', branch: 'main' })).toBe('PUT contents x.json@main');
    expect(describeCall({ method: 'GET', url: '/repos/{owner}/{repo}/pulls/{pull_number}/files', pull_number: 2 })).toBe('GET pulls/2/files');
  });

  test('an unreachable API: the error names the call and exits 4, not 1 (dominated)', async () => {
    // A port nothing listens on: the server is started and stopped to find one.
    const gh = new FakeGitHub();
    await gh.start();
    const url = gh.url;
    await gh.stop();
    const { error } = await run(url, { event: 'schedule', payload: schedule(), inputs: { command: 'sweep' } });
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).exitCode).toBe(EXIT.SERVICE);
    expect((error as Error).message).toMatch(/^GET contents \.frontier\/frontier\.json@master: connect ECONNREFUSED/);
  });

  test('an API answering 502 after the retries: the call and the status', async () => {
    await withGitHub(async (gh) => {
      gh.failNext = 10;
      const { error } = await run(gh.url, { event: 'schedule', payload: schedule(), inputs: { command: 'sweep' } });
      expect((error as ServiceError).exitCode).toBe(4);
      expect((error as ServiceError).status).toBe(502);
      expect((error as Error).message).toBe('GET contents .frontier/frontier.json@master: HTTP 502 Bad Gateway');
      // The message is made after the retry plugin gave up (retries: 1): the call was tried twice.
      expect(gh.requests).toHaveLength(2);
    });
  });
});

describe('store-source: git', () => {
  test('a PR is checked against the store at the base commit, read through git; no API call at all', async () => {
    const ws = fs.mkdtempSync(path.join(tmpRoot, 'git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ws, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim();
    git('init', '-q', '-b', 'main');
    fs.mkdirSync(path.join(ws, '.frontier'));
    fs.writeFileSync(path.join(ws, STORE), serializeStore(await referenceStore(['mobilenet-v2', 'resnet-18'])));
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD');
    fs.mkdirSync(path.join(ws, 'models'));
    fs.writeFileSync(path.join(ws, 'models', 'r50.yaml'), archYaml('resnet-50', 'r50').replace(/^accuracy: .*$/m, 'accuracy: {top1: 60.0, dataset: imagenet-1k, source: test}'));
    // The PR also edits the store: it must still be judged against the base version.
    fs.writeFileSync(path.join(ws, STORE), serializeStore(parseStore(fs.readFileSync(path.join(ws, STORE), 'utf8'), 's')).replace('"mobilenet-v2"', '"mobilenet-v2-renamed"'));
    git('add', '.');
    git('commit', '-qm', 'head');
    const head = git('rev-parse', 'HEAD');
    const pr = readEvent('pull_request.opened.json');
    pr.pull_request.base.sha = base;
    pr.pull_request.head.sha = head;
    await withGitHub(async (gh) => {
      const { result, io, error } = await run(gh.url, { event: 'pull_request', payload: pr, workspace: ws, inputs: { 'store-source': 'git', 'github-token': '' } });
      expect(error).toBeUndefined();
      expect(gh.requests).toHaveLength(0);
      expect(result!.verdict).toBe('dominated');
      expect(result!.readOnly).toBe(true);
      expect(result!.comment).toBe('skipped-read-only');
      const report = JSON.parse(fs.readFileSync(result!.reportPath, 'utf8'));
      expect(report.store.ref).toBe(base);
      expect(JSON.stringify(report.report)).toContain('mobilenet-v2');
      expect(JSON.stringify(report.report)).not.toContain('mobilenet-v2-renamed');
      expect(io.annotations.some((a) => /store-source is git/.test(a.message))).toBe(true);
    });
  });

  test('a ref missing from a shallow checkout says to fetch it', async () => {
    const ws = fs.mkdtempSync(path.join(tmpRoot, 'git-'));
    execFileSync('git', ['init', '-q'], { cwd: ws });
    const { error } = await run('http://127.0.0.1:9', { event: 'schedule', payload: schedule(), workspace: ws, inputs: { 'store-source': 'git', command: 'sweep' } });
    expect((error as Error).message).toMatch(/store-source: git: "master" is not in the workspace's git history \(check out with fetch-depth: 0/);
  });
});

describe('on-drift', () => {
  const THREE = ['mobilenet-v2', 'efficientnet-b0', 'resnet-18'];
  /** Nightly sweeps through the action; returns the last run. */
  async function nights(gh: { url: string }, count: number, measurer: () => MacsMeasurer, onDrift: string) {
    let last: Awaited<ReturnType<typeof run>> | undefined;
    for (let i = 0; i < count; i++) {
      last = await run(gh.url, { event: 'schedule', payload: schedule(), inputs: { command: 'sweep', 'on-drift': onDrift }, measurer: measurer() });
      expect(last.error).toBeUndefined();
    }
    return last!;
  }

  test('issue: one issue per target, opened on the second night of a real step, updated, closed when it reverts; a runner shift opens none', async () => {
    await withGitHub(async (gh) => {
      gh.commit('master', { [STORE]: serializeStore(await referenceStore(THREE)) });
      await nights(gh, 9, () => new MacsMeasurer(1), 'issue');
      // The whole runner 50% slower: the anchor says so once; the ratios hold; no issue.
      const busy = await nights(gh, 1, () => new MacsMeasurer(1.5), 'issue');
      expect(busy.result!.verdict).toBe('swept');
      expect(gh.issues).toHaveLength(0);
      expect(busy.io.summaries.join('\n')).toMatch(/This runner \(.*\) is \+50\.0% slower than on/);
      // resnet-18 itself 20% slower: pending the first night (no issue), drift the second (one issue).
      const first = await nights(gh, 1, () => new MacsMeasurer(1.5, { 'resnet-18': 1.2 }), 'issue');
      expect(first.result!.failing).toBe(false);
      expect(gh.issues).toHaveLength(0);
      await nights(gh, 1, () => new MacsMeasurer(1.5, { 'resnet-18': 1.2 }), 'issue');
      expect(gh.issues).toHaveLength(1);
      const body = gh.issues[0].body;
      expect(body.startsWith(driftMarker(ACTION_FAKE_TARGET.key))).toBe(true);
      expect(body).toMatch(/\| resnet-18 \| slower \|/);
      expect(body).not.toMatch(/\| mobilenet-v2 \|/);
      expect(body).toMatch(/The runner itself did not move: the anchor \*\*efficientnet-b0\*\* did not move beyond ±3%/);
      expect(body).toMatch(/resnet-18\*\* slower since \d{4}-\d\d-\d\d: \+20\.0% \(\+18\.\d% \.\. \+21\.\d%\)/);
      // Still there the next night: the same issue, never a second one.
      await nights(gh, 1, () => new MacsMeasurer(1.5, { 'resnet-18': 1.2 }), 'issue');
      expect(gh.issues).toHaveLength(1);
      expect(gh.issues[0].state).toBe('open');
      // Reverted: closed.
      const reverted = await nights(gh, 1, () => new MacsMeasurer(1.5), 'issue');
      expect(reverted.result!.verdict).toBe('swept');
      expect(gh.issues).toHaveLength(1);
      expect(gh.issues[0].state).toBe('closed');
    });
  });

  test('fail: confirmed drift fails the step (verdict drift); report: only the report', async () => {
    await withGitHub(async (gh) => {
      gh.commit('master', { [STORE]: serializeStore(await referenceStore(THREE)) });
      await nights(gh, 9, () => new MacsMeasurer(1), 'fail');
      const pending = await nights(gh, 1, () => new MacsMeasurer(1, { 'mobilenet-v2': 0.5 }), 'fail');
      expect(pending.result!.verdict).toBe('swept');
      const fail = await nights(gh, 1, () => new MacsMeasurer(1, { 'mobilenet-v2': 0.5 }), 'fail');
      expect(fail.result!.verdict).toBe('drift');
      expect(fail.io.failed).toMatch(/^frontier-gate: drift/);
      expect(fail.result!.commit!.status).toBe('committed');
      const report = await nights(gh, 1, () => new MacsMeasurer(1, { 'mobilenet-v2': 0.5 }), 'report');
      expect(report.result!.verdict).toBe('swept');
      expect(report.io.failed).toBeUndefined();
      expect(gh.issues).toHaveLength(0);
    });
  });

  test('accept-drift: the step becomes the baseline (committed to the store), and the next sweep judges from it', async () => {
    await withGitHub(async (gh) => {
      gh.commit('master', { [STORE]: serializeStore(await referenceStore(THREE)) });
      await nights(gh, 9, () => new MacsMeasurer(1), 'fail');
      await nights(gh, 2, () => new MacsMeasurer(1, { 'resnet-18': 1.3 }), 'report');
      const accept = await run(gh.url, { event: 'workflow_dispatch', payload: schedule(), inputs: { command: 'accept-drift', 'search-args': '--note driver-580' } });
      expect(accept.error).toBeUndefined();
      expect(accept.result!.verdict).toBe('accepted');
      expect(accept.result!.commit!.status).toBe('committed');
      const after = await nights(gh, 1, () => new MacsMeasurer(1, { 'resnet-18': 1.3 }), 'fail');
      expect(after.result!.verdict).toBe('swept');
    });
  });
});

describe('sharded sweeps over shards x targets', () => {
  test('8 targets x 3 shards; the 8 merge jobs commit concurrently and nothing is lost', async () => {
    await withGitHub(async (gh) => {
      const base = await referenceStore(ALL);
      gh.commit('master', { [STORE]: serializeStore(base) });
      const payload = schedule();
      gh.commitAs(payload.after, { [STORE]: serializeStore(base) });
      const targets = Array.from({ length: 8 }, (_, i) => `t${i + 1}`);
      const shardFiles = new Map<string, Record<string, string>>();
      // The sweep matrix: each (target, shard) job on a runner of that target type, some runners faster.
      for (const [ti, target] of targets.entries()) {
        const files: Record<string, string> = {};
        for (let s = 1; s <= 3; s++) {
          const job = await run(gh.url, {
            event: 'schedule', payload,
            inputs: { command: 'sweep', 'search-args': `--shard ${s}/3`, 'output-dir': 'shard' },
            measurer: new TargetMeasurer(target, (1 + ti / 10) * (s === 2 ? 1.3 : 1)),
          });
          expect(job.error).toBeUndefined();
          expect(job.result!.commit).toBeUndefined();
          const file = path.join(job.workspace, 'shard', `sweep-shard-${s}-of-3.json`);
          files[`shards/sweep-shard-${s}-of-3.json`] = fs.readFileSync(file, 'utf8');
        }
        shardFiles.set(target, files);
      }
      expect(gh.writes()).toHaveLength(0);
      // The merge jobs: one per target, all at once.
      const merges = await Promise.all(targets.map((target) => run(gh.url, { event: 'schedule', payload, files: shardFiles.get(target), inputs: { command: 'merge', 'search-args': 'shards/*.json' } })));
      for (const m of merges) {
        expect(m.error).toBeUndefined();
        expect(m.result!.commit!.status).toBe('committed');
      }
      expect(merges.reduce((n, m) => n + m.result!.commit!.merges, 0)).toBeGreaterThan(0);
      // One store commit per target; the final store holds every target's measurements of every model.
      expect(gh.writes()).toHaveLength(8 + merges.reduce((n, m) => n + m.result!.commit!.attempts - 1, 0));
      const final = parseStore(gh.fileAt('master', STORE)!, 'final');
      expect(final.records.map((r) => r.name).sort()).toEqual([...ALL].sort());
      for (const r of final.records) {
        const keys = Object.keys(r.targets).filter((k) => k !== ACTION_FAKE_TARGET.key).sort();
        expect(keys).toEqual(targets.map((t) => `cpu-${t}`).sort());
        // Each target's value is its own runner's, expressed through the anchor (shard 2's 1.3x cancels).
        for (const [ti, t] of targets.entries()) {
          const macsMs = base.records.find((b) => b.name === r.name)!.targets[ACTION_FAKE_TARGET.key].latest.median_ms;
          expect(r.targets[`cpu-${t}`].latest.median_ms / (macsMs * (1 + ti / 10))).toBeCloseTo(1, 2);
        }
        // The reference target's entry is untouched.
        expect(r.targets[ACTION_FAKE_TARGET.key]).toEqual(base.records.find((b) => b.name === r.name)!.targets[ACTION_FAKE_TARGET.key]);
      }
    });
  }, 60_000);

  test('merge refuses a profile result and a glob that matches nothing', async () => {
    await withGitHub(async (gh) => {
      gh.commit('master', { [STORE]: serializeStore(await referenceStore(['mobilenet-v2'])) });
      const none = await run(gh.url, { event: 'schedule', payload: schedule(), inputs: { command: 'merge', 'search-args': 'shards/*.json' } });
      expect((none.error as Error).message).toBe('input search-args: "shards/*.json" matches no file in the workspace');
      const profile = await run(gh.url, { event: 'schedule', payload: schedule(), files: { 'p.json': JSON.stringify({ kind: 'frontier-gate/profile' }) }, inputs: { command: 'merge', 'search-args': 'p.json' } });
      expect((profile.error as Error).message).toMatch(/p\.json is a profile shard result; expected sweep shard results here/);
    });
  });
});

describe('inputs and the drift issue text', () => {
  const read = (m: Record<string, string>) => (name: string) => m[name] ?? '';
  test('store-source and on-drift are validated; git needs no token', async () => {
    const { parseActionInputs } = await import('../src/github/inputs');
    const c = parseActionInputs(read({ 'github-token': 't' }));
    expect(c.storeSource).toBe('api');
    expect(c.onDrift).toBe('report');
    expect(parseActionInputs(read({ 'store-source': 'git' })).storeSource).toBe('git');
    expect(parseActionInputs(read({ 'github-token': 't', 'on-drift': 'Issue+Fail' })).onDrift).toBe('issue+fail');
    expect(() => parseActionInputs(read({ 'github-token': 't', 'store-source': 'svn' }))).toThrow('input store-source: expected one of api | git, got "svn"');
    expect(() => parseActionInputs(read({ 'github-token': 't', 'on-drift': 'panic' }))).toThrow('input on-drift: expected one of report | issue | fail | issue+fail, got "panic"');
    expect(() => parseActionInputs(read({}))).toThrow(/^input github-token: empty/);
  });

  test('the issue lists only moved models; a pasted marker in a person\'s issue is not ours', async () => {
    const { driftIssue, findDriftIssue, movedModels } = await import('../src/github/drift');
    const rows = [
      { name: 'a', provenance: 'config' as const, status: 'slower' as const, latency_ms: 12, ci95_ms: [11.9, 12.1] as [number, number], previous_ms: 10, previous_date: '2026-11-01T00:00:00Z', drift: 0.2, drift_ci95: [0.17, 0.23] as [number, number] },
      { name: 'b', provenance: 'config' as const, status: 'within' as const, latency_ms: 5, ci95_ms: [4.9, 5.1] as [number, number], previous_ms: 5, previous_date: '2026-11-01T00:00:00Z', drift: 0, drift_ci95: [-0.03, 0.03] as [number, number] },
      { name: 'c|x', provenance: 'config' as const, status: 'faster' as const, latency_ms: 4, ci95_ms: [3.9, 4.1] as [number, number], previous_ms: 5, previous_date: '2026-11-01T00:00:00Z', drift: -0.2, drift_ci95: [-0.23, -0.17] as [number, number] },
    ];
    const moved = movedModels(rows);
    expect(moved.map((r) => r.name)).toEqual(['a', 'c|x']);
    const { title, body } = driftIssue({ target: { key: 'cpu-k', label: 'cpu · X' }, rows, common_drift: 0, latency_tolerance: 0.03 }, moved, { date: '2026-11-20', sha: 'f'.repeat(40) });
    expect(title).toBe('frontier-gate: latency drift on cpu · X');
    expect(body.split('\n')[0]).toBe(driftMarker('cpu-k'));
    // The sweep's own rendering (src/report): each drift with its interval.
    expect(body).toContain('| a | config | slower | 12.00 (11.90–12.10) | 10.00 (2026-11-01) | +20.0% (+17.0% .. +23.0%) |');
    expect(body).toContain('c\\|x');
    expect(body).not.toMatch(/\| b \|/);
    const issues = [
      { number: 1, title: 't', body: `${driftMarker('cpu-k')}\nfake`, author: 'mallory' },
      { number: 2, title: 't', body: `${driftMarker('cpu-k')}\nours`, author: 'github-actions[bot]' },
    ];
    expect(findDriftIssue(issues, 'cpu-k')?.number).toBe(2);
    expect(findDriftIssue(issues, 'cpu-other')).toBeUndefined();
  });
});
