/* global require, process, console */
// Runs CLI invocations in this (memory-capped) process, as bin/frontier-gate does, and reports each one's
// exit code, message and the process's peak RSS so far. usage: node hostile.child.js '[["stats", "f"], ...]'
require('./faults.register');
const { main } = require('../src/cli.ts');

(async () => {
  const results = [];
  for (const argv of JSON.parse(process.argv[2])) {
    let message = '';
    const io = { out: () => undefined, err: (t) => void (message += t + '\n') };
    const code = await main(argv, io);
    results.push({ argv, code, message: message.slice(0, 4000), maxRssMb: process.resourceUsage().maxRSS / 1024 });
  }
  process.stdout.write(JSON.stringify(results));
})().catch((err) => {
  console.error(err && err.stack);
  process.exit(99);
});
