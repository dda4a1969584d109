/**
 * The repository's own lints, run on small trees: the import rule (scripts/check-imports.js) fails on an
 * import that points up, on a cycle of modules and on a cycle of folders within one layer.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-lint-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function checkImports(dir: string): { code: number | null; err: string } {
  const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-imports.js'), dir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: res.status, err: res.stderr };
}

describe('scripts/check-imports.js', () => {
  it('passes on the repository', () => {
    const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-imports.js')], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/no cycles of modules or folders/);
  });

  it('fails on an import that points up: frontier may not import lacs', () => {
    const r = checkImports(tree({ 'frontier/gate.ts': "import { x } from '../lacs/gate';\nexport const y = x;\n", 'lacs/gate.ts': 'export const x = 1;\n' }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/src\/frontier\/gate\.ts imports src\/lacs\/gate\.ts: imports must point down the pipeline/);
  });

  it('fails on a cycle of folders in one layer, even without a cycle of modules', () => {
    const r = checkImports(tree({
      'github/a.ts': "import { b } from '../bench/b';\nexport const a = b;\n",
      'bench/b.ts': 'export const b = 1;\n',
      'bench/c.ts': "import { d } from '../github/d';\nexport const c = d;\n",
      'github/d.ts': 'export const d = 1;\n',
    }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/folder cycle: src\/bench\/ <-> src\/github\//);
    expect(r.err).not.toMatch(/import cycle/);
  });

  it('fails on a cycle of modules', () => {
    const r = checkImports(tree({ 'arch/a.ts': "import { b } from './b';\nexport const a = 1 + b;\n", 'arch/b.ts': "import { a } from './a';\nexport const b = a;\n" }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/import cycle: src\/arch\/(a|b)\.ts -> src\/arch\/(a|b)\.ts/);
  });
});
