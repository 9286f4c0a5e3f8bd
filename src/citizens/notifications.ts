import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { decodeCursor, encodeCursor } from '../core/index.js';
import type { Language, Page } from '../core/index.js';
import { SECRET_PARAMS } from '../notify/index.js';
import type { CitizenTemplate, CitizenTemplateParams, Outgoing } from '../notify/index.js';
import type { CitizensDeps } from './deps.js';
import type { CitizensTables } from './tables.js';

/**
 * Notes a message in the citizen's history (in the caller's transaction) and
 * returns it for `dispatch` after the commit, so nothing is sent for a change
 * that did not happen. Secret parameters (the OTP) are never kept. Without a
 * subject (help texts to unknown numbers) nothing is kept.
 */
export async function queueMessage<K extends CitizenTemplate>(
  db: Kysely<CitizensTables>,
  at: number,
  message: { subjectHash: string | null; mobile: string; language: Language; template: K; params: CitizenTemplateParams[K] },
): Promise<Outgoing<K>> {
  let notificationId: string | null = null;
  if (message.subjectHash !== null) {
    notificationId = randomUUID();
    const kept: Record<string, unknown> = { ...message.params };
    for (const name of SECRET_PARAMS[message.template] ?? []) delete kept[name];
    await db
      .insertInto('citizen_notifications')
      .values({ id: notificationId, subject_hash: message.subjectHash, at, template: message.template, language: message.language, params: JSON.stringify(kept), status: 'queued' })
      .execute();
  }
  return { mobile: message.mobile, language: message.language, template: message.template, params: message.params, notificationId };
}

/**
 * Hands committed messages to the messenger. It never throws: a failed send is
 * noted on the notification, and the change it reports stands.
 */
export async function dispatch(deps: Pick<CitizensDeps, 'db' | 'messenger'>, messages: Outgoing[]): Promise<void> {
  await Promise.all(
    messages.map(async (m) => {
      let status: 'sent' | 'failed' = 'sent';
      try {
        await deps.messenger.send(m.mobile, m.language, m.template, m.params);
      } catch {
        status = 'failed';
      }
      if (m.notificationId !== null) {
        await deps.db
          .updateTable('citizen_notifications')
          .set({ status })
          .where('id', '=', m.notificationId)
          .execute()
          .catch(() => undefined);
      }
    }),
  );
}

export interface NotificationView {
  id: string;
  at: string;
  template: string;
  language: Language;
  params: Record<string, unknown>;
  status: string;
}

/** What was sent to one citizen, newest first; OTP codes were never kept. */
export async function listNotifications(db: Kysely<CitizensTables>, subjectHash: string, options: { limit: number; cursor?: string }): Promise<Page<NotificationView>> {
  let query = db.selectFrom('citizen_notifications').selectAll().where('subject_hash', '=', subjectHash);
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  if (after) query = query.where((eb) => eb.or([eb('at', '<', after.at), eb.and([eb('at', '=', after.at), eb('id', '<', after.id)])]));
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ id: r.id, at: new Date(r.at).toISOString(), template: r.template, language: r.language, params: JSON.parse(r.params) as Record<string, unknown>, status: r.status })),
    next: rows.length > options.limit && last ? encodeCursor({ at: last.at, id: last.id }) : null,
  };
}
