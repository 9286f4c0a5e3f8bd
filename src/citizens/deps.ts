import type { Kysely } from 'kysely';
import type { Keyring } from '../keyring/index.js';
import type { CitizenMessenger } from '../notify/index.js';
import type { Registry } from '../registry/index.js';
import type { CitizensTables } from './tables.js';

/** Limits of sign-in; every node must use the same. */
export interface CitizenLimits {
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
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_CITIZEN_LIMITS: CitizenLimits = {
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
};

export interface CitizensDeps {
  db: Kysely<CitizensTables>;
  registry: Registry;
  keyring: Keyring;
  messenger: CitizenMessenger;
  /** issuer of citizen sessions */
  publicUrl: string;
  now: () => number;
  limits: CitizenLimits;
}
