/** docs/onnx.md lists exactly the ops src/onnx/infer.ts infers, and the limits it documents are the code's. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LIMITS } from '../src/arch/types';
import { DEFAULT_INFER_LIMITS, INFERRED_OPS, MAX_OPSET, MIN_OPSET } from '../src/onnx/infer';
import { ONNX_LIMITS } from '../src/onnx/read';
import { FILE_LIMITS } from '../src/util/fs';

const DOC = fs.readFileSync(path.join(__dirname, '..', 'docs', 'onnx.md'), 'utf8');

describe('docs/onnx.md', () => {
  it('lists the inference set exactly', () => {
    const list = /<!-- onnx-ops:[^>]*-->\n([\s\S]*?)\n<!-- \/onnx-ops -->/.exec(DOC)![1];
    expect(list.split(/,\s*/).map((s) => s.trim())).toEqual([...INFERRED_OPS]);
  });

  it('states the limits the code enforces', () => {
    const n = (x: number) => x.toLocaleString('en-US');
    for (const key of ['maxNodes', 'maxInitializers', 'maxValueInfos', 'maxRank', 'maxGraphDepth', 'maxItems', 'maxNodeFields'] as const) {
      expect(DOC).toMatch(new RegExp(`\\| ${n(ONNX_LIMITS[key])} \\| \`ONNX_LIMITS\\.${key}\``));
    }
    expect(FILE_LIMITS.onnx).toBe(2 * 1024 ** 3);
    expect(DOC).toContain(`| ${n(DEFAULT_INFER_LIMITS.maxNodeRuns)} | \`maxNodeRuns\``);
    expect(DEFAULT_INFER_LIMITS.maxTensorBytes).toBe(DEFAULT_LIMITS.maxActivationBytes);
    expect(DOC).toContain(`**Opsets ${MIN_OPSET} to ${MAX_OPSET}**`);
  });
});
