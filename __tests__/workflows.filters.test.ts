/**
 * GitHub's filter patterns (src/util/github-filter.ts) against the examples of GitHub's "Filter pattern
 * cheat sheet", and every `paths:` filter the project documents or prints against sample paths by those
 * rules: the configs a workflow's frontier-gate step checks must trigger the workflow.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { DEFAULT_INIT_BRANCH, DEFAULT_INIT_CONFIGS, initWorkflow } from '../src/frontier/init-workflow';
import { DEFAULT_STORE_PATH } from '../src/frontier/store';
import { expandBraces, githubFilterProblem, githubFiltersMatch, pathFiltersForGlobs, samplePathsForGlob } from '../src/util/github-filter';
import { compileGlobs } from '../src/util/glob';
import { pick, randInt, seeded } from '../src/util/random';

const ROOT = path.resolve(__dirname, '..');

// [patterns, example matches, paths that must not match]: the cheat sheet's rows (docs.github.com,
// "Workflow syntax for GitHub Actions", Filter pattern cheat sheet), with the non-matches its text implies.
const CHEAT_SHEET: [string[], string[], string[]][] = [
  [['*'], ['README.md', 'server.rb'], ['docs/file.txt']],
  [['*.jsx?'], ['page.js', 'page.jsx'], ['page.jsxx', 'src/page.js']],
  [['**'], ['all/the/files.md', 'README.md'], []],
  [['*.js'], ['app.js', 'index.js'], ['js/index.js', 'app.jsx']],
  [['**.js'], ['index.js', 'js/index.js', 'src/js/app.js'], ['index.ts']],
  [['docs/*'], ['docs/README.md', 'docs/file.txt'], ['docs/mona/octocat.txt', 'README.md']],
  [['docs/**'], ['docs/README.md', 'docs/mona/octocat.txt'], ['src/docs/a.md']],
  [['docs/**/*.md'], ['docs/README.md', 'docs/mona/hello-world.md', 'docs/a/markdown/file.md'], ['docs/a/file.txt', 'README.md']],
  [['**/docs/**'], ['docs/hello.md', 'dir/docs/my-file.txt', 'space/docs/plan/space.doc'], ['dir/doc/x.md']],
  [['**/README.md'], ['README.md', 'js/README.md'], ['README.doc', 'js/README.md.bak']],
  [['**/*src/**'], ['a/src/app.js', 'my-src/code/js/app.js'], ['source/app.js']],
  [['**/*-post.md'], ['my-post.md', 'path/their-post.md'], ['post.md', 'path/post.md']],
  [['**/migrate-*.sql'], ['migrate-10909.sql', 'db/migrate-v1.0.sql', 'db/sept/migrate-v1.sql'], ['db/migrate.sql']],
  [['*.md', '!README.md'], ['hello.md'], ['README.md', 'docs/hello.md']],
  [['*.md', '!README.md', 'README*'], ['hello.md', 'README.md', 'README.doc'], ['docs/hello.md']],
  // Branch and tag rows: the same rules.
  [['feature/*'], ['feature/my-branch', 'feature/your-branch'], ['feature/beta-a/my-branch']],
  [['feature/**'], ['feature/beta-a/my-branch', 'feature/your-branch', 'feature/mona/the/octocat'], ['main']],
  [['*feature'], ['mona-feature', 'feature', 'ver-10-feature'], ['feature-x']],
  [['v2*'], ['v2', 'v2.0', 'v2.9'], ['v1.0']],
  [['v[12].[0-9]+.[0-9]+'], ['v1.10.1', 'v2.0.0'], ['v3.0.0', 'v1.a.0', 'v1..0']],
  [['[CB]at'], ['Cat', 'Bat'], ['Rat', 'at']],
  [['[1-2]00'], ['100', '200'], ['300']],
];

test.each(CHEAT_SHEET)('cheat sheet: %j', (patterns, yes, no) => {
  for (const p of patterns) expect(githubFilterProblem(p)).toBeNull();
  for (const f of yes) expect([f, githubFiltersMatch(patterns, f)]).toEqual([f, true]);
  for (const f of no) expect([f, githubFiltersMatch(patterns, f)]).toEqual([f, false]);
});

test('what GitHub does not document is reported, with what to write instead', () => {
  expect(githubFilterProblem('models/**/*.{yaml,yml}')).toMatch(/braces are not alternatives, list one pattern per alternative/);
  expect(githubFilterProblem('?x')).toMatch(/repeats the preceding character, and nothing precedes it/);
  expect(githubFilterProblem('a*+')).toMatch(/a wildcard precedes it/);
  expect(githubFilterProblem('[!a]x')).toMatch(/alphanumeric characters and ranges/);
  expect(githubFilterProblem('[a-Z]')).toMatch(/alphanumeric characters and ranges/);
  expect(githubFilterProblem('docs/[ab')).toMatch(/not closed/);
  expect(githubFilterProblem('a!b')).toMatch(/negates only as the first character/);
  expect(githubFilterProblem('my dir/*')).toMatch(/" " at 3 is not one of GitHub's filter characters/);
  expect(githubFilterProblem('')).toMatch(/empty/);
});

test('braces expand like the project glob: nested, several groups', () => {
  expect(expandBraces('a{b,c{d,e}}f{1,2}')).toEqual(['abf1', 'abf2', 'acdf1', 'acdf2', 'acef1', 'acef2']);
  expect(expandBraces('plain/*.yaml')).toEqual(['plain/*.yaml']);
});

test("configs globs become filters GitHub matches: braces expanded, what has no equivalent widened, exact excludes kept", () => {
  expect(pathFiltersForGlobs('models/**/*.{yaml,yml}')).toEqual(['models/**/*.yaml', 'models/**/*.yml']);
  expect(pathFiltersForGlobs('nets/*.y?ml !nets/draft-*.yaml')).toEqual(['nets/*.y*ml', '!nets/draft-*.yaml']);
  // A widened exclude would drop configs: it is left out, the action's own glob still excludes.
  expect(pathFiltersForGlobs('nets/*.yaml !nets/?.yaml')).toEqual(['nets/*.yaml']);
  expect(pathFiltersForGlobs('models/c++/[!_]*.yaml')).toEqual(['models/c*/*.yaml']);
  expect(pathFiltersForGlobs('./a/**/b.yaml a/**/b.yaml')).toEqual(['a/**/b.yaml']);
});

test('property: every path a random configs glob matches triggers the filters made from it', () => {
  const rand = seeded(21);
  const parts = ['models', 'nets', 'a', 'b-c', 'x_1', '*', '**', '?', '[ab]', '[!a]', '{yaml,yml}', '{a,b/c}', '.', '+', 'c++'];
  const segment = () => Array.from({ length: randInt(rand, 1, 3) }, () => pick(rand, parts)).join('');
  for (let i = 0; i < 400; i++) {
    const glob = Array.from({ length: randInt(rand, 1, 3) }, segment).join('/');
    const filters = pathFiltersForGlobs(glob);
    for (const f of filters) expect([glob, f, githubFilterProblem(f)]).toEqual([glob, f, null]);
    const inGlob = compileGlobs(glob);
    const samples = [...samplePathsForGlob(glob), ...Array.from({ length: 20 }, () => Array.from({ length: randInt(rand, 1, 4) }, segment).join('/').replace(/[*?[\]{}!]/g, 'a'))];
    // Repository paths as GitHub lists them: no empty, "." or ".." folder names.
    const real = (p: string) => p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
    for (const p of samples.filter((x) => real(x) && inGlob(x))) expect([glob, p, githubFiltersMatch(filters, p)]).toEqual([glob, p, true]);
  }
});

interface Step { uses?: string; with?: Record<string, unknown> }
interface Workflow { on: Record<string, { paths?: string[]; 'paths-ignore'?: string[] } | null>; jobs: Record<string, { steps?: Step[] }> }

/** Every workflow under docs/workflows/ and the ones init prints, with its text. */
function documented(): [string, Workflow][] {
  const dir = path.join(ROOT, 'docs', 'workflows');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yml')).map((f) => [`docs/workflows/${f}`, fs.readFileSync(path.join(dir, f), 'utf8')]);
  const opts = { configs: DEFAULT_INIT_CONFIGS, storePath: DEFAULT_STORE_PATH, branch: DEFAULT_INIT_BRANCH };
  const printed = ['models/**/*.{yaml,yml}', 'nets/*.yaml', 'arch/{mobile,server}/**/*.{yaml,yml} !arch/**/tmp-*.yaml'].map((configs) => [`init --configs ${configs}`, initWorkflow({ ...opts, configs })]);
  return [...files, ...printed].map(([name, text]) => [name, YAML.parse(text) as Workflow]);
}

const eventsWithPaths = (wf: Workflow) => Object.entries(wf.on ?? {}).filter(([, s]) => s && (s.paths || s['paths-ignore'])) as [string, { paths?: string[]; 'paths-ignore'?: string[] }][];

test.each(documented())('%s: its path filters are GitHub filters and trigger for the configs its frontier-gate steps check', (_name, wf) => {
  const configsOf = Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).filter((s) => /frontier-gate@/.test(s.uses ?? '')))
    .map((s) => String(s.with?.configs ?? 'models/**/*.{yaml,yml}'));
  for (const [event, s] of eventsWithPaths(wf)) {
    for (const p of [...(s.paths ?? []), ...(s['paths-ignore'] ?? [])]) expect([event, p, githubFilterProblem(p)]).toEqual([event, p, null]);
    // Configs at the top of models/, nested, in both extensions; and files no workflow should wake up for.
    for (const configs of configsOf) {
      const inConfigs = compileGlobs(configs);
      const samples = [...samplePathsForGlob(configs.split(/\s+/)[0]), 'models/my-net.yaml', 'models/mobile/v3/my-net.yml', 'models/my-net.yml']
        .filter(inConfigs);
      expect(samples.length).toBeGreaterThan(0);
      for (const p of samples) {
        const triggers = (!s.paths || githubFiltersMatch(s.paths, p)) && !(s['paths-ignore'] && githubFiltersMatch(s['paths-ignore'], p));
        expect([event, p, triggers]).toEqual([event, p, true]);
      }
    }
    if (s.paths) for (const p of ['README.md', 'src/train.py', '.github/workflows/ci.yml']) expect([event, p, githubFiltersMatch(s.paths, p)]).toEqual([event, p, false]);
  }
});
