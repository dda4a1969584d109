import { UserError } from '../errors';
import type { Command } from './types';

// Placeholder until the record command lands; replaced by its implementation.
export const command: Command = {
  name: 'record',
  summary: '(in progress)',
  usage: 'frontier-gate record',
  async run() {
    throw new UserError('frontier-gate record is not available in this build');
  },
};
