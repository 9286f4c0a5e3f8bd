import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { testDialects } from '../store/testing.js';
import { AUTHORITY, CITIZEN, DAY_MS, HBL, startCaseInstance } from './testing.js';
import type { CaseTestInstance } from './testing.js';
import type { CasesTables } from './tables.js';

const postgresUrl = inject('postgresUrl');

type Xml = { name: string; text: string; children: Xml[] };

/** Just enough XML for GeoReport answers: elements, text, self-closing tags, the five entities. */
function parseXml(source: string): Xml {
  const text = source.replace(/^<\?xml[^>]*\?>\s*/, '');
  const root: Xml = { name: '#root', text: '', children: [] };
  const stack: Xml[] = [root];
  const entity = (s: string) => s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] as string);
  for (const token of text.match(/<[^>]+>|[^<]+/g) ?? []) {
    const top = stack[stack.length - 1] as Xml;
    if (token.startsWith('</')) stack.pop();
    else if (token.startsWith('<')) {
      const node: Xml = { name: (token.match(/^<\/?([\w:-]+)/) as RegExpMatchArray)[1] as string, text: '', children: [] };
      top.children.push(node);
      if (!token.endsWith('/>')) stack.push(node);
    } else top.text += entity(token);
  }
  return root.children[0] as Xml;
}
const child = (node: Xml, name: string) => node.children.find((c) => c.name === name);

/** A GeoReport v2 client as the specification describes it: nothing Rabta-specific. */
function geoReport(base: string, format: 'json' | 'xml') {
  const get = async (path: string, params: Record<string, string> = {}) => {
    const qs = new URLSearchParams(params).toString();
    const response = await fetch(`${base}/${path}.${format}${qs ? `?${qs}` : ''}`);
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  };
  return {
    services: () => get('services'),
    definition: (code: string) => get(`services/${code}`),
    request: (id: string) => get(`requests/${id}`),
    requests: (params: Record<string, string>) => get('requests', params),
    token: (token: string) => get(`tokens/${token}`),
    async post(params: Record<string, string>) {
      const response = await fetch(`${base}/requests.${format}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
      return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
    },
  };
}

describe.each(testDialects(postgresUrl))('Open311 GeoReport v2 on %s', (dialect) => {
  let t: CaseTestInstance;
  let base: string;
  let apiKey: string;
  afterEach(async () => t?.close());

  async function start() {
    t = await startCaseInstance(dialect, postgresUrl);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/open311/v2`;
    apiKey = (await t.platform.cases.createIntakeKey(HBL, { member: 'PK/BANK/HBL', label: 'branch app' })).apiKey;
  }

  it('JSON: lists services, posts a request form-encoded, reads it back with its id, status and agency', async () => {
    await start();
    const client = geoReport(base, 'json');
    const services = await client.services();
    expect(services.status).toBe(200);
    expect(services.type).toMatch(/^application\/json/);
    const list = JSON.parse(services.body) as Array<Record<string, unknown>>;
    expect(list.map((s) => s.service_code)).toEqual(['BISP-ELIGIBILITY', 'PAYMENT-NOT-RECEIVED', 'SIM-BLOCKED']);
    expect(list[1]).toEqual({ service_code: 'PAYMENT-NOT-RECEIVED', service_name: 'Payment not received', description: 'Payment not received', metadata: true, type: 'realtime', keywords: 'رقم نہیں ملی', group: 'payments' });
    const definition = JSON.parse((await client.definition('PAYMENT-NOT-RECEIVED')).body) as { service_code: string; attributes: Array<{ code: string; order: number; values?: unknown[] }> };
    expect(definition.service_code).toBe('PAYMENT-NOT-RECEIVED');
    expect(definition.attributes.map((a) => [a.code, a.order])).toEqual([['CNIC', 1], ['ANONYMOUS', 2]]);

    // The specification's example POST, with Pakistani values.
    const posted = await client.post({
      api_key: apiKey,
      jurisdiction_id: 'PK',
      service_code: 'PAYMENT-NOT-RECEIVED',
      lat: '31.5204',
      long: '74.3587',
      address_string: 'HBL Mall Road branch, Lahore',
      email: 'someone@example.pk',
      device_id: 'tt222111',
      account_id: '123456',
      first_name: 'Shazia',
      last_name: 'Bibi',
      phone: CITIZEN.mobile,
      description: 'ATM ne paise nahi diye, BISP ki qist',
      media_url: 'http://example.com/image.jpg',
      'attribute[CNIC]': CITIZEN.cnic,
    });
    expect(posted.status).toBe(200);
    const [created] = JSON.parse(posted.body) as Array<{ service_request_id: string; service_notice: string; account_id: null; token: string }>;
    expect(created?.service_request_id).toMatch(/^RB-26-\d{6}-\d$/);
    expect(created?.account_id).toBeNull();
    expect(t.lastSms(CITIZEN.mobile)?.text).toContain(created?.service_request_id);

    const read = JSON.parse((await client.request(created?.service_request_id as string)).body) as Array<Record<string, unknown>>;
    expect(read).toHaveLength(1);
    expect(read[0]).toMatchObject({ service_request_id: created?.service_request_id, status: 'open', service_code: 'PAYMENT-NOT-RECEIVED', agency_responsible: 'PK/BANK/HBL', service_name: 'Payment not received' });
    expect(read[0]?.requested_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:00$/);
    expect(Date.parse(read[0]?.expected_datetime as string)).toBe(t.clock.now + 3 * DAY_MS - (t.clock.now % 1000));
    expect(read[0]?.extended_attributes).toMatchObject({ rabta_state: 'triaged' });
    // Without an api_key of an institution on the case, the citizen's words and place are not shown.
    expect(read[0]?.description).toBeNull();
    expect(read[0]?.lat).toBeNull();
    const privy = JSON.parse((await client.requests({ service_request_id: created?.service_request_id as string, api_key: apiKey })).body) as Array<Record<string, unknown>>;
    expect(privy[0]?.description).toBe('ATM ne paise nahi diye, BISP ki qist');
    expect(privy[0]?.lat).toBe(31.5204);

    const token = JSON.parse((await client.token(created?.token as string)).body) as Array<Record<string, unknown>>;
    expect(token).toEqual([{ service_request_id: created?.service_request_id, token: created?.token }]);

    // Search by service, status and dates; closing moves it to "closed".
    const open = JSON.parse((await client.requests({ service_code: 'PAYMENT-NOT-RECEIVED', status: 'open' })).body) as unknown[];
    expect(open).toHaveLength(1);
    await t.platform.cases.reject(AUTHORITY, created?.service_request_id as string, 'paid on 3 March, please check your account');
    expect(JSON.parse((await client.requests({ status: 'open' })).body)).toEqual([]);
    const closed = JSON.parse((await client.requests({ status: 'closed', start_date: new Date(t.clock.now - 86_400_000).toISOString(), end_date: new Date(t.clock.now + 1000).toISOString() })).body) as Array<Record<string, unknown>>;
    expect(closed[0]).toMatchObject({ status: 'closed', status_notes: 'paid on 3 March, please check your account', extended_attributes: { rabta_state: 'rejected' } });
  });

  it('XML: the same, with the declaration, root elements and item elements of the specification', async () => {
    await start();
    const client = geoReport(base, 'xml');
    const services = await client.services();
    expect(services.type).toMatch(/^text\/xml/);
    expect(services.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const root = parseXml(services.body);
    expect(root.name).toBe('services');
    expect(root.children.map((s) => child(s, 'service_code')?.text)).toEqual(['BISP-ELIGIBILITY', 'PAYMENT-NOT-RECEIVED', 'SIM-BLOCKED']);
    expect(child(root.children[1] as Xml, 'metadata')?.text).toBe('true');
    const definition = parseXml((await client.definition('SIM-BLOCKED')).body);
    expect(definition.name).toBe('service_definition');
    const attributes = child(definition, 'attributes') as Xml;
    expect(attributes.children.map((a) => a.name)).toEqual(['attribute', 'attribute']);
    expect((child(attributes.children[1] as Xml, 'values') as Xml).children.map((v) => child(v, 'key')?.text)).toEqual(['no', 'yes']);

    const posted = parseXml((await client.post({ api_key: apiKey, service_code: 'SIM-BLOCKED', address_id: 'PB-LAHORE', description: 'SIM band <ho> gayi & bank ka OTP nahi aata' })).body);
    expect(posted.name).toBe('service_requests');
    const request = posted.children[0] as Xml;
    expect(request.name).toBe('request');
    const id = child(request, 'service_request_id')?.text as string;
    expect(id).toMatch(/^RB-26-\d{6}-\d$/);
    expect(child(request, 'account_id')?.text).toBe('');
    const read = parseXml((await client.request(id)).body);
    const r = read.children[0] as Xml;
    expect(child(r, 'status')?.text).toBe('open');
    expect(child(r, 'address_id')?.text).toBe('PB-LAHORE');
    expect(child(r, 'agency_responsible')?.text).toBe(''); // no default lead: it waits for triage
    expect(child(child(r, 'extended_attributes') as Xml, 'rabta_state')?.text).toBe('new');
    const privy = parseXml((await client.requests({ service_request_id: id, api_key: apiKey })).body);
    expect(child(privy.children[0] as Xml, 'description')?.text).toBe('SIM band <ho> gayi & bank ka OTP nahi aata');
  });

  it('errors are a list of {code, description} in the requested format, and nothing is half-written', async () => {
    await start();
    const json = geoReport(base, 'json');
    const xml = geoReport(base, 'xml');
    const badKey = await json.post({ api_key: 'o311_wrong', service_code: 'SIM-BLOCKED', address_id: 'PB-LAHORE', description: 'x' });
    expect(badKey.status).toBe(403);
    const [error] = JSON.parse(badKey.body) as Array<{ code: number; description: string; type: string }>;
    expect(error?.code).toBe(403);
    expect(error?.description).toContain('api_key');
    expect(error?.type).toBe('https://rabta.pk/problems/invalid-api-key');

    const unknown = await json.post({ api_key: apiKey, service_code: 'NO-SUCH', address_id: 'PB-LAHORE', description: 'x' });
    expect(unknown.status).toBe(400);
    expect((JSON.parse(unknown.body) as Array<{ type: string }>)[0]?.type).toBe('https://rabta.pk/problems/unknown-category');

    const long = await xml.post({ api_key: apiKey, service_code: 'SIM-BLOCKED', address_id: 'PB-LAHORE', description: 'a'.repeat(4001) });
    expect(long.status).toBe(400);
    const errors = parseXml(long.body);
    expect(errors.name).toBe('errors');
    expect(child(errors.children[0] as Xml, 'code')?.text).toBe('400');
    expect(child(errors.children[0] as Xml, 'description')?.text).toContain('4000');
    expect((await xml.post({ api_key: apiKey, service_code: 'SIM-BLOCKED', address_id: 'PB-LAHORE', description: 'a'.repeat(4000) })).status).toBe(200);

    const noPlace = await json.post({ api_key: apiKey, service_code: 'SIM-BLOCKED', description: 'x' });
    expect(noPlace.status).toBe(400);
    expect((await json.post({ api_key: apiKey, service_code: 'SIM-BLOCKED', address_id: 'ZZ-01', description: 'x' })).status).toBe(400);
    expect((await json.post({ api_key: apiKey, jurisdiction_id: 'IN', service_code: 'SIM-BLOCKED', address_id: 'PB-LAHORE', description: 'x' })).status).toBe(404);
    expect((await json.requests({ start_date: '2026-01-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' })).status).toBe(400);
    expect((await json.request('RB-26-000001-0')).status).toBeGreaterThanOrEqual(400);
    const missing = await json.definition('NO-SUCH');
    expect(missing.status).toBe(400);
    expect((await fetch(`${base}/services.csv`)).status).toBe(404);
    // Only the one good request was written.
    expect(await t.platform.store.tables<CasesTables>().selectFrom('cases').select('id').execute()).toHaveLength(1);
  });
});
