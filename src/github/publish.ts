/**
 * The second half of the fork-PR pattern. A `pull_request` run from a fork has a read-only token, so the
 * check run leaves its report (with the comment it would have posted) in an artifact; a separate
 * workflow triggered by `workflow_run` downloads it and runs the action, which lands here.
 *
 * The artifact is untrusted: a fork can edit the workflow that produced it. So the PR number it claims is
 * checked against the triggering run (same head commit, same head repository), the body is sanitised
 * (no HTML comments, no mentions, length capped) and only our own marker is added. Nothing from the
 * artifact is executed or used as a path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { RepoApi } from './api';
import { commentBudget, fitMarkdown, upsertComment, type CommentIdentity, type CommentOutcome } from './comment';
import type { EventContext } from './event';

/** What a check run stores in its JSON report for a later publish. */
export interface CommentRequest {
  issue: number;
  identity: CommentIdentity;
  body: string;
  digest: string;
}

export interface PublishResult {
  outcome: CommentOutcome | 'skipped';
  issue?: number;
  verdict: string;
  reason?: string;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function bad(reportFile: string, what: string): UserError {
  return new UserError(`input report-path: ${JSON.stringify(reportFile)} is not a frontier-gate check report: ${what}`);
}

export function readCommentRequest(reportFile: string, workspace: string): { request?: CommentRequest; verdict: string } {
  const file = path.resolve(workspace, reportFile);
  let data: Json;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      `input report-path: cannot read ${JSON.stringify(reportFile)} (${code === 'ENOENT' ? 'no such file: download the check run\'s artifact first' : (err as Error).message})`,
    );
  }
  if (data?.tool !== 'frontier-gate') throw bad(reportFile, 'no "tool": "frontier-gate"');
  const verdict = typeof data.verdict === 'string' ? data.verdict.slice(0, 40) : 'unknown';
  const req = data.comment_request as Json | undefined;
  if (req === undefined || req === null) return { verdict };
  if (!Number.isInteger(req.issue) || req.issue <= 0) throw bad(reportFile, 'comment_request.issue is not a PR number');
  if (typeof req.body !== 'string') throw bad(reportFile, 'comment_request.body is not text');
  if (typeof req.digest !== 'string' || !/^[0-9a-f]{1,64}$/.test(req.digest)) throw bad(reportFile, 'comment_request.digest is not hex');
  const id = req.identity as Json | undefined;
  if (typeof id?.workflow !== 'string' || typeof id?.target !== 'string') throw bad(reportFile, 'comment_request.identity is incomplete');
  return { request: { issue: req.issue, identity: { workflow: id.workflow, target: id.target }, body: req.body, digest: req.digest }, verdict };
}

/** Strip what an untrusted body could use to impersonate or notify: HTML comments (markers), mentions. */
export function sanitiseUntrustedBody(body: string): string {
  return body
    .replace(/<!--[\s\S]*?(-->|$)/g, '')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b');
}

export async function publishFromWorkflowRun(api: RepoApi, ctx: EventContext, reportFile: string, log: (m: string) => void): Promise<PublishResult> {
  const run = ctx.payload.workflow_run as Json | undefined;
  if (!run) throw new UserError('the workflow_run event payload has no workflow_run');
  const { request, verdict } = readCommentRequest(reportFile, ctx.workspace);
  if (run.event !== 'pull_request' && run.event !== 'pull_request_target') {
    return { outcome: 'skipped', verdict, reason: `the triggering run was a ${JSON.stringify(run.event)} run, not a pull request` };
  }
  if (!request) return { outcome: 'skipped', verdict, reason: 'the report carries no PR comment (nothing was checked)' };

  // The artifact names the PR; the triggering run says which commit was checked. Both must agree.
  const pr = await api.getPullRequest(request.issue);
  const headRepo = (run.head_repository as Json | undefined)?.full_name ?? null;
  if (!pr) throw new UserError(`the report names PR #${request.issue}, which does not exist in ${ctx.repo.owner}/${ctx.repo.repo}; not publishing`);
  if (pr.headSha !== run.head_sha || (headRepo && pr.headRepo && pr.headRepo.toLowerCase() !== String(headRepo).toLowerCase())) {
    throw new UserError(
      `the report names PR #${request.issue}, but that PR's head (${pr.headRepo ?? 'deleted fork'} @ ${pr.headSha.slice(0, 12)}) is not the run's ` +
        `(${headRepo ?? '?'} @ ${String(run.head_sha).slice(0, 12)}): the PR moved on or the artifact is not from this run; not publishing`,
    );
  }
  const hint = run.html_url ? `The full report is in the job summary of [the check run](${run.html_url}).` : 'The full report is in the check run\'s job summary.';
  // The check run already fitted the body; an artifact is untrusted, so the limit is enforced again.
  const [head, ...rest] = sanitiseUntrustedBody(request.body).split('\n\n');
  const body = fitMarkdown(head.slice(0, 4000), rest.join('\n\n'), commentBudget(request.identity), hint);
  const res = await upsertComment(api, request.issue, request.identity, { body, digest: request.digest });
  log(`PR #${request.issue}: comment ${res.outcome} (id ${res.commentId}) from the report of run ${run.id}`);
  return { outcome: res.outcome, issue: request.issue, verdict };
}
