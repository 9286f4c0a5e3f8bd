import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import type { SigningKey } from '../keyring/index.js';

/**
 * A consent artefact's terms (modelled on India's account-aggregator artefact
 * and GovStack's Consent building block). Signed once as a compact JWS with
 * the instance consent key and never changed: a change of terms is a new
 * artefact. The citizen is named by the keyed hash of the CNIC.
 */
export interface ConsentTerms {
  id: string;
  /** subject hash (HMAC-SHA-256 of the 13 digits with the instance's subject secret) */
  citizen: string;
  /** the consumer subsystem, e.g. PK/BANK/HBL/branch-app */
  consumer: string;
  /** the provider member, e.g. PK/GOV/BISP */
  provider: string;
  services: string[];
  purpose: string;
  dataLife: { days: number };
  frequency: { count: number; per: 'day' | 'month' };
  validFrom: string;
  validUntil: string;
}

export const CONSENT_JWS_TYPE = 'rabta-consent+jwt';

export async function signArtefact(terms: ConsentTerms, issuer: string, issuedAt: number, key: SigningKey): Promise<string> {
  const payload = { iss: issuer, iat: Math.floor(issuedAt / 1000), ...terms };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: CONSENT_JWS_TYPE })
    .sign(key.privateKey);
}

/**
 * Checks an artefact against the consent keys (those in /.well-known/rabta.json
 * with use `consent`) and returns its terms.
 */
export async function verifyArtefact(jws: string, keys: ReadonlyMap<string, KeyObject>): Promise<ConsentTerms & { iss: string; iat: number }> {
  const { payload, protectedHeader } = await compactVerify(
    jws,
    (header) => {
      const key = header.kid === undefined ? undefined : keys.get(header.kid);
      if (!key) throw new Error(`no consent key ${String(header.kid)}`);
      return key;
    },
    { algorithms: ['EdDSA'] },
  );
  if (protectedHeader.typ !== CONSENT_JWS_TYPE) throw new Error(`not a consent artefact (typ ${String(protectedHeader.typ)})`);
  return JSON.parse(new TextDecoder().decode(payload)) as ConsentTerms & { iss: string; iat: number };
}
