/** Runs one CLI command as src/cli.ts does (a UserError becomes its message and exit code), capturing output. */
import type { Command } from '../../src/commands/types';
import { UserError } from '../../src/errors';

export async function runCommand(cmd: Command, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => (out += t + '\n'), err: (t: string) => (err += t + '\n') };
  try {
    return { code: await cmd.run(argv, io), out, err };
  } catch (e) {
    if (e instanceof UserError) return { code: e.exitCode, out, err: err + e.message };
    throw e;
  }
}
