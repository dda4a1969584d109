import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import { runLacsCommand } from '../src/commands/lacs';
import { UserError } from '../src/errors';
import { FakeMeasurer, FIXTURES, macsLatency } from './lacs.helpers';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lacs-cmd-'));
const b0 = path.join(FIXTURES, 'efficientnet-b0.yaml');

describe('frontier-gate lacs (injected measurer)', () => {
  test('--json has the issue fields; --family-dir configs load; siblings with accuracy are records and frontier', async () => {
    const dir = tmp();
    const measurer = new FakeMeasurer(macsLatency);
    const { io, out } = capture();
    const code = await runLacsCommand(
      [b0, '--json', '--phi', '2', '--family-dir', path.join(dir, 'family'), '--markdown', path.join(dir, 'r.md'), '--coefficients-out', path.join(dir, 'c.json'), '--quiet'],
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
    expect(stored).toEqual(expect.objectContaining({ alpha: json.chosen.alpha, target_key: 'fake-cpu', base_hash: json.base.config_hash }));

    // A second run compares with the stored coefficients and reuses the measurement cache.
    const second = capture();
    const cache = path.join(dir, 'cache.json');
    await runLacsCommand([b0, '--phi', '1', '--previous', path.join(dir, 'c.json'), '--cache', cache, '--quiet'], second.io, () => new FakeMeasurer(macsLatency));
    expect(second.out.join('')).toMatch(/LACS coefficients unchanged at/);
    expect(JSON.parse(fs.readFileSync(cache, 'utf8')).version).toBe(1);
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

  test('no base config, and a base with no records and no table, are usage errors', async () => {
    const { io } = capture();
    await expect(runLacsCommand([], io, () => new FakeMeasurer())).rejects.toThrow(/expected one base config, got none/);
    const dir = tmp();
    const lone = path.join(dir, 'b0.yaml');
    fs.writeFileSync(lone, fs.readFileSync(b0, 'utf8'));
    await expect(runLacsCommand([lone, '--quiet'], io, () => new FakeMeasurer())).rejects.toThrow(/no accuracy for \d+ candidate/);
  });
});

describe('frontier-gate lacs --frontier STORE', () => {
  test("the store's records with accuracy are the predictor's records and the frontier", async () => {
    const { configHash, emptyStore, serializeStore, storedConfig } = await import('../src/frontier/store');
    const store = emptyStore();
    for (const name of ['efficientnet-b0', 'efficientnet-b1', 'efficientnet-b2', 'efficientnet-b3', 'resnet-18']) {
      const config = loadArchConfig(path.join(FIXTURES, `${name}.yaml`));
      store.records.push({
        name, config_hash: configHash(config), config: storedConfig(config), targets: {},
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
    // The frontier models were re-measured in the family call, beside the family.
    const familyCall = measurer.calls[measurer.calls.length - 1];
    expect(familyCall.names).toEqual(expect.arrayContaining(['efficientnet-b0-lacs-phi1', 'frontier:resnet-18']));
  });
});
