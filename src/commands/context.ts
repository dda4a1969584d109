/** Pieces of a CommandContext that the CLI and the action build the same way. */
import type { AccuracyProxy } from '../search/profile';

/** Zen-score through onnxruntime, loaded on first use: commands that never score do not load it. */
export function defaultProxy(options: { threads?: number; batch?: number }): AccuracyProxy {
  const { zenProxy } = require('../search/zen') as typeof import('../search/zen');
  return zenProxy(options);
}
