/* global require, process, __dirname, setTimeout */
// A frontier-gate `record` or `sweep` run with a fast fake measurer, for the fault suite: it is killed at
// random points, run 8 at a time, run under a file-size limit. Prints "ready" once loaded and
// "committed NAME" after each record command returned (its store write is durable then).
// usage: node faults.child.js record STORE PREFIX COUNT CONFIG_DIR | sweep STORE COUNT
require('./faults.register');
const fs = require('node:fs');
const path = require('node:path');
const { main } = require('../src/cli.ts');

const say = (line) => fs.writeSync(1, line + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TARGET = {
  key: 'cpu-fake0001', label: 'cpu · Fake CPU',
  fingerprint: { cpu: 'Fake CPU', cores: 2, memory_gb: 8, os: 'linux-x64', node: 'v20', onnxruntime: '1.30.0', provider: 'cpu', threads: 2, batch: 1, precision: 'fp32' },
};
const latency = (name) => 1 + ([...name].reduce((a, c) => a + c.charCodeAt(0), 0) % 97) / 10;
const measurer = {
  async measure(models) {
    await sleep(Math.random() * 20);
    const measured = models.map((m) => {
      const ms = latency(m.name) * (1 + Math.random() * 0.01);
      return { name: m.name, median_ms: ms, mean_ms: ms, p90_ms: ms, p99_ms: ms, mad_ms: 0, cv: 0.01, ci95_ms: [ms * 0.99, ms * 1.01], samples: 20, outliers: 0, session_ms: 1, first_run_ms: ms, warmup_runs: 1, raw_ms: [] };
    });
    // Every ratio model / first, as the engine reports them (a sweep stores each model's ratio to its anchor).
    const ratios = measured.slice(1).map((m) => {
      const ratio = m.median_ms / measured[0].median_ms;
      return { model: m.name, vs: measured[0].name, ratio, ci95: [ratio * 0.98, ratio * 1.02], verdict: 'inconclusive' };
    });
    return { target: TARGET, models: measured, ratios, budget_exhausted: false, rounds: 20, wall_s: 0.01 };
  },
};
const deps = { measurer: () => measurer, commit: () => undefined, tty: { stdout: false, stderr: false } };
const io = { out: () => undefined, err: (t) => process.stderr.write(t + '\n') };
const base = fs.readFileSync(path.join(__dirname, '../fixtures/archs/mobilenet-v2.yaml'), 'utf8');

(async () => {
  const [mode, store] = process.argv.slice(2);
  say('ready');
  if (mode === 'record') {
    const [prefix, count, configDir] = process.argv.slice(4);
    fs.mkdirSync(configDir, { recursive: true });
    for (let i = 0; i < Number(count); i++) {
      const name = `${prefix}-${i}`;
      const file = path.join(configDir, `${name}.yaml`);
      fs.writeFileSync(file, base.replace(/^name: .*$/m, `name: ${name}`));
      const code = await main(['record', file, '--frontier', store, '--accuracy', String(60 + (i % 30)), '--no-lacs', '--quiet'], io, deps);
      if (code !== 0) process.exit(code);
      say(`committed ${name}`);
    }
  } else {
    const count = Number(process.argv[4]);
    for (let i = 0; i < count; i++) {
      const code = await main(['sweep', '--frontier', store, '--quiet'], io, deps);
      if (code !== 0) process.exit(code);
      say(`swept ${i}`);
    }
  }
})().catch((err) => {
  const exitCode = err && typeof err.exitCode === 'number' ? err.exitCode : 70;
  process.stderr.write(`${exitCode === 70 ? err.stack : `error: ${err.message}`}\n`);
  process.exit(exitCode);
});
