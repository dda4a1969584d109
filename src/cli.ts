/**
 * The CLI front end: argv -> a command's flags -> parse -> run -> render. Text on a terminal (colour only
 * on a TTY without NO_COLOR), Markdown only into --report files, JSON with --json; progress and notes on
 * stderr unless --quiet. Never lets a user error become a stack trace.
 */
import { closest } from 'fastest-levenshtein';
import { EXIT, UserError } from './errors';
import { COMMANDS, findCommand } from './commands';
import { GLOBAL_FLAGS, parseCommandArgv } from './commands/argv';
import { defaultProxy, localFiles } from './commands/context';
import { choiceFlag, detectCommit, stringFlag } from './commands/flags';
import { streamProgress, withMeasureProgress } from './commands/progress';
import { silentProgress, type AnyCommand, type CommandContext, type CommandIO, type Progress } from './commands/types';
import type { Measurer } from './measure/types';
import { exitCodeOf, FORMATS, render, renderMarkdown, toJson, wantsColor, type Format } from './report';
import { escapeTerminal } from './report/escape';

/** What the CLI takes from the outside world; tests inject a fake measurer, a fixed clock, captured output. */
export interface CliDeps {
  measurer?: (log: ((line: string) => void) | undefined) => Measurer;
  proxy?: CommandContext['proxy'];
  now?: () => Date;
  commit?: () => string | undefined;
  /** Colour and a redrawn progress bar (default: stdout/stderr are TTYs and NO_COLOR is unset). */
  tty?: { stdout: boolean; stderr: boolean };
  /** The folder relative paths start from (default: the current folder, paths used as given). */
  cwd?: string;
}

export const processIO: CommandIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

const EXIT_CODES = 'exit codes: 0 ok/pass, 1 gate failed (check: dominated), 2 bad input or usage, 3 environment (provider missing), 4 service (GitHub API; the action only)';

/**
 * The exit codes one command can end with: 1 only where a gate decides (check, as exitCodeOf says),
 * 3 only where something is measured (the command takes --ep). The CLI makes no GitHub call: no 4.
 */
export function exitCodesOf(cmd: AnyCommand): string {
  const codes = cmd.name === 'check'
    ? ['0 pass, new-frontier or inconclusive', '1 gate failed (dominated, or inconclusive with --strict)']
    : ['0 ok'];
  codes.push('2 bad input or usage');
  if ('ep' in cmd.flags) codes.push('3 environment (the execution provider cannot load here)');
  return `exit codes: ${codes.join(', ')}`;
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'frontier-gate: keep a model repository on its accuracy-latency frontier',
    '',
    'usage: frontier-gate <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    EXIT_CODES,
    "run 'frontier-gate <command> --help' for a command's options",
  ].join('\n');
}

/** `frontier-gate <command> --help`: every flag with its meaning and default. */
export function commandHelp(cmd: AnyCommand): string {
  const flags = { ...cmd.flags, ...GLOBAL_FLAGS };
  const rows = Object.entries(flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;
    const right = `${f.help}${f.default !== undefined ? ` (default ${f.default})` : ''}${f.multiple ? ' (repeatable)' : ''}`;
    return [left, right] as const;
  });
  const width = Math.min(40, Math.max(...rows.map(([l]) => l.length)));
  return [
    `usage: frontier-gate ${cmd.name}${cmd.args ? ' ' + cmd.args : ''} [options]`,
    '',
    cmd.summary,
    '',
    'options:',
    ...rows.map(([l, r]) => (l.length > width ? `  ${l}\n  ${' '.repeat(width)}  ${r}` : `  ${l.padEnd(width)}  ${r}`)),
    '',
    exitCodesOf(cmd),
  ].join('\n');
}

function defaultMeasurer(log: ((line: string) => void) | undefined): Measurer {
  // Loaded lazily: commands that fail on their input never load onnxruntime.
  const { createMeasurer } = require('./measure') as typeof import('./measure');
  return createMeasurer(log ? { log } : {});
}


/** Runs one CLI invocation; returns the exit code. */
export async function main(argv: string[], io: CommandIO = processIO, deps: CliDeps = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? EXIT.OK : EXIT.BAD_INPUT;
  }
  if (name === '--version' || name === '-v') {
    io.out(require('../package.json').version);
    return EXIT.OK;
  }
  const cmd = findCommand(name);
  if (!cmd) {
    io.err(`frontier-gate: unknown command '${escapeTerminal(name)}'; did you mean '${closest(name, COMMANDS.map((c) => c.name))}'?\n\n${help()}`);
    return EXIT.BAD_INPUT;
  }
  try {
    const { values, positionals } = parseCommandArgv(cmd, rest);
    if (values.help) {
      io.out(commandHelp(cmd));
      return EXIT.OK;
    }
    const tty = deps.tty ?? { stdout: Boolean(process.stdout.isTTY), stderr: Boolean(process.stderr.isTTY) };
    const quiet = Boolean(values.quiet);
    const progress: Progress = quiet ? silentProgress : streamProgress({ write: (t) => (tty.stderr ? process.stderr.write(t) : io.err(t.replace(/\n$/, ''))), isTTY: tty.stderr });
    // Notes and errors quote files, fields and names: on a terminal through the one terminal escape.
    const log = quiet ? () => undefined : (line: string) => io.err(escapeTerminal(line));
    let measurer: Measurer | undefined;
    const ctx: CommandContext = {
      files: localFiles(deps.cwd),
      measurer: () => (measurer ??= withMeasureProgress((deps.measurer ?? defaultMeasurer)(values.verbose ? log : undefined), progress)),
      proxy: deps.proxy ?? defaultProxy,
      log,
      progress,
      now: deps.now ?? (() => new Date()),
      commit: deps.commit ?? (() => detectCommit()),
    };
    const format: Format = values.json ? 'json' : choiceFlag(values, 'format', Object.keys(FORMATS) as Format[], 'text');
    // Output files are checked before any work: a folder, special file or read-only path fails now.
    for (const flag of ['report', 'json-report']) {
      const file = stringFlag(values, flag);
      if (file) ctx.files.checkOutput(file, { what: `--${flag}`, named: true });
    }
    const args = cmd.parse(values, positionals);
    const result = await cmd.run(args, ctx);
    const reportFile = stringFlag(values, 'report');
    const jsonFile = stringFlag(values, 'json-report');
    if (reportFile) ctx.files.write(reportFile, renderMarkdown(result), { what: '--report', named: true });
    if (jsonFile) ctx.files.write(jsonFile, JSON.stringify(toJson(result), null, 2) + '\n', { what: '--json-report', named: true });
    io.out(render(result, format, { color: tty.stdout && wantsColor({ isTTY: true }) }));
    return exitCodeOf(result);
  } catch (err) {
    if (err instanceof UserError) {
      io.err(`error: ${escapeTerminal(err.message)}`);
      return err.exitCode;
    }
    // A bug of ours: say so plainly, keep the stack for the report.
    io.err(escapeTerminal(`frontier-gate ${name}: internal error: ${(err as Error)?.stack ?? String(err)}`));
    return 70;
  }
}
