/**
 * End to end on the zoo with real measurement (onnxruntime on this machine, short budget): the dominated
 * candidate, MobileNetV2 with an extra block per stage and a lower claimed top-1, must come out
 * `dominated` by MobileNetV2, whatever latencies the committed store holds from the machine that made it.
 */
import * as path from 'node:path';
import { main } from '../src/cli';

const ROOT = path.join(__dirname, '..');

it('check names a clearly dominated candidate `dominated` (real measurement)', async () => {
  let out = '';
  let err = '';
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
  const argv = [
    path.join(ROOT, 'fixtures/candidates/mobilenet-v2-deeper.yaml'),
    '--frontier', path.join(ROOT, 'fixtures/frontier/frontier.json'),
    '--neighbors', '1', '--budget', '4', '--json', '--quiet',
  ];
  const code = await main(['check', ...argv], io);
  const report = JSON.parse(out);
  const c = report.candidates[0];
  expect({ code, verdict: report.verdict, by: c.dominated_by?.name, err }).toEqual({ code: 1, verdict: 'dominated', by: 'mobilenet-v2', err: '' });
  // Measured side by side in this run: the candidate first, MobileNetV2 beside it, ratio well past 3%.
  expect(c.models.map((m: { name: string }) => m.name)).toEqual(['mobilenet-v2-deeper', 'mobilenet-v2']);
  expect(c.dominated_by.ci95[1]).toBeLessThan(1 / 1.03);
  expect(c.latency_ms).toBeGreaterThan(0);
}, 60_000);
