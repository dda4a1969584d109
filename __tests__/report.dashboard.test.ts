import * as path from 'node:path';
import { sampleStore } from '../src/bench/report';
import { loadArchConfig } from '../src/arch/parse';
import { driftOf } from '../src/frontier/sweep';
import { applyRecordUpdates } from '../src/frontier/updates';
import { configHash, emptyStore, storedConfig } from '../src/frontier/store';
import { buildDashboard, dashboardTargets, sparkline, targetFile } from '../src/report/dashboard';
import { escapeHtml } from '../src/report/escape';
import { runCommand } from './support/run-command';
import * as fs from 'node:fs';
import * as os from 'node:os';

const ROOT = path.join(__dirname, '..');

describe('dashboard data', () => {
  it('groups the store per target with counts, frontier flags and drift over the kept history', () => {
    const store = sampleStore(30, { targets: 2, history: 5 });
    const targets = dashboardTargets(store);
    expect(targets.map((t) => t.key).sort()).toEqual(['cpu-synthetic0', 'cpu-synthetic1']);
    for (const t of targets) {
      expect(t.models).toHaveLength(30);
      const known = t.models.filter((m) => m.top1 !== null);
      // Frontier, the check's rule on the stored intervals: off exactly when a model at least as accurate
      // (minus 0.1 points) is proven faster beyond 3% (the whole interval of latency(f) / latency(m) above 1.03).
      const beats = (m: (typeof known)[number], f: (typeof known)[number]) =>
        m !== f && m.top1! >= f.top1! - 0.1 - 1e-9 && f.ci95_ms[0] / m.ci95_ms[1] > 1.03;
      for (const f of known) expect({ name: f.name, off: known.some((m) => beats(m, f)) }).toEqual({ name: f.name, off: f.frontier === 'off' });
      expect(known.some((f) => f.frontier === 'on')).toBe(true);
      for (const m of t.models) {
        if (m.history.length > 1) {
          expect(m.drift).toBeCloseTo(m.median_ms / m.history[0].median_ms - 1, 12);
          // The drift's interval and status are the sweep's (driftOf) for the oldest and the latest measurement.
          expect({ drift_ci95: m.drift_ci95, status: m.drift_status }).toEqual((({ drift_ci95, status }) => ({ drift_ci95, status }))(driftOf(m.history[0], m, 0.03)));
        } else expect(m.drift).toBeNull();
      }
      expect(t.models.every((m, i) => i === 0 || t.models[i - 1].median_ms <= m.median_ms)).toBe(true);
    }
    const mbv2 = targets[0].models.find((m) => m.name === 'model-0000')!; // mobilenet-v2's config
    expect(mbv2.params).toBe(3504872);
    expect(mbv2.macs).toBeCloseTo(0.3e9, -8);
  });

  it('target file names are safe and distinct', () => {
    expect(targetFile('cpu-2cf02a903ab462f3')).toMatch(/^target-cpu-2cf02a903ab462f3-[0-9a-f]{8}\.html$/);
    expect(targetFile('../x y')).toMatch(/^target-x-y-[0-9a-f]{8}\.html$/);
    expect(targetFile('a/b')).not.toBe(targetFile('a b'));
  });

  it('sparkline: median line over the interval band, values in its title', () => {
    const h = [
      { date: '2026-01-01T00:00:00Z', commit: 'abcdef123', median_ms: 10, ci95_ms: [9.9, 10.1] as [number, number], samples: 9 },
      { date: '2026-01-02T00:00:00Z', commit: null, median_ms: 11, ci95_ms: [10.8, 11.2] as [number, number], samples: 9 },
    ];
    const svg = sparkline(h);
    expect(svg).toContain('<polyline');
    expect(svg).toContain('<polygon');
    expect(svg).toContain('2026-01-01 abcdef1: 10.0 ms (9.90–10.1)');
    expect(sparkline([])).toBe('');
    expect(escapeHtml(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  });
});

describe('dashboard site', () => {
  it('index and one page per target, linked both ways; nothing loaded from outside; hostile names escaped', async () => {
    const mbv2 = loadArchConfig(path.join(ROOT, 'fixtures/archs/mobilenet-v2.yaml'));
    const hostile = '"><img src=x onerror=alert(1)>';
    const config = storedConfig({ ...mbv2, name: 'mbv2' });
    const fp = { cpu: 'c', cores: 2, memory_gb: 8, os: 'linux-x64', node: 'v20', onnxruntime: '1.30.0', provider: 'cpu' as const, threads: 1, batch: 1, precision: 'fp32' as const };
    const store = applyRecordUpdates(emptyStore(), [{
      name: hostile, model: { provenance: 'config', config, config_hash: configHash(config) }, accuracy: { top1: 71.9, dataset: null, source: null },
      target: 'cpu-x', label: 'cpu <b>label</b>',
      measurement: { date: '2026-01-01T00:00:00.000Z', commit: null, median_ms: 20, ci95_ms: [19, 21], samples: 9, batch: 1, precision: 'fp32', provider: 'cpu', fingerprint: fp },
    }]);
    const files = await buildDashboard(store, { now: new Date('2026-02-01T00:00:00Z') });
    expect([...files.keys()]).toEqual(['index.html', targetFile('cpu-x')]);
    const index = files.get('index.html')!;
    const page = files.get(targetFile('cpu-x'))!;
    expect(index).toContain(`href="${targetFile('cpu-x')}"`);
    expect(page).toContain('href="index.html"');
    for (const html of files.values()) {
      expect(html).not.toContain('<img');
      expect(html).not.toContain('<b>label');
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(html).toContain(`content="default-src 'none'`);
    }
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('data-points="1"');
    expect(page).toContain('Built 2026-02-01T00:00:00Z');
  });

  it('an empty store gives an index that says what to do', async () => {
    const files = await buildDashboard(emptyStore());
    expect([...files.keys()]).toEqual(['index.html']);
    expect(files.get('index.html')).toContain('no measurements yet');
  });
});

describe('frontier-gate report', () => {
  it('--html DIR writes the site; without --html: exit 2 with one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    try {
      const out = path.join(dir, 'site');
      const r = await runCommand('report', ['--html', out, '--frontier', path.join(ROOT, 'fixtures/frontier/frontier.json')]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^wrote 3 pages \(11 models, 2 targets\) to .*: open .*index\.html$/m);
      expect(fs.readdirSync(out).sort()).toEqual(['index.html', targetFile('cpu-2cf02a903ab462f3'), targetFile('cpu-41b3bdcd1cd2c13f')].sort());
      const bad = await runCommand('report', ['--frontier', path.join(ROOT, 'fixtures/frontier/frontier.json')]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/--html DIR is required/);
      const missing = await runCommand('report', ['--html', out, '--frontier', path.join(dir, 'nope.json')]);
      expect(missing.code).not.toBe(0);
      expect(missing.err).not.toMatch(/\n\s+at /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
