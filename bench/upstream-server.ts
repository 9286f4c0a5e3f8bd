import cluster from 'node:cluster';
import { createServer } from 'node:http';

/** The provider's upstream for both runs: a ~200-byte JSON answer, nothing else. */
const port = Number(process.env.PORT);
const body = JSON.stringify({ enrolled: true, programme: 'Kafaalat', status: 'active', bank: 'HBL', district: 'Quetta', lastPayment: { quarter: '2026-Q4', amountPkr: 13500, state: 'sent-to-bank' } });

if (cluster.isPrimary && process.env.BENCH_UPSTREAM_WORKERS !== '1') {
  cluster.fork();
  cluster.on('message', (_w, m) => m === 'listening' && process.stdout.write('ready\n'));
  process.on('SIGTERM', () => process.exit(0));
} else {
  createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body)).listen(port, '127.0.0.1', () => {
    if (process.send) process.send('listening');
    else process.stdout.write('ready\n');
  });
}
