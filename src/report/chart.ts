/**
 * The frontier chart of a check, as data and as Markdown around the SVG image.
 *
 * The Mermaid quadrant chart this file used to draw is gone (issue #11): its quadrant names contradicted
 * verdicts, its labels overlapped and it had no frontier line or intervals. The chart is now the SVG of
 * ./svg-chart.ts; Markdown shows it as an image when it has a URL for it (GitHub strips inline SVG and data
 * URIs) with a one-paragraph text form as alt text and fallback. The report's table carries every number.
 */
import type { CandidateResult, CheckReport } from '../frontier/check';
import { top1Text } from './format';
import type { ChartPoint, FrontierChartInput } from './svg-chart';

const VERDICT_WORD: Record<string, string> = {
  pass: 'pass',
  'new-frontier': 'new frontier',
  dominated: 'dominated',
  inconclusive: 'inconclusive',
};

/** The chart of one checked candidate: every model measured in its run, with its interval and frontier flag. */
export function candidateChartInput(c: Pick<CandidateResult, 'name' | 'verdict' | 'models'>, targetLabel: string): FrontierChartInput {
  const points: ChartPoint[] = c.models.map((m) => ({
    name: m.name,
    role: m.role,
    provenance: m.provenance,
    latency_ms: m.latency_ms,
    ci95_ms: m.ci95_ms,
    top1: m.accuracy,
    frontier: m.frontier,
  }));
  return { title: `${c.name}: ${VERDICT_WORD[c.verdict] ?? c.verdict} (top-1 against latency, measured side by side)`, target: targetLabel, points };
}

/** One chart per candidate of a check report, in the report's order. */
export function checkChartInputs(report: Pick<CheckReport, 'candidates' | 'target'>): FrontierChartInput[] {
  return report.candidates.map((c) => candidateChartInput(c, report.target.label));
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/**
 * The chart in words (plain text, no Markdown): the candidate's point, then the frontier from fastest to
 * most accurate. Used as the image's alt text and where no image can be shown.
 */
export function chartText(input: FrontierChartInput): string {
  const fmt = (p: ChartPoint) =>
    `${p.name}${p.provenance && p.provenance !== 'config' ? ` (${p.provenance})` : ''} ${ms(p.latency_ms)} ms${p.ci95_ms ? ` (95% CI ${ms(p.ci95_ms[0])}-${ms(p.ci95_ms[1])})` : ''}, top-1 ${p.top1 === null ? 'unknown' : top1Text(p.top1)}`;
  const parts: string[] = [];
  const candidates = input.points.filter((p) => p.role === 'candidate');
  const words: Record<ChartPoint['frontier'], string> = { on: ', on the frontier', undecided: ', on or off the frontier not decided', off: ', off the frontier', unrated: ', no accuracy' };
  for (const c of candidates) parts.push(`candidate ${fmt(c)}${words[c.frontier]}`);
  const frontier = input.points.filter((p) => p.frontier === 'on' && p.top1 !== null).sort((a, b) => a.latency_ms - b.latency_ms);
  if (frontier.length) parts.push(`frontier, fastest first: ${frontier.map(fmt).join('; ')}`);
  const rest = input.points.filter((p) => p.role !== 'candidate' && !(p.frontier === 'on' && p.top1 !== null));
  const undecided = rest.filter((p) => p.frontier === 'undecided').length;
  const others = rest.length - undecided;
  if (others > 0) parts.push(`${others} other model${others === 1 ? '' : 's'} off the frontier`);
  if (undecided > 0) parts.push(`${undecided} other model${undecided === 1 ? '' : 's'} not decided`);
  return `Top-1 against latency on ${input.target}: ${parts.join('. ')}.`;
}

/**
 * The chart as Markdown: an image linking to `url` with the text form as alt text. Alt text loses Markdown
 * and brackets so that no model name can break out of it.
 */
export function chartImageMarkdown(url: string, input: FrontierChartInput): string {
  const alt = chartText(input).replace(/[[\]\\`*_<>|]/g, ' ').replace(/\s+/g, ' ').slice(0, 1000);
  let decoded = url;
  try {
    decoded = decodeURI(url);
  } catch {
    // not percent-encoded text: encode it as it is
  }
  const safeUrl = encodeURI(decoded).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
  return `![${alt}](${safeUrl})`;
}
