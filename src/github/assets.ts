/**
 * The check's frontier chart in the action: written as SVG next to the JSON report by the check command
 * itself (`--chart`, the one chart writer; an output path, for upload-artifact), committed to the assets
 * branch named by `chart-branch` (default frontier-assets) through the API, and embedded in the PR comment
 * and the job summary by URL: GitHub strips inline SVG and data: URIs from comments and job summaries alike,
 * so an image has to be a file in a repository.
 *
 * The branch is created on first use as an orphan commit (no parent, only the chart) through the git data
 * API: a new ref, never a change to another branch; a run that finds it created meanwhile commits to it.
 * The URL is pinned to the commit that added the file, so an old comment keeps showing its own chart. It is
 * `<server>/<owner>/<repo>/raw/<commit>/<path>`: public repositories redirect it to raw.githubusercontent.com;
 * in private ones it loads for readers signed in with access to the repository.
 *
 * Nothing here fails the step: a run that may not write (a fork PR, a read-only token), a branch that cannot
 * be created or an API error leaves one line in the comment that says why, the chart in words, and one
 * warning. A fork PR's chart is committed by the publish job (src/github/publish.ts), which renders it from
 * the report's validated data, never from a file of the fork's run.
 */
import { extname } from 'node:path';
import { chartImageMarkdown, chartText } from '../report/chart';
import { escapeCode, escapeMarkdown } from '../report/escape';
import type { FrontierChartInput } from '../report/svg-chart';
import { BranchExists, WriteConflict, WriteForbidden, type RepoApi } from './api';
import type { RepoRef } from './event';

export interface ChartPublishOptions {
  /** Assets branch from the `chart-branch` input; '' = do not commit (files and words only). */
  branch: string;
  /** Folder on the assets branch (default "frontier-gate"). */
  folder?: string;
  serverUrl: string;
  repo: RepoRef;
  /** PR number, for the file's folder; undefined outside pull requests. */
  pr?: number;
  /** The commit the charts belong to (the PR head), for the file name and the commit message. */
  sha: string;
  /** No write calls at all (fork PR, read-only token, store-source git). */
  readOnly: boolean;
  /** Why this run makes no write call, as the comment's one line says it. */
  readOnlyReason?: string;
  /** A fork PR: the publish workflow (workflow_run) commits the chart and shows it. */
  forkPr?: boolean;
}

/** One chart to publish: the candidate it belongs to, its data (for the words) and its SVG. */
export interface ChartSource {
  name: string;
  input: FrontierChartInput;
  svg: string;
  /** The workspace file it was written to (output chart-svg), when there is one. */
  file?: string;
}

export interface PublishedChart {
  name: string;
  file?: string;
  /** Path on the assets branch and the pinned URL; absent when not committed. */
  assetPath?: string;
  url?: string;
}

export interface ChartPublishResult {
  charts: PublishedChart[];
  /**
   * Markdown to put under the report: one image per chart; or, with no image, one line saying why (when a
   * branch was asked for) and the chart in words.
   */
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

/** `<folder>/pr-<n>/<sha12>-<candidate>.svg` (or `<folder>/commits/...` outside a PR). */
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

/** A body with the commits of its chart URLs masked: what a digest is taken of, so a re-commit of the same chart changes nothing. */
export function maskChartCommits(body: string): string {
  return body.replace(/\/raw\/[0-9a-f]{40}\//g, '/raw/<commit>/');
}

/**
 * Creates or replaces one file on the assets branch and returns the commit that holds it (a re-run of the
 * same commit replaces its chart). A branch that does not exist is created as an orphan commit holding the
 * file. One retry when another run got there first: it created the branch, or wrote the same file (a stale
 * blob sha).
 */
export async function commitAsset(api: RepoApi, branch: string, assetPath: string, text: string, message: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const head = api.getBranchHead ? await api.getBranchHead(branch) : undefined;
    if (head === null && api.createOrphanBranch) {
      try {
        return await api.createOrphanBranch(branch, { [assetPath]: text }, message);
      } catch (err) {
        if (err instanceof BranchExists && attempt === 0) continue;
        throw err;
      }
    }
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
  if (err instanceof WriteForbidden) return `the token may not write to ${branch} (HTTP ${err.status}); give the job contents: write, or set chart-branch: ''`;
  if (status === 404 || (status === 422 && /branch/i.test(message))) return `branch ${JSON.stringify(branch)} could not be created (${message.split('\n')[0]})`;
  return `${status ? `HTTP ${status}: ` : ''}${message.split('\n')[0]}`;
}

/** The one line a comment carries when it has no chart image although a branch was asked for. */
function noImageLine(branch: string, why: string): string {
  return `<sub>📈 No chart image: ${why.replace('{branch}', `\`${escapeCode(branch)}\``)}. The chart in words:</sub>`;
}

/**
 * Each chart committed to the assets branch when there is one and the run may write; returns what to embed
 * in the comment and the job summary, and the warnings to log. Never throws for the chart's sake.
 */
export async function publishCharts(api: RepoApi, sources: readonly ChartSource[], opts: ChartPublishOptions): Promise<ChartPublishResult> {
  const charts: PublishedChart[] = [];
  const warnings: string[] = [];
  const images: string[] = [];
  const words: string[] = [];
  let why: string | undefined;
  if (opts.branch && opts.readOnly) {
    why = opts.forkPr
      ? 'this pull request comes from a fork, whose token cannot write; the publish workflow (workflow_run) commits the chart to {branch} and shows it in the comment'
      : `this run makes no write call (${opts.readOnlyReason ?? 'a read-only token'}), so the chart was not committed to {branch}`;
    warnings.push(`chart-branch ${opts.branch}: not committed, this run makes no write calls; the charts are files beside the report`);
  }
  for (const source of sources) {
    if (!source.input.points.length) continue;
    const chart: PublishedChart = { name: source.name, ...(source.file ? { file: source.file } : {}) };
    if (opts.branch && why === undefined) {
      const assetPath = chartAssetPath({ folder: opts.folder, pr: opts.pr, sha: opts.sha, name: source.name });
      try {
        const commit = await commitAsset(api, opts.branch, assetPath, source.svg, `frontier-gate: chart of ${source.name} at ${opts.sha.slice(0, 12)}${opts.pr !== undefined ? ` (PR #${opts.pr})` : ''}`);
        chart.assetPath = assetPath;
        chart.url = chartAssetUrl(opts.serverUrl, opts.repo, commit, assetPath);
      } catch (err) {
        const reason = describeError(err, opts.branch);
        warnings.push(`chart-branch ${opts.branch}: chart not committed: ${reason}`);
        // The same error would repeat for every chart.
        why = `the chart could not be committed to {branch}: ${escapeMarkdown(reason)}`;
      }
    }
    if (chart.url) images.push(chartImageMarkdown(chart.url, source.input));
    else words.push(`<sub>${escapeMarkdown(chartText(source.input))}</sub>`);
    charts.push(chart);
  }
  const parts = [...images];
  if (words.length) parts.push(...(why !== undefined ? [noImageLine(opts.branch, why)] : []), ...words);
  return { charts, markdown: parts.join('\n\n'), warnings };
}
