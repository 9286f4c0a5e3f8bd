import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { URL_OPTION } from './admin/client.js';
import { writeFileAtomic } from '../ledger/index.js';
import { encodeBase64 } from '../ledger/index.js';
import { asReceipt, verifyReceipt } from '../ledger/index.js';
import { verifyLog, type LogFetch, type SeenCheckpoint } from '../ledger/index.js';
import { CliFailure, consoleOutput, type Output } from './admin/client.js';

/**
 * `rabta ledger …`: an auditor's tools. They need nothing but the instance's
 * public API and public keys: no account, no token.
 */
export interface LedgerCommandOptions {
  readonly output?: Output;
  /** For tests; default: the global fetch with a timeout. */
  readonly fetch?: LogFetch;
  /** Where the progress bar goes (only drawn on a TTY). */
  readonly progress?: NodeJS.WriteStream;
}

const LEAF_NAMES: Readonly<Record<number, string>> = { 1: 'registry change', 2: 'exchange', 3: 'consent change', 4: 'event', 5: 'case', 6: 'open-data release' };

export function registerLedgerCommands(program: Command, options: LedgerCommandOptions = {}): void {
  const output = options.output ?? consoleOutput;
  const fetcher = options.fetch ?? httpFetch;
  const ledger = subcommand(program, 'ledger', 'the transparency log: audit it, check receipts');

  ledger
    .command('verify')
    .description(
      'audit the whole log: signatures, witness quorum, every tile and entry, and consistency with the last run — whose checkpoint is kept in ~/.rabta/ledger-<origin>.json (--state); a log that was recreated on purpose (a fresh demo) is started over with --forget',
    )
    .option(...URL_OPTION)
    .option('--witness-quorum <k>', 'distinct witness cosignatures required', count, 0)
    .option('--state <file>', 'the last verified checkpoint (default ~/.rabta/ledger-<origin>.json)')
    .option('--forget', 'start over: ignore the saved checkpoint (only when the log was recreated on purpose, e.g. a fresh demo data directory)', false)
    .option('--log-vkey <vkey>', 'pin the log key instead of reading /.well-known/rabta.json (repeatable)', collect)
    .option('--witness-vkey <vkey>', 'pin a witness key instead of reading /.well-known/rabta.json (repeatable)', collect)
    .option('--no-progress', 'no progress bar')
    .action(async (o: { url: string; witnessQuorum: number; state?: string; forget: boolean; logVkey?: string[]; witnessVkey?: string[]; progress: boolean }) => {
      const stream = options.progress ?? process.stderr;
      const bar = o.progress && stream.isTTY ? new SingleBar({ stream, format: 'entries {bar} {value}/{total} {percentage}% eta {eta_formatted}', hideCursor: true }, Presets.shades_classic) : undefined;
      let statePath: string | undefined;
      let previous: SeenCheckpoint | undefined;
      let started = false;
      const result = await verifyLog({
        baseUrl: o.url,
        fetch: fetcher,
        quorum: o.witnessQuorum,
        ...(o.logVkey === undefined ? {} : { logVkeys: o.logVkey }),
        ...(o.witnessVkey === undefined ? {} : { witnessVkeys: o.witnessVkey }),
        loadPrevious: async (origin) => {
          statePath = o.state ?? defaultStatePath(origin);
          if (o.forget) return undefined;
          previous = await readSeen(statePath, output);
          return previous;
        },
        onProgress: (done, total) => {
          if (bar === undefined) return;
          if (!started) bar.start(total, done);
          else bar.update(done);
          started = true;
        },
      }).finally(() => {
        if (started) bar?.stop();
      });
      if (!result.ok) {
        output.err(`verification FAILED: ${result.message}`);
        if (previous !== undefined && statePath !== undefined) {
          output.err(`(compared with size ${previous.size} saved in ${statePath}; only if this log was recreated on purpose — a fresh demo — start over with --forget, or delete that file)`);
        }
        throw new CliFailure(result.message);
      }
      if (statePath !== undefined) await writeFileAtomic(statePath, `${JSON.stringify(result.seen, null, 2)}\n`);
      output.out(`log ${result.origin}: verified`);
      output.out(`size       ${result.size}${result.previousSize === undefined ? ' (first run: nothing to compare with)' : ` (consistent with size ${result.previousSize} verified before)`}`);
      output.out(`root       ${encodeBase64(result.rootHash)}`);
      output.out(`witnesses  ${result.witnesses.length} of ${result.witnessCount} cosigned, quorum ${result.quorum}${result.witnesses.length ? `: ${result.witnesses.map((w) => w.name).join(', ')}` : ''}`);
      const kinds = Object.entries(result.kinds).map(([k, n]) => `${k} ${n}`);
      if (kinds.length) output.out(`entries    ${kinds.join(', ')}`);
      if (statePath !== undefined) output.out(`state      ${statePath}`);
    });

  const receipt = subcommand(ledger, 'receipt', 'receipts: a record, its salt and a C2SP tlog-proof');
  receipt
    .command('verify <file>')
    .description('check a receipt offline: the record matches the logged commitment, and the proof holds (- reads stdin)')
    .option('--witness-quorum <k>', 'distinct witness cosignatures required', count, 0)
    .option('--log-vkey <vkey>', 'the log key to trust (default: the receipt’s own, which proves little)')
    .option('--witness-vkey <vkey>', 'a witness key to trust (repeatable; default: the receipt’s own)', collect)
    .action(async (file: string, o: { witnessQuorum: number; logVkey?: string; witnessVkey?: string[] }) => {
      const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        output.err(`receipt REFUSED: ${file} is not JSON`);
        throw new CliFailure('not JSON');
      }
      const doc = asReceipt(parsed);
      if (typeof doc === 'string') {
        output.err(`receipt REFUSED: ${doc}`);
        throw new CliFailure(doc);
      }
      const result = verifyReceipt(doc, {
        quorum: o.witnessQuorum,
        ...(o.logVkey === undefined ? {} : { logVkey: o.logVkey }),
        ...(o.witnessVkey === undefined ? {} : { witnessVkeys: o.witnessVkey }),
      });
      if (!result.ok) {
        output.err(`receipt REFUSED (${result.failed}): ${result.message}`);
        throw new CliFailure(result.message);
      }
      const { checkpoint, leaf } = result;
      output.out(`receipt verified: ${LEAF_NAMES[leaf.kind] ?? `type ${leaf.kind}`} at ${new Date(leaf.time).toISOString()} is entry ${result.index} of ${checkpoint.origin}`);
      output.out(`checkpoint ${checkpoint.size} ${encodeBase64(checkpoint.rootHash)}`);
      output.out(`witnesses  ${result.witnesses.length} cosigned, quorum ${o.witnessQuorum}${result.witnesses.length ? `: ${result.witnesses.map((w) => w.name).join(', ')}` : ''}`);
      if (!result.keysPinned) {
        output.err('warning: the keys came from the receipt itself; pass --log-vkey (and --witness-vkey) from the published /.well-known/rabta.json for this to prove who signed');
      }
    });
}

/** The existing subcommand of that name (another module may have created it), or a new one. */
function subcommand(parent: Command, name: string, description: string): Command {
  return parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(description);
}

export function defaultStatePath(origin: string): string {
  return join(homedir(), '.rabta', `ledger-${origin.replace(/[^A-Za-z0-9.-]+/g, '_')}.json`);
}

async function readSeen(path: string, output: Output): Promise<SeenCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const seen = JSON.parse(text) as SeenCheckpoint;
    if (typeof seen.origin === 'string' && Number.isSafeInteger(seen.size) && typeof seen.rootHash === 'string') return seen;
  } catch {
    // reported below
  }
  // Never start over silently: a forgotten state is exactly what a rollback needs.
  output.err(`error: ${path} is not a saved checkpoint; fix or remove it to start over`);
  throw new CliFailure('bad state file');
}

async function httpFetch(url: string): Promise<{ status: number; body: Uint8Array }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function count(value: string): number {
  if (!/^(0|[1-9][0-9]{0,5})$/.test(value)) throw new InvalidArgumentError('a non-negative integer');
  return Number(value);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
