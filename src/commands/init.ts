import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { configModel } from '../frontier/models';
import { publishedModel, type PublishedPick } from '../frontier/published';
import { runRecord } from '../frontier/record';
import { applyRecordUpdates } from '../frontier/updates';
import { DEFAULT_INIT_BRANCH, DEFAULT_INIT_CONFIGS, initStore, type InitConfig, type InitOptions, type InitResult } from '../frontier/init';
import { DEFAULT_STORE_PATH, serializeStore } from '../frontier/store';
import type { MeasureOptions } from '../measure/types';
import type { InitCommandResult } from '../report/result';
// The `configs` glob dialect of the action, so init and the action agree on what matches.
import { walkGlob } from '../util/glob';
import { budgetFlag, MEASURE_FLAGS, measureOptions, stringFlag } from './flags';
import { RECORD_BUDGET_S, ZOO_FLAG, zooFlag } from './record';
import type { Command } from './types';

export interface InitArgs {
  opts: InitOptions;
  /** Published models of the catalogue to put on the store beside the repository's configs (--zoo). */
  published: PublishedPick[];
  force: boolean;
  /** Measure every config on this machine before writing (--measure). */
  measure?: { budgetSeconds: number; options: Partial<MeasureOptions> };
  workflowOnly: boolean;
}

export const command: Command<InitArgs, InitCommandResult> = {
  name: 'init',
  summary: "start a model repository: create the frontier store from the repo's configs (and, with --zoo, published models) and print the workflow to add",
  args: '',
  flags: {
    configs: { type: 'string', value: 'GLOB', default: DEFAULT_INIT_CONFIGS, help: 'the architecture configs of the repository (the action\'s `configs` glob)' },
    frontier: { type: 'string', value: 'STORE', default: DEFAULT_STORE_PATH, help: 'the store to create, inside the repository' },
    ...ZOO_FLAG,
    branch: { type: 'string', value: 'BRANCH', default: DEFAULT_INIT_BRANCH, help: 'the branch the printed workflow records merges to' },
    force: { type: 'boolean', help: 'start the store over when it exists already' },
    measure: { type: 'boolean', help: 'measure every config on this machine before writing the store (default: the first push or sweep does)' },
    budget: { type: 'string', value: 'SECONDS', default: RECORD_BUDGET_S, help: 'with --measure: measurement budget for the whole call' },
    'workflow-only': { type: 'boolean', help: 'print only the workflow; write nothing' },
    ...MEASURE_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length) throw new UserError(`init: takes no positional arguments (use --configs GLOB), got ${JSON.stringify(positionals[0])}`);
    const opts: InitOptions = {
      configs: stringFlag(values, 'configs') ?? DEFAULT_INIT_CONFIGS,
      storePath: (stringFlag(values, 'frontier') ?? DEFAULT_STORE_PATH).replace(/\\/g, '/').replace(/^\.\//, ''),
      branch: stringFlag(values, 'branch') ?? DEFAULT_INIT_BRANCH,
    };
    if (!opts.storePath || path.isAbsolute(opts.storePath) || opts.storePath.split('/').includes('..')) {
      throw new UserError(`--frontier: expected a path inside the repository, got ${JSON.stringify(opts.storePath)}`);
    }
    if (!/^[\w./-]+$/.test(opts.branch)) throw new UserError(`--branch: expected a branch name, got ${JSON.stringify(opts.branch)}`);
    return {
      opts, published: zooFlag(values), force: Boolean(values.force), workflowOnly: Boolean(values['workflow-only']),
      ...(values.measure ? { measure: { budgetSeconds: budgetFlag(values, RECORD_BUDGET_S), options: measureOptions(values) } } : {}),
    };
  },
  async run(a, ctx) {
    const root = ctx.files.root();
    // Every config is parsed before anything is written; the first bad one stops init with its position.
    const configs: InitConfig[] = [];
    for (const file of walkGlob(root, a.opts.configs)) configs.push({ file, config: (await ctx.files.config(file)).config });
    const published = a.published.map(publishedModel);
    const init: InitResult = initStore(configs, a.opts, published);
    const storeFile = path.join(root, a.opts.storePath);
    if (!a.workflowOnly && fs.existsSync(storeFile) && !a.force) {
      throw new UserError(`${a.opts.storePath} exists already; add configs with frontier-gate record, or pass --force to start it over`);
    }
    const result: InitCommandResult = {
      command: 'init', store_path: a.opts.storePath, configs: a.opts.configs, rows: init.rows, without_accuracy: init.withoutAccuracy,
      workflow: init.workflow, measured: false, workflow_only: a.workflowOnly,
    };
    if (a.workflowOnly) return result;
    let store = init.store;
    if (a.measure) {
      const inputs = [...configs.map((c) => ({ model: configModel(c.config), file: c.file })), ...published.map((p) => ({ model: p.model }))];
      const { updates } = await runRecord(store, inputs, { budgetSeconds: a.measure.budgetSeconds, measure: a.measure.options },
        { measurer: ctx.measurer(), now: ctx.now, commit: ctx.commit() });
      store = applyRecordUpdates(store, updates);
    }
    ctx.files.write(storeFile, serializeStore(store), { what: '--frontier', named: true });
    return { ...result, measured: Boolean(a.measure) };
  },
};
