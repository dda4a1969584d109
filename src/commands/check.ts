import { UserError } from '../errors';
import type { Command } from './types';

// Placeholder until the check command lands; replaced by its implementation.
export const command: Command = {
  name: 'check',
  summary: '(in progress)',
  usage: 'frontier-gate check',
  async run() {
    throw new UserError('frontier-gate check is not available in this build');
  },
};
