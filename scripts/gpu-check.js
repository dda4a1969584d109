#!/usr/bin/env node
/**
 * The GPU check (run through scripts/gpu-check.sh): prints the GPU and driver; measures the zoo on every
 * provider that loads (GPU providers and the CPU, side by side), at each batch size and precision; an A/A
 * self-comparison on the first GPU provider; a `profile` of the GENet space at batch 64; and writes
 * gpu-check.json and gpu-check.md into the output folder. Every measurement runs as its own CLI process,
 * so a provider that aborts cannot take the check with it. Needs no network.
 *
 *   node scripts/gpu-check.js --out DIR [--small] [--providers cpu,webgpu,...] [--models a,b] [--resolution N]
 *        [--batches 1,64] [--precisions fp32,fp16] [--budget S] [--cpu-budget S] [--aa-trials N] [--aa-budget S]
 *        [--profile-batch N] [--profile-samples N] [--profile-budget S]
 *
 * --small (or GPU_CHECK_SMALL=1): settings for a CPU-only machine where webgpu runs on lavapipe (~25x slower
 * than the CPU provider): two zoo models at 32 px, batch 1 and 2, short budgets; a jest test runs it.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'frontier-gate.js');
const ZOO = ['efficientnet-b0', 'efficientnet-b3', 'mobilenet-v2', 'resnet-50', 'genet-light', 'genet-normal'];

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    small: { type: 'boolean' },
    providers: { type: 'string' },
    models: { type: 'string' },
    resolution: { type: 'string' },
    batches: { type: 'string' },
    precisions: { type: 'string' },
    budget: { type: 'string' },
    'cpu-budget': { type: 'string' },
    'aa-trials': { type: 'string' },
    'aa-budget': { type: 'string' },
    'profile-batch': { type: 'string' },
    'profile-samples': { type: 'string' },
    'profile-budget': { type: 'string' },
  },
});
if (!values.out) {
  console.error('gpu-check: --out DIR is required');
  process.exit(2);
}
const small = Boolean(values.small) || process.env.GPU_CHECK_SMALL === '1';
const lib = (m) => require(path.join(ROOT, 'lib', m));
let registry;
try {
  registry = lib('measure/providers');
} catch {
  console.error('gpu-check: lib/ is missing; run npm run build first (or use the GPU bundle, scripts/gpu-bundle.sh)');
  process.exit(3);
}
const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
const settings = {
  small,
  providers: values.providers ? list(values.providers) : ['cpu', ...registry.GPU_PROVIDER_NAMES],
  models: values.models ? list(values.models) : small ? ['mobilenet-v2', 'genet-light'] : ZOO,
  resolution: values.resolution ? Number(values.resolution) : small ? 32 : undefined,
  batches: values.batches ?? (small ? '1,2' : '1,64'),
  precisions: values.precisions ?? 'fp32,fp16',
  budget: Number(values.budget ?? (small ? 0.5 : 8)),
  cpuBudget: Number(values['cpu-budget'] ?? (small ? 0.5 : 10)),
  aaTrials: Number(values['aa-trials'] ?? (small ? 3 : 10)),
  aaBudget: Number(values['aa-budget'] ?? (small ? 2 : 3)),
  profileBatch: Number(values['profile-batch'] ?? (small ? 2 : 64)),
  profileSamples: Number(values['profile-samples'] ?? (small ? 1 : 2)),
  profileBudget: Number(values['profile-budget'] ?? (small ? 8 : 90)),
};
for (const p of settings.providers) {
  if (!registry.isExecutionProvider(p)) {
    console.error(`gpu-check: --providers: unknown provider ${JSON.stringify(p)}; expected ${registry.PROVIDER_NAMES.join(' | ')}`);
    process.exit(2);
  }
}

const out = path.resolve(values.out);
const work = path.join(out, 'work');
fs.mkdirSync(work, { recursive: true });
const started = Date.now();
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** One CLI run: its exit code, JSON output (when asked), and the first line of its error. */
function cli(args, timeoutS) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 256 << 20, env: process.env });
  const stderr = (r.stderr ?? '').split('\n').filter((l) => l && !/^Warning: max/.test(l));
  // The error line (the CLI prints "error: ..." after any progress lines) says what failed; a "needs ..." line
  // after it, when there is one, says what the provider needs.
  const at = Math.max(0, stderr.findIndex((l) => /^error: /.test(l)));
  const lines = stderr.slice(at).map((l) => l.trim().replace(/^error: /, ''));
  const needs = lines.slice(1).find((l) => /needs/.test(l));
  const error = r.error ? (r.error.code === 'ETIMEDOUT' ? `timed out after ${timeoutS} s` : `${r.error.message}`) : r.status !== 0 ? [lines[0], needs].filter(Boolean).join('; ') || `exit ${r.status ?? r.signal}` : undefined;
  return { code: r.status ?? (r.signal ? 128 : 1), stdout: r.stdout ?? '', error };
}

// ------------------------------------------------------------------ machine
const system = lib('measure/providers/system');
const machine = {
  date: new Date().toISOString(),
  host: os.hostname(),
  cpu: (os.cpus()[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(),
  cores: os.availableParallelism(),
  node: process.versions.node,
  onnxruntime: lib('measure/providers/libraries').ORT_VERSION,
  nvidia: system.nvidiaGpu(system.realSystem) ?? null,
  driver_cuda: system.nvidiaDriverCuda(system.realSystem) ?? null,
  clocks: system.nvidiaClocks(system.realSystem) ?? null,
  vulkan_loader: system.vulkanLoader(system.realSystem) ?? null,
  vulkan_drivers: system.vulkanDrivers(system.realSystem),
  vulkan_adapters: system.parseVulkanSummary(system.realSystem.exec('vulkaninfo', ['--summary'], 15000)),
};
log(`GPU: ${machine.nvidia ? `${machine.nvidia.name}, driver ${machine.nvidia.driver}${machine.driver_cuda ? `, CUDA ${machine.driver_cuda}` : ''}` : 'no NVIDIA GPU answers nvidia-smi'}`);
log(`Vulkan: loader ${machine.vulkan_loader ?? 'missing'}; drivers ${machine.vulkan_drivers.map((f) => path.basename(f)).join(', ') || 'none'}; adapters ${machine.vulkan_adapters.map((a) => `${a.vendor} ${a.device} (${a.type}, ${a.driver})`).join('; ') || 'unknown (no vulkaninfo)'}`);
log(`CPU: ${machine.cpu} x${machine.cores}; node ${machine.node}; onnxruntime ${machine.onnxruntime}`);

// ------------------------------------------------------------------ zoo configs (scaled copies in small mode)
const configs = settings.models.map((m) => {
  const src = path.join(ROOT, 'fixtures', 'archs', `${m}.yaml`);
  if (!fs.existsSync(src)) {
    console.error(`gpu-check: --models: no fixture ${src}`);
    process.exit(2);
  }
  if (!settings.resolution) return src;
  const dst = path.join(work, `${m}.yaml`);
  fs.writeFileSync(dst, fs.readFileSync(src, 'utf8').replace(/^resolution:\s*\d+/m, `resolution: ${settings.resolution}`));
  return dst;
});

// ------------------------------------------------------------------ zoo on every provider
const providers = {};
const zoo = [];
for (const ep of settings.providers) {
  const budget = ep === 'cpu' ? settings.cpuBudget : settings.budget;
  log(`zoo on ${ep}: ${settings.models.length} models, batch ${settings.batches}, ${settings.precisions}, ${budget} s per measurement`);
  // A time cap per provider keeps the whole check under 8 minutes (TensorRT engine builds can take minutes).
  const cap = small ? 300 : ep === 'cpu' || ep === 'webgpu' ? 240 : 150;
  const r = cli(['measure', ...configs, '--ep', ep, '--batch', settings.batches, '--precision', settings.precisions, '--budget', String(budget), '--json'], cap);
  if (r.code !== 0) {
    providers[ep] = { loads: false, exit: r.code, reason: r.error };
    log(`  ${ep} does not run here (exit ${r.code}): ${r.error}`);
    continue;
  }
  const parsed = JSON.parse(r.stdout);
  const runs = parsed.runs ?? [parsed];
  providers[ep] = { loads: true, target: runs[0].target.label, fingerprint: runs[0].target.fingerprint };
  for (const run of runs) {
    for (const m of run.models) {
      zoo.push({
        provider: ep, batch: run.batch ?? run.target.fingerprint.batch, precision: run.precision ?? run.target.fingerprint.precision, model: m.name,
        median_ms: m.median_ms, ci95_ms: m.ci95_ms, cv: m.cv, samples: m.samples, io: m.io, with_copies_ms: m.with_copies_ms ?? null,
        session_ms: m.session_ms, first_run_ms: m.first_run_ms, warmup_steady: m.warmup_steady, target: run.target.key,
      });
    }
  }
  log(`  ${ep}: ${runs.length} measurements, ${runs.reduce((n, x) => n + x.models.length, 0)} model results`);
}

// ------------------------------------------------------------------ A/A on the first GPU provider that loads
const gpu = settings.providers.find((p) => p !== 'cpu' && providers[p]?.loads);
const aaEp = gpu ?? (providers.cpu?.loads ? 'cpu' : undefined);
let aa = null;
if (aaEp && settings.aaTrials > 0) {
  const model = configs[settings.models.indexOf('mobilenet-v2')] ?? configs[0];
  log(`A/A on ${aaEp}: ${path.basename(model, '.yaml')} against itself, ${settings.aaTrials} trials of ${settings.aaBudget} s`);
  const trials = [];
  for (let i = 0; i < settings.aaTrials; i++) {
    const r = cli(['measure', model, model, '--ep', aaEp, '--budget', String(settings.aaBudget), '--seed', String(1000 + i), '--json'], 300);
    if (r.code !== 0) {
      trials.push({ error: r.error });
      continue;
    }
    const q = JSON.parse(r.stdout).ratios[0];
    trials.push({ ratio: q.ratio, ci95: q.ci95, verdict: q.verdict });
  }
  const ok = trials.filter((t) => t.ratio !== undefined);
  const verdicts = {};
  for (const t of ok) verdicts[t.verdict] = (verdicts[t.verdict] ?? 0) + 1;
  aa = {
    provider: aaEp, model: path.basename(model, '.yaml'), trials, verdicts,
    false_differences: ok.filter((t) => t.verdict === 'slower' || t.verdict === 'faster').length,
    max_abs_log_ratio: ok.length ? Math.max(...ok.map((t) => Math.abs(Math.log(t.ratio)))) : null,
  };
  log(`  verdicts ${JSON.stringify(verdicts)}; ${aa.false_differences} false differences`);
}

// ------------------------------------------------------------------ profile of the GENet space
let profile = null;
const profileEp = gpu ?? (providers.cpu?.loads ? 'cpu' : undefined);
if (profileEp && settings.profileBudget > 0) {
  let space = path.join(ROOT, 'fixtures', 'spaces', 'genet.yaml');
  if (settings.resolution) {
    const scaled = path.join(work, 'genet.yaml');
    fs.writeFileSync(scaled, fs.readFileSync(space, 'utf8').replace(/^resolution:\s*\[\d+\]/m, `resolution: [${settings.resolution}]`));
    space = scaled;
  }
  log(`profile genet on ${profileEp}, batch ${settings.profileBatch}, ${settings.profileSamples} contexts, budget ${settings.profileBudget} s`);
  const resultFile = path.join(out, 'profile.json');
  const r = cli(['profile', space, '--ep', profileEp, '--batch', String(settings.profileBatch), '--samples', String(settings.profileSamples),
    '--per-call', small ? '0.2' : '1', '--budget', String(settings.profileBudget), '--out', resultFile], settings.profileBudget * 3 + 120);
  profile = { provider: profileEp, batch: settings.profileBatch, exit: r.code, ...(r.error ? { error: r.error } : {}), report: r.code === 0 ? r.stdout.trim() : null, result_file: r.code === 0 ? 'profile.json' : null };
  if (r.code === 0) {
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    profile.units = result.units.length;
    profile.skipped = result.skipped.length;
  }
  log(`  profile exit ${r.code}${profile.units !== undefined ? `: ${profile.units} work units, ${profile.skipped} skipped` : `: ${r.error}`}`);
}

// ------------------------------------------------------------------ summaries
const summary = { kind: 'frontier-gate-gpu-check', version: 1, settings, machine, providers, zoo, aa, profile, wall_s: (Date.now() - started) / 1000 };
fs.writeFileSync(path.join(out, 'gpu-check.json'), JSON.stringify(summary, null, 1) + '\n');

const f = (x, d = 2) => (x === null || x === undefined ? '–' : x >= 100 ? x.toFixed(1) : x.toFixed(d));
const md = [];
md.push('# frontier-gate GPU check', '');
md.push(`${machine.date} · ${settings.small ? '**small mode** (CPU-only machine settings) · ' : ''}${summary.wall_s.toFixed(0)} s`, '');
md.push(`- GPU: ${machine.nvidia ? `${machine.nvidia.name}, driver ${machine.nvidia.driver}${machine.driver_cuda ? ` (CUDA ${machine.driver_cuda})` : ''}` : 'none answering nvidia-smi'}`);
if (machine.clocks) md.push(`- clocks: graphics ${machine.clocks.graphics_mhz ?? '?'} / ${machine.clocks.max_graphics_mhz ?? '?'} MHz, memory ${machine.clocks.memory_mhz ?? '?'} MHz, ${machine.clocks.performance_state ?? ''}; throttle: ${machine.clocks.throttle_reasons.join(', ') || 'none'}`);
md.push(`- Vulkan adapters: ${machine.vulkan_adapters.map((a) => `${a.vendor} ${a.device} (${a.type}; ${a.driver})`).join('; ') || 'unknown'}`);
md.push(`- CPU: ${machine.cpu} x${machine.cores}; node ${machine.node}; onnxruntime ${machine.onnxruntime}`, '');
md.push('## Providers', '', '| provider | runs here | target / reason |', '|---|:-:|---|');
for (const ep of settings.providers) {
  const p = providers[ep];
  md.push(`| ${ep} | ${p?.loads ? 'yes' : 'no'} | ${(p?.loads ? p.target : `exit ${p?.exit}: ${p?.reason}`)?.replace(/\|/g, '\\|')} |`);
}
const loaded = settings.providers.filter((p) => providers[p]?.loads);
const combos = [...new Set(zoo.map((z) => `${z.batch} ${z.precision}`))];
for (const combo of combos) {
  const [batch, precision] = combo.split(' ');
  md.push('', `## Zoo, batch ${batch}, ${precision}: median ms (95% CI), side by side per provider`, '');
  const gpus = loaded.filter((p) => p !== 'cpu');
  md.push(`| model | ${loaded.map((p) => `${p}${p !== 'cpu' ? ' (device)' : ''}`).join(' | ')}${gpus.map((p) => ` | ${p} with copies | ${p} vs cpu`).join('')} | ${gpus.map((p) => `${p} session / 1st run ms`).join(' | ')} |`);
  md.push(`|---|${loaded.map(() => '---:').join('|')}${gpus.map(() => '|---:|---:').join('')}|${gpus.map(() => '---:').join('|')}|`);
  for (const model of settings.models) {
    const cell = (p) => zoo.find((z) => z.provider === p && z.model === model && String(z.batch) === batch && z.precision === precision);
    const cpu = cell('cpu');
    const cols = loaded.map((p) => {
      const z = cell(p);
      return z ? `${f(z.median_ms)} (${f(z.ci95_ms[0])}–${f(z.ci95_ms[1])})` : '–';
    });
    const gcols = gpus.map((p) => {
      const z = cell(p);
      return ` | ${f(z?.with_copies_ms)} | ${z && cpu ? `×${(cpu.median_ms / z.median_ms).toPrecision(3)}` : '–'}`;
    });
    const setup = gpus.map((p) => {
      const z = cell(p);
      return z ? `${f(z.session_ms, 0)} / ${f(z.first_run_ms, 0)}` : '–';
    });
    md.push(`| ${model} | ${cols.join(' | ')}${gcols.join('')} | ${setup.join(' | ')} |`);
  }
}
if (aa) {
  md.push('', `## A/A: ${aa.model} against itself on ${aa.provider}, ${aa.trials.length} trials`, '');
  md.push(`Verdicts: ${Object.entries(aa.verdicts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; false differences: ${aa.false_differences}; largest |log ratio|: ${f(aa.max_abs_log_ratio, 4)}.`, '');
  md.push('| trial | ratio | 95% CI | verdict |', '|---:|---:|---|---|');
  aa.trials.forEach((t, i) => md.push(t.ratio === undefined ? `| ${i + 1} | – | – | error: ${t.error} |` : `| ${i + 1} | ${t.ratio.toFixed(4)} | ${t.ci95[0].toFixed(4)}–${t.ci95[1].toFixed(4)} | ${t.verdict} |`));
}
if (profile) {
  md.push('', `## Profile of the GENet space on ${profile.provider}, batch ${profile.batch}`, '');
  md.push(profile.report ? `${profile.units} work units (${profile.skipped} skipped by the budget). Does "full convolutions early, depthwise late" show here? The report:\n\n${profile.report}` : `failed (exit ${profile.exit}): ${profile.error}`);
}
fs.writeFileSync(path.join(out, 'gpu-check.md'), md.join('\n') + '\n');
log(`wrote ${path.join(out, 'gpu-check.json')} and ${path.join(out, 'gpu-check.md')}`);
// Exit 0 when at least the CPU and one other provider ran; 3 when no GPU provider loads (the summary says why).
process.exit(loaded.some((p) => p !== 'cpu') ? 0 : 3);
