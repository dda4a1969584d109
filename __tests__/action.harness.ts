/**
 * In-process harness for the action: a temporary workspace, the trimmed webhook payloads from
 * fixtures/events, the loopback fake GitHub API, the real Octokit (retry + throttling) and frontier core,
 * and a recording ActionIO. The measurer is injected (MacsMeasurer) so these tests take milliseconds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArchConfig, loadArchConfigWithSource } from '../src/arch/parse';
import { runRecord } from '../src/frontier/record';
import { emptyStore, serializeStore, type FrontierStore } from '../src/frontier/store';
import { createOctokit, createRepoApi } from '../src/github/api';
import type { ActionIO, AnnotationAt } from '../src/github/io';
import { runAction, type ActionResult } from '../src/github/run';
import type { Measurer } from '../src/measure/types';
import { FakeGitHub } from './action.fake-github';
import { MacsMeasurer } from './action.fake-measurer';
import { configModel } from '../src/frontier/models';

export const ROOT = path.resolve(__dirname, '..');
export const ARCHS = path.join(ROOT, 'fixtures', 'archs');
export const EVENTS = path.join(ROOT, 'fixtures', 'events');

export function readEvent(name: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(fs.readFileSync(path.join(EVENTS, name), 'utf8'));
}

export class RecordingIO implements ActionIO {
  logs: string[] = [];
  annotations: { level: 'notice' | 'warning' | 'error'; message: string; at?: AnnotationAt }[] = [];
  outputs: Record<string, string> = {};
  failed?: string;
  summaries: string[] = [];
  debug(m: string) {
    this.logs.push(`debug: ${m}`);
  }
  info(m: string) {
    this.logs.push(m);
  }
  notice(message: string, at?: AnnotationAt) {
    this.annotations.push({ level: 'notice', message, at });
  }
  warning(message: string, at?: AnnotationAt) {
    this.annotations.push({ level: 'warning', message, at });
  }
  error(message: string, at?: AnnotationAt) {
    this.annotations.push({ level: 'error', message, at });
  }
  setOutput(name: string, value: string) {
    this.outputs[name] = value;
  }
  setFailed(m: string) {
    this.failed = m;
  }
  async writeSummary(md: string) {
    this.summaries.push(md);
  }
}

/** A config from fixtures/archs, renamed, as YAML text (the fixtures are format v1 already). */
export function archYaml(fixture: string, rename?: string): string {
  const text = fs.readFileSync(path.join(ARCHS, `${fixture}.yaml`), 'utf8');
  return rename ? text.replace(/^name: .*$/m, `name: ${rename}`) : text;
}

/** A store with a few reference models measured by the MacsMeasurer. */
export async function referenceStore(names = ['efficientnet-b0', 'mobilenet-v2', 'resnet-18'], measurer: Measurer = new MacsMeasurer()): Promise<FrontierStore> {
  const configs = names.map((n) => ({ model: configModel(loadArchConfig(path.join(ARCHS, `${n}.yaml`))) }));
  const { store } = await runRecord(emptyStore(), configs, { budgetSeconds: 1 }, { measurer, now: () => new Date('2026-01-01T00:00:00Z'), commit: 'base' });
  return store;
}

export interface Scenario {
  gh: FakeGitHub;
  workspace: string;
  env: NodeJS.ProcessEnv;
  io: RecordingIO;
  measurer: MacsMeasurer;
  run(extraEnv?: NodeJS.ProcessEnv): Promise<ActionResult>;
  cleanup(): Promise<void>;
}

export async function scenario(opts: {
  event: string;
  payload: unknown;
  inputs?: Record<string, string>;
  workspaceFiles?: Record<string, string>;
  measurer?: MacsMeasurer;
  /** Keep the throttling plugin's real pacing (slow: 1 s between writes, 3 s between comments). */
  realThrottle?: boolean;
  /** Unit of the throttling plugin's rate-limit waits in ms (default 1000: the API's seconds). */
  rateLimitBaseMs?: number;
}): Promise<Scenario> {
  const gh = new FakeGitHub();
  await gh.start();
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-action-'));
  for (const [file, text] of Object.entries(opts.workspaceFiles ?? {})) {
    fs.mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    fs.writeFileSync(path.join(workspace, file), text);
  }
  const eventPath = path.join(workspace, '..', `${path.basename(workspace)}-event.json`);
  fs.writeFileSync(eventPath, JSON.stringify(opts.payload));
  const p = opts.payload as { repository?: { full_name?: string }; after?: string; ref?: string };
  const env: NodeJS.ProcessEnv = {
    GITHUB_EVENT_NAME: opts.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: p.repository?.full_name ?? 'Codertocat/Hello-World',
    GITHUB_API_URL: gh.url,
    GITHUB_WORKSPACE: workspace,
    GITHUB_WORKFLOW: 'frontier',
    GITHUB_SHA: p.after ?? 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
    GITHUB_REF: p.ref ?? 'refs/pull/2/merge',
    GITHUB_RUN_ID: '42',
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
    'INPUT_BUDGET-SECONDS': '1',
  };
  for (const [k, v] of Object.entries(opts.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  const io = new RecordingIO();
  const measurer = opts.measurer ?? new MacsMeasurer();
  return {
    gh,
    workspace,
    env,
    io,
    measurer,
    run: (extraEnv = {}) =>
      runAction({
        env: { ...env, ...extraEnv },
        io,
        api: (ctx, config) =>
          createRepoApi(createOctokit({
            token: config.githubToken, baseUrl: ctx.apiUrl, log: { debug: () => undefined, info: () => undefined, warning: (m) => io.warning(m) },
            retryBaseMs: 1, throttle: opts.realThrottle ?? false, timeoutMs: config.apiTimeoutSeconds * 1000, rateLimitBaseMs: opts.rateLimitBaseMs,
          }), ctx.repo),
        createMeasurer: () => measurer,
        loadConfig: (file) => loadArchConfigWithSource(file),
        conflictBackoffMs: () => 0,
      }),
    cleanup: async () => {
      await gh.stop();
      fs.rmSync(workspace, { recursive: true, force: true });
      fs.rmSync(eventPath, { force: true });
    },
  };
}

export { serializeStore };
