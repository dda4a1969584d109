/** `frontier-gate report --html DIR`: the store as a static dashboard (thin: the site comes from report/dashboard). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFlags, stringFlag } from '../cliargs';
import { UserError } from '../errors';
import { DEFAULT_STORE_PATH, readStoreFile } from '../frontier/store';
import { buildDashboard } from '../report/dashboard';
import type { Command } from './types';

const USAGE = 'frontier-gate report --html DIR [--frontier .frontier/frontier.json] [--title TEXT]';

export const command: Command = {
  name: 'report',
  summary: 'turn the frontier store into a static dashboard (--html DIR: index.html and one page per target; no network needed)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags('report', argv, { html: { type: 'string' }, frontier: { type: 'string' }, title: { type: 'string' } }, USAGE);
    if (positionals.length) throw new UserError(`frontier-gate report: unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${USAGE}`);
    const dir = stringFlag(values, 'html');
    if (dir === undefined || !dir.trim()) throw new UserError(`frontier-gate report: --html DIR is required (the folder to write the site to)\nusage: ${USAGE}`);
    const storeFile = stringFlag(values, 'frontier') ?? DEFAULT_STORE_PATH;
    const store = readStoreFile(storeFile);
    const files = await buildDashboard(store, { now: new Date(), source: storeFile, ...(values.title ? { title: String(values.title) } : {}) });
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, html] of files) fs.writeFileSync(path.join(dir, name), html);
    } catch (err) {
      throw new UserError(`--html: cannot write to ${JSON.stringify(dir)}: ${(err as Error).message}`);
    }
    io.out(`wrote ${files.size} page${files.size === 1 ? '' : 's'} to ${dir}: open ${path.join(dir, 'index.html')}`);
    return 0;
  },
};
