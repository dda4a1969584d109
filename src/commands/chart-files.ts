/** `--chart FILE.svg`: the frontier chart of each checked candidate, written as SVG (thin: data from report/). */
import * as path from 'node:path';
import { UserError } from '../errors';
import type { CheckReport } from '../frontier/check';
import { checkChartInputs } from '../report/chart';
import { renderFrontierSvg } from '../report/svg-chart';
import type { CommandContext } from './types';

/**
 * The file of each candidate's chart: FILE itself for one candidate; FILE's stem + "-" + the candidate's name
 * + ".svg" for several (names are [a-z0-9._-]+, safe in a file name).
 */
export function chartFiles(file: string, names: readonly string[]): string[] {
  if (names.length === 1) return [file];
  const ext = path.extname(file) || '.svg';
  const stem = file.slice(0, file.length - path.extname(file).length);
  return names.map((n) => `${stem}-${n}${ext}`);
}

/** The --chart value (pure: the path itself is checked when the command runs, before anything is measured). */
export function chartFlag(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.trim() || !/\.svg$/i.test(value)) throw new UserError(`--chart: expected a file name ending in .svg, got ${JSON.stringify(value)}`);
  return value;
}

/** Writes each candidate's chart: FILE as named for one candidate, files named from it for several. */
export async function writeCheckCharts(file: string | undefined, report: Pick<CheckReport, 'candidates' | 'target'>, ctx: Pick<CommandContext, 'files' | 'log'>): Promise<string[]> {
  if (file === undefined) return [];
  const inputs = checkChartInputs(report);
  const files = chartFiles(file, report.candidates.map((c) => c.name));
  for (let i = 0; i < inputs.length; i++) {
    if (!inputs[i].points.length) continue;
    const svg = await renderFrontierSvg(inputs[i]);
    ctx.files.write(files[i], svg, { what: '--chart', named: files.length === 1 });
    ctx.log(`chart: ${files[i]}`);
  }
  return files;
}
