import { UserError } from '../errors';
import { acceptDrift, type AcceptOptions } from '../frontier/accept';
import { DEFAULT_STORE_PATH } from '../frontier/store';
import type { AcceptDriftResult } from '../report/result';
import { REPORT_FLAGS, STORE_FLAG, storeFlag, stringFlag } from './flags';
import type { Command } from './types';

export interface AcceptDriftArgs {
  storeFile: string;
  options: AcceptOptions;
  dryRun: boolean;
}

const names = (text: string | undefined) => text?.split(',').map((s) => s.trim()).filter(Boolean);

export const command: Command<AcceptDriftArgs, AcceptDriftResult> = {
  name: 'accept-drift',
  summary: 'make an understood latency change the new drift baseline on a target (a new driver, a runtime upgrade): later sweeps judge drift from it on',
  args: '',
  flags: {
    ...STORE_FLAG,
    target: { type: 'string', value: 'KEY', help: "the target whose drift is accepted (its key, as the sweep report and store show it); needed when the store has several" },
    model: { type: 'string', value: 'NAME[,NAME]', help: 'the records to accept (default: every record measured on the target)' },
    since: { type: 'string', value: 'DATE', help: "the baseline's first day (default per record: where its ratio history last changed, else its latest measurement)" },
    note: { type: 'string', value: 'TEXT', help: 'why, kept with the baseline (e.g. "driver 550 -> 580")' },
    'dry-run': { type: 'boolean', help: 'say what would be accepted, but do not write the store' },
    ...REPORT_FLAGS,
  },
  parse(values, positionals) {
    if (positionals.length) throw new UserError(`accept-drift: takes no arguments (name records with --model), got ${JSON.stringify(positionals[0])}`);
    const note = stringFlag(values, 'note');
    if (note !== undefined && note.length > 500) throw new UserError(`accept-drift: --note is ${note.length} characters; at most 500`);
    return {
      storeFile: storeFlag(values, DEFAULT_STORE_PATH),
      options: { target: stringFlag(values, 'target'), models: names(stringFlag(values, 'model')), since: stringFlag(values, 'since'), note },
      dryRun: Boolean(values['dry-run']),
    };
  },
  async run(args, ctx) {
    const access = ctx.files.store(args.storeFile);
    if (!args.dryRun) access.checkWritable();
    const store = await access.read();
    const { target, rows, updates } = acceptDrift(store, args.options, ctx.now());
    if (!args.dryRun && updates.length) await access.apply(updates, `frontier-gate: accept drift on ${target} for ${updates.length} model(s)`);
    return { command: 'accept-drift', target, rows, ...(args.options.note ? { note: args.options.note } : {}), store: access.name, dry_run: args.dryRun };
  },
};
