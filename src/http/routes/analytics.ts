import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Analytics } from '../../analytics/index.js';
import type { ExchangeMetadata, MonitoringQuery } from '../../exchange/index.js';
import { COLLABORATION_METHOD, MEASURES } from '../../analytics/index.js';
import { requireAuthority, RabtaError } from '../../core/index.js';
import type { Registry } from '../../registry/index.js';
import { actorOf, operatorAuth } from '../auth.js';
import { bearer } from '../schemas.js';

const Time = Type.String({ format: 'date-time', description: 'RFC 3339' });
const Member = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}/[A-Z]+/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'a member id, e.g. PK/BANK/HBL' });
const PeriodQuery = Type.Object({ from: Type.Optional(Time), to: Type.Optional(Time), member: Type.Optional(Member), grain: Type.Optional(Type.Union([Type.Literal('d'), Type.Literal('h')])) }, { additionalProperties: false });
const Version = Type.String({ pattern: '^(latest|[0-9]{8}T[0-9]{9}Z)$' });
const FileName = Type.String({ pattern: '^[a-z0-9-]{1,64}\\.(csv|json)$' });
const DAY_MS = 86_400_000;

const MEDIA: Record<string, string> = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' };

/** A period from the query: the last 30 days unless told; bad dates are the caller's problem. */
function period(query: { from?: string; to?: string }, now: number) {
  const to = query.to ? Date.parse(query.to) : now;
  const from = query.from ? Date.parse(query.from) : to - 30 * DAY_MS;
  if (Number.isNaN(from) || Number.isNaN(to) || !(from < to)) throw new RabtaError('bad-request', 'from and to are RFC 3339 times with from < to');
  return { from, to };
}

/**
 * The dashboard's JSON under /analytics (an operator token: the authority sees
 * everything, a member its own figures and its pairs) and open data under
 * /open-data (public: releases are suppressed before they exist).
 */
export async function analyticsRoutes(
  base: FastifyInstance,
  { analytics, registry, now, monitoring }: { analytics: Analytics; registry: Registry; now: () => number; monitoring: (query: MonitoringQuery) => Promise<ExchangeMetadata[]> },
) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['analytics'];

  app.get('/analytics/definitions', { schema: { tags, summary: 'Every indicator with its definition and unit, and every measure the rollups keep' } }, async () => ({ indicators: analytics.definitions(), measures: MEASURES }));
  app.get('/analytics/collaboration/method', { schema: { tags, summary: 'The collaboration index’s method: components, normalisation, weights and a worked example' } }, async () => COLLABORATION_METHOD);

  await app.register(async (scope) => {
    scope.addHook('onRequest', operatorAuth(registry));
    const s = scope.withTypeProvider<TypeBoxTypeProvider>();
    s.get('/analytics/indicators', { schema: { tags, security: bearer, summary: 'Indicators over a period (default: the last 30 days), with their definitions', querystring: PeriodQuery } }, async (request) => {
      const p = period(request.query, now());
      return { from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString(), indicators: await analytics.indicators(actorOf(request), p, request.query.member) };
    });
    s.get('/analytics/series', { schema: { tags, security: bearer, summary: 'Indicators per day (grain d) or hour (grain h, the last 7 days)', querystring: PeriodQuery } }, async (request) => ({
      series: await analytics.series(actorOf(request), period(request.query, now()), request.query.grain ?? 'd', request.query.member),
    }));
    s.get('/analytics/collaboration', { schema: { tags, security: bearer, summary: 'The collaboration index per pair and per institution', querystring: PeriodQuery } }, async (request) => analytics.collaboration(actorOf(request), period(request.query, now())));
    s.get('/analytics/network', { schema: { tags, security: bearer, summary: 'Institutions as nodes, collaborations as weighted edges, in total and per day', querystring: PeriodQuery } }, async (request) => analytics.network(actorOf(request), period(request.query, now())));
    s.get('/analytics/places', { schema: { tags, security: bearer, summary: 'Cases per district and province beside census population, literacy and the EGDI (the authority)', querystring: PeriodQuery } }, async (request) => {
      requireAuthority(actorOf(request));
      return analytics.places(period(request.query, now()));
    });
    s.get(
      '/analytics/monitoring/exchanges',
      {
        schema: {
          tags,
          security: bearer,
          summary: 'Operational monitoring: each exchange’s metadata (client, service, time, sizes, status, outcome; never a body or subject), newest first; a member sees its own traffic',
          querystring: Type.Object({ from: Type.Optional(Time), to: Type.Optional(Time), member: Type.Optional(Member), outcome: Type.Optional(Type.String({ maxLength: 64 })), before: Type.Optional(Type.String({ maxLength: 200, description: 'the cursor of the previous page' })), limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })) }, { additionalProperties: false }),
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const q = request.query;
        const member = actor.role === 'authority-admin' || actor.role === 'system' ? q.member : (actor.memberId ?? '-');
        if (q.member && member !== q.member) throw new RabtaError('forbidden', `this token acts for ${actor.memberId ?? 'no member'}, not ${q.member}`);
        const p = period(q, now());
        const [beforeAt, ...beforeId] = (q.before ?? '').split('~');
        const before = q.before ? { at: Date.parse(beforeAt as string), id: beforeId.join('~') } : undefined;
        if (before && Number.isNaN(before.at)) throw new RabtaError('bad-request', 'before is the next cursor of a previous page');
        const limit = Number(q.limit ?? 100);
        const exchanges = await monitoring({ ...p, ...(member ? { member } : {}), ...(q.outcome ? { outcome: q.outcome } : {}), ...(before ? { before } : {}), limit });
        const last = exchanges.at(-1);
        return { exchanges, next: last && exchanges.length === Math.min(Math.max(limit, 1), 1000) ? `${last.at}~${last.id}` : null };
      },
    );
    s.post(
      '/open-data/releases',
      { schema: { tags, security: bearer, summary: 'Publish an open-data release now (the authority); its digest becomes a ledger leaf', body: Type.Optional(Type.Object({ from: Type.Optional(Time), to: Type.Optional(Time) }, { additionalProperties: false })) } },
      async (request, reply) => {
        requireAuthority(actorOf(request));
        const body = request.body ?? {};
        const release = await analytics.publish({ ...(body.from ? { from: Date.parse(body.from) } : {}), ...(body.to ? { to: Date.parse(body.to) } : {}) });
        return reply.code(201).send({ version: release.version, publishedAt: release.publishedAt, digest: release.digest, url: `/open-data/releases/${release.version}/datapackage.json` });
      },
    );
  });

  app.get('/open-data/catalog.jsonld', { schema: { tags, summary: 'The DCAT-AP 3 catalogue of every release (JSON-LD)' } }, async (_request, reply) => reply.type('application/ld+json; charset=utf-8').send(JSON.stringify(await analytics.catalog(), null, 2)));
  app.get('/open-data/releases', { schema: { tags, summary: 'Every release, newest first' } }, async () => ({
    releases: (await analytics.releases()).map((r) => ({ version: r.version, publishedAt: r.publishedAt, digest: r.digest, from: r.from, to: r.to, url: `/open-data/releases/${r.version}/datapackage.json` })),
  }));
  const serveFile = async (version: string, file: string, reply: import('fastify').FastifyReply) => {
    if (file === 'receipt.json') {
      const receipt = await analytics.receipt(version);
      if (!receipt) throw new RabtaError('not-found', `no receipt for release ${version} yet`);
      return reply.type(MEDIA.json as string).send(JSON.stringify(receipt));
    }
    const release = await analytics.release(version);
    const bytes = release?.files.get(file);
    if (!release || !bytes) throw new RabtaError('not-found', `release ${version} has no ${file}`);
    return reply.type(MEDIA[file.split('.').pop() as string] as string).header('cache-control', version === 'latest' ? 'no-cache' : 'public, max-age=31536000, immutable').send(bytes);
  };
  app.get('/open-data/releases/:version/:file', { schema: { tags, summary: 'A file of a release: datapackage.json, a CSV, or receipt.json (its ledger receipt)', params: Type.Object({ version: Version, file: FileName }) } }, async (request, reply) => serveFile(request.params.version, request.params.file, reply));
  app.get('/open-data/latest/:file', { schema: { tags, summary: 'A file of the latest release', params: Type.Object({ file: FileName }) } }, async (request, reply) => serveFile('latest', request.params.file, reply));
}
