/**
 * The one function a model's path goes through (src/util/paths.ts), whatever its source: the command line,
 * the GitHub API or the store. Property: any string either is refused (exit 2) or names a file inside the
 * repository, kept as a repository-relative POSIX path that joins back to the same file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { UserError } from '../src/errors';
import { repoPath } from '../src/util/paths';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-repo-path-'));
  fs.mkdirSync(path.join(root, 'models'));
  fs.writeFileSync(path.join(root, 'models', 'a.onnx'), 'x');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('repoPath', () => {
  it('keeps relative and absolute paths inside the repository as repository-relative POSIX paths', () => {
    expect(repoPath(root, 'models/a.onnx', 'x')).toEqual({ rel: 'models/a.onnx', abs: path.join(root, 'models', 'a.onnx') });
    expect(repoPath(root, path.join(root, 'models', 'a.onnx'), 'x').rel).toBe('models/a.onnx');
    expect(repoPath(root, './models/../models\\a.onnx', 'x').rel).toBe('models/a.onnx');
  });

  it('refuses paths outside it, the repository itself, NUL bytes and symbolic links out of it', () => {
    for (const bad of ['../x.onnx', '/etc/passwd', 'models/../../x', '', '.', 'a\0b', 'C:/x.onnx']) {
      expect(() => repoPath(root, bad, 'what')).toThrow(UserError);
    }
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-out-'));
    fs.writeFileSync(path.join(outside, 's.onnx'), 'secret');
    fs.symlinkSync(path.join(outside, 's.onnx'), path.join(root, 'models', 'link.onnx'));
    expect(() => repoPath(root, 'models/link.onnx', 'what')).toThrow(/what: "models\/link\.onnx" resolves outside the repository through a symbolic link; not used/);
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('property: any string is refused or stays inside, and its relative form joins back to it', () => {
    const segment = fc.oneof(fc.constantFrom('..', '.', '', 'models', 'a.onnx', '~', 'x y', '\\', ':'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), fc.boolean(), (parts, absolute) => {
        const text = (absolute ? '/' : '') + parts.join('/');
        let got: ReturnType<typeof repoPath>;
        try {
          got = repoPath(root, text, 'p');
        } catch (err) {
          expect(err).toBeInstanceOf(UserError);
          return;
        }
        expect(got.rel.split('/')).not.toContain('..');
        expect(got.rel.startsWith('/')).toBe(false);
        expect(path.relative(root, got.abs).startsWith('..')).toBe(false);
        expect(path.join(root, ...got.rel.split('/'))).toBe(got.abs);
      }),
      { seed: 24, numRuns: 500 },
    );
  });
});
