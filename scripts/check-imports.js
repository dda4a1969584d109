#!/usr/bin/env node
/**
 * Imports point one way, down the pipeline, and never in a circle (run by `npm run lint`):
 *
 *   errors, fsutil, util  <-  arch  <-  onnx  <-  measure  <-  frontier  <-  lacs  <-  search  <-  report
 *     <-  commands  <-  cli, github, bench  <-  main, index
 *
 * frontier (the store, the gate's rule), lacs (compound scaling, which reads the store and the rule) and
 * search (spaces, profiling, search, which reads the Pareto function) are layers of their own, in that
 * order: LACS beside the gate is composed by the commands, so frontier never imports lacs.
 *
 * A module may import its own layer or any layer below it; type-only imports count too (a cycle of types
 * is still a cycle of concepts). Fails with each offending import, each cycle of modules, and each cycle
 * of folders (src/x/ importing src/y/ and src/y/ importing src/x/, through any modules: two folders of one
 * layer must not depend on each other both ways).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

// The tree to check: src/ (tests pass another folder laid out the same way).
const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'src'));
const LAYERS = [
  ['errors.ts', 'fsutil.ts', 'util/'],
  ['arch/'],
  ['onnx/'],
  ['measure/'],
  ['frontier/'],
  ['lacs/'],
  ['search/'],
  ['report/'],
  ['commands/'],
  ['cli.ts', 'github/', 'bench/'],
  ['main.ts', 'index.ts'],
];

function layerOf(rel) {
  const i = LAYERS.findIndex((names) => names.some((n) => (n.endsWith('/') ? rel.startsWith(n) : rel === n)));
  return i;
}

function listFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolve(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base + '.ts', path.join(base, 'index.ts'), base]) {
    if (c.endsWith('.ts') && fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return undefined;
}

function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  // require('...') and import('...') inside functions (lazy loads) are imports too.
  for (const m of text.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]);
  return [...new Set(specs.map((s) => resolve(file, s)).filter(Boolean))];
}

const files = listFiles(root);
const rel = (f) => path.relative(root, f).split(path.sep).join('/');
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const problems = [];

for (const [file, deps] of graph) {
  const from = layerOf(rel(file));
  if (from < 0) problems.push(`${rel(file)}: not in any layer of scripts/check-imports.js; add its folder to LAYERS`);
  for (const dep of deps) {
    const to = layerOf(rel(dep));
    if (from >= 0 && to > from) problems.push(`src/${rel(file)} imports src/${rel(dep)}: imports must point down the pipeline (${LAYERS[from].join(' ')} may not import ${LAYERS[to].join(' ')})`);
  }
}

// Cycles: Tarjan's strongly connected components over files.
let index = 0;
const stack = [];
const info = new Map();
function strongConnect(v) {
  info.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!info.has(w)) {
      strongConnect(w);
      info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
    } else if (info.get(w).onStack) {
      info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
  }
  if (info.get(v).low === info.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      info.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) problems.push(`import cycle: ${component.map((f) => 'src/' + rel(f)).join(' -> ')}`);
  }
}
for (const f of files) if (!info.has(f)) strongConnect(f);

// Folder cycles: the same over the graph of top-level folders (a file at the top level is its own node).
const folderOf = (f) => rel(f).split('/')[0];
const folders = new Map();
for (const [file, deps] of graph) {
  const from = folderOf(file);
  if (!folders.has(from)) folders.set(from, new Set());
  for (const dep of deps) if (folderOf(dep) !== from) folders.get(from).add(folderOf(dep));
}
for (const component of stronglyConnected([...folders.keys()], (v) => [...(folders.get(v) ?? [])])) {
  if (component.length > 1) problems.push(`folder cycle: ${component.sort().map((f) => `src/${f}${f.endsWith('.ts') ? '' : '/'}`).join(' <-> ')}`);
}

/** Tarjan's strongly connected components of a small graph (the folders), iteratively. */
function stronglyConnected(nodes, edges) {
  let counter = 0;
  const idx = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const out = [];
  const visit = (v) => {
    idx.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component);
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`check-imports: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} modules in ${folders.size} folders, imports point one way, no cycles of modules or folders`);
