import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { memberIdOf, subsystemIdOf, RabtaError } from '../core/index.js';
import type { Kysely } from 'kysely';
import { requestHasBody } from '../sdk/index.js';
import type { Database } from '../store/index.js';
import { authenticateSigned } from './authenticate.js';
import type { AuthenticateDeps } from './authenticate.js';
import { findExchange } from './record.js';

export interface ReceiptDeps {
  db: Kysely<Database>;
  /** signed callers; its registry also knows operator tokens */
  auth: AuthenticateDeps;
  /** the exchange's receipt from the ledger (record, salt, tlog-proof, keys), once its leaf is in the log */
  receipt: (exchangeId: string) => Promise<object | undefined>;
}

/**
 * An exchange's receipt — its record, the salt and a C2SP tlog-proof — goes to
 * the two institutions of the exchange (a signed call by either subsystem, or
 * their member admin) and to the authority as auditor. Checkable offline with
 * `rabta ledger receipt verify`.
 */
export async function receiptRoutes(base: FastifyInstance, deps: ReceiptDeps) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const who = new WeakMap<FastifyRequest, Party>();
  // Who asks is settled from the headers alone, before any body is read (a GET has none to read).
  app.addHook('onRequest', async (request, reply) => {
    try {
      who.set(request, await identify(deps.auth, request));
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
      const exchange = await findExchange(deps.db, request.params.id);
      const parties = exchange ? [exchange.client_id, subsystemIdOf(exchange.service_id)] : [];
      requireParty(who.get(request), parties);
      if (!exchange) throw new RabtaError('not-found', `no exchange ${request.params.id}`);
      const receipt = await deps.receipt(exchange.id);
      if (!receipt) throw new RabtaError('unavailable', 'the exchange is not in the log yet; try again in a moment');
      return receipt;
    },
  );
}

type Party = { authority: true } | { memberId: string } | { clientId: string };

async function identify(auth: AuthenticateDeps, request: { method: string; url: string; headers: Record<string, string | string[] | undefined> }): Promise<Party> {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
    const actor = await auth.registry.authenticateToken(authorization.slice(7).trim());
    if (!actor) throw new RabtaError('unauthorized', 'the token is unknown or revoked');
    if (actor.role === 'authority-admin') return { authority: true };
    if (actor.memberId) return { memberId: actor.memberId };
    throw forbidden();
  }
  const caller = await authenticateSigned(auth, request);
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
