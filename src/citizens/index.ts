import type { Kysely } from 'kysely';
import { standaloneJobs } from '../core/index.js';
import type { Actor, Jobs, Language, PeriodicJob } from '../core/index.js';
import { registryNames } from '../consent/index.js';
import type { CitizenContact } from '../consent/index.js';
import type { Keyring } from '../keyring/index.js';
import type { CitizenMessenger, CitizenTemplate, CitizenTemplateParams, Outgoing } from '../notify/index.js';
import type { Registry } from '../registry/index.js';
import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import { citizensByMobile, findCitizen, registerCitizen } from './citizens.js';
import type { CitizenInput, MobileChangeHook } from './citizens.js';
import { DEFAULT_CITIZEN_LIMITS } from './deps.js';
import type { CitizenLimits, CitizensDeps } from './deps.js';
import { createNoticeSender, eventNoticeRecorder } from './event-notices.js';
import type { NoticeSenderOptions } from './event-notices.js';
import { dispatch, queueMessage } from './notifications.js';
import { citizenPortal } from './portal.js';
import type { CitizenConsents } from './portal.js';
import { citizenSecrets } from './secrets.js';
import { selfServiceCommand } from './self-service.js';
import { createSmsDispatcher, phoneCitizen } from './sms.js';
import type { SmsCommand } from './sms.js';
import { createThrottle, forgetOldWindows } from './throttle.js';
import type { CitizensTables } from './tables.js';

export { citizensMigrations } from './migrations.js';
export { normalizeMobile } from './mobile.js';
export type { Citizen, CitizenInput, MobileChangeHook } from './citizens.js';
export type { CitizenLimits } from './deps.js';
export type { CitizenConsents, CitizenPortal } from './portal.js';
export type { CitizenSession } from './session.js';
export type { NotificationView } from './notifications.js';
export type { AccessEntry } from './tracker-views.js';
export type { InboundSms, InboundSmsResult, PhoneCitizen, SmsCommand, SmsContext } from './sms.js';

export interface CitizensOptions {
  db: Kysely<CitizensTables>;
  registry: Registry;
  keyring: Keyring;
  messenger: CitizenMessenger;
  publicUrl: string;
  now: () => number;
  limits?: Partial<CitizenLimits>;
  /** runs the notice sender and the housekeeping, and reports their failures (the platform's jobs) */
  jobs?: Jobs;
  /** how queued event notices are sent (tests make it quick) */
  noticeSender?: NoticeSenderOptions;
}

const DAY = 86_400_000;

/**
 * The citizens module: who a citizen is (the masked CNIC, the phone and the
 * language, by keyed hash), sign-in by a code sent by SMS and the sessions it
 * gives, the texts sent to her (history, outbox, event notices) and which
 * institutions may text her, her tracker as she reads it, and the SMS line's
 * dispatcher, whose commands the modules they belong to handle.
 */
export function createCitizens(options: CitizensOptions) {
  const deps: CitizensDeps = {
    db: options.db,
    registry: options.registry,
    keyring: options.keyring,
    messenger: options.messenger,
    publicUrl: options.publicUrl,
    now: options.now,
    limits: { ...DEFAULT_CITIZEN_LIMITS, ...options.limits },
  };
  const names = registryNames(options.registry);
  const secrets = citizenSecrets(options.keyring);
  const throttle = createThrottle(options.db, secrets.counters, options.now);
  const jobs = options.jobs ?? standaloneJobs;
  const notices = createNoticeSender(deps, names, jobs, options.noticeSender);
  const mobileHooks: MobileChangeHook[] = [];
  let housekeeping: PeriodicJob | undefined;

  return {
    /** who a subject is and the citizen's outbox, for the consent module */
    directory: {
      async find(db: Connection, subjectHash: string): Promise<CitizenContact | undefined> {
        const row = await findCitizen(tablesOf<CitizensTables>(db), subjectHash);
        return row ? { subjectHash: row.subject_hash, mobile: row.mobile, language: row.language, maskedCnic: row.masked_cnic } : undefined;
      },
      queue: <K extends CitizenTemplate>(db: Connection, message: { subjectHash: string | null; mobile: string; language: Language; template: K; params: CitizenTemplateParams[K] }) => queueMessage(tablesOf<CitizensTables>(db), deps.now(), message),
      dispatch: (messages: Outgoing[]) => dispatch(deps, messages),
    },

    /** the citizen registry (admin API and demo seed) */
    registerCitizen: (actor: Actor, input: CitizenInput) => registerCitizen(deps, mobileHooks, actor, input),
    /** a hook told, in the registering transaction, when a citizen's phone changes */
    onMobileChanged: (hook: MobileChangeHook) => void mobileHooks.push(hook),
    /** who is registered to a phone, and a CNIC's phone, by keyed hash (the cases module's look-ups) */
    citizensOfMobile: async (mobile: string) => (await citizensByMobile(deps.db, mobile)).map(phoneCitizen),
    citizenOf: async (hash: string) => {
      const c = await findCitizen(deps.db, hash);
      return c ? { mobile: c.mobile, language: c.language, maskedCnic: c.masked_cnic } : undefined;
    },

    /** the events module's hook for personal events: queued citizen notices, in the publishing transaction */
    personalEvents: eventNoticeRecorder(),
    /** the sender of queued event notices: `poke` after a publication, `sendOnce` in tests */
    notices,

    /** the SMS line's own commands: STATUS, BAND/SHURU <institution> */
    selfServiceCommand: selfServiceCommand(deps, names),
    /** the SMS dispatcher over a table of commands, asked in order; the platform puts each module's in */
    smsDispatcher: (commands: readonly SmsCommand[]) => createSmsDispatcher(deps, commands),
    /** the citizen's web side, with what the consent module tells about her consents and tracker */
    portalFor: (consents: CitizenConsents) => citizenPortal(deps, names, secrets, throttle, consents),

    /** one round of housekeeping: spent sign-in codes and old rate windows are forgotten */
    sweep: () => sweep(deps),
    start(intervalMs = 30_000) {
      housekeeping ??= jobs.every('citizen-housekeeping', intervalMs, () => sweep(deps));
      notices.start();
    },
    async stop() {
      await notices.stop();
      await housekeeping?.stop();
      housekeeping = undefined;
    },
  };
}

export type Citizens = ReturnType<typeof createCitizens>;

async function sweep(deps: CitizensDeps): Promise<void> {
  const now = deps.now();
  await deps.db.deleteFrom('citizen_otps').where('created_at', '<', now - DAY).execute();
  await forgetOldWindows(deps.db, now - 2 * DAY);
}
