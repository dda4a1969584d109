import * as path from 'node:path';
import { loadArchConfig } from '../src/arch/parse';
import { runCheck } from '../src/frontier/check';
import { applyRecordUpdates } from '../src/frontier/updates';
import { configHash, emptyStore, storedConfig } from '../src/frontier/store';
import { FAKE_TARGET, FakeMeasurer } from './frontier.support/fake-measurer';
import { renderMarkdown, toJson } from '../src/report';
import { configModel } from '../src/frontier/models';

const mbv2 = loadArchConfig(path.join(__dirname, '../fixtures/archs/mobilenet-v2.yaml'));
const HOSTILE_STORED = 'mb<img src=x onerror=alert(1)>|@org/team';
const HOSTILE_CAND = '[click](https://evil.example) `x` *y*';

function store() {
  const config = storedConfig({ ...mbv2, name: HOSTILE_STORED });
  return applyRecordUpdates(emptyStore(), [{
    name: HOSTILE_STORED, model: { provenance: 'config', config, config_hash: configHash(config) }, accuracy: { top1: 71.878, dataset: null, source: null },
    target: FAKE_TARGET.key, label: 'x',
    measurement: { date: '2026-01-01T00:00:00.000Z', commit: null, median_ms: 20, ci95_ms: [19, 21], samples: 9, batch: 1, precision: 'fp32', provider: 'cpu', fingerprint: FAKE_TARGET.fingerprint },
  }]);
}

describe('check report', () => {
  it('escapes untrusted names everywhere in the Markdown', async () => {
    const cand = { ...mbv2, name: HOSTILE_CAND, accuracy: { top1: 70 } };
    const report = await runCheck(store(), [{ model: configModel(cand), file: 'prs/`evil`.yaml' }], {}, {
      measurer: new FakeMeasurer({ latency: { [HOSTILE_CAND]: 30, [HOSTILE_STORED]: 20 }, target: { ...FAKE_TARGET, label: 'cpu <b>x</b>' } }),
    });
    const md = renderMarkdown(report);
    expect(report.verdict).toBe('dominated');
    expect(md).not.toMatch(/<img|<b>|\]\(https|@org/);
    expect(md).toContain('mb&lt;img src=x onerror=alert\\(1\\)&gt;\\|@\u200borg/team');
    expect(md).toContain('\\[click\\]\\(https:\u200b//evil.example\\) \\`x\\` \\*y\\*');
    expect(md).toContain('Config: `prs/ʼevilʼ.yaml`');
    expect(md).not.toContain('```mermaid'); // the chart is the SVG now (__tests__/report.chart.test.ts)
    // The sentence comes first; the JSON carries the same content.
    expect(md.split('\n')[0]).toMatch(/^❌ dominated/);
    expect((toJson(report) as Record<string, unknown>)).toMatchObject({ verdict: 'dominated', candidates: [{ name: HOSTILE_CAND, dominated_by: { name: HOSTILE_STORED } }] });
    expect(((toJson(report) as Record<string, unknown>).candidates as { models: unknown[] }[])[0].models).toHaveLength(2);
  });
});
