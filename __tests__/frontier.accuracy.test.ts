import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lookupKey, readMetricsAccuracy, resolveAccuracy, toPercent } from '../src/frontier/accuracy';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontier-metrics-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function metrics(name: string, data: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

describe('metrics file lookups', () => {
  const data = { eval: { top1: 77.31, 'top5.acc': 93.5, runs: [{ top1: 0.7712 }, { top1: 'n/a' }] }, 'flat.key': 70.5, loss: null };

  it('follows a dotted path, array indexes and keys that contain dots', () => {
    expect(lookupKey(data, 'eval.top1', 'm.json')).toBe(77.31);
    expect(lookupKey(data, 'eval.runs.0.top1', 'm.json')).toBe(0.7712);
    expect(lookupKey(data, 'eval.top5.acc', 'm.json')).toBe(93.5);
    expect(lookupKey(data, 'flat.key', 'm.json')).toBe(70.5);
  });

  it('says which part is missing, where, and what is there', () => {
    expect(() => lookupKey(data, 'eval.top2', 'm.json')).toThrow(/--metrics m\.json: key "eval\.top2": no "top2" at "eval" \(it has keys "top1", "top5\.acc", "runs"\)/);
    expect(() => lookupKey(data, 'acc', 'm.json')).toThrow(/no "acc" at the top level \(it has keys "eval", "flat\.key", "loss"\)/);
    expect(() => lookupKey(data, 'eval.runs.5.top1', 'm.json')).toThrow(/no "5" at "eval\.runs" \(it has indexes 0\.\.1\)/);
    expect(() => lookupKey(data, 'loss.value', 'm.json')).toThrow(/"loss" is null, not an object/);
    expect(() => lookupKey(data, ' ', 'm.json')).toThrow(/--metrics-key: expected a dotted path/);
  });

  it('reads percent or fraction, and rejects non-numbers and out-of-range values quoting them', () => {
    expect(toPercent(77.31, 'x')).toEqual({ top1: 77.31, fraction: false });
    expect(toPercent(0.7712, 'x')).toEqual({ top1: 77.12, fraction: true });
    expect(toPercent('76.5', 'x').top1).toBe(76.5);
    expect(() => toPercent('n/a', 'k')).toThrow(/k: expected a number \(top-1 accuracy, e\.g\. 77\.69, 77\.69% or 0\.7769\), got "n\/a"/);
    expect(() => toPercent(130, 'k')).toThrow(/within 0\.\.100 .* got 130/);
    expect(() => toPercent({ top1: 1 }, 'k')).toThrow(/got \{"top1":1\}/);
  });

  it('reads a metrics file end to end with clear file errors', () => {
    const file = metrics('m.json', data);
    expect(readMetricsAccuracy(file, 'eval.runs.0.top1')).toEqual({ top1: 77.12, source: `${file}:eval.runs.0.top1 (fraction x100)` });
    expect(() => readMetricsAccuracy(path.join(dir, 'missing.json'), 'a')).toThrow(/--metrics: cannot read ".*missing\.json": no such file/);
    expect(() => readMetricsAccuracy(metrics('bad.json', '{"eval": '), 'eval')).toThrow(/--metrics .*bad\.json: not valid JSON/);
    expect(() => readMetricsAccuracy(file, undefined)).toThrow(/also give --metrics-key/);
    expect(() => readMetricsAccuracy(file, 'eval.runs.1.top1')).toThrow(/expected a number .* got "n\/a"/);
  });
});

describe('resolveAccuracy precedence', () => {
  it('--accuracy, then --metrics, then the config; undefined when none', () => {
    const file = metrics('p.json', { top1: 75 });
    expect(resolveAccuracy({ accuracy: '76.1' }, 70)).toEqual({ top1: 76.1, source: '--accuracy' });
    expect(resolveAccuracy({ metrics: file, metricsKey: 'top1' }, 70)).toEqual({ top1: 75, source: `${file}:top1` });
    expect(resolveAccuracy({}, 70)).toEqual({ top1: 70, source: 'config' });
    expect(resolveAccuracy({}, undefined)).toBeUndefined();
  });

  it('rejects conflicting or incomplete flags', () => {
    expect(() => resolveAccuracy({ accuracy: '70', metrics: 'm.json', metricsKey: 'a' }, undefined)).toThrow(/use one/);
    expect(() => resolveAccuracy({ metricsKey: 'a.b' }, undefined)).toThrow(/--metrics-key "a\.b" needs --metrics FILE/);
    expect(() => resolveAccuracy({ accuracy: 'high' }, undefined)).toThrow(/--accuracy: expected a number .* got "high"/);
  });
});
