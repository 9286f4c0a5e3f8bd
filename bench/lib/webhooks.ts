import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the bench asks the events platform process to publish (bench/servers/events-platform.ts). */
export interface PublishCommand {
  topicId: string;
  publisherId: string;
  purpose: string;
}

/** The event the bench publishes: about 130 bytes, like a credit notice. */
export function benchEvent(n: number): Record<string, unknown> {
  return { account: `PK36HABB${String(n).padStart(16, '0')}`, amountPkr: 13_500, batch: 'BENCH-2026-Q4', n, creditedAt: '2026-12-01T09:30:00Z' };
}

/** Epoch milliseconds with sub-millisecond precision, comparable between the bench's processes. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export interface ReceivedSample {
  headers: IncomingHttpHeaders;
  body: string;
  /** when it arrived (epochNow): its timestamp is judged as of then */
  at: number;
}

export interface WebhookReceiver {
  url: string;
  /** webhook-id → when it first arrived (epochNow) */
  arrivals: Map<string, number>;
  /** every request, duplicates included */
  requests(): number;
  /** every SAMPLE_EVERY-th request as received, for verification afterwards */
  samples: ReceivedSample[];
  reset(): void;
  close(): Promise<void>;
}

const SAMPLE_EVERY = 97;
const MAX_SAMPLES = 400;

/**
 * A webhook endpoint that answers 204 as soon as the body is in and checks
 * nothing while it runs: verification costs the receiver, not the sender, so
 * it is done afterwards on a sample (with standardwebhooks).
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const arrivals = new Map<string, number>();
  const samples: ReceivedSample[] = [];
  let requests = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => {
      const at = epochNow();
      const id = request.headers['webhook-id'];
      if (typeof id === 'string' && !arrivals.has(id)) arrivals.set(id, at);
      if (requests++ % SAMPLE_EVERY === 0 && samples.length < MAX_SAMPLES) samples.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at });
      response.writeHead(204).end();
    });
  });
  // Longer than the egress pool's 4 s keep-alive, so the receiver never closes a socket the sender is about to reuse.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    requests: () => requests,
    samples,
    reset() {
      arrivals.clear();
      samples.length = 0;
      requests = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
