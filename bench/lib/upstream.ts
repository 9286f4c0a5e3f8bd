import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The provider behind both the gateway and the bare proxy: 200 and a fixed
 * JSON body of about 200 bytes, whatever it is asked. It does not verify the
 * gateway's forward signature (the gateway still makes one for every forward),
 * so neither run pays for provider-side crypto.
 */
export const UPSTREAM_BODY = Buffer.from(
  JSON.stringify({
    beneficiary: 'masked',
    programme: 'BISP Kafaalat',
    status: 'eligible',
    lastPayment: { amountPkr: 13500, at: '2025-05-01T09:30:00Z', channel: 'biometric-atm' },
    nextPaymentDue: '2025-08-01',
    checkedAt: '2025-06-01T00:00:00Z',
  }),
);

export interface Upstream {
  url: string;
  hits(): number;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits++;
    // Drain any body so the connection stays reusable, then answer.
    request.resume();
    request.once('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': UPSTREAM_BODY.length });
      response.end(UPSTREAM_BODY);
    });
  });
  // Longer than the egress pool's 4 s keep-alive, so the upstream never closes a socket the gateway is about to reuse.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
