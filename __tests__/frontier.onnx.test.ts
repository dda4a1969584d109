/**
 * .onnx models as first-class models of the gate: recorded by what they are (repository path, sha256 of the
 * bytes and external data, network hash, counts, inputs), checked as candidates and as stored contenders,
 * swept only when the same bytes are at hand, a re-export of the same network recognised as the same
 * network, accuracy from a model card beside the file, and symbolic dims fixed by --batch / --resolution.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArchConfig } from '../src/arch/parse';
import { configModel, inspectOnnxModel, storedModel } from '../src/frontier/models';
import { readStoreFile, type FrontierStore } from '../src/frontier/store';
import { readOnnxFile } from '../src/measure/inputs';
import type { MeasureOptions, ModelInput } from '../src/measure/types';
import { buildModel } from '../src/onnx/build';
import { onnxNetworkHash } from '../src/onnx/identity';
import { inspectOnnx } from '../src/onnx/inspect';
import { runCommand } from './support/run-command';
import { encodeModel } from './support/onnx-models';
import { FakeMeasurer } from './frontier.support/fake-measurer';

const TINY = (name: string, channels = 8) => `name: ${name}
resolution: 32
classes: 10
stem: {channels: ${channels}, kernel: 3, stride: 2, act: relu}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 2, expand: 4, act: relu}
head: {channels: 32, act: relu}
`;

const CARD = (top1: string) => `---
model-index:
- name: tiny
  results:
  - task: {type: image-classification}
    dataset: {name: ImageNet-1K, type: imagenet-1k}
    metrics:
    - {type: accuracy, value: ${top1}, name: Top 1 Accuracy}
    - {type: accuracy, value: 90.1, name: Top 5 Accuracy}
---
# tiny
`;

let repo: string;
beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-onnx-store-'));
  fs.mkdirSync(path.join(repo, 'models'), { recursive: true });
});
afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

/** Writes the tiny network (or another) as an .onnx file of the repository; `seed` changes the weights, not the network. */
function writeOnnx(rel: string, opts: { seed?: number; channels?: number } = {}): string {
  const config = parseArchConfig(TINY('tiny', opts.channels), 'tiny.yaml');
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), buildModel(config, { seed: opts.seed ?? 1 }));
  return rel;
}

/** A fake measurer that answers for any model, recording what it was handed. */
class AnyMeasurer extends FakeMeasurer {
  readonly inputs: ModelInput[][] = [];
  constructor(private readonly ms: Record<string, number> = {}) {
    super({ latency: new Proxy({}, { get: (_t, name: string) => ms[name] ?? 10 }) });
  }

  override async measure(models: ModelInput[], options?: Partial<MeasureOptions>) {
    this.inputs.push(models);
    return super.measure(models, options);
  }
}

let day = 0;
/** The CLI in the repository's folder; each call a day later (measurements of one day would be one history entry). */
const cli = (args: string[], measurer = new AnyMeasurer()) => {
  const now = new Date(Date.UTC(2026, 2, 1 + day++));
  return runCommand(args[0], [...args.slice(1), '--quiet'], { cwd: repo, measurer: () => measurer, now: () => now, commit: () => 'c0ffee0' });
};
const store = (): FrontierStore => readStoreFile(path.join(repo, '.frontier/frontier.json'));

describe('record of an .onnx model', () => {
  it('stores what it is: repository path, sha256, network hash, counts, inputs, provenance onnx; accuracy from the card beside it', async () => {
    writeOnnx('models/tiny.onnx');
    fs.writeFileSync(path.join(repo, 'models/README.md'), CARD('0.7123'));
    const r = await cli(['record', path.join(repo, 'models/tiny.onnx'), '--frontier', '.frontier/frontier.json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rec = store().records[0];
    const bytes = fs.readFileSync(path.join(repo, 'models/tiny.onnx'));
    const inspected = inspectOnnx(path.join(repo, 'models/tiny.onnx'));
    expect(rec).toMatchObject({
      name: 'tiny', provenance: 'onnx',
      accuracy: { top1: 71.23, dataset: 'ImageNet-1K', source: 'models/README.md: model-index[0].results[0].metrics[0] "Top 1 Accuracy" (fraction x100)' },
      onnx: {
        path: 'models/tiny.onnx', sha256: `sha256:${require('node:crypto').createHash('sha256').update(bytes).digest('hex')}`, external_data: [],
        network_hash: onnxNetworkHash(inspected.model), opset: 17, input: [{ name: 'input', dims: [1, 3, 32, 32], layout: 'NCHW' }], fixed: [], resolution: null,
        counts: { params: inspected.stats.params, macs: inspected.stats.macs, partial: null },
      },
    });
    expect(rec).not.toHaveProperty('config');
    expect(rec).not.toHaveProperty('config_hash');
    expect(r.out).toMatch(/tiny\s+onnx\s+71\.23/);
    expect(r.out).toContain('Top-1 from: tiny: models/README.md: model-index[0].results[0].metrics[0] "Top 1 Accuracy" (fraction x100) (dataset ImageNet-1K).');
  });

  it('a re-export (other bytes, the same network) keeps the history; another network under the name drops it', async () => {
    writeOnnx('models/tiny.onnx', { seed: 1 });
    await cli(['record', 'models/tiny.onnx', '--accuracy', '70', '--frontier', '.frontier/frontier.json']);
    const first = store().records[0];
    writeOnnx('models/tiny.onnx', { seed: 2 });
    const again = await cli(['record', 'models/tiny.onnx', '--accuracy', '70', '--frontier', '.frontier/frontier.json', '--json']);
    expect(JSON.parse(again.out).rows[0].action).toBe('re-exported');
    const second = store().records[0];
    expect(second.onnx!.sha256).not.toBe(first.onnx!.sha256);
    expect(second.onnx!.network_hash).toBe(first.onnx!.network_hash);
    expect(Object.values(second.targets)[0].history).toHaveLength(2);
    writeOnnx('models/tiny.onnx', { channels: 16 });
    const other = await cli(['record', 'models/tiny.onnx', '--accuracy', '70', '--frontier', '.frontier/frontier.json', '--json']);
    expect(JSON.parse(other.out).rows[0].action).toBe('network-changed');
    expect(Object.values(store().records[0].targets)[0].history).toHaveLength(1);
  });

  it('a file outside the repository, or another file under a stored record\'s name, is exit 2 before measuring', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-outside-'));
    fs.writeFileSync(path.join(outside, 'x.onnx'), fs.readFileSync(path.join(repo, writeOnnx('models/x.onnx'))));
    const measurer = new AnyMeasurer();
    const r = await cli(['record', path.join(outside, 'x.onnx'), '--accuracy', '70', '--frontier', '.frontier/frontier.json'], measurer);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is outside the repository/);
    fs.rmSync(outside, { recursive: true, force: true });
    writeOnnx('models/a/model.onnx');
    writeOnnx('models/b/model.onnx', { channels: 16 });
    expect((await cli(['record', 'models/a/model.onnx', '--accuracy', '70', '--frontier', '.frontier/frontier.json'], measurer)).code).toBe(0);
    const clash = await cli(['record', 'models/b/model.onnx', '--accuracy', '71', '--frontier', '.frontier/frontier.json'], measurer);
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/the store's record "model" is models\/a\/model\.onnx; this file would take its name/);
    // A config of the name is no more replaced by an .onnx file than the other way round.
    fs.writeFileSync(path.join(repo, 'models/model.yaml'), TINY('model'));
    const config = await cli(['record', 'models/model.yaml', '--accuracy', '71', '--frontier', '.frontier/frontier.json'], measurer);
    expect(config.code).toBe(2);
    expect(config.err).toMatch(/the store's record "model" is an \.onnx record \(models\/a\/model\.onnx\); this config would take its name: rename one of them/);
    expect(measurer.inputs).toHaveLength(1);
  });

  it('symbolic dims are fixed by --batch and --resolution, stored, said in the report, and used again by sweep', async () => {
    const spec = {
      inputs: [{ name: 'x', dims: ['N', 3, 'H', 'W'] }], outputs: ['y'],
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } }],
      inits: [{ name: 'w', dims: [4, 3, 3, 3], fill: 0.5 }],
    };
    fs.writeFileSync(path.join(repo, 'models/dyn.onnx'), encodeModel(spec));
    const noSize = await cli(['record', 'models/dyn.onnx', '--accuracy', '60', '--frontier', '.frontier/frontier.json']);
    expect(noSize.code).toBe(2);
    expect(noSize.err).toMatch(/input "x" has a dynamic height \(axis 2, "H"\); pass --resolution N to fix it/);
    const measurer = new AnyMeasurer();
    const r = await cli(['record', 'models/dyn.onnx', '--accuracy', '60', '--resolution', '48', '--frontier', '.frontier/frontier.json'], measurer);
    expect(r.code).toBe(0);
    const rec = store().records[0];
    expect(rec.onnx).toMatchObject({
      input: [{ name: 'x', dims: [1, 3, 48, 48] }], resolution: 48,
      fixed: [
        { input: 'x', axis: 0, declared: 'N', value: 1, by: 'default batch 1' },
        { input: 'x', axis: 2, declared: 'H', value: 48, by: '--resolution' },
        { input: 'x', axis: 3, declared: 'W', value: 48, by: '--resolution' },
      ],
    });
    expect(measurer.inputs[0][0]).toMatchObject({ kind: 'onnx', resolution: 48, sha256: rec.onnx!.sha256 });
    expect(r.out).toContain('.onnx models as measured: dyn (models/dyn.onnx): x [1 (N by default), 3, 48 (H by --resolution), 48 (W by --resolution)] NCHW.');
    // The check report says how each dim was fixed.
    const check = await cli(['check', 'models/dyn.onnx', '--accuracy', '61', '--resolution', '48', '--frontier', '.frontier/frontier.json', '--format', 'markdown']);
    expect(check.out).toContain('Model: `models/dyn.onnx` (.onnx, opset 17, fp32) · input x [1 (N by default), 3, 48 (H by --resolution), 48 (W by --resolution)]');
    const sweeper = new AnyMeasurer();
    const swept = await cli(['sweep', '--frontier', '.frontier/frontier.json'], sweeper);
    expect(swept.err).toBe('');
    expect(sweeper.inputs[0][0]).toMatchObject({ kind: 'onnx', name: 'dyn', resolution: 48 });
  });
});

describe('check with .onnx models', () => {
  async function mixedStore(): Promise<void> {
    fs.writeFileSync(path.join(repo, 'models/net.yaml'), TINY('net', 12));
    writeOnnx('models/stored.onnx', { channels: 16 });
    // Both on the stored frontier: the faster one less accurate.
    const r = await cli(['record', 'models/net.yaml', 'models/stored.onnx', '--metrics', 'm.json', '--metrics-key', '{name}', '--frontier', '.frontier/frontier.json'], new AnyMeasurer({ net: 8, stored: 12 }));
    expect(r.code).toBe(0);
  }

  beforeEach(() => fs.writeFileSync(path.join(repo, 'm.json'), JSON.stringify({ net: 71, stored: 75 })));

  it('an .onnx candidate against config and .onnx records: one table with the provenance column, the card\'s dataset and source', async () => {
    await mixedStore();
    writeOnnx('models/cand/tiny.onnx');
    fs.writeFileSync(path.join(repo, 'models/cand/README.md'), CARD('74.5'));
    const measurer = new AnyMeasurer({ tiny: 10, net: 12, stored: 8 });
    const r = await cli(['check', 'models/cand/tiny.onnx', '--frontier', '.frontier/frontier.json', '--format', 'markdown'], measurer);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/dominated: \*\*tiny\*\* \(top-1 74\.5\) is dominated by \*\*stored\*\*/);
    expect(r.out).toMatch(/\| \*\*tiny\*\* \| onnx \| 74\.5 \|/);
    expect(r.out).toMatch(/\| stored \| onnx \| 75\.0 \|/);
    expect(r.out).toMatch(/\| net \| config \| 71\.0 \|/);
    expect(r.out).toMatch(/top-1 from models\/cand\/README\.md:.*"Top 1 Accuracy" \(dataset ImageNet-1K\)/);
    expect(measurer.inputs[0].map((m) => [m.name, m.kind])).toEqual([['tiny', 'onnx'], ['stored', 'onnx'], ['net', 'config']]);
  });

  it('--model-card names the card; without any accuracy the message names the ways to give one', async () => {
    await mixedStore();
    writeOnnx('models/cand/tiny.onnx');
    fs.writeFileSync(path.join(repo, 'card.md'), CARD('73'));
    const r = await cli(['check', 'models/cand/tiny.onnx', '--model-card', 'card.md', '--frontier', '.frontier/frontier.json', '--json']);
    expect(JSON.parse(r.out).candidates[0]).toMatchObject({ accuracy: 73, accuracy_dataset: 'ImageNet-1K', provenance: 'onnx', onnx: { path: 'models/cand/tiny.onnx' } });
    const none = await cli(['check', 'models/cand/tiny.onnx', '--frontier', '.frontier/frontier.json']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/candidate "tiny" has no accuracy: put a model card \(README\.md with model-index\) beside it, pass --model-card FILE/);
  });

  it('a stored .onnx model whose file changed is not measured in its place: the selection goes on without it and the report says so', async () => {
    await mixedStore();
    writeOnnx('models/stored.onnx', { channels: 16, seed: 9 });
    fs.writeFileSync(path.join(repo, 'models/cand.yaml'), TINY('cand', 10));
    const measurer = new AnyMeasurer();
    const r = await cli(['check', 'models/cand.yaml', '--accuracy', '72', '--frontier', '.frontier/frontier.json', '--format', 'markdown'], measurer);
    expect(r.code).toBe(0);
    expect(measurer.inputs[0].map((m) => m.name)).toEqual(['cand', 'net']);
    expect(r.out).toContain('Not measured: stored (its file models/stored.onnx has other bytes than were recorded; record it again to measure it)');
  });
});

describe('sweep of .onnx records', () => {
  it('measures the ones whose bytes are at hand; says which files are missing, changed or LFS pointers, and keeps their history', async () => {
    for (const n of ['a', 'b', 'c', 'd']) writeOnnx(`models/${n}.onnx`, { channels: 8 + 4 * ['a', 'b', 'c', 'd'].indexOf(n) });
    expect((await cli(['record', 'models/a.onnx', 'models/b.onnx', 'models/c.onnx', 'models/d.onnx', '--frontier', '.frontier/frontier.json'])).code).toBe(0);
    const before = store();
    fs.rmSync(path.join(repo, 'models/b.onnx'));
    writeOnnx('models/c.onnx', { channels: 16, seed: 5 });
    fs.writeFileSync(path.join(repo, 'models/d.onnx'), 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1234\n');
    const measurer = new AnyMeasurer();
    const r = await cli(['sweep', '--frontier', '.frontier/frontier.json', '--format', 'markdown'], measurer);
    expect(r.code).toBe(0);
    expect(measurer.inputs[0].map((m) => m.name)).toEqual(['a']);
    expect(r.out).toContain('Not measured at this commit (records and history kept): **b** file missing, **c** file changed since it was recorded, **d** file is a Git LFS pointer (check out LFS files).');
    const after = store();
    for (const n of ['b', 'c', 'd']) expect(after.records.find((x) => x.name === n)).toEqual(before.records.find((x) => x.name === n));
    expect(Object.values(after.records.find((x) => x.name === 'a')!.targets)[0].history).toHaveLength(2);
    const json = await cli(['sweep', '--frontier', '.frontier/frontier.json', '--dry-run', '--json']);
    expect(JSON.parse(json.out).unmeasured.map((u: { name: string; reason: string }) => [u.name, u.reason])).toEqual([['b', 'missing'], ['c', 'changed'], ['d', 'lfs-pointer']]);
  });

  it('a stored path that leaves the repository is refused by the store schema; a symbolic link out of it is never read', async () => {
    writeOnnx('models/a.onnx');
    await cli(['record', 'models/a.onnx', '--frontier', '.frontier/frontier.json']);
    const text = fs.readFileSync(path.join(repo, '.frontier/frontier.json'), 'utf8');
    for (const bad of ['../../etc/x.onnx', '/etc/x.onnx', 'models/../../x.onnx', 'models\\\\a.onnx']) {
      fs.writeFileSync(path.join(repo, '.frontier/frontier.json'), text.replace('"path": "models/a.onnx"', `"path": ${JSON.stringify(bad)}`));
      const r = await cli(['sweep', '--frontier', '.frontier/frontier.json']);
      expect({ bad, code: r.code }).toEqual({ bad, code: 2 });
      expect(r.err).toMatch(/records\[0\] \(a\)\.onnx\.path: must match pattern/);
    }
    fs.writeFileSync(path.join(repo, '.frontier/frontier.json'), text);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-link-'));
    fs.renameSync(path.join(repo, 'models/a.onnx'), path.join(outside, 'a.onnx'));
    fs.symlinkSync(path.join(outside, 'a.onnx'), path.join(repo, 'models/a.onnx'));
    const m = storedModel(store().records[0], { root: repo });
    expect(m).toMatchObject({ reason: 'outside' });
    fs.rmSync(outside, { recursive: true, force: true });
  });
});

describe('the measurer loads only the bytes that were checked', () => {
  it('an .onnx input whose sha256 no longer matches is exit 2, never measured', () => {
    const rel = writeOnnx('models/a.onnx');
    const { model } = inspectOnnxModel(rel, { root: repo });
    expect(() => readOnnxFile('a', path.join(repo, rel), { sha256: model.onnx!.sha256 })).not.toThrow();
    writeOnnx('models/a.onnx', { seed: 3 });
    expect(() => readOnnxFile('a', path.join(repo, rel), { sha256: model.onnx!.sha256 })).toThrow(/the file changed while it was being measured/);
  });

  it('config and .onnx models share the model seam: one input each, counts from the graph or the config', () => {
    const config = parseArchConfig(TINY('tiny'), 'tiny.yaml');
    const rel = writeOnnx('models/tiny.onnx');
    const { model, stats } = inspectOnnxModel(rel, { root: repo });
    expect(model).toMatchObject({ name: 'tiny', provenance: 'onnx', onnxFile: path.join(repo, rel) });
    expect(configModel(config)).toEqual({ name: 'tiny', provenance: 'config', config });
    // The graph's MACs are the config's (the builder's graph of the same network).
    expect(stats.macs).toBe(require('../src/arch/counts').countConfig(config).macs);
  });
});

describe('one store for every provenance', () => {
  it('the dashboard shows config, .onnx and published records in one table with their provenance, counted from the graph or the config', async () => {
    fs.writeFileSync(path.join(repo, 'models/net.yaml'), TINY('net', 12));
    writeOnnx('models/tiny.onnx');
    fs.writeFileSync(path.join(repo, 'm.json'), JSON.stringify({ net: 61, tiny: 62 }));
    expect((await cli(['record', 'models/net.yaml', 'models/tiny.onnx', '--zoo', 'mobilenet_v3_small', '--metrics', 'm.json', '--metrics-key', '{name}', '--frontier', '.frontier/frontier.json'])).code).toBe(0);
    const r = await cli(['report', '--html', 'site', '--frontier', '.frontier/frontier.json']);
    expect(r.code).toBe(0);
    const page = fs.readdirSync(path.join(repo, 'site')).find((f) => f.startsWith('target-'))!;
    const html = fs.readFileSync(path.join(repo, 'site', page), 'utf8');
    for (const p of ['config', 'onnx', 'published']) expect(html).toContain(`<td class="prov" data-v="${p}">${p}</td>`);
    const tiny = inspectOnnx(path.join(repo, 'models/tiny.onnx')).stats;
    expect(html).toMatch(new RegExp(`data-v="tiny">tiny</td><td class="prov" data-v="onnx">onnx</td>.*?<td data-v="${tiny.params}">`));
  });

  it('a sharded sweep leaves out an .onnx model whose file changed; the merge lists it as not measured', async () => {
    fs.writeFileSync(path.join(repo, 'models/net.yaml'), TINY('net', 12));
    writeOnnx('models/a.onnx');
    writeOnnx('models/b.onnx', { channels: 16 });
    expect((await cli(['record', 'models/net.yaml', 'models/a.onnx', 'models/b.onnx', '--frontier', '.frontier/frontier.json'])).code).toBe(0);
    writeOnnx('models/b.onnx', { channels: 16, seed: 4 });
    const measurer = new AnyMeasurer();
    const shard = await cli(['sweep', '--shard', '1/1', '--out', 'shard.json', '--frontier', '.frontier/frontier.json'], measurer);
    expect(shard.err).toBe('');
    // The anchor is the config (rebuilt anywhere); b is not measured from its changed bytes.
    expect(measurer.inputs[0].map((m) => m.name)).toEqual(['net', 'a']);
    const merged = await cli(['merge', 'shard.json', '--frontier', '.frontier/frontier.json', '--json']);
    expect(merged.err).toBe('');
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.out).missing).toEqual(['b']);
  });
});
