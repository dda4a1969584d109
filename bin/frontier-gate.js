#!/usr/bin/env node
'use strict';
// The CLI runs the compiled library in lib/: built by `npm run build` in a clone, and shipped in the npm
// package (prepack builds it), so an installed frontier-gate needs no build step.
require('../lib/cli.js').main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
