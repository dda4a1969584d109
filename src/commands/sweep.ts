import { UserError } from '../errors';
import type { Command } from './types';

// Placeholder until the sweep command lands; replaced by its implementation.
export const command: Command = {
  name: 'sweep',
  summary: '(in progress)',
  usage: 'frontier-gate sweep',
  async run() {
    throw new UserError('frontier-gate sweep is not available in this build');
  },
};
