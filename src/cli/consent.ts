import type { Command } from 'commander';
import { RabtaProblemError } from '../sdk/index.js';
import type { ConsentRequest, ConsentRequestStatus } from '../sdk/index.js';
import { CliFailure, consoleOutput } from './admin/client.js';
import type { Output } from './admin/client.js';
import { DEFAULT_URL, clientFromKeyFile, printProblem } from './call.js';
import { URL_OPTION } from './admin/client.js';
import { CONSENT_STATUSES } from '../core/index.js';

const STATUSES: readonly ConsentRequestStatus[] = CONSENT_STATUSES;

/**
 * `rabta consent request|show|list`: a consumer subsystem asks citizens for
 * consent and follows its requests, with signed calls from its key file (the
 * SDK's requestConsent, getConsent, listConsents).
 */
export function registerConsentCommands(program: Command, output: Output = consoleOutput): void {
  const consent = program.command('consent').description('ask citizens for consent and follow the requests, as a consumer subsystem (signed with its key file)');
  const common = (command: Command) =>
    command.requiredOption('--key-file <file>', 'the consumer subsystem’s key file').option(...URL_OPTION).option('--json', 'print the raw JSON answer', false);

  common(consent.command('request'))
    .description('ask a citizen for consent; they get an SMS in their language and answer HAAN <code> or NAHI <code> (or on the portal)')
    .requiredOption('--cnic <cnic>', 'the citizen, NNNNN-NNNNNNN-N')
    .requiredOption('--service <id...>', 'service id(s), all of one provider')
    .requiredOption('--purpose <code>', 'a consent purpose of the catalogue')
    .option('--valid-days <n>', 'how many days the consent lasts once given', '30')
    .option('--data-life-days <n>', 'how long you keep what you receive', '30')
    .option('--frequency <n/per>', 'how often you may call, e.g. 10/day or 4/month', '10/day')
    .action(async (options: { keyFile: string; url: string; json: boolean; cnic: string; service: string[]; purpose: string; validDays: string; dataLifeDays: string; frequency: string }) => {
      const match = /^(\d+)\/(day|month)$/.exec(options.frequency);
      if (!match) return fail(output, '--frequency is <count>/day or <count>/month, e.g. 10/day');
      const validDays = whole(options.validDays, '--valid-days', output);
      const dataLifeDays = whole(options.dataLifeDays, '--data-life-days', output);
      const client = await clientFromKeyFile(options.keyFile, options.url, output);
      const made = await refusalsPrinted(output, () =>
        client.requestConsent({
          cnic: options.cnic,
          services: options.service,
          purpose: options.purpose,
          validUntil: new Date(Date.now() + validDays * 86_400_000),
          dataLifeDays,
          frequency: { count: Number(match[1]), per: match[2] as 'day' | 'month' },
        }),
      );
      if (options.json) return output.out(JSON.stringify(made, null, 2));
      print(made, output);
      output.err(`The citizen is asked by SMS. Follow it with: rabta consent show ${made.id} --key-file ${options.keyFile}${options.url === DEFAULT_URL ? '' : ` --url ${options.url}`}`);
    });

  common(consent.command('show <id>'))
    .description('one of your consent requests, with its status')
    .action(async (id: string, options: { keyFile: string; url: string; json: boolean }) => {
      const client = await clientFromKeyFile(options.keyFile, options.url, output);
      const found = await refusalsPrinted(output, () => client.getConsent(id));
      if (options.json) return output.out(JSON.stringify(found, null, 2));
      print(found, output);
    });

  common(consent.command('list'))
    .description('your consent requests, newest first')
    .option('--status <status>', STATUSES.join(', '))
    .option('--limit <n>', '1 to 500', '100')
    .action(async (options: { keyFile: string; url: string; json: boolean; status?: string; limit: string }) => {
      const status = options.status?.toUpperCase();
      if (status !== undefined && !STATUSES.includes(status as ConsentRequestStatus)) return fail(output, `--status is one of ${STATUSES.join(', ')}`);
      const client = await clientFromKeyFile(options.keyFile, options.url, output);
      const list = await refusalsPrinted(output, () =>
        client.listConsents({ limit: whole(options.limit, '--limit', output), ...(status ? { status: status as ConsentRequestStatus } : {}) }),
      );
      if (options.json) return output.out(JSON.stringify(list, null, 2));
      if (list.length === 0) return output.out('no consent requests');
      for (const c of list) output.out(`${c.id}  ${c.status.padEnd(9)}  ${c.purpose}  ${c.services.join(', ')}  requested ${c.requestedAt}`);
    });
}

function print(c: ConsentRequest, output: Output): void {
  output.out(`consent ${c.id}: ${c.status} (since ${c.statusAt})`);
  output.out(`  ${c.consumer} asks ${c.provider} for ${c.services.join(', ')}, purpose ${c.purpose}`);
  output.out(`  valid ${c.validFrom} – ${c.validUntil}, at most ${c.frequency.count} call(s) a ${c.frequency.per}, data kept ${c.dataLifeDays} day(s)`);
}

async function refusalsPrinted<T>(output: Output, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof RabtaProblemError)) throw error;
    printProblem(error, output);
    throw new CliFailure(error.message);
  }
}

function whole(raw: string, flag: string, output: Output): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) fail(output, `${flag} must be a whole number of at least 1`);
  return value;
}

function fail(output: Output, message: string): never {
  output.err(`error: ${message}`);
  throw new CliFailure(message);
}
