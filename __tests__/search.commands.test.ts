import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import { main } from '../src/cli';
import { loadSpace } from '../src/search/space';
import { SyntheticMeasurer, syntheticProxy } from '../src/search/synthetic';

const spaceFile = path.join(__dirname, '..', 'fixtures', 'spaces', 'proxylessnas.yaml');
let dir: string;

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, {
    measurer: () => new SyntheticMeasurer(),
    proxy: () => ({ name: 'synthetic', score: async (c) => syntheticProxy(c) }),
    tty: { stdout: false, stderr: false },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-search-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('frontier-gate profile / merge / search', () => {
  test('profile reports the friendliness table and writes a reduced space without kernel 7', async () => {
    const reduced = path.join(dir, 'reduced.yaml');
    const r = await run('profile', spaceFile, '--samples', '4', '--reduce', reduced);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Block profile: proxylessnas on synthetic device');
    expect(r.out).toContain('Reduced space: proxylessnas-reduced');
    const space = loadSpace(reduced);
    expect(space.stages.flatMap((s) => s.blocks).some((b) => b.kernel === 7)).toBe(false);
    expect(fs.readFileSync(reduced, 'utf8')).toMatch(/^# removed MB e6 k7 from s1 \(mac-excess\): costs/m);
  });

  test('profile --chart writes the block chart the terminal text points to, as an SVG that reads at 800 px', async () => {
    const chart = path.join(dir, 'blocks.svg');
    const r = await run('profile', spaceFile, '--samples', '2', '--chart', chart);
    expect(r.code).toBe(0);
    expect(r.out).toContain('(chart: shown where Markdown is rendered: write it with --report FILE.md, or as SVG with --chart FILE.svg)');
    expect(r.err).toContain(`chart: ${chart}`);
    const svg = fs.readFileSync(chart, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Block latency: proxylessnas');
    // One bar per block of the report's chart, the fastest at 0.
    const bars = svg.match(/<g class="mark-rect role-mark[^>]*>(.*?)<\/g>/s)![1].match(/<path /g)!;
    expect(svg).toContain('+0.00%');
    expect(bars.length).toBeGreaterThan(1);
    expect(r.out).not.toContain('xychart-beta'); // the terminal text shows no Mermaid source
    const width = Number(/^<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
    expect(Math.min(...[...svg.matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]))) * 800 / width).toBeGreaterThanOrEqual(11);
    expect((await run('profile', spaceFile, '--chart', path.join(dir, 'blocks.png'))).err).toMatch(/--chart: expected a file name ending in \.svg/);
    expect((await run('merge', path.join(dir, 'none.json'), '--chart', chart)).code).toBe(2);
  });

  test('shards run from the CLI merge to the unsharded result and reduce the same way', async () => {
    const whole = await run('profile', spaceFile, '--samples', '2', '--json');
    const files = [1, 2].map((i) => path.join(dir, `shard${i}.json`));
    for (const [i, f] of files.entries()) expect((await run('profile', spaceFile, '--samples', '2', '--shard', `${i + 1}/2`, '--out', f, '--json')).code).toBe(0);
    const merged = await run('merge', ...files, '--json');
    const strip = (t: string) => {
      const j = JSON.parse(t);
      j.wall_s = 0;
      for (const u of j.units) u.wall_s = 0;
      return j;
    };
    expect(strip(merged.out)).toEqual(strip(whole.out));
    const report = await run('merge', ...files, '--space', spaceFile, '--reduce', path.join(dir, 'r2.yaml'));
    expect(report.code).toBe(0);
    expect(report.out).toContain('mac-excess');
  });

  test('merge refuses a space that is not the profiled one', async () => {
    const f = path.join(dir, 'one.json');
    await run('profile', spaceFile, '--samples', '1', '--out', f, '--json');
    const other = path.join(__dirname, '..', 'fixtures', 'spaces', 'ofa-mobilenetv3.yaml');
    const r = await run('merge', f, '--space', other);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--space .*ofa-mobilenetv3\.yaml: this space \(ofa-mobilenetv3.*is not the one profiled \(proxylessnas/);
  });

  test('search runs full, reduced and random at equal budget, reports hypervolume and writes candidates', async () => {
    const reduced = path.join(dir, 'reduced.yaml');
    const out = path.join(dir, 'search');
    const r = await run('search', spaceFile, '--latency-target', '8', '--reduced', reduced, '--random', '--evaluations', '40', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^evolution, full space proxylessnas .* 40 /m);
    expect(r.out).toMatch(/^evolution, reduced space proxylessnas-reduced .* 40 /m);
    expect(r.out).toMatch(/^random sampling, full space proxylessnas +40 /m);
    expect(r.out).toContain('proxy, not a measured accuracy');
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'search.json'), 'utf8'));
    expect(summary).toHaveLength(3);
    const yamls = fs.readdirSync(out).filter((f) => f.endsWith('.yaml'));
    expect(yamls.length).toBe(summary.reduce((a: number, s: { front: unknown[] }) => a + s.front.length, 0) - dupes(summary));
    expect(fs.readFileSync(path.join(out, yamls[0]), 'utf8')).toMatch(/^# .*\(a proxy, not an accuracy\)\nname: /);
    // Candidates are architecture configs the rest of the tool reads.
    for (const y of yamls) expect(loadArchConfig(path.join(out, y)).name).toBe(y.replace(/\.yaml$/, ''));
  });

  test('bad input gives a clear message and exit 2', async () => {
    expect((await run('profile')).err).toMatch(/expected one search space file/);
    expect((await run('profile', spaceFile, '--shard', '3/2')).err).toMatch(/--shard: expected i\/n .*"3\/2"/);
    expect((await run('profile', spaceFile, '--samples', '0')).err).toMatch(/--samples: expected an integer >= 1/);
    expect((await run('profile', 'missing.yaml')).err).toMatch(/search space: cannot read "missing.yaml": no such file/);
    expect((await run('search', spaceFile)).err).toMatch(/--latency-target MS is required/);
    expect((await run('search', spaceFile, '--latency-target', 'fast')).err).toMatch(/--latency-target: expected a number.*"fast"/);
    expect((await run('merge', path.join(dir, 'nope.json'))).code).toBe(2);
  });
});

/** Front members shared by runs (same name) are written once. */
function dupes(summary: { front: { name: string }[] }[]): number {
  const names = summary.flatMap((s) => s.front.map((c) => c.name));
  return names.length - new Set(names).size;
}
