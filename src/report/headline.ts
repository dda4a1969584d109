/**
 * The verdict lines that open the action's report (job summary, PR comment), and the one table of verdict
 * icons every report line that names a verdict or an outcome uses: the check's sentences (./frontier.ts),
 * this headline, the terminal's colours (./terminal.ts). One function, used by the check run and by the
 * publish job that renders a fork PR's comment from its report's data.
 */
import { escapeMarkdown } from './escape';

/** Icon per verdict (check) and per outcome of the action's other commands. */
export const VERDICT_ICON: Readonly<Record<string, string>> = {
  pass: '✅',
  'new-frontier': '🟢',
  dominated: '❌',
  inconclusive: '🟡',
  invalid: '❌',
  recorded: '📝',
  swept: '🔁',
  accepted: '🧾',
  drift: '📉',
  unchanged: '✅',
  skipped: '⏭️',
  lacs: '🧮',
  profiled: '🔬',
  searched: '🔬',
  merged: '🔬',
  ran: '▶️',
};

/** The verdicts a terminal colours: failing red, passing green, undecided yellow. */
export const VERDICT_COLOUR: Readonly<Record<'red' | 'green' | 'yellow', readonly string[]>> = {
  red: ['dominated', 'invalid'],
  green: ['pass', 'new-frontier'],
  yellow: ['inconclusive'],
};

/** What the headline shows of a candidate. */
export interface HeadlineCandidate {
  name: string;
  file?: string;
  verdict: string;
  dominated_by?: string;
  latency_ms?: number;
  ratio?: number;
}

export function headlineOf(verdict: string, results: readonly HeadlineCandidate[], note?: string): string {
  const lines = [`${VERDICT_ICON[verdict] ?? ''} **${escapeMarkdown(verdict)}**`.trim()];
  for (const r of results) {
    const vs = r.dominated_by ? ` by ${escapeMarkdown(r.dominated_by)}` : '';
    const lat = r.latency_ms !== undefined ? ` · ${r.latency_ms.toFixed(3)} ms` : '';
    const ratio = r.ratio !== undefined ? ` · ratio ${r.ratio.toFixed(3)}` : '';
    lines.push(`- ${escapeMarkdown(r.name)}${r.file ? ` (${escapeMarkdown(r.file)})` : ''}: **${escapeMarkdown(r.verdict)}**${vs}${lat}${ratio}`);
  }
  if (note) lines.push('', note);
  return lines.join('\n');
}

/** The title and verdict lines of the report for one target. */
export function reportHead(targetLabel: string, headline: string): string {
  return `## frontier-gate · ${escapeMarkdown(targetLabel)}\n\n${headline}`;
}
