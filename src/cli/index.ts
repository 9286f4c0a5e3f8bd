// cli: the `rabta` command — local administration and an HTTP client of the admin API. main.ts runs it.
import { Command } from 'commander';
import { registerLocalCommands } from './local.js';
import { registerAdminCommands } from './admin/index.js';
import { registerCallCommand } from './call.js';
import { registerConsentCommands } from './consent.js';
import { registerDemoCommands } from './demo.js';
import { registerLedgerCommands } from './ledger.js';
import { registerWitnessCommands } from './witness.js';
import { registerClusterCommand } from './cluster.js';
import { registerAssistCommands } from './assist.js';
import { registerAssistAnomaliesCommand } from './assist-anomalies.js';
import { registerOpenDataCommands } from './open-data.js';

/**
 * `rabta`: local commands that work on this machine's data directory, and an
 * HTTP client of the admin API for everything else.
 */
export function rabtaProgram(): Command {
  const program = new Command('rabta')
    .description('Rabta — signed exchange, registry and transparency log for institutions that work together')
    .version('0.1.0');

  registerLocalCommands(program);
  registerAdminCommands(program);
  registerCallCommand(program);
  registerConsentCommands(program);
  registerDemoCommands(program);
  // After the admin commands: `witness keygen|serve` join their `witness` group.
  registerLedgerCommands(program);
  registerWitnessCommands(program);
  registerClusterCommand(program);
  registerAssistCommands(program);
  // Finds or makes the `assist` group, so the order against the router's commands does not matter.
  registerAssistAnomaliesCommand(program);
  registerOpenDataCommands(program);
  return program;
}
