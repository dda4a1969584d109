#!/usr/bin/env node
/**
 * Writes the published JSON Schemas from their one source in code (src/arch/schema.ts and what derives
 * from it), straight from the TypeScript sources (no build needed):
 *   schema/arch-config.schema.json    the architecture config schema
 *   schema/search-space.schema.json   the search-space schema (leaves from the architecture schema)
 *   src/frontier/store.schema.json    the store schema: its config part and provider enums are generated
 *   node scripts/gen-schemas.js          write the files (npm run schemas)
 *   node scripts/gen-schemas.js --check  exit 1 naming each stale file (part of npm run lint)
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.join(__dirname, '..');

// Load .ts sources by transpiling them on the fly (types are erased; the schemas are plain data).
require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
  });
  module._compile(outputText, filename);
};

const json = (value) => JSON.stringify(value, null, 2) + '\n';

function outputs() {
  const { schemaJson } = require(path.join(ROOT, 'src/arch/schema.ts'));
  const { spaceSchemaJson } = require(path.join(ROOT, 'src/search/space-schema.ts'));
  const storeFile = path.join(ROOT, 'src/frontier/store.schema.json');
  // The store schema as the store validates with it: its config part from the architecture schema, its
  // provider enums from the provider registry.
  const { storeSchema } = require(path.join(ROOT, 'src/frontier/store.ts'));
  const store = storeSchema();
  return [
    [path.join(ROOT, 'schema/arch-config.schema.json'), schemaJson()],
    [path.join(ROOT, 'schema/search-space.schema.json'), spaceSchemaJson()],
    [storeFile, json(store)],
  ];
}

function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [file, text] of outputs()) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (current === text) continue;
    if (check) stale.push(path.relative(ROOT, file));
    else fs.writeFileSync(file, text);
  }
  if (stale.length) {
    console.error(`stale generated schema(s): ${stale.join(', ')}; run \`npm run schemas\` and commit the result`);
    process.exit(1);
  }
}

main();
