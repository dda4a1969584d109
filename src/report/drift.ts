/**
 * The parts of a sweep report that come from judging drift on ratios to an anchor (frontier/drift.ts): a
 * model's ratio history as a small series with its change point marked, the runner shift and the
 * all-together case, each said once. Data in, Markdown out; names are escaped here.
 */
import type { RatioPoint, RunnerShift } from '../frontier/drift';
import { escapeMarkdown as md } from './escape';
import { gapInterval, gapPoint } from './format';

const LEVELS = '▁▂▃▄▅▆▇█';

/**
 * The series as one bar per night, low to high over its own range, with `|` before the change point; a
 * flat series (every night within 0.1%) is all low bars, so noise is not drawn as a shape.
 */
export function sparkline(series: readonly RatioPoint[], changePoint: number | null): string {
  if (!series.length) return '';
  const rs = series.map((p) => p.ratio);
  const lo = Math.min(...rs);
  const hi = Math.max(...rs);
  const span = hi - lo > 0.001 * hi ? hi - lo : 0;
  return rs.map((r, i) => `${i === changePoint ? '|' : ''}${LEVELS[span ? Math.round(((r - lo) / span) * (LEVELS.length - 1)) : 0]}`).join('');
}

export function runnerShiftSentence(shift: RunnerShift, where: string): string {
  const changed = shift.fingerprint_changes.length
    ? ` What changed on the runner: ${shift.fingerprint_changes.map((c) => `${c.field} ${md(String(c.from))} → ${md(String(c.to))}`).join(', ')}.`
    : ' Its fingerprint (CPU, cores, memory, OS, Node, onnxruntime, provider, GPU, driver, threads) is unchanged: a busier, warmer or re-clocked host.';
  return (
    `This runner (${where}) is ${gapPoint(shift.change, shift.change_ci95)} ${shift.status} than on ${shift.previous_date.slice(0, 10)} ` +
    `(the anchor **${md(shift.anchor)}**'s own latency, ${gapInterval(shift.change_ci95)}); every model is judged on its ratio to the anchor, so this is not counted as model drift.${changed}`
  );
}

export function togetherSentence(together: { status: 'slower' | 'faster'; drift: number }, anchor: string): string {
  const d: [number, number] = [together.drift, together.drift];
  return (
    `Every model moved ${together.status} against the anchor **${md(anchor)}** (median ${gapPoint(together.drift, d)}): the anchor itself changed, ` +
    'or the runtime changed for every model but it. One fact, not model drifts; no drift issue is opened for it.'
  );
}
