import type { Platform } from '../platform/index.js';
import type { SigningKey } from '../keyring/index.js';

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

/** `/.well-known/rabta.json`: everything a member or an auditor needs to check Rabta's signatures. */
export async function wellKnown(platform: Platform) {
  const base = platform.config.publicUrl;
  const asKey = (use: string) => (key: SigningKey): WellKnownKey => ({
    use,
    jwk: key.publicJwk as Record<string, unknown>,
    notBefore: new Date(key.notBefore).toISOString(),
    notAfter: key.notAfter === null ? null : new Date(key.notAfter).toISOString(),
  });
  const keys: WellKnownKey[] = [...platform.keyring.exchange.map(asKey('exchange')), ...platform.keyring.consent.map(asKey('consent'))];
  for (const extra of (await platform.publicKeys?.()) ?? []) keys.push(extra);
  return {
    instance: platform.config.instance,
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
