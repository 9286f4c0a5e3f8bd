import type { Keyring, SigningKey } from '../keyring/index.js';

export interface WellKnownKey {
  use: string;
  name?: string;
  url?: string;
  member?: string;
  jwk?: Record<string, unknown>;
  vkey?: string;
  notBefore: string | null;
  notAfter: string | null;
}

/** What `/.well-known/rabta.json` is made of: the instance, its keys, and the public keys other modules publish. */
export interface WellKnownSource {
  instance: string;
  publicUrl: string;
  keyring: Pick<Keyring, 'exchange' | 'consent'>;
  /** log and witness vkeys */
  publicKeys: () => Promise<WellKnownKey[]>;
}

/** `/.well-known/rabta.json`: everything a member or an auditor needs to check Rabta's signatures. */
export async function wellKnown(source: WellKnownSource) {
  const base = source.publicUrl;
  const asKey = (use: string) => (key: SigningKey): WellKnownKey => ({
    use,
    jwk: key.publicJwk as Record<string, unknown>,
    notBefore: new Date(key.notBefore).toISOString(),
    notAfter: key.notAfter === null ? null : new Date(key.notAfter).toISOString(),
  });
  const keys: WellKnownKey[] = [...source.keyring.exchange.map(asKey('exchange')), ...source.keyring.consent.map(asKey('consent'))];
  for (const extra of await source.publicKeys()) keys.push(extra);
  return {
    instance: source.instance,
    publicBaseUrl: base,
    apis: {
      exchange: `${base}/x`,
      admin: `${base}/admin`,
      ledger: `${base}/ledger`,
      openapi: `${base}/openapi.json`,
      docs: `${base}/docs`,
    },
    keys,
  };
}
