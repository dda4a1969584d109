/**
 * The frontier dashboard: a static site built from the store, one page per hardware target plus an index.
 * Each target page has the frontier chart with every model (SVG, pre-rendered, inline), a sortable table of
 * the models (top-1, latency with its interval, drift across sweeps with a sparkline, params, MACs,
 * intensity) and links to the other targets. Everything is inside the HTML files: no CDN, no external file,
 * and a Content-Security-Policy that forbids loading anything, so the pages work offline and from any host
 * (GitHub Pages, a file:// URL, an artifact).
 *
 * `buildDashboard` is pure apart from rendering: store in, Map of relative file name -> HTML out.
 */
import { gapInterval, gapPoint, top1Text } from './format';
import { escapeHtml } from './escape';
import { createHash } from 'node:crypto';
import { modelCounter } from '../frontier/models';
import { driftOf, judgeDrift, ratioSeries, type DriftStatus, type RatioPoint } from '../frontier/drift';
import { DEFAULT_TOLERANCES, frontierStatuses, type FrontierStatus, type Tolerances } from '../frontier/position';
import type { FrontierRecord, FrontierStore, HistoryEntry, Provenance } from '../frontier/store';
import { renderFrontierSvg, type ChartPoint } from './svg-chart';

export interface DashboardOptions {
  /** Shown in the header ("frontier-gate dashboard" by default). */
  title?: string;
  /** Build time shown in the footer; injected so that builds are reproducible. */
  now?: Date;
  /** Where the store came from (shown in the footer). */
  source?: string;
  /** The tolerances the frontier status and the drift are judged with (the check's, by default). */
  tolerances?: Tolerances;
}

export interface DashboardModel {
  name: string;
  provenance: Provenance;
  top1: number | null;
  median_ms: number;
  ci95_ms: [number, number];
  samples: number;
  date: string;
  commit: string | null;
  /** Its place on the frontier of the target's latest measurements, by the band rule (frontierStatuses). */
  frontier: FrontierStatus;
  params: number;
  macs: number;
  intensity: number;
  history: HistoryEntry[];
  /** Latest median / first median in the kept history - 1, its interval and its band (driftOf); null with one entry. */
  drift: number | null;
  drift_ci95: [number, number] | null;
  drift_status: DriftStatus | null;
  /**
   * With an anchor (frontier/drift.ts): the ratio series the drift is judged on (since the accepted baseline)
   * and its last change point; the drift above is then the sweep's judgement of the latest night.
   */
  anchor: string | null;
  ratio_series: RatioPoint[];
  change_point: number | null;
  baseline_since: string | null;
}

export interface DashboardTarget {
  key: string;
  label: string;
  /** File name of the target's page. */
  file: string;
  models: DashboardModel[];
  last_measured: string;
}

/** A file name for a target key: its safe characters plus a short hash (keys differ; names must too). */
export function targetFile(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 60) || 'target';
  return `target-${safe}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}.html`;
}

/**
 * The store regrouped per target, with counts, each model's drift over its kept history and its place on
 * the frontier of the target's latest measurements, both judged by the band rule with `tol`.
 */
export function dashboardTargets(store: FrontierStore, tol: Tolerances = DEFAULT_TOLERANCES): DashboardTarget[] {
  // Counted once per distinct config and precision (a store often holds one config under several names);
  // an .onnx record's counts are those stored from its graph.
  const counters = { fp32: modelCounter('fp32'), fp16: modelCounter('fp16') };
  const countsOf = (r: FrontierRecord, precision: 'fp32' | 'fp16') => counters[precision](r);
  const byKey = new Map<string, { label: string; rows: DashboardModel[] }>();
  for (const r of store.records) {
    for (const [key, t] of Object.entries(r.targets)) {
      const m = t.latest;
      const history = [...t.history].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      const first = history[0];
      const c = countsOf(r, m.precision === 'fp16' ? 'fp16' : 'fp32');
      // Judged as the sweep judges it where the store holds ratios to an anchor; else latency over the kept history.
      const series = m.anchor && m.ratio !== undefined ? ratioSeries(t, m.anchor) : [];
      const judged = series.length > 1 ? judgeDrift(series.slice(0, -1), series[series.length - 1], tol.latency) : null;
      const drift = judged ?? (history.length > 1 && first.median_ms > 0 ? driftOf(first, m, tol.latency) : null);
      const row: DashboardModel = {
        name: r.name,
        provenance: r.provenance,
        top1: r.accuracy ? r.accuracy.top1 : null,
        median_ms: m.median_ms,
        ci95_ms: m.ci95_ms,
        samples: m.samples,
        date: m.date,
        commit: m.commit,
        frontier: 'unrated',
        params: c.params,
        macs: c.macs,
        intensity: c.intensity,
        history,
        drift: drift?.drift ?? null,
        drift_ci95: drift?.drift_ci95 ?? null,
        drift_status: drift?.status ?? null,
        anchor: m.anchor ?? null,
        ratio_series: series,
        change_point: judged?.change_point ?? null,
        baseline_since: t.baseline?.since ?? null,
      };
      const entry = byKey.get(key) ?? { label: t.label, rows: [] };
      entry.rows.push(row);
      byKey.set(key, entry);
    }
  }
  const targets: DashboardTarget[] = [];
  for (const [key, { label, rows }] of byKey) {
    const status = frontierStatuses(rows.map((r) => ({ accuracy: r.top1, latency: r.ci95_ms })), tol);
    rows.forEach((r, i) => (r.frontier = status[i]));
    rows.sort((a, b) => a.median_ms - b.median_ms || (a.name < b.name ? -1 : 1));
    const last = rows.reduce((d, r) => (r.date > d ? r.date : d), '');
    targets.push({ key, label, file: targetFile(key), models: rows, last_measured: last });
  }
  return targets.sort((a, b) => b.models.length - a.models.length || (a.label < b.label ? -1 : a.label > b.label ? 1 : a.key < b.key ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------------------
// HTML


const fixed = (x: number, d: number) => x.toFixed(d);
const ms = (x: number) => (x >= 100 ? fixed(x, 0) : x >= 10 ? fixed(x, 1) : fixed(x, 2));
const millions = (x: number) => `${fixed(x / 1e6, 2)} M`;
const giga = (x: number) => `${fixed(x / 1e9, 3)} G`;
const day = (iso: string) => iso.slice(0, 10);

/** The least height of a sparkline, as a fraction of the mean latency (+-3%). */
const SPARK_MIN_SPAN = 0.06;

/** Latency history as a small inline SVG: the median line over the 95% interval band, oldest left. */
export function sparkline(history: readonly HistoryEntry[], width = 120, height = 28): string {
  if (!history.length) return '';
  let lo = Math.min(...history.map((h) => h.ci95_ms[0]), ...history.map((h) => h.median_ms));
  let hi = Math.max(...history.map((h) => h.ci95_ms[1]), ...history.map((h) => h.median_ms));
  // At least SPARK_MIN_SPAN of the mean in height: a flat history looks flat, and 1% of noise does not fill the box.
  const mean = history.reduce((a, h) => a + h.median_ms, 0) / history.length;
  if (hi - lo < mean * SPARK_MIN_SPAN) {
    const mid = (hi + lo) / 2;
    lo = mid - (mean * SPARK_MIN_SPAN) / 2;
    hi = mid + (mean * SPARK_MIN_SPAN) / 2;
  }
  const span = hi - lo || 1e-6;
  const x = (i: number) => (history.length === 1 ? width / 2 : 3 + ((width - 6) * i) / (history.length - 1));
  const y = (v: number) => 3 + (height - 6) * (1 - (v - lo) / span);
  const f = (v: number) => v.toFixed(1);
  const band =
    history.map((h, i) => `${f(x(i))},${f(y(h.ci95_ms[1]))}`).join(' ') +
    ' ' +
    [...history].reverse().map((h, j) => `${f(x(history.length - 1 - j))},${f(y(h.ci95_ms[0]))}`).join(' ');
  const line = history.map((h, i) => `${f(x(i))},${f(y(h.median_ms))}`).join(' ');
  const last = history[history.length - 1];
  const tip = history.map((h) => `${day(h.date)}${h.commit ? ` ${h.commit.slice(0, 7)}` : ''}: ${ms(h.median_ms)} ms (${ms(h.ci95_ms[0])}–${ms(h.ci95_ms[1])})`).join('\n');
  return (
    `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="latency history, ${history.length} measurement${history.length === 1 ? '' : 's'}">` +
    `<title>${escapeHtml(tip)}</title>` +
    (history.length > 1 ? `<polygon points="${band}" fill="#1f5fa8" fill-opacity="0.15"/>` : '') +
    (history.length > 1 ? `<polyline points="${line}" fill="none" stroke="#1f5fa8" stroke-width="1.5"/>` : '') +
    `<circle cx="${f(x(history.length - 1))}" cy="${f(y(last.median_ms))}" r="2.5" fill="#1f5fa8"/>` +
    `</svg>`
  );
}

/**
 * A model's ratio to the anchor over the nights its drift is judged on, as a sparkline, with a dashed line at
 * its last change point (the same series and change point the sweep report draws as bars).
 */
export function ratioSparkline(series: readonly RatioPoint[], changePoint: number | null, anchor: string, width = 120, height = 28): string {
  const asHistory: HistoryEntry[] = series.map((p) => ({ date: p.date, commit: null, median_ms: p.ratio, ci95_ms: p.ci95, samples: 1 }));
  const svg = sparkline(asHistory, width, height)
    .replace(/aria-label="latency history, /, () => `aria-label="ratio to ${escapeHtml(anchor)}, `)
    .replace(/<title>[^<]*<\/title>/, () => `<title>${escapeHtml(series.map((p) => `${day(p.date)}: ${p.ratio.toFixed(4)} x ${anchor} (${p.ci95[0].toFixed(4)}–${p.ci95[1].toFixed(4)})`).join('\n'))}</title>`);
  if (changePoint === null || series.length < 2) return svg;
  const x = 3 + ((width - 6) * (changePoint - 0.5)) / (series.length - 1);
  return svg.replace('</svg>', () => `<line class="cp" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="1" y2="${height - 1}" stroke="#b3261e" stroke-dasharray="2,2"><title>change point: ${day(series[changePoint].date)}</title></line></svg>`);
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#fff;border-bottom:1px solid #ddd;padding:12px 24px}
header h1{font-size:20px;margin:0 0 4px}
nav{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:13px}
nav a{color:#1f5fa8;text-decoration:none}nav a[aria-current]{font-weight:600;color:#111}
main{padding:16px 24px;max-width:1280px}
h2{font-size:17px;margin:18px 0 6px}
figure{margin:0;background:#fff;border:1px solid #ddd;padding:8px;display:inline-block;max-width:100%;overflow-x:auto}
figcaption{font-size:12px;color:#555;margin-top:4px;max-width:900px}
.wrap{overflow-x:auto;background:#fff;border:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;min-width:100%}
th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th{background:#f2f2f2;position:sticky;top:0}
th button{all:unset;cursor:pointer;font-weight:600}th button:focus-visible{outline:2px solid #1f5fa8}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
td.name,th.name,td.prov,th.prov{text-align:left}td.name{font-family:ui-monospace,Menlo,Consolas,monospace}
tr.frontier td.name::before{content:"★ ";color:#1f5fa8}
tr.undecided td.name::before{content:"? ";color:#777}
.muted{color:#777}.up{color:#b3261e}.down{color:#1e7b34}
footer{padding:12px 24px;font-size:12px;color:#666}
`;

/** Sorts the table by a header click (numbers numerically, empty cells last); no dependencies. */
const SCRIPT = `
document.querySelectorAll('table.sortable').forEach(function (table) {
  var heads = table.querySelectorAll('th');
  heads.forEach(function (th, col) {
    var button = th.querySelector('button');
    if (!button) return;
    button.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (row) { var v = row.cells[col].getAttribute('data-v'); return v === null || v === '' ? null : v; };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
        var nx = Number(x), ny = Number(y);
        var c = isNaN(nx) || isNaN(ny) ? (x < y ? -1 : x > y ? 1 : 0) : nx - ny;
        return c * dir;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
`;

function page(title: string, nav: string, body: string, opts: DashboardOptions): string {
  const built = opts.now ? `Built ${escapeHtml(opts.now.toISOString().replace(/\.\d+Z$/, 'Z'))}` : 'Built';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(opts.title ?? 'frontier-gate dashboard')}</h1>${nav}</header>
<main>
${body}
</main>
<footer>${built} by frontier-gate report --html${opts.source ? ` from ${escapeHtml(opts.source)}` : ''}. Latencies are the stored medians of each target's latest sweep; they compare only within one target.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function navigation(targets: readonly DashboardTarget[], current?: string): string {
  const links = [
    `<a href="index.html"${current === undefined ? ' aria-current="page"' : ''}>All targets</a>`,
    ...targets.map((t) => `<a href="${t.file}"${t.file === current ? ' aria-current="page"' : ''}>${escapeHtml(t.label)}</a>`),
  ];
  return `<nav aria-label="targets">${links.join('')}</nav>`;
}

const ROW_CLASS: Record<FrontierStatus, string> = { on: ' class="frontier"', undecided: ' class="undecided"', off: '', unrated: '' };
const DRIFT_CLASS: Record<DriftStatus, string> = { slower: 'up', faster: 'down', within: '', straddles: '', new: '', pending: '' };

/** The drift as the sweep states it: the change, its band's word and its interval. */
function driftCell(m: DashboardModel): string {
  if (m.drift === null || m.drift_ci95 === null || m.drift_status === null) return '<span class="muted">–</span>';
  const cls = DRIFT_CLASS[m.drift_status];
  return `<span${cls ? ` class="${cls}"` : ''}>${gapPoint(m.drift, m.drift_ci95)} ${m.drift_status}</span> <span class="muted">(${gapInterval(m.drift_ci95)})</span>`;
}

function modelRow(m: DashboardModel): string {
  const cells: [string, string | number | null, string][] = [
    ['name', m.name, escapeHtml(m.name)],
    ['prov', m.provenance, m.provenance],
    ['', m.top1, m.top1 === null ? '<span class="muted">unknown</span>' : top1Text(m.top1)],
    ['', m.median_ms, `${ms(m.median_ms)} <span class="muted">(${ms(m.ci95_ms[0])}–${ms(m.ci95_ms[1])})</span>`],
    ['', m.drift, driftCell(m)],
    ['', m.history.length, m.ratio_series.length > 1 && m.anchor ? ratioSparkline(m.ratio_series, m.change_point, m.anchor) : sparkline(m.history)],
    ['', m.params, millions(m.params)],
    ['', m.macs, giga(m.macs)],
    ['', m.intensity, fixed(m.intensity, 1)],
    ['', m.date, `${day(m.date)}${m.commit ? ` <span class="muted">${escapeHtml(m.commit.slice(0, 7))}</span>` : ''}`],
  ];
  const tds = cells.map(([cls, v, html]) => `<td${cls ? ` class="${cls}"` : ''} data-v="${v === null ? '' : escapeHtml(String(v))}">${html}</td>`).join('');
  return `<tr${ROW_CLASS[m.frontier]}>${tds}</tr>`;
}

const HEADERS: [string, string][] = [
  ['name', 'model'],
  ['prov', 'provenance'],
  ['', 'top-1 %'],
  ['', 'latency ms (95% CI)'],
  ['', 'drift'],
  ['', 'history'],
  ['', 'params'],
  ['', 'MACs'],
  ['', 'FLOP/byte'],
  ['', 'measured'],
];

export function modelTable(models: readonly DashboardModel[]): string {
  const head = HEADERS.map(([cls, h]) => `<th scope="col"${cls ? ` class="${cls}"` : ''}><button type="button">${h}</button></th>`).join('');
  return `<div class="wrap"><table class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${models.map(modelRow).join('\n')}\n</tbody></table></div>`;
}

/** The chart's points for a target: every model with a known top-1 (the others are listed in the table). */
export function targetChartPoints(t: DashboardTarget): ChartPoint[] {
  return t.models
    .filter((m) => m.top1 !== null)
    .map((m) => ({ name: m.name, role: 'stored' as const, provenance: m.provenance, latency_ms: m.median_ms, ci95_ms: m.ci95_ms, top1: m.top1, frontier: m.frontier }));
}

const tolPct = (t: number) => `${+(t * 100).toFixed(2)}%`;

async function targetPage(t: DashboardTarget, targets: readonly DashboardTarget[], opts: DashboardOptions): Promise<string> {
  const tol = opts.tolerances ?? DEFAULT_TOLERANCES;
  const points = targetChartPoints(t);
  const unknown = t.models.length - points.length;
  const frontier = t.models.filter((m) => m.frontier === 'on');
  const undecided = t.models.filter((m) => m.frontier === 'undecided').length;
  let chart = '<p class="muted">No model on this target has a known top-1: nothing to chart.</p>';
  if (points.length) {
    const svg = await renderFrontierSvg({ title: 'Top-1 against latency', target: t.label, points, width: 960, height: 560 });
    const caption =
      `${points.length} model${points.length === 1 ? '' : 's'} plotted, ${frontier.length} on the frontier (★ in the table)` +
      (undecided ? `, ${undecided} not decided by the intervals (? in the table)` : '') +
      (unknown ? `; ${unknown} without a known top-1 only in the table` : '') +
      '. Labels that would overlap are left out; every model is in the table.';
    chart = `<figure class="frontier-chart" data-points="${points.length}">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
  }
  const sweeps = new Set(t.models.flatMap((m) => m.history.map((h) => h.date.slice(0, 10)))).size;
  const body = [
    `<h2>${escapeHtml(t.label)}</h2>`,
    `<p class="muted">Target key <code>${escapeHtml(t.key)}</code> · ${t.models.length} model${t.models.length === 1 ? '' : 's'} · measurements on ${sweeps} day${sweeps === 1 ? '' : 's'} · last ${escapeHtml(day(t.last_measured))}</p>`,
    chart,
    `<h2>Models</h2>`,
    `<p class="muted">Click a column to sort. Provenance: config (built from an architecture config), onnx (an .onnx file of the repository), published (a published model of the catalogue, with its published top-1). ★ on the frontier, ? not decided by the intervals (the check's rule, ±${tolPct(tol.latency)} latency, ${tol.accuracy} top-1 points). ` +
      `Drift: latest median against the oldest kept one, with its interval, judged as sweep judges it (red: slower beyond ±${tolPct(tol.latency)}, green: faster). ` +
      `History: the kept medians with their 95% intervals, oldest left, at least ±${tolPct(SPARK_MIN_SPAN / 2)} in height (hover for values). ` +
      'FLOP/byte: arithmetic intensity, the floating-point operations (two per multiply-add) per byte of weights and activations moved; higher leans compute-bound.</p>',
    modelTable(t.models),
  ].join('\n');
  return page(`${t.label} · frontier`, navigation(targets, t.file), body, opts);
}

function indexPage(targets: readonly DashboardTarget[], store: FrontierStore, opts: DashboardOptions): string {
  const rows = targets
    .map((t) => {
      const front = t.models.filter((m) => m.frontier === 'on').map((m) => m.name);
      return `<tr><td class="name" data-v="${escapeHtml(t.label)}"><a href="${t.file}">${escapeHtml(t.label)}</a></td><td data-v="${t.models.length}">${t.models.length}</td><td data-v="${front.length}">${front.length}</td><td class="name" data-v="${escapeHtml(front.join(', '))}">${escapeHtml(front.slice(0, 6).join(', '))}${front.length > 6 ? ', …' : ''}</td><td data-v="${escapeHtml(t.last_measured)}">${escapeHtml(day(t.last_measured))}</td></tr>`;
    })
    .join('\n');
  const head = ['target', 'models', 'on frontier', 'frontier, fastest first', 'last measured']
    .map((h, i) => `<th scope="col"${i === 0 || i === 3 ? ' class="name"' : ''}><button type="button">${h}</button></th>`)
    .join('');
  const body = targets.length
    ? `<h2>Targets</h2><p class="muted">${store.records.length} stored model${store.records.length === 1 ? '' : 's'} measured on ${targets.length} target${targets.length === 1 ? '' : 's'}.</p><div class="wrap"><table class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`
    : '<p>The store has no measurements yet: run <code>frontier-gate record</code> or a sweep first.</p>';
  return page('frontier-gate dashboard', navigation(targets), body, opts);
}

/** The site: index.html and one page per target, file name -> HTML. */
export async function buildDashboard(store: FrontierStore, opts: DashboardOptions = {}): Promise<Map<string, string>> {
  const targets = dashboardTargets(store, opts.tolerances);
  const files = new Map<string, string>();
  files.set('index.html', indexPage(targets, store, opts));
  for (const t of targets) files.set(t.file, await targetPage(t, targets, opts));
  return files;
}
