import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { localFiles } from '../src/commands/context';
import { modelInputs } from '../src/commands/measure';
import { formatMeasureTable as formatTable } from '../src/report/tables';
import { runCommand } from './support/run-command';
import { GraphBuilder } from '../src/onnx/graph';
import type { CommandIO } from '../src/commands/types';
import type { MeasureResult } from '../src/measure/types';

function capture(): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('frontier-gate measure', () => {
  let dir: string;
  let tiny: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-measure-cli-'));
    const g = new GraphBuilder('fp32');
    g.input('input', [1, 4, 8, 8]);
    g.node('Relu', ['input'], {}, 'output');
    g.output('output', [1, 4, 8, 8]);
    tiny = path.join(dir, 'tiny.onnx');
    fs.writeFileSync(tiny, g.toBytes('tiny'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the JSON shape of the issue for a model against itself', async () => {
    const { code, out } = await runCommand('measure', [tiny, tiny, '--json', '--budget', '1', '--threads', '1']);
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.models.map((m: { name: string }) => m.name)).toEqual(['tiny', 'tiny#2']);
    for (const m of r.models) {
      for (const k of ['median_ms', 'samples', 'cv', 'session_ms', 'first_run_ms', 'p90_ms', 'p99_ms', 'mad_ms', 'outliers']) expect(typeof m[k]).toBe('number');
      expect(m.ci95_ms).toHaveLength(2);
      expect(m.raw_ms).toBeUndefined();
    }
    expect(r.ratios).toHaveLength(1);
    expect(r.ratios[0]).toEqual(expect.objectContaining({ model: 'tiny#2', vs: 'tiny', verdict: expect.stringMatching(/^(same|inconclusive|slower|faster)$/) }));
    expect(r.ratios[0].ci95).toHaveLength(2);
    expect(r.target.key).toMatch(/^cpu-/);
    expect(typeof r.target.label).toBe('string');
  });

  it('measures every batch size and precision in one run (--batch 1,2 --precision fp32,fp16)', async () => {
    const config = path.join(dir, 'tiny-net.yaml');
    fs.writeFileSync(config, 'name: tiny-net\nresolution: 16\nclasses: 4\nstem: {channels: 8, kernel: 3, stride: 2, act: relu}\nstages:\n  - {block: conv, repeats: 1, channels: 8, kernel: 3, stride: 2, act: relu}\nhead: {channels: 16, act: relu}\n');
    const { code, out } = await runCommand('measure', [config, '--batch', '1,2', '--precision', 'fp32,fp16', '--budget', '0.2', '--threads', '1', '--json']);
    expect(code).toBe(0);
    const { runs } = JSON.parse(out);
    expect(runs.map((r: MeasureResult & { batch: number; precision: string }) => [r.batch, r.precision, r.target.fingerprint.batch, r.target.fingerprint.precision, r.models[0].inputs![0].dims[0]])).toEqual([
      [1, 'fp32', 1, 'fp32', 1], [2, 'fp32', 2, 'fp32', 2], [1, 'fp16', 1, 'fp16', 1], [2, 'fp16', 2, 'fp16', 2],
    ]);
    expect(new Set(runs.map((r: MeasureResult) => r.target.key)).size).toBe(4);
    const text = await runCommand('measure', [config, '--batch', '1,2', '--budget', '0.1', '--threads', '1']);
    expect(text.out).toMatch(/== batch 1 fp32\ntarget cpu-[\s\S]*== batch 2 fp32\ntarget cpu-/);
  });

  it('keeps raw samples with --raw', async () => {
    const { out } = await runCommand('measure', [tiny, '--json', '--raw', '--budget', '0.3', '--threads', '1']);
    const r = JSON.parse(out);
    expect(r.models[0].raw_ms.length).toBe(r.models[0].samples);
  });

  it('refuses bad flags and files with messages that quote them', async () => {
    const refused = async (argv: string[]) => {
      const r = await runCommand('measure', argv);
      expect(r.code).toBe(2);
      return r.err;
    };
    expect(await refused([tiny, '--ep', 'tpu'])).toContain('--ep: expected one of cpu | cuda | tensorrt | webgpu, got "tpu"');
    expect(await refused([tiny, '--batch', '0'])).toContain('--batch: expected integers in [1, 4096] separated by commas (e.g. 1,8,64), got "0"');
    expect(await refused([tiny, '--batch', '1,1'])).toContain('--batch: 1 is listed twice in "1,1"');
    expect(await refused([tiny, '--precision', 'fp32,int8'])).toContain('--precision: expected fp32 | fp16 (or several: fp32,fp16), got "fp32,int8"');
    expect(await refused([tiny, '--trt-fp16'])).toContain('--trt-fp16: applies to --ep tensorrt only, not cpu');
    expect(await refused([tiny, '--budgt', '3'])).toMatch(/unknown flag --budgt; did you mean --budget\?/);
    expect(await refused([])).toMatch(/no model given/);
    expect(await refused(['model.pt'])).toContain('model.pt: expected an architecture config (.yaml, .yml) or an ONNX model (.onnx), got ".pt"');
    await expect(modelInputs(['model.pt'], { files: localFiles() })).rejects.toThrow('model.pt: expected an architecture config');
  });

  it('gives exit code 3 and the clear message for cuda here', async () => {
    const { main } = await import('../src/cli');
    const io = capture();
    const code = await main(['measure', tiny, '--ep', 'cuda', '--budget', '0.3'], io);
    if (code === 0) return; // a GPU machine
    expect(code).toBe(3);
    const err = io.stderr.join('\n');
    expect(err).toMatch(/execution provider 'cuda' cannot (load|run) on this machine/);
    // The diagnosis first, and nothing announced before it (no "measuring ... started").
    if (spawnSync('nvidia-smi', ['-L']).status !== 0) expect(err).toMatch(/^error: no NVIDIA GPU here \(nvidia-smi finds none\)/);
    expect(err).not.toMatch(/started/);
    expect(io.stderr.join('\n')).not.toMatch(/at .*\.ts:\d+/);
  });

  it('formats a readable table with ratios and the roofline', () => {
    const m = (name: string, median: number) => ({
      name, median_ms: median, mean_ms: median, p90_ms: median * 1.1, p99_ms: median * 1.3, mad_ms: 0.1, cv: 0.02,
      ci95_ms: [median * 0.99, median * 1.01] as [number, number], samples: 120, outliers: 1, session_ms: 80, first_run_ms: 25, warmup_runs: 12, raw_ms: [],
      roofline: { macs: 0.39e9, achieved_gflops: 40, intensity: 8, bound: 'memory' as const, roof_fraction: 0.4 },
    });
    const r: MeasureResult = {
      target: { key: 'cpu-0123456789abcdef', label: 'cpu · X x2', fingerprint: {} as never },
      models: [m('b0', 12.5), m('b0-wide', 13.4)],
      ratios: [{ model: 'b0-wide', vs: 'b0', ratio: 1.072, ci95: [1.06, 1.085], verdict: 'slower' }],
      budget_exhausted: false, rounds: 120, wall_s: 4.2, band: 0.02,
      roofline: { peak_gflops: 100, bandwidth_gbs: 10, ridge_flops_per_byte: 10, matmul_n: 1024, elementwise_elements: 8388608, precision: 'fp32' },
    };
    const text = formatTable(r);
    expect(text).toContain('target cpu-0123456789abcdef  cpu · X x2');
    expect(text).toMatch(/b0-wide\s+13\.40\s+\[13\.27, 13\.53\]/);
    expect(text).toContain('b0-wide  x1.0720  95% CI [1.0600, 1.0850]  slower');
    expect(text).toContain('ratios against b0 (noise band +/- 2.0%)');
    expect(text).toContain('roofline: peak 100.0 GFLOP/s (MatMul 1024^3), bandwidth 10.0 GB/s, ridge 10.0 FLOP/B');
    expect(text).toContain('memory-bound, 40.0% of its roof');
    expect(text).toContain('120 rounds, 4.2 s');
  });
});
