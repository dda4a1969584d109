import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliDeps } from '../src/cli';
import { readStoreFile } from '../src/frontier/store';
import { FAKE_TARGET, FakeMeasurer } from './frontier.support/fake-measurer';
import { runCommand } from './support/run-command';

const ROOT = path.join(__dirname, '..');
const arch = (n: string) => path.join(ROOT, 'fixtures/archs', `${n}.yaml`);
const cand = (n: string) => path.join(ROOT, 'fixtures/candidates', n);

/** This machine, as the fake measurer reports it. */
const LATENCY: Record<string, number> = {
  'mobilenet-v2': 20, 'efficientnet-b0': 30, 'resnet-18': 26, 'mobilenet-v2-deeper': 30, 'mobilenet-v2-192': 15, 'mobilenet-v2-retrained': 20,
};

function deps(latency = LATENCY): CliDeps & { fake: FakeMeasurer } {
  const fake = new FakeMeasurer({ latency });
  return { fake, measurer: () => fake, now: () => new Date('2026-04-01T00:00:00.000Z'), commit: () => 'cafe123' };
}

const run = runCommand;

let dir: string;
let store: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontier-cli-'));
  store = path.join(dir, '.frontier', 'frontier.json');
  const rec = await run('record', [arch('mobilenet-v2'), arch('efficientnet-b0'), arch('resnet-18'), '--frontier', store, '--budget', '1'], deps());
  expect(rec.code).toBe(0);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a store path with a typo', () => {
  it('is not offered as a new store: the near one is named, and record writes nothing', async () => {
    const typo = path.join(dir, '.frontier', 'frontier.jsn');
    const check = await run('check', [cand('mobilenet-v2-deeper.yaml'), '--frontier', typo], deps());
    expect(check.code).toBe(2);
    expect(check.err).toContain(`no frontier store at ${JSON.stringify(typo)}; did you mean ${JSON.stringify(store)}, which exists?`);
    const record = await run('record', [arch('mobilenet-v2'), '--frontier', typo], deps());
    expect(record.code).toBe(2);
    expect(record.err).toMatch(/did you mean .*frontier\.json", which exists\? \(nothing was written/);
    expect(fs.existsSync(typo)).toBe(false);
    // Nothing near: the way to start one is init.
    const elsewhere = path.join(dir, 'other', 'store.json');
    const none = await run('sweep', ['--frontier', elsewhere, '--dry-run'], deps());
    expect(none.code).toBe(2);
    expect(none.err).toContain(`no frontier store at ${JSON.stringify(elsewhere)}; start one from the repository's configs with 'frontier-gate init --frontier ${elsewhere}'`);
    // A different name in the same folder is a new store, not a typo.
    expect((await run('record', [arch('mobilenet-v2'), '--frontier', path.join(dir, '.frontier', 'gpu-store.json'), '--budget', '1'], deps())).code).toBe(0);
  });
});

describe('frontier-gate record', () => {
  it('says "measured for the first time" for stored records never measured on this target (as after init)', async () => {
    const fresh = await run('record', [arch('mobilenet-v2'), '--frontier', store, '--budget', '1'], { ...deps(), measurer: () => new FakeMeasurer({ latency: LATENCY, target: { ...FAKE_TARGET, key: 'cpu-other0001', label: 'cpu · Other CPU x4' } }) });
    expect(fresh.code).toBe(0);
    expect(fresh.out).toContain('1 measured for the first time on this target');
    expect(fresh.out).toMatch(/mobilenet-v2\s+config\s.*– \(first measurement\)/);
    expect(fresh.out).not.toMatch(/\bupdated\b/);
  });

  it('creates the store with one record per config and prints what it did', async () => {
    const s = readStoreFile(store);
    expect(s.records.map((r) => r.name).sort()).toEqual(['efficientnet-b0', 'mobilenet-v2', 'resnet-18']);
    expect(s.records[0].targets['cpu-fake0001'].latest.commit).toBe('cafe123');
    const again = await run('record', [arch('mobilenet-v2'), '--frontier', store, '--json'], deps({ ...LATENCY, 'mobilenet-v2': 21 }));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).rows[0]).toMatchObject({ name: 'mobilenet-v2', action: 'updated', previous_ms: 20, latency_ms: 21 });
  });

  it('takes accuracy from a metrics file for one config, and refuses it for several', async () => {
    const r = await run('record', [cand('mobilenet-v2-retrained.yaml'), '--frontier', store, '--metrics', cand('metrics.json'), '--metrics-key', 'eval.top1'], deps());
    expect(r.code).toBe(0);
    const rec = readStoreFile(store).records.find((x) => x.name === 'mobilenet-v2-retrained')!;
    expect(rec.accuracy).toMatchObject({ top1: 71.85, source: expect.stringMatching(/metrics\.json:eval\.top1$/) });
    const two = await run('record', [arch('mobilenet-v2'), arch('resnet-18'), '--frontier', store, '--accuracy', '70'], deps());
    expect(two.code).toBe(2);
    expect(two.err).toMatch(/--accuracy gives one model's accuracy but 2 configs were given/);
  });

  it('a corrupted store: exit 2, nothing measured, file untouched', async () => {
    fs.writeFileSync(store, '{"version": 1, "records": [{"name": 3}]}');
    const d = deps();
    const r = await run('record', [arch('mobilenet-v2'), '--frontier', store], d);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/invalid frontier store \(read as version 2 from a version 1 store\): records\[0\]/);
    expect(d.fake.calls).toHaveLength(0);
    expect(fs.readFileSync(store, 'utf8')).toBe('{"version": 1, "records": [{"name": 3}]}');
  });
});

describe('frontier-gate check', () => {
  it('exit 1 and a report naming the dominating model for a dominated candidate', async () => {
    const reportFile = path.join(dir, 'out', 'report.md');
    const jsonFile = path.join(dir, 'out', 'report.json');
    const chartFile = path.join(dir, 'out', 'chart.svg');
    const r = await run('check', [cand('mobilenet-v2-deeper.yaml'), '--frontier', store, '--report', reportFile, '--json-report', jsonFile, '--chart', chartFile], deps());
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toMatch(/^❌ dominated: mobilenet-v2-deeper \(top-1 71\.0\) is dominated by mobilenet-v2 /);
    // The terminal gets plain text (no Markdown syntax, escapes or invisible characters); the file gets Markdown.
    expect(r.out).not.toMatch(/\*\*|\\[(._:-]|\u200b|<sub>|```/);
    const md = fs.readFileSync(reportFile, 'utf8');
    expect(md.split('\n')[0]).toMatch(/^❌ dominated: \*\*mobilenet-v2-deeper\*\* \(top-1 71\.0\) is dominated by \*\*mobilenet-v2\*\*/);
    const svg = fs.readFileSync(chartFile, 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('mobilenet-v2-deeper: dominated');
    expect(r.err).toContain(`chart: ${chartFile}`);
    const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    expect(json).toMatchObject({ command: 'check', verdict: 'dominated', candidates: [{ name: 'mobilenet-v2-deeper', dominated_by: { name: 'mobilenet-v2' } }] });
  });

  it('exit 0 for new-frontier and pass; --json prints the JSON report', async () => {
    const nf = await run('check', [cand('mobilenet-v2-192.yaml'), '--frontier', store, '--json'], deps());
    expect(nf.code).toBe(0);
    expect(JSON.parse(nf.out).verdict).toBe('new-frontier');
    const pass = await run('check', [cand('mobilenet-v2-retrained.yaml'), '--frontier', store], deps());
    expect(pass.code).toBe(0);
    expect(pass.out.split('\n')[0]).toMatch(/^✅ pass/);
  });

  it('passes the flags through: tolerances, neighbours, budget, target', async () => {
    const d = deps();
    const r = await run('check', [cand('mobilenet-v2-deeper.yaml'), '--frontier', store, '--latency-tolerance', '0.6', '--neighbors', '1', '--budget', '7', '--ep', 'cpu', '--batch', '2'], d);
    expect(r.code).toBe(0); // 50% slower is inside a 60% tolerance
    expect(d.fake.calls[0].names).toEqual(['mobilenet-v2-deeper', 'mobilenet-v2']);
    expect(d.fake.calls[0].options).toMatchObject({ budgetSeconds: 7, band: 0.6, ep: 'cpu', batch: 2 });
  });

  it('exit 2 with a clear message for bad input', async () => {
    const cases: [string[], RegExp][] = [
      [[cand('mobilenet-v2-deeper.yaml'), '--frontier', path.join(dir, 'nope.json')], /no frontier store at ".*nope\.json"/],
      [[cand('mobilenet-v2-deeper.yaml'), '--frontier', store, '--latency-tolerance', 'lots'], /--latency-tolerance: expected a number >= 0 and <= 1, got "lots"/],
      [[cand('mobilenet-v2-deeper.yaml'), '--frontier', store, '--neighbours', '2'], /unknown flag --neighbours; did you mean --neighbors\?/],
      [[cand('mobilenet-v2-deeper.yaml'), '--frontier', store, '--ep', 'tpu'], /--ep: expected one of cpu \| cuda \| tensorrt \| webgpu, got "tpu"/],
      [['--frontier', store], /no config or .onnx model given/],
      [[arch('efficientnet-x-b0'), '--frontier', store], /candidate "efficientnet-x-b0" has no accuracy/],
      [[cand('mobilenet-v2-retrained.yaml'), '--frontier', store, '--metrics', cand('metrics.json'), '--metrics-key', 'eval.top3'], /no "top3" at "eval"/],
    ];
    for (const [argv, message] of cases) {
      const d = deps();
      const r = await run('check', argv, d);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err).toMatch(message);
      expect(d.fake.calls).toHaveLength(0);
    }
  });

  it('--latency-only reports a position without needing accuracy', async () => {
    const r = await run('check', [arch('efficientnet-x-b0'), '--frontier', store, '--latency-only'], deps({ ...LATENCY, 'efficientnet-x-b0': 25 }));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/latency only: efficientnet-x-b0 runs in 25\.00 ms/);
  });
});

describe('frontier-gate sweep', () => {
  it('reports drift and updates the store; --dry-run leaves it alone', async () => {
    const night = (day: number, latency = LATENCY) => ({ ...deps(latency), now: () => new Date(Date.UTC(2026, 3, 2 + day)) });
    const before = fs.readFileSync(store, 'utf8');
    const dry = await run('sweep', ['--frontier', store, '--dry-run'], night(0, { ...LATENCY, 'resnet-18': 40 }));
    expect(dry.code).toBe(0);
    // The records were measured before sweeps kept ratios to an anchor: nothing to judge them against yet.
    expect(dry.out.split('\n')[0]).toMatch(/^Dry run: .* was not updated\. 2 models have no ratio history to this anchor on .* yet\./);
    expect(fs.readFileSync(store, 'utf8')).toBe(before);
    // Ten quiet nights of history, then resnet-18 slows down: pending the first night, drift the second.
    for (let day = 0; day < 10; day++) expect((await run('sweep', ['--frontier', store], night(day))).code).toBe(0);
    const first = await run('sweep', ['--frontier', store], night(10, { ...LATENCY, 'resnet-18': 40 }));
    expect(first.out).toMatch(/not confirmed by the history .*resnet-18 \+53\.8%/);
    expect(first.out).not.toMatch(/^Drift on/m);
    const real = await run('sweep', ['--frontier', store], night(11, { ...LATENCY, 'resnet-18': 40 }));
    expect(real.code).toBe(0);
    expect(real.out).not.toMatch(/dry run/i);
    expect(real.out.split('\n')[0]).toMatch(/^Drift on .* confirmed by the history: resnet-18 slower since 2026-04-12: \+53\.8% \(\+52\.3% \.\. \+55\.4%\) in the ratio to efficientnet-b0\./);
    const history = readStoreFile(store).records.find((r) => r.name === 'resnet-18')!.targets['cpu-fake0001'].history;
    expect(history.map((h) => h.median_ms).slice(-3)).toEqual([26, 40, 40]);
    expect(history.slice(-1)[0]).toMatchObject({ anchor: 'efficientnet-b0', ratio: expect.any(Number), ratio_ci95: expect.any(Array) });
    const bad = await run('sweep', ['extra.yaml', '--frontier', store], deps());
    expect(bad.code).toBe(2);
  });
});
