import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadArchConfig } from '../arch/parse';
import { parseFlags, stringFlag } from '../cliargs';
import { UserError } from '../errors';
import { budgetFlag, defaultCliDeps, MEASURE_FLAGS, measureOptions, type CliDeps } from '../frontier/cli';
import { applyRecordUpdates, runRecord } from '../frontier/gate';
import { DEFAULT_INIT_BRANCH, DEFAULT_INIT_CONFIGS, initStore, type InitConfig } from '../frontier/init';
import { DEFAULT_STORE_PATH, serializeStore, writeFileAtomic } from '../frontier/store';
// The `configs` glob dialect of the action, so init and the action agree on what matches.
import { walkGlob } from '../util/glob';
import type { Command } from './types';

const USAGE =
  'frontier-gate init [--configs "models/**/*.{yaml,yml}"] [--frontier .frontier/frontier.json] [--branch main] [--force] ' +
  '[--measure [--budget 20] [--target auto|cpu|cuda|tensorrt]] [--workflow-only]';

export function makeInitCommand(deps: CliDeps): Command {
  return {
    name: 'init',
    summary: "start a model repository: create the frontier store from the repo's configs and print the workflow to add",
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseFlags('init', argv, {
        ...MEASURE_FLAGS,
        configs: { type: 'string' },
        frontier: { type: 'string' },
        branch: { type: 'string' },
        force: { type: 'boolean' },
        measure: { type: 'boolean' },
        'workflow-only': { type: 'boolean' },
      }, USAGE);
      if (positionals.length) throw new UserError(`frontier-gate init: takes no positional arguments (use --configs GLOB), got ${JSON.stringify(positionals[0])}\nusage: ${USAGE}`);
      const opts = {
        configs: stringFlag(values, 'configs') ?? DEFAULT_INIT_CONFIGS,
        storePath: (stringFlag(values, 'frontier') ?? DEFAULT_STORE_PATH).replace(/\\/g, '/').replace(/^\.\//, ''),
        branch: stringFlag(values, 'branch') ?? DEFAULT_INIT_BRANCH,
      };
      if (path.isAbsolute(opts.storePath) || opts.storePath.split('/').includes('..')) throw new UserError(`--frontier: expected a path inside the repository, got ${JSON.stringify(opts.storePath)}`);
      if (!/^[\w./-]+$/.test(opts.branch)) throw new UserError(`--branch: expected a branch name, got ${JSON.stringify(opts.branch)}`);
      const root = process.cwd();
      const files = walkGlob(root, opts.configs);
      // Every config is parsed before anything is written; the first bad one stops init with its position.
      const configs: InitConfig[] = files.map((file) => ({ file, config: loadArchConfig(path.relative(process.cwd(), path.join(root, file)) || file) }));
      const result = initStore(configs, opts);
      if (values['workflow-only']) {
        io.out(result.workflow);
        return 0;
      }
      const storeFile = path.join(root, opts.storePath);
      if (fs.existsSync(storeFile) && !values.force) {
        throw new UserError(`${opts.storePath} exists already; add configs with frontier-gate record, or pass --force to start it over`);
      }
      let store = result.store;
      if (values.measure) {
        const { updates } = await runRecord(store, configs.map((c) => ({ config: c.config, file: c.file })), { budgetSeconds: budgetFlag(values, 20), measure: measureOptions(values), lacs: false },
          { measurer: deps.measurer(io, Boolean(values.verbose)), now: deps.now, commit: deps.commit?.() });
        store = applyRecordUpdates(store, updates);
      }
      fs.mkdirSync(path.dirname(storeFile), { recursive: true });
      writeFileAtomic(storeFile, serializeStore(store));
      const lines = [
        `Created ${opts.storePath} with ${result.rows.length} record(s) from ${opts.configs}${values.measure ? ', measured on this machine' : ' (not measured yet: the first push or nightly sweep measures them on the runner, or run init --measure)'}:`,
        ...result.rows.map((r) => `  ${r.name.padEnd(24)} ${r.file}  top-1 ${r.accuracy ?? '–'}`),
      ];
      if (result.withoutAccuracy.length) {
        lines.push(`Without an accuracy (add accuracy: {top1: ...} to the config, or a metrics-file in the workflow): ${result.withoutAccuracy.join(', ')}`);
      }
      lines.push('', `Commit ${opts.storePath} and add this workflow as .github/workflows/frontier.yml (pin OWNER/frontier-gate to a release's full commit sha):`, '', result.workflow);
      io.out(lines.join('\n'));
      return 0;
    },
  };
}

export const command: Command = makeInitCommand(defaultCliDeps);
