import { tablesOf, underMember } from '../store/index.js';
import type { Connection } from '../store/index.js';
import type { ExchangeTables } from './tables.js';

/** One exchange's operational metadata, as X-Road's monitoring keeps it: no body, no subject, no digest. */
export interface ExchangeMetadata {
  id: string;
  at: string;
  client: string;
  service: string;
  method: string;
  purpose: string | null;
  status: number;
  outcome: string;
  requestBytes: number;
  responseBytes: number;
  durationMs: number;
}

export interface MonitoringQuery {
  from: number;
  to: number;
  /** only exchanges this member made or served */
  member?: string;
  outcome?: string;
  /** exchanges before this one (paging, newest first) */
  before?: { at: number; id: string };
  limit: number;
}

/** Exchanges of a period, newest first. */
export async function searchExchanges(connection: Connection, q: MonitoringQuery): Promise<ExchangeMetadata[]> {
  let query = tablesOf<ExchangeTables>(connection)
    .selectFrom('exchanges')
    .select(['id', 'at', 'client_id', 'service_id', 'method', 'purpose', 'status', 'outcome', 'request_bytes', 'response_bytes', 'duration_ms'])
    .where('at', '>=', q.from)
    .where('at', '<', q.to);
  const member = q.member;
  if (member !== undefined) query = query.where((eb) => eb.or([underMember('client_id', member), underMember('service_id', member)]));
  if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
  const before = q.before;
  if (before) query = query.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(Math.min(Math.max(q.limit, 1), 1000)).execute();
  return rows.map((r) => ({
    id: r.id,
    at: new Date(Number(r.at)).toISOString(),
    client: r.client_id,
    service: r.service_id,
    method: r.method,
    purpose: r.purpose,
    status: r.status,
    outcome: r.outcome,
    requestBytes: Number(r.request_bytes),
    responseBytes: Number(r.response_bytes),
    durationMs: Number(r.duration_ms),
  }));
}
