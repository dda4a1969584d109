import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import { main } from '../src/cli';
import type { CommandIO } from '../src/commands/types';
import { UserError } from '../src/errors';
import type { Measurer } from '../src/measure/types';
import { FakeMeasurer, FIXTURES, macsLatency } from './lacs.helpers';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

/** `frontier-gate lacs ...` in-process; a refused run throws its message as a UserError, as the command layer did. */
async function runLacsCommand(argv: string[], io: CommandIO, makeMeasurer: () => Measurer): Promise<number> {
  let err = '';
  const code = await main(['lacs', ...argv], { out: io.out, err: (t) => { err += t; io.err(t); } }, { measurer: () => makeMeasurer(), tty: { stdout: false, stderr: false } });
  if (code !== 0) throw new UserError(err.replace(/^error: /, ''), code);
  return code;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lacs-cmd-'));
const b0 = path.join(FIXTURES, 'efficientnet-b0.yaml');

describe('frontier-gate lacs (injected measurer)', () => {
  test('--json has the issue fields; --family-dir configs load; siblings with accuracy are records and frontier', async () => {
    const dir = tmp();
    const measurer = new FakeMeasurer(macsLatency);
    const { io, out } = capture();
    const code = await runLacsCommand(
      [b0, '--json', '--phi', '2', '--family-dir', path.join(dir, 'family'), '--report', path.join(dir, 'r.md'), '--coefficients-out', path.join(dir, 'c.json'), '--quiet'],
      io,
      () => measurer,
    );
    expect(code).toBe(0);
    const json = JSON.parse(out.join(''));
    for (const k of ['alpha', 'beta', 'gamma', 'objective']) {
      expect(typeof json.chosen[k]).toBe('number');
      expect(typeof json.efficientnet[k]).toBe('number');
    }
    expect([json.efficientnet.alpha, json.efficientnet.beta, json.efficientnet.gamma]).toEqual([1.2, 1.1, 1.15]);
    expect(json.measured_candidates).toBeGreaterThan(1);
    expect(json.family).toHaveLength(3);
    for (const f of json.family) {
      expect(f).toEqual(expect.objectContaining({ phi: expect.any(Number), config: expect.any(Object), latency_ms: expect.any(Number), accuracy: expect.any(Number) }));
      expect(['known', 'predicted']).toContain(f.accuracy_kind);
      expect(['on', 'above', 'below']).toContain(f.position);
    }
    // Sibling fixtures with accuracy: B0..B3 are the base's family, so the predictor is same-family.
    expect(json.predictor.scope).toBe('same-family');
    expect(json.frontier.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['efficientnet-b0', 'resnet-50', 'mobilenet-v2']));
    expect(json.family_files).toHaveLength(3);
    for (const file of json.family_files) {
      const config = loadArchConfig(file);
      expect(config.name).toMatch(/^efficientnet-b0-lacs-phi\d$/);
    }
    // B0 is `family: base`: the report says where the coefficients stand (none stored before).
    expect(fs.readFileSync(path.join(dir, 'r.md'), 'utf8')).toMatch(/no coefficients stored/);
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'c.json'), 'utf8'));
    expect(stored).toEqual(expect.objectContaining({ alpha: json.chosen.alpha, target_key: 'fake-cpu', base_network_hash: json.base.network_hash }));

    // A second run compares with the stored coefficients and reuses the measurement cache.
    const second = capture();
    const cache = path.join(dir, 'cache.json');
    await runLacsCommand([b0, '--phi', '1', '--previous', path.join(dir, 'c.json'), '--cache', cache, '--quiet'], second.io, () => new FakeMeasurer(macsLatency));
    expect(second.out.join('')).toMatch(/LACS coefficients unchanged at/);
    expect(JSON.parse(fs.readFileSync(cache, 'utf8')).version).toBe(2);
    const third = capture();
    await runLacsCommand([b0, '--phi', '1', '--cache', cache, '--json', '--quiet'], third.io, () => new FakeMeasurer(macsLatency));
    expect(JSON.parse(third.out.join('')).measured_candidates).toBe(1);
  });

  test('--accuracy table values are known, others predicted', async () => {
    const dir = tmp();
    const table = path.join(dir, 'acc.yaml');
    fs.writeFileSync(table, '- {alpha: 1.2, beta: 1.1, gamma: 1.15, top1: 79.5}\n');
    const { io, out } = capture();
    await runLacsCommand([b0, '--json', '--phi', '1', '--accuracy', table, '--quiet', '--refine-top', '0'], io, () => new FakeMeasurer(macsLatency));
    const json = JSON.parse(out.join(''));
    expect(json.efficientnet.accuracy).toBe(79.5);
    expect(json.efficientnet.accuracy_kind).toBe('known');
  });

  test('--min-r2 / --max-loo-error set the predictor thresholds: a stricter R² than the fit reaches leaves accuracy unknown', async () => {
    const strict = capture();
    await runLacsCommand([b0, '--json', '--phi', '1', '--quiet', '--min-r2', '0.99'], strict.io, () => new FakeMeasurer(macsLatency));
    const json = JSON.parse(strict.out.join(''));
    expect(json.chosen).toBeNull();
    expect(json.decision.status).toBe('none');
    expect(json.accuracy.fits[0]).toMatchObject({ usable: false, thresholds: { minR2: 0.99, maxLooRmse: 1 } });
    expect(json.accuracy.fits[0].failures[0]).toMatch(/^R² 0\.97 < 0\.99$/);
    const { io } = capture();
    await expect(runLacsCommand([b0, '--max-loo-error=-1'], io, () => new FakeMeasurer())).rejects.toThrow(/--max-loo-error: expected a number >= 0/);
  });

  test.each([
    [['--phi', 'x'], /--phi: expected an integer >= 0 and <= 12, got "x"/],
    [['--grid-step', '0'], /--grid-step: expected a number >= 0.005/],
    [['--accuracy', '/nonexistent/acc.yaml'], /--accuracy: cannot read "\/nonexistent\/acc.yaml": no such file/],
    [['--record', 'x'], /unknown flag --record; did you mean --records\?/],
    [['--records', '/nonexistent'], /--records: "\/nonexistent" does not exist/],
  ])('bad input %p is a UserError before any measurement', async (flags, message) => {
    const measurer = new FakeMeasurer(macsLatency);
    const { io } = capture();
    const run = runLacsCommand([b0, ...flags], io, () => measurer);
    await expect(run).rejects.toThrow(UserError);
    await expect(runLacsCommand([b0, ...flags], io, () => measurer)).rejects.toThrow(message);
    expect(measurer.calls).toHaveLength(0);
  });

  test('no base config is a usage error; a base with no records and no table reports latencies and chooses nothing', async () => {
    const { io } = capture();
    await expect(runLacsCommand([], io, () => new FakeMeasurer())).rejects.toThrow(/expected one base config, got none/);
    const dir = tmp();
    const lone = path.join(dir, 'b0.yaml');
    fs.writeFileSync(lone, fs.readFileSync(b0, 'utf8'));
    const run = capture();
    const coefficients = path.join(dir, 'c.json');
    const family = path.join(dir, 'family');
    const code = await runLacsCommand([lone, '--coefficients-out', coefficients, '--family-dir', family], run.io, () => new FakeMeasurer(macsLatency));
    expect(code).toBe(0);
    const text = run.out.join('');
    expect(text.split('\n')[0]).toBe('LACS for efficientnet-b0 on fake cpu: no choice, accuracy unknown');
    expect(text).toContain('LACS chooses nothing and stores nothing');
    expect(fs.existsSync(coefficients)).toBe(false);
    expect(fs.existsSync(family)).toBe(false);
    const err = run.err.join('\n');
    expect(err).toMatch(/no coefficients were chosen \(accuracy unknown\); .*c\.json was not written/);
    expect(err).toMatch(/no coefficients were chosen \(accuracy unknown\); no family written to .*family/);
  });
});

describe('frontier-gate lacs --frontier STORE', () => {
  test("the store's records with accuracy are the predictor's records and the frontier", async () => {
    const { configHash, emptyStore, serializeStore, storedConfig } = await import('../src/frontier/store');
    const store = emptyStore();
    for (const name of ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3', 'resnet-18']) {
      const config = loadArchConfig(path.join(FIXTURES, `${name}.yaml`));
      store.records.push({
        name, provenance: 'config', config_hash: configHash(config), config: storedConfig(config), targets: {},
        accuracy: { top1: config.accuracy!.top1, dataset: 'imagenet-1k', source: 'torchvision' },
      });
    }
    const dir = tmp();
    const file = path.join(dir, 'frontier.json');
    fs.writeFileSync(file, serializeStore(store));
    const measurer = new FakeMeasurer(macsLatency);
    const { io, out } = capture();
    await runLacsCommand([b0, '--frontier', file, '--json', '--phi', '1', '--quiet'], io, () => measurer);
    const json = JSON.parse(out.join(''));
    expect(json.frontier.map((p: { name: string }) => p.name)).toEqual(['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3', 'resnet-18']);
    expect(json.predictor.n).toBe(4);
    // The frontier models were measured beside the base, except B0, which is the base (one network, one latency).
    const familyCall = measurer.calls[measurer.calls.length - 1];
    expect(familyCall.names[0]).toBe('efficientnet-b0');
    expect(familyCall.names).toEqual(expect.arrayContaining(['frontier:efficientnet-b1', 'frontier:resnet-18']));
    expect(familyCall.names).not.toContain('frontier:efficientnet-b0');
    expect(familyCall.names).not.toContain('efficientnet-b0-lacs-phi1');
    expect(json.frontier.find((p: { name: string }) => p.name === 'efficientnet-b0').latency_ms).toBe(json.base.latency_ms);
  });
});
