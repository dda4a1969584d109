/**
 * How an untrusted value is quoted in an error message: a short excerpt (never a whole file), non-finite
 * numbers said as such (1e309 is "Infinity", not JSON's "null"), binary data and dates named for what
 * they are.
 */

/** Longest excerpt of a value an error message quotes. */
export const EXCERPT_CHARS = 60;

// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

function cut(text: string, max: number): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return shown.replace(HIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value as quoted in a message: JSON-like, at most `max` characters, invisible characters escaped. */
export function quoteValue(value: unknown, max = EXCERPT_CHARS): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN (not a number)';
    if (!Number.isFinite(value)) return `${value < 0 ? '-' : ''}Infinity (a number too large to represent, e.g. 1e309)`;
    return String(value);
  }
  if (typeof value === 'bigint') return `${cut(String(value), max)} (an integer too large to represent)`;
  if (value instanceof Uint8Array) return `binary data (!!binary, ${value.length} bytes)`;
  if (value instanceof Date) return `a date (${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (value instanceof Map) return `a mapping of ${value.size} entries`;
  if (value instanceof Set) return `a set of ${value.size} entries`;
  if (typeof value === 'string') return JSON.stringify(cut(value, max)).replace(/\\\\u/g, '\\u');
  if (value === undefined) return 'nothing';
  let json: string | undefined;
  try {
    json = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  } catch {
    json = undefined;
  }
  return cut(json ?? String(value), max);
}

/** What kind of value this is, in words: "binary data (!!binary)", "a list", "a mapping", ... */
export function kindOfValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (value instanceof Uint8Array) return 'binary data (!!binary)';
  if (value instanceof Date) return 'a date';
  if (value instanceof Set) return 'a set (!!set)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'a non-finite number';
    return Number.isInteger(value) ? 'an integer' : 'a fractional number';
  }
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}
