import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleCheckPoints } from '../src/bench/report';
import { chartFiles, chartFlag, writeCheckCharts } from '../src/commands/chart-files';
import { localFiles } from '../src/commands/context';
import { candidateChartInput, chartImageMarkdown, chartText } from '../src/report/chart';
import { top1Text } from '../src/report/format';
import { frontierChartSpec, labelWidth, logTicks, renderFrontierSvg, segmentHitsBox, type ChartPoint, type FrontierChartInput } from '../src/report/svg-chart';

const pt = (name: string, role: ChartPoint['role'], latency: number, top1: number | null, on = false, ci = 0.01): ChartPoint => ({
  name, role, latency_ms: latency, ci95_ms: [latency * (1 - ci), latency * (1 + ci)], top1, frontier: on ? 'on' : 'off',
});

const CHECK: FrontierChartInput = {
  title: 'mobilenet-v2-deeper: dominated',
  target: 'cpu · test machine',
  points: [
    pt('mobilenet-v2-deeper', 'candidate', 14.33, 71.0),
    pt('mobilenet-v2', 'contender', 7.46, 71.88, true),
    pt('genet-light', 'contender', 11.17, 75.7, true),
    pt('efficientnet-b0', 'neighbour', 11.81, 77.69, true),
    // Near-equal models: their labels must not land on each other.
    pt('efficientnet-b0-copy', 'neighbour', 11.83, 77.68),
    pt('efficientnet-b0-copy2', 'neighbour', 11.85, 77.66),
  ],
};

type Box = { x0: number; y0: number; x1: number; y1: number };
const boxOf = (l: { x: number; y: number; width: number; height: number }): Box => ({ x0: l.x, y0: l.y, x1: l.x + l.width, y1: l.y + l.height });
const overlap = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

describe('frontier chart layout', () => {
  it('labels every model of a check, inside the plot, overlapping no other label and no point', () => {
    const chart = frontierChartSpec({ ...CHECK, width: 800, height: 480 });
    const { width: W, height: H } = chart.plot;
    expect(chart.omitted).toEqual([]);
    expect(chart.labels.map((l) => l.name).sort()).toEqual(CHECK.points.map((p) => p.name).sort());
    const boxes = chart.labels.map(boxOf);
    for (const b of boxes) {
      expect(b.x0).toBeGreaterThanOrEqual(0);
      expect(b.y0).toBeGreaterThanOrEqual(0);
      expect(b.x1).toBeLessThanOrEqual(W);
      expect(b.y1).toBeLessThanOrEqual(H);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i], boxes[j])).toBe(false);
    // Points in pixels, on the chart's own domains.
    const [l0, l1] = chart.domain.latency.map(Math.log);
    const [a0, a1] = chart.domain.top1;
    for (const p of CHECK.points) {
      const x = (W * (Math.log(p.latency_ms) - l0)) / (l1 - l0);
      const y = H * (1 - (p.top1! - a0) / (a1 - a0));
      for (const b of boxes) expect(overlap(b, { x0: x - 4, y0: y - 4, x1: x + 4, y1: y + 4 })).toBe(false);
    }
    // The candidate is labelled first: next to its point, without a leader line.
    expect(chart.labels.find((l) => l.name === 'mobilenet-v2-deeper')!.leader).toBe(false);
  });

  it('domains cover every interval; the latency axis is log with explicit ticks inside the domain', () => {
    const chart = frontierChartSpec(CHECK);
    const all = CHECK.points.flatMap((p) => p.ci95_ms!);
    expect(chart.domain.latency[0]).toBeLessThan(Math.min(...all));
    expect(chart.domain.latency[1]).toBeGreaterThan(Math.max(...all));
    expect(chart.latencyTicks.length).toBeGreaterThanOrEqual(4);
    for (const t of chart.latencyTicks) {
      expect(t).toBeGreaterThanOrEqual(chart.domain.latency[0]);
      expect(t).toBeLessThanOrEqual(chart.domain.latency[1]);
    }
    expect(JSON.stringify(chart.spec)).toContain('"type":"log"');
  });

  it('never overlaps labels in a crowded chart: labels that find no place are left out and listed', () => {
    const crowd = Array.from({ length: 60 }, (_, i) => pt(`model-${i}`, 'stored', 10 + (i % 7) * 0.01, 75 + (i % 5) * 0.01, i === 0));
    const chart = frontierChartSpec({ title: 't', target: 'x', points: crowd });
    const boxes = chart.labels.map(boxOf);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i], boxes[j])).toBe(false);
    expect(chart.labels.length + chart.omitted.length).toBe(60);
    expect(chart.omitted.length).toBeGreaterThan(0);
    expect(chart.labels.map((l) => l.name)).toContain('model-0'); // the frontier model is labelled first
  });

  it('draws a model without top-1 as a vertical line, not a point', () => {
    const chart = frontierChartSpec({ ...CHECK, points: [...CHECK.points.slice(1), pt('latency-only', 'candidate', 9, null)] });
    expect(chart.noAccuracy).toEqual(['latency-only']);
    expect(chart.labels.find((l) => l.name === 'latency-only')!.text).toBe('latency-only (top-1 unknown)');
  });

  it('ticks: 1-2-5 over decades; within one, even steps of 1, 2 or 5 x 10^k, never mixed', () => {
    expect(logTicks(0.8, 300)).toEqual([1, 2, 5, 10, 20, 50, 100, 200]);
    expect(logTicks(6, 16)).toEqual([6, 8, 10, 12, 14, 16]);
    // The range of the chart (ticks 3, 5, 7, 9, 15 before).
    expect(logTicks(2.6, 17)).toEqual([4, 6, 8, 10, 12, 14, 16]);
    expect(logTicks(6.5, 27.5)).toEqual([10, 15, 20, 25]);
    // Property: whatever the range, 4 to 10 ticks inside it, one step size (or 1-2-5 per decade).
    for (let lo = 0.013; lo < 2000; lo *= 1.37) {
      for (const f of [1.2, 1.5, 2, 3, 5, 9, 20, 80, 1000]) {
        const t = logTicks(lo, lo * f);
        expect([lo, f, t.length >= 4 && t.length <= 10]).toEqual([lo, f, true]);
        expect(t.every((v) => v >= lo && v <= lo * f * (1 + 1e-9))).toBe(true);
        const steps = new Set(t.slice(1).map((v, i) => +(v - t[i]).toPrecision(3)));
        const mantissas = new Set(t.map((v) => +(v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(3)));
        expect([lo, f, t, steps.size === 1 || [...mantissas].every((m) => [1, 2, 5].includes(m))]).toEqual([lo, f, t, true]);
      }
    }
    expect(labelWidth('abc')).toBeGreaterThan(3 * 11 * 0.55);
    expect(segmentHitsBox({ x0: 0, y0: 0, x1: 10, y1: 10 }, { x0: 4, y0: 4, x1: 6, y1: 6 })).toBe(true);
    expect(segmentHitsBox({ x0: 0, y0: 0, x1: 10, y1: 0 }, { x0: 4, y0: 4, x1: 6, y1: 6 })).toBe(false);
  });
});

describe('frontier chart SVG', () => {
  it('fills its width: the image is the size asked for, and its text is at least 11 px when shown 800 px wide', async () => {
    for (const input of [CHECK, { ...CHECK, title: `${'efficientnet-b0-with-a-much-longer-name '.repeat(3)}: dominated (top-1 against latency, measured side by side)`, target: 'AMD EPYC 7B13 64-Core Processor (2 cores) · cpu · fp32 · batch 1 · 1 thread · onnxruntime 1.30.0' }]) {
      const chart = frontierChartSpec(input);
      const svg = await renderFrontierSvg(input);
      const width = Number(/^<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
      expect(width).toBe(chart.size.width);
      expect(/^<svg[^>]* height="([\d.]+)"/.exec(svg)![1]).toBe(String(chart.size.height));
      // The plot takes all of the width but the axis margins (it was 640 of 1054 px, a third blank).
      expect(chart.plot.width / width).toBeGreaterThan(0.88);
      const sizes = [...svg.matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]));
      expect(sizes.length).toBeGreaterThan(10);
      const shownAt800 = Math.min(...sizes) * 800 / width;
      expect(shownAt800).toBeGreaterThanOrEqual(11);
      // Every subtitle line fits the width by the labels' conservative text width.
      const title = (chart.spec as unknown as { title: { text: string | string[]; subtitle: string[] } }).title;
      for (const line of title.subtitle) expect(labelWidth(line)).toBeLessThanOrEqual(width - 40);
      for (const line of [title.text].flat()) expect(labelWidth(line) * 14 / 11).toBeLessThanOrEqual(width - 40);
    }
  });

  it('draws its own legend row, one entry per role shown, inside the image', async () => {
    const svg = await renderFrontierSvg(CHECK);
    for (const text of ['candidate', 'contender (could dominate it)', 'neighbour (context)']) expect(svg).toContain(`>${text}</text>`);
    expect(svg).not.toContain('stored model');
    expect(svg).not.toContain('role-legend');
  });

  it('the provenance is a ring around the marker (none for a config), in the legend when present, and named in each point\'s aria-label', async () => {
    const mixed: FrontierChartInput = {
      ...CHECK,
      points: [{ ...CHECK.points[0], provenance: 'onnx' }, { ...CHECK.points[1], provenance: 'published' }, ...CHECK.points.slice(2)],
    };
    const svg = await renderFrontierSvg(mixed);
    for (const text of ['.onnx file (dotted ring)', 'published model (dashed ring)']) expect(svg).toContain(`>${text}</text>`);
    expect(svg).toContain('aria-label="mobilenet-v2-deeper: onnx, top-1 71, 14.33 ms"');
    expect(svg).toContain('aria-label="mobilenet-v2: published, top-1 71.88, 7.46 ms"');
    // Two rings in the plot and one in the legend each.
    expect(svg.match(/stroke-dasharray="4,2.5"/g)).toHaveLength(2);
    expect(svg.match(/stroke-dasharray="1.5,2"/g)).toHaveLength(2);
    // Every entry stays inside the image, on as many rows as it takes.
    const chart = frontierChartSpec(mixed);
    expect(chart.size.height).toBe(480);
    // All configs: no provenance in the legend.
    expect(await renderFrontierSvg(CHECK)).not.toContain('ring');
    // The chart in words names a provenance other than config.
    expect(chartText(mixed)).toContain('candidate mobilenet-v2-deeper (onnx) 14.3 ms');
    expect(chartText(mixed)).toContain('fastest first: mobilenet-v2 (published) 7.46 ms');
  });

  it('an undecided model is pale, not hollow like one off the frontier, and the legend line says so', async () => {
    const open: ChartPoint = { ...pt('open-question', 'contender', 9, 76), frontier: 'undecided' };
    const svg = await renderFrontierSvg({ ...CHECK, points: [...CHECK.points, open] });
    expect(svg).toContain('pale: not decided');
    expect(svg).toContain('fill="#8fafd4"'); // the contender colour #1f5fa8 halfway to white
    expect(await renderFrontierSvg(CHECK)).not.toContain('pale: not decided');
  });

  it('renders headless: one symbol per model, the step line, whiskers, axis titles with units, escaped names', async () => {
    const hostile = pt('<script>alert(1)</script>&', 'neighbour', 20, 79, true);
    const svg = await renderFrontierSvg({ ...CHECK, points: [...CHECK.points, hostile] });
    expect(svg.startsWith('<svg')).toBe(true);
    const points = svg.match(/<g class="mark-symbol role-mark points_marks"[^>]*>(.*?)<\/g>/s)![1];
    expect(points.match(/<path /g)).toHaveLength(CHECK.points.length + 1);
    expect(svg).toContain('mark-line role-mark');
    expect(svg).toContain('latency, ms (median; log scale)');
    expect(svg).toContain('top-1 accuracy, %');
    expect(svg).toContain('mobilenet-v2-deeper');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('chart text and Markdown', () => {
  it('states the candidate and the frontier in words; the image alt text cannot break out', () => {
    const text = chartText(CHECK);
    expect(text).toMatch(/^Top-1 against latency on cpu · test machine: candidate mobilenet-v2-deeper 14\.3 ms \(95% CI 14\.2-14\.5\), top-1 71\.0, off the frontier\./);
    // One format for top-1 everywhere (the chart's words once said 71.00 where the verdict said 71.0).
    expect([71, 65.4, 63.5, 71.878, 77.692].map(top1Text)).toEqual(['71.0', '65.4', '63.5', '71.88', '77.69']);
    expect(text).toContain('frontier, fastest first: mobilenet-v2 7.46 ms');
    expect(text).toContain('2 other models off the frontier');
    const md = chartImageMarkdown('https://raw.githubusercontent.com/o/r/assets/a b.svg', { ...CHECK, points: [...CHECK.points, pt('x](http://evil)', 'stored', 9, 70)] });
    expect(md).toMatch(/^!\[[^\]]*\]\(https:\/\/raw\.githubusercontent\.com\/o\/r\/assets\/a%20b\.svg\)$/);
  });

  it('candidateChartInput maps a check row by row', () => {
    const input = candidateChartInput({
      name: 'c', verdict: 'new-frontier',
      models: [{ name: 'c', provenance: 'config', role: 'candidate', accuracy: 70, latency_ms: 5, ci95_ms: [4.9, 5.1], frontier: 'on', on_frontier: true, params: 1, macs: 1, intensity: 1, samples: 9 }],
    }, 'cpu');
    expect(input.title).toBe('c: new frontier (top-1 against latency, measured side by side)');
    expect(input.points).toEqual([{ name: 'c', role: 'candidate', provenance: 'config', latency_ms: 5, ci95_ms: [4.9, 5.1], top1: 70, frontier: 'on' }]);
  });
});

describe('--chart files', () => {
  it('one file per candidate; the flag wants an .svg name', async () => {
    expect(chartFiles('out/c.svg', ['a'])).toEqual(['out/c.svg']);
    expect(chartFiles('out/c.svg', ['a', 'b'])).toEqual(['out/c-a.svg', 'out/c-b.svg']);
    expect(() => chartFlag('chart.png')).toThrow(/--chart: expected a file name ending in \.svg, got "chart.png"/);
    expect(chartFlag(undefined)).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-'));
    try {
      const models = sampleCheckPoints(3).map((p) => ({ name: p.name, role: p.role as 'candidate', accuracy: p.top1, latency_ms: p.latency_ms, ci95_ms: p.ci95_ms!, frontier: p.frontier, on_frontier: p.frontier === 'on', params: 1, macs: 1, intensity: 1, samples: 9 }));
      const err: string[] = [];
      const ctx = { files: localFiles(), log: (t: string) => void err.push(t) };
      const files = await writeCheckCharts(path.join(dir, 'sub', 'c.svg'), { target: { key: 'k', label: 'cpu' }, candidates: [{ name: 'cand', verdict: 'pass', models } as never] }, ctx);
      expect(fs.readFileSync(files[0], 'utf8')).toMatch(/^<svg/);
      expect(err).toEqual([`chart: ${files[0]}`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
