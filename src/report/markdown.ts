/**
 * Escaping for untrusted strings (model names, file paths, anything from a PR) placed in Markdown that
 * GitHub renders: PR comments, job summaries. Without it a config named "<img src=x>" or
 * "[click](https://evil)" or "@org/team" would inject HTML, links or mentions into the bot's comment.
 */

const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#!|<>~&@:]/g;
/** List and heading markers only act at the start of a line; escaping them elsewhere just adds noise. */
const LINE_START_SPECIAL = /^[-+.=]/;

/** Escape every character that Markdown or GitHub's autolinking could interpret; newlines become spaces. */
export function escapeMarkdown(text: string): string {
  return String(text)
    .replace(/[\r\n]+/g, ' ')
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
  return String(text).replace(/[\r\n]+/g, ' ').replace(/`/g, 'ʼ');
}
