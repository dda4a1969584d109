/**
 * One PR comment per workflow and target, found again by a hidden marker and edited in place. A digest of
 * what matters (verdicts, head commit) rides in the marker: a re-run that changes nothing but noise in
 * the last digit makes no API write at all.
 */
import { createHash } from 'node:crypto';
import { neutraliseHtmlComments, stripInvisible } from '../report/escape';
import type { IssueComment, RepoApi } from './api';

/** GitHub rejects comment bodies over 65,536 characters; stay a little under. */
export const COMMENT_LIMIT = 65_536;
const SAFETY_MARGIN = 512;

export interface CommentIdentity {
  workflow: string;
  target: string;
}

/**
 * HTML comments end at "--"; keep the identity free of it and of ">", and of ";" and "=" (the marker's own
 * separators), so that no identity's marker is a prefix of another's and the marker cannot be broken.
 */
function markerSafe(text: string): string {
  return stripInvisible(text).replace(/-{2,}/g, '-').replace(/[<>;=\s]/g, '_').slice(0, 200);
}

export function markerPrefix(id: CommentIdentity): string {
  return `<!-- frontier-gate:workflow=${markerSafe(id.workflow)};target=${markerSafe(id.target)}`;
}

export function marker(id: CommentIdentity, digest: string): string {
  return `${markerPrefix(id)};digest=${digest} -->`;
}

export function digestOf(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/** The digest in a comment that starts with this identity's marker (our comments always do). */
export function digestInBody(body: string, id: CommentIdentity): string | undefined {
  const prefix = markerPrefix(id);
  if (!body.startsWith(prefix + ';digest=')) return undefined;
  const m = /^;digest=([0-9a-f]+) -->/.exec(body.slice(prefix.length));
  return m?.[1];
}

type Block = { kind: 'table' | 'fence' | 'text'; lines: string[] };

function splitBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; ) {
    const line = lines[i];
    const fence = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      const close = fence[1];
      let j = i + 1;
      while (j < lines.length && !lines[j].trim().startsWith(close)) j++;
      blocks.push({ kind: 'fence', lines: lines.slice(i, Math.min(j + 1, lines.length)) });
      i = j + 1;
    } else if (line.trimStart().startsWith('|')) {
      let j = i;
      while (j < lines.length && lines[j].trimStart().startsWith('|')) j++;
      blocks.push({ kind: 'table', lines: lines.slice(i, j) });
      i = j;
    } else {
      blocks.push({ kind: 'text', lines: [line] });
      i++;
    }
  }
  return blocks;
}

/**
 * Fit Markdown into `limit` characters. `head` (the verdict) is always kept whole; the report's tables
 * lose rows from the bottom (header kept, a note says how many rows were cut), fenced blocks (charts)
 * are dropped whole rather than cut open, and a final note points to the full report.
 */
export function fitMarkdown(head: string, body: string, limit: number, fullReportHint: string): string {
  const full = `${head}\n\n${body}`;
  if (full.length <= limit) return full;
  const note = `\n\n> The report was shortened to fit GitHub's comment limit. ${fullReportHint}`;
  if (head.length + 2 + note.length > limit) head = fitHead(head, limit - 2 - note.length);
  // A cut inside a <details> block closes it, so the note and the rest of the comment stay outside it.
  const opens = (text: string) => (text.match(/<details[\s>]/g) ?? []).length;
  const closers = (text: string) => Math.max(0, opens(text) - (text.match(/<\/details>/g) ?? []).length);
  const CLOSE = '\n\n</details>';
  // Reserved for the worst case: every block opened before the cut still open.
  let budget = limit - head.length - 2 - note.length - CLOSE.length * Math.min(opens(body), 8);
  const out: string[] = [];
  let cut = false;
  for (const block of splitBlocks(body)) {
    const text = block.lines.join('\n');
    if (!cut && text.length + 1 <= budget) {
      out.push(text);
      budget -= text.length + 1;
      continue;
    }
    if (block.kind === 'table' && !cut && block.lines.length > 2) {
      const rowNote = (n: number) => `\n_… ${n} more row${n === 1 ? '' : 's'} not shown_`;
      const kept: string[] = block.lines.slice(0, 2);
      let used = kept.join('\n').length;
      const rows = block.lines.slice(2);
      let k = 0;
      while (k < rows.length && used + rows[k].length + 1 + rowNote(rows.length).length + 1 <= budget) {
        used += rows[k].length + 1;
        kept.push(rows[k]);
        k++;
      }
      if (used + rowNote(rows.length - k).length + 1 <= budget) {
        out.push(kept.join('\n') + rowNote(rows.length - k));
        budget -= used + rowNote(rows.length - k).length + 1;
      }
    }
    cut = true;
  }
  const kept = out.join('\n');
  return `${head}\n\n${kept}${CLOSE.repeat(closers(kept))}${note}`;
}

/** A verdict head too long for the budget: whole lines kept, then a visible note of what was left out. */
function fitHead(head: string, budget: number): string {
  const lines = head.split('\n');
  const noteFor = (n: number) => `\n_… ${n} more line${n === 1 ? '' : 's'} of the verdict not shown_`;
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const piece = line.length > 1000 ? `${line.slice(0, 1000)}… (line cut)` : line;
    if (used + piece.length + 1 + noteFor(lines.length).length > budget) break;
    kept.push(piece);
    used += piece.length + 1;
  }
  return kept.length === lines.length ? kept.join('\n') : kept.join('\n') + noteFor(lines.length - kept.length);
}

export type CommentOutcome = 'created' | 'updated' | 'unchanged';

/** The login GITHUB_TOKEN comments as (GET /user is not open to it); with a personal token, GET /user says. */
export { ACTIONS_BOT_LOGIN as ACTIONS_BOT } from './api';

/** Our comment for this identity: authored by the token's own login and starting with the marker. */
export function findOwnComment(comments: readonly IssueComment[], id: CommentIdentity, login: string): IssueComment | undefined {
  const prefix = markerPrefix(id) + ';digest=';
  return comments.find((c) => c.author.toLowerCase() === login.toLowerCase() && c.body.startsWith(prefix));
}

/**
 * Create or update our comment. Only a comment authored by the token's own identity (resolved from the API:
 * GET /user, or github-actions[bot] for GITHUB_TOKEN) and starting with this identity's marker is adopted
 * or edited; anybody else's comment carrying a marker, quoted or forged, is ignored, and so is its digest.
 */
export async function upsertComment(
  api: RepoApi,
  issue: number,
  id: CommentIdentity,
  content: { body: string; digest: string },
  login?: string,
): Promise<{ outcome: CommentOutcome; commentId: number }> {
  const me = login ?? (await api.authenticatedLogin());
  // Whatever the body, no HTML comment but our marker reaches GitHub.
  const fullBody = `${marker(id, content.digest)}\n${neutraliseHtmlComments(content.body)}`;
  const existing = findOwnComment(await api.listIssueComments(issue), id, me);
  if (!existing) {
    const created = await api.createIssueComment(issue, fullBody);
    return { outcome: 'created', commentId: created.id };
  }
  if (digestInBody(existing.body, id) === content.digest) return { outcome: 'unchanged', commentId: existing.id };
  await api.updateIssueComment(existing.id, fullBody);
  return { outcome: 'updated', commentId: existing.id };
}

export function commentBudget(id: CommentIdentity): number {
  return COMMENT_LIMIT - SAFETY_MARGIN - marker(id, '0'.repeat(16)).length;
}
