import { UserError } from '../errors';
import type { Command } from './types';

// Placeholder until the merge command lands; replaced by its implementation.
export const command: Command = {
  name: 'merge',
  summary: '(in progress)',
  usage: 'frontier-gate merge',
  async run() {
    throw new UserError('frontier-gate merge is not available in this build');
  },
};
