import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

/**
 * The baseline: a bare reverse proxy with the same worker count and the same
 * HTTP client library as the gateway, forwarding to the same upstream with no
 * checks, no signatures and no records.
 */
const workers = Number(process.env.BENCH_WORKERS ?? 2);
const port = Number(process.env.PORT);
const upstream = process.env.BENCH_UPSTREAM as string;
const prefixLength = '/x/'.length + (process.env.BENCH_SERVICE as string).length;

if (cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('message', (_worker, message) => {
    if (message === 'listening' && ++listening === workers) process.stdout.write('ready\n');
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const dispatcher = new Agent({ connections: 64, pipelining: 1 });
  createServer(async (req, res) => {
    try {
      const upstreamResponse = await request(upstream + (req.url ?? '/').slice(prefixLength), { method: 'GET', dispatcher });
      const body = Buffer.from(await upstreamResponse.body.arrayBuffer());
      res.writeHead(upstreamResponse.statusCode, { 'content-type': String(upstreamResponse.headers['content-type'] ?? 'application/octet-stream') }).end(body);
    } catch {
      res.writeHead(502).end();
    }
  }).listen(port, '127.0.0.1', () => process.send?.('listening'));
}
