/** Every command, in the order --help lists them. Adding a command is one file and one line here. */
import { command as acceptDrift } from './accept-drift';
import { command as build } from './build';
import { command as check } from './check';
import { command as init } from './init';
import { command as lacs } from './lacs';
import { command as measure } from './measure';
import { command as merge } from './merge';
import { command as profile } from './profile';
import { command as record } from './record';
import { command as report } from './report';
import { command as search } from './search';
import { command as stats } from './stats';
import { command as sweep } from './sweep';
import { command as zoo } from './zoo';
import type { AnyCommand } from './types';

export const COMMANDS: readonly AnyCommand[] = [init, stats, build, measure, check, record, sweep, acceptDrift, lacs, profile, merge, search, report, zoo];

export function findCommand(name: string): AnyCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}
