import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { memberIdOf, subsystemIdOf, RabtaError } from '../core/index.js';
import { LEAF_KIND } from '../ledger/canonical.js';
import type { Platform } from '../platform/index.js';
import { requestHasBody } from '../sdk/index.js';
import { authenticateSigned } from './authenticate.js';
import { findExchange } from './record.js';

/**
 * An exchange's receipt — its record, the salt and a C2SP tlog-proof — goes to
 * the two institutions of the exchange (a signed call by either subsystem, or
 * their member admin) and to the authority as auditor. Checkable offline with
 * `rabta ledger receipt verify`.
 */
export async function receiptRoutes(base: FastifyInstance, platform: Platform) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const who = new WeakMap<FastifyRequest, Party>();
  // Who asks is settled from the headers alone, before any body is read (a GET has none to read).
  app.addHook('onRequest', async (request, reply) => {
    try {
      who.set(request, await identify(platform, request));
    } catch (error) {
      if (requestHasBody(request.headers)) reply.header('connection', 'close');
      throw error;
    }
  });
  app.get(
    '/ledger/receipts/exchanges/:id',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Receipt of an exchange: the record, its salt and a C2SP tlog-proof (client, provider or authority)',
        description: 'Authenticate with an RFC 9421-signed request (Rabta-Client: the client or provider subsystem) or an operator token.',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request) => {
      const exchange = await findExchange(platform.store.tables(), request.params.id);
      const parties = exchange ? [exchange.client_id, subsystemIdOf(exchange.service_id)] : [];
      requireParty(who.get(request), parties);
      if (!exchange) throw new RabtaError('not-found', `no exchange ${request.params.id}`);
      const receipt = await platform.ledger.receipt(LEAF_KIND.exchange, exchange.id);
      if (!receipt) throw new RabtaError('unavailable', 'the exchange is not in the log yet; try again in a moment');
      const keys = (await platform.publicKeys?.()) ?? [];
      return {
        ...receipt,
        logVkey: platform.ledger.vkey,
        witnessVkeys: keys.filter((k) => k.use === 'witness').map((k) => k.vkey as string),
      };
    },
  );
}

type Party = { authority: true } | { memberId: string } | { clientId: string };

async function identify(platform: Platform, request: { method: string; url: string; headers: Record<string, string | string[] | undefined> }): Promise<Party> {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
    const actor = await platform.registry.authenticateToken(authorization.slice(7).trim());
    if (!actor) throw new RabtaError('unauthorized', 'the token is unknown or revoked');
    if (actor.role === 'authority-admin') return { authority: true };
    if (actor.memberId) return { memberId: actor.memberId };
    throw forbidden();
  }
  const caller = await authenticateSigned({ batch: platform.store.batch(), registry: platform.registry, publicUrl: platform.config.publicUrl, now: platform.now }, request);
  return { clientId: caller.clientId };
}

function requireParty(party: Party | undefined, parties: string[]): void {
  if (party === undefined) throw new RabtaError('unauthorized');
  if ('authority' in party) return;
  if ('memberId' in party && parties.some((p) => memberIdOf(p) === party.memberId)) return;
  if ('clientId' in party && parties.includes(party.clientId)) return;
  throw forbidden();
}

function forbidden(): RabtaError {
  return new RabtaError('forbidden', 'only the two institutions of an exchange and the authority get its receipt');
}
