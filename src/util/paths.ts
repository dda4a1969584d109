/**
 * The one boundary for paths that come from outside frontier-gate's own choice: the GitHub API (a PR's
 * changed files, a compare), an event payload, an artifact, an action input, or the repository itself (a
 * symbolic link committed in a PR). Every such path goes through here before anything is read or written:
 *
 * - cleanRepoPath(raw, what): a repository-relative path as text (an input, a PR's file name). Normalised
 *   (forward slashes, no "." or empty segments); refused (exit 2, naming `what`) when it is empty, absolute,
 *   has a ".." segment, a backslash, a control or invisible character, or is longer than git or a file
 *   system would allow. isRepoPath says the same as a yes/no; isGitPath is the looser "could git hold it"
 *   of API responses and event payloads (a name that hides characters is then refused where it is read).
 * - insideRoot(root, file, what, rootName?): the absolute path of `file` (relative to `root`, or absolute) after
 *   checking that it stays inside `root` once every symbolic link on the way is followed, a dangling link
 *   included; a link that leaves the root, or a loop of links, is refused (exit 2).
 * - repoPath(root, file, what): a model's file (the command line, the API, the store) as the repository
 *   knows it and as this machine opens it ({rel, abs}): either separator, "." and ".." resolved, and then
 *   insideRoot's rule.
 *
 * Callers turn the error into their own exit code where the path came from a service (the API: exit 4).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';

/** git's and Linux's practical limits: a path of at most 4096 bytes, a name of at most 255. */
export const PATH_LIMITS = { maxPathChars: 4096, maxSegmentChars: 255, maxSegments: 256 } as const;

/** A path that leaves its root or cannot name a file inside one (exit 2). */
export class PathError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PathError';
  }
}

// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

const shown = (raw: string) => JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)
  // eslint-disable-next-line no-control-regex
  .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Why `raw` is not a repository-relative path, or undefined when it is one. */
function problemOf(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return `expected a path, got ${raw === null ? 'null' : typeof raw}`;
  if (!raw) return 'an empty path';
  if (raw.length > PATH_LIMITS.maxPathChars) return `a path of ${raw.length} characters; allowed: at most ${PATH_LIMITS.maxPathChars}`;
  if (HIDDEN.test(raw)) return 'a control or invisible character in the path';
  if (raw.includes('\\')) return 'a backslash in the path (paths use "/")';
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) return 'an absolute path; expected a path inside the repository';
  const segments = raw.split('/');
  if (segments.includes('..')) return 'a ".." segment; expected a path inside the repository';
  if (segments.length > PATH_LIMITS.maxSegments) return `${segments.length} folders deep; allowed: at most ${PATH_LIMITS.maxSegments}`;
  if (segments.some((s) => s.length > PATH_LIMITS.maxSegmentChars)) return `a name longer than ${PATH_LIMITS.maxSegmentChars} characters`;
  if (!segments.some((s) => s && s !== '.')) return 'a path that names the repository root, not a file';
  return undefined;
}

/**
 * Whether `raw` is a path git could hold at all (what an API response or an event may name): not empty,
 * no NUL, not absolute, no empty, "." or ".." segment. Looser than repoPath, which also refuses names that
 * display as something else: those are a problem of the file (exit 2 where it is used), not of the response.
 */
export function isGitPath(raw: unknown): boolean {
  if (typeof raw !== 'string' || !raw || raw.length > PATH_LIMITS.maxPathChars || raw.includes('\0') || raw.startsWith('/')) return false;
  return raw.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Whether `raw` is a repository-relative path repoPath accepts. */
export function isRepoPath(raw: unknown): boolean {
  return problemOf(raw) === undefined;
}

/** A repository-relative path, normalised ("./a//b" -> "a/b"); refused with a message naming `what`. */
export function cleanRepoPath(raw: unknown, what: string): string {
  const problem = problemOf(raw);
  if (problem) throw new PathError(`${what}: ${typeof raw === 'string' ? `${shown(raw)}: ` : ''}${problem}`);
  return (raw as string).split('/').filter((s) => s && s !== '.').join('/');
}

/**
 * Where `file` really is: every symbolic link along it followed, as far as the path exists; a dangling link
 * is followed by its text (a write would create its target). Throws on a loop of links.
 */
export function realLocation(file: string): string {
  let cur = path.resolve(file);
  let below: string[] = [];
  for (let hops = 0; hops <= 40; ) {
    try {
      return path.join(fs.realpathSync(cur), ...below);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new PathError(`${JSON.stringify(file)}: a loop of symbolic links`);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
    let link = false;
    try {
      link = fs.lstatSync(cur).isSymbolicLink();
    } catch {
      // does not exist: look at its folder
    }
    if (link) {
      cur = path.resolve(path.dirname(cur), fs.readlinkSync(cur));
      hops++;
      continue;
    }
    const up = path.dirname(cur);
    if (up === cur) return path.join(cur, ...below);
    below = [path.basename(cur), ...below];
    cur = up;
  }
  throw new PathError(`${JSON.stringify(file)}: a loop of symbolic links`);
}

function within(real: string, realRoot: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

/**
 * The absolute path of `file` inside `root` (a relative `file` is taken from `root`). Refused when it leaves
 * the root, lexically ("..", another absolute path) or through a symbolic link on the way or at the end
 * (a dangling one too).
 */
export function insideRoot(root: string, file: string, what: string, rootName = 'the workspace'): string {
  if (typeof file !== 'string' || !file || HIDDEN.test(file)) throw new PathError(`${what}: ${typeof file === 'string' ? shown(file) : 'no path'}: not a usable path`);
  const absRoot = path.resolve(root);
  const abs = path.resolve(absRoot, file);
  const realRoot = realLocation(absRoot);
  // An absolute path through a root that is itself a link (/tmp -> /private/tmp) is inside it too.
  if (!within(abs, absRoot) && !within(abs, realRoot)) throw new PathError(`${what}: ${shown(file)} is outside ${rootName}; expected a path inside it`);
  let real: string;
  try {
    real = realLocation(abs);
  } catch (err) {
    if (err instanceof PathError) throw new PathError(`${what}: ${err.message}`);
    throw err;
  }
  if (!within(real, realRoot)) {
    // The link's target is not quoted: it may name the runner's own files.
    throw new PathError(`${what}: ${shown(file)} resolves outside ${rootName} through a symbolic link; not used`);
  }
  return abs;
}

/** A file of the repository: as the store and reports name it, and where it is on this machine. */
export interface RepoPath {
  /** Repository-relative, POSIX separators. */
  rel: string;
  /** Absolute path on this machine, inside the root. */
  abs: string;
}

/**
 * `file` (absolute, or relative to `root`; either separator) as a file of the repository at `root`: refused
 * (exit 2, naming `what`) when empty, a Windows drive path, outside the root lexically or through a symbolic
 * link (insideRoot), or the root itself.
 */
export function repoPath(root: string, file: string, what: string): RepoPath {
  const posix = typeof file === 'string' ? file.replace(/\\/g, '/') : file;
  if (typeof posix === 'string' && /^[A-Za-z]:\//.test(posix) && path.sep === '/') throw new PathError(`${what}: ${shown(posix)} is not a path inside the repository`);
  const abs = insideRoot(root, posix, what, 'the repository');
  const absRoot = path.resolve(root);
  const base = within(abs, absRoot) ? absRoot : realLocation(absRoot);
  const rel = path.relative(base, abs);
  if (!rel) throw new PathError(`${what}: ${shown(file)} is the repository itself, not a file in it`);
  return { rel: rel.split(path.sep).join('/'), abs: path.join(absRoot, rel) };
}
