import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { generateCosignerKey, parseCosignerKey } from '../ledger/index.js';
import { createWitness, logsFromVkeys, startWitnessServer, type RunningWitness, type WitnessEvent } from '../ledger/index.js';
import { openWitnessState } from '../ledger/index.js';
import { CliFailure, consoleOutput, type Output } from './admin/client.js';

/**
 * `rabta witness keygen|serve`: what a member needs to run its own witness.
 * (`rabta witness add|list`, registering it at the authority, are admin API
 * commands; they share the `witness` group.)
 */
export interface WitnessCommandOptions {
  readonly output?: Output;
  /** For tests: called once the server listens; default: run until SIGINT/SIGTERM. */
  readonly onListening?: (running: RunningWitness) => Promise<void>;
}

export function registerWitnessCommands(program: Command, options: WitnessCommandOptions = {}): void {
  const output = options.output ?? consoleOutput;
  const witness = program.commands.find((c) => c.name() === 'witness') ?? program.command('witness').description('members’ witnesses that co-sign the ledger');

  witness
    .command('keygen')
    .description('create a witness key (C2SP cosignature, Ed25519); prints the vkey to register with `rabta witness add`')
    .requiredOption('--name <name>', 'the witness’s name, e.g. witness.hbl.com.pk/rabta')
    .requiredOption('--out <file>', 'where to write the private key (mode 0600; never overwritten)')
    .action(async (o: { name: string; out: string }) => {
      let key: { signerKey: string; verifierKey: string };
      try {
        key = generateCosignerKey(o.name);
      } catch (error) {
        output.err(`error: ${error instanceof Error ? error.message : String(error)}`);
        throw new CliFailure('bad name');
      }
      await mkdir(dirname(o.out), { recursive: true, mode: 0o700 });
      try {
        await writeFile(o.out, `${key.signerKey}\n`, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        output.err(`error: ${o.out} exists; refusing to overwrite a witness key`);
        throw new CliFailure('exists');
      }
      output.out(key.verifierKey);
      output.err(`wrote ${o.out} (mode 0600). Register the vkey above: rabta witness add --member <member id> --vkey '${key.verifierKey}' --witness-url <url>`);
    });

  witness
    .command('serve')
    .description('run a C2SP tlog-witness: POST <prefix>/add-checkpoint cosigns checkpoints consistent with the last one')
    .requiredOption('--key <file>', 'the witness key written by `rabta witness keygen`')
    .option('--log-vkey <vkey>', 'a log to witness, by its note vkey (GET <rabta>/ledger/vkey); repeatable', collect)
    .option('--logs-file <file>', 'log vkeys, one per line (# comments allowed)')
    .option('--state <file>', 'the latest cosigned checkpoints (default ~/.rabta/witness-<name>.json)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', port, 7380)
    .option('--prefix <path>', 'submission prefix, e.g. /witness', '')
    .action(async (o: { key: string; logVkey?: string[]; logsFile?: string; state?: string; host: string; port: number; prefix: string }) => {
      const fail = (message: string): never => {
        output.err(`error: ${message}`);
        throw new CliFailure(message);
      };
      const mode = (await stat(o.key)).mode & 0o077;
      if (mode !== 0) output.err(`warning: ${o.key} is readable by others (mode ${(mode | 0o600).toString(8)}); chmod 600 it`);
      const keyLines = nonEmptyLines(await readFile(o.key, 'utf8'));
      let cosigners;
      try {
        cosigners = keyLines.map((line) => parseCosignerKey(line));
      } catch (error) {
        return fail(`${o.key}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (cosigners.length === 0) return fail(`${o.key} holds no key`);
      const vkeys = [...(o.logVkey ?? []), ...(o.logsFile ? nonEmptyLines(await readFile(o.logsFile, 'utf8')) : [])];
      if (vkeys.length === 0) return fail('no log to witness: pass --log-vkey or --logs-file');
      let logs;
      try {
        logs = logsFromVkeys(vkeys);
      } catch (error) {
        return fail(`log vkey: ${error instanceof Error ? error.message : String(error)}`);
      }
      const first = cosigners[0] as (typeof cosigners)[number];
      const statePath = o.state ?? join(homedir(), '.rabta', `witness-${first.name.replace(/[^A-Za-z0-9.-]+/g, '_')}.json`);
      const state = await openWitnessState(statePath);
      const server = createWitness({ cosigners, logs, state, onEvent: (event) => output.err(describe(event)) });
      const running = await startWitnessServer(server, { host: o.host, port: o.port, prefix: o.prefix });
      output.out(`witness ${cosigners.map((c) => c.name).join(', ')} at ${running.url}/add-checkpoint`);
      for (const c of cosigners) output.out(`vkey   ${c.verifier.vkey}`);
      for (const log of logs) output.out(`log    ${log.origin}${state.get(log.origin) ? ` (last cosigned size ${state.get(log.origin)?.size})` : ''}`);
      output.out(`state  ${statePath}`);
      if (options.onListening) return options.onListening(running);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void running.close().finally(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

function describe(event: WitnessEvent): string {
  const at = new Date().toISOString();
  return event.kind === 'cosigned'
    ? `${at} cosigned ${event.origin} size ${event.size} (from ${event.oldSize})`
    : `${at} refused ${event.status} ${event.origin ?? '(unparsed)'}: ${event.message}`;
}

function nonEmptyLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number 0–65535');
  return n;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
