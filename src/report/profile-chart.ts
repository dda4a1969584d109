/**
 * `profile --chart FILE.svg` (and `merge`'s): the block chart of the profile report as SVG, through the
 * same headless Vega-Lite writer as the frontier chart. Horizontal bars from 0: each block's mean latency
 * over the fastest block's, % of end-to-end, with the value at the bar's end. Sized like the frontier chart
 * (800 px wide by default, 11 px text), so a PR comment or a page shows it unscaled.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FONT_SIZE, labelWidth, renderSpecSvg } from './svg-chart';

export interface ProfileChartInput {
  title: string;
  /** The hardware target the latencies belong to (subtitle). */
  target: string;
  bars: readonly { label: string; pct: number }[];
  /** The SVG's width in pixels, everything included (default 800). */
  width?: number;
}

const ROW = 26;

export function profileChartSpec(input: ProfileChartInput): { spec: TopLevelSpec; size: { width: number; height: number } } {
  if (!input.bars.length) throw new Error('profile chart: no block to chart');
  const width = input.width ?? 800;
  // Block labels are right-aligned against the axis: room for the longest, never truncated by Vega.
  const left = Math.min(280, 16 + Math.max(...input.bars.map((b) => labelWidth(b.label))));
  const right = 64; // the value after the longest bar
  const top = 12 + 17 + 2 * (FONT_SIZE + 3) + 10;
  const bottom = 44;
  const plotW = width - left - right;
  const plotH = input.bars.length * ROW;
  const max = Math.max(0.1, ...input.bars.map((b) => b.pct));
  const data = input.bars.map((b) => ({ label: b.label, pct: +b.pct.toFixed(2), text: `+${b.pct.toFixed(2)}%` }));
  const x = { field: 'pct', type: 'quantitative' as const, scale: { domain: [0, max * 1.05], nice: false, zero: true } };
  const y = { field: 'label', type: 'nominal' as const, sort: null, title: null, axis: { labelLimit: 0 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: input.title,
      subtitle: [input.target, 'each block: mean latency over the fastest block, % of end-to-end (paired measurements)'],
      anchor: 'start', frame: 'group', fontSize: 14, subtitleFontSize: FONT_SIZE, subtitleColor: '#555', offset: 10,
    },
    width: plotW,
    height: plotH,
    autosize: { type: 'none' },
    padding: { left, right, top, bottom },
    background: 'white',
    data: { values: data },
    config: { view: { stroke: '#ccc' }, axis: { labelFontSize: FONT_SIZE, titleFontSize: 12, titleFontWeight: 'normal' } },
    layer: [
      {
        mark: { type: 'bar', color: '#1f5fa8', height: ROW - 8 },
        encoding: { x: { ...x, title: '% of end-to-end latency over the fastest block', axis: { grid: true, gridOpacity: 0.35, format: '~g', tickCount: 8 } }, y },
      },
      {
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: FONT_SIZE, font: 'sans-serif', color: '#222' },
        encoding: { x, y, text: { field: 'text' } },
      },
    ],
  } as unknown as TopLevelSpec;
  return { spec, size: { width, height: top + plotH + bottom } };
}

export async function renderProfileSvg(input: ProfileChartInput): Promise<string> {
  return renderSpecSvg(profileChartSpec(input).spec);
}
