import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { memberIdOf, subsystemIdOf } from '../core/ids.js';
import { RabtaError } from '../core/problems.js';
import { LEAF_KIND } from '../ledger/canonical.js';
import type { Platform } from '../platform/index.js';
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
      const exchange = await findExchange(platform.store.db, request.params.id);
      const parties = exchange ? [exchange.client_id, subsystemIdOf(exchange.service_id)] : [];
      await requireParty(platform, request, parties);
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

async function requireParty(platform: Platform, request: { method: string; url: string; headers: Record<string, string | string[] | undefined> }, parties: string[]) {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
    const actor = await platform.registry.authenticateToken(authorization.slice(7).trim());
    if (!actor) throw new RabtaError('unauthorized', 'the token is unknown or revoked');
    if (actor.role === 'authority-admin') return;
    if (actor.memberId && parties.some((p) => memberIdOf(p) === actor.memberId)) return;
    throw new RabtaError('forbidden', 'only the two institutions of an exchange and the authority get its receipt');
  }
  const caller = await authenticateSigned({ batch: platform.store.batch, registry: platform.registry, publicUrl: platform.config.publicUrl, now: platform.now }, request);
  if (!parties.includes(caller.clientId)) throw new RabtaError('forbidden', 'only the two institutions of an exchange and the authority get its receipt');
}
