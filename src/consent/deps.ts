import type { Kysely } from 'kysely';
import type { Keyring } from '../keyring/index.js';
import type { Registry } from '../registry/index.js';
import type { WriteBatcher } from '../store/index.js';
import type { ConsentChangeSink } from './changes.js';
import type { CitizenTemplate, CitizenTemplateParams, Outgoing } from '../notify/index.js';
import type { Language } from '../core/index.js';
import type { Connection } from '../store/index.js';
import type { ConsentTables } from './tables.js';

/** Limits of consent requests; every node must use the same. */
export interface ConsentLimits {
  /** a consumer's unanswered requests to one citizen at a time */
  pendingPerConsumer: number;
  /** an unanswered request lapses after this long */
  pendingTtlMs: number;
  /** the longest validity a consumer may ask for */
  maxValidityMs: number;
}

const DAY = 86_400_000;

export const DEFAULT_LIMITS: ConsentLimits = {
  pendingPerConsumer: 3,
  pendingTtlMs: 7 * DAY,
  maxValidityMs: 5 * 365 * DAY,
};

/** What the consent module may ask about event topics (the events module answers; it is built later, so the answer comes late). */
export interface TopicCatalogue {
  /** the purposes this subscriber may receive the topic for; undefined when the topic does not exist or it has no access right */
  purposes(topicId: string, subscriberId: string): Promise<string[] | undefined>;
  exists(topicId: string): Promise<boolean>;
}

export interface ConsentDeps {
  db: Kysely<ConsentTables>;
  batch: WriteBatcher<ConsentTables>;
  registry: Registry;
  keyring: Keyring;
  /** who a subject is (phone, language, masked CNIC) and how texts reach them: the citizens module */
  citizens: CitizenDirectory;
  /** issuer of consent artefacts and citizen sessions */
  publicUrl: string;
  now: () => number;
  limits: ConsentLimits;
  /** where each consent status change goes besides its row (the ledger) */
  changeSink?: ConsentChangeSink;
  /** consents may name event topics as well as services */
  topics?: () => TopicCatalogue | undefined;
}

/** A registered citizen as consent needs to know them. */
export interface CitizenContact {
  subjectHash: string;
  mobile: string;
  language: Language;
  maskedCnic: string;
}

/**
 * What consent asks of the citizens module (the platform passes it in, so
 * consent never imports it): who a subject is, and the citizen's outbox —
 * a text is noted in the caller's transaction and sent after the commit.
 */
export interface CitizenDirectory {
  find(db: Connection, subjectHash: string): Promise<CitizenContact | undefined>;
  queue<K extends CitizenTemplate>(
    db: Connection,
    message: { subjectHash: string | null; mobile: string; language: Language; template: K; params: CitizenTemplateParams[K] },
  ): Promise<Outgoing<K>>;
  dispatch(messages: Outgoing[]): Promise<void>;
}
