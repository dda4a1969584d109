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

/** A negative number, as a flag's value ("--min-effect -1"); parseArgs would read it as another flag. */
const NEGATIVE = /^-(\d|\.\d|Infinity$)/;

/**
 * `--flag -1` as `--flag=-1`, so that a negative value reaches the flag's own range check ("--batch: expected
 * an integer >= 1, got "-1"") instead of parseArgs' "argument is ambiguous".
 */
function joinNegativeValues(argv: readonly string[], flags: FlagDefs): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const long = /^--([^=]+)$/.exec(a)?.[1];
    const short = /^-([A-Za-z])$/.exec(a)?.[1];
    const name = long ?? (short ? Object.keys(flags).find((k) => flags[k].short === short) : undefined);
    if (name && flags[name]?.type === 'string' && i + 1 < argv.length && NEGATIVE.test(argv[i + 1])) {
      out.push(`--${name}=${argv[i + 1]}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function parseCommandArgv(cmd: AnyCommand, argv: string[]): { values: FlagValues; positionals: string[] } {
  const all = { ...cmd.flags, ...GLOBAL_FLAGS };
  argv = joinNegativeValues(argv, all);
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
    const ambiguous = /Option '(-[^']*)' argument is ambiguous/.exec(msg);
    if (ambiguous) {
      const given = ambiguous[1];
      const long = given.startsWith('--') ? given : `--${Object.keys(all).find((k) => `-${all[k].short}` === given) ?? given.slice(1)}`;
      const flag = `${given}${given === long ? '' : ` (${long})`}`;
      throw new UserError(`frontier-gate ${cmd.name}: ${flag} takes a value, and the next argument starts with "-"; write ${long}=VALUE to give a value that starts with "-"\nrun 'frontier-gate ${cmd.name} --help' for its options`);
    }
    throw new UserError(`frontier-gate ${cmd.name}: ${msg.split('\n')[0]}\nrun 'frontier-gate ${cmd.name} --help' for its options`);
  }
}

