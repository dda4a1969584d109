/** `frontier-gate report --html DIR`: the store as a static dashboard (thin: the site comes from report/dashboard). */
import * as path from 'node:path';
import { UserError } from '../errors';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import { checkStoredConfigs } from '../frontier/measuring';
import { buildDashboard } from '../report/dashboard';
import type { DashboardCommandResult } from '../report/result';
import { STORE_FLAG, storeFlag, stringFlag } from './flags';
import type { Command } from './types';

export interface ReportArgs {
  /** The store (--frontier), read through the context. */
  storeFile: string;
  dir: string;
  title?: string;
}

export const command: Command<ReportArgs, DashboardCommandResult> = {
  name: 'report',
  summary: 'turn the frontier store into a static dashboard: index.html and one page per target, viewable offline',
  args: '--html DIR',
  flags: {
    html: { type: 'string', value: 'DIR', help: 'folder to write the site to (created; our pages in it are replaced)' },
    ...STORE_FLAG,
    title: { type: 'string', value: 'TEXT', default: 'frontier-gate dashboard', help: 'heading of every page' },
  },
  parse(values, positionals) {
    if (positionals.length) throw new UserError(`report: unexpected argument ${JSON.stringify(positionals[0])}; the store is given with --frontier`);
    const dir = stringFlag(values, 'html');
    if (dir === undefined || !dir.trim()) throw new UserError('report: --html DIR is required (the folder to write the site to)');
    const title = stringFlag(values, 'title');
    return { storeFile: storeFlag(values, DEFAULT_STORE_PATH), dir, ...(title ? { title } : {}) };
  },
  async run(args, ctx) {
    ctx.files.checkOutputFolder(args.dir, '--html');
    const access = ctx.files.store(args.storeFile);
    const store = await access.read();
    checkStoredConfigs(store, access.name);
    const site = await buildDashboard(store, { now: ctx.now(), source: access.name, ...(args.title ? { title: args.title } : {}) });
    const files: string[] = [];
    for (const [name, html] of site) {
      const file = path.join(args.dir, name);
      // Files named here, not by the user: a symbolic link among them is refused.
      ctx.files.write(file, html, { what: '--html', named: false });
      files.push(file);
    }
    return { command: 'report', dir: args.dir, files, targets: site.size - 1, records: store.records.length };
  },
};
