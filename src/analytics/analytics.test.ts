import { afterEach, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { AUTHORITY, BISP, CITIZEN, HBL, startCaseInstance } from '../cases/testing.js';
import type { CaseTestInstance } from '../cases/testing.js';
import { testDialects } from '../store/testing.js';
import { parseCsv, verifyRelease } from './index.js';
import { latencyBucket } from './facts.js';
import { percentileOf } from './histogram.js';
import { recoverableCells, smallCounts, validateDescriptor } from './testing.js';
// Reads other modules' rows directly: a stopgap until they go through those modules' testing.ts.
import type { AllTables } from '../../test/tables.js';

const postgresUrl = inject('postgresUrl');
const DAY = 86_400_000;

describe.each(testDialects(postgresUrl))('analytics on %s', (dialect) => {
  let t: CaseTestInstance;
  afterEach(async () => t?.close());

  /** Exchange rows over two days, written the way the exchange's recorder writes them: row and rollup in one transaction. */
  async function writeExchanges(day: number) {
    const outcomes = ['ok', 'ok', 'ok', 'ok', 'upstream-error', 'forbidden', 'ok', 'no-legal-basis'];
    let i = 0;
    for (const start of [day, day + DAY]) {
      for (let n = 0; n < 90; n++, i++) {
        const record = {
          id: `x-${day}-${i}`,
          at: start + n * 600_000,
          client_id: n % 3 === 0 ? 'PK/GOV/BISP/payments' : 'PK/BANK/HBL/complaints',
          service_id: n % 3 === 0 ? 'PK/BANK/HBL/complaints/status' : 'PK/GOV/BISP/payments/beneficiary-status',
          method: 'GET',
          path: '/',
          purpose: null,
          legal_basis: null,
          subjects: null,
          key_id: 'k',
          status: 200,
          outcome: outcomes[n % outcomes.length] as string,
          request_bytes: 0,
          response_bytes: 10,
          request_digest: null,
          response_digest: null,
          duration_ms: (n * 37) % 900,
        };
        await t.platform.store.tables<AllTables>().transaction().execute(async (trx) => {
          await trx.insertInto('exchanges').values(record).execute();
          await t.platform.analytics.recordExchange(trx, record);
        });
      }
    }
  }

  async function fetchFrom(url: string): Promise<Buffer> {
    const u = new URL(url);
    const response = await t.app.inject({ method: 'GET', url: `${u.pathname}${u.search}` });
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
    return response.rawPayload;
  }

  it('agrees with the raw records of a day, for exchanges and cases', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const day = Math.floor(t.clock.now / DAY) * DAY;
    await writeExchanges(day);
    // Cases: eleven opened in two districts, some with a partner, resolved and answered.
    for (let n = 0; n < 11; n++) {
      const opened = await t.platform.cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: 'qist nahi mili', citizen: { cnic: CITIZEN.cnic }, partners: n % 2 ? ['PK/GOV/BISP'] : [], district: n < 6 ? 'PB-LAHORE' : 'SD-HYDERABAD', channel: n % 3 ? 'signed' : 'sms', intake: 'PK/BANK/HBL' });
      await t.platform.cases.accept(HBL, opened.reference);
      if (n < 8) await t.platform.cases.resolve(HBL, opened.reference, { note: 'done' });
    }
    const hash = (await t.platform.store.tables<AllTables>().selectFrom('cases').select('subject_hash').executeTakeFirstOrThrow()).subject_hash as string;
    const resolved = await t.platform.store.tables<AllTables>().selectFrom('cases').select('reference').where('state', '=', 'resolved').orderBy('reference').execute();
    for (const [k, c] of resolved.entries()) if (k < 5) await t.platform.cases.citizen.answer(hash, c.reference, { solved: k !== 4, satisfaction: k !== 4 ? 4 : undefined });
    await t.platform.cases.processPending();

    const period = { from: day, to: day + DAY };
    const indicators = Object.fromEntries((await t.platform.analytics.indicators(SYSTEM_ACTOR, period)).map((i) => [i.id, i]));
    const raw = await t.platform.store.tables<AllTables>().selectFrom('exchanges').selectAll().where('at', '>=', day).where('at', '<', day + DAY).execute();
    expect(indicators['exchange.calls']?.value).toBe(raw.length);
    const ok = raw.filter((r) => r.outcome === 'ok').length;
    expect(indicators['exchange.success_rate']?.value).toBe(Math.round((1000 * ok) / raw.length) / 10);
    const refusals: Record<string, number> = {};
    for (const r of raw) if (r.outcome !== 'ok') refusals[r.outcome] = (refusals[r.outcome] ?? 0) + 1;
    expect(indicators['exchange.refusals']?.breakdown).toEqual(refusals);
    // A percentile is its bucket's upper bound: the bucket of the raw nearest-rank percentile.
    const durations = raw.map((r) => Number(r.duration_ms)).sort((a, b) => a - b);
    for (const [id, p] of [['exchange.latency_p50', 0.5], ['exchange.latency_p95', 0.95]] as const) {
      const exact = durations[Math.ceil(p * durations.length) - 1] as number;
      expect(`le:${indicators[id]?.value}`).toBe(latencyBucket(exact));
    }
    expect(percentileOf(new Map(), 0.5)).toBeNull();

    const cases = await t.platform.store.tables<AllTables>().selectFrom('cases').selectAll().execute();
    const byChannel: Record<string, number> = {};
    for (const c of cases) byChannel[c.channel] = (byChannel[c.channel] ?? 0) + 1;
    expect(indicators['cases.opened']?.breakdown).toEqual(byChannel);
    const confirmed = cases.filter((c) => c.state === 'closed').length;
    const reopened = cases.filter((c) => c.state === 'reopened').length;
    expect(confirmed).toBe(4);
    expect(indicators['cases.confirmed']?.basis).toEqual({ numerator: confirmed, denominator: confirmed });
    expect(indicators['cases.reopened']?.basis).toEqual({ numerator: reopened, denominator: 8 });
    expect(indicators['cases.resolved_in_time']?.basis).toEqual({ numerator: 8, denominator: 8 });
    expect(indicators['cases.satisfaction']?.value).toBe(4);

    const places = await t.platform.analytics.places(period);
    const pb17 = places.districts.find((d) => d.code === 'PB-LAHORE');
    expect(pb17?.casesOpened).toBe(cases.filter((c) => c.district === 'PB-LAHORE').length);
    expect(pb17?.casesPer100k).toBeCloseTo((6 * 100_000) / (pb17?.population ?? 1), 2);
    expect(places.egdi.pakistan).toMatchObject({ rank: 150, egdi: 0.4238 });

    // The collaboration index and the network hold the pair HBL–BISP, from exchanges and joint cases.
    const index = await t.platform.analytics.collaboration(SYSTEM_ACTOR, period);
    const pair = index.pairs.find((p) => p.a === 'PK/BANK/HBL' && p.b === 'PK/GOV/BISP');
    expect(pair?.inputs.exchanges).toBe(raw.length);
    expect(pair?.inputs.jointCases).toBe(5);
    expect(pair?.score).toBeGreaterThan(0);
    const network = await t.platform.analytics.network(SYSTEM_ACTOR, period);
    expect(network.edges[0]).toEqual({ a: 'PK/BANK/HBL', b: 'PK/GOV/BISP', weight: raw.length + 5 });

    // The next day is its own: the second day's rows are not in the first's figures.
    const next = await t.platform.analytics.indicators(SYSTEM_ACTOR, { from: day + DAY, to: day + 2 * DAY });
    expect(next.find((i) => i.id === 'exchange.calls')?.value).toBe(90);
    expect(next.find((i) => i.id === 'cases.opened')?.value).toBe(0);
  });

  it('rebuilds from the raw exchange rows the rollups the incremental path wrote', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const day = Math.floor(t.clock.now / DAY) * DAY;
    await writeExchanges(day - 20 * DAY);
    await writeExchanges(day);
    const exchangeRollups = async () => {
      const rows = await t.platform.store.tables<AllTables>().selectFrom('analytics_rollups').selectAll().where('measure', 'like', 'exchange.%').execute();
      // What the incremental path leaves once the job has pruned the hours older than a week.
      const keptFrom = Math.floor((t.clock.now - 7 * DAY) / 3_600_000) * 3_600_000;
      return rows
        .filter((r) => r.grain === 'd' || Number(r.period) >= keptFrom)
        .map((r) => ({ ...r, period: Number(r.period), n: Number(r.n), good: Number(r.good), ms: Number(r.ms) }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    };
    const incremental = await exchangeRollups();
    expect(incremental.filter((r) => r.measure === 'exchange.call').reduce((s, r) => s + (r.grain === 'd' ? r.n : 0), 0)).toBe(360);

    await t.platform.store.tables<AllTables>().deleteFrom('analytics_rollups').execute();
    const stages: string[] = [];
    const result = await t.platform.analytics.rebuild({ to: day + 2 * DAY, onProgress: (p) => stages.push(p.stage) });
    expect(result).toMatchObject({ exchanges: 360 });
    expect(stages[0]).toBe('scan');
    expect(stages.at(-1)).toBe('done');
    expect(await exchangeRollups()).toEqual(incremental);
    // Over rollups already there, a rebuild replaces them rather than adding to them.
    await t.platform.analytics.rebuild({ from: day - 30 * DAY, to: day + 2 * DAY });
    expect(await exchangeRollups()).toEqual(incremental);
    // A rebuild of one day leaves the others alone.
    await t.platform.analytics.rebuild({ from: day - 20 * DAY, to: day - 19 * DAY });
    expect(await exchangeRollups()).toEqual(incremental);
  });

  it('scopes the API: the authority sees everything, a member its own figures and pairs', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const day = Math.floor(t.clock.now / DAY) * DAY;
    await writeExchanges(day);
    const { token: jazzToken } = await t.platform.registry.createOperator(SYSTEM_ACTOR, { name: 'jazz admin', role: 'member-admin', memberId: 'PK/TELCO/JAZZ' });
    const query = `from=${new Date(day).toISOString()}&to=${new Date(day + DAY).toISOString()}`;
    const all = await t.app.inject({ url: `/analytics/indicators?${query}`, headers: { authorization: `Bearer ${t.token}` } });
    expect(all.statusCode).toBe(200);
    expect((all.json() as { indicators: Array<{ id: string; value: number }> }).indicators.find((i) => i.id === 'exchange.calls')?.value).toBe(90);
    const jazz = await t.app.inject({ url: `/analytics/indicators?${query}`, headers: { authorization: `Bearer ${jazzToken}` } });
    expect((jazz.json() as { indicators: Array<{ id: string; value: number }> }).indicators.find((i) => i.id === 'exchange.calls')?.value).toBe(0);
    const other = await t.app.inject({ url: `/analytics/indicators?${query}&member=PK/BANK/HBL`, headers: { authorization: `Bearer ${jazzToken}` } });
    expect(other.statusCode).toBe(403);
    expect((await t.app.inject({ url: '/analytics/indicators' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: `/analytics/places?${query}`, headers: { authorization: `Bearer ${jazzToken}` } })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/analytics/indicators?from=yesterday', headers: { authorization: `Bearer ${t.token}` } })).statusCode).toBe(400);
    // Operational monitoring: each exchange's metadata, a member its own traffic only, paged.
    const twoDays = `from=${new Date(day).toISOString()}&to=${new Date(day + 2 * DAY).toISOString()}`;
    const first = await t.app.inject({ url: `/analytics/monitoring/exchanges?${twoDays}&limit=100`, headers: { authorization: `Bearer ${t.token}` } });
    const page = first.json() as { exchanges: Array<Record<string, unknown>>; next: string };
    expect(page.exchanges).toHaveLength(100);
    expect(Object.keys(page.exchanges[0] ?? {}).sort()).toEqual(['at', 'client', 'durationMs', 'id', 'method', 'outcome', 'purpose', 'requestBytes', 'responseBytes', 'service', 'status']);
    const rest = await t.app.inject({ url: `/analytics/monitoring/exchanges?${twoDays}&limit=100&before=${encodeURIComponent(page.next)}`, headers: { authorization: `Bearer ${t.token}` } });
    const ids = new Set([...page.exchanges, ...(rest.json() as { exchanges: Array<{ id: string }> }).exchanges].map((e) => e.id));
    expect(ids.size).toBe(180);
    const mine = await t.app.inject({ url: `/analytics/monitoring/exchanges?${twoDays}&limit=1000`, headers: { authorization: `Bearer ${jazzToken}` } });
    expect((mine.json() as { exchanges: unknown[] }).exchanges).toEqual([]);
    // /metrics: today's figures by measure and by institution.
    const metrics = (await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${t.platform.keyring.metricsToken}` } })).body;
    expect(metrics).toContain('rabta_activity_today{measure="exchange.call"} 90');
    expect(metrics).toContain('rabta_institution_activity_today{member="PK/BANK/HBL",measure="exchange.call"} 60');
    const definitions = await t.app.inject({ url: '/analytics/definitions' });
    expect((definitions.json() as { indicators: Array<{ id: string; unit: string; description: string }> }).indicators.find((i) => i.id === 'exchange.latency_p95')).toMatchObject({ unit: 'ms', description: expect.any(String) });
  });

  it('publishes a release that verifies against the log, and fails verification when a figure is changed', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const day = Math.floor(t.clock.now / DAY) * DAY;
    await writeExchanges(day);
    await t.platform.cases.open(AUTHORITY, { category: 'BISP-ELIGIBILITY', text: 'naam list mein nahi', district: 'KP-PESHAWAR', channel: 'portal', intake: 'portal' });
    await t.platform.cases.processPending();
    const published = await t.app.inject({ method: 'POST', url: '/open-data/releases', headers: { authorization: `Bearer ${t.token}` }, payload: {} });
    expect(published.statusCode).toBe(201);
    const { version, digest } = published.json() as { version: string; digest: string };
    const base = `${t.platform.config.publicUrl}/open-data/releases/${version}/`;

    const descriptor = JSON.parse((await fetchFrom(`${t.platform.config.publicUrl}/open-data/latest/datapackage.json`)).toString('utf8')) as { version: string; resources: Array<{ path: string; schema: { fields: Array<{ name: string; type: string; description: string }> } }> };
    expect(descriptor.version).toBe(version);
    expect(validateDescriptor(descriptor)).toEqual([]);
    // Every published CSV: no count from 1 to 9, and no withheld cell that a total gives away.
    for (const resource of descriptor.resources) {
      const csv = (await fetchFrom(`${base}${resource.path}`)).toString('utf8');
      const counts = resource.schema.fields.filter((f) => f.type === 'integer' && !f.name.startsWith('population')).map((f) => f.name);
      expect(smallCounts(csv, counts), resource.path).toEqual([]);
      expect(csv).not.toMatch(/\d{5}-\d{7}-\d/);
    }
    expect(await recoverableInRelease(base)).toBe(0);

    const verified = await verifyRelease(`${base}datapackage.json`, { fetchBytes: fetchFrom });
    expect(verified).toMatchObject({ ok: true, version, digest, problems: [] });
    // The log holds the digest in clear, under its own leaf kind.
    const leaf = await t.platform.store.tables<AllTables>().selectFrom('ledger_records').select(['kind', 'entry', 'salt']).where('ref', '=', version).executeTakeFirstOrThrow();
    expect(leaf).toMatchObject({ kind: 6, salt: null });
    // Version 1 leaf: 0x01, type, 8 bytes of time, then the record's canonical JSON.
    expect(JSON.parse(Buffer.from(leaf.entry).subarray(10).toString('utf8'))).toMatchObject({ type: 'open-data-release', digest });

    // Someone changes a figure in a downloaded CSV, or the descriptor with it.
    const tampered = async (url: string) => {
      const bytes = await fetchFrom(url);
      return url.endsWith('exchanges.csv') ? Buffer.from(bytes.toString('utf8').replace(/,60,false/, ',61,false')) : bytes;
    };
    const changed = await verifyRelease(`${base}datapackage.json`, { fetchBytes: tampered });
    expect(changed.ok).toBe(false);
    expect(changed.problems.join('\n')).toContain('exchanges.csv');
    const rehashed = async (url: string) => {
      const bytes = await fetchFrom(url);
      return url.endsWith('datapackage.json') ? Buffer.from(bytes.toString('utf8').replace('"title": "Rabta', '"title": "Rabta (edited)')) : bytes;
    };
    const descriptorChanged = await verifyRelease(`${base}datapackage.json`, { fetchBytes: rehashed });
    expect(descriptorChanged.ok).toBe(false);
    expect(descriptorChanged.problems.join('\n')).toContain('the descriptor was changed');

    const catalog = JSON.parse((await fetchFrom(`${t.platform.config.publicUrl}/open-data/catalog.jsonld`)).toString('utf8')) as { 'dcat:dataset': Array<{ 'dcat:version': string }> };
    expect(catalog['dcat:dataset'].map((d) => d['dcat:version'])).toEqual([version]);
    expect((await t.app.inject({ url: '/open-data/releases/20990101T000000000Z/datapackage.json' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/open-data/releases/..%2F..%2Fetc/passwd' })).statusCode).toBe(400);
  });

  /** Lines of totals as a reader sees them in the CSVs: pair tables' rows and columns, the institutions' columns, districts → provinces → Pakistan. */
  async function recoverableInRelease(base: string): Promise<number> {
    const table = async (name: string) => {
      const [header = [], ...rows] = parseCsv((await fetchFrom(`${base}${name}.csv`)).toString('utf8'));
      return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
    };
    const value = (row: Record<string, string> | undefined, column: string) => (row === undefined || row[column] === '' ? null : (row[column] as string));
    const lines: Array<{ cells: Array<string | null>; total: string | null }> = [];
    for (const [name, a, b, count] of [['exchanges', 'client', 'provider', 'calls'], ['deliveries', 'publisher', 'subscriber', 'delivered'], ['consent-requests', 'consumer', 'provider', 'requested'], ['joint-cases', 'lead', 'partner', 'cases']] as const) {
      const rows = await table(name);
      for (const [key, other] of [[a, b], [b, a]] as const) {
        for (const k of new Set(rows.map((r) => r[key] as string))) {
          const line = rows.filter((r) => r[key] === k);
          lines.push({ cells: line.filter((r) => r[other] !== 'TOTAL').map((r) => value(r, count)), total: value(line.find((r) => r[other] === 'TOTAL'), count) });
        }
      }
    }
    const institutions = await table('institutions');
    for (const column of Object.keys(institutions[0] ?? {}).filter((c) => c !== 'member' && !c.endsWith('_suppressed'))) {
      lines.push({ cells: institutions.filter((r) => r.member !== 'TOTAL').map((r) => value(r, column)), total: value(institutions.find((r) => r.member === 'TOTAL'), column) });
    }
    const districts = await table('cases-by-district');
    const provinces = await table('cases-by-province');
    for (const column of ['cases_opened', 'closed_confirmed', 'closed_unconfirmed']) {
      for (const p of provinces.filter((r) => r.province_code !== 'PK')) lines.push({ cells: districts.filter((d) => d.province === p.province_code).map((d) => value(d, column)), total: value(p, column) });
      lines.push({ cells: provinces.filter((r) => r.province_code !== 'PK').map((p) => value(p, column)), total: value(provinces.find((r) => r.province_code === 'PK'), column) });
    }
    expect(lines.length).toBeGreaterThan(20);
    return recoverableCells(lines);
  }
});
