/**
 * Measuring in a child process. onnxruntime-node cannot abort a run, so a run that hangs (or a model far
 * too slow for its budget) could only be stopped by killing the process that runs it: the real engine
 * measures in a child, which sends a heartbeat after every session, warm-up and round, and the parent
 * kills it when one step takes longer than the per-run limit (max(10 s, the budget); session creation, which
 * TensorRT can spend minutes on, gets SETUP_TIMEOUT_S). The child gets no credentials (CHILD_ENV_DROP).
 *
 * One child per measure call: its slots (several sessions per model, ./index.ts) live inside it, so the
 * session-to-session variance is measured without paying a process start per slot.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvironmentError, UserError } from '../errors';
import { DEFAULT_MEASURE_OPTIONS, type MeasureOptions, type MeasureResult, type Measurer, type ModelInput } from './types';

/** Set in the child's environment: the entry script then serves one measure call instead of running the CLI or the action. */
export const CHILD_ENV = 'FRONTIER_GATE_MEASURE_CHILD';
/** Set by a bundled entry (the action's dist/index.js) to the script a child runs. */
export const CHILD_ENTRY_ENV = 'FRONTIER_GATE_MEASURE_ENTRY';
/** Per-run limit floor, seconds: a run longer than max(this, the budget) kills the child. */
export const RUN_TIMEOUT_FLOOR_S = 10;
/** Session creation (TensorRT builds engines) and the first run of each session. */
export const SETUP_TIMEOUT_S = 600;
/** Environment variables a measuring child never sees: tokens and secrets of the runner. */
export const CHILD_ENV_DROP = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|^INPUT_|^ACTIONS_RUNTIME|^ACTIONS_ID_TOKEN|^GH_|^GITHUB_TOKEN$|^NPM_AUTH/i;

export type ToChild = { type: 'measure'; models: ModelInput[]; options?: Partial<MeasureOptions>; startedAt: number };
export type FromChild =
  | { type: 'tick'; phase: 'setup' | 'timed' }
  | { type: 'log'; line: string }
  | { type: 'result'; result: MeasureResult }
  | { type: 'error'; name: string; message: string; exitCode?: number; stack?: string };

/** The environment of a measuring child: the parent's, less anything that looks like a credential. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!CHILD_ENV_DROP.test(k)) out[k] = v;
  out[CHILD_ENV] = '1';
  return out;
}

/** The script a child runs: the bundle that named itself, else lib/measure/child-main.js beside this module or in lib/. */
export function childEntry(): string | undefined {
  const named = process.env[CHILD_ENTRY_ENV];
  if (named && fs.existsSync(named)) return named;
  for (const candidate of [path.join(__dirname, 'child-main.js'), path.join(__dirname, '..', '..', 'lib', 'measure', 'child-main.js')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Rebuilds the child's error as the class the CLI and the action map to an exit code. */
function reviveError(e: Extract<FromChild, { type: 'error' }>): Error {
  if (e.name === 'EnvironmentError') return new EnvironmentError(e.message);
  if (e.exitCode !== undefined && e.name !== 'Error') return new UserError(e.message, e.exitCode);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

export interface ChildMeasurerOptions {
  entry: string;
  log?: (line: string) => void;
  /** Seconds; tests shorten them. */
  runTimeoutFloorS?: number;
  setupTimeoutS?: number;
}

/** A Measurer whose every call runs in a fresh child process (see the module comment). */
export function childMeasurer(opts: ChildMeasurerOptions): Measurer {
  return {
    measure: (models, options) => measureInChild(opts, models, options),
  };
}

function measureInChild(opts: ChildMeasurerOptions, models: ModelInput[], options?: Partial<MeasureOptions>): Promise<MeasureResult> {
  const started = Date.now();
  const budgetS = options?.budgetSeconds ?? DEFAULT_MEASURE_OPTIONS.budgetSeconds;
  const runLimitMs = Math.max(opts.runTimeoutFloorS ?? RUN_TIMEOUT_FLOOR_S, budgetS) * 1000;
  const setupLimitMs = (opts.setupTimeoutS ?? SETUP_TIMEOUT_S) * 1000;
  return new Promise<MeasureResult>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = fork(opts.entry, [], { env: childEnv(), serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    } catch (err) {
      reject(new EnvironmentError(`measure: cannot start the measuring process (${(err as Error).message})`));
      return;
    }
    let phase: 'setup' | 'timed' = 'setup';
    let settled = false;
    let stderr = '';
    let watchdog: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined, result?: MeasureResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(result!);
    };
    const arm = () => {
      clearTimeout(watchdog);
      const limit = phase === 'setup' ? setupLimitMs : runLimitMs;
      watchdog = setTimeout(() => {
        finish(
          new UserError(
            phase === 'setup'
              ? `measure: creating a session (or its first run) took longer than ${limit / 1000} s; the measuring process was stopped`
              : `measure: one run took longer than ${limit / 1000} s (the per-run limit: max(${RUN_TIMEOUT_FLOOR_S} s, the budget)); the measuring process was stopped. ` +
                  'A model this slow does not fit the budget: raise --budget, or measure it alone',
          ),
        );
      }, limit);
    };
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString('utf8');
    });
    child.on('message', (raw: unknown) => {
      const msg = raw as FromChild;
      if (msg.type === 'tick') {
        phase = msg.phase;
        arm();
      } else if (msg.type === 'log') opts.log?.(msg.line);
      else if (msg.type === 'result') finish(undefined, { ...msg.result, wall_s: (Date.now() - started) / 1000 });
      else if (msg.type === 'error') finish(reviveError(msg));
    });
    child.on('error', (err) => finish(new EnvironmentError(`measure: the measuring process failed: ${err.message}`)));
    child.on('exit', (code, signal) => {
      const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? ', perhaps for memory' : ''})` : `exited with code ${code}`;
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      finish(new EnvironmentError(`measure: the measuring process ${why} before it reported${tail ? `: ${tail}` : ''}`));
    });
    arm();
    // The child's budget is what is left of the caller's: starting the process counts in it.
    const send: ToChild = { type: 'measure', models, options: { ...options, budgetSeconds: budgetS }, startedAt: started };
    child.send(send, (err) => {
      if (err) finish(new EnvironmentError(`measure: cannot reach the measuring process (${err.message})`));
    });
  });
}
