import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { verifyRelease } from '../analytics/index.js';
import { api, consoleOutput, CliFailure, show, withClientOptions } from './admin/client.js';
import type { ClientOptions, Output } from './admin/client.js';

export interface OpenDataCommandOptions {
  readonly output?: Output;
  /** for tests; default: fetch with a timeout */
  readonly fetchBytes?: (url: string) => Promise<Buffer>;
  readonly progress?: NodeJS.WriteStream;
}

const DAY_MS = 86_400_000;
/** The report asks the server this many days at a time, so a long period shows progress. */
const CHUNK_DAYS = 31;

async function httpBytes(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return Buffer.from(await response.arrayBuffer());
}

const time = (value: string): string => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('an RFC 3339 date or time, e.g. 2026-03-01');
  return new Date(ms).toISOString();
};

const count = (value: string): number => {
  if (!/^[0-9]{1,3}$/.test(value)) throw new InvalidArgumentError('a whole number');
  return Number(value);
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

function sub(parent: Command, name: string, description: string): Command {
  return parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(description);
}

/** `rabta open-data publish|verify` and `rabta analytics report`. */
export function registerOpenDataCommands(program: Command, options: OpenDataCommandOptions = {}): void {
  const output = options.output ?? consoleOutput;
  const openData = sub(program, 'open-data', 'open-data releases: publish one, check one against the log');
  withClientOptions(openData.command('publish').description('publish a release now (the authority): a Frictionless Data Package whose digest becomes a ledger leaf'))
    .option('--from <time>', 'first instant covered (default: everything)', time)
    .option('--to <time>', 'end of the period (default: now)', time)
    .action(async (o: ClientOptions & { from?: string; to?: string }) => {
      const answer = await api<{ version: string; digest: string; url: string }>(o, output, 'POST', '/open-data/releases', { ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) });
      if (o.json) return show(o, output, answer);
      output.out(`release ${answer.version} published`);
      output.out(`  digest  sha256:${answer.digest} (a leaf of the log)`);
      output.out(`  package ${o.url.replace(/\/+$/, '')}${answer.url}`);
    });
  openData
    .command('verify <url>')
    .description('check a release (the URL of its datapackage.json or its folder) against the log: every file’s hash, the descriptor’s digest in the ledger leaf, the leaf’s inclusion in the signed checkpoint')
    .option('--log-vkey <vkey>', 'pin the log key instead of reading the instance’s /.well-known/rabta.json (repeatable)', collect)
    .option('--witness-quorum <k>', 'distinct witness cosignatures required', count, 0)
    .option('--witness-vkey <vkey>', 'a witness key to count towards the quorum (repeatable)', collect)
    .action(async (url: string, o: { logVkey?: string[]; witnessQuorum: number; witnessVkey?: string[] }) => {
      const result = await verifyRelease(url, {
        fetchBytes: options.fetchBytes ?? httpBytes,
        quorum: o.witnessQuorum,
        ...(o.logVkey ? { logVkey: o.logVkey } : {}),
        ...(o.witnessVkey ? { witnessVkeys: o.witnessVkey } : {}),
      }).catch((error: unknown) => ({ ok: false, checked: [] as string[], problems: [(error as Error).message], version: undefined, digest: undefined, leafIndex: undefined }));
      for (const file of result.checked) output.out(`ok   ${file}`);
      for (const problem of result.problems) output.err(`FAIL ${problem}`);
      if (!result.ok) throw new CliFailure('the release does not match the log');
      output.out(`release ${result.version} matches leaf ${result.leafIndex} of the log (sha256:${result.digest})`);
    });

  const analytics = sub(program, 'analytics', 'indicators and rollups');
  withClientOptions(analytics.command('report').description('indicators per day over a period, as CSV or JSON (the authority: everything; a member: its own)'))
    .requiredOption('--from <time>', 'first day', time)
    .requiredOption('--to <time>', 'end of the period (exclusive)', time)
    .option('--member <id>', 'one institution, e.g. PK/BANK/HBL')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--no-progress', 'no progress bar')
    .action(async (o: ClientOptions & { from: string; to: string; member?: string; format: string; progress: boolean }) => {
      if (o.format !== 'csv' && o.format !== 'json') throw new InvalidArgumentError('--format is csv or json');
      const from = Date.parse(o.from);
      const to = Date.parse(o.to);
      if (!(from < to)) {
        output.err('error: --from must be before --to');
        throw new CliFailure('bad period');
      }
      const chunks = Math.ceil((to - from) / (CHUNK_DAYS * DAY_MS));
      const stream = options.progress ?? process.stderr;
      const bar = o.progress && stream.isTTY && chunks > 1 ? new SingleBar({ stream, format: 'days {bar} {value}/{total}', hideCursor: true }, Presets.shades_classic) : undefined;
      bar?.start(chunks, 0);
      const series: Array<{ period: string; indicators: Array<{ id: string; value: number | null }> }> = [];
      try {
        for (let start = from; start < to; start += CHUNK_DAYS * DAY_MS) {
          const end = Math.min(to, start + CHUNK_DAYS * DAY_MS);
          const query = new URLSearchParams({ from: new Date(start).toISOString(), to: new Date(end).toISOString(), ...(o.member ? { member: o.member } : {}) });
          series.push(...(await api<{ series: typeof series }>(o, output, 'GET', `/analytics/series?${query}`)).series);
          bar?.increment();
        }
      } finally {
        bar?.stop();
      }
      if (o.format === 'json') return output.out(JSON.stringify({ from: o.from, to: o.to, member: o.member ?? null, series }, null, 2));
      output.out('period,indicator,value');
      for (const day of series) for (const i of day.indicators) output.out(`${day.period.slice(0, 10)},${i.id},${i.value ?? ''}`);
    });
}
