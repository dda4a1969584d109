#!/usr/bin/env node
/**
 * Regenerates fixtures/events/*.json: real webhook payloads from @octokit/webhooks-examples, trimmed to
 * the fields a workflow run's GITHUB_EVENT_PATH file carries that the action reads (plus identifying
 * context). The examples have no fork PR and no schedule event: those two are derived and say so.
 *   node scripts/event-fixtures.js
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const examples = require('@octokit/webhooks-examples');

const OUT = path.join(__dirname, '..', 'fixtures', 'events');

function pick(obj, spec) {
  if (obj === null || obj === undefined) return obj;
  const out = {};
  for (const [key, sub] of Object.entries(spec)) {
    if (!(key in obj)) continue;
    out[key] = sub === true ? obj[key] : Array.isArray(obj[key]) ? obj[key].map((x) => pick(x, sub)) : pick(obj[key], sub);
  }
  return out;
}

const repoSpec = { id: true, name: true, full_name: true, private: true, owner: { login: true }, default_branch: true, fork: true };
const branchSpec = { label: true, ref: true, sha: true, user: { login: true }, repo: repoSpec };
const prSpec = {
  action: true,
  number: true,
  pull_request: { number: true, state: true, title: true, user: { login: true }, head: branchSpec, base: branchSpec, draft: true, merged: true },
  repository: repoSpec,
  sender: { login: true, type: true },
};
const pushSpec = {
  ref: true,
  before: true,
  after: true,
  created: true,
  deleted: true,
  forced: true,
  commits: { id: true, message: true, timestamp: true, added: true, removed: true, modified: true },
  head_commit: { id: true, message: true },
  repository: repoSpec,
  pusher: true,
  sender: { login: true, type: true },
};
const dispatchSpec = { inputs: true, ref: true, repository: repoSpec, sender: { login: true, type: true }, workflow: true };

const find = (name, pred) => {
  const ex = examples.find((e) => e.name === name).examples.find(pred);
  if (!ex) throw new Error(`no ${name} example matches`);
  return ex;
};

function write(file, payload, note) {
  const body = note ? { _fixture_note: note, ...payload } : payload;
  fs.writeFileSync(path.join(OUT, file), JSON.stringify(body, null, 2) + '\n');
  console.log(`wrote fixtures/events/${file}`);
}

fs.mkdirSync(OUT, { recursive: true });
const opened = pick(find('pull_request', (x) => x.action === 'opened'), prSpec);
write('pull_request.opened.json', opened);
write('pull_request.synchronize.json', pick(find('pull_request', (x) => x.action === 'synchronize'), prSpec));

const fork = JSON.parse(JSON.stringify(opened));
fork.pull_request.head.repo = { ...fork.pull_request.head.repo, id: 999001, full_name: 'forker/Hello-World', owner: { login: 'forker' }, fork: true };
fork.pull_request.head.label = 'forker:changes';
fork.pull_request.head.user = { login: 'forker' };
fork.pull_request.user = { login: 'forker' };
fork.sender = { login: 'forker', type: 'User' };
write('pull_request.opened.fork.json', fork, 'derived from pull_request.opened.json: head.repo moved to a fork (the examples have no fork PR)');

const runSpec = {
  action: true,
  workflow_run: {
    id: true, name: true, event: true, status: true, conclusion: true, head_branch: true, head_sha: true, run_number: true, run_attempt: true,
    html_url: true, pull_requests: true, head_repository: { id: true, name: true, full_name: true, owner: { login: true } }, repository: { id: true, name: true, full_name: true, owner: { login: true } },
  },
  workflow: { id: true, name: true, path: true },
  repository: repoSpec,
  sender: { login: true, type: true },
};
const run = pick(find('workflow_run', (x) => x.action === 'completed'), runSpec);
write('workflow_run.completed.json', run);
const forkRun = JSON.parse(JSON.stringify(run));
forkRun.workflow_run.event = 'pull_request';
forkRun.workflow_run.pull_requests = [];
forkRun.workflow_run.head_branch = 'changes';
forkRun.workflow_run.head_sha = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
forkRun.workflow_run.head_repository = { id: 999001, name: forkRun.repository.name, full_name: `forker/${forkRun.repository.name}`, owner: { login: 'forker' } };
write('workflow_run.fork-pr.json', forkRun, 'derived from workflow_run.completed.json: the triggering run was a pull_request from a fork (GitHub lists no pull_requests for forks)');

write('push.default-branch.json', pick(find('push', (x) => x.ref === 'refs/heads/master' && x.commits.length > 0), pushSpec));
write('workflow_dispatch.json', pick(find('workflow_dispatch', () => true), dispatchSpec));
write(
  'schedule.json',
  { schedule: '17 3 * * *', repository: opened.repository, sender: { login: 'github-actions[bot]', type: 'Bot' } },
  'hand-written: schedule runs carry only the cron expression and the repository (no webhook example exists)',
);
