/**
 * Published models on a store in one command (`init --zoo`, `record --zoo`): the selection grammar, one
 * record per published result with a unique name, provenance `published` and the result's fields, the
 * catalogue seam shared with `zoo` (catalogueConfig, findEntry, findResult), and published records on the
 * same frontier as a team's configs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOGUE, catalogueConfig, findEntry, findResult } from '../src/arch/catalogue';
import { publishedModel, publishedName, selectPublished } from '../src/frontier/published';
import { configHash, readStoreFile, storedConfig } from '../src/frontier/store';
import { MacsMeasurer } from './action.fake-measurer';
import { runCommand } from './support/run-command';

let repo: string;
beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-zoo-store-'));
});
afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

const cli = (args: string[]) =>
  runCommand(args[0], [...args.slice(1), '--quiet'], { cwd: repo, measurer: () => new MacsMeasurer(), now: () => new Date('2026-04-01T00:00:00Z'), commit: () => 'abc1234' });
const names = (spec: string) => selectPublished(spec).map((p) => publishedName(p.entry, p.result));

describe('the --zoo selection', () => {
  it('names, weights tags with a resolution, every result of an entry, a family, a timm weights tag, everything', () => {
    expect(names('efficientnet_b0')).toEqual(['efficientnet_b0.imagenet1k_v1.224']);
    expect(names('resnet50:IMAGENET1K_V1,mobilenetv3_large_100:ra_in1k')).toEqual(['resnet50.imagenet1k_v1.224', 'mobilenet_v3_large.ra_in1k.224']);
    expect(names('mobilenetv4_conv_small:e2400_r224_in1k@256')).toEqual(['mobilenetv4_conv_small.e2400_r224_in1k.256']);
    expect(names('resnet50d.a1_in1k')).toEqual(['resnet50d.a1_in1k.224']);
    expect(names('resnet50:all')).toEqual(findEntry('resnet50')!.results.map((r) => `resnet50.${(r.source === 'timm' ? r.weights.split('.')[1] : r.weights).toLowerCase()}.${r.resolution}`));
    expect(names('resnet50:all')).toContain('resnet50.a1_in1k.288');
    expect(names('family:mobilenetv3')).toEqual(['mobilenet_v3_large.imagenet1k_v2.224', 'mobilenet_v3_small.imagenet1k_v1.224']);
    // Each result once, in the order given.
    expect(names('resnet18,all').slice(0, 2)).toEqual(['resnet18.imagenet1k_v1.224', 'resnet34.imagenet1k_v1.224']);
    expect(selectPublished('all')).toHaveLength(CATALOGUE.length);
  });

  it('every published result of the catalogue has its own valid record name', () => {
    const all = CATALOGUE.flatMap((e) => e.results.map((r) => publishedName(e, r)));
    expect(new Set(all).size).toBe(all.length);
    for (const n of all) expect(n).toMatch(/^[a-z0-9._-]{1,128}$/);
  });

  it('unknown names, families and weights are exit 2 with what is allowed', () => {
    expect(() => selectPublished('resnet5O')).toThrow(/--zoo: no published model named "resnet5O"; did you mean "resnet50"\?/);
    expect(() => selectPublished('family:vit')).toThrow(/--zoo: no family "vit"; allowed: resnet, .*mobilenetv3/);
    expect(() => selectPublished('resnet50:IMAGENET1K_V9')).toThrow(/--zoo: resnet50 has no published result "IMAGENET1K_V9"; allowed: IMAGENET1K_V2@224, IMAGENET1K_V1@224, resnet50\.a1_in1k@288, .*or all/);
    expect(() => selectPublished(' , ')).toThrow(/--zoo: expected catalogue names/);
  });

  it('shares the catalogue seam with zoo: the record is catalogueConfig of the result, named for it', () => {
    const entry = findEntry('resnet50d')!;
    const result = findResult(entry, 'a1_in1k@288')!;
    const { model, accuracy } = publishedModel({ entry, result });
    const config = catalogueConfig(entry, result);
    expect(configHash(storedConfig(model.config!))).toBe(configHash(storedConfig(config)));
    expect(model).toMatchObject({ name: 'resnet50d.a1_in1k.288', provenance: 'published', published: { entry: 'resnet50d', source: 'timm', weights: 'resnet50d.a1_in1k', resolution: 288, top1: result.top1 } });
    expect(accuracy).toEqual({ top1: result.top1, dataset: 'imagenet-1k', source: 'timm resnet50d.a1_in1k' });
  });
});

describe('init --zoo and record --zoo', () => {
  it('init --zoo puts the published models on a new store, each with its published result; no config needed', async () => {
    const r = await cli(['init', '--zoo', 'efficientnet_b0,mobilenet_v3_large:IMAGENET1K_V2,resnet50d.ra2_in1k']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Created \.frontier\/frontier\.json with 3 record\(s\) from the published catalogue \(not measured yet/);
    expect(r.out).toMatch(/mobilenet_v3_large\.imagenet1k_v2\.224\s+published\s+torchvision IMAGENET1K_V2\s+top-1 75\.27/);
    const store = readStoreFile(path.join(repo, '.frontier/frontier.json'));
    expect(store.records.map((x) => [x.name, x.provenance])).toEqual([
      ['efficientnet_b0.imagenet1k_v1.224', 'published'], ['mobilenet_v3_large.imagenet1k_v2.224', 'published'], ['resnet50d.ra2_in1k.224', 'published'],
    ]);
    const rec = store.records[2];
    expect(rec.published).toEqual({ entry: 'resnet50d', source: 'timm', weights: 'resnet50d.ra2_in1k', resolution: 224, crop_pct: 0.875, interpolation: 'bicubic', top1: 80.546 });
    expect(rec.accuracy).toEqual({ top1: 80.546, dataset: 'imagenet-1k', source: 'timm resnet50d.ra2_in1k' });
    expect(rec.targets).toEqual({});
  });

  it('init --zoo beside the repository\'s configs: both on one store; a clash of names is exit 2', async () => {
    fs.mkdirSync(path.join(repo, 'models'));
    fs.copyFileSync(path.join(__dirname, '..', 'fixtures/archs/mobilenet-v2.yaml'), path.join(repo, 'models/mobilenet-v2.yaml'));
    const r = await cli(['init', '--zoo', 'mobilenet_v2', '--measure', '--budget', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/with 2 record\(s\) from models\/\*\*\/\*\.\{yaml,yml\} and 1 published model\(s\) of the catalogue, measured on this machine/);
    const store = readStoreFile(path.join(repo, '.frontier/frontier.json'));
    expect(store.records.map((x) => x.provenance).sort()).toEqual(['config', 'published']);
    // The same network: the config fixture is torchvision's mobilenet_v2.
    expect(store.records[0].config_hash).toBe(store.records[1].config_hash);
    for (const x of store.records) expect(Object.keys(x.targets)).toHaveLength(1);
  });

  it('record --zoo measures published models into an existing store and reports them as published; flags for a file\'s accuracy are refused', async () => {
    expect((await cli(['init', '--zoo', 'resnet18'])).code).toBe(0);
    const r = await cli(['record', '--zoo', 'mobilenet_v3_small,resnet18', '--frontier', '.frontier/frontier.json']);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^Recorded 2 models on .*: 1 added, 1 measured for the first time on this target\./);
    expect(r.out).toMatch(/\nmobilenet_v3_small\.imagenet1k_v1\.224 +published +67\.67 +[\d.]+ \([^)]*\) +– \(added\)/);
    const store = readStoreFile(path.join(repo, '.frontier/frontier.json'));
    expect(store.records.every((x) => x.provenance === 'published' && Object.keys(x.targets).length === 1)).toBe(true);
    const bad = await cli(['record', '--zoo', 'resnet18', '--accuracy', '70', '--frontier', '.frontier/frontier.json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--zoo models carry their published top-1/);
  });

  it('a config checked against published models: one frontier, the published contender marked in the report', async () => {
    expect((await cli(['record', '--zoo', 'mobilenet_v2,efficientnet_b0', '--frontier', '.frontier/frontier.json'])).code).toBe(0);
    const cand = path.join(__dirname, '..', 'fixtures/candidates/mobilenet-v2-deeper.yaml');
    const r = await cli(['check', cand, '--frontier', '.frontier/frontier.json']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/dominated by mobilenet_v2\.imagenet1k_v2\.224 \(top-1 72\.15\)/);
    expect(r.out).toMatch(/\nmobilenet_v2\.imagenet1k_v2\.224 +published +72\.15 /);
    expect(r.out).toMatch(/\nmobilenet-v2-deeper +config +71\.0 /);
  });
});
