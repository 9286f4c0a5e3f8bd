import type { Kysely } from 'kysely';
import { normalizeCnic, subjectHash } from '../core/index.js';
import type { Language } from '../core/index.js';
import { inLanguage, pakistanDate } from '../consent/index.js';
import type { Names } from '../consent/index.js';
import type { CitizenTemplate, CitizenTemplateParams } from '../notify/index.js';
import type { CitizensDeps } from './deps.js';
import type { EventNoticeParams } from './event-notices.js';
import { dispatch, queueMessage } from './notifications.js';
import { parseSelfService } from './self-service-parse.js';
import type { SelfServiceCommand } from './self-service-parse.js';
import type { PhoneCitizen, SmsCommand } from './sms.js';
import type { CitizensTables } from './tables.js';

export type SelfServiceOutcome = 'status' | 'status-none' | 'status-unknown' | 'stopped' | 'resumed' | 'institution-unknown' | 'number-unregistered';

/** How far back STATUS looks through a citizen's notices for the latest one marked as a status. */
const STATUS_LOOKBACK = 50;
/** One phone may serve a household; STATUS answers for at most this many of its CNICs. */
const MAX_PER_PHONE = 5;

/**
 * STATUS, and stopping or resuming an institution's messages, by SMS. A
 * STATUS answers, for each CNIC registered to the sending phone (or only the
 * one named, if it is registered to this phone), the latest notice an
 * institution marked as a status — in the citizen's language, CNIC masked. A
 * number with no citizen, or a CNIC that is not registered to it, learns
 * nothing: not even whether that CNIC is known.
 */
export function selfServiceCommand(deps: CitizensDeps, names: Names): SmsCommand {
  return {
    name: 'status, stop and start',
    async handle(sms) {
      const command = parseSelfService(sms.text);
      return command ? { outcome: await handleSelfService(deps, names, sms.mobile, sms.citizens, command) } : undefined;
    },
  };
}

async function handleSelfService(deps: CitizensDeps, names: Names, mobile: string, citizens: readonly PhoneCitizen[], command: SelfServiceCommand): Promise<SelfServiceOutcome> {
  const language: Language = citizens[0]?.language ?? 'ur';
  const send = async <K extends CitizenTemplate>(to: PhoneCitizen | null, lang: Language, template: K, params: CitizenTemplateParams[K]) => {
    const outgoing = await queueMessage(deps.db, deps.now(), { subjectHash: to?.subjectHash ?? null, mobile, language: lang, template, params });
    await dispatch(deps, [outgoing]);
  };

  if (command.kind === 'status') {
    let asked = citizens;
    if (command.cnic !== undefined) {
      const digits = normalizeCnic(command.cnic);
      const hash = digits === undefined ? undefined : subjectHash(deps.keyring.subjectSecret, digits);
      asked = citizens.filter((c) => c.subjectHash === hash);
    }
    if (asked.length === 0) {
      await send(null, language, 'status-unknown', {});
      return 'status-unknown';
    }
    let outcome: SelfServiceOutcome = 'status-none';
    for (const citizen of asked.slice(0, MAX_PER_PHONE)) {
      const latest = await latestStatus(deps.db, citizen.subjectHash);
      if (!latest) {
        await send(citizen, citizen.language, 'status-none', { cnic: citizen.maskedCnic });
        continue;
      }
      outcome = 'status';
      const institution = inLanguage(await names.member(latest.params.institution), citizen.language);
      await send(citizen, citizen.language, 'status-reply', { cnic: citizen.maskedCnic, institution, text: latest.params.text, date: pakistanDate(latest.at) });
    }
    return outcome;
  }

  if (citizens.length === 0) {
    // True for this number: nobody is registered to it, so nothing is sent to it to stop or start.
    await send(null, language, 'number-unregistered', {});
    return 'number-unregistered';
  }
  const members = await deps.registry.listMembers();
  const folded = (name: string) => name.replace(/[\u064B-\u065F\u0670\s]/g, '').replace(/[\u0647\u06BE\u06C0\u06D5\u0629]/g, '\u06C1').replace(/[\u064A\u0649\u06D0\u06D2]/g, '\u06CC').replace(/\u0643/g, '\u06A9').replace(/\u06BA/g, '\u0646').replace(/\u0622/g, '\u0627');
  const chosen = command.institution === '*'
    ? members
    : members.filter((m) => m.code.toUpperCase() === command.institution || (m.nameUr !== '' && folded(m.nameUr) === command.institution));
  if (chosen.length === 0) {
    await send(null, language, 'institution-unknown', { code: command.institution });
    return 'institution-unknown';
  }
  // Whoever holds the phone decides what it receives: the choice applies to every CNIC registered to it.
  for (const member of chosen) await setOptOut(deps, citizens.map((c) => c.subjectHash), member.id, command.kind === 'stop');
  const institution = command.institution === '*'
    ? command.kind === 'stop' ? (language === 'ur' ? 'کسی بھی ادارے' : 'any institution') : language === 'ur' ? 'تمام اداروں' : 'all institutions'
    : inLanguage({ nameEn: (chosen[0] as (typeof members)[number]).nameEn, nameUr: (chosen[0] as (typeof members)[number]).nameUr }, language);
  await send(citizens[0] as PhoneCitizen, language, command.kind === 'stop' ? 'notices-stopped' : 'notices-resumed', { institution });
  return command.kind === 'stop' ? 'stopped' : 'resumed';
}

async function latestStatus(db: Kysely<CitizensTables>, hash: string): Promise<{ at: number; params: EventNoticeParams } | undefined> {
  const rows = await db
    .selectFrom('citizen_notifications')
    .select(['at', 'params'])
    .where('subject_hash', '=', hash)
    .where('template', '=', 'event-notice')
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(STATUS_LOOKBACK)
    .execute();
  for (const row of rows) {
    const params = JSON.parse(row.params) as EventNoticeParams;
    if (params.status) return { at: row.at, params };
  }
  return undefined;
}

/** Which institutions' messages these citizens stopped (a phone's own choices, so two at once are the same person's). */
export async function setOptOut(deps: Pick<CitizensDeps, 'db' | 'now'>, hashes: string[], memberId: string, stop: boolean): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    for (const hash of hashes) {
      const row = await trx.selectFrom('citizens').select('opted_out').where('subject_hash', '=', hash).executeTakeFirst();
      if (!row) continue;
      const current = new Set(JSON.parse(row.opted_out) as string[]);
      if (stop) current.add(memberId);
      else current.delete(memberId);
      await trx.updateTable('citizens').set({ opted_out: JSON.stringify([...current].sort()), updated_at: deps.now() }).where('subject_hash', '=', hash).execute();
    }
  });
}

/** The whole list at once, as the web settings page sends it. */
export async function replaceOptOuts(deps: Pick<CitizensDeps, 'db' | 'now'>, hash: string, memberIds: string[]): Promise<void> {
  await deps.db.updateTable('citizens').set({ opted_out: JSON.stringify([...new Set(memberIds)].sort()), updated_at: deps.now() }).where('subject_hash', '=', hash).execute();
}

export async function optOutsOf(db: Kysely<CitizensTables>, hash: string): Promise<string[]> {
  const row = await db.selectFrom('citizens').select('opted_out').where('subject_hash', '=', hash).executeTakeFirst();
  return row ? (JSON.parse(row.opted_out) as string[]) : [];
}
