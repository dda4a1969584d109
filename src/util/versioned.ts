/**
 * Stored data is versioned and migrated on read, in one place: every format that outlives a run (the
 * frontier store, the LACS measurement cache) declares its current version and a chain of pure
 * migrations, one per version step, and reads through `migrateOnRead` before validating against its
 * current schema. Writers always write the current version, so the next write of an old file upgrades
 * it; a file newer than this code (or of an unknown version) is an error and is never rewritten.
 *
 * A migration takes the parsed JSON of version `from` and returns that of `from + 1`. It runs on a private
 * copy, so it may change it in place; it must not throw on malformed input (the current schema reports
 * that, with the file named): it only moves and fills what is there.
 */
import { UserError } from '../errors';

export type Json = Record<string, unknown>;

export interface Migration {
  /** The version it reads; it writes from + 1. */
  from: number;
  /** What changes, one line (for messages and the docs). */
  what: string;
  migrate(doc: Json): Json;
}

export interface VersionedFormat {
  /** What the file is, for messages: "frontier store", "LACS measurement cache". */
  kind: string;
  current: number;
  /** Oldest first, one per step up to `current`. */
  migrations: readonly Migration[];
  /** How to get past an unknown version (appended to the message). */
  hint?: string;
}

export interface Migrated {
  doc: Json;
  /** The version the file was written in (= current when nothing was migrated). */
  from: number;
}

/** The oldest version a format reads: the first migration's, or the current one. */
export function oldestReadable(format: VersionedFormat): number {
  return format.migrations.length ? format.migrations[0].from : format.current;
}

/**
 * The document in the current version. Throws UserError naming `file` for a missing or unknown version;
 * `outcome` ends the message (what happened to the file).
 */
export function migrateOnRead(data: Json, format: VersionedFormat, file: string, outcome: string): Migrated {
  const version = data.version;
  const oldest = oldestReadable(format);
  const readable = `${oldest === format.current ? `version ${format.current}` : `versions ${oldest} to ${format.current}`}`;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < oldest || version > format.current) {
    const got = version === undefined ? 'no version field' : `version ${JSON.stringify(version)}`;
    throw new UserError(`${file}: unknown ${format.kind} format (${got}); this frontier-gate reads ${readable}${format.hint ? `. ${format.hint}` : ''}; ${outcome}`);
  }
  if (version === format.current) return { doc: data, from: version };
  // Migrations change a private copy: the caller's data (and a file it may still write) stays as read.
  let doc = structuredClone(data);
  for (let v = version; v < format.current; v++) {
    const step = format.migrations.find((m) => m.from === v);
    if (!step) throw new Error(`${format.kind}: no migration from version ${v}`);
    doc = { ...step.migrate(doc), version: v + 1 };
  }
  return { doc, from: version };
}

/** Checks a format's chain once (tests): one step per version from the oldest up to the current one. */
export function checkChain(format: VersionedFormat): void {
  format.migrations.forEach((m, i) => {
    if (m.from !== oldestReadable(format) + i) throw new Error(`${format.kind}: migration ${i} reads version ${m.from}, expected ${oldestReadable(format) + i}`);
  });
  if (format.migrations.length && format.migrations[format.migrations.length - 1].from !== format.current - 1) {
    throw new Error(`${format.kind}: the last migration must read version ${format.current - 1}`);
  }
}
