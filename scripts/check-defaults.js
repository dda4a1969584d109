#!/usr/bin/env node
/**
 * No re-typed values (run by `npm run lint`): each default the gate and the measurement share has one
 * source, and this fails on a copy of it anywhere else in src/:
 *
 *   the check's tolerances       src/frontier/position.ts   DEFAULT_TOLERANCES (latency 3%, accuracy 0.1 points)
 *   the precision list           src/arch/types.ts          PRECISIONS
 *   provider names               src/measure/providers/     the provider registry (a provider's device: runsOnGpu)
 *   default measure options      src/measure/types.ts       DEFAULT_MEASURE_OPTIONS (provider, batch, precision...)
 *
 * What counts as a copy: the latency tolerance's value as a literal anywhere; a numeric literal given to a
 * latency or accuracy tolerance (a property, a variable, a flag's default or fallback); an array literal of
 * precisions; a provider name compared with ===, !== or a switch case; a provider or precision name as a
 * flag's or an input's default (choiceFlag / choice fallbacks, `default:` of a flag table); and action.yml's
 * input defaults, which must equal the sources. Usage: node scripts/check-defaults.js [SRC_DIR [ACTION_YML]].
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'src'));
const actionYml = process.argv[3] ?? (process.argv[2] ? undefined : path.join(__dirname, '..', 'action.yml'));

const SOURCES = {
  tolerances: { file: 'frontier/position.ts', name: 'DEFAULT_TOLERANCES' },
  precisions: { file: 'arch/types.ts', name: 'PRECISIONS' },
  measure: { file: 'measure/types.ts', name: 'DEFAULT_MEASURE_OPTIONS' },
  providers: 'measure/providers/',
};

function listFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (f) => path.relative(root, f).split(path.sep).join('/');
const parse = (file) => ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);

/** The object literal a `const NAME = ...` declares in a file (through `as` and type annotations). */
function constObject(file, name) {
  let found;
  const visit = (n) => {
    if (ts.isVariableDeclaration(n) && n.name.getText() === name && n.initializer) {
      let init = n.initializer;
      while (ts.isAsExpression(init) || ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression?.(init)) init = init.expression;
      found = init;
    }
    ts.forEachChild(n, visit);
  };
  visit(parse(file));
  return found;
}

function literalValue(n) {
  if (ts.isNumericLiteral(n)) return Number(n.text);
  if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(n.operand)) return -Number(n.operand.text);
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  return undefined;
}

function objectValues(node) {
  const out = {};
  if (node && ts.isObjectLiteralExpression(node)) {
    for (const p of node.properties) if (ts.isPropertyAssignment(p)) out[p.name.getText().replace(/['"]/g, '')] = literalValue(p.initializer);
  }
  return out;
}

function arrayValues(node) {
  return node && ts.isArrayLiteralExpression(node) ? node.elements.map(literalValue) : [];
}

const problems = [];
const at = (file, node, what) => {
  const { line, character } = node.getSourceFile().getLineAndCharacterOfPosition(node.getStart());
  problems.push(`src/${rel(file)}:${line + 1}:${character + 1}: ${what}`);
};

// The values of the sources.
const sourceFile = (k) => path.join(root, SOURCES[k].file);
const tolerances = fs.existsSync(sourceFile('tolerances')) ? objectValues(constObject(sourceFile('tolerances'), SOURCES.tolerances.name)) : {};
const precisions = fs.existsSync(sourceFile('precisions')) ? arrayValues(constObject(sourceFile('precisions'), SOURCES.precisions.name)) : ['fp32', 'fp16'];
const measureDefaults = fs.existsSync(sourceFile('measure')) ? objectValues(constObject(sourceFile('measure'), SOURCES.measure.name)) : {};
const providerDir = path.join(root, SOURCES.providers);
const providers = new Set();
if (fs.existsSync(providerDir)) {
  for (const f of listFiles(providerDir)) {
    const visit = (n) => {
      // Each provider file declares `name: '<provider>'` in its definition.
      if (ts.isPropertyAssignment(n) && n.name.getText() === 'name' && ts.isStringLiteral(n.initializer) && /^[a-z0-9]+$/.test(n.initializer.text)) providers.add(n.initializer.text);
      ts.forEachChild(n, visit);
    };
    visit(parse(f));
  }
}
const latency = tolerances.latency;
const TOLERANCE_NAME = /^(latency|accuracy)[-_]?tolerance$/i;

/** The name a literal is given to: property, variable, parameter default, or the flag named beside it in a call. */
function contextName(n) {
  const p = n.parent;
  if (!p) return undefined;
  if ((ts.isPropertyAssignment(p) || ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p)) && p.initializer === n) {
    const own = p.name.getText().replace(/['"]/g, '');
    // `default: 0.03` in a flag table: the flag's name is the property holding the table entry.
    if (own === 'default' && ts.isObjectLiteralExpression(p.parent) && ts.isPropertyAssignment(p.parent.parent)) return p.parent.parent.name.getText().replace(/['"]/g, '');
    return own;
  }
  if (ts.isCallExpression(p) && p.arguments.includes(n)) {
    const flag = p.arguments.find((a) => ts.isStringLiteral(a));
    return flag?.text;
  }
  return undefined;
}

const isSource = (file, name) => rel(file) === SOURCES[name].file;
const inProviders = (file) => rel(file).startsWith(SOURCES.providers);
const CHOICE_CALLS = new Set(['choiceFlag', 'choice']);

for (const file of listFiles(root)) {
  const visit = (n) => {
    // 1. The latency tolerance's value, or any literal given to a latency/accuracy tolerance.
    if (ts.isNumericLiteral(n) && !isSource(file, 'tolerances')) {
      const name = contextName(n);
      if (latency !== undefined && Number(n.text) === latency) at(file, n, `${n.text} is the latency tolerance re-typed; use DEFAULT_TOLERANCES.latency (src/${SOURCES.tolerances.file})`);
      else if (name && TOLERANCE_NAME.test(name)) at(file, n, `${n.text} given to ${name}: a tolerance re-typed; use DEFAULT_TOLERANCES (src/${SOURCES.tolerances.file})`);
    }
    // 2. A list of precisions.
    if (ts.isArrayLiteralExpression(n) && !isSource(file, 'precisions') && n.elements.length >= 2) {
      const values = n.elements.map(literalValue);
      if (values.every((v) => typeof v === 'string' && precisions.includes(v))) at(file, n, `${n.getText()} re-types the precision list; use PRECISIONS (src/${SOURCES.precisions.file})`);
    }
    // 3. A provider name compared: compare the registry's entry instead (runsOnGpu, getProvider).
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && providers.has(n.text) && !inProviders(file)) {
      const p = n.parent;
      const compared = ts.isBinaryExpression(p) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(p.operatorToken.kind);
      if (compared || ts.isCaseClause(p)) at(file, n, `'${n.text}' compared as a provider name; ask the provider registry (runsOnGpu, getProvider in src/${SOURCES.providers})`);
    }
    // 4. A provider or precision name, or a measure default, as a flag's or an input's default.
    if ((ts.isStringLiteral(n) || ts.isNumericLiteral(n)) && !isSource(file, 'measure') && !inProviders(file)) {
      const v = literalValue(n);
      const p = n.parent;
      const isFallback = ts.isCallExpression(p) && CHOICE_CALLS.has(p.expression.getText()) && p.arguments[p.arguments.length - 1] === n;
      const isFlagDefault = ts.isPropertyAssignment(p) && p.initializer === n && p.name.getText() === 'default';
      const known = typeof v === 'string' && (providers.has(v) || precisions.includes(v));
      if ((isFallback || isFlagDefault) && known) at(file, n, `'${v}' re-types a default; use DEFAULT_MEASURE_OPTIONS (src/${SOURCES.measure.file})`);
    }
    ts.forEachChild(n, visit);
  };
  visit(parse(file));
}

// 5. action.yml's input defaults equal the sources.
if (actionYml && fs.existsSync(actionYml)) {
  const YAML = require('yaml');
  const inputs = YAML.parse(fs.readFileSync(actionYml, 'utf8')).inputs ?? {};
  const expected = {
    'latency-tolerance': tolerances.latency,
    'accuracy-tolerance': tolerances.accuracy,
    'execution-provider': measureDefaults.ep,
    'batch-size': measureDefaults.batch,
    precision: measureDefaults.precision,
  };
  for (const [input, value] of Object.entries(expected)) {
    const given = inputs[input]?.default;
    if (value === undefined) continue;
    if (given === undefined || String(given) !== String(value)) problems.push(`action.yml: inputs.${input}.default is ${JSON.stringify(given)}, but its source says ${JSON.stringify(String(value))}`);
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`check-defaults: ${problems.length} re-typed value(s)`);
  process.exit(1);
}
console.log(`check-defaults: tolerances, precisions, provider names and measure defaults come from their one source (${providers.size} providers)`);
