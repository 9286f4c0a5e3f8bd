import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../core/index.js';
import { RabtaError } from '../core/index.js';
import type { Registry } from '../registry/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

/** The token of `Authorization: Bearer <token>` (operator, citizen session, metrics); undefined for any other scheme or none. */
export function bearerToken(headers: FastifyRequest['headers']): string | undefined {
  const header = headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  return token === '' ? undefined : token;
}

/** Admin routes need `Authorization: Bearer rbt_…`; the token names the operator and its scope. */
export function operatorAuth(registry: Registry) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearerToken(request.headers);
    if (!token) throw new RabtaError('unauthorized', 'send Authorization: Bearer <token> (create one with `rabta init`)');
    const actor = await registry.authenticateToken(token);
    if (!actor) throw new RabtaError('unauthorized', 'the token is unknown or revoked');
    request.actor = actor;
  };
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new RabtaError('unauthorized');
  return request.actor;
}
