#!/usr/bin/env node
import { Command } from 'commander';
import { registerLocalCommands } from './local.js';
import { CliFailure, registerAdminCommands } from './admin/index.js';
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

program.parseAsync(process.argv).catch((error: unknown) => {
  // A CliFailure has already told the user what went wrong.
  if (!(error instanceof CliFailure)) console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
