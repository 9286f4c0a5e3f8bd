import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint } from 'jose';
import { SYSTEM_ACTOR, normalizeCnic, subjectHash } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { signRequest } from '../sdk/index.js';
import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import { memoryMessenger } from '../notify/index.js';
import type { MemoryMessenger } from '../notify/index.js';
import type { CitizenAction } from './lifecycle.js';
import type { ConsentForConsumer } from './requests.js';
import type { ConsentTables } from './tables.js';

/**
 * Test support: a small federation on a fresh instance — BISP (payments:
 * status by header, batches by rows[].cnic) and NADRA (identity: verify)
 * provide; HBL (branch-app) and Jazz (sims) consume, both with access to every
 * service for a statute purpose (disbursement) and two consent purposes
 * (support, marketing). A hand-driven clock, an in-memory messenger and a
 * provider that answers 200 to whatever Rabta forwards.
 */
export interface Client {
  id: string;
  keyId: string;
  privateKey: KeyObject;
}

export interface CallResult {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

export const SERVICES = {
  status: 'PK/GOV/BISP/payments/status',
  batches: 'PK/GOV/BISP/payments/batches',
  verify: 'PK/GOV/NADRA/identity/verify',
} as const;
export type ServiceName = keyof typeof SERVICES;

export const STATUTE = 'BISP Act 2010, s. 6';

export interface Federation {
  t: TestInstance;
  messenger: MemoryMessenger;
  clock: { now: number };
  advance(ms: number): void;
  hbl: Client;
  jazz: Client;
  providerHits(): number;
  /** a signed call of any Rabta API */
  signed(client: Client, method: string, path: string, body?: unknown): Promise<CallResult>;
  /** a call through the exchange to a service, for a purpose, about these subjects */
  exchange(client: Client, service: ServiceName, purpose: string, subjects: string[]): Promise<CallResult>;
  register(cnic: string, mobile: string, language?: 'ur' | 'en'): Promise<void>;
  /** POST /consents as a consumer; valid for 30 days, 100 uses a day unless said otherwise */
  request(client: Client, cnic: string, options?: { services?: ServiceName[]; purpose?: string; validUntil?: number; frequency?: { count: number; per: 'day' | 'month' } }): Promise<ConsentForConsumer>;
  /** what the citizen does in the portal, without signing in */
  act(cnic: string, id: string, action: CitizenAction): Promise<unknown>;
  hash(cnic: string): string;
  /** signs a registered citizen in through the API (OTP read from the messenger); returns the bearer token */
  signIn(cnic: string): Promise<string>;
  /** a GET or POST of the citizen API with a session token */
  citizen(token: string, method: 'GET' | 'POST', url: string): Promise<CallResult>;
  close(): Promise<void>;
}

async function newClient(id: string): Promise<Client & { jwk: Record<string, unknown> }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { id, keyId: await calculateJwkThumbprint(jwk as { kty: string; crv: string; x: string }, 'sha256'), privateKey, jwk };
}

export async function startFederation(dialect: 'sqlite' | 'postgres', postgresUrl: string | null): Promise<Federation> {
  let hits = 0;
  const server: Server = createServer((request, response) => {
    hits++;
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const upstream = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clock = { now: Date.now() };
  const messenger = memoryMessenger();
  // No background work: the tests drive the consent sweeper themselves, so nothing expires behind their back.
  const t = await startTestInstance(dialect, postgresUrl, { platform: { now: () => clock.now, messenger, background: false } });
  const r = t.platform.registry;
  const a = SYSTEM_ACTOR;
  for (const [cls, code, nameEn, nameUr] of [
    ['GOV', 'BISP', 'Benazir Income Support Programme', 'بینظیر انکم سپورٹ پروگرام'],
    ['GOV', 'NADRA', 'NADRA', 'نادرا'],
    ['BANK', 'HBL', 'Habib Bank', 'حبیب بینک'],
    ['TELCO', 'JAZZ', 'Jazz', 'جاز'],
  ] as const) {
    await r.createMember(a, { memberClass: cls, code, nameEn, nameUr });
  }
  await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
  await r.createSubsystem(a, 'PK/GOV/NADRA', { code: 'identity', name: 'identity' });
  await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'branch-app', name: 'branch app' });
  await r.createSubsystem(a, 'PK/TELCO/JAZZ', { code: 'sims', name: 'sims' });
  const hbl = await newClient('PK/BANK/HBL/branch-app');
  const jazz = await newClient('PK/TELCO/JAZZ/sims');
  for (const c of [hbl, jazz]) {
    await r.registerKey(a, c.id, { jwk: c.jwk });
    await r.approveKey(a, c.keyId);
  }
  await r.createPurpose(a, { code: 'disbursement', nameEn: 'Payment disbursement', nameUr: 'ادائیگی', legalBasis: 'statute', statute: STATUTE });
  await r.createPurpose(a, { code: 'support', nameEn: 'Help at the branch', nameUr: 'برانچ میں مدد', legalBasis: 'consent', statute: null });
  await r.createPurpose(a, { code: 'marketing', nameEn: 'Offers', nameUr: 'پیشکش', legalBasis: 'consent', statute: null });
  await r.createService(a, 'PK/GOV/BISP/payments', { code: 'status', title: 'status', upstreamUrl: upstream, personal: true, subjectLocation: 'header' });
  await r.createService(a, 'PK/GOV/BISP/payments', { code: 'batches', title: 'batches', upstreamUrl: upstream, personal: true, subjectLocation: 'rows[].cnic' });
  await r.createService(a, 'PK/GOV/NADRA/identity', { code: 'verify', title: 'verify', upstreamUrl: upstream, personal: true, subjectLocation: 'header' });
  for (const serviceId of Object.values(SERVICES)) {
    for (const c of [hbl, jazz]) await r.grantAccess(a, { serviceId, clientId: c.id, purposes: ['disbursement', 'support', 'marketing'] });
  }

  const signed = async (client: Client, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<CallResult> => {
    const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const all: Record<string, string> = { 'rabta-client': client.id, ...headers, ...(bytes ? { 'content-type': 'application/json' } : {}) };
    Object.assign(all, await signRequest({ method, targetUri: `${t.platform.config.publicUrl}${path}`, headers: all, body: bytes, keyId: client.keyId, privateKey: client.privateKey, tag: 'rabta-request', created: clock.now }));
    const response = await t.app.inject({ method: method as 'GET', url: path, headers: all, ...(bytes ? { payload: bytes } : {}) });
    return { status: response.statusCode, body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {}, headers: response.headers as Record<string, unknown> };
  };

  return {
    t,
    messenger,
    clock,
    advance: (ms) => {
      clock.now += ms;
    },
    hbl,
    jazz,
    providerHits: () => hits,
    signed: (client, method, path, body) => signed(client, method, path, body),
    async exchange(client, service, purpose, subjects) {
      const path = `/x/${SERVICES[service]}/anything`;
      if (service === 'batches') return signed(client, 'POST', path, { rows: subjects.map((cnic) => ({ cnic })) }, { 'rabta-purpose': purpose });
      return signed(client, 'GET', path, undefined, { 'rabta-purpose': purpose, 'rabta-subject': subjects[0] as string });
    },
    async register(cnic, mobile, language = 'ur') {
      await t.platform.citizens.registerCitizen(a, { cnic, mobile, language });
    },
    async request(client, cnic, o = {}) {
      const result = await signed(client, 'POST', '/consents', {
        cnic,
        services: (o.services ?? ['status']).map((s) => SERVICES[s]),
        purpose: o.purpose ?? 'support',
        validUntil: new Date(o.validUntil ?? clock.now + 30 * 86_400_000).toISOString(),
        dataLifeDays: 30,
        frequency: o.frequency ?? { count: 100, per: 'day' },
      });
      if (result.status !== 201) throw new Error(`consent request failed: ${result.status} ${JSON.stringify(result.body)}`);
      return result.body as unknown as ConsentForConsumer;
    },
    async act(cnic, id, action) {
      const hash = subjectHash(t.platform.keyring.subjectSecret, normalizeCnic(cnic) as string);
      return t.platform.citizens.portal.act({ subjectHash: hash, cnic: '', expiresAt: 0 }, id, action);
    },
    hash: (cnic) => subjectHash(t.platform.keyring.subjectSecret, normalizeCnic(cnic) as string),
    async signIn(cnic) {
      const hash = subjectHash(t.platform.keyring.subjectSecret, normalizeCnic(cnic) as string);
      const citizen = await t.platform.citizens.citizenOf(hash);
      if (!citizen) throw new Error('sign-in: the citizen is not registered');
      const asked = await t.app.inject({ method: 'POST', url: '/citizen/otp', payload: { cnic } });
      if (asked.statusCode !== 202) throw new Error(`otp: ${asked.statusCode} ${asked.body}`);
      const code = messenger.last(citizen.mobile, 'otp')?.params.code;
      const session = await t.app.inject({ method: 'POST', url: '/citizen/session', payload: { cnic, code } });
      if (session.statusCode !== 201) throw new Error(`session: ${session.statusCode} ${session.body}`);
      return (JSON.parse(session.body) as { token: string }).token;
    },
    async citizen(token, method, url) {
      const response = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
      return { status: response.statusCode, body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {}, headers: response.headers as Record<string, unknown> };
    },
    async close() {
      await t.close();
      server.close();
    },
  };
}

/**
 * Test support for other modules' tests: the tracker rows consent keeps about
 * citizens, read without naming its tables (the citizens' own rows are in
 * citizens/testing.ts).
 */
export const consentRows = (db: Connection) => {
  const tables = tablesOf<ConsentTables>(db);
  return {
    /** a subject's tracker entries, or one exchange's or event's */
    tracker: (where: { subjectHash?: string; exchangeId?: string }) => {
      let query = tables.selectFrom('tracker_entries').selectAll();
      if (where.subjectHash !== undefined) query = query.where('subject_hash', '=', where.subjectHash);
      if (where.exchangeId !== undefined) query = query.where('exchange_id', '=', where.exchangeId);
      return query.execute();
    },
  };
};
