import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { main } from '../src/cli';
import type { CommandIO } from '../src/commands/types';
import { ortTensor } from '../src/measure/session';

function capture(): CommandIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t + '\n'), err: (t: string) => void (io.stderr += t + '\n') };
  return io;
}

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'archs', `${name}.yaml`);

describe('frontier-gate stats', () => {
  test('--json carries the documented fields with exact counts', async () => {
    const io = capture();
    expect(await main(['stats', fixture('efficientnet-b0'), '--json'], io)).toBe(0);
    const s = JSON.parse(io.stdout);
    expect(s).toMatchObject({ name: 'efficientnet-b0', resolution: 224, params: 5288548 });
    for (const k of ['macs', 'weight_bytes', 'activation_bytes', 'intensity']) expect(typeof s[k]).toBe('number');
    expect(s.macs / 0.386e9).toBeCloseTo(1, 2);
  });

  test('--layers lists every layer, and the per-layer counts add up to the totals', async () => {
    const io = capture();
    expect(await main(['stats', fixture('resnet-18'), '--json', '--layers'], io)).toBe(0);
    const s = JSON.parse(io.stdout);
    expect(s.layers.reduce((a: number, l: { params: number }) => a + l.params, 0)).toBe(s.params);
    expect(s.layers.reduce((a: number, l: { macs: number }) => a + l.macs, 0)).toBe(s.macs);
    expect(s.layers.find((l: { name: string }) => l.name === 'stages.1.0.shortcut')).toBeDefined();
  });

  test('the text table is readable', async () => {
    const io = capture();
    expect(await main(['stats', fixture('mobilenet-v2')], io)).toBe(0);
    expect(io.stdout).toContain('3,504,872');
  });
});

describe('frontier-gate build', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-build-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes a model onnxruntime runs, with the requested batch and precision', async () => {
    const out = path.join(dir, 'm.onnx');
    const io = capture();
    expect(await main(['build', fixture('mobilenet-v2'), '-o', out, '--batch', '2', '--precision', 'fp16'], io)).toBe(0);
    const session = await ort.InferenceSession.create(out);
    const res = await session.run({ input: ortTensor('float16', new Uint16Array(2 * 3 * 224 * 224), [2, 3, 224, 224]) });
    expect(res.output.dims).toEqual([2, 1000]);
    expect(res.output.type).toBe('float16');
  });

  test('the same config and seed give the same bytes', async () => {
    const a = path.join(dir, 'a.onnx');
    const b = path.join(dir, 'b.onnx');
    await main(['build', fixture('efficientnet-b0'), '-o', a], capture());
    await main(['build', fixture('efficientnet-b0'), '-o', b], capture());
    expect(Buffer.compare(fs.readFileSync(a), fs.readFileSync(b))).toBe(0);
  });

  test('a failed build leaves an existing output untouched', async () => {
    const out = path.join(dir, 'keep.onnx');
    fs.writeFileSync(out, 'precious');
    const bad = path.join(dir, 'bad.yaml');
    // space_to_depth needs an even input size: 9 px cannot fold.
    fs.writeFileSync(bad, 'name: x\nresolution: 9\nclasses: 10\nstem: {channels: 8, kernel: 3, stride: 1, act: relu}\nstages:\n  - {block: mbconv, repeats: 1, channels: 8, kernel: 3, stride: 1, expand: 1, se: 0, act: relu, space_to_depth: reshape}\nhead: {channels: 0, act: relu}\n');
    const io = capture();
    const code = await main(['build', bad, '-o', out], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/bad\.yaml:\d+:\d+/);
    expect(io.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(out, 'utf8')).toBe('precious');
  });
});

describe('usage errors', () => {
  test('unknown command and unknown flag exit 2 with a hint, no stack', async () => {
    let io = capture();
    expect(await main(['stat'], io)).toBe(2);
    expect(io.stderr).toContain("unknown command 'stat'");
    io = capture();
    expect(await main(['stats', fixture('efficientnet-b0'), '--jsn'], io)).toBe(2);
    expect(io.stderr).toContain('did you mean --json?');
    io = capture();
    expect(await main(['build', fixture('efficientnet-b0'), '-o', '/tmp/x.onnx', '--precision', 'int8'], io)).toBe(2);
    expect(io.stderr).toContain('expected one of fp32 | fp16, got "int8"');
  });
});
