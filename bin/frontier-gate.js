#!/usr/bin/env node
'use strict';
// The CLI runs the compiled library in lib/ (built by `npm run build`, which the set-up command runs).
require('../lib/cli.js').main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
