/**
 * Whether the webgpu provider runs on this machine (a GPU, or lavapipe from scripts/ci-vulkan.sh). Asked once
 * per test file in a child process, so a driver that crashes or hangs cannot take the test worker with it.
 * When it does not run, the webgpu tests skip and say why in one line.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A 1x4 Relu model, so the probe needs nothing but onnxruntime-node. */
const PROBE_MODEL = 'CAgSDWZyb250aWVyLWdhdGUaATEyADpHChQKAXgSAXkaBlJlbHVfMCIEUmVsdRIFcHJvYmVaEwoBeBIOCgwIARIICgIIAQoCCARiEwoBeRIOCgwIARIICgIIAQoCCARCBAoAEBE=';

let cached: string | null | undefined;

/** The Vulkan loader wants a runtime folder; CI containers often have none. */
export function ensureXdgRuntimeDir(): void {
  if (process.env.XDG_RUNTIME_DIR && fs.existsSync(process.env.XDG_RUNTIME_DIR)) return;
  const dir = path.join(os.tmpdir(), `frontier-gate-xdg-${process.getuid?.() ?? 'u'}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.XDG_RUNTIME_DIR = dir;
}

/** Undefined when webgpu works here; else the one-line reason the webgpu tests skip. */
export function webgpuSkipReason(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  ensureXdgRuntimeDir();
  const script = `
    const ort = require('onnxruntime-node');
    ort.InferenceSession.create(Buffer.from('${PROBE_MODEL}', 'base64'), { executionProviders: ['webgpu'], logSeverityLevel: 4 })
      .then(async (s) => { const r = await s.run({ x: new ort.Tensor('float32', new Float32Array([-1, 2, -3, 4]), [1, 4]) }); console.log('ok', Array.from(r.y.data).join(',')); })
      .catch((e) => { console.log('fail', String(e.message).split('\\n')[0]); });`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', timeout: 60_000, env: process.env });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('ok') || l.startsWith('fail'));
  if (line === 'ok 0,2,0,4') cached = null;
  else cached = `webgpu tests skipped: ${line ? line.replace(/^fail /, '') : r.error ? String(r.error.message) : `probe exited ${r.status}`} (install lavapipe with scripts/ci-vulkan.sh)`;
  if (cached) process.stderr.write(cached + '\n');
  return cached ?? undefined;
}

/** describe, or describe.skip with the reason printed once, for tests that need the webgpu provider. */
export function describeWebGpu(name: string, fn: () => void): void {
  const reason = webgpuSkipReason();
  (reason ? describe.skip : describe)(name, fn);
}
