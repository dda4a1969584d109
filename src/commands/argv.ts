/** A command's argv (the CLI's, or the action's `search-args`) into flag values, with usage errors a person can act on. */
import { parseArgs } from 'node:util';
import { closest } from 'fastest-levenshtein';
import { UserError } from '../errors';
import type { AnyCommand, FlagDefs, FlagValues } from './types';

/** Flags every command takes. */
export const GLOBAL_FLAGS: FlagDefs = {
  format: { type: 'string', value: 'text|markdown|json', default: 'text', help: 'how the result is printed' },
  json: { type: 'boolean', help: 'print the result as JSON (--format json)' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress or notes on stderr' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export function parseCommandArgv(cmd: AnyCommand, argv: string[]): { values: FlagValues; positionals: string[] } {
  const all = { ...cmd.flags, ...GLOBAL_FLAGS };
  const options = Object.fromEntries(
    Object.entries(all).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) }]),
  );
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as FlagValues, positionals };
  } catch (err) {
    const msg = (err as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(msg);
    if (unknown) {
      const name = unknown[1].replace(/^-+/, '');
      throw new UserError(`frontier-gate ${cmd.name}: unknown flag ${unknown[1]}; did you mean --${closest(name, Object.keys(all))}?\nrun 'frontier-gate ${cmd.name} --help' for its options`);
    }
    throw new UserError(`frontier-gate ${cmd.name}: ${msg.split('\n')[0]}\nrun 'frontier-gate ${cmd.name} --help' for its options`);
  }
}

