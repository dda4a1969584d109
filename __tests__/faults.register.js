/* global require, process, module */
// ts-register with a disk cache of the transpiled output (keyed by path, size and mtime), so the many
// short-lived child processes of the fault suite start in a fraction of a second.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const TS_VERSION = require('typescript/package.json').version;

const CACHE = path.join(os.tmpdir(), `frontier-gate-ts-cache-${TS_VERSION}`);
fs.mkdirSync(CACHE, { recursive: true });

/** The transpiled output of a .ts file, from the disk cache or compiled into it. */
function transpileCached(filename) {
  const st = fs.statSync(filename);
  const key = crypto.createHash('sha1').update(`${filename}\0${st.size}\0${st.mtimeMs}`).digest('hex');
  const cached = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // Loaded only on a cache miss: the compiler alone takes over 100 MB.
    const ts = require('typescript');
    const source = fs.readFileSync(filename, 'utf8');
    const output = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
    }).outputText;
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, output);
    fs.renameSync(tmp, cached);
    return output;
  }
}

require.extensions['.ts'] = function compile(module, filename) {
  module._compile(transpileCached(filename), filename);
};

/**
 * Fills the cache for every .ts file under `dir` without running any of them, so that a child measured for
 * memory never loads the compiler (a cold cache put 100-250 MB of TypeScript into its peak RSS).
 */
function warmCache(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) warmCache(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) transpileCached(p);
  }
}

module.exports = { warmCache };
