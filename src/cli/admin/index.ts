import type { Command } from 'commander';
import { caseCommands } from './cases.js';
import { catalogueCommands } from './catalogue.js';
import { consoleOutput } from './client.js';
import type { Output } from './client.js';
import { eventsCommands } from './events.js';
import { governanceCommands } from './governance.js';
import { keyCommands } from './keys.js';
import { memberCommands } from './members.js';

export { CliFailure } from './client.js';
export type { Output } from './client.js';

/** The admin API's client commands: thin translations of flags into HTTP calls. */
export function registerAdminCommands(program: Command, output: Output = consoleOutput): void {
  memberCommands(program, output);
  keyCommands(program, output);
  catalogueCommands(program, output);
  governanceCommands(program, output);
  eventsCommands(program, output);
  caseCommands(program, output);
}
