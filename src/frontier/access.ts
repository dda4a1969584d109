/**
 * Where a command's frontier store lives. The CLI reads and writes a file (under a lock); the action reads
 * the store at a commit through the API and commits it back (merging on conflict). Commands see only this
 * interface, so check / record / sweep are the same code in both front ends.
 */
import { applyRecordUpdates, type StoreUpdate } from './updates';
import { checkOutputPath } from '../util/fs';
import { readStoreFile, updateStoreFile, type FrontierStore } from './store';

export interface StoreAccess {
  /** The store as the user names it, for reports and messages. */
  name: string;
  read(): Promise<FrontierStore>;
  /**
   * Fails now, before anything is measured, when `apply` could not write later (a file store whose path is
   * a folder, a special file, or read-only); stores written through an API have nothing to check here.
   */
  checkWritable(): void;
  /**
   * Applies updates to the store as it is now (re-read under a lock, or merged with a concurrent commit), so
   * concurrent writers lose nothing. `summary` describes the change (a commit message in the action).
   */
  apply(updates: readonly StoreUpdate[], summary: string): Promise<void>;
}

export function fileStore(file: string, opts: { allowMissing?: boolean } = {}): StoreAccess {
  return {
    name: file,
    read: async () => readStoreFile(file, opts),
    checkWritable: () => checkOutputPath(file, '--frontier', { followLink: true }),
    apply: async (updates) => {
      await updateStoreFile(file, (current) => applyRecordUpdates(current, updates));
    },
  };
}

/** A store held in memory (tests, and a read-only action run that keeps its result as a file). */
export function memoryStore(name: string, store: FrontierStore): StoreAccess & { current: FrontierStore } {
  const access = {
    name,
    current: store,
    read: async () => access.current,
    checkWritable: () => undefined,
    apply: async (updates: readonly StoreUpdate[]) => {
      access.current = applyRecordUpdates(access.current, updates);
    },
  };
  return access;
}
