import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from 'fastest-levenshtein';
import { UserError } from './errors';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** util.parseArgs with usage errors a person can act on (exit 2, did-you-mean for unknown flags). */
export function parseFlags(command: string, argv: string[], options: FlagSpec, usage: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    const msg = (err as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(msg);
    if (unknown) {
      const name = unknown[1].replace(/^-+/, '');
      const names = Object.keys(options);
      const hint = names.length ? `; did you mean --${closest(name, names)}?` : '';
      throw new UserError(`frontier-gate ${command}: unknown flag ${unknown[1]}${hint}\nusage: ${usage}`);
    }
    throw new UserError(`frontier-gate ${command}: ${msg}\nusage: ${usage}`);
  }
}

export function stringFlag(values: ParsedArgs['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A numeric flag within [min, max]; the error quotes the bad value and the allowed range. */
export function numberFlag(
  values: ParsedArgs['values'],
  name: string,
  fallback: number,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = range;
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const kind = integer ? 'an integer' : 'a number';
    const bounds = [Number.isFinite(min) ? `>= ${min}` : '', Number.isFinite(max) ? `<= ${max}` : ''].filter(Boolean).join(' and ');
    throw new UserError(`--${name}: expected ${kind}${bounds ? ' ' + bounds : ''}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function choiceFlag<T extends string>(values: ParsedArgs['values'], name: string, choices: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (typeof raw === 'string' && (choices as readonly string[]).includes(raw)) return raw as T;
  throw new UserError(`--${name}: expected one of ${choices.join(' | ')}, got ${JSON.stringify(raw)}`);
}

/** Flags that override the resource limits (checked analytically before anything is allocated). */
export const LIMIT_FLAGS: FlagSpec = {
  'max-params': { type: 'string' },
  'max-macs': { type: 'string' },
  'max-activation-bytes': { type: 'string' },
};

export function limitsFromFlags(values: ParsedArgs['values']): { maxParams?: number; maxMacs?: number; maxActivationBytes?: number } {
  const get = (name: string) => (values[name] === undefined ? undefined : numberFlag(values, name, 0, { min: 1 }));
  return { maxParams: get('max-params'), maxMacs: get('max-macs'), maxActivationBytes: get('max-activation-bytes') };
}
