import { UserError } from '../errors';
import type { Command } from './types';

// Placeholder until the profile command lands; replaced by its implementation.
export const command: Command = {
  name: 'profile',
  summary: '(in progress)',
  usage: 'frontier-gate profile',
  async run() {
    throw new UserError('frontier-gate profile is not available in this build');
  },
};
