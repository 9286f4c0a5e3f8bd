import type { ConsentStatus, ConsentTables } from './tables.js';
import type { Kysely } from 'kysely';
import type { ExchangeRecorder, Jobs, LegalBasisCheck, LegalBasisQuestion } from '../core/index.js';
import { RabtaError, standaloneJobs } from '../core/index.js';
import type { Keyring } from '../keyring/index.js';
import type { Registry } from '../registry/index.js';
import { tablesOf } from '../store/index.js';
import type { Connection, WriteBatcher } from '../store/index.js';
import type { ConsentChangeSink } from './changes.js';
import { DEFAULT_LIMITS } from './deps.js';
import type { CitizenDirectory, ConsentDeps, ConsentLimits, TopicCatalogue } from './deps.js';
import { actOnConsent } from './lifecycle.js';
import type { CitizenAction } from './lifecycle.js';
import { registryNames } from './names.js';
import { rekeyReplyCodes } from './reply-codes.js';
import { consentForConsumer, consentsOfConsumer, requestConsent } from './requests.js';
import type { ConsentRequestInput } from './requests.js';
import { answerBySms } from './sms.js';
import type { ConsentSms } from './sms.js';
import { createSweeper, sweepOnce } from './sweeper.js';
import { listTracker, trackingRecorder, trackerHas } from './tracker.js';
import { consentLegalBasis } from './legal-basis.js';
import { personalEventRecorder } from './event-tracker.js';
import { consentForCitizen, consentsOfCitizen } from './views.js';

export { consentMigrations } from './migrations.js';
export { recordConsentChange, listConsentChanges } from './changes.js';
export type { ConsentChange, ConsentChangeSink, RecordedConsentChange } from './changes.js';
export { verifyArtefact, CONSENT_JWS_TYPE } from './artefact.js';
export type { ConsentTerms } from './artefact.js';
export { parseSmsCommand, ACCEPTED_REPLIES, AMBIGUOUS_REPLIES } from './sms-parse.js';
export type { ConsentSms, ConsentSmsResult } from './sms.js';
export type { ConsentForConsumer, ConsentRequestInput } from './requests.js';
export type { ConsentForCitizen } from './views.js';
export type { CitizenAction } from './lifecycle.js';
export type { CitizenContact, CitizenDirectory, ConsentLimits, TopicCatalogue } from './deps.js';
export type { ConsentTables, ConsentStatus, TrackerRow } from './tables.js';
export { CONSENT_STATUSES } from './tables.js';
export { inLanguage, memoNames, pakistanDate, registryNames } from './names.js';
export type { MemberName, Names, PurposeName } from './names.js';

export interface ConsentOptions {
  db: Kysely<ConsentTables>;
  batch: WriteBatcher<ConsentTables>;
  registry: Registry;
  keyring: Keyring;
  /** the citizens module's directory and outbox */
  citizens: CitizenDirectory;
  publicUrl: string;
  now: () => number;
  limits?: Partial<ConsentLimits>;
  changeSink?: ConsentChangeSink;
  /** runs the sweeper, and reports its failures (the platform's jobs) */
  jobs?: Jobs;
}

/**
 * The consent module: consent artefacts and their lifecycle (answered on the
 * web or by SMS), the legal-basis check of the exchange and the data
 * tracker's rows. Who a citizen is and how texts reach them is the citizens
 * module's, passed in as `citizens`.
 */
export function createConsent(options: ConsentOptions) {
  let topics: TopicCatalogue | undefined;
  const deps: ConsentDeps = {
    db: options.db,
    batch: options.batch,
    registry: options.registry,
    keyring: options.keyring,
    citizens: options.citizens,
    publicUrl: options.publicUrl,
    now: options.now,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ...(options.changeSink ? { changeSink: options.changeSink } : {}),
    // The events module's topics, once the platform hands them over (`coverTopics`): consents may cover them.
    topics: () => topics,
  };
  const names = registryNames(options.registry);
  // What the legal-basis check learnt about purposes, for the tracker's rows of the same calls.
  const purposes = new Map<string, LegalBasisQuestion['purpose']>();
  const sweeper = createSweeper(deps, options.jobs ?? standaloneJobs);

  return {
    /** consents may cover event topics too: the events module's catalogue, handed over once it is built */
    coverTopics(catalogue: TopicCatalogue) {
      topics = catalogue;
    },
    /** the exchange's legal-basis step */
    legalBasis: consentLegalBasis(deps, purposes) satisfies LegalBasisCheck,
    /** wraps the exchange's recorder so every personal exchange lands in its subjects' trackers, in the same transaction */
    trackingRecorder: <DB>(inner: ExchangeRecorder<DB>): ExchangeRecorder<DB> => trackingRecorder(inner, purposes),

    /** the events module's hook for personal events: tracker rows, in the publishing transaction */
    personalEvents: personalEventRecorder(),

    /** a consumer (already authenticated as `clientId`) asks for consent */
    requestConsent: (clientId: string, input: ConsentRequestInput) => requestConsent(deps, names, clientId, input),
    consentForConsumer: (clientId: string, id: string) => consentForConsumer(deps, clientId, id),
    consentsOfConsumer: (clientId: string, options: { status?: ConsentStatus; limit: number }) => consentsOfConsumer(deps, clientId, options),

    /** the SMS dispatcher's consent command: HAAN / NAHI / WAPIS <code>, and the ambiguous `ji` */
    answerBySms: (sms: ConsentSms) => answerBySms(deps, names, sms),
    /** the citizens module's hook when a phone changes: live reply codes follow the citizen */
    rekeyReplyCodes: (trx: Connection, subjectHash: string, mobile: string) => rekeyReplyCodes(tablesOf<ConsentTables>(trx), subjectHash, mobile),

    /** what a signed-in citizen sees and does about their own consents, and their tracker's rows */
    ofCitizen: {
      consents: (subjectHash: string) => consentsOfCitizen(deps.db, names, subjectHash),
      async act(subjectHash: string, id: string, action: CitizenAction) {
        const result = await actOnConsent(deps, names, { subjectHash, artefactId: id, action, channel: 'web' });
        if (result.expired) throw new RabtaError('conflict', 'this request expired before it was approved', { extensions: { status: 'EXPIRED' } });
        return consentForCitizen(deps.db, names, result.artefact);
      },
      tracker: (subjectHash: string, page: { limit: number; cursor?: string }) => listTracker(deps.db, subjectHash, page),
      concernedBy: (subjectHash: string, exchangeId: string) => trackerHas(deps.db, subjectHash, exchangeId),
    },

    /** one round of expiry and housekeeping (the interval runs it; tests call it) */
    sweep: () => sweepOnce(deps),
    start(intervalMs = 30_000) {
      sweeper.start(intervalMs);
    },
    async stop() {
      await sweeper.stop();
    },
  };
}

export type Consent = ReturnType<typeof createConsent>;
