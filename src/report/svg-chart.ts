/**
 * The frontier chart: top-1 against latency (log scale), the frontier as a step line, 95% latency intervals
 * as whiskers, the candidate highlighted, labels placed so that they never overlap. A pure function of typed
 * data: `frontierChartSpec` builds a Vega-Lite spec (with the label layout it computed), `renderFrontierSvg`
 * compiles it to Vega and renders SVG headless (`renderer: 'none'`, no browser, no canvas).
 *
 * Labels: Vega-Lite's text marks do not avoid each other, so this module places them itself, in pixels, on
 * the same scales it gives Vega-Lite (explicit domains, no "nice" rounding): for each label, by priority
 * (candidate, frontier models, the rest), the first of a ring of positions around its point that overlaps no
 * point, whisker, earlier label or the plot's edge; farther rings get a leader line. A label that finds no
 * place is left out (and listed in `omitted`), never drawn over another.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { FrontierStatus } from '../frontier/position';
import type { Provenance } from '../frontier/store';

export type ChartRole = 'candidate' | 'contender' | 'neighbour' | 'stored';

export interface ChartPoint {
  name: string;
  role: ChartRole;
  /** Where the model comes from (a config, an .onnx file, the published catalogue): the marker's outline. Default config. */
  provenance?: Provenance;
  /** Median latency, ms. */
  latency_ms: number;
  /** 95% interval of the median; drawn as a whisker when present (re-measured models). */
  ci95_ms?: [number, number];
  /** Top-1 in percent; null = unknown (drawn as a dashed vertical line at its latency). */
  top1: number | null;
  /**
   * Its place on the frontier, decided by the band rule (frontier/position.ts frontierStatuses): on (filled),
   * undecided (pale: an interval straddles the tolerance line), off or unrated (hollow).
   */
  frontier: FrontierStatus;
}

export interface FrontierChartInput {
  title: string;
  /** The hardware target the latencies belong to (subtitle). */
  target: string;
  points: readonly ChartPoint[];
  /**
   * The frontier's corner points (latency, top-1), fastest first. Default: the points whose status is 'on'.
   * The step line holds each corner's accuracy until the next, faster-to-slower, and on to the right edge.
   */
  frontier?: readonly { latency_ms: number; top1: number }[];
  /**
   * The SVG's size in pixels, everything included; the plot fills it less the axis, title and legend
   * margins. Default 800 x 480: a PR comment shows an image at most about 800 px wide, so at the default
   * the 11 px text is shown at 11 px, never scaled down.
   */
  width?: number;
  height?: number;
  /** At most this many labels for models off the frontier (default 40); the candidate and frontier are always tried. */
  maxOptionalLabels?: number;
}

/** A label as laid out, in plot pixels (origin top left of the plot area). */
export interface PlacedLabel {
  name: string;
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** A leader line joins the point to the label. */
  leader: boolean;
}

export interface FrontierChart {
  spec: TopLevelSpec;
  labels: PlacedLabel[];
  /** Names whose label found no free place (their point is still drawn). */
  omitted: string[];
  /** Names not plotted as points because their top-1 is unknown (drawn as vertical lines instead). */
  noAccuracy: string[];
  domain: { latency: [number, number]; top1: [number, number] };
  /** The explicit tick values on the latency axis. */
  latencyTicks: number[];
  /** The SVG's size and the plot area inside it (labels are laid out in plot pixels). */
  size: { width: number; height: number };
  plot: { width: number; height: number };
}

const ROLE_ORDER: ChartRole[] = ['candidate', 'contender', 'neighbour', 'stored'];
const ROLE_COLOUR: Record<ChartRole, string> = { candidate: '#d62728', contender: '#1f5fa8', neighbour: '#2a9d8f', stored: '#6b6b6b' };
/** The colour halfway to white: the fill of a point whose place on the frontier the intervals leave open. */
function pale(hex: string): string {
  const mix = (i: number) => Math.round((parseInt(hex.slice(i, i + 2), 16) + 255) / 2).toString(16).padStart(2, '0');
  return `#${mix(1)}${mix(3)}${mix(5)}`;
}

/** A point's fill: the role's colour on the frontier, pale where the intervals leave it open, hollow off it. */
export function markerFill(p: Pick<ChartPoint, 'role' | 'frontier'>): string {
  return p.frontier === 'on' ? ROLE_COLOUR[p.role] : p.frontier === 'undecided' ? pale(ROLE_COLOUR[p.role]) : 'white';
}

const ROLE_SHAPE: Record<ChartRole, string> = { candidate: 'diamond', contender: 'circle', neighbour: 'square', stored: 'circle' };
const ROLE_LEGEND: Record<ChartRole, string> = {
  candidate: 'candidate',
  contender: 'contender (could dominate it)',
  neighbour: 'neighbour (context)',
  stored: 'stored model',
};
/** A marker's outline by provenance: solid for a config, dotted for an .onnx file, dashed for a published model. */
/**
 * A model's provenance as a grey ring around its marker (none for a config): dotted for an .onnx file, dashed
 * for a published model. A ring, not the marker's own outline, so a filled marker shows it too.
 */
const RING_DASH: Record<Exclude<Provenance, 'config'>, number[]> = { onnx: [1.5, 2], published: [4, 2.5] };
const RING_LEGEND: Record<Exclude<Provenance, 'config'>, string> = { onnx: '.onnx file (dotted ring)', published: 'published model (dashed ring)' };
const RING_COLOUR = '#555';
/** The smallest text in the chart (labels, ticks, legend, subtitle), in SVG pixels. */
export const FONT_SIZE = 11;
const TITLE_SIZE = 14;
const LABEL_HEIGHT = 14;
const POINT_RADIUS = 5;
/** Left: the y axis' labels and title; right: room for the last x tick's label. */
const MARGIN = { left: 64, right: 18 };
const LEGEND_ROW = 24;

/** Conservative width of `text` at the label font (sans-serif 11 px renders at about 0.55 em per glyph). */
export function labelWidth(text: string): number {
  return Math.ceil(text.length * FONT_SIZE * 0.62) + 4;
}

function labelText(p: ChartPoint): string {
  const name = p.name.length > 36 ? `${p.name.slice(0, 35)}…` : p.name;
  return name;
}

/**
 * Tick values for a log axis over [lo, hi], always a 1-2-5 kind of sequence: 1, 2, 5 per decade over a wide
 * range; within a narrower one, even steps of 1, 2 or 5 x 10^k (e.g. 4, 6, ... 16 or 10, 15, 20, 25),
 * never a mix of step sizes like 7, 8, 9, 10, 15. At least four ticks, at most ten, with no more than a
 * third of the log range bare at either end.
 */
export function logTicks(lo: number, hi: number): number[] {
  const range = Math.log(hi / lo);
  const bare = (t: number[], share: number) => Math.log(t[0] / lo) <= range * share && Math.log(hi / t[t.length - 1]) <= range * share;
  const decades: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const m of [1, 2, 5]) {
      const v = +(m * 10 ** e).toPrecision(6);
      if (v >= lo && v <= hi) decades.push(v);
    }
  }
  if (decades.length >= 4 && bare(decades, 1 / 4)) return decades;
  // Even steps: the widest 1-2-5 step that gives four ticks or more and leaves neither end too bare.
  const linear = (step: number) => {
    const out: number[] = [];
    for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi * (1 + 1e-12); v += step) out.push(+v.toPrecision(6));
    return out;
  };
  const steps: number[] = [];
  for (let e = Math.floor(Math.log10(hi - lo)); e >= Math.floor(Math.log10(hi - lo)) - 3; e--) for (const m of [5, 2, 1]) steps.push(m * 10 ** e);
  const fits = steps.map(linear).filter((t) => t.length >= 4 && t.length <= 10);
  return fits.find((t) => bare(t, 1 / 3)) ?? fits[0] ?? linear(steps[steps.length - 1]);
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

interface Segment {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The segment passes through the box (Liang-Barsky clipping). */
export function segmentHitsBox(s: Segment, b: Box): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  const edges: [number, number][] = [[-dx, s.x0 - b.x0], [dx, b.x1 - s.x0], [-dy, s.y0 - b.y0], [dy, b.y1 - s.y0]];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const r = q / p;
    if (p < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
    if (t0 > t1) return false;
  }
  return true;
}

/** The two segments cross (proper intersection; shared end points do not count). */
function segmentsCross(a: Segment, b: Segment): boolean {
  const side = (px: number, py: number, s: Segment) => Math.sign((s.x1 - s.x0) * (py - s.y0) - (s.y1 - s.y0) * (px - s.x0));
  return side(a.x0, a.y0, b) * side(a.x1, a.y1, b) < 0 && side(b.x0, b.y0, a) * side(b.x1, b.y1, a) < 0;
}

/** Rings of label positions around a point: [dx of the label's left edge, dy of its centre, leader]. */
function positions(width: number): [number, number, boolean][] {
  const r = POINT_RADIUS + 3;
  const out: [number, number, boolean][] = [];
  for (const k of [1, 2, 3.2, 4.6]) {
    const dx = r * k;
    const dy = (LABEL_HEIGHT / 2 + 2) * k;
    const leader = k > 1;
    out.push(
      [dx, -dy, leader], // right, above
      [dx, dy, leader], // right, below
      [-dx - width, -dy, leader], // left, above
      [-dx - width, dy, leader], // left, below
      [-width / 2, -dy - LABEL_HEIGHT / 2, leader], // above
      [-width / 2, dy + LABEL_HEIGHT / 2, leader], // below
      [dx, 0, leader], // right
      [-dx - width, 0, leader], // left
    );
  }
  return out;
}

/**
 * The chart: its Vega-Lite spec and the label layout behind it. Points with an unknown top-1 are drawn as a
 * dashed vertical line at their latency. Throws on no points or a non-positive latency (a caller bug).
 */
export function frontierChartSpec(input: FrontierChartInput): FrontierChart {
  const points = input.points.filter((p) => Number.isFinite(p.latency_ms) && p.latency_ms > 0);
  if (!points.length) throw new Error('frontier chart: no point with a positive latency');
  const roles = ROLE_ORDER.filter((r) => points.some((p) => p.role === r));
  const size = { width: input.width ?? 800, height: input.height ?? 480 };
  // The subtitle: the target, then the notes wrapped to the width (a line never runs past the image).
  const notes = ['filled: on the frontier', ...(points.some((p) => p.frontier === 'undecided') ? ['pale: not decided'] : []), 'line: the frontier (best top-1 at or below each latency)', 'bars: 95% interval of the latency'];
  const subtitle = [input.target];
  for (const n of notes) {
    const last = subtitle.length > 1 ? subtitle[subtitle.length - 1] : null;
    if (last !== null && labelWidth(`${last} · ${n}`) <= size.width - MARGIN.left) subtitle[subtitle.length - 1] = `${last} · ${n}`;
    else subtitle.push(n);
  }
  // The title on as many lines as it needs at its size (a long model name must not run off the image).
  const title: string[] = [];
  for (const word of input.title.split(' ')) {
    const last = title[title.length - 1];
    if (last !== undefined && (labelWidth(`${last} ${word}`) * TITLE_SIZE) / FONT_SIZE <= size.width - MARGIN.left) title[title.length - 1] = `${last} ${word}`;
    else title.push(word);
  }
  // The legend: the roles (when more than one) and, when not every model is a config, the provenances.
  const provenanceOf = (p: ChartPoint): Provenance => p.provenance ?? 'config';
  const rings = (['onnx', 'published'] as const).filter((v) => points.some((p) => provenanceOf(p) === v));
  const legendItems = [
    ...(roles.length > 1 ? roles.map((r) => ({ role: r as ChartRole | null, ring: null as keyof typeof RING_DASH | null, text: ROLE_LEGEND[r] })) : []),
    ...rings.map((v) => ({ role: null, ring: v, text: RING_LEGEND[v] })),
  ];
  const W = size.width - MARGIN.left - MARGIN.right;
  // Entries placed by our conservative width, wrapped onto further rows rather than past the plot's width.
  const legend: (typeof legendItems[number] & { sx: number; tx: number; row: number })[] = [];
  for (let i = 0, at = 6, row = 0; i < legendItems.length; i++) {
    const w = 10 + labelWidth(legendItems[i].text) + 14;
    if (at + w > W && at > 6) {
      row++;
      at = 6;
    }
    legend.push({ ...legendItems[i], sx: at, tx: at + 10, row });
    at += w;
  }
  const legendRows = legend.length ? legend[legend.length - 1].row + 1 : 0;
  // Margins around the plot: the title block above; the x axis, its title and the legend rows below.
  const top = 12 + title.length * (TITLE_SIZE + 3) + subtitle.length * (FONT_SIZE + 3) + 10;
  const bottom = 44 + legendRows * LEGEND_ROW;
  const H = size.height - top - bottom;
  if (W < 200 || H < 120) throw new Error(`frontier chart: ${size.width} x ${size.height} px leaves no room for the plot`);
  const known = points.filter((p) => p.top1 !== null && Number.isFinite(p.top1)) as (ChartPoint & { top1: number })[];
  const unknown = points.filter((p) => !(p.top1 !== null && Number.isFinite(p.top1)));
  const frontier = (input.frontier ?? known.filter((p) => p.frontier === 'on').map((p) => ({ latency_ms: p.latency_ms, top1: p.top1 })))
    .filter((f) => f.latency_ms > 0 && Number.isFinite(f.top1))
    .slice()
    .sort((a, b) => a.latency_ms - b.latency_ms);

  // Domains: every latency and interval end, padded in log space; top-1 padded, with room above for labels.
  const lats = points.flatMap((p) => [p.latency_ms, ...(p.ci95_ms ?? [])]).filter((v) => v > 0);
  let lo = Math.log(Math.min(...lats));
  let hi = Math.log(Math.max(...lats));
  if (hi - lo < Math.log(1.5)) {
    const mid = (hi + lo) / 2;
    lo = mid - Math.log(1.5) / 2;
    hi = mid + Math.log(1.5) / 2;
  }
  const padX = (hi - lo) * 0.1;
  const latDomain: [number, number] = [+Math.exp(lo - padX).toPrecision(4), +Math.exp(hi + padX).toPrecision(4)];
  const accs = known.map((p) => p.top1);
  let alo = accs.length ? Math.min(...accs) : 0;
  let ahi = accs.length ? Math.max(...accs) : 100;
  if (ahi - alo < 1) {
    const mid = (ahi + alo) / 2;
    alo = mid - 0.5;
    ahi = mid + 0.5;
  }
  const padY = (ahi - alo) * 0.12;
  const accDomain: [number, number] = [+(alo - padY).toFixed(2), +(ahi + padY * 1.5).toFixed(2)];

  const px = (ms: number) => (W * (Math.log(ms) - Math.log(latDomain[0]))) / (Math.log(latDomain[1]) - Math.log(latDomain[0]));
  const py = (acc: number) => H * (1 - (acc - accDomain[0]) / (accDomain[1] - accDomain[0]));
  const msAt = (x: number) => Math.exp(Math.log(latDomain[0]) + (x / W) * (Math.log(latDomain[1]) - Math.log(latDomain[0])));
  const accAt = (y: number) => accDomain[0] + (1 - y / H) * (accDomain[1] - accDomain[0]);

  // Obstacles: every point and every whisker.
  const obstacles: Box[] = [];
  for (const p of known) {
    const x = px(p.latency_ms);
    const y = py(p.top1);
    obstacles.push({ x0: x - POINT_RADIUS, y0: y - POINT_RADIUS, x1: x + POINT_RADIUS, y1: y + POINT_RADIUS });
    if (p.ci95_ms) obstacles.push({ x0: px(p.ci95_ms[0]), y0: y - 3, x1: px(p.ci95_ms[1]), y1: y + 3 });
  }
  const placed: Box[] = [];
  const labels: PlacedLabel[] = [];
  const omitted: string[] = [];
  const leaders: Segment[] = [];
  const free = (b: Box) =>
    b.x0 >= 0 && b.y0 >= 0 && b.x1 <= W && b.y1 <= H && !obstacles.some((o) => overlaps(o, b)) && !placed.some((o) => overlaps(o, b)) && !leaders.some((l) => segmentHitsBox(l, b));
  // A leader line crosses no label and no other leader line (it may pass over points).
  const leaderFree = (l: Segment) => !placed.some((b) => segmentHitsBox(l, b)) && !leaders.some((o) => segmentsCross(o, l));
  const leaderOf = (x: number, y: number, b: Box): Segment => {
    const ax = b.x0 + (b.x1 - b.x0) / 2 < x ? b.x1 : b.x0;
    const ay = (b.y0 + b.y1) / 2;
    // Start just outside the point's marker.
    const len = Math.hypot(ax - x, ay - y) || 1;
    return { x0: x + ((ax - x) / len) * POINT_RADIUS, y0: y + ((ay - y) / len) * POINT_RADIUS, x1: ax, y1: ay };
  };

  // Unknown-accuracy models: a label at the top of their vertical line.
  for (const p of unknown) {
    const text = `${labelText(p)} (top-1 unknown)`;
    const w = labelWidth(text);
    const x = px(p.latency_ms);
    const tries: number[] = [x + 4, x - 4 - w];
    let done = false;
    for (let row = 0; row < 6 && !done; row++) {
      for (const x0 of tries) {
        const b = { x0, y0: 2 + row * LABEL_HEIGHT, x1: x0 + w, y1: 2 + (row + 1) * LABEL_HEIGHT };
        if (free(b)) {
          placed.push(b);
          labels.push({ name: p.name, text, x: b.x0, y: b.y0, width: w, height: LABEL_HEIGHT, leader: false });
          done = true;
          break;
        }
      }
    }
    if (!done) omitted.push(p.name);
  }

  const priority = (p: ChartPoint) => (p.role === 'candidate' ? 0 : p.frontier === 'on' ? 1 : p.role === 'stored' ? 3 : 2);
  const order = [...known].sort((a, b) => priority(a) - priority(b) || a.latency_ms - b.latency_ms);
  let optional = 0;
  const maxOptional = input.maxOptionalLabels ?? 40;
  for (const p of order) {
    const required = priority(p) < 3;
    if (!required && optional >= maxOptional) {
      omitted.push(p.name);
      continue;
    }
    const text = labelText(p);
    const w = labelWidth(text);
    const x = px(p.latency_ms);
    const y = py(p.top1);
    let spot: PlacedLabel | undefined;
    for (const [dx, dy, leader] of positions(w)) {
      if (!required && leader) break; // optional labels only right next to their point
      const b = { x0: x + dx, y0: y + dy - LABEL_HEIGHT / 2, x1: x + dx + w, y1: y + dy + LABEL_HEIGHT / 2 };
      if (!free(b)) continue;
      const line = leader ? leaderOf(x, y, b) : undefined;
      if (line && !leaderFree(line)) continue;
      spot = { name: p.name, text, x: b.x0, y: b.y0, width: w, height: LABEL_HEIGHT, leader };
      placed.push(b);
      if (line) leaders.push(line);
      break;
    }
    if (spot) {
      labels.push(spot);
      if (!required) optional++;
    } else omitted.push(p.name);
  }

  const pointData = known.map((p) => ({
    name: p.name,
    role: p.role,
    provenance: provenanceOf(p),
    // The point's accessible name (aria-label): what a tooltip would say.
    description: `${p.name}: ${provenanceOf(p)}, top-1 ${p.top1}, ${p.latency_ms} ms`,
    latency: p.latency_ms,
    top1: p.top1,
    lo: p.ci95_ms?.[0] ?? null,
    hi: p.ci95_ms?.[1] ?? null,
    frontier: p.frontier === 'on',
    fill: markerFill(p),
  }));
  const labelData = labels.map((l) => {
    const p = points.find((q) => q.name === l.name)!;
    const bold = p.role === 'candidate';
    const anchorX = l.x + l.width / 2 < px(p.latency_ms) ? l.x + l.width : l.x;
    return {
      text: l.text,
      role: p.role,
      bold,
      lx: msAt(l.x + 2),
      ly: accAt(l.y + l.height / 2),
      // Leader line: from the point to the label's nearer side.
      px: p.latency_ms,
      py: p.top1 ?? accAt(l.y + l.height / 2),
      ax: msAt(anchorX),
      ay: accAt(l.y + l.height / 2),
      leader: l.leader,
    };
  });
  const step = frontier.length
    ? [...frontier.map((f, i) => ({ latency: f.latency_ms, top1: f.top1, i })), { latency: latDomain[1], top1: frontier[frontier.length - 1].top1, i: frontier.length }]
    : [];
  const x = { field: 'latency', type: 'quantitative' as const, scale: { type: 'log' as const, domain: latDomain, nice: false } };
  const y = { field: 'top1', type: 'quantitative' as const, scale: { domain: accDomain, nice: false, zero: false } };
  const colour = {
    field: 'role',
    type: 'nominal' as const,
    scale: { domain: roles, range: roles.map((r) => ROLE_COLOUR[r]) },
    // The legend is a row of our own below the axis (Vega spaces legend entries by a text-width estimate of
    // 0.8 em without a canvas, which spread them over a third more width than the plot).
    legend: null,
  };
  const plainColour = colour;
  const shape = { field: 'role', type: 'nominal' as const, scale: { domain: roles, range: roles.map((r) => ROLE_SHAPE[r]) }, legend: null };
  const pointSize = (big: number, small: number) => ({ condition: { test: "datum.role === 'candidate'", value: big }, value: small });
  const ringDash = { field: 'ring', type: 'nominal' as const, scale: { domain: Object.keys(RING_DASH), range: Object.values(RING_DASH) }, legend: null };

  const layers: unknown[] = [];
  if (step.length) {
    layers.push({
      data: { values: step },
      mark: { type: 'line', interpolate: 'step-after', color: '#1f5fa8', strokeWidth: 1.5, opacity: 0.55 },
      encoding: { x, y, order: { field: 'i', type: 'quantitative' } },
    });
  }
  if (unknown.length) {
    layers.push({
      data: { values: unknown.map((p) => ({ name: p.name, role: p.role, latency: p.latency_ms, lo: p.ci95_ms?.[0] ?? null, hi: p.ci95_ms?.[1] ?? null })) },
      layer: [
        { mark: { type: 'rect', opacity: 0.12 }, transform: [{ filter: 'datum.lo !== null' }], encoding: { x: { field: 'lo', type: 'quantitative', scale: x.scale }, x2: { field: 'hi' }, color: plainColour } },
        { mark: { type: 'rule', strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { x: { field: 'latency', type: 'quantitative', scale: x.scale }, color: plainColour } },
      ],
    });
  }
  layers.push({
    data: { values: pointData },
    layer: [
      {
        // 95% interval of the median latency, with caps.
        transform: [{ filter: 'datum.lo !== null' }],
        mark: { type: 'rule', strokeWidth: 1.2 },
        encoding: { x: { field: 'lo', type: 'quantitative', scale: x.scale }, x2: { field: 'hi' }, y, color: plainColour },
      },
      {
        transform: [{ filter: 'datum.lo !== null' }, { fold: ['lo', 'hi'], as: ['end', 'end_ms'] }],
        mark: { type: 'tick', orient: 'vertical', thickness: 1.2, size: 7 },
        encoding: { x: { field: 'end_ms', type: 'quantitative', scale: x.scale }, y, color: plainColour },
      },
      {
        name: 'points',
        mark: { type: 'point', strokeWidth: 1.8, opacity: 1 },
        encoding: {
          x: {
            ...x,
            title: 'latency, ms (median; log scale)',
            axis: { values: logTicks(latDomain[0], latDomain[1]), format: '~g', grid: true, gridOpacity: 0.35, tickCount: 8 },
          },
          y: { ...y, title: 'top-1 accuracy, %', axis: { format: '.1f', grid: true, gridOpacity: 0.35 } },
          color: colour,
          shape,
          fill: { field: 'fill', type: 'nominal', scale: null, legend: null },
          description: { field: 'description' },
          size: pointSize(130, 60),
        },
      },
      ...(rings.length
        ? [{
          transform: [{ filter: "datum.provenance !== 'config'" }, { calculate: 'datum.provenance', as: 'ring' }],
          mark: { type: 'point', filled: false, strokeWidth: 1.2, opacity: 1, color: RING_COLOUR, shape: 'circle' },
          encoding: { x, y, strokeDash: ringDash, size: pointSize(420, 230) },
        }]
        : []),
    ],
  });
  if (labelData.length) {
    const labelled = { values: labelData };
    layers.push({
      data: labelled,
      layer: [
        {
          transform: [{ filter: 'datum.leader' }],
          mark: { type: 'rule', strokeWidth: 0.8, opacity: 0.6 },
          encoding: { x: { field: 'px', type: 'quantitative', scale: x.scale }, x2: { field: 'ax' }, y: { field: 'py', type: 'quantitative', scale: y.scale }, y2: { field: 'ay' }, color: { value: '#888' } },
        },
        ...[false, true].map((bold) => ({
          transform: [{ filter: bold ? 'datum.bold' : '!datum.bold' }],
          mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: FONT_SIZE, font: 'sans-serif', fontWeight: bold ? 'bold' : 'normal', color: bold ? ROLE_COLOUR.candidate : '#222' },
          encoding: {
            x: { field: 'lx', type: 'quantitative', scale: x.scale },
            y: { field: 'ly', type: 'quantitative', scale: y.scale },
            text: { field: 'text' },
          },
        })),
      ],
    });
  }
  if (legend.length) {
    // One role of config models (a dashboard of configs) needs no legend.
    const entries = legend.map((e) => ({ ...e, y: H + 44 + LEGEND_ROW / 2 + e.row * LEGEND_ROW }));
    const at = { x: { field: 'sx', type: 'quantitative', scale: null }, y: { field: 'y', type: 'quantitative', scale: null } };
    layers.push({
      data: { values: entries },
      layer: [
        {
          transform: [{ filter: 'datum.role !== null' }],
          mark: { type: 'point', filled: true, size: 60, opacity: 1 },
          encoding: { ...at, color: plainColour, shape },
        },
        {
          transform: [{ filter: 'datum.ring !== null' }],
          mark: { type: 'point', filled: false, size: 110, strokeWidth: 1.2, opacity: 1, color: RING_COLOUR, shape: 'circle' },
          encoding: { ...at, strokeDash: ringDash },
        },
        {
          mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: FONT_SIZE, font: 'sans-serif', color: '#222' },
          encoding: { x: { field: 'tx', type: 'quantitative', scale: null }, y: { field: 'y', type: 'quantitative', scale: null }, text: { field: 'text' } },
        },
      ],
    });
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title.length === 1 ? title[0] : title, subtitle, anchor: 'start', fontSize: TITLE_SIZE, subtitleFontSize: FONT_SIZE, subtitleColor: '#555', offset: 10 },
    width: W,
    height: H,
    // The image is exactly `size`: margins of our own, nothing grown by Vega's text-width estimates.
    autosize: { type: 'none' },
    padding: { left: MARGIN.left, right: MARGIN.right, top, bottom },
    background: 'white',
    config: { view: { stroke: '#ccc' }, axis: { labelFontSize: FONT_SIZE, titleFontSize: 12, titleFontWeight: 'normal' } },
    resolve: { scale: { color: 'shared', shape: 'shared' } },
    layer: layers,
  } as unknown as TopLevelSpec;
  return {
    spec,
    labels,
    omitted,
    noAccuracy: unknown.map((p) => p.name),
    domain: { latency: latDomain, top1: accDomain },
    latencyTicks: logTicks(latDomain[0], latDomain[1]),
    size,
    plot: { width: W, height: H },
  };
}

/** Compiles the chart to Vega and renders it to an SVG string, headless. */
export async function renderFrontierSvg(input: FrontierChartInput): Promise<string> {
  return renderSpecSvg(frontierChartSpec(input).spec);
}

/** Any Vega-Lite spec to SVG, headless (vega's 'none' renderer; text widths estimated without a canvas). */
export async function renderSpecSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded lazily: commands that draw no chart never load vega.
  const vegaLite = require('vega-lite') as typeof import('vega-lite');
  const vega = require('vega') as typeof import('vega');
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
