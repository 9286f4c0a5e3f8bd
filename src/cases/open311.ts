import { RabtaError } from '../core/index.js';
import type { CaseActor } from './actors.js';
import { listCategories, requireCategory } from './catalogue.js';
import type { Category } from './catalogue.js';
import type { CasesDeps } from './deps.js';
import { findDistrict } from './districts.js';
import { intakeOf, PORTAL } from './intake.js';
import { loadCase } from './load.js';
import { openCase } from './open.js';
import { isFinished } from './states.js';
import type { CaseRow } from './tables.js';

/**
 * Open311 GeoReport v2 over the case catalogue and cases: a service is a
 * category, a service request is a case, `service_request_id` its reference.
 * Values are plain (strings, numbers, booleans, null) in the specification's
 * field order, so the HTTP layer writes the same object as JSON or XML.
 */
export type GeoValue = string | number | boolean | null | GeoObject | GeoValue[];
export interface GeoObject {
  [key: string]: GeoValue;
}

/** ISO 8601 with Pakistan's offset, as GeoReport asks for a time zone. */
export function geoTime(ms: number | null): string | null {
  if (ms === null) return null;
  return `${new Date(ms + 5 * 3_600_000).toISOString().slice(0, 19)}+05:00`;
}

export function serviceOf(c: Category): GeoObject {
  return { service_code: c.code, service_name: c.nameEn, description: c.description, metadata: true, type: 'realtime', keywords: c.nameUr, group: c.group };
}

/** Every service takes the same two optional attributes: who complains (CNIC) and whether institutions may know. */
export function serviceDefinition(c: Category): GeoObject {
  return {
    service_code: c.code,
    attributes: [
      { variable: true, code: 'CNIC', datatype: 'string', required: false, datatype_description: 'NNNNN-NNNNNNN-N: the complainant’s CNIC, kept only as a keyed hash and shown masked', order: 1, description: 'CNIC of the complainant' },
      {
        variable: true,
        code: 'ANONYMOUS',
        datatype: 'singlevaluelist',
        required: false,
        datatype_description: null,
        order: 2,
        description: 'Hide my identity from the institutions (the authority relays)',
        values: [
          { key: 'no', name: 'No' },
          { key: 'yes', name: 'Yes' },
        ],
      },
    ],
  };
}

export interface GeoPost {
  jurisdiction_id?: string | undefined;
  api_key?: string | undefined;
  service_code?: string | undefined;
  lat?: string | undefined;
  long?: string | undefined;
  address_string?: string | undefined;
  address_id?: string | undefined;
  email?: string | undefined;
  device_id?: string | undefined;
  account_id?: string | undefined;
  first_name?: string | undefined;
  last_name?: string | undefined;
  phone?: string | undefined;
  description?: string | undefined;
  media_url?: string | undefined;
  attributes: Record<string, string>;
}

function coordinate(text: string | undefined, name: string, limit: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || Math.abs(value) > limit) throw new RabtaError('bad-request', `${name} must be a WGS-84 coordinate`);
  return value;
}

export function checkJurisdiction(deps: CasesDeps, jurisdiction: string | undefined): void {
  if (jurisdiction !== undefined && jurisdiction !== '' && jurisdiction.toUpperCase() !== deps.directory.instance) {
    throw new RabtaError('not-found', `jurisdiction_id ${jurisdiction} is not served here; this is ${deps.directory.instance}`);
  }
}

/** POST requests: the api_key names the intake; the case opens at once (realtime). */
export async function postRequest(deps: CasesDeps, post: GeoPost): Promise<GeoObject> {
  checkJurisdiction(deps, post.jurisdiction_id);
  const intake = post.api_key ? await intakeOf(deps, post.api_key) : undefined;
  if (!intake) throw new RabtaError('invalid-api-key', 'api_key is missing or not a valid intake key -- cannot create the request');
  // Without a service_code the grievance router picks the category (or the authority's triage does).
  const lat = coordinate(post.lat, 'lat', 90);
  const lng = coordinate(post.long, 'long', 180);
  if ((lat === undefined) !== (lng === undefined)) throw new RabtaError('bad-request', 'lat and long come together');
  if (lat === undefined && !post.address_string && !post.address_id) throw new RabtaError('bad-request', 'a location is required: lat and long, address_string or address_id (a census district code)');
  const district = post.address_id ? findDistrict(post.address_id) : undefined;
  if (post.address_id && !district) throw new RabtaError('unknown-district', `address_id ${post.address_id} is not a census district code (e.g. PB-LAHORE, SD-KARACHI_CENTRAL)`);
  const anonymous = post.attributes.ANONYMOUS?.toLowerCase() === 'yes';
  const mobile = post.phone ? deps.citizens.normalizeMobile(post.phone) : undefined;
  const actor: CaseActor = intake === PORTAL ? { kind: 'system', by: 'open311:portal' } : { kind: 'institution', member: intake, by: 'open311' };
  const row = await openCase(deps, actor, {
    category: post.service_code || null,
    text: post.description ?? '',
    // Open311's phone is a contact field in any shape; only a number that reaches a phone is kept.
    citizen: post.attributes.CNIC || mobile ? { cnic: post.attributes.CNIC || undefined, mobile } : undefined,
    anonymous,
    district: district?.code,
    address: post.address_string,
    lat,
    lng,
    channel: intake === PORTAL ? 'portal' : 'open311',
    intake,
  });
  const category = row.category ? await requireCategory(deps.db, row.category) : undefined;
  const deadlines = category ? `; first response within ${category.first_response_days} working day(s), resolution within ${category.resolution_days}` : '';
  return {
    service_request_id: row.reference,
    service_notice: `Case ${row.reference}${row.lead_member && category ? ` is with ${row.lead_member}` : ' awaits triage'}${deadlines}.`,
    account_id: null,
    token: row.token,
  };
}

export interface GeoQuery {
  jurisdiction_id?: string | undefined;
  api_key?: string | undefined;
  service_request_id?: string | undefined;
  service_code?: string | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
  status?: string | undefined;
}

const DAY = 86_400_000;
const MAX_RESULTS = 1000;

function date(text: string | undefined, name: string): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RabtaError('bad-request', `${name} must be a W3C date-time, e.g. 2026-03-02T10:00:00+05:00`);
  return ms;
}

/**
 * GET requests: by id (comma-separated references; other filters then do not
 * apply), else by service codes, status and a date range of at most 90 days
 * (default: the last 90), newest first, at most 1000. The citizen's text and
 * location are personal: they are in the answer only for an api_key of an
 * institution on the case (or the intake that took it in).
 */
export async function searchRequests(deps: CasesDeps, query: GeoQuery): Promise<GeoObject[]> {
  checkJurisdiction(deps, query.jurisdiction_id);
  const viewer = query.api_key ? await intakeOf(deps, query.api_key) : undefined;
  if (query.api_key && !viewer) throw new RabtaError('invalid-api-key', 'api_key is not a valid intake key');
  let rows: CaseRow[];
  if (query.service_request_id) {
    const ids = query.service_request_id.split(',').map((s) => s.trim()).filter(Boolean).slice(0, MAX_RESULTS);
    rows = [];
    for (const id of ids) {
      const row = await loadCase(deps.db, id).catch((error: unknown) => {
        if (error instanceof RabtaError && error.code === 'unknown-case') return undefined;
        throw error;
      });
      if (row) rows.push(row);
    }
  } else {
    const end = date(query.end_date, 'end_date') ?? deps.now();
    const start = date(query.start_date, 'start_date') ?? end - 90 * DAY;
    if (end < start) throw new RabtaError('bad-request', 'end_date is before start_date');
    if (end - start > 90 * DAY) throw new RabtaError('bad-request', 'the date range is at most 90 days');
    const statuses = query.status ? query.status.split(',').map((s) => s.trim()) : [];
    if (statuses.some((s) => s !== 'open' && s !== 'closed')) throw new RabtaError('bad-request', 'status is open, closed or both (open,closed)');
    let q = deps.db.selectFrom('cases').selectAll().where('opened_at', '>=', start).where('opened_at', '<=', end);
    const codes = query.service_code ? query.service_code.split(',').map((s) => s.trim()).filter(Boolean) : [];
    if (codes.length > 0) q = q.where('category', 'in', codes);
    const finished = ['closed', 'closed-unconfirmed', 'duplicate', 'rejected'];
    if (statuses.length === 1) q = statuses[0] === 'open' ? q.where('state', 'not in', finished) : q.where('state', 'in', finished);
    rows = await q.orderBy('opened_at', 'desc').orderBy('reference', 'desc').limit(MAX_RESULTS).execute();
  }
  const names = new Map((await listCategories(deps.db)).map((c) => [c.code, c]));
  const out: GeoObject[] = [];
  for (const row of rows) out.push(await requestOf(deps, row, names.get(row.category ?? ''), viewer));
  return out;
}

export async function requestById(deps: CasesDeps, id: string, query: GeoQuery): Promise<GeoObject[]> {
  return searchRequests(deps, { ...query, service_request_id: id, jurisdiction_id: query.jurisdiction_id });
}

/** tokens/{token}: the request a token became (realtime: at once). */
export async function requestOfToken(deps: CasesDeps, token: string, jurisdiction?: string): Promise<GeoObject[]> {
  checkJurisdiction(deps, jurisdiction);
  const row = await deps.db.selectFrom('cases').select(['reference', 'token']).where('token', '=', token).executeTakeFirst();
  if (!row) throw new RabtaError('not-found', `no request has token ${token}`);
  return [{ service_request_id: row.reference, token: row.token }];
}

async function requestOf(deps: CasesDeps, row: CaseRow, category: Category | undefined, viewer: string | undefined): Promise<GeoObject> {
  const partners = (await deps.db.selectFrom('case_partners').select('member_id').where('case_id', '=', row.id).execute()).map((p) => p.member_id);
  const privy = viewer !== undefined && (viewer === row.intake || viewer === row.lead_member || partners.includes(viewer));
  const finished = isFinished(row.state);
  return {
    service_request_id: row.reference,
    status: finished ? 'closed' : 'open',
    status_notes: row.state === 'rejected' || row.state === 'duplicate' || row.state === 'transferred' ? row.state_reason : row.state,
    service_name: category?.nameEn ?? null,
    service_code: row.category,
    description: privy ? row.text : null,
    agency_responsible: row.lead_member,
    service_notice: null,
    requested_datetime: geoTime(row.opened_at),
    updated_datetime: geoTime(row.updated_at),
    expected_datetime: geoTime(row.resolution_due),
    address: privy ? row.address : null,
    address_id: row.district,
    zipcode: null,
    lat: privy ? row.lat : null,
    long: privy ? row.lng : null,
    media_url: null,
    extended_attributes: {
      rabta_state: row.state,
      rabta_partners: partners.sort().join(','),
      rabta_escalation_level: row.escalation_level,
      rabta_closed_confirmed: row.state === 'closed' ? true : row.state === 'closed-unconfirmed' ? false : null,
    },
  };
}
