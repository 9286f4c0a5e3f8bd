import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface WebhookEnvelope<T = unknown> {
  type: string;
  timestamp: string;
  data: T;
}

interface Endpoint {
  /** one per subscription delivering here (each has its own secret) */
  verifiers: Webhook[];
  handle(envelope: WebhookEnvelope, id: string): void;
}

/**
 * The institutions' webhook endpoints in the demo, on one local server: each
 * path verifies deliveries with the `standardwebhooks` library and its own
 * subscription secret, as any receiver would, and refuses what fails (so
 * Rabta retries). A webhook id seen before is acknowledged and not handled
 * again: delivery is at least once, handling here is once.
 */
export async function startWebhookEndpoints(port = 0) {
  const endpoints = new Map<string, Endpoint>();
  const seen = new Set<string>();
  let refused = 0;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const endpoint = endpoints.get(request.url ?? '');
    if (!endpoint || endpoint.verifiers.length === 0 || request.method !== 'POST') return response.writeHead(404).end();
    const body = Buffer.concat(chunks).toString('utf8');
    const envelope = verifyWithAny(endpoint.verifiers, body, request.headers as Record<string, string>);
    if (!envelope) {
      refused++;
      return response.writeHead(401).end();
    }
    const id = `${request.url}:${request.headers['webhook-id'] as string}`;
    if (!seen.has(id)) {
      seen.add(id);
      endpoint.handle(envelope, request.headers['webhook-id'] as string);
    }
    response.writeHead(204).end();
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    /** a path served here; its secret comes once the subscription exists */
    endpoint(path: string, handle: Endpoint['handle']) {
      const entry: Endpoint = { handle, verifiers: [] };
      endpoints.set(path, entry);
      return {
        url: `${base}${path}`,
        useSecret: (secret: string) => {
          entry.verifiers.push(new Webhook(secret));
        },
      };
    },
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function verifyWithAny(verifiers: Webhook[], body: string, headers: Record<string, string>): WebhookEnvelope | undefined {
  for (const verifier of verifiers) {
    try {
      return verifier.verify(body, headers) as WebhookEnvelope;
    } catch {
      // another subscription's secret may be the one
    }
  }
  return undefined;
}

export type WebhookEndpoints = Awaited<ReturnType<typeof startWebhookEndpoints>>;
