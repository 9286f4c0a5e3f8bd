import type { Command } from 'commander';
import { localBaseUrl } from '../../config/index.js';

/** Every client command's default --url: the instance `rabta start` runs with this shell's PORT (or RABTA_PUBLIC_URL). */
export const DEFAULT_URL = localBaseUrl(process.env);

/** The --url option every client command takes, in one place. */
export const URL_OPTION = ['--url <url>', 'Rabta base URL (env RABTA_URL; default the instance on this shell’s PORT)', process.env.RABTA_URL ?? DEFAULT_URL] as const;

/** Where output goes, so tests can capture it. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') };

export interface ClientOptions {
  url: string;
  token?: string;
  json?: boolean;
}

/** A command failed in a way already explained to the user; exit code 1. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

/** Options every admin command takes. */
export function withClientOptions(command: Command): Command {
  return command
    .option(...URL_OPTION)
    .option('--token <token>', 'API token (env RABTA_TOKEN)', process.env.RABTA_TOKEN)
    .option('--json', 'print the raw JSON answer', false);
}

/** The one HTTP helper of the admin client: bearer token, JSON both ways, problem+json as a clear error. */
export async function api<T = unknown>(options: ClientOptions, output: Output, method: string, path: string, body?: unknown): Promise<T> {
  if (!options.token) {
    output.err('error: no API token: pass --token or set RABTA_TOKEN (an authority gets the first one with `rabta init`)');
    throw new CliFailure('no token');
  }
  const url = options.url.replace(/\/+$/, '') + path;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${options.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    output.err(`error: cannot reach Rabta at ${options.url} (${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message}); is it running?`);
    throw new CliFailure('unreachable');
  }
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const problem = (parsed ?? {}) as { type?: string; title?: string; detail?: string };
    output.err(`error: ${problem.title ?? response.statusText}${problem.detail ? `: ${problem.detail}` : ''}`);
    if (problem.type) output.err(`       (${response.status} ${problem.type})`);
    throw new CliFailure(problem.title ?? String(response.status));
  }
  return parsed as T;
}

/** Prints rows as aligned columns, or JSON with --json. */
export function show(options: ClientOptions, output: Output, value: unknown, columns?: string[]): void {
  if (options.json || columns === undefined) {
    output.out(JSON.stringify(value, null, 2));
    return;
  }
  const rows = (Array.isArray(value) ? value : [value]) as Array<Record<string, unknown>>;
  const cells = rows.map((row) => columns.map((c) => format(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] as string).length)));
  output.out(columns.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd());
  for (const row of cells) output.out(row.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd());
}

function format(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `PK/GOV/BISP/payments` → `GOV/BISP/payments`: admin URLs leave out the instance. */
export function pathOf(id: string, parts: number, what: string): string {
  const segments = id.split('/');
  if (segments.length !== parts || segments.some((s) => s === '')) throw new Error(`${what} must look like ${['PK/GOV/BISP', 'PK/GOV/BISP/payments', 'PK/GOV/BISP/payments/beneficiary-status'][parts - 3]}`);
  return segments.slice(1).map(encodeURIComponent).join('/');
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
