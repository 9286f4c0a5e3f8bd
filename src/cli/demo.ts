import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { CliFailure, consoleOutput } from './admin/client.js';
import type { Output } from './admin/client.js';

interface HandsetModule {
  textFromHandset(options: { host: string; port: number; from: string; text: string; timeoutMs?: number }): Promise<string>;
}
interface PortsModule {
  demoPorts(env: Record<string, string | undefined>): { smsc: number };
}

/** The demo's simulated phones live in examples/, loaded by path at run time as `start --demo` loads the demo. */
async function load<T>(...path: string[]): Promise<T> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return (await import(pathToFileURL(join(root, 'examples', ...path)).href)) as T;
}

/** `rabta demo sms`: text the running demo as a citizen's phone, over SMPP through the demo SMSC, and print the answer. */
export function registerDemoCommands(program: Command, output: Output = consoleOutput): void {
  const demo = program.command('demo').description('the demo federation’s simulated world (run `npm start` first)');
  demo
    .command('sms <text...>')
    .description('send an SMS to the platform as a citizen’s phone (e.g. STATUS, HAAN 4821, WAPIS 4821, BAND BISP) and print the reply')
    .requiredOption('--from <mobile>', 'the phone it comes from, e.g. a demo beneficiary’s +92… number')
    .option('--smsc-port <port>', 'the demo SMSC’s port (default: RABTA_DEMO_SMSC_PORT, else PORT+1, as the demo takes it)')
    .option('--smsc-host <host>', 'the demo SMSC’s address', '127.0.0.1')
    .option('--timeout <seconds>', 'how long to wait for the reply', '20')
    .action(async (words: string[], options: { from: string; smscPort?: string; smscHost: string; timeout: string }) => {
      const port = options.smscPort === undefined ? (await load<PortsModule>('demo', 'ports.ts')).demoPorts(process.env).smsc : Number(options.smscPort);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        output.err('error: --smsc-port must be a port number (the demo prints its SMSC port at start)');
        throw new CliFailure('bad port');
      }
      const text = words.join(' ');
      const { textFromHandset } = await load<HandsetModule>('smsc', 'handset.ts');
      try {
        output.err(`${options.from} → the platform, over SMPP via the demo SMSC at ${options.smscHost}:${port}: ${text}`);
        const reply = await textFromHandset({ host: options.smscHost, port, from: options.from, text, timeoutMs: Number(options.timeout) * 1000 });
        output.out(reply);
      } catch (error) {
        output.err(`error: ${(error as Error).message}`);
        throw new CliFailure('no reply');
      }
    });
}
