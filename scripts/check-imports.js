#!/usr/bin/env node
/**
 * Imports point one way, down the pipeline, and never in a circle (run by `npm run lint`):
 *
 *   errors, fsutil, util  <-  arch  <-  onnx  <-  measure  <-  frontier, lacs, search  <-  report
 *     <-  commands  <-  cli, github, bench  <-  main, index
 *
 * A module may import its own layer or any layer below it; type-only imports count too (a cycle of types
 * is still a cycle of concepts). Fails with each offending import and each cycle.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..', 'src');
const LAYERS = [
  ['errors.ts', 'fsutil.ts', 'util/'],
  ['arch/'],
  ['onnx/'],
  ['measure/'],
  ['frontier/', 'lacs/', 'search/'],
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

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`check-imports: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} modules, imports point one way, no cycles`);
