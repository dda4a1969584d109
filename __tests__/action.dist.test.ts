/**
 * End to end, as the runner runs it: `node dist/index.js` from a temporary copy holding only action.yml
 * and dist/ (no node_modules anywhere above it), INPUT_* variables, GITHUB_EVENT_PATH at the trimmed
 * webhook payloads, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, and GITHUB_API_URL at a loopback server
 * that stands in for the GitHub API and records every request. Real onnxruntime measurements of small
 * models with a 2 s budget. Needs the bundle: scripts/package.sh.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseStore, serializeStore } from '../src/frontier/store';
import { blobSha, FakeGitHub } from './action.fake-github';
import { archYaml, readEvent, referenceStore, ROOT } from './action.harness';
import { configModel } from '../src/frontier/models';

const STORE = '.frontier/frontier.json';
const DIST = path.join(ROOT, 'dist', 'index.js');

/** Small variants of the fixtures so that real measurements take milliseconds per run. */
const at = (fixture: string, name: string, resolution: number, top1: number) =>
  archYaml(fixture, name)
    .replace(/^resolution: .*$/m, `resolution: ${resolution}`)
    .replace(/^accuracy: .*$/m, `accuracy: {top1: ${top1}, dataset: imagenet-1k, source: test}`);
const SMALL = at('mobilenet-v2', 'mnv2-64', 64, 72);
const SMALLER = at('mobilenet-v2', 'mnv2-32', 32, 66);
const BIG = at('resnet-50', 'r50-64', 64, 70);

let actionDir: string;
let tmp: string;

beforeAll(() => {
  if (!fs.existsSync(DIST)) throw new Error('dist/index.js is missing: run scripts/package.sh first');
  // A copy holding only action.yml and dist/, outside the repository (no node_modules to fall back on).
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-dist-'));
  actionDir = path.join(tmp, 'action');
  fs.mkdirSync(actionDir);
  fs.copyFileSync(path.join(ROOT, 'action.yml'), path.join(actionDir, 'action.yml'));
  fs.cpSync(path.join(ROOT, 'dist'), path.join(actionDir, 'dist'), { recursive: true });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** GITHUB_OUTPUT uses heredoc blocks: name<<delimiter / value / delimiter. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    out[m[1]] = value.join('\n');
  }
  return out;
}

async function runAction(gh: FakeGitHub, event: string, payload: unknown, workspaceFiles: Record<string, string>, inputs: Record<string, string> = {}, extraEnv: Record<string, string> = {}): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(tmp, 'run-'));
  const workspace = path.join(dir, 'ws');
  for (const [f, text] of Object.entries(workspaceFiles)) {
    fs.mkdirSync(path.dirname(path.join(workspace, f)), { recursive: true });
    fs.writeFileSync(path.join(workspace, f), text);
  }
  fs.mkdirSync(workspace, { recursive: true });
  const files = { event: path.join(dir, 'event.json'), output: path.join(dir, 'output'), summary: path.join(dir, 'summary.md') };
  fs.writeFileSync(files.event, JSON.stringify(payload));
  fs.writeFileSync(files.output, '');
  fs.writeFileSync(files.summary, '');
  const p = payload as { after?: string; ref?: string; repository?: { full_name?: string } };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: p.repository?.full_name ?? 'Codertocat/Hello-World',
    GITHUB_WORKSPACE: workspace,
    GITHUB_WORKFLOW: 'frontier',
    GITHUB_SHA: p.after ?? 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
    GITHUB_REF: p.ref ?? 'refs/pull/2/merge',
    GITHUB_RUN_ID: '7',
    RUNNER_TEMP: path.join(dir, 'runner-temp'),
    RUNNER_TOOL_CACHE: path.join(dir, 'tool-cache'),
    'INPUT_GITHUB-TOKEN': 'ghs_dist_test',
    'INPUT_BUDGET-SECONDS': '2',
    ...extraEnv,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(process.execPath, [path.join(actionDir, 'dist', 'index.js')], { cwd: workspace, env });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stdout += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, outputs: parseOutputs(fs.readFileSync(files.output, 'utf8')), summary: fs.readFileSync(files.summary, 'utf8') };
}

async function withServer<T>(fn: (gh: FakeGitHub) => Promise<T>): Promise<T> {
  const gh = new FakeGitHub();
  await gh.start();
  try {
    return await fn(gh);
  } finally {
    await gh.stop();
  }
}

async function smallStore(): Promise<string> {
  const { parseArchConfig } = await import('../src/arch/parse');
  const { runRecord } = await import('../src/frontier/record');
  const { emptyStore } = await import('../src/frontier/store');
  const { MacsMeasurer } = await import('./action.fake-measurer');
  const configs = [SMALL, SMALLER].map((text, i) => ({ model: configModel(parseArchConfig(text, `small-${i}.yaml`)) }));
  const { store } = await runRecord(emptyStore(), configs, { budgetSeconds: 1 }, { measurer: new MacsMeasurer(), commit: 'base' });
  return serializeStore(store);
}

const pr = readEvent('pull_request.opened.json');

test('pull_request: dominated candidate -> annotation, outputs, summary, one comment created then updated on a new head', async () => {
  await withServer(async (gh) => {
    const store = await smallStore();
    gh.commitAs(pr.pull_request.base.sha, { [STORE]: store });
    gh.prFiles.set(2, [{ filename: 'models/r50-64.yaml', status: 'added' }]);
    const files = { 'models/r50-64.yaml': BIG };

    const first = await runAction(gh, 'pull_request', pr, files);
    expect(first.code).toBe(1);
    expect(first.outputs.verdict).toBe('dominated');
    expect(first.outputs['new-frontier']).toBe('false');
    expect(Number(first.outputs['latency-ms'])).toBeGreaterThan(0);
    expect(Number(first.outputs.ratio)).toBeGreaterThan(1);
    expect(JSON.parse(fs.readFileSync(first.outputs['report-json'], 'utf8')).verdict).toBe('dominated');
    expect(first.summary).toContain('**dominated**');
    const nameLine = BIG.split('\n').findIndex((l) => l.startsWith('name:')) + 1;
    expect(first.stdout).toMatch(new RegExp(`::error title=frontier-gate%3A dominated,file=models/r50-64.yaml,line=${nameLine},col=\\d+::r50-64 is dominated by mnv2-64`));
    // The store was read at the base commit, through the API.
    const reads = gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/contents/${STORE}`));
    expect(reads.map((r) => r.query.ref)).toEqual([pr.pull_request.base.sha]);
    expect(gh.requests.every((r) => r.auth === 'token ghs_dist_test')).toBe(true);
    expect(gh.comments).toHaveLength(1);

    const sync = readEvent('pull_request.synchronize.json');
    sync.pull_request.head.sha = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    sync.pull_request.base.sha = pr.pull_request.base.sha;
    const second = await runAction(gh, 'pull_request', sync, files);
    expect(second.outputs.verdict).toBe('dominated');
    expect(gh.comments).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });
});

test('pull_request: a bad config yields an error annotation at its line; a fork PR makes no write call', async () => {
  await withServer(async (gh) => {
    gh.commitAs(pr.pull_request.base.sha, { [STORE]: await smallStore() });
    const broken = SMALL.replace(/^name: .*$/m, 'name: broken').replace('repeats: 3, channels: 32,', 'repeats: 3, channels: -32,');
    gh.prFiles.set(2, [{ filename: 'models/broken.yaml', status: 'modified' }]);
    const fork = readEvent('pull_request.opened.fork.json');
    const run = await runAction(gh, 'pull_request', fork, { 'models/broken.yaml': broken });
    expect(run.code).not.toBe(0);
    expect(run.outputs.verdict).toBe('invalid');
    const line = broken.split('\n').findIndex((l) => l.includes('channels: -32')) + 1;
    expect(line).toBeGreaterThan(0);
    expect(run.stdout).toMatch(new RegExp(`::error title=frontier-gate%3A invalid architecture config,file=models/broken.yaml,line=${line},col=\\d+::`));
    expect(run.stdout).toMatch(/::warning::frontier-gate makes no write calls in this run: the pull request comes from a fork/);
    expect(gh.writes()).toHaveLength(0);
    expect(run.summary).toContain('**invalid**');
  });
});

test('push to the default branch: record, commit with the sha precondition, merge a 409 conflict without loss', async () => {
  await withServer(async (gh) => {
    const push = readEvent('push.default-branch.json');
    push.before = '2222222222222222222222222222222222222222';
    push.commits[0].added = ['models/mnv2-48.yaml'];
    const store = await smallStore();
    gh.commit('master', { [STORE]: store });
    const baseSha = blobSha(store);
    // Another job records a model while this one measures.
    const otherStore = serializeStore(await referenceStore(['resnet-18']));
    let raced = false;
    gh.beforePut = () => {
      if (!raced) {
        raced = true;
        const merged = parseStore(store, 's');
        merged.records.push(...parseStore(otherStore, 'o').records);
        gh.commit('master', { [STORE]: serializeStore(merged) });
      }
    };
    const run = await runAction(gh, 'push', push, { 'models/mnv2-48.yaml': at('mobilenet-v2', 'mnv2-48', 48, 69) });
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('recorded');
    const puts = gh.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(puts[0].body.sha).toBe(baseSha);
    expect(puts[1].body.sha).not.toBe(baseSha);
    const final = parseStore(gh.fileAt('master', STORE)!, 'final');
    expect(final.records.map((r) => r.name).sort()).toEqual(['mnv2-32', 'mnv2-48', 'mnv2-64', 'resnet-18']);
  });
});

test('execution-provider cuda with the provider package unreachable: a clear environment error, exit 3', async () => {
  await withServer(async (gh) => {
    gh.commitAs(pr.pull_request.base.sha, { [STORE]: await smallStore() });
    gh.prFiles.set(2, [{ filename: 'models/r50-64.yaml', status: 'added' }]);
    const run = await runAction(gh, 'pull_request', pr, { 'models/r50-64.yaml': BIG }, { 'execution-provider': 'cuda' }, {
      FRONTIER_GATE_ORT_GPU_URL: `${gh.url}/nuget/microsoft.ml.onnxruntime.gpu.linux.nupkg`,
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/::error::execution-provider cuda: cannot fetch the onnxruntime 1\.30\.0 GPU provider libraries from http:\/\/127\.0\.0\.1:\d+\/nuget/);
    expect(run.stdout).toContain('or use execution-provider: cpu');
    expect(run.stdout).not.toMatch(/\n\s+at /); // no stack trace
  });
});
