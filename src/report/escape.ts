/**
 * One escape per output format, for every untrusted string (model names, file paths, stage names, shard
 * labels, config keys in error messages, anything from a PR or an artifact). Every renderer uses these and
 * no other:
 *
 * - Markdown that GitHub renders (PR comments, job summaries, report files):
 *   escapeMarkdown(text) a plain string shown as text (every Markdown/HTML character escaped);
 *   escapeCode(text) a plain string inside a `code span`;
 *   sanitizeMarkdown(markdown) an untrusted Markdown fragment kept readable (lists, emphasis, tables) but
 *   with no HTML at all, no links or images, no mentions, no autolinks;
 *   escapeMermaid(text) a label inside a Mermaid chart's quoted string;
 *   neutraliseHtmlComments(markdown) the last line of defence before our own Markdown is posted.
 * - HTML (the dashboard): escapeHtml.
 * - The terminal (the CLI's stdout and stderr, error messages with their `file:line:col: FIELD:` prefix
 *   included): escapeTerminal, which shows control characters, terminal escapes and bidirectional overrides
 *   as visible \uXXXX instead of letting them retitle, clear or reorder the terminal.
 * - Annotations and log lines of the action: annotationText (no hidden characters, no workflow commands).
 * All of them remove or show bidirectional overrides and invisible control characters (INVISIBLE).
 */

const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#!|<>~&@:]/g;
/** List and heading markers only act at the start of a line; escaping them elsewhere just adds noise. */
const LINE_START_SPECIAL = /^[-+.=]/;

/**
 * C0/C1 controls other than tab and newline, zero-width and joiner characters, bidirectional embeddings,
 * overrides and isolates (U+202A-U+202E, U+2066-U+2069, LRM/RLM/ALM), the BOM, soft hyphen, interlinear
 * annotation and tag characters: text that displays differently from what it is.
 */
// eslint-disable-next-line no-control-regex, no-misleading-character-class
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;

/** Removes bidi overrides and invisible/control characters (keeps tab, newline; CR is dropped). */
export function stripInvisible(text: string): string {
  return String(text).replace(/\r\n?/g, '\n').replace(INVISIBLE, '');
}

const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text for a terminal: every control character but newline and tab (ESC sequences that retitle or clear the
 * terminal, C1 controls), every bidirectional override and invisible character shown as a visible \uXXXX.
 * In JSON output this is the same document (those characters only occur inside strings, where \uXXXX is
 * their JSON escape).
 */
export function escapeTerminal(text: string): string {
  return String(text).replace(/\r\n/g, '\n').replace(TERMINAL_ACTIVE, hex);
}

/**
 * What acts on a terminal or reorders what it shows: C0 controls but tab and newline (ESC starts every escape
 * sequence; CR overwrites a line), DEL and C1 controls (CSI), bidirectional marks, embeddings, overrides and
 * isolates, line and paragraph separators, the BOM. Emoji variation selectors and joiners stay (they only
 * shape a glyph).
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/g;

/**
 * Plain text as a fenced code block: the fence is longer than any run of backticks in the text, so nothing
 * in it (a target label, a file name) can close the block and start Markdown of its own.
 */
export function fenceCode(text: string, lang = 'text'): string {
  const body = stripInvisible(text).trimEnd();
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body}\n${fence}\n`;
}

/** Text inside a Mermaid chart's quoted label: no quote, bracket, backtick or markup can end or extend it. */
export function escapeMermaid(text: string): string {
  return stripInvisible(text).replace(/[\n\t]+/g, ' ').replace(/["`<>{}[\]#;&]/g, '').replace(/@/g, '@\u200b').slice(0, 80);
}

/** Text for HTML content and attribute values (quotes included), without hidden characters. */
export function escapeHtml(text: string): string {
  return stripInvisible(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A line that starts with "::" is a workflow command to the runner; untrusted text (model names, file
 * paths, API messages) that reaches the log must not be able to issue one.
 */
export function neutraliseCommands(text: string): string {
  return text.replace(/^(\s*):(?=:)/gm, '$1:\u200b');
}

/** Annotation and log text of the action: no hidden characters (they make text read differently), no workflow commands. */
export function annotationText(message: string): string {
  return neutraliseCommands(stripInvisible(message));
}

/** Escape every character that Markdown or GitHub's autolinking could interpret; newlines become spaces. */
export function escapeMarkdown(text: string): string {
  return stripInvisible(text)
    .replace(/[\n\t]+/g, ' ')
    .replace(MARKDOWN_SPECIAL, (ch) => {
      switch (ch) {
        case '<':
          return '&lt;';
        case '>':
          return '&gt;';
        case '&':
          return '&amp;';
        // "@" and ":" break mentions and autolinked URLs (https://...) without a visible backslash.
        case '@':
          return '@\u200b';
        case ':':
          return ':\u200b';
        default:
          return '\\' + ch;
      }
    })
    .replace(LINE_START_SPECIAL, (ch) => '\\' + ch)
    // GitHub autolinks "www." domains even without a scheme.
    .replace(/(www)\./gi, '$1\u200b.');
}

/** Text for inside a `code span`: backticks cannot be escaped there, so they are replaced. */
export function escapeCode(text: string): string {
  return stripInvisible(text).replace(/[\n\t]+/g, ' ').replace(/`/g, 'ʼ');
}

/**
 * An untrusted Markdown fragment made inert: one pass over the characters (not a pattern removed once,
 * which nesting defeats), so the result holds no "<" at all, no link or image syntax, no mention and no
 * autolink. Emphasis, lists, tables and code keep working.
 */
export function sanitizeMarkdown(markdown: string): string {
  const text = stripInvisible(markdown);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const next = text[i + 1];
    switch (ch) {
      case '<':
        out += '&lt;';
        break;
      case '&':
        // Entities could spell "<" or a hidden character; show them as text.
        out += '&amp;';
        break;
      case ']':
        // "[text](url)", "[text][ref]" and "[ref]: url" all need "](" / "][" / "]:" to act.
        out += next === '(' || next === '[' || next === ':' ? ']\u200b' : ']';
        break;
      case '!':
        out += next === '[' ? '!\u200b' : '!';
        break;
      case '@':
        out += '@\u200b';
        break;
      case ':':
        // "https://", "javascript:", "mailto:", "data:" lose their meaning with a zero-width space after ":".
        out += /[A-Za-z]/.test(text[i - 1] ?? '') ? ':\u200b' : ':';
        break;
      case '.':
        out += /www$/i.test(text.slice(Math.max(0, i - 3), i)) ? '\u200b.' : '.';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/**
 * Our own rendered Markdown, last line of defence before it is posted: no HTML comment (a marker) can
 * appear in it, and no invisible characters. Replacing each "<!--" cannot create a new one.
 */
export function neutraliseHtmlComments(markdown: string): string {
  // The zero-width spaces the escapers add (mentions, links) are kept; everything else invisible goes.
  return String(markdown).replace(INVISIBLE, (c) => (c === '\u200b' ? c : '')).replace(/<!--/g, '&lt;!--');
}
