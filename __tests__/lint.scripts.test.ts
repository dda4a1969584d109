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

describe('scripts/check-defaults.js', () => {
  /** A small src/ with the sources (tolerances, precisions, providers, measure defaults) and `extra` files. */
  function withSources(extra: Record<string, string>): string {
    return tree({
      'frontier/position.ts': 'export const DEFAULT_TOLERANCES = { latency: 0.03, accuracy: 0.1 };\n',
      'arch/types.ts': "export const PRECISIONS = ['fp32', 'fp16'] as const;\n",
      'measure/types.ts': "export const DEFAULT_MEASURE_OPTIONS = { ep: 'cpu', batch: 1, precision: 'fp32' };\n",
      'measure/providers/cpu.ts': "export const cpu = { name: 'cpu', device: 'cpu' };\n",
      'measure/providers/cuda.ts': "export const cuda = { name: 'cuda', device: 'gpu' };\n",
      ...extra,
    });
  }

  function checkDefaults(dir: string, actionYml?: string): { code: number | null; err: string } {
    const args = [path.join(ROOT, 'scripts/check-defaults.js'), dir, ...(actionYml ? [actionYml] : [])];
    const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    return { code: res.status, err: res.stderr };
  }

  it('passes on the repository, action.yml included', () => {
    const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-defaults.js')], { encoding: 'utf8' });
    expect({ code: res.status, err: res.stderr }).toEqual({ code: 0, err: '' });
  });

  it('passes when every value comes from its source', () => {
    expect(checkDefaults(withSources({ 'commands/x.ts': "import { DEFAULT_TOLERANCES } from '../frontier/position';\nexport const t = DEFAULT_TOLERANCES.latency;\n" })).code).toBe(0);
  });

  it.each([
    ['a literal latency tolerance', "export const drift = (x: number) => Math.abs(x) > 0.03;\n", /0\.03 is the latency tolerance re-typed/],
    ['a tolerance flag default', "export const flags = { 'accuracy-tolerance': { type: 'string', default: 0.1 } };\n", /0\.1 given to accuracy-tolerance: a tolerance re-typed/],
    ['a tolerance fallback', "declare function numberFlag(v: object, n: string, f: number): number;\nexport const a = numberFlag({}, 'latency-tolerance', 0.05);\n", /0\.05 given to latency-tolerance/],
    ['a precision list', "export const ps = ['fp16', 'fp32'];\n", /re-types the precision list; use PRECISIONS/],
    ['a provider name compared', "export const gpu = (ep: string) => ep !== 'cpu';\n", /'cpu' compared as a provider name/],
    ['a provider default', "declare function choiceFlag(v: object, n: string, c: string[], f: string): string;\nexport const ep = choiceFlag({}, 'ep', ['cpu'], 'cpu');\n", /'cpu' re-types a default; use DEFAULT_MEASURE_OPTIONS/],
    ['a precision flag default', "export const flags = { precision: { type: 'string', default: 'fp32' } };\n", /'fp32' re-types a default/],
  ])('fails on %s', (_what, text, message) => {
    const r = checkDefaults(withSources({ 'commands/x.ts': text }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/^src\/commands\/x\.ts:\d+:\d+: /m);
  });

  it("fails on an action.yml default that is not its source's", () => {
    const dir = withSources({});
    const yml = path.join(dir, 'action.yml');
    fs.writeFileSync(yml, "inputs:\n  latency-tolerance: {default: '0.05'}\n  accuracy-tolerance: {default: '0.1'}\n  execution-provider: {default: cpu}\n  batch-size: {default: '1'}\n  precision: {default: fp32}\n");
    const r = checkDefaults(dir, yml);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/action\.yml: inputs\.latency-tolerance\.default is "0\.05", but its source says "0\.03"/);
  });
});
