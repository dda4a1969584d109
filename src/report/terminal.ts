/**
 * The terminal format. Reports are written once, as Markdown (the document model every renderer in
 * src/report produces); this turns such a document into plain text for a terminal or a piped file:
 * aligned tables, no Markdown escapes, no HTML, no invisible characters, and ANSI bold/colour only when
 * asked for (a TTY without NO_COLOR). Charts, which only a Markdown viewer can draw, become a one-line note.
 */

import { stripInvisible } from './escape';
import { VERDICT_COLOUR, VERDICT_ICON } from './headline';

export interface TextOptions {
  color: boolean;
}

const ANSI = { bold: '\x1b[1m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', reset: '\x1b[0m' };

/** Whether a stream should get colour: a TTY, and NO_COLOR (https://no-color.org) unset or empty. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#124;': '|' };


/** One line of Markdown inline syntax as plain text. */
export function inlineText(line: string, o: TextOptions): string {
  const bold = (s: string) => (o.color ? `${ANSI.bold}${s}${ANSI.reset}` : s);
  // Hidden characters (controls, ESC sequences, bidi overrides, zero-width) go first and last: the one rule
  // of escape.ts; the unescaping in between could not make new ones.
  return stripInvisible(line)
    .replace(/<summary>(.*?)<\/summary>/g, '$1')
    .replace(/<\/?(sub|sup|details|summary|b|i|em|strong|p)>/g, '')
    .replace(/<br\s*\/?>/g, ' ')
    .replace(/!\[([^\]]*)\]\(([^)]*)\)/g, '[image: $1]')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .replace(/\*\*(.+?)\*\*/g, (_m, s: string) => bold(s))
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\\([\\`*_{}[\]()#!|<>~&@:+\-.=])/g, '$1')
    .replace(/&(lt|gt|amp|quot|#124);/g, (m) => ENTITIES[m])
    .replace(/[\u200b-\u200f\u2060]/g, '');
}

/** Splits a Markdown table row on the pipes that are not escaped. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '\\' && i + 1 < inner.length) {
      cur += inner[i] + inner[i + 1];
      i++;
    } else if (inner[i] === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += inner[i];
  }
  out.push(cur.trim());
  return out;
}

// eslint-disable-next-line no-control-regex
const visibleLength = (s: string) => [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;

function table(rows: string[], o: TextOptions): string[] {
  const parsed = rows.map(cells);
  const alignRow = parsed.length > 1 && parsed[1].every((c) => /^:?-+:?$/.test(c)) ? parsed[1] : undefined;
  const body = (alignRow ? [parsed[0], ...parsed.slice(2)] : parsed).map((r) => r.map((c) => inlineText(c, o)));
  const right = (alignRow ?? []).map((a) => a.endsWith(':') && !a.startsWith(':'));
  const n = Math.max(...body.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(...body.map((r) => visibleLength(r[i] ?? ''))));
  const pad = (s: string, i: number) => {
    const gap = ' '.repeat(Math.max(0, widths[i] - visibleLength(s)));
    return right[i] ? gap + s : s + gap;
  };
  const lines = body.map((r) => Array.from({ length: n }, (_, i) => pad(r[i] ?? '', i)).join('  ').trimEnd());
  if (alignRow) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines;
}

/** A line that opens with a verdict's icon (the one table, ./headline.ts) in the verdict's colour. */
function colourVerdict(line: string, o: TextOptions): string {
  if (!o.color) return line;
  for (const colour of ['red', 'green', 'yellow'] as const) {
    if (VERDICT_COLOUR[colour].some((v) => line.startsWith(`${VERDICT_ICON[v]} `))) return ANSI[colour] + line + ANSI.reset;
  }
  return line;
}

/** A Markdown document (as src/report writes them) as terminal text. */
export function markdownToText(markdown: string, o: TextOptions = { color: false }): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      if (fence[1] === 'mermaid') out.push('(chart: shown where Markdown is rendered: write it with --report FILE.md, or as SVG with --chart FILE.svg)');
      else out.push(...body.map((b) => '    ' + stripInvisible(b)));
      continue;
    }
    if (/^\s*\|/.test(line)) {
      const rows: string[] = [];
      for (; i < lines.length && /^\s*\|/.test(lines[i]); i++) rows.push(lines[i]);
      i--;
      out.push(...table(rows, o));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const text = inlineText(heading[2], o);
      out.push(o.color ? `${ANSI.bold}${text}${ANSI.reset}` : text);
      continue;
    }
    if (/^\s*<\/?details>\s*$/.test(line)) continue;
    const quote = /^>\s?(.*)$/.exec(line);
    out.push(colourVerdict(inlineText(quote ? `  ${quote[1]}` : line, o), o));
  }
  // Collapse the blank lines that dropped HTML leaves behind.
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}
