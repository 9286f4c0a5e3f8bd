import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { memberIdOf } from '../core/index.js';
import type { Jobs, PeriodicJob, PersonalEvent } from '../core/index.js';
import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import { inLanguage } from '../consent/index.js';
import type { Names } from '../consent/index.js';
import type { CitizensDeps } from './deps.js';
import type { CitizenNotificationRow, CitizenRow, CitizensTables } from './tables.js';

/** Rows per INSERT: well under either database's parameter limit. */
const CHUNK = 400;

/** What an event notice keeps: the text in the citizen's language as it was sent, and whether it answers STATUS. */
export interface EventNoticeParams {
  institution: string;
  text: string;
  status: boolean;
  event: string;
  topic: string;
}

/**
 * The citizens module's side of a personal event, in the publishing
 * transaction: when the topic has a notification rule, each registered
 * subject gets a notice in their language, queued for the sender, or kept as
 * `suppressed` if they stopped that institution's messages (STATUS still
 * finds it). Subjects with no registered phone get none.
 */
export function eventNoticeRecorder() {
  // In the publisher's transaction, opened on the events module's tables.
  return async (connection: Connection, events: PersonalEvent[]): Promise<void> => {
    const trx = tablesOf<CitizensTables>(connection);
    const noticed = events.filter((e) => e.notice !== undefined);
    if (noticed.length === 0) return;
    const citizens = await citizensOf(trx, [...new Set(noticed.flatMap((e) => e.subjectHashes))]);
    const rows: CitizenNotificationRow[] = [];
    for (const event of noticed) {
      const notice = event.notice as NonNullable<PersonalEvent['notice']>;
      const member = memberIdOf(event.publisher);
      for (const hash of event.subjectHashes) {
        const citizen = citizens.get(hash);
        if (!citizen) continue;
        const params: EventNoticeParams = { institution: member, text: notice[citizen.language], status: notice.status, event: event.eventId, topic: event.topic };
        const stopped = (JSON.parse(citizen.opted_out) as string[]).includes(member);
        rows.push({ id: randomUUID(), subject_hash: hash, at: event.at, template: 'event-notice', language: citizen.language, params: JSON.stringify(params), status: stopped ? 'suppressed' : 'queued' });
      }
    }
    for (let i = 0; i < rows.length; i += CHUNK) await trx.insertInto('citizen_notifications').values(rows.slice(i, i + CHUNK)).execute();
  };
}

async function citizensOf(db: Kysely<CitizensTables>, hashes: string[]): Promise<Map<string, CitizenRow>> {
  const found = new Map<string, CitizenRow>();
  for (let i = 0; i < hashes.length; i += CHUNK) {
    const rows = await db.selectFrom('citizens').selectAll().where('subject_hash', 'in', hashes.slice(i, i + CHUNK)).execute();
    for (const row of rows) found.set(row.subject_hash, row);
  }
  return found;
}

export interface NoticeSenderOptions {
  /** how often the queue is looked at when nothing pokes it */
  intervalMs?: number;
  /** notices claimed and sent at once */
  batchSize?: number;
  /** a claim older than this is taken to be a crashed sender's and is sent again */
  claimTtlMs?: number;
}

/**
 * Sends queued event notices through the messenger. Any number of nodes may
 * run one: a notice is claimed by a conditional update (only one node's
 * update finds it still queued), so it goes out once in normal operation,
 * and a claim whose node died lapses and is sent again — at least once.
 */
export function createNoticeSender(deps: CitizensDeps, names: Names, jobs: Jobs, options: NoticeSenderOptions = {}) {
  const node = randomUUID();
  const intervalMs = options.intervalMs ?? 250;
  const batchSize = options.batchSize ?? 200;
  const claimTtlMs = options.claimTtlMs ?? 5 * 60_000;
  let job: PeriodicJob | undefined;

  async function sendOnce(): Promise<number> {
    const now = deps.now();
    // Every round only reads unless there is work: a dead sender's lapsed claim, or notices waiting.
    const lapsed = await deps.db.selectFrom('citizen_notifications').select('id').where('status', '=', 'sending').where('claimed_at', '<', now - claimTtlMs).limit(1).executeTakeFirst();
    if (lapsed) {
      await deps.db
        .updateTable('citizen_notifications')
        .set({ status: 'queued', claimed_by: null, claimed_at: null })
        .where('status', '=', 'sending')
        .where('claimed_at', '<', now - claimTtlMs)
        .execute();
    }
    const waiting = await deps.db.selectFrom('citizen_notifications').select('id').where('status', '=', 'queued').where('template', '=', 'event-notice').orderBy('at').limit(batchSize).execute();
    if (waiting.length === 0) return 0;
    const claim = `${node}:${now}`;
    await deps.db
      .updateTable('citizen_notifications')
      .set({ status: 'sending', claimed_by: claim, claimed_at: now })
      .where(
        'id',
        'in',
        waiting.map((w) => w.id),
      )
      .where('status', '=', 'queued')
      .execute();
    const claimed = await deps.db
      .selectFrom('citizen_notifications as n')
      .innerJoin('citizens as c', 'c.subject_hash', 'n.subject_hash')
      .select(['n.id', 'n.language', 'n.params', 'c.mobile'])
      .where('n.claimed_by', '=', claim)
      .where('n.status', '=', 'sending')
      .execute();
    if (claimed.length === 0) return 0;
    const sent: string[] = [];
    const failed: string[] = [];
    await Promise.all(
      claimed.map(async (row) => {
        const params = JSON.parse(row.params) as EventNoticeParams;
        try {
          const institution = inLanguage(await names.member(params.institution), row.language);
          await deps.messenger.send(row.mobile, row.language, 'event-notice', { institution, text: params.text });
          sent.push(row.id);
        } catch {
          failed.push(row.id);
        }
      }),
    );
    for (const [status, ids] of [['sent', sent], ['failed', failed]] as const) {
      for (let i = 0; i < ids.length; i += CHUNK) {
        await deps.db.updateTable('citizen_notifications').set({ status }).where('id', 'in', ids.slice(i, i + CHUNK)).where('claimed_by', '=', claim).execute();
      }
    }
    return claimed.length;
  }

  /** Drains the queue: runs until a round finds nothing. */
  async function drain(): Promise<number> {
    let total = 0;
    for (let n = await sendOnce(); n > 0; n = await sendOnce()) total += n;
    return total;
  }

  return {
    /** a round now, unless one is running (the interval does this on its own) */
    poke: () => void job?.run(),
    /** one round, for tests: how many notices it handled */
    sendOnce,
    /** waits for a round in progress */
    idle: async () => {
      await job?.idle();
    },
    start() {
      job ??= jobs.every('citizen-event-notices', intervalMs, drain);
    },
    async stop() {
      await job?.stop();
      job = undefined;
    },
  };
}

export type NoticeSender = ReturnType<typeof createNoticeSender>;
