#!/usr/bin/env node
/**
 * The README's "Reliability" figures, counted from the suites themselves (never typed by hand): runs the
 * reliability suites with jest's JSON reporter and prints, per suite and per describe block, how many cases
 * passed, plus the figures the suites print (the capped child's peak RSS, the fault suite's kills and
 * writers, the fuzz suite's runs by exit code).
 *
 *   node scripts/reliability-figures.js            # all reliability suites (about 4 minutes on 2 cores)
 *   node scripts/reliability-figures.js --no-run FILE.json   # count from an earlier `jest --json` output
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SUITES = [
  '__tests__/hostile.test.ts',
  '__tests__/hostile.github.test.ts',
  '__tests__/hostile.boundaries.test.ts',
  '__tests__/report.escape.test.ts',
  '__tests__/faults.test.ts',
  '__tests__/fuzz.test.ts',
];

function run() {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fg-figures-')), 'jest.json');
  const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--json', `--outputFile=${out}`, ...SUITES], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  if (!fs.existsSync(out)) {
    process.stderr.write(jest.stderr);
    throw new Error('jest wrote no results');
  }
  return { results: JSON.parse(fs.readFileSync(out, 'utf8')), log: `${jest.stdout}\n${jest.stderr}` };
}

function main() {
  const noRun = process.argv.indexOf('--no-run');
  const { results, log } = noRun >= 0 ? { results: JSON.parse(fs.readFileSync(process.argv[noRun + 1], 'utf8')), log: '' } : run();
  const lines = [];
  let failed = 0;
  for (const suite of results.testResults) {
    const rel = path.relative(ROOT, suite.name);
    const byBlock = new Map();
    for (const a of suite.assertionResults) {
      const block = a.ancestorTitles.join(' › ') || '(top level)';
      const b = byBlock.get(block) ?? { passed: 0, failed: 0 };
      if (a.status === 'passed') b.passed++;
      else if (a.status === 'failed') b.failed++;
      byBlock.set(block, b);
    }
    const total = suite.assertionResults.filter((a) => a.status === 'passed').length;
    lines.push(`${rel}: ${total} cases passed`);
    for (const [block, b] of byBlock) {
      lines.push(`  ${block}: ${b.passed}${b.failed ? ` (${b.failed} FAILED)` : ''}`);
      failed += b.failed;
    }
  }
  // Figures the suites print (console.log in the suites; see each suite for what they mean).
  const printed = [
    ...log.matchAll(/hostile heavy cases: [^\n]+/g),
    ...log.matchAll(/fault suite figures: [^\n]+/g),
  ].map((m) => m[0].trim());
  const fuzz = /fuzz runs \(seed \d+\):\n((?:\s+[^\n]+: exit [^\n]+\n)+)/.exec(log);
  if (fuzz) {
    const rows = fuzz[1].trim().split('\n').map((l) => l.trim());
    const total = rows.reduce((n, r) => n + [...r.matchAll(/x(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0), 0);
    printed.push(`fuzz: ${total} runs over ${rows.length} input kinds`, ...rows.map((r) => `  ${r}`));
  }
  process.stdout.write([...lines, '', ...printed, ''].join('\n'));
  if (failed) process.exitCode = 1;
}

main();
