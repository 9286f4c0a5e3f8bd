import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '../core/index.js';
import { RabtaError } from '../core/index.js';
import type { OperatorRow } from './tables.js';
import { change, iso, requireAuthority } from './deps.js';
import type { RegistryDeps } from './deps.js';
import { getMember } from './members.js';

export interface Operator {
  id: string;
  name: string;
  role: OperatorRow['role'];
  memberId: string | null;
  createdAt: string;
}

const TOKEN_PREFIX = 'rbt_';

/** Tokens are random and long, so a plain SHA-256 is a sound way to store them. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Creates an operator and its first API token. The token is shown once and
 * stored only as a hash.
 */
export async function createOperator(
  deps: RegistryDeps,
  actor: Actor,
  input: { name: string; role: OperatorRow['role']; memberId?: string | null },
): Promise<{ operator: Operator; token: string }> {
  requireAuthority(actor);
  if (input.role === 'member-admin') {
    if (!input.memberId) throw new RabtaError('bad-request', 'a member admin belongs to a member (memberId)');
    await getMember(deps, input.memberId);
  } else if (input.role !== 'authority-admin') {
    throw new RabtaError('bad-request', 'role must be authority-admin or member-admin');
  }
  const row: OperatorRow = {
    id: randomUUID(),
    name: input.name,
    role: input.role,
    member_id: input.role === 'member-admin' ? (input.memberId ?? null) : null,
    created_at: deps.now(),
  };
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  await change(deps, actor, 'operator.create', row.id, { name: row.name, role: row.role, member: row.member_id }, async (db) => {
    await db.insertInto('operators').values(row).execute();
    await db.insertInto('api_tokens').values({ id: randomUUID(), operator_id: row.id, token_hash: hashToken(token), created_at: row.created_at, revoked_at: null }).execute();
  });
  return { operator: toOperator(row), token };
}

export async function listOperators(deps: RegistryDeps, actor: Actor): Promise<Operator[]> {
  requireAuthority(actor);
  return (await deps.db.selectFrom('operators').selectAll().orderBy('created_at').execute()).map(toOperator);
}

export async function countOperators(deps: RegistryDeps): Promise<number> {
  const row = await deps.db.selectFrom('operators').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The actor behind a bearer token, or undefined for an unknown or revoked token. */
export async function authenticateToken(deps: RegistryDeps, token: string): Promise<Actor | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const row = await deps.db
    .selectFrom('api_tokens')
    .innerJoin('operators', 'operators.id', 'api_tokens.operator_id')
    .select(['operators.id as id', 'operators.role as role', 'operators.member_id as member_id'])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, role: row.role, memberId: row.member_id } : undefined;
}

function toOperator(row: OperatorRow): Operator {
  return { id: row.id, name: row.name, role: row.role, memberId: row.member_id, createdAt: iso(row.created_at) as string };
}
