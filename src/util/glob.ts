/**
 * The small glob dialect of the `configs` input: `**` (any depth), `*`, `?`, `{a,b}`, `[abc]`. Used both to
 * filter a PR's changed files and to walk the workspace; a hand-rolled matcher keeps dist/ small.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inGroup = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "**/" matches zero or more directories; a trailing "**" matches everything below.
        if (glob[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      inGroup++;
      re += '(?:';
    } else if (c === '}' && inGroup > 0) {
      inGroup--;
      re += ')';
    } else if (c === ',' && inGroup > 0) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        // A negated class never matches "/" (as in every glob dialect): `[!a]` stays inside one folder name.
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += body.startsWith('!') ? `[^/${body.slice(1)}]` : `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Space- or newline-separated globs (a multi-line input); a leading "!" excludes. */
export function compileGlobs(spec: string): (file: string) => boolean {
  const parts = spec.split(/[\s]+/).filter(Boolean);
  const include = parts.filter((p) => !p.startsWith('!')).map((p) => globToRegExp(p.replace(/^\.\//, '')));
  const exclude = parts.filter((p) => p.startsWith('!')).map((p) => globToRegExp(p.slice(1).replace(/^\.\//, '')));
  return (file) => {
    const f = file.replace(/\\/g, '/').replace(/^\.\//, '');
    return include.some((r) => r.test(f)) && !exclude.some((r) => r.test(f));
  };
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);

/** Files under `root` matching the globs, as sorted repo-relative paths with forward slashes. */
export function walkGlob(root: string, spec: string): string[] {
  const matches = compileGlobs(spec);
  const found: string[] = [];
  const visit = (dir: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) visit(path.join(dir, e.name), relPath);
      } else if (e.isFile() && matches(relPath)) found.push(relPath);
    }
  };
  visit(root, '');
  return found.sort();
}
