import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on 127.0.0.1 for the egress tests; `hits` counts requests received. */
export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly hits: number;
  close(): Promise<void>;
}

export type TestHandler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

export async function startServer(handler: TestHandler): Promise<TestServer> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    // Drain the request body so handlers that answer at once do not stall uploads.
    req.resume();
    handler(req, res, hits);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
