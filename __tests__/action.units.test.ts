/** Unit tests of the action's small pieces: inputs, event context, globs, escaping, markers, GPU provider setup. */
import { COMMANDS as COMMAND_REGISTRY } from '../src/commands';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentError } from '../src/errors';
import { digestInBody, fitMarkdown, marker, markerPrefix } from '../src/github/comment';
import { readEventContext } from '../src/github/event';
import { compileGlobs, globToRegExp, walkGlob } from '../src/util/glob';
import { DEFAULT_CONFIGS_GLOB, parseActionInputs } from '../src/github/inputs';
import { neutraliseCommands } from '../src/report/escape';
import { defaultPackageUrl, ensureProviderLibraries, GPU_PROVIDER_LIBRARIES, type ToolCache } from '../src/github/runtime';
import { escapeMarkdown } from '../src/report/escape';
import { EVENTS } from './action.harness';

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
const TOKEN = { 'github-token': 't' };

describe('inputs', () => {
  test('defaults', () => {
    const c = parseActionInputs(reader(TOKEN));
    expect(c).toMatchObject({
      command: 'auto', configs: DEFAULT_CONFIGS_GLOB, frontier: '.frontier/frontier.json', target: 'auto', executionProvider: 'cpu',
      batchSize: 1, precision: 'fp32', latencyTolerance: 0.03, accuracyTolerance: 0.1, onFail: 'both', comment: true,
    });
    expect(c.budgetSeconds).toBeUndefined();
    expect(c.frontierRef).toBeUndefined();
  });

  test.each([
    // Any command of the registry (src/commands/index.ts) is an action command.
    [{ command: 'deploy' }, `input command: expected one of ${['auto', ...COMMAND_REGISTRY.map((c) => c.name)].join(' | ')}, got "deploy"`],
    [{ 'execution-provider': 'rocm' }, 'input execution-provider: expected one of cpu | cuda | tensorrt | webgpu, got "rocm"'],
    [{ precision: 'int8' }, 'input precision: expected one of fp32 | fp16, got "int8"'],
    [{ 'batch-size': '0' }, 'input batch-size: expected an integer >= 1 and <= 4096, got "0"'],
    [{ 'batch-size': '2.5' }, 'input batch-size: expected an integer >= 1 and <= 4096, got "2.5"'],
    [{ 'latency-tolerance': '5%' }, 'input latency-tolerance: expected a number >= 0 and <= 1, got "5%"'],
    [{ 'budget-seconds': '0' }, 'input budget-seconds: expected a number > 0 and <= 21600, got "0"'],
    [{ comment: 'yes' }, 'input comment: expected true or false, got "yes"'],
    [{ frontier: '../secrets.json' }, 'input frontier: expected a path inside the repository, got "../secrets.json"'],
    [{ frontier: '/etc/passwd' }, 'input frontier: expected a path inside the repository, got "/etc/passwd"'],
    [{ configs: '../**/*.yaml' }, 'input configs: expected a glob inside the repository, got "../**/*.yaml"'],
    [{ 'metrics-key': 'eval.top1' }, 'input metrics-key: set metrics-file too (metrics-key is "eval.top1")'],
    [{ 'frontier-ref': 'main; rm -rf /' }, 'input frontier-ref: expected a commit sha, branch or tag, got "main; rm -rf /"'],
  ])('%j -> %s', (bad, message) => {
    expect(() => parseActionInputs(reader({ ...TOKEN, ...bad }))).toThrow(message);
  });

  test('an empty token is an error naming the input', () => {
    expect(() => parseActionInputs(reader({}))).toThrow(/^input github-token: empty/);
  });

  test('choices are case-insensitive, booleans follow the YAML core schema', () => {
    const c = parseActionInputs(reader({ ...TOKEN, command: 'Check', 'on-fail': 'COMMENT', comment: 'False', 'budget-seconds': '2' }));
    expect(c).toMatchObject({ command: 'check', onFail: 'comment', comment: false, budgetSeconds: 2 });
  });
});

describe('event context', () => {
  const env = (name: string, file: string, extra: NodeJS.ProcessEnv = {}) =>
    readEventContext({ GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: path.join(EVENTS, file), GITHUB_REPOSITORY: 'Codertocat/Hello-World', ...extra });

  test('same-repository PR: base and head commits, not a fork', () => {
    const ctx = env('pull_request', 'pull_request.opened.json');
    expect(ctx.pullRequest).toEqual({
      number: 2, baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e', baseRef: 'master',
      headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', headRef: 'changes', fromFork: false,
    });
    expect(ctx.apiUrl).toBe('https://api.github.com');
  });

  test('fork PR, and a PR whose fork was deleted (head.repo null), are forks', () => {
    expect(env('pull_request', 'pull_request.opened.fork.json').pullRequest?.fromFork).toBe(true);
    const payload = JSON.parse(fs.readFileSync(path.join(EVENTS, 'pull_request.opened.json'), 'utf8'));
    payload.pull_request.head.repo = null;
    const file = path.join(os.tmpdir(), `fg-deleted-fork-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify(payload));
    try {
      expect(readEventContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: 'a/b' }).pullRequest?.fromFork).toBe(true);
    } finally {
      fs.rmSync(file);
    }
  });

  test('push: changed files from the payload commits; GHES API URL from the environment', () => {
    const ctx = env('push', 'push.default-branch.json', { GITHUB_API_URL: 'https://ghe.example/api/v3/' });
    expect(ctx.push).toMatchObject({ ref: 'refs/heads/master', changedFiles: ['README.md'], complete: true });
    expect(ctx.defaultBranch).toBe('master');
    expect(ctx.apiUrl).toBe('https://ghe.example/api/v3');
  });

  test('a payload that is not JSON is a clear error', () => {
    const file = path.join(os.tmpdir(), `fg-bad-event-${process.pid}.json`);
    fs.writeFileSync(file, '{nope');
    try {
      expect(() => readEventContext({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: 'a/b' })).toThrow(/not valid JSON/);
    } finally {
      fs.rmSync(file);
    }
  });
});

describe('globs', () => {
  test.each([
    ['models/**/*.yaml', 'models/a.yaml', true],
    ['models/**/*.yaml', 'models/x/y/a.yaml', true],
    ['models/**/*.yaml', 'models/a.yml', false],
    ['models/**/*.{yaml,yml}', 'models/a.yml', true],
    ['models/*.yaml', 'models/x/a.yaml', false],
    ['models/?.yaml', 'models/a.yaml', true],
    ['models/[ab].yaml', 'models/c.yaml', false],
    ['**/*.yaml', 'a.yaml', true],
    ['models/a.b.yaml', 'models/aXb.yaml', false],
  ])('%s matches %s: %s', (glob, file, expected) => {
    expect(globToRegExp(glob).test(file)).toBe(expected);
  });

  test('several globs and exclusions', () => {
    const m = compileGlobs('models/**/*.yaml\narchs/*.yaml !models/drafts/**');
    expect(m('archs/b.yaml')).toBe(true);
    expect(m('models/drafts/x.yaml')).toBe(false);
    expect(m('./models/ok.yaml')).toBe(true);
  });

  test('walkGlob lists matching files relative to the root, skipping .git and node_modules', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-glob-'));
    for (const f of ['models/a.yaml', 'models/sub/b.yaml', 'node_modules/x/models/c.yaml', '.git/models/d.yaml', 'models/readme.md']) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), '');
    }
    try {
      expect(walkGlob(root, '**/*.yaml')).toEqual(['models/a.yaml', 'models/sub/b.yaml']);
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  });
});

describe('escaping', () => {
  test('escapeMarkdown neutralises HTML, links, mentions, tables and emphasis', () => {
    const out = escapeMarkdown('<b>x</b> [a](https://e.x) @org/team | *y* `z`\nnext');
    expect(out).not.toMatch(/<b>|\[a\]\(|@org|(^|[^\\])\||(^|[^\\])\*|\n/);
    expect(out).toContain('&lt;b&gt;');
  });

  test('log lines cannot issue workflow commands', () => {
    expect(neutraliseCommands('model\n::set-output name=verdict::pass\n  ::error::x')).not.toMatch(/^\s*::/m);
    expect(neutraliseCommands('ratio ::1')).toBe('ratio ::1');
  });

  test('the comment marker cannot be closed early by a workflow or target name', () => {
    const id = { workflow: 'evil --> <script>', target: 'cpu/auto' };
    const m = marker(id, 'abcdef0123456789');
    expect(m.indexOf('-->')).toBe(m.length - 3);
    expect(digestInBody(`${m}\nbody`, id)).toBe('abcdef0123456789');
    expect(markerPrefix({ workflow: 'a', target: 'cpu/auto' })).not.toBe(markerPrefix({ workflow: 'a', target: 'cuda/auto' }));
  });

  test('fitMarkdown leaves a report that fits untouched', () => {
    expect(fitMarkdown('head', 'body', 100, 'hint')).toBe('head\n\nbody');
  });
});

describe('GPU provider libraries', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-gpu-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fakeToolCache(opts: { cached?: string; download?: () => string }): ToolCache & { downloads: string[] } {
    const downloads: string[] = [];
    return {
      downloads,
      find: () => opts.cached ?? '',
      downloadTool: async (url) => {
        downloads.push(url);
        return opts.download!();
      },
      extractZip: async (file) => file,
      cacheDir: async (d) => d,
    };
  }

  function nativeTree(root: string, files = GPU_PROVIDER_LIBRARIES): string {
    const native = path.join(root, 'runtimes', 'linux-x64', 'native');
    fs.mkdirSync(native, { recursive: true });
    for (const f of files) fs.writeFileSync(path.join(native, f), `lib ${f}`);
    return root;
  }

  const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

  test('cpu needs nothing', async () => {
    expect(await ensureProviderLibraries({ ep: 'cpu', dir })).toBe('not-needed');
  });

  (linuxX64 ? test : test.skip)('downloads the NuGet package once and copies the libraries next to the binding', async () => {
    const pkg = nativeTree(path.join(dir, 'pkg'));
    const binding = path.join(dir, 'binding');
    fs.mkdirSync(binding);
    const tc = fakeToolCache({ download: () => pkg });
    expect(await ensureProviderLibraries({ ep: 'cuda', dir: binding, version: '1.30.0', toolCache: tc })).toBe('downloaded');
    expect(tc.downloads).toEqual([defaultPackageUrl('1.30.0')]);
    for (const f of GPU_PROVIDER_LIBRARIES) expect(fs.readFileSync(path.join(binding, f), 'utf8')).toBe(`lib ${f}`);
    // Second call: already in place, no download.
    expect(await ensureProviderLibraries({ ep: 'tensorrt', dir: binding, version: '1.30.0', toolCache: tc })).toBe('present');
    expect(tc.downloads).toHaveLength(1);
  });

  (linuxX64 ? test : test.skip)('a tool-cache hit copies without downloading', async () => {
    const cached = path.join(nativeTree(path.join(dir, 'cache')), 'runtimes', 'linux-x64', 'native');
    const binding = path.join(dir, 'binding');
    fs.mkdirSync(binding);
    const tc = fakeToolCache({ cached });
    expect(await ensureProviderLibraries({ ep: 'cuda', dir: binding, toolCache: tc })).toBe('cached');
    expect(tc.downloads).toHaveLength(0);
  });

  (linuxX64 ? test : test.skip)('offline: an EnvironmentError that says what to do', async () => {
    const tc = fakeToolCache({
      download: () => {
        throw new Error('getaddrinfo ENOTFOUND api.nuget.org');
      },
    });
    const err = await ensureProviderLibraries({ ep: 'cuda', dir, toolCache: tc }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/cannot fetch the onnxruntime .* GPU provider libraries from https:\/\/api\.nuget\.org\/.*ENOTFOUND/);
    expect(err.message).toMatch(/FRONTIER_GATE_ORT_GPU_URL/);
    expect(err.message).toMatch(/execution-provider: cpu/);
  });

  (linuxX64 ? test : test.skip)('a package without the libraries is rejected', async () => {
    const pkg = nativeTree(path.join(dir, 'pkg'), ['libonnxruntime_providers_shared.so']);
    const err = await ensureProviderLibraries({ ep: 'cuda', dir: path.join(dir, 'b'), toolCache: fakeToolCache({ download: () => pkg }) }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/lacks libonnxruntime_providers_cuda\.so, libonnxruntime_providers_tensorrt\.so/);
  });
});

describe('comment upsert', () => {
  test("the bot's own comment is edited, not a user's comment quoting the marker", async () => {
    const { upsertComment, marker: mk } = await import('../src/github/comment');
    const id = { workflow: 'frontier', target: 'cpu/auto' };
    const comments = [
      { id: 1, body: `> quoting\n${mk(id, '1111')}`, author: 'someone' },
      { id: 2, body: `${mk(id, '2222')}\nold report`, author: 'github-actions[bot]' },
    ];
    const calls: string[] = [];
    const api = {
      authenticatedLogin: async () => 'github-actions[bot]',
      listIssueComments: async () => comments,
      createIssueComment: async () => {
        calls.push('create');
        return { id: 3, body: '', author: 'github-actions[bot]' };
      },
      updateIssueComment: async (cid: number) => {
        calls.push(`update ${cid}`);
      },
    } as unknown as import('../src/github/api').RepoApi;
    expect(await upsertComment(api, 2, id, { body: 'new', digest: '3333' })).toEqual({ outcome: 'updated', commentId: 2 });
    expect(await upsertComment(api, 2, id, { body: 'same', digest: '2222' })).toEqual({ outcome: 'unchanged', commentId: 2 });
    expect(calls).toEqual(['update 2']);
  });
});
