/** scripts/check-workflows.js on this repository (clean) and on a scratch copy with the faults it must catch. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SCRIPT = path.join(ROOT, 'scripts', 'check-workflows.js');

function check(root?: string): { code: number | null; out: string } {
  const res = spawnSync(process.execPath, [SCRIPT, ...(root ? ['--root', root] : [])], { encoding: 'utf8' });
  return { code: res.status, out: res.stdout + res.stderr };
}

function scratch(workflow: string, doc: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-wf-'));
  fs.copyFileSync(path.join(ROOT, 'action.yml'), path.join(dir, 'action.yml'));
  fs.mkdirSync(path.join(dir, 'docs', 'workflows'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'docs', 'workflows', 'w.yml'), workflow);
  fs.writeFileSync(path.join(dir, 'README.md'), doc);
  return dir;
}

const CHECKOUT = 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';
const good = `on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ${CHECKOUT}\n      - uses: OWNER/frontier-gate@<full-commit-sha> # v0.1.0\n        with:\n          configs: models/*.yaml\n`;
const shown = (wf: string) => `# x\n\n<!-- workflow: docs/workflows/w.yml -->\n\`\`\`yaml\n${wf.replace(/\n$/, '')}\n\`\`\`\n`;

test('every docs workflow in this repository passes', () => {
  const r = check();
  expect(r.out).toMatch(/check-workflows: \d+ workflows parse/);
  expect(r.code).toBe(0);
});

test('a clean scratch workflow passes', () => {
  const r = check(scratch(good, shown(good)));
  expect(r.code).toBe(0);
});

test('the invalid flow mapping docs/search.md once had is caught with its position', () => {
  const bad = good.replace('        with:\n          configs: models/*.yaml\n', '        with: {name: shard-${{ matrix.shard }}, path: x}\n');
  const r = check(scratch(bad, shown(bad)));
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/docs\/workflows\/w\.yml: 8:\d+: not valid YAML/);
});

test('undeclared inputs, tag pins, an unknown sha, a wrong release comment, and drift from the docs are caught', () => {
  const bad = good
    .replace('configs: models/*.yaml', 'configz: models/*.yaml')
    .replace(CHECKOUT, 'actions/checkout@v4')
    .replace('      - uses: OWNER', `      - uses: actions/upload-artifact@${'a'.repeat(40)} # v7.0.0\n      - uses: actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v4.1.0\n        with: {pattern: x, merge: true}\n      - uses: OWNER`);
  const r = check(scratch(bad, shown(good)));
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/with\.configz: not an input of action\.yml/);
  expect(r.out).toMatch(/actions\/checkout@v4: pin by full 40-hex commit sha/);
  expect(r.out).toMatch(/not a known Node 24 release of actions\/upload-artifact/);
  expect(r.out).toMatch(/the trailing comment should say "# v8\.0\.1"/);
  expect(r.out).toMatch(/with\.merge: not an input of actions\/download-artifact v8\.0\.1/);
  expect(r.out).toMatch(/README\.md:4: the block differs from docs\/workflows\/w\.yml/);
});

test('a workflow block in the docs with no file behind it, and a file shown nowhere, are caught', () => {
  const r = check(scratch(good, `# x\n\n\`\`\`yaml\n${good}\`\`\`\n`));
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/README\.md:3: a workflow block without a `<!-- workflow:/);
  expect(r.out).toMatch(/w\.yml: not shown in README\.md/);
});
