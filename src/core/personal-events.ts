import type { Kysely } from 'kysely';

/** What one event tells its subjects, in both languages. */
export interface RenderedNotice {
  ur: string;
  en: string;
  status: boolean;
}

/**
 * What the tracker is told, in the publishing transaction, about an event that
 * concerns people. The events module hands it over, the consent module's data
 * tracker and citizen notices (and the cases module's rules) take it.
 */
export interface PersonalEvent {
  eventId: string;
  topic: string;
  publisher: string;
  at: number;
  purpose: string;
  legalBasis: 'consent' | 'statute';
  /** the statute, or the consent artefact ids, as the legal-basis check answered */
  reference: string | null;
  /** keyed hashes (HMAC-SHA-256 with the subject secret), one per distinct subject */
  subjectHashes: string[];
  /** the subscriber subsystems the event goes to (webhook or pull), each once */
  recipients: string[];
  /** what the subjects are told, when the topic has a notification rule */
  notice?: RenderedNotice;
}

/** The data tracker's and the citizen notices' entry point for events, in the publishing transaction. */
export type PersonalEventHook<DB> = (trx: Kysely<DB>, events: PersonalEvent[]) => Promise<void>;
