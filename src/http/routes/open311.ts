import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RabtaError } from '../../core/index.js';
import type { Cases, GeoObject, GeoPost, GeoValue } from '../../cases/index.js';
import { toRabtaError } from '../problem-reply.js';

type Open311 = Cases['open311'];
type Format = 'json' | 'xml';

/** The element each array's items take in XML, as the specification's examples write them. */
const ITEM: Record<string, string> = { services: 'service', attributes: 'attribute', values: 'value', service_requests: 'request', errors: 'error' };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}

function element(name: string, value: GeoValue): string {
  if (value === null || value === '') return `<${name}/>`;
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element(ITEM[name] ?? 'item', v)).join('')}</${name}>`;
  if (typeof value === 'object') return `<${name}>${Object.entries(value).map(([k, v]) => element(k, v)).join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function toXml(root: string, value: GeoValue): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value)}`;
}

function send(reply: FastifyReply, format: Format, root: string, value: GeoValue, status = 200) {
  if (format === 'xml') return reply.status(status).type('text/xml; charset=utf-8').send(toXml(root, value));
  return reply.status(status).type('application/json; charset=utf-8').send(JSON.stringify(value));
}

/** `requests.json` → ['requests', 'json']; an unknown extension is not a resource here. */
function split(file: string): [string, Format] {
  const dot = file.lastIndexOf('.');
  const format = file.slice(dot + 1);
  if (dot <= 0 || (format !== 'json' && format !== 'xml')) throw new RabtaError('not-found', `${file}: resources end in .json or .xml`);
  return [decodeURIComponent(file.slice(0, dot)), format];
}

const formatOf = (url: string): Format => (/\.json(\?|$)/.test(url) ? 'json' : 'xml');

function query(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) out[k] = Array.isArray(v) ? String(v[v.length - 1]) : typeof v === 'string' ? v : undefined;
  return out;
}

/**
 * Open311 GeoReport v2 at /open311/v2/, to the letter of the specification:
 * JSON or XML by extension, POST form-encoded, errors as a list of
 * {code, description} (the HTTP status and why) in the requested format —
 * with the stable problem type beside them, for clients that know Rabta.
 */
export async function open311Routes(app: FastifyInstance, { open311 }: { open311: Open311 }) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.setErrorHandler((error, request, reply) => {
    const problem = toRabtaError(error);
    if (problem.code === 'internal') request.log.error({ err: error }, 'unhandled error');
    const errors = [{ code: problem.status, description: problem.message, type: `https://rabta.pk/problems/${problem.code}` }];
    return send(reply, formatOf(request.url.split('?')[0] as string), 'errors', errors, problem.status);
  });
  const tags = ['open311'];

  app.get('/open311/v2/:file', { schema: { tags, summary: 'services.{json,xml} (the case catalogue) or requests.{json,xml} (search: service_request_id, service_code, start_date, end_date, status)' } }, async (request, reply) => {
    const [resource, format] = split((request.params as { file: string }).file);
    const q = query(request);
    if (resource === 'services') return send(reply, format, 'services', await open311.services(q.jurisdiction_id));
    if (resource === 'requests') return send(reply, format, 'service_requests', await open311.search(q));
    throw new RabtaError('not-found', `no resource ${resource}`);
  });

  app.get('/open311/v2/services/:file', { schema: { tags, summary: 'A service definition: the attributes a request of this service may carry' } }, async (request, reply) => {
    const [code, format] = split((request.params as { file: string }).file);
    return send(reply, format, 'service_definition', await open311.service(code, query(request).jurisdiction_id));
  });

  app.get('/open311/v2/requests/:file', { schema: { tags, summary: 'One service request by its service_request_id (the case reference)' } }, async (request, reply) => {
    const [id, format] = split((request.params as { file: string }).file);
    const found = await open311.request(id, query(request));
    if (found.length === 0) throw new RabtaError('unknown-case', `no request ${id}`);
    return send(reply, format, 'service_requests', found);
  });

  app.get('/open311/v2/tokens/:file', { schema: { tags, summary: 'The service request a token became' } }, async (request, reply) => {
    const [token, format] = split((request.params as { file: string }).file);
    return send(reply, format, 'service_requests', await open311.token(token, query(request).jurisdiction_id));
  });

  app.post('/open311/v2/:file', { schema: { tags, summary: 'Create a service request (form-encoded; api_key names the intake)' } }, async (request, reply) => {
    const [resource, format] = split((request.params as { file: string }).file);
    if (resource !== 'requests') throw new RabtaError('not-found', `no resource ${resource}`);
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/x-www-form-urlencoded')) throw new RabtaError('unsupported-media-type', 'POST requests is form-encoded (application/x-www-form-urlencoded)');
    const form = (request.body ?? {}) as Record<string, string>;
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) {
      const m = /^attribute\[(.+)\]$/.exec(k);
      if (m) attributes[(m[1] as string).toUpperCase()] = v;
    }
    const post: GeoPost = { ...form, attributes };
    const created: GeoObject = await open311.post(post);
    return send(reply, format, 'service_requests', [created]);
  });
}
