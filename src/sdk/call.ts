// A call and its response, shared by the client and its events and consent halves (kept apart so neither imports the other).
export interface CallOptions {
  /** default GET */
  method?: string;
  /** the path with its query: /x/… for services, /events/… and /subscriptions… for events */
  path: string;
  purpose?: string;
  /** the data subject's CNIC */
  subject?: string;
  body?: Uint8Array | string;
  /** shorthand for a JSON body (sets Content-Type unless given) */
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface RabtaResponse {
  status: number;
  /** lower-case names */
  headers: Record<string, string>;
  body: Uint8Array;
  json<T = unknown>(): T;
  text(): string;
  exchangeId: string | undefined;
  /** `upstream` when the provider's system produced this answer, error or not */
  origin: 'rabta' | 'upstream';
  /** whether Rabta's response signature was checked (it always is when exchangeKeys are known) */
  responseVerified: boolean;
}
