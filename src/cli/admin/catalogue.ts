import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { api, collect, pathOf, show, withClientOptions } from './client.js';
import type { ClientOptions, Output } from './client.js';

const SERVICE_COLUMNS = ['id', 'title', 'enabled', 'personal', 'subjectLocation', 'upstreamUrl'];

interface ServiceFlags {
  title?: string;
  upstream?: string;
  openapi?: string;
  personal?: boolean;
  subjectLocation?: string;
  bodyLimit?: string;
  quotaPerMinute?: string;
  enable?: boolean;
  disable?: boolean;
}

function serviceFields(o: ServiceFlags): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (o.title !== undefined) fields.title = o.title;
  if (o.upstream !== undefined) fields.upstreamUrl = o.upstream;
  if (o.openapi !== undefined) fields.openapi = JSON.parse(readFileSync(o.openapi, 'utf8')) as unknown;
  if (o.personal !== undefined) fields.personal = o.personal;
  if (o.subjectLocation !== undefined) fields.subjectLocation = o.subjectLocation;
  if (o.bodyLimit !== undefined) fields.bodyLimit = Number(o.bodyLimit);
  if (o.quotaPerMinute !== undefined) fields.quotaPerMinute = Number(o.quotaPerMinute);
  if (o.enable) fields.enabled = true;
  if (o.disable) fields.enabled = false;
  return fields;
}

function serviceOptions(command: Command): Command {
  return command
    .option('--openapi <file>', 'OpenAPI 3.1 document (JSON)')
    .option('--personal', 'the service concerns persons (needs --subject-location)')
    .option('--subject-location <where>', '"header" (Rabta-Subject) or a body field path such as rows[].cnic')
    .option('--body-limit <bytes>', 'largest request body')
    .option('--quota-per-minute <n>', 'calls per client per minute');
}

export function catalogueCommands(program: Command, output: Output): void {
  const service = program.command('service').description('services members offer through the exchange');
  serviceOptions(withClientOptions(service.command('add <subsystemId> <code>')))
    .description('publish a service of a subsystem')
    .requiredOption('--title <title>', 'what it does')
    .requiredOption('--upstream <url>', 'the provider’s own endpoint')
    .option('--disable', 'publish it disabled')
    .action(async (subsystemId: string, code: string, o: ClientOptions & ServiceFlags) => {
      show(o, output, await api(o, output, 'POST', `/admin/subsystems/${pathOf(subsystemId, 4, 'a subsystem id')}/services`, { code, ...serviceFields(o) }), SERVICE_COLUMNS);
    });
  serviceOptions(withClientOptions(service.command('update <serviceId>')))
    .description('change a service')
    .option('--title <title>', 'what it does')
    .option('--upstream <url>', 'the provider’s own endpoint')
    .option('--enable', 'enable it')
    .option('--disable', 'disable it')
    .action(async (serviceId: string, o: ClientOptions & ServiceFlags) => {
      show(o, output, await api(o, output, 'PATCH', `/admin/services/${pathOf(serviceId, 5, 'a service id')}`, serviceFields(o)), SERVICE_COLUMNS);
    });
  withClientOptions(service.command('list'))
    .description('the service catalogue')
    .option('--member <memberId>', 'only this member’s services')
    .action(async (o: ClientOptions & { member?: string }) => {
      show(o, output, await api(o, output, 'GET', `/admin/services${o.member ? `?member=${encodeURIComponent(o.member)}` : ''}`), SERVICE_COLUMNS);
    });
  withClientOptions(service.command('show <serviceId>'))
    .description('one service')
    .action(async (serviceId: string, o: ClientOptions) => show(o, output, await api(o, output, 'GET', `/admin/services/${pathOf(serviceId, 5, 'a service id')}`)));
  withClientOptions(service.command('openapi <serviceId>'))
    .description('a service’s OpenAPI document')
    .action(async (serviceId: string, o: ClientOptions) => output.out(JSON.stringify(await api(o, output, 'GET', `/admin/services/${pathOf(serviceId, 5, 'a service id')}/openapi.json`), null, 2)));

  const purpose = program.command('purpose').description('the purpose catalogue and each purpose’s legal basis');
  withClientOptions(purpose.command('add'))
    .description('add a purpose (authority)')
    .requiredOption('--code <code>', 'e.g. cash-transfer-disbursement')
    .requiredOption('--name-en <name>', 'name in English')
    .requiredOption('--name-ur <name>', 'name in Urdu')
    .requiredOption('--legal-basis <basis>', 'consent or statute')
    .option('--statute <text>', 'the law or programme rule (for statute)')
    .action(async (o: ClientOptions & { code: string; nameEn: string; nameUr: string; legalBasis: string; statute?: string }) => {
      const body = { code: o.code, nameEn: o.nameEn, nameUr: o.nameUr, legalBasis: o.legalBasis, statute: o.statute ?? null };
      show(o, output, await api(o, output, 'POST', '/admin/purposes', body), ['code', 'legalBasis', 'statute']);
    });
  withClientOptions(purpose.command('list'))
    .description('list purposes')
    .action(async (o: ClientOptions) => show(o, output, await api(o, output, 'GET', '/admin/purposes'), ['code', 'nameEn', 'legalBasis', 'statute']));

  const access = program.command('access').description('access rights: which client may call which service, for which purposes');
  withClientOptions(access.command('grant'))
    .description('grant a client subsystem a service (provider or authority)')
    .requiredOption('--service <serviceId>', 'the service')
    .requiredOption('--client <subsystemId>', 'the client subsystem')
    .requiredOption('--purpose <code>', 'an allowed purpose (repeatable)', collect)
    .action(async (o: ClientOptions & { service: string; client: string; purpose: string[] }) => {
      show(o, output, await api(o, output, 'POST', '/admin/access', { service: o.service, client: o.client, purposes: o.purpose }), ['id', 'serviceId', 'clientId', 'purposes']);
    });
  withClientOptions(access.command('revoke <accessId>'))
    .description('revoke an access right')
    .action(async (id: string, o: ClientOptions) => {
      await api(o, output, 'DELETE', `/admin/access/${encodeURIComponent(id)}`);
      output.out(`revoked ${id}`);
    });
  withClientOptions(access.command('list'))
    .description('list access rights')
    .option('--service <serviceId>', 'of this service')
    .option('--client <subsystemId>', 'of this client')
    .option('--member <memberId>', 'touching this member')
    .action(async (o: ClientOptions & { service?: string; client?: string; member?: string }) => {
      const query = new URLSearchParams();
      if (o.service) query.set('service', o.service);
      if (o.client) query.set('client', o.client);
      if (o.member) query.set('member', o.member);
      const q = query.toString();
      show(o, output, await api(o, output, 'GET', `/admin/access${q ? `?${q}` : ''}`), ['id', 'serviceId', 'clientId', 'purposes']);
    });
}
