import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'undici';
import type { BenchMessage } from '../lib/processes.js';

/**
 * The baseline: a bare reverse proxy on node:http and undici that forwards
 * the same requests to the same upstream with no check at all — no signature,
 * no database, no Fastify. Same shape as the gateway where it matters: the
 * upstream answer is buffered whole before it is sent on, and the upstream
 * pool is an undici Agent configured like the gateway's egress dispatcher.
 */

const upstream = process.env.BENCH_UPSTREAM;
const port = Number(process.env.PORT);
if (!upstream || !Number.isInteger(port)) throw new Error('BENCH_UPSTREAM and PORT are required');

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length', 'expect']);
const agent = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const server = createServer(async (incoming, outgoing) => {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const answer = await request(upstream + (incoming.url ?? '/'), { dispatcher: agent, method: incoming.method as 'GET', headers: forwardable(incoming.headers), body });
    const bytes = Buffer.from(await answer.body.arrayBuffer());
    const contentType = answer.headers['content-type'];
    outgoing.writeHead(answer.statusCode, { 'content-length': bytes.length, ...(contentType ? { 'content-type': String(contentType) } : {}) });
    outgoing.end(bytes);
  } catch (error) {
    outgoing.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${(error as Error).message}`);
  }
});
// Fastify's default, so both servers keep the load generator's connections alike.
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1');

process.on('message', (m: BenchMessage) => {
  if (m?.type === 'counters-reset') return;
  if (m?.type === 'counters-read') process.send?.({ type: 'counters', counters: null });
  else if (m?.type === 'shutdown') {
    server.closeAllConnections();
    server.close(() => void agent.close().finally(() => process.exit(0)));
  }
});
