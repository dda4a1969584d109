import { EXIT, UserError } from './errors';
import { processIO, type Command, type CommandIO } from './commands/types';
import { command as stats } from './commands/stats';
import { command as build } from './commands/build';
import { command as measure } from './commands/measure';
import { command as check } from './commands/check';
import { command as record } from './commands/record';
import { command as sweep } from './commands/sweep';
import { command as lacs } from './commands/lacs';
import { command as profile } from './commands/profile';
import { command as merge } from './commands/merge';
import { command as search } from './commands/search';
import { command as init } from './commands/init';

export const COMMANDS: Command[] = [init, stats, build, measure, check, record, sweep, lacs, profile, merge, search];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'frontier-gate: keep a model repository on its accuracy-latency frontier',
    '',
    'usage: frontier-gate <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 ok/pass, 1 gate failed (dominated), 2 bad input or usage, 3 environment (provider missing), 4 service (GitHub API)',
    "run 'frontier-gate <command> --help' for a command's options",
  ].join('\n');
}

/** Runs one CLI invocation; returns the exit code. Never lets a user error become a stack trace. */
export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? EXIT.OK : EXIT.BAD_INPUT;
  }
  if (name === '--version' || name === '-v') {
    io.out(require('../package.json').version);
    return EXIT.OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`frontier-gate: unknown command '${name}'\n\n${help()}`);
    return EXIT.BAD_INPUT;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${cmd.usage}\n\n${cmd.summary}`);
    return EXIT.OK;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UserError) {
      io.err(`error: ${err.message}`);
      return err.exitCode;
    }
    // A bug of ours: say so plainly, keep the stack for the report.
    io.err(`frontier-gate ${name}: internal error: ${(err as Error)?.stack ?? String(err)}`);
    return 70;
  }
}
