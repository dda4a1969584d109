/**
 * The check's frontier chart in the action: written as SVG next to the JSON report by the check command
 * itself (`--chart`, the one chart writer; an output path, for upload-artifact), and, when the
 * `chart-branch` input names an assets branch, committed from there through the contents API and embedded
 * in the PR comment by URL (GitHub strips inline SVG and data: URIs from comments).
 *
 * The URL is pinned to the commit that added the file, so an old comment keeps showing its own chart. It is
 * `<server>/<owner>/<repo>/raw/<commit>/<path>`: public repositories redirect it to raw.githubusercontent.com;
 * in private ones it loads for readers signed in with access to the repository.
 *
 * Nothing here fails the step: a read-only token, a missing branch or an API error leaves the comment with
 * the text form of the chart and one warning.
 */
import * as fs from 'node:fs';
import { extname } from 'node:path';
import { chartImageMarkdown, chartText } from '../report/chart';
import { escapeMarkdown } from '../report/escape';
import type { FrontierChartInput } from '../report/svg-chart';
import { WriteConflict, WriteForbidden, type RepoApi } from './api';
import type { RepoRef } from './event';

export interface ChartPublishOptions {
  /** Assets branch from the `chart-branch` input; '' = do not commit (files and text only). */
  branch: string;
  /** Folder on the assets branch (default "frontier-gate"). */
  folder?: string;
  serverUrl: string;
  repo: RepoRef;
  /** PR number, for the file's folder; undefined outside pull requests. */
  pr?: number;
  /** The commit the charts belong to (the PR head), for the file name and the commit message. */
  sha: string;
  /** No write calls at all (fork PR, read-only token). */
  readOnly: boolean;
}

export interface PublishedChart {
  name: string;
  /** Workspace file written beside the report. */
  file: string;
  /** Path on the assets branch and the pinned URL; absent when not committed. */
  assetPath?: string;
  url?: string;
}

export interface ChartPublishResult {
  charts: PublishedChart[];
  /** Markdown to put under the report: one image per chart, or the chart in words when there is no URL. */
  markdown: string;
  warnings: string[];
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '').slice(0, 80) || 'model';

/**
 * The --chart file the action gives the check command: `<report stem>.chart.svg` beside the JSON report
 * (several candidates: `<report stem>.chart-<candidate>.svg`, commands/chart-files.ts chartFiles).
 */
export function chartFileBesideReport(reportPath: string): string {
  return `${reportPath.slice(0, reportPath.length - extname(reportPath).length)}.chart.svg`;
}

/** `<folder>/pr-<n>/<sha7>-<candidate>.svg` (or `<folder>/commits/...` outside a PR). */
export function chartAssetPath(opts: { folder?: string; pr?: number; sha: string; name: string }): string {
  const folder = (opts.folder ?? 'frontier-gate').replace(/^\/+|\/+$/g, '') || 'frontier-gate';
  const scope = opts.pr !== undefined ? `pr-${opts.pr}` : 'commits';
  return `${folder}/${scope}/${opts.sha.slice(0, 12)}-${safeName(opts.name)}.svg`;
}

/** The pinned URL of a committed file, as a comment embeds it. */
export function chartAssetUrl(serverUrl: string, repo: RepoRef, commitSha: string, assetPath: string): string {
  const encoded = assetPath.split('/').map(encodeURIComponent).join('/');
  return `${serverUrl.replace(/\/$/, '')}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}/raw/${commitSha}/${encoded}`;
}

/**
 * Creates or replaces one file on the assets branch; returns the commit that holds it (a re-run of the same
 * commit replaces its chart). One retry on a stale blob sha: another run wrote the same file meanwhile.
 */
export async function commitAsset(api: RepoApi, branch: string, assetPath: string, text: string, message: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const existing = await api.getFile(assetPath, branch);
    try {
      return (await api.putFile(assetPath, branch, text, existing?.sha ?? null, message)).commitSha;
    } catch (err) {
      if (err instanceof WriteConflict && attempt === 0) continue;
      throw err;
    }
  }
}

function describeError(err: unknown, branch: string): string {
  const status = (err as { status?: number }).status;
  const message = (err as Error).message ?? String(err);
  if (err instanceof WriteForbidden) return `the token may not write to ${branch} (HTTP ${err.status}); give the job contents: write`;
  if (status === 404 || (status === 422 && /branch/i.test(message))) {
    return `branch ${JSON.stringify(branch)} does not exist; create it once (see docs/report.md: an orphan branch holding only charts)`;
  }
  return `${status ? `HTTP ${status}: ` : ''}${message.split('\n')[0]}`;
}

/**
 * Each candidate's chart, as the check command wrote it (`files`, one per input, in order), committed to the
 * assets branch with a branch and a writable token. Returns what to embed in the comment and the files to
 * announce as outputs.
 */
export async function publishCheckCharts(api: RepoApi, inputs: readonly FrontierChartInput[], files: readonly string[], opts: ChartPublishOptions): Promise<ChartPublishResult> {
  const names = inputs.map((i) => i.points.find((p) => p.role === 'candidate')?.name ?? i.title);
  const charts: PublishedChart[] = [];
  const warnings: string[] = [];
  const parts: string[] = [];
  let commitBlocked = !opts.branch || opts.readOnly;
  if (opts.branch && opts.readOnly) warnings.push(`chart-branch ${opts.branch}: not committed, this run makes no write calls; the charts are files beside the report`);
  for (let i = 0; i < inputs.length; i++) {
    if (!inputs[i].points.length || !fs.existsSync(files[i])) continue;
    const svg = fs.readFileSync(files[i], 'utf8');
    const chart: PublishedChart = { name: names[i], file: files[i] };
    if (!commitBlocked) {
      const assetPath = chartAssetPath({ folder: opts.folder, pr: opts.pr, sha: opts.sha, name: names[i] });
      try {
        const commit = await commitAsset(api, opts.branch, assetPath, svg, `frontier-gate: chart of ${names[i]} at ${opts.sha.slice(0, 12)}${opts.pr !== undefined ? ` (PR #${opts.pr})` : ''}`);
        chart.assetPath = assetPath;
        chart.url = chartAssetUrl(opts.serverUrl, opts.repo, commit, assetPath);
      } catch (err) {
        warnings.push(`chart-branch ${opts.branch}: chart not committed: ${describeError(err, opts.branch)}`);
        commitBlocked = true; // the same error would repeat for every chart
      }
    }
    parts.push(chart.url ? chartImageMarkdown(chart.url, inputs[i]) : `<sub>${escapeMarkdown(chartText(inputs[i]))}</sub>`);
    charts.push(chart);
  }
  return { charts, markdown: parts.join('\n\n'), warnings };
}
