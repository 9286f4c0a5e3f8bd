import type { Command } from 'commander';
import { api, pathOf, show, withClientOptions } from './client.js';
import type { ClientOptions, Output } from './client.js';

const MEMBER_COLUMNS = ['id', 'nameEn', 'nameUr', 'province'];

export function memberCommands(program: Command, output: Output): void {
  const member = program.command('member').description('member institutions');
  withClientOptions(member.command('add'))
    .description('admit a member (authority)')
    .requiredOption('--class <class>', 'GOV, PROV, BANK, TELCO, NGO or PRIV')
    .requiredOption('--code <code>', 'member code, e.g. BISP')
    .requiredOption('--name-en <name>', 'name in English')
    .requiredOption('--name-ur <name>', 'name in Urdu')
    .option('--province <code>', 'province code (BA, IS, KP, PB, SD, GB, JK)')
    .action(async (o: ClientOptions & { class: string; code: string; nameEn: string; nameUr: string; province?: string }) => {
      const created = await api(o, output, 'POST', '/admin/members', { memberClass: o.class, code: o.code, nameEn: o.nameEn, nameUr: o.nameUr, province: o.province ?? null });
      show(o, output, created, MEMBER_COLUMNS);
    });
  withClientOptions(member.command('list'))
    .description('list members')
    .action(async (o: ClientOptions) => show(o, output, await api(o, output, 'GET', '/admin/members'), MEMBER_COLUMNS));
  withClientOptions(member.command('show <memberId>'))
    .description('one member')
    .action(async (id: string, o: ClientOptions) => show(o, output, await api(o, output, 'GET', `/admin/members/${pathOf(id, 3, 'a member id')}`)));

  const subsystem = program.command('subsystem').description('a member’s information systems');
  withClientOptions(subsystem.command('add <memberId> <code>'))
    .description('add a subsystem to a member')
    .requiredOption('--name <name>', 'what the system is')
    .action(async (memberId: string, code: string, o: ClientOptions & { name: string }) => {
      show(o, output, await api(o, output, 'POST', `/admin/members/${pathOf(memberId, 3, 'a member id')}/subsystems`, { code, name: o.name }), ['id', 'name']);
    });
  withClientOptions(subsystem.command('list [memberId]'))
    .description('list subsystems (of one member)')
    .action(async (memberId: string | undefined, o: ClientOptions) => {
      const path = memberId ? `/admin/members/${pathOf(memberId, 3, 'a member id')}/subsystems` : '/admin/subsystems';
      show(o, output, await api(o, output, 'GET', path), ['id', 'name']);
    });
}
