import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RabtaProblemError, fromKeyFile } from '../sdk/index.js';
import type { RabtaClient } from '../sdk/index.js';
import { CliFailure, consoleOutput } from './admin/client.js';
import type { Output } from './admin/client.js';

interface Example {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export { DEFAULT_URL } from './admin/client.js';
import { URL_OPTION } from './admin/client.js';

/**
 * A subsystem's client from its key file, or a clear failure: a path that does
 * not exist says where key files come from rather than a raw ENOENT.
 */
export async function clientFromKeyFile(file: string, url: string, output: Output): Promise<RabtaClient> {
  if (!existsSync(file)) {
    output.err(`error: no key file at ${file} (the demo writes one per subsystem to data/demo/keys/ when it starts; an institution makes its own with \`rabta key generate\`)`);
    throw new CliFailure('no key file');
  }
  try {
    return await fromKeyFile(file, url);
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
    output.err(cause ? `error: cannot reach Rabta at ${url} (${cause}); is it running? (--url or RABTA_URL)` : `error: ${(error as Error).message}`);
    throw new CliFailure('no client');
  }
}

/** Rabta's refusal, as the CLI prints it. */
export function printProblem(error: RabtaProblemError, output: Output): void {
  output.out(`${error.status} from Rabta: ${error.problem.title}   exchange ${error.exchangeId ?? '-'}`);
  output.out(`type: ${error.problem.type}`);
  if (error.detail) output.out(`detail: ${error.detail}`);
}

/** `rabta call`: one signed call as a subsystem, from its key file; shows whether Rabta's answer verified. */
export function registerCallCommand(program: Command, output: Output = consoleOutput): void {
  program
    .command('call')
    .description('make a signed call through the exchange as the subsystem of a key file (default: the file’s example call; flags override it)')
    .requiredOption('--key-file <file>', 'the subsystem’s key file')
    .option(...URL_OPTION)
    .option('--method <method>', 'HTTP method')
    .option('--path <path>', '/x/{service id}/{path}, or another signed path such as /consents')
    .option('--purpose <code>', 'Rabta-Purpose (replaces the example’s)')
    .option('--subject <cnic>', 'Rabta-Subject (replaces the example’s)')
    .option('--data <json>', 'request body (JSON text, or @file)')
    .action(async (options: { keyFile: string; url: string; method?: string; path?: string; purpose?: string; subject?: string; data?: string }) => {
      const client = await clientFromKeyFile(options.keyFile, options.url, output);
      const example = (JSON.parse(readFileSync(options.keyFile, 'utf8')) as { example?: Example }).example ?? {};
      // Another path is another call: the example's headers and body belong to the example's path.
      const own = options.path === undefined || options.path === example.path ? example : {};
      const path = options.path ?? example.path;
      if (!path) throw new Error('no --path given and the key file has no example');
      const headers = { ...(own.headers ?? {}) };
      // The SDK sets these from purpose and subject: the example's copies go, whether or not a flag replaces them.
      const examplePurpose = pop(headers, 'rabta-purpose');
      const exampleSubject = pop(headers, 'rabta-subject');
      const purpose = options.purpose ?? examplePurpose;
      const subject = options.subject ?? exampleSubject;
      const body = options.data !== undefined ? readData(options.data) : own.body === undefined ? undefined : JSON.stringify(own.body);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      const exchange = path.startsWith('/x/');
      try {
        const response = await client.call({ method: options.method ?? own.method ?? (body === undefined ? 'GET' : 'POST'), path, purpose, subject, body, headers });
        output.out(`${response.status} from the ${response.origin}   exchange ${response.exchangeId ?? '-'}`);
        output.out(
          `response signature: ${response.responseVerified ? 'verified against /.well-known/rabta.json' : exchange ? 'NOT verified' : 'none (Rabta signs the answers of exchange calls, /x/…, only)'}`,
        );
        output.out(response.text());
        if (response.status >= 400) process.exitCode = 1;
      } catch (error) {
        if (!(error instanceof RabtaProblemError)) throw error;
        printProblem(error, output);
        output.out(`response signature: ${error.responseVerified ? 'verified' : 'none (refused before authentication, or not an exchange call) or NOT verified'}`);
        process.exitCode = 1;
      }
    });
}

function pop(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((h) => h.toLowerCase() === name);
  if (key === undefined) return undefined;
  const value = headers[key];
  delete headers[key];
  return value;
}

function readData(data: string): string {
  return data.startsWith('@') ? readFileSync(data.slice(1), 'utf8') : data;
}
