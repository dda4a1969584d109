/**
 * The webgpu provider end to end (a GPU, or lavapipe on a CPU-only machine: scripts/ci-vulkan.sh): built
 * graphs give the CPU provider's outputs for every block kind, fp32 and fp16; `measure` and `record` ->
 * `check` reach verdicts on webgpu. lavapipe is ~25x slower than the CPU provider, so the models are tiny.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Tensor } from 'onnxruntime-node';
import { parseArchConfig } from '../src/arch/parse';
import { ortSessionFactory, type Runner } from '../src/measure/session';
import { buildModel } from '../src/onnx/build';
import { Float16Array } from '@petamoriken/float16';
import { runCommand } from './support/run-command';
import { describeWebGpu } from './support/webgpu';

const stage = (s: string) => `  - {${s}}`;
/**
 * Two tiny networks cover every block kind (each with its own activation, SE on two of them) and both stage
 * transforms: one session per network and precision keeps lavapipe's shader compilation to a few seconds.
 */
const NETWORKS: Record<string, string[]> = {
  'every-block': [
    stage('block: conv, repeats: 1, channels: 16, kernel: 3, stride: 2, act: relu6'),
    stage('block: mbconv, repeats: 2, channels: 16, kernel: 5, stride: 1, expand: 4, se: 0.25, act: swish'),
    stage('block: fused_mbconv, repeats: 1, channels: 24, kernel: 3, stride: 2, expand: 2, se: 0.25, act: hswish'),
    stage('block: basic, repeats: 2, channels: 24, kernel: 3, stride: 1, expand: 1, act: relu'),
    stage('block: bottleneck, repeats: 1, channels: 32, kernel: 3, stride: 2, expand: 0.5, act: gelu'),
    stage('block: dw_bottleneck, repeats: 2, channels: 32, kernel: 3, stride: 1, expand: 2, act: sigmoid'),
  ],
  'stage-transforms': [
    stage('block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 1.0, act: relu, space_to_depth: conv'),
    stage('block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 2, expand: 4, act: relu'),
    stage('block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 1, expand: 4, act: swish, space_to_batch: 2'),
  ],
};

function tinyConfig(name: string, stages: string[], resolution = 32) {
  const text = [`name: ${name}`, `resolution: ${resolution}`, 'classes: 10', 'stem: {channels: 8, kernel: 3, stride: 2, act: relu}', 'stages:', ...stages, 'head: {channels: 32, act: relu}', ''].join('\n');
  return parseArchConfig(text, `${name}.yaml`);
}

async function outputs(runner: Runner): Promise<Float32Array> {
  const out = await runner.outputs!();
  const t = Object.values(out)[0] as Tensor;
  if (t.type !== 'float16') return Float32Array.from(t.data as Float32Array);
  const bits = t.data as Uint16Array;
  return Float32Array.from(new Float16Array(bits.buffer, bits.byteOffset, bits.length));
}

function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / scale;
}

describeWebGpu('webgpu gives the CPU provider\'s outputs', () => {
  const cases = Object.keys(NETWORKS).flatMap((n) => [[n, 'fp32'], [n, 'fp16']] as [string, 'fp32' | 'fp16'][]);
  it.each(cases)('%s %s', async (network, precision) => {
    const bytes = buildModel(tinyConfig(network, NETWORKS[network]), { batch: 2, precision, seed: 7 });
    const opts = { threads: 1, batch: 2, seed: 3 };
    const cpu = await ortSessionFactory.create({ name: 'cpu', bytes }, { ...opts, ep: 'cpu' });
    const gpu = await ortSessionFactory.create({ name: 'gpu', bytes }, { ...opts, ep: 'webgpu' });
    try {
      expect(gpu.io).toBe('device');
      const [want, got] = [await outputs(cpu), await outputs(gpu)];
      expect(got.every(Number.isFinite)).toBe(true);
      // fp32: a few ulps of reordered sums; fp16: the half-precision rounding of different kernels.
      expect(maxRelativeDifference(got, want)).toBeLessThan(precision === 'fp32' ? 1e-4 : 2e-2);
      // The device-resident run and the with-copies run both complete.
      await gpu.run();
      await gpu.runWithCopies!();
    } finally {
      await cpu.dispose();
      await gpu.dispose();
    }
  }, 60_000);
});

describeWebGpu('measuring commands on webgpu', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-webgpu-'));
    const write = (name: string, top1: number, stages: string) =>
      fs.writeFileSync(path.join(dir, `${name}.yaml`), [`name: ${name}`, 'resolution: 32', 'classes: 10', 'stem: {channels: 8, kernel: 3, stride: 2, act: relu}', 'stages:', stages, 'head: {channels: 32, act: relu}', `accuracy: {top1: ${top1}, dataset: imagenet-1k, source: test}`, ''].join('\n'));
    write('small', 70, stage('block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 2, expand: 4, act: relu'));
    // Wider, deeper and at a lower claimed accuracy: dominated by `small` on any hardware.
    write('big', 60, stage('block: mbconv, repeats: 4, channels: 64, kernel: 5, stride: 1, expand: 6, se: 0.25, act: swish'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('measure --ep webgpu reaches a ratio verdict, on device tensors, with the with-copies time beside', async () => {
    const r = await runCommand('measure', [path.join(dir, 'small.yaml'), path.join(dir, 'big.yaml'), '--ep', 'webgpu', '--budget', '3', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.target.fingerprint.provider).toBe('webgpu');
    expect(result.target.fingerprint.gpu).toBeTruthy();
    expect(result.target.key).toMatch(/^webgpu-/);
    expect(['slower', 'faster', 'same', 'inconclusive']).toContain(result.ratios[0].verdict);
    for (const m of result.models) {
      expect(m.io).toBe('device');
      expect(m.with_copies_ms).toBeGreaterThan(0);
      expect(m.first_run_ms).toBeGreaterThan(0);
      expect(m.session_ms).toBeGreaterThan(0);
    }
  }, 60_000);

  it('record then check on webgpu: the deeper, less accurate candidate gets a verdict', async () => {
    const store = path.join(dir, 'frontier.json');
    const rec = await runCommand('record', [path.join(dir, 'small.yaml'), '--frontier', store, '--ep', 'webgpu', '--budget', '2', '--json', '--no-lacs']);
    expect(rec.err).not.toMatch(/error/i);
    expect(rec.code).toBe(0);
    const stored = JSON.parse(fs.readFileSync(store, 'utf8'));
    expect(JSON.stringify(stored)).toContain('"provider":"webgpu"');
    const chk = await runCommand('check', [path.join(dir, 'big.yaml'), '--frontier', store, '--ep', 'webgpu', '--budget', '4', '--json', '--no-lacs']);
    const report = JSON.parse(chk.out);
    expect(['dominated', 'inconclusive']).toContain(report.verdict);
    expect(chk.code).toBe(report.verdict === 'dominated' ? 1 : 0);
  }, 90_000);
});
