import { calculateJwkThumbprint } from 'jose';
import type { Actor } from '../core/index.js';
import { RabtaError } from '../core/index.js';
import type { SubsystemKeyRow } from './tables.js';
import { change, conflictOnDuplicate, iso, notFound, requireAuthority, requireMemberScope } from './deps.js';
import type { RegistryDeps } from './deps.js';
import { getSubsystem } from './subsystems.js';

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

export interface SubsystemKey {
  keyId: string;
  subsystemId: string;
  publicJwk: PublicJwk;
  status: SubsystemKeyRow['status'];
  notBefore: string;
  notAfter: string | null;
  replaces: string | null;
  registeredAt: string;
  approvedAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
}

export interface RegisterKeyInput {
  jwk: Record<string, unknown>;
  notBefore?: string;
  notAfter?: string | null;
  /** key id this one rotates out; it stays valid for the overlap after approval */
  replaces?: string | null;
}

/** Only the public half of an Ed25519 key is accepted; a JWK carrying `d` is refused. */
export function checkPublicJwk(jwk: Record<string, unknown>): PublicJwk {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new RabtaError('bad-request', 'the key must be an Ed25519 JWK (kty OKP, crv Ed25519)');
  if ('d' in jwk) throw new RabtaError('bad-request', 'the JWK holds a private key (d); register only the public half');
  if (typeof jwk.x !== 'string' || Buffer.from(jwk.x, 'base64url').length !== 32 || !/^[A-Za-z0-9_-]{43}$/.test(jwk.x)) {
    throw new RabtaError('bad-request', 'the JWK x must be 32 bytes in base64url');
  }
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

export async function registerKey(deps: RegistryDeps, actor: Actor, subsystemId: string, input: RegisterKeyInput): Promise<SubsystemKey> {
  const subsystem = await getSubsystem(deps, subsystemId);
  requireMemberScope(actor, subsystem.memberId);
  const jwk = checkPublicJwk(input.jwk);
  const keyId = await calculateJwkThumbprint(jwk, 'sha256');
  const now = deps.now();
  const notBefore = input.notBefore ? parseTime(input.notBefore, 'notBefore') : now;
  const notAfter = input.notAfter ? parseTime(input.notAfter, 'notAfter') : null;
  if (notAfter !== null && notAfter <= notBefore) throw new RabtaError('bad-request', 'notAfter must be after notBefore');
  if (input.replaces) {
    const old = await findKey(deps, input.replaces);
    if (old.subsystem_id !== subsystemId) throw new RabtaError('bad-request', `key ${input.replaces} is not a key of ${subsystemId}`);
  }
  const row: SubsystemKeyRow = {
    key_id: keyId,
    subsystem_id: subsystemId,
    public_jwk: JSON.stringify(jwk),
    status: 'registered',
    not_before: notBefore,
    not_after: notAfter,
    replaces: input.replaces ?? null,
    registered_at: now,
    approved_at: null,
    revoked_at: null,
    revoke_reason: null,
  };
  await conflictOnDuplicate('key', keyId, () =>
    change(deps, actor, 'key.register', keyId, { subsystem: subsystemId, jwk, replaces: row.replaces }, (db) =>
      db.insertInto('subsystem_keys').values(row).execute(),
    ),
  );
  return toKey(row);
}

/**
 * The authority approves a registered key. If it replaces another, the old key
 * stays valid for `overlapMs` more, so clients can switch without downtime.
 */
export async function approveKey(deps: RegistryDeps, actor: Actor, keyId: string, overlapMs = 7 * 24 * 3600 * 1000): Promise<SubsystemKey> {
  requireAuthority(actor);
  const key = await findKey(deps, keyId);
  if (key.status !== 'registered') throw new RabtaError('conflict', `key ${keyId} is ${key.status}, not awaiting approval`);
  const now = deps.now();
  await change(deps, actor, 'key.approve', keyId, { subsystem: key.subsystem_id, replaces: key.replaces }, async (db) => {
    await db.updateTable('subsystem_keys').set({ status: 'approved', approved_at: now }).where('key_id', '=', keyId).execute();
    if (key.replaces) {
      const until = now + overlapMs;
      await db
        .updateTable('subsystem_keys')
        .set({ not_after: until })
        .where('key_id', '=', key.replaces)
        .where((eb) => eb.or([eb('not_after', 'is', null), eb('not_after', '>', until)]))
        .execute();
    }
  });
  return toKey(await findKey(deps, keyId));
}

export async function revokeKey(deps: RegistryDeps, actor: Actor, keyId: string, reason: string): Promise<SubsystemKey> {
  const key = await findKey(deps, keyId);
  const subsystem = await getSubsystem(deps, key.subsystem_id);
  requireMemberScope(actor, subsystem.memberId);
  if (key.status === 'revoked') throw new RabtaError('conflict', `key ${keyId} is already revoked`);
  await change(deps, actor, 'key.revoke', keyId, { subsystem: key.subsystem_id, reason }, (db) =>
    db.updateTable('subsystem_keys').set({ status: 'revoked', revoked_at: deps.now(), revoke_reason: reason }).where('key_id', '=', keyId).execute(),
  );
  return toKey(await findKey(deps, keyId));
}

export async function listKeys(deps: RegistryDeps, subsystemId: string): Promise<SubsystemKey[]> {
  await getSubsystem(deps, subsystemId);
  const rows = await deps.db.selectFrom('subsystem_keys').selectAll().where('subsystem_id', '=', subsystemId).orderBy('registered_at').execute();
  return rows.map(toKey);
}

export async function getKey(deps: RegistryDeps, keyId: string): Promise<SubsystemKey> {
  return toKey(await findKey(deps, keyId));
}

async function findKey(deps: RegistryDeps, keyId: string): Promise<SubsystemKeyRow> {
  const row = await deps.db.selectFrom('subsystem_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
  if (!row) throw notFound('key', keyId);
  return row;
}

function parseTime(value: string, name: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RabtaError('bad-request', `${name} must be an ISO 8601 time`);
  return ms;
}

function toKey(row: SubsystemKeyRow): SubsystemKey {
  return {
    keyId: row.key_id,
    subsystemId: row.subsystem_id,
    publicJwk: JSON.parse(row.public_jwk) as PublicJwk,
    status: row.status,
    notBefore: iso(row.not_before) as string,
    notAfter: iso(row.not_after),
    replaces: row.replaces,
    registeredAt: iso(row.registered_at) as string,
    approvedAt: iso(row.approved_at),
    revokedAt: iso(row.revoked_at),
    revokeReason: row.revoke_reason,
  };
}
