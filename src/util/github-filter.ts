/**
 * GitHub's workflow filter patterns (`on.<push|pull_request>.paths`, `branches`, `tags`...), by the rules of
 * GitHub's "Filter pattern cheat sheet" (docs.github.com, Workflow syntax for GitHub Actions):
 *   `*`  zero or more characters, not `/`          `**`  zero or more of any character (`**\/` also none)
 *   `?`  zero or one of the preceding character    `+`   one or more of the preceding character
 *   `[]` one alphanumeric character listed, or in a range of a-z, A-Z, 0-9
 *   `!`  at the start: negates the positive patterns before it; patterns are checked in order, the last
 *        one that matches decides
 * Everything else is literal: `{yaml,yml}` is not a choice, it matches only a name that contains those
 * nine characters, which is how a brace filter silently never triggers. The project's own `configs` glob
 * (src/util/glob.ts) has braces; `pathFiltersForGlobs` turns it into filters GitHub matches.
 * Pure and import-free: scripts/check-workflows.js loads it from source.
 */

/** Characters a filter may hold literally; anything else is reported (GitHub documents no escaping). */
const LITERAL = /[A-Za-z0-9._/@~=:-]/;

type Token =
  | { kind: 'lit'; ch: string }
  | { kind: 'class'; body: string }
  | { kind: 'star' }
  | { kind: 'globstar'; slash: boolean }
  | { kind: 'repeat'; op: '?' | '+' };

interface Parsed { negate: boolean; tokens: Token[] }

/** Parses one pattern; throws an Error whose message says what is wrong and what is allowed. */
function parse(pattern: string): Parsed {
  if (pattern === '' || pattern === '!') throw new Error('an empty pattern matches nothing');
  const negate = pattern.startsWith('!');
  const body = negate ? pattern.slice(1) : pattern;
  const tokens: Token[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '*') {
      if (body[i + 1] === '*') {
        const slash = body[i + 2] === '/';
        tokens.push({ kind: 'globstar', slash });
        i += slash ? 2 : 1;
      } else tokens.push({ kind: 'star' });
    } else if (c === '?' || c === '+') {
      const prev = tokens[tokens.length - 1];
      if (!prev || (prev.kind !== 'lit' && prev.kind !== 'class')) {
        throw new Error(`"${c}" at ${i + 1} repeats the preceding character, and ${prev ? 'a wildcard' : 'nothing'} precedes it (for "any one character" there is no filter character: use * or [a-z0-9])`);
      }
      tokens.push({ kind: 'repeat', op: c });
    } else if (c === '[') {
      const end = body.indexOf(']', i + 1);
      if (end < 0) throw new Error(`"[" at ${i + 1} is not closed by "]"`);
      const cls = body.slice(i + 1, end);
      if (!/^(?:[a-z]-[a-z]|[A-Z]-[A-Z]|[0-9]-[0-9]|[A-Za-z0-9])+$/.test(cls)) {
        throw new Error(`[${cls}]: a bracket holds alphanumeric characters and ranges within a-z, A-Z or 0-9 only (no negation, no punctuation)`);
      }
      tokens.push({ kind: 'class', body: cls });
      i = end;
    } else if (c === '!') {
      throw new Error(`"!" at ${i + 1 + (negate ? 1 : 0)} is literal here: it negates only as the first character`);
    } else if (c === '{' || c === '}' || c === ',') {
      throw new Error(`"${c}" is literal in GitHub's filters: braces are not alternatives, list one pattern per alternative instead (e.g. 'models/**/*.yaml', 'models/**/*.yml')`);
    } else if (LITERAL.test(c)) tokens.push({ kind: 'lit', ch: c });
    else throw new Error(`${JSON.stringify(c)} at ${i + 1} is not one of GitHub's filter characters (*, **, ?, +, [], ! and letters, digits, . _ - / @ ~ = :)`);
  }
  return { negate, tokens };
}

/** Why a pattern is not a filter GitHub documents, or null when it is one. */
export function githubFilterProblem(pattern: string): string | null {
  try {
    parse(pattern);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The whole-path regular expression of one pattern (without its leading `!`). */
export function githubFilterRegExp(pattern: string): RegExp {
  const { tokens } = parse(pattern);
  let re = '';
  for (const t of tokens) {
    if (t.kind === 'lit') re += escapeRe(t.ch);
    else if (t.kind === 'class') re += `[${t.body}]`;
    else if (t.kind === 'star') re += '[^/]*';
    else if (t.kind === 'globstar') re += t.slash ? '(?:.*/)?' : '.*';
    else re += t.op;
  }
  return new RegExp(`^${re}$`);
}

/** Whether a filter list (in order, `!` negating what came before) lets `path` through. */
export function githubFiltersMatch(patterns: readonly string[], path: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const negate = p.startsWith('!');
    if (githubFilterRegExp(p).test(path)) matched = !negate;
  }
  return matched;
}

/** `a{b,c{d,e}}f` -> abf, acdf, acef (the project glob's braces, nested). */
export function expandBraces(glob: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '{') {
      if (depth++ === 0) open = i;
    } else if (glob[i] === '}' && depth > 0 && --depth === 0) {
      const alts: string[] = [];
      let d = 0;
      let from = open + 1;
      for (let j = open + 1; j < i; j++) {
        if (glob[j] === '{') d++;
        else if (glob[j] === '}') d--;
        else if (glob[j] === ',' && d === 0) {
          alts.push(glob.slice(from, j));
          from = j + 1;
        }
      }
      alts.push(glob.slice(from, i));
      const rest = expandBraces(glob.slice(i + 1));
      return alts.flatMap((a) => expandBraces(glob.slice(0, open) + a)).flatMap((head) => rest.map((tail) => head + tail));
    }
  }
  return [glob];
}

/**
 * One brace-free project glob as a GitHub filter. `exact` is false when it had to widen (the project's `?`
 * is any one character, GitHub's repeats the previous one; a bracket with punctuation or negation; a
 * character GitHub does not document): the filter then lets more through, never less.
 */
function toFilter(glob: string): { filter: string; exact: boolean } {
  let out = '';
  let exact = true;
  const widen = () => {
    exact = false;
    if (!out.endsWith('*')) out += '*';
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // After a star (`c+**/x`: `c*` then folders), `**/` would read as a new globstar and lose the star's
      // characters; a plain `**` (any characters, folders included) covers both.
      const afterStar = out.endsWith('*');
      out = out.replace(/\*+$/, '') + '**';
      i += afterStar && glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') {
      // A widened star next to this one must not turn into `**` (which crosses folders).
      if (!out.endsWith('*')) out += '*';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      const cls = end < 0 ? null : glob.slice(i + 1, end);
      if (cls !== null && githubFilterProblem(`[${cls}]`) === null) {
        out += `[${cls}]`;
        i = end;
      } else {
        widen();
        if (end >= 0) i = end;
      }
    } else if (LITERAL.test(c)) out += c;
    else widen();
  }
  return { filter: out, exact };
}

/**
 * The `paths:` filters that trigger a workflow for every file the action's `configs` globs match (space or
 * newline separated, `!` excluding, braces expanded): each include as GitHub filters, widened where GitHub
 * has no equivalent, then the excludes that translate exactly (a widened exclude would drop configs).
 */
export function pathFiltersForGlobs(spec: string): string[] {
  const parts = spec.split(/\s+/).filter(Boolean).map((p) => p.replace(/^(!?)\.\//, '$1'));
  const includes = parts.filter((p) => !p.startsWith('!')).flatMap(expandBraces).map((g) => toFilter(g).filter);
  const excludes = parts.filter((p) => p.startsWith('!')).flatMap((p) => expandBraces(p.slice(1))).map(toFilter)
    .filter((x) => x.exact).map((x) => `!${x.filter}`);
  return [...new Set([...includes, ...excludes])];
}

/**
 * Paths a project glob matches, one or more per brace alternative and wildcard shape: the samples the
 * workflow check feeds to both matchers. `**\/` as no folder and as two, `*` as a word, `?` as one letter,
 * a bracket as its first character.
 */
export function samplePathsForGlob(glob: string): string[] {
  const out: string[] = [];
  for (const g of expandBraces(glob.replace(/^\.\//, ''))) {
    for (const deep of [false, true]) {
      let s = '';
      for (let i = 0; i < g.length; i++) {
        const c = g[i];
        if (c === '*' && g[i + 1] === '*') {
          if (g[i + 2] === '/') {
            s += deep ? 'a/b-c/' : '';
            i += 2;
          } else {
            s += deep ? 'a/b' : 'x';
            i += 1;
          }
        } else if (c === '*') s += deep ? 'my-net_2' : 'x';
        else if (c === '?') s += 'q';
        else if (c === '[') {
          const end = g.indexOf(']', i + 1);
          const first = g[i + 1] === '!' || g[i + 1] === '^' ? null : g[i + 1];
          s += first ?? '~';
          i = end < 0 ? i : end;
        } else s += c;
      }
      out.push(s);
    }
  }
  return [...new Set(out)];
}
