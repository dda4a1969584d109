/**
 * One `stats` or `check` of an .onnx model in a fresh process, so its peak RSS is the command's own: prints JSON.
 * argv: <model.onnx> <mode> [store] [budget]: "stats" runs the CLI's stats command in-process (the reader,
 * shape inference, counts, rendering); "check" runs `check model.onnx --frontier store` with the real
 * measurer (the file read, identified and hashed, then measured side by side with the stored models it
 * picks, in the model's folder as the repository); "proto" decodes the file with onnx-proto instead (the
 * reader measure used before), for comparison.
 */
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { main } from '../cli';
import { readRegularFile } from '../util/fs';

async function run(): Promise<void> {
  const [file, mode, store, budget] = process.argv.slice(2);
  const rssBefore = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  let output = '';
  let code = 0;
  if (mode === 'proto') {
    const model = onnx.ModelProto.decode(readRegularFile(file, { what: 'model', kind: 'onnx' }));
    output = String(model.graph?.node?.length ?? 0);
  } else if (mode === 'check') {
    code = await main(['check', file, '--frontier', store, '--accuracy', '80', '--budget', budget ?? '20', '--json', '--quiet'],
      { out: (t) => void (output += t), err: (t) => void (output += t) }, { tty: { stdout: false, stderr: false }, cwd: path.dirname(file) });
  } else {
    code = await main(['stats', file, '--json'], { out: (t) => void (output += t), err: (t) => void (output += t) }, { tty: { stdout: false, stderr: false } });
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(JSON.stringify({ code, wall_ms: wallMs, rss_before: rssBefore, peak_rss: process.resourceUsage().maxRSS * 1024, output: output.slice(0, mode === 'check' ? 1_000_000 : 4000) }));
}

void run();
