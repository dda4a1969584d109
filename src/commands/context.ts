/** Pieces of a CommandContext that the CLI and the action build the same way, and the CLI's files. */
import * as path from 'node:path';
import { loadArchConfigWithSource } from '../arch/parse';
import { fileStore } from '../frontier/access';
import type { AccuracyProxy } from '../search/profile';
import { checkOutputFolder, checkOutputPath, writeFileAtomic } from '../util/fs';
import type { CommandFiles } from './types';

/** Zen-score through onnxruntime, loaded on first use: commands that never score do not load it. */
export function defaultProxy(options: { threads?: number; batch?: number }): AccuracyProxy {
  const { zenProxy } = require('../search/zen') as typeof import('../search/zen');
  return zenProxy(options);
}

/**
 * The CLI's files: paths as the user gave them (messages quote them so), relative to the current folder,
 * or to `cwd` when one is given (tests run commands in a folder of their own). The store is a file under a
 * lock. Outputs go through the one atomic writer, which writes through a symbolic link only at a path the
 * user named.
 */
export function localFiles(cwd?: string): CommandFiles {
  const resolve = (file: string) => (cwd === undefined ? file : path.resolve(cwd, file));
  return {
    resolve,
    config: async (file, limits) => loadArchConfigWithSource(resolve(file), limits),
    store: (file, opts = {}) => fileStore(resolve(file), opts),
    root: () => cwd ?? process.cwd(),
    checkOutput: (file, out) => checkOutputPath(resolve(file), out.what, { followLink: out.named }),
    checkOutputFolder: (dir, what) => checkOutputFolder(resolve(dir), what),
    write: (file, data, out) => writeFileAtomic(resolve(file), data, { what: out.what, followLink: out.named }),
  };
}
