/**
 * What a consumer sees of its consent request — the terms, the signed
 * artefact and the status, nothing about the citizen: the wire contract the
 * consent module answers with and the SDK reads.
 */
export const CONSENT_STATUSES = ['REQUESTED', 'ACTIVE', 'REVOKED', 'EXPIRED', 'REJECTED'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

export interface ConsentForConsumer {
  id: string;
  status: ConsentStatus;
  statusAt: string;
  consumer: string;
  provider: string;
  services: string[];
  purpose: string;
  dataLifeDays: number;
  frequency: { count: number; per: 'day' | 'month' };
  validFrom: string;
  validUntil: string;
  requestedAt: string;
  /** the compact JWS (EdDSA), signed with the instance's consent key (see /.well-known/rabta.json) */
  artefact: string;
}
