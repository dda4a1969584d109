/**
 * Repository paths: the one function every path of a model file goes through, whether it comes from the
 * command line (`record models/net.onnx`), the GitHub API (a PR's changed files) or the store (a record's
 * `onnx.path`, which a PR can edit). A path is kept as the repository knows it (POSIX separators, relative
 * to the repository root, no `.` or `..` segments) and opened only inside the repository: lexically, and
 * through symbolic links when the file exists.
 *
 * (Issue #24 builds one path-boundary module for every input; this function is the models' seam to it.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';

export interface RepoPath {
  /** Repository-relative, POSIX separators: what the store records and reports show. */
  rel: string;
  /** Absolute path on this machine, inside `root`. */
  abs: string;
}

/**
 * `file` (absolute, or relative to `root`; either separator) as a path inside the repository at `root`.
 * Refuses, as exit 2 naming `what`: an empty path, a NUL byte, a path outside `root` (`..`, another absolute
 * path, a Windows drive), and an existing file whose real path leaves `root` (a symbolic link out of it).
 */
export function repoPath(root: string, file: string, what: string): RepoPath {
  if (!file || file.includes('\0')) throw new UserError(`${what}: expected a file path inside the repository, got ${JSON.stringify(file)}`);
  const realRoot = fs.existsSync(root) ? fs.realpathSync(root) : path.resolve(root);
  const posix = file.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(posix) && path.sep === '/') throw new UserError(`${what}: ${JSON.stringify(file)} is not a path inside the repository`);
  const abs = path.resolve(root, posix);
  const base = path.resolve(root);
  let rel = path.relative(base, abs);
  if (rel.startsWith(path.sep) || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    // An absolute path through a symlinked root (/tmp -> /private/tmp) is still inside it.
    const viaReal = path.relative(realRoot, abs);
    if (!viaReal || viaReal === '..' || viaReal.startsWith(`..${path.sep}`) || path.isAbsolute(viaReal)) {
      throw new UserError(`${what}: ${JSON.stringify(file)} is outside the repository (${root}); models are recorded by their path in the repository`);
    }
    rel = viaReal;
  }
  if (!rel) throw new UserError(`${what}: ${JSON.stringify(file)} is the repository itself, not a file in it`);
  if (fs.existsSync(abs)) {
    const real = fs.realpathSync(abs);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
      throw new UserError(`${what}: ${JSON.stringify(file)} resolves outside the repository (a symbolic link?); not read`);
    }
  }
  return { rel: rel.split(path.sep).join('/'), abs };
}
