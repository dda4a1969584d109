#!/usr/bin/env node
/**
 * Makes dist/ self-contained for linux-x64 runners after `ncc build` (run by scripts/package.sh):
 *  1. onnxruntime-node loads its native binding with a computed path,
 *     require(`../bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`),
 *     which ncc leaves as is: relative to dist/index.js it would point outside dist/. It is rewritten to
 *     `./bin/napi-v6/...`, i.e. dist/bin/napi-v6/<platform>/<arch>/.
 *  2. The binding and libonnxruntime.so.1 (found by the binding through its $ORIGIN rpath) are copied there.
 * GPU provider libraries are not shipped (hundreds of MB); the action fetches them at run time.
 * Idempotent: running it twice gives the same dist/.
 *   node scripts/postpackage.js [DIST_DIR]   (default: dist)
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.resolve(ROOT, process.argv[2] ?? 'dist');
const BUNDLE = path.join(DIST, 'index.js');
const PLATFORM_DIR = path.join('bin', 'napi-v6', 'linux', 'x64');
const NATIVE_FILES = ['onnxruntime_binding.node', 'libonnxruntime.so.1'];
const FROM = '`../bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`';
const TO = '`./bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`';

function fail(message) {
  console.error(`postpackage: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(BUNDLE)) fail(`${BUNDLE} does not exist; run ncc first (npm run package)`);
let code = fs.readFileSync(BUNDLE, 'utf8');
const found = code.split(FROM).length - 1;
const already = code.split(TO).length - 1;
if (found === 0 && already !== 1) fail(`expected onnxruntime-node's binding require ${FROM} once in dist/index.js, found none: did onnxruntime-node change its loader?`);
if (found > 1) fail(`found ${found} copies of ${FROM}; expected one`);
if (found === 1) {
  code = code.replace(FROM, TO);
  fs.writeFileSync(BUNDLE, code);
}

const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json', { paths: [ROOT] }));
const srcDir = path.join(pkgDir, PLATFORM_DIR);
const dstDir = path.join(DIST, PLATFORM_DIR);
fs.mkdirSync(dstDir, { recursive: true });
for (const f of NATIVE_FILES) {
  const from = path.join(srcDir, f);
  if (!fs.existsSync(from)) fail(`${from} is missing: is onnxruntime-node installed for linux-x64?`);
  fs.copyFileSync(from, path.join(dstDir, f));
}
console.log(`postpackage: binding require rewritten; ${NATIVE_FILES.join(', ')} copied to ${path.relative(ROOT, dstDir) || dstDir}`);
