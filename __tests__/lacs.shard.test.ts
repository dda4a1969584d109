/** LACS sharded: n shards screen disjoint parts of the grid on runners of different speed; the merged screen gives the unsharded choice. */
import { UserError } from '../src/errors';
import { AccuracyTable } from '../src/lacs/accuracy';
import { candidateGrid } from '../src/lacs/grid';
import { runLacs, type LacsOptions } from '../src/lacs/run';
import { mergeLacsShards, runLacsShard, screenedCache, shardOfHash } from '../src/lacs/shard';
import type { ArchConfig } from '../src/arch/types';
import type { Measurer } from '../src/measure/types';
import { FakeMeasurer, loadFixture, resolutionPunishingLatency, TARGET } from './lacs.helpers';

const base = loadFixture('efficientnet-b0');
const fast: Partial<LacsOptions> = { phi: 1 };
const table = () => new AccuracyTable(candidateGrid().map((c) => ({ coefficients: c, top1: 76 + 4 * (c.beta - 1) + 2 * (c.alpha - 1) })), 'tilted table');
const runner = (speed: number, name: string) =>
  new FakeMeasurer((c: ArchConfig) => resolutionPunishingLatency(c) * speed, { ...TARGET, key: `fake-${name}`, label: name });

test('shards screen disjoint parts of the grid; merged, the run re-measures none of them and chooses as the unsharded run', async () => {
  const plain = await runLacs(base, fast, { measurer: runner(1, 'one'), accuracyTable: table() });
  const screenedPlain = plain.candidates.filter((c) => c.latency_source === 'screen' || c.latency_source === 'refine').length;
  expect(screenedPlain).toBeGreaterThan(10);

  const speeds = [1, 1.4, 0.7];
  const shards = [];
  for (const [i, s] of speeds.entries()) {
    shards.push(await runLacsShard(base, { index: i + 1, count: 3 }, fast, { measurer: runner(s, `r${i}`), accuracyTable: table() }));
  }
  for (const [i, s] of shards.entries()) {
    expect(s.entries.length).toBeGreaterThan(0);
    for (const e of s.entries) expect(shardOfHash(e.hash, 3)).toBe(i + 1);
  }
  const screen = mergeLacsShards(shards);
  expect(screen.targets).toHaveLength(3);
  // Every network the unsharded run screened was screened by exactly one shard.
  const all = new Set(screen.entries.map((e) => e.hash));
  expect(screen.entries).toHaveLength(shards.reduce((n, s) => n + s.entries.length, 0));
  for (const c of plain.candidates) if (c.latency_source === 'screen') expect(all.has(c.network_hash)).toBe(true);

  const merger = runner(1, 'merge');
  const merged = await runLacs(base, fast, { measurer: merger, accuracyTable: table(), cache: screenedCache(screen, base) });
  expect(merged.timing.calls.filter((c) => c.phase === 'screen')).toHaveLength(0);
  expect(merged.chosen).toMatchObject({ alpha: plain.chosen!.alpha, beta: plain.chosen!.beta, gamma: plain.chosen!.gamma });
  expect(merged.chosen!.objective).toBeCloseTo(plain.chosen!.objective, 6);
});

test('merge refuses other bases, other shard counts and duplicates; the screen refuses another base', async () => {
  const a = await runLacsShard(base, { index: 1, count: 2 }, fast, { measurer: runner(1, 'a'), accuracyTable: table() });
  const b = await runLacsShard(base, { index: 2, count: 2 }, fast, { measurer: runner(1, 'b'), accuracyTable: table() });
  expect(() => mergeLacsShards([a, a])).toThrow(/shard 1\/2 is given twice/);
  expect(() => mergeLacsShards([a, { ...b, shard: { index: 2, count: 3 } }])).toThrow(UserError);
  expect(() => mergeLacsShards([a, { ...b, base: { name: 'x', hash: 'other' } }])).toThrow(/merge one LACS run at a time/);
  const other = loadFixture('efficientnet-b1');
  expect(() => screenedCache(mergeLacsShards([a, b]), other)).toThrow(/--screened: the screen is of base efficientnet-b0/);
});

test('CLI: lacs --shard i/n --out, merge --out, lacs --screened', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { runCommand } = await import('./support/run-command');
  const runLacsCommand = async (argv: string[], io: { out: (t: string) => void; err: (t: string) => void }, measurer: () => Measurer) => {
    const r = await runCommand('lacs', argv, { measurer });
    io.out(r.out);
    io.err(r.err);
    return r.code;
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-lacs-shard-'));
  const baseFile = path.join(__dirname, '..', 'fixtures', 'archs', 'efficientnet-b0.yaml');
  const io = { out: () => undefined, err: () => undefined };
  try {
    for (const i of [1, 2]) {
      expect(await runLacsCommand([baseFile, '--phi', '1', '--shard', `${i}/2`, '--out', path.join(dir, `s${i}.json`), '--quiet'], io, () => runner(i, `cli${i}`))).toBe(0);
    }
    const m = await runCommand('merge', [path.join(dir, 's1.json'), path.join(dir, 's2.json'), '--out', path.join(dir, 'screen.json')]);
    expect(m.code).toBe(0);
    expect(m.out).toMatch(/merged 2 of 2 LACS shard\(s\) of efficientnet-b0: \d+ screened network\(s\) from 2 runner\(s\)/);
    const final = new FakeMeasurer(resolutionPunishingLatency);
    let json = '';
    expect(await runLacsCommand([baseFile, '--phi', '1', '--screened', path.join(dir, 'screen.json'), '--json', '--quiet'], { out: (t: string) => void (json += t), err: () => undefined }, () => final)).toBe(0);
    const phases = (JSON.parse(json) as { timing: { calls: { phase: string }[] } }).timing.calls.map((c) => c.phase);
    expect(phases).not.toContain('screen');
    expect(phases).toContain('family');
    const noOut = await runCommand('merge', [path.join(dir, 's1.json')]);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toMatch(/give --out lacs-screen\.json/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
