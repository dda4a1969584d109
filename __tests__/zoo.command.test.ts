/** `frontier-gate zoo`: list, show, write; bad names and tags are exit 2 with what is allowed; nothing is written on failure. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOGUE } from '../src/arch/catalogue';
import { countConfig } from '../src/arch/counts';
import { loadArchConfig } from '../src/arch/parse';
import { main } from '../src/cli';
import type { CommandIO } from '../src/commands/types';
import type { ZooResult } from '../src/report/result';

function capture(): CommandIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t + '\n'), err: (t: string) => void (io.stderr += t + '\n') };
  return io;
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-zoo-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('frontier-gate zoo', () => {
  it('lists every entry with its counts and best published top-1 (text, markdown and json tell the same)', async () => {
    const io = capture();
    expect(await main(['zoo', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout) as ZooResult;
    expect(r.entries.map((e) => e.name)).toEqual(CATALOGUE.map((e) => e.name));
    expect(r.entries.find((e) => e.name === 'regnet_y_400mf')).toMatchObject({ params: 4_344_144, macs: 401_842_848, resolution: 224, aliases: ['regnety_004'] });
    const text = capture();
    expect(await main(['zoo'], text)).toBe(0);
    expect(text.stdout).toMatch(/^mobilenet_v3_large +MobileNetV3 +mobilenetv3_large_100 +224 +5\.483 M +0\.217 +77\.92 @224 +timm mobilenetv3_large_100\.miil_in21k_ft_in1k$/m);
    expect(text.stdout).not.toMatch(/\\_|\|/);
    const md = capture();
    expect(await main(['zoo', '--format', 'markdown'], md)).toBe(0);
    expect(md.stdout).toContain('| mobilenet\\_v3\\_large | MobileNetV3 |');
  });

  it('shows one entry, found by a timm name, with all its published results', async () => {
    const io = capture();
    expect(await main(['zoo', 'tf_efficientnetv2_s'], io)).toBe(0);
    expect(io.stdout).toContain('efficientnet_v2_s (EfficientNetV2)');
    expect(io.stdout).toContain('21,458,488 params, 8,365,617,152 multiply-adds at 384 px.');
    expect(io.stdout).toMatch(/^IMAGENET1K_V1 +torchvision +384 +1\.000 +bilinear +84\.228$/m);
    expect(io.stdout).toMatch(/^tf_efficientnetv2_s\.in21k_ft_in1k +timm +300 +1\.000 +bicubic +83\.348$/m);
  });

  it('-o writes the config of one result: its resolution, its top-1, where it comes from', async () => {
    const file = path.join(dir, 'mnv4.yaml');
    const io = capture();
    expect(await main(['zoo', 'mobilenetv4_conv_small', '-o', file, '--weights', 'e3600_r256_in1k@320'], io)).toBe(0);
    expect(io.stdout).toContain(`Wrote ${file}: mobilenetv4_conv_small at 320 px, top-1 75.616 (timm mobilenetv4_conv_small.e3600_r256_in1k).`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^# accuracy: timm weights mobilenetv4_conv_small\.e3600_r256_in1k: top-1 75\.616 on ImageNet-1k at 320 px/m);
    const config = loadArchConfig(file);
    expect(config).toMatchObject({ name: 'mobilenetv4_conv_small', resolution: 320, accuracy: { top1: 75.616, source: 'timm mobilenetv4_conv_small.e3600_r256_in1k' } });
    expect(countConfig(config).params).toBe(3_774_024);
  });

  it('-o without --weights writes the first listed result', async () => {
    const file = path.join(dir, 'r50.yaml');
    expect(await main(['zoo', 'resnet50', '-o', file], capture())).toBe(0);
    expect(loadArchConfig(file).accuracy).toEqual({ top1: 80.858, dataset: 'imagenet-1k', source: 'torchvision IMAGENET1K_V2' });
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown name', ['zoo', 'mobilenetv3_lage'], /no published model named "mobilenetv3_lage"; did you mean "mobilenet_v3_large"\?/],
    ['an unknown weights tag', ['zoo', 'resnet50', '-o', 'OUT', '--weights', 'IMAGENET1K_V3'], /resnet50 has no published result "IMAGENET1K_V3"; allowed: IMAGENET1K_V2@224, IMAGENET1K_V1@224, resnet50\.a1_in1k@288/],
    ['a resolution the weights were not evaluated at', ['zoo', 'resnet50d', '-o', 'OUT', '--weights', 'ra2_in1k@256'], /no published result "ra2_in1k@256"/],
    ['-o without a name', ['zoo', '-o', 'OUT'], /-o and --weights need a NAME/],
    ['--weights without -o', ['zoo', 'resnet50', '--weights', 'IMAGENET1K_V1'], /--weights chooses the result -o writes/],
    ['two names', ['zoo', 'resnet50', 'resnet18'], /expected at most one name, got 2/],
  ];
  it.each(bad)('%s is exit 2 and writes nothing', async (_name, argv, message) => {
    const out = path.join(dir, 'out.yaml');
    const io = capture();
    expect(await main(argv.map((a) => (a === 'OUT' ? out : a)), io)).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('-o into a folder fails before anything is written', async () => {
    const io = capture();
    expect(await main(['zoo', 'resnet50', '-o', dir], io)).toBe(2);
    expect(io.stderr).toMatch(/-o/);
  });
});
