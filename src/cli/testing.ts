import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { CliFailure } from './admin/client.js';
import type { Output } from './admin/client.js';

export interface CliRun {
  out: string;
  err: string;
  /** the command ended with a CliFailure (exit code 1 from the shell) */
  failed: boolean;
}

/**
 * Runs one command line in this process, as the shell would, and returns what
 * it printed: `register` adds the commands under test to a fresh program.
 */
export async function runCli(register: (program: Command, output: Output) => void, argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('rabta').exitOverride();
  register(program, { out: (l) => out.push(l), err: (l) => err.push(l) });
  let failed = false;
  try {
    await program.parseAsync(['node', 'rabta', ...argv]);
  } catch (error) {
    if (!(error instanceof CliFailure)) throw error;
    failed = true;
  }
  return { out: out.join('\n'), err: err.join('\n'), failed };
}

/** Serves a test instance's app on a free loopback port, for commands that call it over HTTP. */
export async function listenLocally(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
