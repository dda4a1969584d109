/**
 * docs/first-day.md replayed end to end against the loopback GitHub API: the shell commands are read from
 * the doc's ```sh blocks and run as written (frontier-gate through the CLI's main in-process; git modelled
 * on the fake GitHub; the npm install is the packed-tarball test's, __tests__/package.pack.test.ts), the
 * workflow is the file those commands wrote, and each event the doc describes (the push, the PR, the merge,
 * the nightly schedule) runs the action with that workflow's inputs and permissions, after its `on:`
 * filters are matched by GitHub's rules. The dashboard command is the doc's, and the one in the dashboard
 * workflow it points to.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { loadArchConfigWithSource } from '../src/arch/parse';
import { main } from '../src/cli';
import { parseStore } from '../src/frontier/store';
import { createOctokit, createRepoApi } from '../src/github/api';
import { runAction } from '../src/github/run';
import { githubFiltersMatch } from '../src/util/github-filter';
import { FakeGitHub } from './action.fake-github';
import { MacsMeasurer } from './action.fake-measurer';
import { RecordingIO, ROOT } from './action.harness';

const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'first-day.md'), 'utf8');
const REPO = 'acme/models';
const STORE = '.frontier/frontier.json';

/** The doc's sections ("## 1. ..."), each with its ```sh lines (comments and continuation-free). */
function sections(): { title: string; commands: string[]; yaml: string[] }[] {
  return DOC.split(/^## /m).slice(1).map((part) => {
    const blocks = (lang: string) => [...part.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
    return {
      title: part.split('\n')[0],
      commands: blocks('sh').flatMap((b) => b.split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean),
      yaml: blocks('yaml'),
    };
  });
}

/** Splits a command line as a POSIX shell would for these simple lines (no quotes inside words). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

interface Local {
  dir: string;
  branch: string;
  /** Files added since the branch was created (what a PR changes), and per commit. */
  staged: string[];
  committed: string[];
}

/** Every file of the local clone (relative paths), as git would push them. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out[p] = fs.readFileSync(path.join(dir, p), 'utf8');
    }
  };
  walk('');
  return out;
}

describe('docs/first-day.md, replayed', () => {
  let gh: FakeGitHub;
  let local: Local;
  let checkout: string;
  const measurer = new MacsMeasurer();
  const events: { name: string; result: Awaited<ReturnType<typeof runAction>>; io: RecordingIO }[] = [];

  beforeAll(async () => {
    gh = new FakeGitHub();
    await gh.start();
    gh.strictBranches = true;
    local = { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'first-day-')), branch: 'main', staged: [], committed: [] };
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'first-day-runner-'));
  });
  afterAll(async () => {
    await gh.stop();
    fs.rmSync(local.dir, { recursive: true, force: true });
    fs.rmSync(checkout, { recursive: true, force: true });
  });

  /** Runs one of the doc's command lines in the local clone; returns what frontier-gate printed. */
  async function shell(line: string): Promise<string> {
    const argv = words(line);
    if (argv[0] === 'cd') return ''; // the clone is the test's folder
    if (line.startsWith('ONNXRUNTIME_NODE_INSTALL=skip npm install --save-dev https://')) {
      // The install itself is __tests__/package.pack.test.ts; here package.json and the lock it writes.
      fs.writeFileSync(path.join(local.dir, 'package.json'), '{"devDependencies": {"frontier-gate": "file:frontier-gate-0.1.0.tgz"}}\n');
      fs.writeFileSync(path.join(local.dir, 'package-lock.json'), '{"lockfileVersion": 3}\n');
      return '';
    }
    if (argv[0] === 'mkdir' && argv[1] === '-p') {
      fs.mkdirSync(path.join(local.dir, argv[2]), { recursive: true });
      return '';
    }
    if (argv[0] === 'npx' && argv[1] === 'frontier-gate') {
      const redirect = argv.indexOf('>');
      const args = redirect >= 0 ? argv.slice(2, redirect) : argv.slice(2);
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, { cwd: local.dir, measurer: () => measurer, tty: { stdout: false, stderr: false }, commit: () => undefined });
      expect({ line, code, err: code ? err.join('') : '' }).toEqual({ line, code: 0, err: '' });
      const text = out.join('');
      if (redirect >= 0) fs.writeFileSync(path.join(local.dir, argv[redirect + 1]), text.endsWith('\n') ? text : `${text}\n`);
      return text;
    }
    if (argv[0] === 'git') {
      switch (argv[1]) {
        case 'switch':
          expect(argv[2]).toBe('-c');
          local.branch = argv[3];
          local.committed = [];
          return '';
        case 'add':
          for (const p of argv.slice(2)) {
            expect(fs.existsSync(path.join(local.dir, p))).toBe(true);
            local.staged.push(...Object.keys(tree(local.dir)).filter((f) => f === p || f.startsWith(`${p}/`)));
          }
          return '';
        case 'commit':
          local.committed.push(...local.staged);
          local.staged = [];
          return '';
        case 'push': {
          const branch = argv[argv.length - 1];
          expect(branch).toBe(local.branch);
          const files = Object.fromEntries(Object.entries(tree(local.dir)).filter(([f]) => local.committed.includes(f)));
          const base = gh.branches.get('main');
          gh.commit(branch, files, base);
          return '';
        }
        case 'pull':
          return '';
      }
    }
    throw new Error(`the walkthrough runs a command this replay does not know: ${line}`);
  }

  /** The job the workflow file (as the doc's commands wrote it) runs for an event, with the files it changed. */
  function job(event: string, changed: string[]): { inputs: Record<string, string>; contents: string } {
    const wf = YAML.parse(fs.readFileSync(path.join(local.dir, '.github/workflows/frontier.yml'), 'utf8'));
    const on = wf.on[event];
    expect(on).toBeDefined();
    if (on?.paths) expect(changed.some((f) => githubFiltersMatch(on.paths, f))).toBe(true);
    if (on?.branches) expect(on.branches).toContain('main');
    const [j] = Object.values(wf.jobs) as { permissions: Record<string, string>; steps: { uses?: string; with?: Record<string, unknown> }[] }[];
    const step = j.steps.find((s) => /frontier-gate@/.test(s.uses ?? ''))!;
    return { inputs: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)])), contents: j.permissions.contents };
  }

  /** The runner: checks out `sha` and runs the action with the job's inputs and token. */
  async function runner(event: string, sha: string, ref: string, payload: object, changed: string[]) {
    const { inputs, contents } = job(event, changed);
    fs.rmSync(checkout, { recursive: true, force: true });
    for (const [f, text] of gh.commits.get(sha)!) {
      fs.mkdirSync(path.dirname(path.join(checkout, f)), { recursive: true });
      fs.writeFileSync(path.join(checkout, f), text);
    }
    gh.contentsReadOnly = contents !== 'write';
    const eventPath = path.join(os.tmpdir(), `first-day-event-${process.pid}.json`);
    fs.writeFileSync(eventPath, JSON.stringify({ ...payload, repository: { full_name: REPO, name: 'models', owner: { login: 'acme' }, default_branch: 'main' } }));
    const io = new RecordingIO();
    const env: NodeJS.ProcessEnv = {
      GITHUB_EVENT_NAME: event, GITHUB_EVENT_PATH: eventPath, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: gh.url, GITHUB_WORKSPACE: checkout,
      GITHUB_WORKFLOW: 'frontier', GITHUB_SHA: sha, GITHUB_REF: ref, GITHUB_RUN_ID: String(events.length + 1), 'INPUT_GITHUB-TOKEN': 'ghs_test',
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    };
    const result = await runAction({
      env, io,
      api: (ctx, config) => createRepoApi(createOctokit({ token: config.githubToken, baseUrl: ctx.apiUrl, log: { debug: () => undefined, info: () => undefined, warning: () => undefined }, retryBaseMs: 1, throttle: false }), ctx.repo),
      createMeasurer: () => measurer,
      loadConfig: (file) => loadArchConfigWithSource(file),
      conflictBackoffMs: () => 0,
    });
    fs.rmSync(eventPath, { force: true });
    events.push({ name: event, result, io });
    expect(io.failed).toBeUndefined();
    return { result, io };
  }

  const storeOnMain = () => parseStore(gh.fileAt('main', STORE)!, STORE);

  it('1. install, init and the first push: the store and the workflow as the doc prints it; the push records both models', async () => {
    const [first] = sections();
    expect(first.title).toMatch(/^1\. /);
    for (const line of first.commands) await shell(line);
    // The workflow the commands wrote is the one the doc shows.
    expect(fs.readFileSync(path.join(local.dir, '.github/workflows/frontier.yml'), 'utf8')).toBe(first.yaml[0]);
    const pushed = gh.branches.get('main')!;
    expect(gh.fileAt('main', STORE)).toBeDefined();
    const { result } = await runner('push', pushed, 'refs/heads/main', {
      ref: 'refs/heads/main', before: '0'.repeat(40), after: pushed, commits: [{ added: local.committed }],
    }, local.committed);
    expect(result).toMatchObject({ command: 'record', verdict: 'recorded', commit: { status: 'committed' } });
    const store = storeOnMain();
    expect(store.records.map((r) => r.name).sort()).toEqual(['efficientnet_b0', 'mobilenet_v2']);
    for (const r of store.records) expect(Object.keys(r.targets)).toHaveLength(1);
  });

  it('2. the first pull request: checked against the store at its base, one comment with the chart image from the branch it creates', async () => {
    const second = sections()[1];
    local.committed = [];
    for (const line of second.commands) await shell(line);
    const base = gh.branches.get('main')!;
    const head = gh.branches.get(local.branch)!;
    gh.prFiles.set(1, local.committed.map((f) => ({ filename: f, status: 'added' })));
    const { result, io } = await runner('pull_request', head, 'refs/pull/1/merge', {
      number: 1,
      pull_request: { number: 1, head: { sha: head, ref: local.branch, repo: { full_name: REPO } }, base: { sha: base, ref: 'main', repo: { full_name: REPO } } },
    }, local.committed);
    expect(result).toMatchObject({ command: 'check', verdict: 'new-frontier', comment: 'created' });
    expect(gh.comments).toHaveLength(1);
    const body = gh.comments[0].body;
    expect(body).toMatch(/🟢 new frontier: \*\*mobilenet\\_v3\\_large\*\* \(top-1 75\.27\) moves the frontier/);
    const image = /!\[Top-1 against latency[^\]]*\]\(https:\/\/github\.com\/acme\/models\/raw\/([0-9a-f]{40})\/(frontier-gate\/pr-1\/[^)]+\.svg)\)/.exec(body)!;
    expect(image).not.toBeNull();
    expect(gh.fileAt(image[1], image[2])).toMatch(/^<svg/);
    // The branch was created for it, an orphan; main did not move.
    expect(gh.parents.get(gh.branches.get('frontier-assets')!)).toEqual([]);
    expect(gh.branches.get('main')).toBe(base);
    expect(io.summaries[0]).toContain(image[2]);
  });

  it('3. the merge: record adds the candidate to the store in one commit', async () => {
    const before = gh.branches.get('main')!;
    const merged = gh.commit('main', Object.fromEntries(local.committed.map((f) => [f, fs.readFileSync(path.join(local.dir, f), 'utf8')])));
    const { result } = await runner('push', merged, 'refs/heads/main', { ref: 'refs/heads/main', before, after: merged, commits: [{ added: local.committed }] }, local.committed);
    expect(result).toMatchObject({ command: 'record', verdict: 'recorded', commit: { status: 'committed' } });
    expect(storeOnMain().records.map((r) => r.name).sort()).toEqual(['efficientnet_b0', 'mobilenet_v2', 'mobilenet_v3_large']);
  });

  it('4. the first nightly sweep: every model re-measured, the store committed, the drift report in the summary', async () => {
    expect(sections()[3].title).toMatch(/nightly sweep/);
    const head = gh.branches.get('main')!;
    const { result, io } = await runner('schedule', head, 'refs/heads/main', { schedule: '17 3 * * *' }, []);
    expect(result).toMatchObject({ command: 'sweep', verdict: 'swept', commit: { status: 'committed' } });
    for (const r of storeOnMain().records) expect(Object.values(r.targets)[0].history.length).toBe(2);
    // The records were measured by `record` before any anchor: the first sweep starts the ratio history.
    expect(io.summaries[0]).toMatch(/2 models have no ratio history to this anchor on .* yet/);
    expect(io.summaries[0]).toMatch(/\| mobilenet\\_v2 \| within \| .* \| anchor \|/);
    for (const r of storeOnMain().records) expect(Object.values(r.targets)[0].latest.anchor).toBe('mobilenet_v2');
  });

  it('5. the dashboard: the doc\'s command (the dashboard workflow\'s) builds the site from the store on main', async () => {
    const [line] = sections()[4].commands;
    const dashboard = YAML.parse(fs.readFileSync(path.join(ROOT, 'docs/workflows/frontier-dashboard.yml'), 'utf8'));
    expect(dashboard.on.workflow_run.workflows).toContain(YAML.parse(fs.readFileSync(path.join(local.dir, '.github/workflows/frontier.yml'), 'utf8')).name);
    const runs = (Object.values(dashboard.jobs) as { steps: { run?: string }[] }[]).flatMap((j) => j.steps.map((s) => s.run ?? '')).filter((r) => /frontier-gate report/.test(r));
    expect(runs.map((r) => r.replace('node_modules/.bin/frontier-gate', 'npx frontier-gate'))).toEqual([line]);
    // git pull: the clone gets main's store, then the doc's command.
    fs.writeFileSync(path.join(local.dir, STORE), gh.fileAt('main', STORE)!);
    await shell(line);
    const index = fs.readFileSync(path.join(local.dir, 'site', 'index.html'), 'utf8');
    const page = fs.readdirSync(path.join(local.dir, 'site')).find((f) => f.startsWith('target-'))!;
    expect(index).toContain(page);
    const html = fs.readFileSync(path.join(local.dir, 'site', page), 'utf8');
    for (const name of ['mobilenet_v2', 'efficientnet_b0', 'mobilenet_v3_large']) expect(html).toContain(name);
    expect(events.map((e) => `${e.name}:${e.result.command}`)).toEqual(['push:record', 'pull_request:check', 'push:record', 'schedule:sweep']);
  });
});
