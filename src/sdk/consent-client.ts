/**
 * The shapes of the signed consent API (POST /consents, GET /consents,
 * GET /consents/{id}) as the SDK presents them. The methods are on RabtaClient.
 */

import type { ConsentForConsumer, ConsentStatus } from '../core/index.js';

export type ConsentRequestStatus = ConsentStatus;

export interface ConsentRequestInput {
  /** the citizen, NNNNN-NNNNNNN-N */
  cnic: string;
  /** service ids, all of one provider member */
  services: string[];
  /** a consent purpose of the catalogue */
  purpose: string;
  validFrom?: Date | string;
  validUntil: Date | string;
  /** how long the consumer may keep what it receives */
  dataLifeDays: number;
  frequency: { count: number; per: 'day' | 'month' };
  signal?: AbortSignal;
}

/** A consent request as its consumer sees it: the same whether or not the CNIC is registered. */
export type ConsentRequest = ConsentForConsumer;

export interface ListConsentsOptions {
  status?: ConsentRequestStatus;
  /** 1 to 500; the server's default is 100 */
  limit?: number;
  signal?: AbortSignal;
}

const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : value);

export function consentRequestBody(input: ConsentRequestInput): Record<string, unknown> {
  return {
    cnic: input.cnic,
    services: input.services,
    purpose: input.purpose,
    ...(input.validFrom === undefined ? {} : { validFrom: iso(input.validFrom) }),
    validUntil: iso(input.validUntil),
    dataLifeDays: input.dataLifeDays,
    frequency: input.frequency,
  };
}

export function consentsQuery(options: ListConsentsOptions): string {
  const query = new URLSearchParams();
  if (options.status !== undefined) query.set('status', options.status);
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  const text = query.toString();
  return text ? `?${text}` : '';
}
