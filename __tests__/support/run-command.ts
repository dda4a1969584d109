/** Runs one CLI command in-process as `frontier-gate <name> ...` does, with injected deps, capturing output. */
import { main, type CliDeps } from '../../src/cli';
import type { AnyCommand } from '../../src/commands/types';

export async function runCommand(cmd: AnyCommand | string, argv: string[], deps: CliDeps = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => void (out += t.endsWith('\n') ? t : t + '\n'), err: (t: string) => void (err += t.endsWith('\n') ? t : t + '\n') };
  const code = await main([typeof cmd === 'string' ? cmd : cmd.name, ...argv], io, { tty: { stdout: false, stderr: false }, ...deps });
  return { code, out, err };
}
