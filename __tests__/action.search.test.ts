/**
 * workflow_dispatch profile / search / merge through the action: the CLI commands run in-process on a space
 * file from the workspace, with the action's measurer (a deterministic fake here), results in output-dir and
 * the report in the job summary; nothing is written to GitHub.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEvent, ROOT, scenario, type Scenario } from './action.harness';

const SPACE = fs.readFileSync(path.join(ROOT, 'fixtures', 'spaces', 'genet.yaml'), 'utf8');
let s: Scenario | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

function dispatch(inputs: Record<string, string>) {
  return scenario({ event: 'workflow_dispatch', payload: readEvent('workflow_dispatch.json'), inputs, workspaceFiles: { 'spaces/genet.yaml': SPACE } });
}

test('profile: friendliness report in the summary, profile and reduced space in output-dir', async () => {
  s = await dispatch({ command: 'profile', space: 'spaces/genet.yaml', 'search-args': '--samples 1 --per-call 0.05' });
  const result = await s.run();
  expect(result.verdict).toBe('profiled');
  const out = path.join(s.workspace, 'frontier-gate-out');
  const profile = JSON.parse(fs.readFileSync(path.join(out, 'profile.json'), 'utf8'));
  expect(profile.units.length).toBeGreaterThan(0);
  expect(fs.readFileSync(path.join(out, 'reduced.yaml'), 'utf8')).toMatch(/^# Reduced from genet/m);
  expect(s.io.summaries[0]).toContain('profile');
  expect(s.io.summaries[0]).toContain('frontier-gate-out/profile.json');
  expect(s.io.outputs.verdict).toBe('profiled');
  // The measurer is the action's: every call carries the execution provider chosen by input.
  expect(s.measurer.calls.length).toBeGreaterThan(0);
  expect(s.measurer.calls.every((c) => c.options?.ep === 'cpu')).toBe(true);
  expect(s.gh.writes()).toHaveLength(0);
});

test('search: the Pareto front of candidate configs in output-dir, the report in the summary', async () => {
  s = await dispatch({ command: 'search', space: 'spaces/genet.yaml', 'search-args': '--latency-target 500 --evaluations 3 --population 2 --zen-batch 1' });
  const result = await s.run();
  expect(result.verdict).toBe('searched');
  const out = path.join(s.workspace, 'frontier-gate-out');
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'search.json'), 'utf8'));
  expect(summary[0].evaluations).toBe(3);
  expect(summary[0].front.length).toBeGreaterThan(0);
  for (const c of summary[0].front) expect(fs.existsSync(path.join(out, `${c.name}.yaml`))).toBe(true);
  expect(s.io.summaries[0]).toContain('proxy');
});

test('merge: shard results join into one profile', async () => {
  s = await dispatch({ command: 'profile', space: 'spaces/genet.yaml', 'search-args': '--samples 1 --per-call 0.05 --shard 1/2' });
  await s.run();
  const out = path.join(s.workspace, 'frontier-gate-out');
  fs.renameSync(path.join(out, 'profile.json'), path.join(s.workspace, 'shard1.json'));
  await s.run({ 'INPUT_SEARCH-ARGS': '--samples 1 --per-call 0.05 --shard 2/2' });
  fs.renameSync(path.join(out, 'profile.json'), path.join(s.workspace, 'shard2.json'));
  const merged = await s.run({ INPUT_COMMAND: 'merge', 'INPUT_SEARCH-ARGS': 'shard1.json shard2.json' });
  expect(merged.verdict).toBe('merged');
  const joined = JSON.parse(fs.readFileSync(path.join(out, 'merged.json'), 'utf8'));
  const parts = ['shard1.json', 'shard2.json'].map((f) => JSON.parse(fs.readFileSync(path.join(s!.workspace, f), 'utf8')).units.length);
  expect(joined.units.length).toBe(parts[0] + parts[1]);
});

test('a search-args flag the action owns, or a missing space, is a clear input error', async () => {
  s = await dispatch({ command: 'search', space: 'spaces/genet.yaml', 'search-args': '--latency-target 5 --out /tmp/x' });
  await expect(s.run()).rejects.toThrow(/input search-args: "--out" is set by the action/);
  await s.cleanup();
  s = await dispatch({ command: 'profile' });
  await expect(s.run()).rejects.toThrow(/input space: profile needs a search space file/);
});
