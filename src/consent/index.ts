import type { ConsentStatus, ConsentTables } from './tables.js';
import type { Kysely } from 'kysely';
import type { Actor, ExchangeRecorder, Jobs, LegalBasisCheck, LegalBasisQuestion } from '../core/index.js';
import { RabtaError, standaloneJobs } from '../core/index.js';
import type { Keyring } from '../keyring/index.js';
import type { Registry } from '../registry/index.js';
import type { WriteBatcher } from '../store/index.js';
import type { ConsentChangeSink } from './changes.js';
import { citizensByMobile, findCitizen, registerCitizen } from './citizens.js';
import type { CitizenInput } from './citizens.js';
import { DEFAULT_LIMITS } from './deps.js';
import type { ConsentDeps, ConsentLimits, SmsCommandHandler, TopicCatalogue } from './deps.js';
import { actOnConsent } from './lifecycle.js';
import type { CitizenAction } from './lifecycle.js';
import type { CitizenMessenger } from './messenger.js';
import { registryNames } from './names.js';
import { listNotifications } from './notifications.js';
import { requestOtp, signIn } from './otp.js';
import { consentForConsumer, consentsOfConsumer, requestConsent } from './requests.js';
import type { ConsentRequestInput } from './requests.js';
import { citizenSecrets } from './secrets.js';
import { verifySession } from './session.js';
import type { CitizenSession } from './session.js';
import { handleInboundSms } from './sms.js';
import type { InboundSms } from './sms.js';
import { createSweeper, sweepOnce } from './sweeper.js';
import { createThrottle } from './throttle.js';
import { trackingRecorder, trackerHas } from './tracker.js';
import { consentLegalBasis } from './legal-basis.js';
import { createNoticeSender, personalEventRecorder } from './event-notices.js';
import type { NoticeSenderOptions } from './event-notices.js';
import { optOutsOf, replaceOptOuts } from './self-service.js';
import { accessOfCitizen, consentForCitizen, consentsOfCitizen } from './views.js';

export { consentMigrations } from './migrations.js';
export { recordConsentChange, listConsentChanges } from './changes.js';
export type { ConsentChange, ConsentChangeSink, RecordedConsentChange } from './changes.js';
export { verifyArtefact, CONSENT_JWS_TYPE } from './artefact.js';
export type { ConsentTerms } from './artefact.js';
export { memoryMessenger, consoleMessenger } from './messenger.js';
export type { CitizenMessenger, MemoryMessenger, SentMessage } from './messenger.js';
export { renderCitizenMessage } from './messages.js';
export type { CitizenTemplate, CitizenTemplateParams } from './messages.js';
export { parseSmsCommand } from './sms-parse.js';
export type { InboundSms, InboundSmsResult } from './sms.js';
export type { ConsentForConsumer, ConsentRequestInput } from './requests.js';
export type { ConsentForCitizen, AccessEntry } from './views.js';
export type { NotificationView } from './notifications.js';
export type { Page } from './paging.js';
export type { CitizenAction } from './lifecycle.js';
export type { CitizenSession } from './session.js';
export type { Citizen, CitizenInput } from './citizens.js';
export type { ConsentLimits, SmsCommandHandler, TopicCatalogue } from './deps.js';
export type { ConsentTables, ConsentStatus, Language } from './tables.js';
export { CONSENT_STATUSES } from './tables.js';
export { maskMobile, normalizeMobile } from './mobile.js';
export { pakistanDate } from './names.js';

export interface ConsentOptions {
  db: Kysely<ConsentTables>;
  batch: WriteBatcher<ConsentTables>;
  registry: Registry;
  keyring: Keyring;
  messenger: CitizenMessenger;
  publicUrl: string;
  now: () => number;
  limits?: Partial<ConsentLimits>;
  changeSink?: ConsentChangeSink;
  /** runs the sweeper and the notice sender, and reports their failures (the platform's jobs) */
  jobs?: Jobs;
  /** how queued event notices are sent (tests make it quick) */
  noticeSender?: NoticeSenderOptions;
  /** the SMS command dispatcher's other handlers (cases' SHIKAYAT, references, 1/2), asked before consent's own */
  smsCommands?: () => readonly SmsCommandHandler[];
}

/**
 * The consent module: the citizen registry, consent artefacts and their
 * lifecycle, the legal-basis check of the exchange, the data tracker, citizen
 * sign-in by OTP and consent by SMS.
 */
export function createConsent(options: ConsentOptions) {
  let topics: TopicCatalogue | undefined;
  const deps: ConsentDeps = {
    db: options.db,
    batch: options.batch,
    registry: options.registry,
    keyring: options.keyring,
    messenger: options.messenger,
    publicUrl: options.publicUrl,
    now: options.now,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ...(options.changeSink ? { changeSink: options.changeSink } : {}),
    // The events module's topics, once the platform hands them over (`coverTopics`): consents may cover them.
    topics: () => topics,
    ...(options.smsCommands ? { smsCommands: options.smsCommands } : {}),
  };
  const names = registryNames(options.registry);
  const secrets = citizenSecrets(options.keyring);
  const throttle = createThrottle(options.db, secrets.counters, options.now);
  // What the legal-basis check learnt about purposes, for the tracker's rows of the same calls.
  const purposes = new Map<string, LegalBasisQuestion['purpose']>();
  const sweeper = createSweeper(deps, options.jobs ?? standaloneJobs);
  const notices = createNoticeSender(deps, names, options.jobs ?? standaloneJobs, options.noticeSender);

  return {
    /** consents may cover event topics too: the events module's catalogue, handed over once it is built */
    coverTopics(catalogue: TopicCatalogue) {
      topics = catalogue;
    },
    /** the exchange's legal-basis step */
    legalBasis: consentLegalBasis(deps, purposes) satisfies LegalBasisCheck,
    /** wraps the exchange's recorder so every personal exchange lands in its subjects' trackers, in the same transaction */
    trackingRecorder: <DB>(inner: ExchangeRecorder<DB>): ExchangeRecorder<DB> => trackingRecorder(inner, purposes),

    /** the events module's hook for personal events: tracker rows and queued citizen notices, in the publishing transaction */
    personalEvents: personalEventRecorder(deps),
    /** the sender of queued event notices: `poke` after a publication, `sendOnce` in tests */
    notices,

    /** the citizen registry (admin API and demo seed) */
    registerCitizen: (actor: Actor, input: CitizenInput) => registerCitizen(deps, actor, input),
    /** who is registered to a phone, and a CNIC's phone, by keyed hash (the cases module's look-ups) */
    citizensOfMobile: async (mobile: string) => (await citizensByMobile(deps.db, mobile)).map((c) => ({ subjectHash: c.subject_hash, maskedCnic: c.masked_cnic, language: c.language })),
    citizenOf: async (hash: string) => {
      const c = await findCitizen(deps.db, hash);
      return c ? { mobile: c.mobile, language: c.language, maskedCnic: c.masked_cnic } : undefined;
    },

    /** a consumer (already authenticated as `clientId`) asks for consent */
    requestConsent: (clientId: string, input: ConsentRequestInput) => requestConsent(deps, names, clientId, input),
    consentForConsumer: (clientId: string, id: string) => consentForConsumer(deps, clientId, id),
    consentsOfConsumer: (clientId: string, options: { status?: ConsentStatus; limit: number }) => consentsOfConsumer(deps, clientId, options),

    /** what a gateway delivers from a phone (HAAN / NAHI / WAPIS <code>) */
    handleInboundSms: (sms: InboundSms) => handleInboundSms(deps, names, sms),

    citizen: {
      requestOtp: (input: { cnic: string; address: string }) => requestOtp(deps, secrets, throttle, input),
      signIn: (input: { cnic: string; code: string; address: string }) => signIn(deps, secrets, throttle, input),
      session: (token: string): Promise<CitizenSession> => verifySession(secrets.session, deps.publicUrl, token, deps.now()),
      consents: (session: CitizenSession) => consentsOfCitizen(deps.db, names, session.subjectHash),
      async act(session: CitizenSession, id: string, action: CitizenAction) {
        const result = await actOnConsent(deps, names, { subjectHash: session.subjectHash, artefactId: id, action, channel: 'web' });
        if (result.expired) throw new RabtaError('conflict', 'this request expired before it was approved', { extensions: { status: 'EXPIRED' } });
        return consentForCitizen(deps.db, names, result.artefact);
      },
      access: (session: CitizenSession, page: { limit: number; cursor?: string }) => accessOfCitizen(deps.db, names, session.subjectHash, page),
      notifications: (session: CitizenSession, page: { limit: number; cursor?: string }) => listNotifications(deps.db, session.subjectHash, page),
      concernedBy: (session: CitizenSession, exchangeId: string) => trackerHas(deps.db, session.subjectHash, exchangeId),
      /** the institutions whose messages the citizen stopped */
      stoppedInstitutions: (session: CitizenSession) => optOutsOf(deps.db, session.subjectHash),
      async setStoppedInstitutions(session: CitizenSession, memberIds: string[]) {
        const known = new Set((await options.registry.listMembers()).map((m) => m.id));
        const unknown = memberIds.filter((id) => !known.has(id));
        if (unknown.length > 0) throw new RabtaError('bad-request', `no such institution: ${unknown.join(', ')}`, { extensions: { unknown } });
        await replaceOptOuts(deps, session.subjectHash, memberIds);
        return optOutsOf(deps.db, session.subjectHash);
      },
    },

    /** one round of expiry and housekeeping (the interval runs it; tests call it) */
    sweep: () => sweepOnce(deps),
    start(intervalMs = 30_000) {
      sweeper.start(intervalMs);
      notices.start();
    },
    async stop() {
      await notices.stop();
      await sweeper.stop();
    },
  };
}

export type Consent = ReturnType<typeof createConsent>;
