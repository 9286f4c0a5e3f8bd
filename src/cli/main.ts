#!/usr/bin/env node
import { CliFailure } from './admin/index.js';
import { rabtaProgram } from './index.js';

const program = rabtaProgram();

program.parseAsync(process.argv).catch((error: unknown) => {
  // A CliFailure has already told the user what went wrong.
  if (!(error instanceof CliFailure)) console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
