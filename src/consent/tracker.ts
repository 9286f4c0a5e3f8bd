import type { Kysely } from 'kysely';
import { memberIdOf } from '../core/index.js';
import type { ExchangeRecord, ExchangeRecorder, LegalBasisQuestion } from '../core/index.js';

import { artefactsOf } from './legal-basis.js';
import { decodeCursor, encodeCursor } from '../core/index.js';
import type { Page } from '../core/index.js';
import type { TrackerRow, ConsentTables } from './tables.js';
import { tablesOf } from '../store/index.js';

/** Rows per INSERT: 13 columns each stays well under either database's parameter limit. */
const CHUNK = 400;

/**
 * The data tracker, built into the exchange's recorder: in the same
 * transaction as the exchange record, every subject of a personal exchange —
 * single or batch, allowed or refused — gets a row saying when, which
 * institution and subsystem, which service, why (purpose, legal basis and the
 * statute or consent artefact) and with what outcome. Only keyed hashes are
 * written; nothing here reads outside the transaction.
 */
export function trackingRecorder<DB>(inner: ExchangeRecorder<DB>, purposes: ReadonlyMap<string, LegalBasisQuestion['purpose']>): ExchangeRecorder<DB> {
  return {
    async record(connection, record) {
      await inner.record(connection, record);
      const db = tablesOf<ConsentTables>(connection);
      const hashes = record.subjects === null ? [] : (JSON.parse(record.subjects) as string[]);
      if (hashes.length === 0) return;
      const provider = memberIdOf(record.service_id);
      const statute = record.legal_basis === 'statute' && record.purpose !== null ? (purposes.get(record.purpose)?.statute ?? null) : null;
      const consents = record.legal_basis === 'consent' && record.purpose !== null ? await consentsUsed(db, hashes, record, provider) : new Map<string, string>();
      const rows: TrackerRow[] = hashes.map((hash) => ({
        exchange_id: record.id,
        subject_hash: hash,
        at: record.at,
        client_id: record.client_id,
        client_member_id: memberIdOf(record.client_id),
        service_id: record.service_id,
        provider_id: provider,
        purpose: record.purpose,
        legal_basis: record.legal_basis,
        statute,
        consent_id: consents.get(hash) ?? null,
        outcome: record.outcome,
        status: record.status,
      }));
      for (let i = 0; i < rows.length; i += CHUNK) await db.insertInto('tracker_entries').values(rows.slice(i, i + CHUNK)).execute();
    },
  };
}

/**
 * Which artefact allowed each subject: the one with these terms that was
 * ACTIVE and in force while the call was being decided (between its start and
 * its reply). Read in the recording transaction, so it sees what the check saw.
 */
async function consentsUsed(db: Kysely<ConsentTables>, hashes: string[], record: ExchangeRecord, provider: string): Promise<Map<string, string>> {
  const decidedBy = record.at + record.duration_ms;
  const bySubject = await artefactsOf(db, hashes, record.client_id, provider);
  const used = new Map<string, string>();
  for (const [hash, artefacts] of bySubject) {
    const chosen = artefacts
      .filter(
        (a) =>
          a.purpose === record.purpose &&
          (JSON.parse(a.services) as string[]).includes(record.service_id) &&
          a.activated_at !== null &&
          a.activated_at <= decidedBy &&
          (a.ended_at === null || a.ended_at >= record.at) &&
          a.valid_from <= decidedBy &&
          a.valid_until > record.at,
      )
      .sort((a, b) => (b.activated_at ?? 0) - (a.activated_at ?? 0))[0];
    if (chosen) used.set(hash, chosen.id);
  }
  return used;
}

/** One citizen's tracker, newest first. Only rows with their own subject hash exist for them. */
export async function listTracker(db: Kysely<ConsentTables>, subjectHash: string, options: { limit: number; cursor?: string }): Promise<Page<TrackerRow>> {
  let query = db.selectFrom('tracker_entries').selectAll().where('subject_hash', '=', subjectHash);
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  if (after) query = query.where((eb) => eb.or([eb('at', '<', after.at), eb.and([eb('at', '=', after.at), eb('exchange_id', '<', after.id)])]));
  const rows = await query.orderBy('at', 'desc').orderBy('exchange_id', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return { items: page, next: rows.length > options.limit && last ? encodeCursor({ at: last.at, id: last.exchange_id }) : null };
}

/** Whether the exchange touched this citizen: the one question that entitles them to its receipt. */
export async function trackerHas(db: Kysely<ConsentTables>, subjectHash: string, exchangeId: string): Promise<boolean> {
  const row = await db.selectFrom('tracker_entries').select('exchange_id').where('subject_hash', '=', subjectHash).where('exchange_id', '=', exchangeId).executeTakeFirst();
  return row !== undefined;
}
