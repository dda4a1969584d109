/**
 * The one JSON reader for input frontier-gate did not write in this run (stores, metrics, shard and profile
 * results, caches, events, artifacts): the nesting depth is checked on the text before JSON.parse, so a
 * value nested 100,000 deep is a clear error (exit 2) instead of a stack overflow later, when something
 * walks or prints it.
 */
import { UserError } from '../errors';

/** Deepest nesting of [ and { any input of ours needs is about 10 (a store's fingerprint in a history entry). */
export const MAX_JSON_DEPTH = 64;

/** Offset where `text` nests deeper than `max`, or -1. Strings are skipped (brackets in them do not count). */
export function jsonTooDeepAt(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return i;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
    }
  }
  return -1;
}

export interface JsonOptions {
  maxDepth?: number;
  /** Says what a file that does not parse is not ("not valid JSON" by default). */
  notJson?: string;
  /** Ends each message (e.g. "the store was left untouched"). */
  outcome?: string;
}

/** JSON.parse with the nesting bound; errors name `where` (the file, or the input and the file). */
export function parseJson(text: string, where: string, opts: JsonOptions = {}): unknown {
  const max = opts.maxDepth ?? MAX_JSON_DEPTH;
  const tail = opts.outcome ? `; ${opts.outcome}` : '';
  const deep = jsonTooDeepAt(text, max);
  if (deep >= 0) throw new UserError(`${where}: nested deeper than ${max} levels (at character ${deep}); allowed: at most ${max}${tail}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${where}: ${opts.notJson ?? 'not valid JSON'} (${(err as Error).message.slice(0, 200)})${tail}`);
  }
}
