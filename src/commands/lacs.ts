import { UserError } from '../errors';
import type { Command } from './types';

// Placeholder until the lacs command lands; replaced by its implementation.
export const command: Command = {
  name: 'lacs',
  summary: '(in progress)',
  usage: 'frontier-gate lacs',
  async run() {
    throw new UserError('frontier-gate lacs is not available in this build');
  },
};
