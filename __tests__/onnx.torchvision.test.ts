/**
 * Real PyTorch exports (torch.onnx.export of torchvision models, random weights, opsets 11, 13, 15 and 17,
 * one with dynamic batch and spatial axes), made by scripts/ci-torch.sh with Debian's python3-torch into
 * .cache/torchvision-onnx together with PyTorch's own counts, and one converted to fp16. Skipped with one line where they are absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectOnnx } from '../src/onnx/inspect';
import { runCommand } from './support/run-command';

const DIR = process.env.FRONTIER_GATE_TORCH_EXPORTS ?? path.join(__dirname, '..', '.cache', 'torchvision-onnx');
const MANIFEST = path.join(DIR, 'manifest.json');

interface Exported {
  name: string;
  file: string;
  opset: number;
  resolution: number;
  dynamic: boolean;
  params: number;
  bn_channels: number;
  macs: number;
  published: { num_params: number; source: string };
  /** fp16 for the converted copy; fp32 otherwise. */
  precision?: string;
}

const manifest: { torch: string; models: Exported[] } | undefined = fs.existsSync(MANIFEST) ? JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) : undefined;
if (!manifest) process.stderr.write(`onnx.torchvision.test: skipped, no exports at ${DIR} (run scripts/ci-torch.sh)\n`);
const maybe = manifest ? describe : describe.skip;
const models = manifest?.models ?? [];

maybe('torchvision exports: counts against PyTorch', () => {
  it('covers at least three models and opsets from 11 to 17', () => {
    expect(models.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...models.map((m) => m.opset))).toBe(11);
    expect(Math.max(...models.map((m) => m.opset))).toBe(17);
  });

  it.each(models.map((m) => [m.name, m] as const))('%s: MACs exact, params = PyTorch less the folded BN shifts', (_name, m) => {
    const s = inspectOnnx(path.join(DIR, m.file), { resolution: m.resolution }).stats;
    expect(s.opset).toBe(m.opset);
    expect(s.partial).toBeNull();
    expect(s.precision).toBe(m.precision ?? 'fp32');
    expect(s.macs).toBe(m.macs);
    // Folding BN into the conv keeps one of BN's two per-channel vectors (as the conv bias).
    expect(s.params).toBe(m.params - m.bn_channels);
    // Against torchvision's published count: "a few tenths of a percent below".
    const below = 1 - s.params / m.published.num_params;
    expect(below).toBeGreaterThanOrEqual(0);
    expect(below).toBeLessThan(0.005);
    expect(s.layers.reduce((a, l) => a + l.macs, 0)).toBe(s.macs);
  });
});

maybe('torchvision exports through the CLI', () => {
  const dynamic = models.find((m) => m.dynamic);
  const small = models.find((m) => m.name === 'squeezenet1_1') ?? models[0];

  it('stats of a dynamic-axes export asks for --resolution, then says how each dim was fixed', async () => {
    const file = path.join(DIR, dynamic!.file);
    const refused = await runCommand('stats', [file]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/input "input" has a dynamic height \(axis 2, "height"\); pass --resolution N/);
    expect(refused.err).not.toMatch(/\n\s+at /);
    const r = await runCommand('stats', [file, '--resolution', '160', '--batch', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/@ 160px, batch 2 \(fp32; ONNX opset 13, pytorch/);
    expect(r.out).toContain('input [2 (batch by --batch), 3, 160 (height by --resolution), 160 (width by --resolution)] NCHW');
    const json = JSON.parse((await runCommand('stats', [file, '--resolution', '160', '--json'])).out);
    expect(json).toMatchObject({ kind: 'onnx', resolution: 160, batch: 1, partial: null });
    expect(json.layers).toBeUndefined();
    expect(json.macs).toBeLessThan(dynamic!.macs);
  });

  it('the fp16 conversion: the same params and MACs, half the weight and activation bytes', () => {
    const fp16 = models.find((m) => m.precision === 'fp16');
    const fp32 = models.find((m) => m.name === fp16?.name.replace(/_fp16$/, ''));
    const [h, f] = [fp16!, fp32!].map((m) => inspectOnnx(path.join(DIR, m.file)).stats);
    expect([h.params, h.macs, h.precision]).toEqual([f.params, f.macs, 'fp16']);
    expect([h.weight_bytes * 2, h.activation_bytes * 2]).toEqual([f.weight_bytes, f.activation_bytes]);
  });

  it('measure runs an export at the dims that were checked', async () => {
    const r = await runCommand('measure', [path.join(DIR, dynamic!.file), path.join(DIR, small.file), '--resolution', '96', '--batch', '2', '--budget', '1', '--json', '--quiet']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.models.map((m: { name: string }) => m.name)).toEqual([dynamic!.name, small.name]);
  });
});
