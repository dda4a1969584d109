/**
 * The published package, as a user gets it: `npm pack` (lib/ must be inside: no build on the user's
 * side), installed into an empty folder outside the repository, and its bin run there: stats, check and
 * record (tiny budgets). The install is offline: a lockfile for the empty project is derived from this
 * repository's (the tarball plus its production dependencies, with their integrity hashes), so `npm ci
 * --offline` takes every tarball from the npm cache that the CI's own `npm ci` filled. The bin runs with
 * process.execPath, so under scripts/ci-node24.sh it runs on Node 24.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string; version: string; private?: boolean; files?: string[]; bin: Record<string, string>;
  dependencies: Record<string, string>; scripts: Record<string, string>; license: string; engines: Record<string, string>;
};

let tmp: string;
let tarball: string;
let packed: string[];
let project: string;

interface Lock { packages: Record<string, { dev?: boolean }> }

/** A lockfile for a project whose only dependency is the tarball: npm ci can then install it offline. */
function lockFor(tgzRel: string, tgzBytes: Buffer): unknown {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as Lock;
  const integrity = 'sha512-' + createHash('sha512').update(tgzBytes).digest('base64');
  const packages: Record<string, unknown> = {
    '': { dependencies: { [pkg.name]: `file:${tgzRel}` } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version, resolved: `file:${tgzRel}`, integrity, license: pkg.license,
      dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
    },
  };
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key.startsWith('node_modules/') && !entry.dev) packages[key] = entry;
  }
  return { name: 'user-model-repo', lockfileVersion: 3, requires: true, packages };
}

const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'cli.js'))) throw new Error('lib/ is missing: run npm run build first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-pack-'));
  // --ignore-scripts: prepack (npm run build) already ran in CI; the assertion below checks it is wired.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, env, encoding: 'utf8' });
  const info = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(tmp, path.basename(info[0].filename));
  packed = info[0].files.map((f) => f.path);

  project = path.join(tmp, 'user-model-repo');
  fs.mkdirSync(path.join(project, 'models'), { recursive: true });
  const rel = path.relative(project, tarball);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-model-repo', private: true, dependencies: { [pkg.name]: `file:${rel}` } }, null, 2));
  fs.writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify(lockFor(rel, fs.readFileSync(tarball)), null, 2));
  const res = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: project, env, encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`npm ci --offline of the packed tarball failed (is the npm cache filled by this repository's npm ci?):\n${res.stderr}`);
  }
  // A small model of the user's own, at 64 px so real measurements take milliseconds.
  const mnv2 = fs.readFileSync(path.join(ROOT, 'fixtures', 'archs', 'mobilenet-v2.yaml'), 'utf8');
  fs.writeFileSync(path.join(project, 'models', 'tiny.yaml'), mnv2.replace(/^name: .*$/m, 'name: tiny').replace(/^resolution: .*$/m, 'resolution: 64'));
  fs.writeFileSync(path.join(project, 'models', 'tinier.yaml'), mnv2.replace(/^name: .*$/m, 'name: tinier').replace(/^resolution: .*$/m, 'resolution: 32').replace(/^accuracy: .*$/m, 'accuracy: {top1: 60.0, dataset: imagenet-1k, source: test}'));
}, 120_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the installed bin (through its node_modules/.bin link) with this Node. */
function bin(args: string[]): { code: number | null; out: string; err: string } {
  const link = path.join(project, 'node_modules', '.bin', 'frontier-gate');
  const res = spawnSync(process.execPath, [link, ...args], { cwd: project, env: { ...env, GITHUB_SHA: '' }, encoding: 'utf8', timeout: 90_000 });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

test('the package is publishable: not private, a files list, a bin, and a prepack that builds lib/', () => {
  expect(pkg.private).toBeUndefined();
  expect(pkg.files).toEqual(expect.arrayContaining(['lib/', 'bin/']));
  expect(pkg.scripts.prepack).toMatch(/npm run build/);
  expect(pkg.bin['frontier-gate']).toBe('bin/frontier-gate.js');
});

test('the tarball holds lib/ and the bin, and none of the sources, tests, fixtures or dist/', () => {
  expect(packed).toEqual(expect.arrayContaining(['package.json', 'bin/frontier-gate.js', 'lib/cli.js', 'lib/frontier/store.schema.json', 'README.md']));
  for (const p of packed) expect(p).not.toMatch(/^(src|__tests__|fixtures|dist|scripts|lib\/bench)\//);
});

test('installed into an empty folder: stats, check and record run from the tarball', () => {
  expect(fs.readlinkSync(path.join(project, 'node_modules', '.bin', 'frontier-gate'))).toContain('frontier-gate');
  // Nothing resolves back into this repository: the installed copy is self-contained.
  expect(fs.existsSync(path.join(project, 'node_modules', pkg.name, 'src'))).toBe(false);

  const stats = bin(['stats', 'models/tiny.yaml', '--json']);
  expect(stats.err).toBe('');
  expect(stats.code).toBe(0);
  const counted = JSON.parse(stats.out);
  expect(JSON.stringify(counted)).toContain('tiny');

  const record = bin(['record', 'models/tiny.yaml', 'models/tinier.yaml', '--frontier', '.frontier/frontier.json', '--budget', '0.5']);
  expect(record.code).toBe(0);
  const store = JSON.parse(fs.readFileSync(path.join(project, '.frontier', 'frontier.json'), 'utf8')) as { records: { name: string; targets: Record<string, unknown> }[] };
  expect(store.records.map((r) => r.name).sort()).toEqual(['tinier', 'tiny']);
  expect(Object.keys(store.records[0].targets)).toHaveLength(1);

  // tinier (32 px, top-1 60) is faster but less accurate than tiny: a 64 px copy claiming 50 is dominated.
  const worse = fs.readFileSync(path.join(project, 'models', 'tiny.yaml'), 'utf8').replace(/^name: .*$/m, 'name: worse').replace(/^accuracy: .*$/m, 'accuracy: {top1: 50.0, dataset: imagenet-1k, source: test}');
  fs.writeFileSync(path.join(project, 'models', 'worse.yaml'), worse);
  const check = bin(['check', 'models/worse.yaml', '--frontier', '.frontier/frontier.json', '--budget', '1', '--json']);
  expect([0, 1]).toContain(check.code);
  const report = JSON.parse(check.out) as { verdict: string };
  expect(['dominated', 'inconclusive']).toContain(report.verdict);
  expect(check.code).toBe(report.verdict === 'dominated' ? 1 : 0);
}, 120_000);
