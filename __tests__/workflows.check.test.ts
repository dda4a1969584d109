/** scripts/check-workflows.js on this repository (clean) and on a scratch copy with the faults it must catch. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SCRIPT = path.join(ROOT, 'scripts', 'check-workflows.js');

// In-process for the scratch trees (one spawn costs a TypeScript load); the repository itself through the CLI.
const { checkTree } = require('../scripts/check-workflows.js') as { checkTree: (root: string) => { problems: string[] } };

function check(root?: string): { code: number | null; out: string } {
  if (root) {
    const { problems } = checkTree(root);
    return { code: problems.length ? 2 : 0, out: problems.join('\n') };
  }
  const res = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
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
const good = `on: push\npermissions:\n  contents: write\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ${CHECKOUT}\n      - uses: OWNER/frontier-gate@<full-commit-sha> # v0.1.0\n        with:\n          configs: models/*.yaml\n`;
const shown = (wf: string) => `# x\n\n<!-- workflow: docs/workflows/w.yml -->\n\`\`\`yaml\n${wf.replace(/\n$/, '')}\n\`\`\`\n`;

test('every docs workflow in this repository passes', () => {
  const r = check();
  expect(r.out).toMatch(/check-workflows: \d+ workflows and the ones init prints parse/);
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
  expect(r.out).toMatch(/docs\/workflows\/w\.yml: 10:\d+: not valid YAML/);
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

describe('what a workflow needs to run at all, and to be allowed to do its job', () => {
  const wf = (on: string, permissions: string, withLines: string, extraSteps = '') =>
    `name: w\non:\n${on}\n${permissions}jobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ${CHECKOUT}\n${extraSteps}      - uses: OWNER/frontier-gate@<full-commit-sha> # v0.1.0\n        with:\n${withLines}`;
  const run = (text: string) => check(scratch(text, shown(text)));

  test('brace path filters (GitHub matches them literally) and filters that miss the configs are caught', () => {
    const braces = run(wf("  pull_request:\n    paths: ['models/**/*.{yaml,yml}']", 'permissions:\n  contents: read\n  pull-requests: write\n', '          configs: models/**/*.yaml\n'));
    expect(braces.code).toBe(2);
    expect(braces.out).toMatch(/on\.pull_request\.paths: "models\/\*\*\/\*\.\{yaml,yml\}": "\{" is literal in GitHub's filters/);
    const shallow = run(wf("  pull_request:\n    paths: ['models/*.yaml']", 'permissions:\n  contents: read\n  pull-requests: write\n', '          configs: models/**/*.{yaml,yml}\n'));
    expect(shallow.code).toBe(2);
    expect(shallow.out).toMatch(/jobs\.a: on\.pull_request paths \["models\/\*\.yaml"\] does not trigger for models\/a\/b-c\/my-net_2\.yaml, which configs "models\/\*\*\/\*\.\{yaml,yml\}" matches/);
    const both = run(wf("  push:\n    paths: ['models/**']\n    paths-ignore: ['docs/**']", 'permissions:\n  contents: write\n', '          configs: models/**/*.yaml\n'));
    expect(both.out).toMatch(/on\.push: paths and paths-ignore together are refused by GitHub/);
    const negOnly = run(wf("  push:\n    paths: ['!docs/**']", 'permissions:\n  contents: write\n', '          configs: models/**/*.yaml\n'));
    expect(negOnly.out).toMatch(/on\.push\.paths: only negated patterns match nothing/);
  });

  test('unknown events, a workflow_run of no documented workflow, and auto on workflow_dispatch are caught', () => {
    const r = run(wf('  pull_requests:\n  workflow_run:\n    workflows: [nightly sweep]\n  workflow_dispatch:', 'permissions:\n  contents: write\n  pull-requests: write\n', '          configs: models/**/*.yaml\n'));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/on\.pull_requests: not an event that triggers workflows/);
    expect(r.out).toMatch(/on\.workflow_run\.workflows: "nightly sweep" is the name of no documented workflow \(names: w\), so this never runs/);
    expect(r.out).toMatch(/command: auto picks no command on workflow_dispatch .*; set command/);
  });

  test('permissions are read from action.yml: chart-branch, on-drift issue, the command per event, a missing block', () => {
    const pr = run(wf("  pull_request:\n    paths: ['models/**']", 'permissions:\n  contents: read\n', '          configs: models/**/*.yaml\n          chart-branch: frontier-assets\n'));
    expect(pr.code).toBe(2);
    expect(pr.out).toMatch(/jobs\.a: command check \(auto on pull_request\) with chart-branch "frontier-assets" \(chart-branch: '' for none\) needs pull-requests: write, but the job's token has pull-requests: none/);
    expect(pr.out).toMatch(/jobs\.a: command check \(auto on pull_request\) with chart-branch "frontier-assets" \(chart-branch: '' for none\) needs contents: write, but the job's token has contents: read/);
    // chart-branch defaults to frontier-assets: a PR gate that keeps contents: read says so with chart-branch: ''.
    const byDefault = run(wf("  pull_request:\n    paths: ['models/**']", 'permissions:\n  contents: read\n  pull-requests: write\n', '          configs: models/**/*.yaml\n'));
    expect(byDefault.out).toMatch(/with chart-branch "frontier-assets" \(the default; chart-branch: '' for none\) needs contents: write, but the job's token has contents: read/);
    const noChart = run(wf("  pull_request:\n    paths: ['models/**']", 'permissions:\n  contents: read\n  pull-requests: write\n', "          configs: models/**/*.yaml\n          chart-branch: ''\n"));
    expect(noChart.code).toBe(0);
    const publish = run(wf('  workflow_run:\n    workflows: [frontier]\n    types: [completed]', 'permissions:\n  pull-requests: write\n', '          report-path: a/r.json\n'));
    expect(publish.out).toMatch(/command publish \(auto on workflow_run\) with chart-branch "frontier-assets" \(the default; chart-branch: '' for none\) needs contents: write/);
    const nightly = run(wf("  schedule:\n    - cron: '17 3 * * *'", 'permissions:\n  contents: write\n', '          on-drift: issue\n'));
    expect(nightly.out).toMatch(/on-drift: issue needs issues: write, but the job's token has issues: none/);
    const shard = run(wf('  workflow_dispatch:', 'permissions:\n  contents: read\n', '          command: sweep\n          search-args: --shard 1/4\n'));
    expect(shard.code).toBe(0);
    const unsharded = run(wf('  workflow_dispatch:', 'permissions:\n  contents: read\n', '          command: sweep\n'));
    expect(unsharded.out).toMatch(/command sweep needs contents: write/);
    const none = run(wf('  workflow_dispatch:', '', '          command: lacs\n'));
    expect(none.out).toMatch(/jobs\.a: no permissions block \(job or workflow\).*declare contents: read/);
    const ownToken = run(wf('  workflow_dispatch:', 'permissions:\n  contents: read\n', '          command: sweep\n          github-token: ${{ secrets.APP_TOKEN }}\n'));
    expect(ownToken.code).toBe(0);
  });

  test('installs from the npm registry, where frontier-gate is not published, and a release URL of another version are caught', () => {
    const steps = '      - run: npx --yes frontier-gate@0.1.0 report --html site\n      - run: npx frontier-gate stats m.yaml\n' +
      '      - run: npm install --no-save https://github.com/OWNER/frontier-gate/releases/download/v0.0.9/frontier-gate-0.0.9.tgz\n';
    const r = run(wf('  workflow_dispatch:', 'permissions:\n  contents: read\n', '          command: lacs\n', steps));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/run: "npx --yes frontier-gate@" fetches frontier-gate from the npm registry, where it is not published/);
    expect(r.out).toMatch(/run: npx frontier-gate with no install step before it in the job falls back to the npm registry/);
    expect(r.out).toMatch(/v0\.0\.9\/frontier-gate-0\.0\.9\.tgz: the release tarball is https:\/\/github\.com\/OWNER\/frontier-gate\/releases\/download\/v0\.1\.0\/frontier-gate-0\.1\.0\.tgz/);
  });

  test("the README's inputs and outputs must list what action.yml declares", () => {
    const text = wf('  workflow_dispatch:', 'permissions:\n  contents: read\n', '          command: lacs\n');
    const r = check(scratch(text, `${shown(text)}\nInputs: \`command\`, \`configs\`. Outputs: \`verdict\`.\n`));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/README\.md: the "Inputs:" list: missing .*chart-branch/);
    expect(r.out).toMatch(/README\.md: the "Outputs:" list: missing .*chart-svg/);
  });
});
