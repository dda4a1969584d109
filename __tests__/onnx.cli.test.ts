/** `frontier-gate stats` of .onnx files through the CLI: routing by kind, output, escaping, exit codes. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import { scale } from '../src/arch/scale';
import { buildModel } from '../src/onnx/build';
import { runCommand } from './support/run-command';
import { encodeModel } from './support/onnx-models';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-onnx-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const STACK = /\n\s+at .+\(.*:\d+:\d+\)/;

describe('stats of .onnx models', () => {
  it('reads a 21 MB model that the config limit (1 MiB) would refuse, beside a config, in one call', async () => {
    const file = path.join(dir, 'b0-wide.onnx');
    fs.writeFileSync(file, buildModel(scale(loadArchConfig('fixtures/archs/efficientnet-b0.yaml'), { width: 1.0 })));
    expect(fs.statSync(file).size).toBeGreaterThan(20 * 1024 * 1024);
    const r = await runCommand('stats', [file, 'fixtures/archs/mobilenet-v2.yaml', '--json']);
    expect(r.code).toBe(0);
    const [onnxStats, configStats] = JSON.parse(r.out);
    expect(onnxStats).toMatchObject({ kind: 'onnx', name: 'b0-wide', resolution: 224, batch: 1, precision: 'fp32', partial: null, macs: 385_814_752 });
    expect(configStats.kind).toBeUndefined();
    expect(configStats.name).toBe('mobilenet-v2');
  });

  it('--layers as text and as Markdown (a code fence)', async () => {
    const file = path.join(dir, 'mv2.onnx');
    fs.writeFileSync(file, buildModel(loadArchConfig('fixtures/archs/mobilenet-v2.yaml'), { batch: 2 }));
    const text = await runCommand('stats', [file, '--layers']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^mv2 @ 224px, batch 2 \(fp32; ONNX opset 17, frontier-gate 1\)\n {2}input {13}input \[2, 3, 224, 224\] NCHW\n/);
    expect(text.out).toMatch(/\n {2}Conv_\d+ +Conv\+Clip +2x32x112x112 +896 +10838016 /);
    const md = await runCommand('stats', [file, '--format', 'markdown']);
    expect(md.out.startsWith('```text\nmv2 @ 224px')).toBe(true);
  });

  it('names from the file cannot inject control characters, bidi overrides, new lines or a closing fence', async () => {
    const evil = 'x\u001b[2J\u202e`\u0060\u0060\ninjected';
    const file = path.join(dir, 'evil.onnx');
    fs.writeFileSync(file, encodeModel({ inputs: [{ name: evil, dims: [1, 4] }], outputs: ['y'], nodes: [{ op: 'Relu', inputs: [evil], outputs: ['y'], name: evil }] }));
    for (const format of ['text', 'markdown']) {
      const r = await runCommand('stats', [file, '--layers', '--format', format]);
      expect(r.code).toBe(0);
      const body = format === 'markdown' ? r.out.replace(/^```text\n/, '').replace(/```\n$/, '') : r.out;
      // eslint-disable-next-line no-control-regex
      expect(body).not.toMatch(/[\u001b\u202e`]/);
      expect(body).not.toContain('\ninjected');
    }
  });

  it('hostile files: exit 2 with one message naming the node or tensor, never a stack', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['cos.onnx', encodeModel({ inputs: [{ name: 'x', dims: [1] }], outputs: ['y'], nodes: [{ op: 'ConstantOfShape', inputs: ['s'], outputs: ['y'], name: 'bomb' }], inits: [{ name: 's', dims: [3], type: 7, values: [4096, 4096, 1024] }] }), /cos\.onnx: node "bomb" \(ConstantOfShape\): makes tensor "y"/],
      ['trunc.onnx', buildModel(loadArchConfig('fixtures/archs/mobilenet-v2.yaml')).subarray(0, 5000), /trunc\.onnx: .*truncated protobuf/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const r = await runCommand('stats', [file]);
      expect({ name, code: r.code }).toEqual({ name, code: 2 });
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(STACK);
      expect(r.out).toBe('');
    }
    const flags = await runCommand('stats', [path.join(dir, 'cos.onnx'), '--resolution', '0']);
    expect(flags.code).toBe(2);
    expect(flags.err).toMatch(/--resolution/);
  });
});
