import type { Command } from 'commander';
import { CliFailure, api, show, withClientOptions } from './client.js';
import type { ClientOptions, Output } from './client.js';

export function governanceCommands(program: Command, output: Output): void {
  const witness = program.command('witness').description('members’ witnesses that co-sign the ledger');
  withClientOptions(witness.command('add'))
    .description('register a witness (C2SP tlog-witness) with its cosignature vkey')
    .requiredOption('--member <memberId>', 'the member running it')
    .requiredOption('--vkey <vkey>', 'its C2SP cosignature verifier key')
    .requiredOption('--witness-url <url>', 'where Rabta reaches it')
    .action(async (o: ClientOptions & { member: string; vkey: string; witnessUrl: string }) => {
      show(o, output, await api(o, output, 'POST', '/admin/witnesses', { member: o.member, vkey: o.vkey, url: o.witnessUrl }), ['name', 'memberId', 'url']);
    });
  withClientOptions(witness.command('list'))
    .description('list witnesses')
    .action(async (o: ClientOptions) => show(o, output, await api(o, output, 'GET', '/admin/witnesses'), ['name', 'memberId', 'url']));

  const operator = program.command('operator').description('operator accounts and their API tokens');
  withClientOptions(operator.command('add'))
    .description('create an operator; prints its API token once (authority)')
    .requiredOption('--name <name>', 'who')
    .requiredOption('--role <role>', 'authority-admin or member-admin')
    .option('--member <memberId>', 'the member a member-admin acts for')
    .action(async (o: ClientOptions & { name: string; role: string; member?: string }) => {
      const created = await api<{ operator: Record<string, unknown>; token: string }>(o, output, 'POST', '/admin/operators', { name: o.name, role: o.role, ...(o.member ? { member: o.member } : {}) });
      if (o.json) return show(o, output, created);
      output.out(`operator ${String(created.operator.id)} (${o.role}${o.member ? ` of ${o.member}` : ''})`);
      output.out(`token (shown once): ${created.token}`);
    });
  withClientOptions(operator.command('list'))
    .description('list operators (authority)')
    .action(async (o: ClientOptions) => show(o, output, await api(o, output, 'GET', '/admin/operators'), ['id', 'name', 'role', 'memberId']));

  withClientOptions(program.command('whoami'))
    .description('the operator behind the token')
    .action(async (o: ClientOptions) => show(o, output, await api(o, output, 'GET', '/admin/whoami'), ['id', 'role', 'memberId']));

  withClientOptions(program.command('changes'))
    .description('the registry change journal')
    .option('--after <seq>', 'only changes after this sequence number')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (o: ClientOptions & { after?: string; limit: string }) => {
      const q = new URLSearchParams({ limit: o.limit, ...(o.after ? { after: o.after } : {}) });
      const changes = await api<Array<Record<string, unknown>>>(o, output, 'GET', `/admin/changes?${q}`);
      if (o.json) return show(o, output, changes);
      // Operators by name where this token may list them (an authority); a member admin sees ids.
      const names = new Map<string, string>();
      try {
        const silent = { out: () => undefined, err: () => undefined };
        for (const op of await api<Array<{ id: string; name: string }>>(o, silent, 'GET', '/admin/operators')) names.set(op.id, op.name);
      } catch (error) {
        if (!(error instanceof CliFailure)) throw error;
      }
      const named = changes.map((c) => ({ ...c, actor: names.get(String(c.actor)) ?? c.actor }));
      show(o, output, named, ['seq', 'at', 'actor', 'action', 'target']);
    });
}
