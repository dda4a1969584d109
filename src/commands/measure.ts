import { UserError } from '../errors';
import type { Command } from './types';

// Placeholder until the measure command lands; replaced by its implementation.
export const command: Command = {
  name: 'measure',
  summary: '(in progress)',
  usage: 'frontier-gate measure',
  async run() {
    throw new UserError('frontier-gate measure is not available in this build');
  },
};
