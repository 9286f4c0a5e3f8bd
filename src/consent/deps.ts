import type { Kysely } from 'kysely';
import type { Keyring } from '../keyring/index.js';
import type { Registry } from '../registry/index.js';
import type { WriteBatcher } from '../store/index.js';
import type { ConsentChangeSink } from './changes.js';
import type { CitizenMessenger } from './messenger.js';
import type { ConsentTables } from './tables.js';

/** Limits of sign-in and consent requests; every node must use the same. */
export interface ConsentLimits {
  otpTtlMs: number;
  otpAttempts: number;
  sessionTtlMs: number;
  /** OTP sends per CNIC: [count, window ms] pairs, all enforced */
  otpPerCnic: Array<[number, number]>;
  otpPerMobile: Array<[number, number]>;
  otpPerAddress: Array<[number, number]>;
  /** sign-in attempts per CNIC: a code allows a few, and a few codes may be asked for in each window */
  signInPerCnic: Array<[number, number]>;
  signInPerAddress: Array<[number, number]>;
  /** a consumer's unanswered requests to one citizen at a time */
  pendingPerConsumer: number;
  /** an unanswered request lapses after this long */
  pendingTtlMs: number;
  /** the longest validity a consumer may ask for */
  maxValidityMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_LIMITS: ConsentLimits = {
  otpTtlMs: 5 * MINUTE,
  otpAttempts: 3,
  sessionTtlMs: 15 * MINUTE,
  otpPerCnic: [
    [3, 15 * MINUTE],
    [10, DAY],
  ],
  otpPerMobile: [[5, HOUR]],
  otpPerAddress: [[20, HOUR]],
  signInPerCnic: [
    [10, 15 * MINUTE],
    [30, DAY],
  ],
  signInPerAddress: [[30, HOUR]],
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
  messenger: CitizenMessenger;
  /** issuer of consent artefacts and citizen sessions */
  publicUrl: string;
  now: () => number;
  limits: ConsentLimits;
  /** where each consent status change goes besides its row (the ledger) */
  changeSink?: ConsentChangeSink;
  /** consents may name event topics as well as services */
  topics?: () => TopicCatalogue | undefined;
  /** the other modules' SMS commands, asked in order before consent's own (see sms.ts) */
  smsCommands?: () => readonly SmsCommandHandler[];
}

/** Another module's citizen SMS command: true when it handled (and answered) the message. */
export type SmsCommandHandler = (sms: { from: string; text: string }) => Promise<boolean>;
