/**
 * scripts/gpu-check.sh in its small mode (the settings for a CPU-only machine): webgpu over lavapipe beside
 * the CPU provider, one zoo model, a short A/A and a one-unit profile; both summaries written. Without a
 * Vulkan adapter it still runs the CPU side and exits 3, saying which providers do not run here and why.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureXdgRuntimeDir, webgpuSkipReason } from './support/webgpu';

const ROOT = path.join(__dirname, '..');
const built = fs.existsSync(path.join(ROOT, 'lib', 'measure', 'providers', 'index.js'));

(built ? it : it.skip)('gpu-check --small writes the JSON and Markdown summaries', () => {
  ensureXdgRuntimeDir();
  const webgpu = !webgpuSkipReason();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-gpucheck-'));
  try {
    const r = spawnSync('bash', [
      path.join(ROOT, 'scripts', 'gpu-check.sh'), out, '--small', '--providers', webgpu ? 'cpu,cuda,webgpu' : 'cpu,cuda',
      '--models', 'mobilenet-v2', '--batches', '1', '--precisions', 'fp32', '--aa-trials', '2', '--aa-budget', '0.3', '--profile-budget', '1',
    ], { cwd: ROOT, encoding: 'utf8', timeout: 170_000, env: { ...process.env, NODE: process.execPath } });
    expect(r.stderr).not.toMatch(/TypeError|ReferenceError|at .*\.js:\d+/);
    expect(r.status).toBe(webgpu ? 0 : 3);
    expect(r.stdout).toMatch(/GPU: /);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'gpu-check.json'), 'utf8'));
    const md = fs.readFileSync(path.join(out, 'gpu-check.md'), 'utf8');
    expect(summary.kind).toBe('frontier-gate-gpu-check');
    expect(summary.providers.cpu.loads).toBe(true);
    // No CUDA provider libraries here: cuda is reported as not running, with the reason.
    if (!fs.existsSync(path.join(ROOT, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so'))) {
      expect(summary.providers.cuda).toMatchObject({ loads: false, exit: 3 });
      expect(summary.providers.cuda.reason).toMatch(/execution provider 'cuda' cannot (load|run)/);
    }
    expect(summary.zoo.filter((z: { provider: string }) => z.provider === 'cpu')).toHaveLength(1);
    expect(md).toMatch(/## Zoo, batch 1, fp32/);
    if (webgpu) {
      const g = summary.zoo.find((z: { provider: string }) => z.provider === 'webgpu');
      expect(g).toMatchObject({ model: 'mobilenet-v2', batch: 1, precision: 'fp32', io: 'device' });
      expect(g.with_copies_ms).toBeGreaterThan(0);
      expect(summary.aa.provider).toBe('webgpu');
      expect(summary.aa.trials).toHaveLength(2);
      expect(summary.profile).toMatchObject({ provider: 'webgpu', batch: 2, exit: 0 });
      expect(md).toMatch(/## A\/A: mobilenet-v2 against itself on webgpu, 2 trials/);
      expect(md).toMatch(/## Profile of the GENet space on webgpu, batch 2/);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 180_000);
