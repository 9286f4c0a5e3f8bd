import type { Command } from 'commander';
import { api, show, withClientOptions } from './client.js';
import type { ClientOptions, Output } from './client.js';

const CASE_COLUMNS = ['reference', 'state', 'category', 'lead', 'district', 'resolutionDue', 'escalationLevel'];
const ref = (reference: string) => encodeURIComponent(reference.trim());

/** `rabta case …`: the member-admin API's case calls from the shell (a member admin's token acts for its member; the authority's for all). */
export function caseCommands(program: Command, output: Output): void {
  const kase = program.command('case').description('cross-institution cases and grievances');
  withClientOptions(kase.command('list'))
    .description('cases you lead or partner on (the authority: all)')
    .option('--state <state>', 'only cases in this state')
    .option('--open', 'only cases not yet closed')
    .option('--triage', 'the authority’s triage queue')
    .option('--overdue', 'overdue tasks instead of cases')
    .action(async (o: ClientOptions & { state?: string; open?: boolean; triage?: boolean; overdue?: boolean }) => {
      if (o.overdue) return show(o, output, await api(o, output, 'GET', '/admin/cases/overdue'), ['reference', 'kind', 'title', 'assignee', 'due', 'escalationLevel', 'overdueSince']);
      if (o.triage) return show(o, output, await api(o, output, 'GET', '/admin/case-triage'), CASE_COLUMNS);
      const query = new URLSearchParams({ ...(o.state ? { state: o.state } : {}), ...(o.open ? { open: 'true' } : {}) }).toString();
      show(o, output, await api(o, output, 'GET', `/admin/cases${query ? `?${query}` : ''}`), CASE_COLUMNS);
    });
  withClientOptions(kase.command('show <reference>'))
    .description('a case with its tasks, notes and timeline')
    .action(async (reference: string, o: ClientOptions) => {
      const view = await api<Record<string, unknown> & { timeline: Array<Record<string, unknown>>; tasks: Array<Record<string, unknown>> }>(o, output, 'GET', `/admin/cases/${ref(reference)}`);
      if (o.json) return show(o, output, view);
      for (const key of ['reference', 'state', 'category', 'lead', 'partners', 'district', 'resolutionDue', 'escalationLevel', 'text']) output.out(`${key.padEnd(16)} ${Array.isArray(view[key]) ? (view[key] as string[]).join(', ') : String(view[key] ?? '')}`);
      output.out('tasks:');
      show(o, output, view.tasks, ['id', 'kind', 'title', 'assignee', 'due', 'state', 'escalationLevel']);
      output.out('timeline:');
      show(o, output, view.timeline, ['seq', 'at', 'kind', 'from', 'to', 'actor']);
    });
  withClientOptions(kase.command('assign <reference> <assignee>'))
    .description('assign a task to an institution on the case (add it as a partner first with --partner)')
    .requiredOption('--title <title>', 'what is to be done')
    .option('--due-days <n>', 'working days until it is due (default: the case’s resolution deadline)')
    .option('--partner', 'add the assignee as a partner first')
    .action(async (reference: string, assignee: string, o: ClientOptions & { title: string; dueDays?: string; partner?: boolean }) => {
      if (o.partner) await api(o, output, 'POST', `/admin/cases/${ref(reference)}/partners`, { member: assignee });
      show(o, output, await api(o, output, 'POST', `/admin/cases/${ref(reference)}/tasks`, { assignee, title: o.title, ...(o.dueDays ? { dueDays: Number(o.dueDays) } : {}) }));
    });
  withClientOptions(kase.command('transfer <reference> <member>'))
    .description('hand the case to another lead institution')
    .requiredOption('--reason <reason>', 'why')
    .action(async (reference: string, member: string, o: ClientOptions & { reason: string }) => {
      show(o, output, [await api(o, output, 'POST', `/admin/cases/${ref(reference)}/transfer`, { to: member, reason: o.reason })], CASE_COLUMNS);
    });
  withClientOptions(kase.command('resolve <reference>'))
    .description('propose that the case is resolved; the citizen is asked to confirm')
    .option('--note <note>', 'what was done, for the citizen')
    .action(async (reference: string, o: ClientOptions & { note?: string }) => {
      show(o, output, [await api(o, output, 'POST', `/admin/cases/${ref(reference)}/resolve`, o.note ? { note: o.note } : {})], CASE_COLUMNS);
    });
  withClientOptions(kase.command('note <reference> <text>'))
    .description('add a note to the case')
    .option('--citizen', 'visible to the citizen (default: internal to the institutions and the authority)')
    .action(async (reference: string, text: string, o: ClientOptions & { citizen?: boolean }) => {
      show(o, output, await api(o, output, 'POST', `/admin/cases/${ref(reference)}/notes`, { text, visibility: o.citizen ? 'citizen' : 'internal' }));
    });
  withClientOptions(kase.command('suggestions <reference>'))
    .description('what the grievance router says of a queued case: its categories, best first, with their confidence')
    .action(async (reference: string, o: ClientOptions) => {
      const answer = await api<{ suggestions: Array<Record<string, unknown>> }>(o, output, 'GET', `/admin/case-triage/${ref(reference)}/suggestions`);
      show(o, output, o.json ? answer : answer.suggestions, ['category', 'confidence', 'inCatalogue']);
    });
  withClientOptions(kase.command('triage <reference> <category>'))
    .description('the authority’s triage officer sets a queued case’s category (and lead)')
    .option('--lead <member>', 'the lead institution (default: the category’s)')
    .action(async (reference: string, category: string, o: ClientOptions & { lead?: string }) => {
      show(o, output, [await api(o, output, 'POST', `/admin/case-triage/${ref(reference)}`, { category, ...(o.lead ? { lead: o.lead } : {}) })], CASE_COLUMNS);
    });
}
