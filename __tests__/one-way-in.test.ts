/**
 * One way into every command: the action maps its inputs to the flag values the CLI parses and calls the
 * same parse + run, so for the same inputs (and the same defaults) both give the same JSON result. Runs the
 * action in-process against the loopback GitHub API and the CLI in the same workspace, both with the
 * deterministic fake measurer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../src/commands';
import { RECORD_BUDGET_S } from '../src/commands/record';
import { SWEEP_BUDGET_S } from '../src/commands/sweep';
import type { CommandContext } from '../src/commands/types';
import { DEFAULT_MEASURE_OPTIONS, type MeasureOptions } from '../src/measure/types';
import { parseStore, serializeStore } from '../src/frontier/store';
import { archYaml, readEvent, referenceStore, scenario, type Scenario } from './action.harness';
import { MacsMeasurer } from './action.fake-measurer';
import { runCommand } from './support/run-command';

const STORE = '.frontier/frontier.json';
let s: Scenario | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

/** The action's JSON report: the command's typed result is its `report` field. */
const actionReport = (sc: Scenario) => JSON.parse(fs.readFileSync(path.join(sc.workspace, 'frontier-gate-report.json'), 'utf8')).report;

/**
 * The options a measurer call runs with, defaults filled in: the action passes its inputs' values (whose
 * defaults are the measurer's), the CLI only the flags given.
 */
const resolved = (c: { options?: Partial<MeasureOptions> }) => ({ ...DEFAULT_MEASURE_OPTIONS, ...c.options });

/** The CLI, run in the action's workspace with the same kind of measurer and no budget flag. */
async function cli(sc: Scenario, argv: string[], measurer: MacsMeasurer) {
  const r = await runCommand(argv[0], [...argv.slice(1), '--json', '--quiet'], { cwd: sc.workspace, measurer: () => measurer, commit: () => sc.env.GITHUB_SHA });
  expect({ code: r.code, err: r.err }).toEqual({ code: expect.any(Number), err: '' });
  return JSON.parse(r.out);
}

describe('the CLI and the action give the same result for the same inputs', () => {
  test('check (workflow_dispatch): the same JSON, with every default the same', async () => {
    s = await scenario({ event: 'workflow_dispatch', payload: readEvent('workflow_dispatch.json'), inputs: { command: 'check' }, workspaceFiles: { 'models/wide.yaml': archYaml('resnet-50', 'wide') } });
    delete s.env['INPUT_BUDGET-SECONDS'];
    const store = serializeStore(await referenceStore());
    s.gh.commitAs(s.env.GITHUB_SHA!, { [STORE]: store });
    fs.mkdirSync(path.join(s.workspace, '.frontier'));
    fs.writeFileSync(path.join(s.workspace, STORE), store);
    await s.run();
    const fromAction = actionReport(s);
    const measurer = new MacsMeasurer();
    const fromCli = await cli(s, ['check', 'models/wide.yaml', '--frontier', STORE], measurer);
    expect(fromAction.verdict).toBe('dominated');
    expect(fromCli).toEqual(fromAction);
    // The same measurement options, the budget included: the command's default, not a second one.
    expect(s.measurer.calls.map(resolved)).toEqual(measurer.calls.map(resolved));
    expect(measurer.calls[0].options).toMatchObject({ budgetSeconds: 20, band: 0.03, bandSubject: 'first' });
  });

  test('record (push) and sweep (schedule): the same JSON, and one sweep budget (60 s) for both', async () => {
    const push = readEvent('push.default-branch.json');
    push.before = '1111111111111111111111111111111111111111';
    push.commits[0].added = ['models/slim.yaml'];
    const files = { 'models/slim.yaml': archYaml('mobilenet-v2', 'slim') };
    s = await scenario({ event: 'push', payload: push, workspaceFiles: files });
    delete s.env['INPUT_BUDGET-SECONDS'];
    const store = serializeStore(await referenceStore(['efficientnet-b0', 'resnet-18']));
    s.gh.commit('master', { [STORE]: store, ...files });
    fs.mkdirSync(path.join(s.workspace, '.frontier'));
    fs.writeFileSync(path.join(s.workspace, STORE), store);
    await s.run();
    const recorded = actionReport(s);
    expect(recorded.command).toBe('record');
    const measurer = new MacsMeasurer();
    const cliRecorded = await cli(s, ['record', 'models/slim.yaml', '--frontier', STORE], measurer);
    expect(cliRecorded).toEqual(recorded);
    expect(measurer.calls[0].options).toMatchObject({ budgetSeconds: RECORD_BUDGET_S });
    expect(s.measurer.calls.map(resolved)).toEqual(measurer.calls.map(resolved));
    // Both stores now hold the record.
    const committed = parseStore(s.gh.fileAt('master', STORE)!, 'x');
    const written = parseStore(fs.readFileSync(path.join(s.workspace, STORE), 'utf8'), 'y');
    expect(written.records.map((r) => [r.name, r.config_hash])).toEqual(committed.records.map((r) => [r.name, r.config_hash]));

    // The nightly sweep, with the same store on both sides.
    s.env.GITHUB_EVENT_NAME = 'schedule';
    s.env.GITHUB_REF = 'refs/heads/master';
    fs.writeFileSync(s.env.GITHUB_EVENT_PATH!, JSON.stringify(readEvent('schedule.json')));
    fs.writeFileSync(path.join(s.workspace, STORE), s.gh.fileAt('master', STORE)!);
    const before = s.measurer.calls.length;
    await s.run();
    const swept = actionReport(s);
    expect(swept.command).toBe('sweep');
    const sweeper = new MacsMeasurer();
    const cliSwept = await cli(s, ['sweep', '--frontier', STORE], sweeper);
    expect(s.measurer.calls[before].options).toMatchObject({ budgetSeconds: SWEEP_BUDGET_S });
    expect(resolved(sweeper.calls[0])).toEqual(resolved(s.measurer.calls[before]));
    // Tonight's point of each ratio series carries its own clock time; everything else must agree.
    const tonight = (r: unknown) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'date' && typeof v === 'string' && Date.now() - Date.parse(v) < 600_000 ? 'tonight' : v)));
    expect(tonight(cliSwept)).toEqual(tonight(swept));
  });
});

describe('every command of the registry is reachable from the action', () => {
  test('a command without a flow of its own runs on search-args: stats of a config, the dashboard of the store', async () => {
    s = await scenario({ event: 'workflow_dispatch', payload: readEvent('workflow_dispatch.json'), inputs: { command: 'stats', 'search-args': 'models/wide.yaml' }, workspaceFiles: { 'models/wide.yaml': archYaml('resnet-50', 'wide') } });
    s.gh.commitAs(s.env.GITHUB_SHA!, { [STORE]: serializeStore(await referenceStore()) });
    const stats = await s.run();
    expect([stats.command, stats.verdict]).toEqual(['stats', 'ran']);
    expect(actionReport(s).params).toBe(25557032);
    const site = await s.run({ INPUT_COMMAND: 'report', 'INPUT_SEARCH-ARGS': '--html site' });
    expect(site.verdict).toBe('ran');
    expect(actionReport(s)).toMatchObject({ command: 'report', dir: 'site', records: 3 });
    expect(fs.existsSync(path.join(s.workspace, 'site', 'index.html'))).toBe(true);
    // Its files stay in the workspace.
    await expect(s.run({ INPUT_COMMAND: 'stats', 'INPUT_SEARCH-ARGS': '../outside.yaml' })).rejects.toThrow(/outside\.yaml/);
    expect(s.gh.writes()).toHaveLength(0);
  });
});

describe('every command parses its flag values without touching a file', () => {
  test.each(COMMANDS.map((c) => [c.name, c] as const))('%s', (_name, cmd) => {
    // Flags naming files that do not exist: parse must succeed (or fail on the values alone), never read them.
    const values: Record<string, string> = {};
    for (const [flag, def] of Object.entries(cmd.flags)) if (def.type === 'string' && /FILE|DIR|STORE/.test(def.value ?? '')) values[flag] = `/nonexistent/${flag}${/\.svg/.test(def.value ?? '') ? '.svg' : ''}`;
    // The fs module object itself (what every module's fs calls reach), not this file's import of it.
    const nodeFs = require('node:fs') as typeof fs;
    const open = jest.spyOn(nodeFs, 'openSync');
    const stat = jest.spyOn(nodeFs, 'statSync');
    const read = jest.spyOn(nodeFs, 'readFileSync');
    try {
      try {
        // zoo takes a catalogue name, every other command files.
        cmd.parse(values, [cmd.name === 'zoo' ? 'resnet50' : '/nonexistent/a.yaml']);
      } catch (err) {
        // A refusal of the values themselves is fine; a file was not the reason.
        expect((err as Error).message).not.toMatch(/nonexistent.*(no such file|does not exist|cannot read)/);
      }
      expect([open.mock.calls.length, stat.mock.calls.length, read.mock.calls.length]).toEqual([0, 0, 0]);
    } finally {
      open.mockRestore();
      stat.mockRestore();
      read.mockRestore();
    }
  });

  test('the context is the only way to files: a command run with a context of its own reads through it', async () => {
    const { command } = await import('../src/commands/stats');
    const asked: string[] = [];
    const yaml = archYaml('mobilenet-v2');
    const { parseArchConfigWithSource } = await import('../src/arch/parse');
    const ctx = {
      files: { resolve: (f: string) => f, root: () => '/', store: () => { throw new Error('no store'); }, config: async (f: string) => (asked.push(f), parseArchConfigWithSource(yaml, f)) },
    } as unknown as CommandContext;
    const result = await command.run(command.parse({}, ['virtual/mbv2.yaml']), ctx);
    expect(asked).toEqual(['virtual/mbv2.yaml']);
    expect(result.networks[0].params).toBe(3504872);
  });
});
