import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROBLEM_BASE } from '../core/index.js';
import { testDialects } from '../store/testing.js';
import { startFederation } from './testing.js';
import type { Client, Federation, ServiceName } from './testing.js';

const postgresUrl = inject('postgresUrl');

/**
 * The authorization matrix, through the real gateway with signed calls:
 * clients × services × purposes (one statute, two consent) × the consent
 * state of the subject relative to that client and service. Every cell is
 * asserted, and the provider's hit count proves that nothing else got through.
 */
const STATES = ['none', 'requested', 'active', 'revoked', 'expired', 'rejected', 'other-purpose', 'other-client', 'other-service'] as const;
type State = (typeof STATES)[number];
const PURPOSES = ['disbursement', 'support', 'marketing'] as const;
const SERVICES: ServiceName[] = ['status', 'batches', 'verify'];
const OTHER_SERVICE: Record<ServiceName, ServiceName> = { status: 'batches', batches: 'status', verify: 'status' };

/** What a call for `purpose` about a subject in `state` must end in: ok or the problem code. */
function expected(state: State, purpose: (typeof PURPOSES)[number]): string {
  if (purpose === 'disbursement') return 'ok'; // statute: no consent needed, whatever the state
  if (purpose === 'support') {
    return {
      none: 'consent-missing',
      requested: 'consent-missing',
      active: 'ok',
      revoked: 'consent-revoked',
      expired: 'consent-expired',
      rejected: 'consent-missing',
      'other-purpose': 'consent-purpose-not-covered',
      'other-client': 'consent-missing',
      'other-service': 'consent-missing',
    }[state];
  }
  // marketing: only the "other purpose" artefact is for marketing
  return state === 'other-purpose' ? 'ok' : state === 'active' ? 'consent-purpose-not-covered' : 'consent-missing';
}

const cnicOf = (ci: number, si: number, st: number) => `3520${ci}-${String(si * 100 + st).padStart(7, '0')}-1`;

for (const dialect of testDialects(postgresUrl)) {
  describe(`consent authorization matrix on ${dialect}`, () => {
    let f: Federation;
    let clients: Client[];

    beforeAll(async () => {
      f = await startFederation(dialect, postgresUrl);
      clients = [f.hbl, f.jazz];
      for (const [ci, client] of clients.entries()) {
        const other = clients[1 - ci] as Client;
        for (const [si, service] of SERVICES.entries()) {
          for (const [st, state] of STATES.entries()) {
            const cnic = cnicOf(ci, si, st);
            // Half the subjects are registered: an unregistered citizen's consent state is the same state.
            if (st % 2 === 0) await f.register(cnic, `+92300${ci}${si}${String(st).padStart(5, '0')}`);
            const approved = async (by: Client, options: Parameters<Federation['request']>[2]) => {
              const consent = await f.request(by, cnic, options);
              await f.act(cnic, consent.id, 'approve');
              return consent;
            };
            if (state === 'requested') await f.request(client, cnic, { services: [service] });
            if (state === 'active') await approved(client, { services: [service] });
            if (state === 'revoked') await f.act(cnic, (await approved(client, { services: [service] })).id, 'revoke');
            if (state === 'expired') await approved(client, { services: [service], validUntil: f.clock.now + 3_600_000 });
            if (state === 'rejected') await f.act(cnic, (await f.request(client, cnic, { services: [service] })).id, 'reject');
            if (state === 'other-purpose') await approved(client, { services: [service], purpose: 'marketing' });
            if (state === 'other-client') await approved(other, { services: [service] });
            if (state === 'other-service') await approved(client, { services: [OTHER_SERVICE[service]] });
          }
        }
      }
      f.advance(2 * 3_600_000);
      expect((await f.t.platform.consent.sweep()).expired).toBe(clients.length * SERVICES.length);
    }, 240_000);
    afterAll(async () => f?.close());

    it('lets exactly the covered calls through, with the precise problem for every other', { timeout: 240_000 }, async () => {
      const before = f.providerHits();
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (const [ci, client] of clients.entries()) {
        for (const [si, service] of SERVICES.entries()) {
          for (const [st, state] of STATES.entries()) {
            for (const purpose of PURPOSES) {
              const cell = `${client.id} ${service} ${purpose} ${state}`;
              const r = await f.exchange(client, service, purpose, [cnicOf(ci, si, st)]);
              got[cell] = r.status === 200 ? 'ok' : `${r.status} ${String(r.body.type).replace(PROBLEM_BASE, '')}`;
              const code = expected(state, purpose);
              want[cell] = code === 'ok' ? 'ok' : `403 ${code}`;
            }
          }
        }
      }
      expect(got).toEqual(want);
      const passes = Object.values(want).filter((v) => v === 'ok').length;
      expect(f.providerHits() - before).toBe(passes);
    });

    it('never lets one client’s or service’s consent serve another', { timeout: 120_000 }, async () => {
      const before = f.providerHits();
      const active = STATES.indexOf('active');
      const got: string[] = [];
      for (const [ci] of clients.entries()) {
        for (const [si] of SERVICES.entries()) {
          const cnic = cnicOf(ci, si, active);
          for (const [cj, caller] of clients.entries()) {
            for (const [sj, service] of SERVICES.entries()) {
              if (ci === cj && si === sj) continue;
              const r = await f.exchange(caller, service, 'support', [cnic]);
              got.push(`${r.status} ${String(r.body.type).replace(PROBLEM_BASE, '')}`);
            }
          }
        }
      }
      expect(new Set(got)).toEqual(new Set(['403 consent-missing']));
      expect(got).toHaveLength(clients.length * SERVICES.length * (clients.length * SERVICES.length - 1));
      expect(f.providerHits() - before).toBe(0);
    });

    it('refuses a batch unless every subject is covered', async () => {
      const covered = [cnicOf(0, 1, STATES.indexOf('active'))];
      const uncovered = cnicOf(0, 1, STATES.indexOf('none'));
      const ok = await f.exchange(f.hbl, 'batches', 'support', covered);
      expect(ok.status).toBe(200);
      const mixed = await f.exchange(f.hbl, 'batches', 'support', [...covered, uncovered]);
      expect(mixed.status).toBe(403);
      expect(mixed.body).toMatchObject({ type: `${PROBLEM_BASE}consent-missing`, subjects: 2, refused: 1, firstRefused: 1 });
    });
  });
}
