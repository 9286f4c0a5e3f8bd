import type { Analytics } from '../analytics/index.js';
import type { ConsentChangeSink } from '../consent/index.js';
import { journalDetails } from '../core/index.js';
import type { ChangeRecorder, ExchangeRecorder } from '../core/index.js';
import { LEAF_KIND } from '../ledger/index.js';
import { journalRecorder } from '../ledger/index.js';
import type { Ledger } from '../ledger/index.js';

/**
 * What makes a record evidence: each recorder writes its module's row and the
 * ledger leaf in the caller's transaction, so neither exists without the other.
 */
export function registryChangeRecorder<DB>(ledger: Ledger): ChangeRecorder<DB> {
  return {
    async record(db, recorded) {
      // Registry changes hold no personal data: in clear, for anyone to read, so no secret a URL carries goes in.
      const change = { ...recorded, details: journalDetails(recorded.details) };
      const seq = await journalRecorder.record(db, change);
      await ledger.append(db, { kind: LEAF_KIND.registryChange, ref: String(seq), at: change.at, record: { seq, ...change }, clear: true });
    },
  };
}

export function exchangeRecorder<DB>(inner: ExchangeRecorder<DB>, ledger: Ledger): ExchangeRecorder<DB> {
  return {
    async record(db, record) {
      await inner.record(db, record);
      await ledger.append(db, { kind: LEAF_KIND.exchange, ref: record.id, at: record.at, record });
    },
  };
}

/** Consent status changes concern a person: logged as salted commitments, and counted (without the citizen) in the rollups. */
export function consentChangeSink(ledger: Ledger, analytics?: Pick<Analytics, 'recordConsentChange'>): ConsentChangeSink {
  return {
    async record(db, change) {
      await ledger.append(db, { kind: LEAF_KIND.consentChange, ref: String(change.id), at: change.at, record: change });
      if (!analytics) return;
      // A request's provider is in its artefact, written just before in this transaction: analytics counts the pair.
      const provider = change.from === null ? (await db.selectFrom('consent_artefacts').select('provider_id').where('id', '=', change.artefactId).executeTakeFirst())?.provider_id : undefined;
      await analytics.recordConsentChange(db, provider ? { ...change, provider } : change);
    },
  };
}
