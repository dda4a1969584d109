import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import { applyRecordUpdates, runCheck } from '../src/frontier/gate';
import { configHash, emptyStore, storedConfig } from '../src/frontier/store';
import { frontierChart, mermaidLabel } from '../src/report/chart';
import { FAKE_TARGET, FakeMeasurer } from './frontier.support/fake-measurer';
import { renderMarkdown, toJson } from '../src/report';

const mbv2 = loadArchConfig(path.join(__dirname, '../fixtures/archs/mobilenet-v2.yaml'));
const HOSTILE_STORED = 'mb<img src=x onerror=alert(1)>|@org/team';
const HOSTILE_CAND = '[click](https://evil.example) `x` *y*';

function store() {
  const config = storedConfig({ ...mbv2, name: HOSTILE_STORED });
  return applyRecordUpdates(emptyStore(), [{
    name: HOSTILE_STORED, config, config_hash: configHash(config), accuracy: { top1: 71.878, dataset: null, source: null },
    target: FAKE_TARGET.key, label: 'x',
    measurement: { date: '2026-01-01T00:00:00.000Z', commit: null, median_ms: 20, ci95_ms: [19, 21], samples: 9, batch: 1, precision: 'fp32', provider: 'cpu', fingerprint: FAKE_TARGET.fingerprint },
  }]);
}

describe('check report', () => {
  it('escapes untrusted names everywhere in the Markdown, and the chart keeps a safe subset', async () => {
    const cand = { ...mbv2, name: HOSTILE_CAND, accuracy: { top1: 70 } };
    const report = await runCheck(store(), [{ config: cand, file: 'prs/`evil`.yaml' }], {}, {
      measurer: new FakeMeasurer({ latency: { [HOSTILE_CAND]: 30, [HOSTILE_STORED]: 20 }, target: { ...FAKE_TARGET, label: 'cpu <b>x</b>' } }),
    });
    const md = renderMarkdown(report);
    expect(report.verdict).toBe('dominated');
    expect(md).not.toMatch(/<img|<b>|\]\(https|@org/);
    expect(md).toContain('mb&lt;img src=x onerror=alert\\(1\\)&gt;\\|@\u200borg/team');
    expect(md).toContain('\\[click\\]\\(https:\u200b//evil.example\\) \\`x\\` \\*y\\*');
    expect(md).toContain('Config: `prs/ʼevilʼ.yaml`');
    const chart = md.slice(md.indexOf('```mermaid'), md.indexOf('```', md.indexOf('```mermaid') + 3));
    const points = chart.split('\n').filter((l) => /: \[[\d.]+, [\d.]+\]$/.test(l));
    expect(points).toHaveLength(2);
    for (const line of points) expect(line.slice(0, line.lastIndexOf(': ['))).toMatch(/^ {2}[A-Za-z0-9 _.+-]+$/);
    // The sentence comes first; the JSON carries the same content.
    expect(md.split('\n')[0]).toMatch(/^❌ dominated/);
    expect((toJson(report) as Record<string, unknown>)).toMatchObject({ verdict: 'dominated', candidates: [{ name: HOSTILE_CAND, dominated_by: { name: HOSTILE_STORED } }] });
    expect(((toJson(report) as Record<string, unknown>).candidates as { models: unknown[] }[])[0].models).toHaveLength(2);
  });
});

describe('frontierChart', () => {
  it('normalises log-latency and accuracy into [0.08, 0.92] and marks the candidate and frontier', () => {
    const chart = frontierChart([
      { name: 'cand', accuracy: 70, latency_ms: 10, candidate: true, on_frontier: true },
      { name: 'a', accuracy: 80, latency_ms: 100, on_frontier: true },
      { name: 'b', accuracy: 75, latency_ms: Math.sqrt(1000) },
    ], 'T');
    expect(chart).toContain('quadrantChart');
    expect(chart).toContain('  candidate cand: [0.08, 0.08]');
    expect(chart).toContain('  a frontier: [0.92, 0.92]');
    expect(chart).toContain('  b: [0.5, 0.5]');
    expect(chart).toContain('x-axis Faster 10 ms --> Slower 100 ms');
  });

  it('is empty with fewer than two points; labels keep a Mermaid-safe subset', () => {
    expect(frontierChart([{ name: 'x', accuracy: 1, latency_ms: 1 }], 't')).toBe('');
    expect(mermaidLabel('a:b"c[d]%%e--f·g')).toBe('a b c d e-f g');
    expect(mermaidLabel('<<<>>>')).toBe('model');
  });
});
