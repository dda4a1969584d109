/**
 * A Mermaid quadrant chart of accuracy against latency, which GitHub renders natively in comments and job
 * summaries. Quadrant charts take coordinates in [0, 1], so latency (log scale) and accuracy are
 * normalised over the plotted points; the axis titles carry the real ranges.
 */

export interface ChartPoint {
  name: string;
  accuracy: number;
  latency_ms: number;
  /** The candidate is labelled "candidate"; frontier models are marked with a star. */
  candidate?: boolean;
  on_frontier?: boolean;
}

/**
 * Mermaid's quadrant grammar reads almost no punctuation in point names and axis labels (a quote, colon,
 * bracket or "%%" breaks the whole chart) and older versions reject non-ASCII: keep a safe subset.
 */
export function mermaidLabel(text: string): string {
  return String(text)
    .replace(/[^A-Za-z0-9 _.+-]/g, ' ')
    .replace(/-{2,}/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 48) || 'model';
}

const fmt = (x: number, digits = 2) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(digits + 1).replace(/\.?0+$/, ''));

function spread(values: number[]): (v: number) => number {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!(hi > lo)) return () => 0.5;
  // Keep points off the border so labels stay readable.
  return (v) => +(0.08 + (0.84 * (v - lo)) / (hi - lo)).toFixed(3);
}

/** A ```mermaid block, or '' with fewer than two points (nothing to compare). */
export function frontierChart(points: readonly ChartPoint[], title: string): string {
  if (points.length < 2) return '';
  const x = spread(points.map((p) => Math.log(p.latency_ms)));
  const y = spread(points.map((p) => p.accuracy));
  const lat = points.map((p) => p.latency_ms);
  const acc = points.map((p) => p.accuracy);
  const used = new Set<string>();
  const lines = [
    '```mermaid',
    'quadrantChart',
    `  title ${mermaidLabel(title)}`,
    `  x-axis Faster ${fmt(Math.min(...lat))} ms --> Slower ${fmt(Math.max(...lat))} ms`,
    `  y-axis Less accurate ${fmt(Math.min(...acc), 3)} --> More accurate ${fmt(Math.max(...acc), 3)}`,
    '  quadrant-1 accurate but slow',
    '  quadrant-2 fast and accurate',
    '  quadrant-3 fast but less accurate',
    '  quadrant-4 slow and less accurate',
  ];
  for (const p of points) {
    let label = mermaidLabel(p.candidate ? `candidate ${p.name}` : p.on_frontier ? `${p.name} frontier` : p.name);
    while (used.has(label)) label += '_';
    used.add(label);
    lines.push(`  ${label}: [${x(Math.log(p.latency_ms))}, ${y(p.accuracy)}]`);
  }
  lines.push('```');
  return lines.join('\n');
}
