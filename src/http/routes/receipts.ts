import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { memberIdOf, subsystemIdOf, RabtaError } from '../../core/index.js';
import { findExchange } from '../../exchange/index.js';
import type { SignedRequestHead } from '../../exchange/index.js';
import type { Registry } from '../../registry/index.js';
import type { Connection } from '../../store/index.js';
import { bearerToken } from '../auth.js';
import { signedScope } from '../signed.js';
import type { Authenticate } from '../signed.js';

export interface ReceiptDeps {
  db: Connection;
  registry: Registry;
  authenticate: Authenticate;
  /** the exchange's receipt from the ledger (record, salt, tlog-proof, keys), once its leaf is in the log */
  receipt: (exchangeId: string) => Promise<object | undefined>;
}

type Party = { authority: true } | { memberId: string } | { clientId: string };

/**
 * An exchange's receipt — its record, the salt and a C2SP tlog-proof — goes to
 * the two institutions of the exchange (a signed call by either subsystem, or
 * their member admin) and to the authority as auditor. Checkable offline with
 * `rabta ledger receipt verify`. Who asks is settled by the signed-request step,
 * from the headers alone: an operator token, or else the signature.
 */
export async function receiptRoutes(base: FastifyInstance, deps: ReceiptDeps) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { callerOf } = signedScope(app, (head) => identify(deps, head));
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
      requireParty(callerOf(request), parties);
      if (!exchange) throw new RabtaError('not-found', `no exchange ${request.params.id}`);
      const receipt = await deps.receipt(exchange.id);
      if (!receipt) throw new RabtaError('unavailable', 'the exchange is not in the log yet; try again in a moment');
      return receipt;
    },
  );
}

async function identify(deps: ReceiptDeps, head: SignedRequestHead): Promise<Party> {
  if (head.headers.authorization?.startsWith('Bearer ')) {
    const actor = await deps.registry.authenticateToken(bearerToken(head.headers) ?? '');
    if (!actor) throw new RabtaError('unauthorized', 'the token is unknown or revoked');
    if (actor.role === 'authority-admin') return { authority: true };
    if (actor.memberId) return { memberId: actor.memberId };
    throw forbidden();
  }
  return { clientId: (await deps.authenticate(head)).clientId };
}

function requireParty(party: Party, parties: string[]): void {
  if ('authority' in party) return;
  if ('memberId' in party && parties.some((p) => memberIdOf(p) === party.memberId)) return;
  if ('clientId' in party && parties.includes(party.clientId)) return;
  throw forbidden();
}

function forbidden(): RabtaError {
  return new RabtaError('forbidden', 'only the two institutions of an exchange and the authority get its receipt');
}
