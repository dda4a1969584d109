/**
 * The published package, as a team gets it (README "Install"): `npm pack` (lib/ must be inside: no build on
 * the user's side), served as the release asset `OWNER/frontier-gate/releases/download/vX.Y.Z/<tarball>` by
 * a loopback HTTP server, and installed into an empty model repository the way the documented
 * `npm install --save-dev <release URL>` leaves it (package.json pinning the URL, package-lock.json its
 * integrity) followed by `npm ci`, as that repository's CI runs it. Then the first day with its bin: init,
 * record, check, report --html. The other dependencies come from the npm cache that this repository's own
 * `npm ci` filled (the lockfile is derived from this repository's, with their integrity hashes), so nothing
 * is fetched from the registry. The bin runs with process.execPath, so under scripts/ci-node24.sh it runs
 * on Node 24.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string; version: string; private?: boolean; files?: string[]; bin: Record<string, string>; repository?: { url: string };
  dependencies: Record<string, string>; scripts: Record<string, string>; license: string; engines: Record<string, string>;
};

let tmp: string;
let tarball: string;
let packed: string[];
let project: string;

interface Lock { packages: Record<string, { dev?: boolean }> }

/** The lockfile `npm install --save-dev <url>` writes for a project whose only dependency is the tarball. */
function lockFor(url: string, tgzBytes: Buffer): unknown {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as Lock;
  const integrity = 'sha512-' + createHash('sha512').update(tgzBytes).digest('base64');
  const packages: Record<string, unknown> = {
    '': { devDependencies: { [pkg.name]: url } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version, resolved: url, integrity, dev: true, license: pkg.license,
      dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
    },
  };
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key.startsWith('node_modules/') && !entry.dev) packages[key] = { ...entry, dev: true };
  }
  return { name: 'user-model-repo', lockfileVersion: 3, requires: true, packages };
}

const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** The release asset's path on GitHub, as README "Install" documents it. */
const releasePath = (file: string) => `/OWNER/frontier-gate/releases/download/v${pkg.version}/${file}`;
let server: http.Server;

/** npm with the event loop free, so the loopback server can answer it. */
function npmAsync(args: string[], cwd: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => resolve({ code, err }));
  });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'cli.js'))) throw new Error('lib/ is missing: run npm run build first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-pack-'));
  // --ignore-scripts: prepare (npm run build) already ran in CI; the assertion below checks it is wired.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, env, encoding: 'utf8' });
  const info = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(tmp, path.basename(info[0].filename));
  packed = info[0].files.map((f) => f.path);
  const bytes = fs.readFileSync(tarball);

  server = http.createServer((req, res) => {
    if (req.url !== releasePath(path.basename(tarball))) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}${releasePath(path.basename(tarball))}`;

  project = path.join(tmp, 'user-model-repo');
  fs.mkdirSync(path.join(project, 'models'), { recursive: true });
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-model-repo', private: true, devDependencies: { [pkg.name]: url } }, null, 2));
  fs.writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify(lockFor(url, bytes), null, 2));
  const res = await npmAsync(['ci', '--prefer-offline', '--no-audit', '--no-fund'], project);
  if (res.code !== 0) {
    throw new Error(`npm ci of the release tarball failed (is the npm cache filled by this repository's npm ci?):\n${res.err}`);
  }
  // Small models of the user's own, at 64 and 32 px so real measurements take milliseconds.
  const mnv2 = fs.readFileSync(path.join(ROOT, 'fixtures', 'archs', 'mobilenet-v2.yaml'), 'utf8');
  fs.writeFileSync(path.join(project, 'models', 'tiny.yaml'), mnv2.replace(/^name: .*$/m, 'name: tiny').replace(/^resolution: .*$/m, 'resolution: 64'));
  fs.mkdirSync(path.join(project, 'models', 'small'));
  fs.writeFileSync(path.join(project, 'models', 'small', 'tinier.yml'), mnv2.replace(/^name: .*$/m, 'name: tinier').replace(/^resolution: .*$/m, 'resolution: 32').replace(/^accuracy: .*$/m, 'accuracy: {top1: 60.0, dataset: imagenet-1k, source: test}'));
}, 180_000);

afterAll(() => {
  server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the installed bin (through its node_modules/.bin link) with this Node. */
function bin(args: string[]): { code: number | null; out: string; err: string } {
  const link = path.join(project, 'node_modules', '.bin', 'frontier-gate');
  const res = spawnSync(process.execPath, [link, ...args], { cwd: project, env: { ...env, GITHUB_SHA: '' }, encoding: 'utf8', timeout: 90_000 });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

test('the package is publishable: not private, a repository, a files list, a bin, and a prepare that builds lib/', () => {
  expect(pkg.private).toBeUndefined();
  expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[^/]+\/frontier-gate\.git$/);
  expect(pkg.files).toEqual(expect.arrayContaining(['lib/', 'bin/']));
  // `prepare`, not `prepack`: npm pack runs both, but an install from the repository URL
  // (github:OWNER/frontier-gate#<sha>) runs only `prepare` in its clone, so lib/ exists only through it.
  expect(pkg.scripts.prepare).toMatch(/npm run build/);
  expect(pkg.scripts.prepack).toBeUndefined();
  expect(pkg.bin['frontier-gate']).toBe('bin/frontier-gate.js');
});

test('the tarball holds lib/ and the bin, and none of the sources, tests, fixtures or dist/', () => {
  expect(packed).toEqual(expect.arrayContaining(['package.json', 'bin/frontier-gate.js', 'lib/cli.js', 'lib/frontier/store.schema.json', 'README.md']));
  for (const p of packed) expect(p).not.toMatch(/^(src|__tests__|fixtures|dist|scripts|lib\/bench)\//);
});

test('installed from the release URL into an empty model repository: init, record, check and report --html run', () => {
  expect(fs.readlinkSync(path.join(project, 'node_modules', '.bin', 'frontier-gate'))).toContain('frontier-gate');
  // Nothing resolves back into this repository: the installed copy is self-contained.
  expect(fs.existsSync(path.join(project, 'node_modules', pkg.name, 'src'))).toBe(false);

  const stats = bin(['stats', 'models/tiny.yaml', '--json']);
  expect(stats.err).toBe('');
  expect(stats.code).toBe(0);
  expect(JSON.stringify(JSON.parse(stats.out))).toContain('tiny');

  // init: the store from models/**/*.{yaml,yml} (both files, nested), and a workflow whose path filters
  // GitHub matches (no braces).
  const init = bin(['init', '--quiet']);
  expect(init.code).toBe(0);
  expect(init.out).toContain('Created .frontier/frontier.json with 2 record(s)');
  expect(init.out).toContain("paths: ['models/**/*.yaml', 'models/**/*.yml']");
  expect(init.out).toContain('chart-branch: frontier-assets');

  // The budget counts the measuring process's start and its sessions: 4 s leaves the rounds that tell 32 px from 64 px.
  const record = bin(['record', 'models/tiny.yaml', 'models/small/tinier.yml', '--frontier', '.frontier/frontier.json', '--budget', '4']);
  expect(record.code).toBe(0);
  // init stored both unmeasured: record measures them for the first time (it once said "2 updated").
  expect(record.out).toContain('2 measured for the first time on this target');
  const store = JSON.parse(fs.readFileSync(path.join(project, '.frontier', 'frontier.json'), 'utf8')) as { records: { name: string; targets: Record<string, unknown> }[] };
  expect(store.records.map((r) => r.name).sort()).toEqual(['tinier', 'tiny']);
  for (const r of store.records) expect(Object.keys(r.targets)).toHaveLength(1);

  // tinier (32 px, top-1 60) is faster but less accurate than tiny: a 64 px copy claiming 50 is dominated.
  const worse = fs.readFileSync(path.join(project, 'models', 'tiny.yaml'), 'utf8').replace(/^name: .*$/m, 'name: worse').replace(/^accuracy: .*$/m, 'accuracy: {top1: 50.0, dataset: imagenet-1k, source: test}');
  fs.writeFileSync(path.join(project, 'models', 'worse.yaml'), worse);
  const check = bin(['check', 'models/worse.yaml', '--frontier', '.frontier/frontier.json', '--budget', '1', '--json']);
  expect([0, 1]).toContain(check.code);
  const report = JSON.parse(check.out) as { verdict: string };
  expect(['dominated', 'inconclusive']).toContain(report.verdict);
  expect(check.code).toBe(report.verdict === 'dominated' ? 1 : 0);

  // The dashboard step of docs/workflows/frontier-dashboard.yml.
  const site = bin(['report', '--html', 'site', '--frontier', '.frontier/frontier.json']);
  expect(site.code).toBe(0);
  expect(fs.readFileSync(path.join(project, 'site', 'index.html'), 'utf8')).toContain('tinier');
}, 120_000);
