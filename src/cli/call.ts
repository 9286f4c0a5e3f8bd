import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RabtaProblemError, fromKeyFile } from '../sdk/index.js';

interface Example {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** `rabta call`: one signed call as a subsystem, from its key file; shows whether Rabta's answer verified. */
export function registerCallCommand(program: Command): void {
  program
    .command('call')
    .description('make a signed call through the exchange as the subsystem of a key file (default: the file’s example call)')
    .requiredOption('--key-file <file>', 'the subsystem’s key file')
    .option('--url <url>', 'Rabta base URL', process.env.RABTA_URL ?? 'http://127.0.0.1:8080')
    .option('--method <method>', 'HTTP method')
    .option('--path <path>', '/x/{service id}/{path}')
    .option('--purpose <code>', 'Rabta-Purpose')
    .option('--subject <cnic>', 'Rabta-Subject')
    .option('--data <json>', 'request body (JSON text, or @file)')
    .action(async (options: { keyFile: string; url: string; method?: string; path?: string; purpose?: string; subject?: string; data?: string }) => {
      const example = (JSON.parse(readFileSync(options.keyFile, 'utf8')) as { example?: Example }).example ?? {};
      const path = options.path ?? example.path;
      if (!path) throw new Error('no --path given and the key file has no example');
      const headers = { ...(example.headers ?? {}) };
      const purpose = options.purpose ?? pop(headers, 'rabta-purpose');
      const subject = options.subject ?? pop(headers, 'rabta-subject');
      const body = options.data !== undefined ? readData(options.data) : example.body === undefined ? undefined : JSON.stringify(example.body);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      const client = await fromKeyFile(options.keyFile, options.url);
      try {
        const response = await client.call({ method: options.method ?? example.method ?? 'GET', path, purpose, subject, body, headers });
        console.log(`${response.status} from the ${response.origin}   exchange ${response.exchangeId ?? '-'}`);
        console.log(`response signature: ${response.responseVerified ? 'verified against /.well-known/rabta.json' : 'NOT verified'}`);
        console.log(response.text());
        if (response.status >= 400) process.exitCode = 1;
      } catch (error) {
        if (!(error instanceof RabtaProblemError)) throw error;
        console.log(`${error.status} from Rabta: ${error.problem.title}   exchange ${error.exchangeId ?? '-'}`);
        console.log(`type: ${error.problem.type}`);
        if (error.detail) console.log(`detail: ${error.detail}`);
        console.log(`response signature: ${error.responseVerified ? 'verified' : 'none (refused before authentication) or NOT verified'}`);
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
