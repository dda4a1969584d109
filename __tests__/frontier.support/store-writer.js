/* global require, process, __dirname, setTimeout, console */
// A separate process that records measurements the way `frontier-gate record` does: read the store
// unlocked, "measure" (a delay), then apply its updates under the lock to a fresh re-read.
// usage: node store-writer.js STORE PREFIX COUNT
require('./ts-register');
const path = require('node:path');
const { loadArchConfig } = require('../../src/arch/parse.ts');
const { readStoreFile, updateStoreFile, configHash, storedConfig } = require('../../src/frontier/store.ts');
const { applyRecordUpdates } = require('../../src/frontier/updates.ts');

const [store, prefix, count] = process.argv.slice(2);
const base = loadArchConfig(path.join(__dirname, '../../fixtures/archs/mobilenet-v2.yaml'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function update(name, median, date) {
  const config = storedConfig({ ...base, name });
  const fingerprint = { cpu: 'Fake CPU', cores: 2, memory_gb: 8, os: 'linux-x64', node: 'v20', onnxruntime: '1.30.0', provider: 'cpu', threads: 2, batch: 1, precision: 'fp32' };
  return {
    name, model: { provenance: 'config', config, config_hash: configHash(config) }, accuracy: { top1: 70, dataset: null, source: prefix },
    target: 'cpu-fake0001', label: 'fake',
    measurement: { date, commit: null, median_ms: median, ci95_ms: [median * 0.99, median * 1.01], samples: 10, batch: 1, precision: 'fp32', provider: 'cpu', fingerprint },
  };
}

(async () => {
  for (let i = 0; i < Number(count); i++) {
    readStoreFile(store, { allowMissing: true });
    await sleep(Math.random() * 15);
    const date = new Date(Date.UTC(2026, 0, 1, 0, 0, i, prefix === 'a' ? 0 : 500)).toISOString();
    const updates = [update(`${prefix}-${i}`, 10 + i, date), update('shared', prefix === 'a' ? 20 + i : 30 + i, date)];
    await updateStoreFile(store, async (current) => {
      await sleep(Math.random() * 10); // widen the window in which a lost update would happen
      return applyRecordUpdates(current, updates);
    });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
