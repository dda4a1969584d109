/**
 * One PR comment per workflow and target, found again by a hidden marker and edited in place. A digest of
 * what matters (verdicts, head commit) rides in the marker: a re-run that changes nothing but noise in
 * the last digit makes no API write at all.
 */
import { createHash } from 'node:crypto';
import type { IssueComment, RepoApi } from './api';

/** GitHub rejects comment bodies over 65,536 characters; stay a little under. */
export const COMMENT_LIMIT = 65_536;
const SAFETY_MARGIN = 512;

export interface CommentIdentity {
  workflow: string;
  target: string;
}

/** HTML comments end at "--"; keep the identity free of it and of ">" so the marker cannot be broken. */
function markerSafe(text: string): string {
  return text.replace(/-{2,}/g, '-').replace(/[<>\r\n]/g, '_').slice(0, 200);
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

export function digestInBody(body: string, id: CommentIdentity): string | undefined {
  const prefix = markerPrefix(id);
  const at = body.indexOf(prefix + ';digest=');
  if (at < 0) return undefined;
  const m = /^;digest=([0-9a-f]+) -->/.exec(body.slice(at + prefix.length));
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
  return `${head}\n\n${kept}${CLOSE.repeat(closers(kept))}${note}`.slice(0, limit);
}

export type CommentOutcome = 'created' | 'updated' | 'unchanged';

/** The login GITHUB_TOKEN comments as; with a personal token the marker alone identifies the comment. */
export const ACTIONS_BOT = 'github-actions[bot]';

/**
 * Create or update our comment. Candidates carry our marker for this identity; the bot's own comment
 * that starts with the marker wins over a user's comment that merely quotes it.
 */
export async function upsertComment(
  api: RepoApi,
  issue: number,
  id: CommentIdentity,
  content: { body: string; digest: string },
  botLogin: string = ACTIONS_BOT,
): Promise<{ outcome: CommentOutcome; commentId: number }> {
  const fullBody = `${marker(id, content.digest)}\n${content.body}`;
  const prefix = markerPrefix(id) + ';';
  const score = (c: IssueComment) => (c.author === botLogin ? 2 : 0) + (c.body.startsWith(prefix) ? 1 : 0);
  let existing: IssueComment | undefined;
  for (const c of await api.listIssueComments(issue)) {
    if (c.body.includes(prefix) && (!existing || score(c) > score(existing))) existing = c;
  }
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
