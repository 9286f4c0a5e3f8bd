import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { RabtaError } from '../core/index.js';
import type { RegistryDeps } from './deps.js';
import { iso } from './deps.js';
import { toPurpose } from './purposes.js';
import type { Purpose } from './purposes.js';
import { toService } from './services.js';
import type { Service } from './services.js';
import type { SubsystemKeyRow } from './tables.js';

/**
 * What the exchange asks the registry on every call, answered from memory as
 * long as the registry has not changed. One read of the registry version per
 * call keeps every node exact: a revocation anywhere bumps the version, and
 * the next call on any node reloads. It hands typed values, never rows.
 */
export interface RegistryView {
  subsystemExists(id: string): Promise<boolean>;
  /** the public key if `keyId` may sign for `clientId` now, else the precise problem */
  clientKey(clientId: string, keyId: string): Promise<KeyObject>;
  service(id: string): Promise<Service | undefined>;
  allowedPurposes(serviceId: string, clientId: string): Promise<string[] | undefined>;
  purpose(code: string): Promise<Purpose | undefined>;
}

export function createViewSource(deps: RegistryDeps): () => Promise<RegistryView> {
  let version = -1;
  let memo = new Map<string, Promise<unknown>>();
  const publicKeys = new Map<string, KeyObject>();

  return async function view(): Promise<RegistryView> {
    const row = await deps.db.selectFrom('registry_version').select('version').where('id', '=', 1).executeTakeFirstOrThrow();
    if (row.version !== version) {
      version = row.version;
      memo = new Map();
    }
    const cache = memo;
    const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
      let hit = cache.get(key) as Promise<T> | undefined;
      if (!hit) {
        hit = load();
        cache.set(key, hit);
        hit.catch(() => cache.delete(key));
      }
      return hit;
    };
    const db = deps.db;
    return {
      subsystemExists: (id) =>
        cached(`subsystem:${id}`, async () => (await db.selectFrom('subsystems').select('id').where('id', '=', id).executeTakeFirst()) !== undefined),
      async clientKey(clientId, keyId) {
        const key = await cached<SubsystemKeyRow | undefined>(`key:${keyId}`, () => db.selectFrom('subsystem_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst());
        if (!key) throw new RabtaError('unknown-key', `no key ${keyId} is registered`);
        if (key.subsystem_id !== clientId) throw new RabtaError('key-not-of-client', `key ${keyId} is not a key of ${clientId}`);
        if (key.status === 'revoked') throw new RabtaError('key-revoked', `key ${keyId} was revoked`);
        if (key.status !== 'approved') throw new RabtaError('key-not-approved', `key ${keyId} awaits the authority's approval`);
        const now = deps.now();
        if (now < key.not_before || (key.not_after !== null && now >= key.not_after)) {
          throw new RabtaError('key-expired', `key ${keyId} is valid from ${iso(key.not_before)} until ${iso(key.not_after) ?? 'revoked'}`);
        }
        let publicKey = publicKeys.get(keyId);
        if (!publicKey) {
          publicKey = createPublicKey({ key: JSON.parse(key.public_jwk) as JsonWebKey, format: 'jwk' });
          publicKeys.set(keyId, publicKey);
        }
        return publicKey;
      },
      service: (id) =>
        cached(`service:${id}`, async () => {
          const row = await db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
          return row ? toService(row) : undefined;
        }),
      allowedPurposes: (serviceId, clientId) =>
        cached(`access:${serviceId} ${clientId}`, async () => {
          const row = await db.selectFrom('access_rights').select('purposes').where('service_id', '=', serviceId).where('client_id', '=', clientId).executeTakeFirst();
          return row ? (JSON.parse(row.purposes) as string[]) : undefined;
        }),
      purpose: (code) =>
        cached(`purpose:${code}`, async () => {
          const row = await db.selectFrom('purposes').selectAll().where('code', '=', code).executeTakeFirst();
          return row ? toPurpose(row) : undefined;
        }),
    };
  };
}
