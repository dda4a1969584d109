import { UserError } from '../errors';
import type { Command } from './types';

// Placeholder until the search command lands; replaced by its implementation.
export const command: Command = {
  name: 'search',
  summary: '(in progress)',
  usage: 'frontier-gate search',
  async run() {
    throw new UserError('frontier-gate search is not available in this build');
  },
};
