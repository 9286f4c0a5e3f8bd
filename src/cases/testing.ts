import { SYSTEM_ACTOR } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import type { CaseActor } from './actors.js';
import type { CaseRouter, CaseSms } from './deps.js';
import type { ClientKey } from '../events/testing.js';
import { signRequest } from '../sdk/index.js';

/** Test support for cases: an instance with a compressed, hand-driven clock, members, a catalogue and the SMS it sent. */
export interface SentCaseSms {
  mobile: string;
  language: 'ur' | 'en';
  text: string;
}

export interface CaseTestInstance extends TestInstance {
  clock: { now: number; advance(ms: number): void };
  sms: SentCaseSms[];
  lastSms(mobile: string): SentCaseSms | undefined;
}

export const DAY_MS = 1000;
export const AUTHORITY: CaseActor = { kind: 'authority', by: 'test' };
export const HBL: CaseActor = { kind: 'institution', member: 'PK/BANK/HBL', by: 'PK/BANK/HBL/complaints' };
export const BISP: CaseActor = { kind: 'institution', member: 'PK/GOV/BISP', by: 'PK/GOV/BISP/payments' };
export const JAZZ: CaseActor = { kind: 'institution', member: 'PK/TELCO/JAZZ', by: 'PK/TELCO/JAZZ/sims' };
export const CITIZEN = { cnic: '35202-1234567-1', mobile: '+923001234567' };
export const OTHER_CITIZEN = { cnic: '42101-7654321-3', mobile: '+923331112222' };

export async function startCaseInstance(dialect: 'sqlite' | 'postgres', postgresUrl: string | null, env: Record<string, string> = {}, router?: CaseRouter): Promise<CaseTestInstance> {
  const clock = { now: Date.UTC(2026, 2, 2, 5, 0, 0), advance: (ms: number) => void (clock.now += ms) };
  const sms: SentCaseSms[] = [];
  const sender: CaseSms = { send: async (mobile, language, text) => void sms.push({ mobile, language, text }) };
  const t = await startTestInstance(dialect, postgresUrl, {
    env: { RABTA_CASES_WORKING_DAY_MS: String(DAY_MS), ...env },
    platform: { now: () => clock.now, background: false, cases: { sms: sender, ...(router ? { router } : {}) } },
  });
  await seedCaseWorld(t);
  return {
    ...t,
    clock,
    sms,
    lastSms: (mobile) => [...sms].reverse().find((m) => m.mobile === mobile),
  };
}

/** BISP, HBL and Jazz with a subsystem each, two registered citizens, and three categories. */
export async function seedCaseWorld(t: TestInstance): Promise<void> {
  const r = t.platform.registry;
  for (const [cls, code, sub] of [['GOV', 'BISP', 'payments'], ['BANK', 'HBL', 'complaints'], ['TELCO', 'JAZZ', 'sims']] as const) {
    await r.createMember(SYSTEM_ACTOR, { memberClass: cls, code, nameEn: code, nameUr: code });
    await r.createSubsystem(SYSTEM_ACTOR, `PK/${cls}/${code}`, { code: sub, name: sub });
  }
  for (const c of [CITIZEN, OTHER_CITIZEN]) await t.platform.citizens.registerCitizen(SYSTEM_ACTOR, { cnic: c.cnic, mobile: c.mobile, language: 'en' });
  const cases = t.platform.cases;
  await cases.putCategory(AUTHORITY, { code: 'PAYMENT-NOT-RECEIVED', nameEn: 'Payment not received', nameUr: 'رقم نہیں ملی', lead: 'PK/BANK/HBL', firstResponseDays: 1, resolutionDays: 3, group: 'payments' });
  await cases.putCategory(AUTHORITY, { code: 'BISP-ELIGIBILITY', nameEn: 'Eligibility', nameUr: 'اہلیت', lead: 'PK/GOV/BISP', firstResponseDays: 2, resolutionDays: 10, group: 'programme' });
  await cases.putCategory(AUTHORITY, { code: 'SIM-BLOCKED', nameEn: 'SIM blocked', nameUr: 'سم بند', lead: null, firstResponseDays: 1, resolutionDays: 5, group: 'telecom' });
}

/** Signed calls at the instance's (compressed) time. */
export function signedAt(t: CaseTestInstance) {
  return async (key: ClientKey, method: string, path: string, options: { body?: unknown } = {}) => {
    const headers: Record<string, string> = { 'rabta-client': key.client };
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    if (body) headers['content-type'] = 'application/json';
    Object.assign(headers, await signRequest({ method, targetUri: `${t.platform.config.publicUrl}${path}`, headers, body, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request', created: t.clock.now }));
    const response = await t.app.inject({ method: method as 'GET', url: path, headers, ...(body ? { payload: body } : {}) });
    return { status: response.statusCode, json: () => JSON.parse(response.body) as Record<string, unknown> & { type?: string }, body: response.body };
  };
}
