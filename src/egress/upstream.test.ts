import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { request } from 'undici';
import { RabtaError } from '../core/index.js';
import { createEgress, egressPolicy, type Egress, type EgressOptions } from './index.js';
import { closedPort, startServer, type TestHandler, type TestServer } from './test-server.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function server(handler: TestHandler): Promise<TestServer> {
  const started = await startServer(handler);
  cleanups.push(() => started.close());
  return started;
}

function egress(options: EgressOptions = {}, allow = ['loopback']): Egress {
  const created = createEgress(egressPolicy(allow), { timeoutMs: 1_000, bodyTimeoutMs: 1_000, ...options });
  // destroy-like: a test that leaves a stalled call must not wait for it at close.
  cleanups.push(() => Promise.race([created.close(), new Promise<void>((resolve) => setTimeout(resolve, 50))]));
  return created;
}

async function failure(promise: Promise<unknown>): Promise<RabtaError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RabtaError);
  return error as RabtaError;
}

const ok: TestHandler = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');

describe('callUpstream', () => {
  it('returns status, headers and body', async () => {
    const upstream = await server(ok);
    const response = await egress().call({ url: `${upstream.url}/x`, method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain');
    expect(Buffer.from(response.body).toString()).toBe('ok');
  });

  it('sends the body, a Uint8Array or a stream', async () => {
    const received: string[] = [];
    const upstream = await server((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString());
        res.end();
      });
    });
    const e = egress();
    await e.call({ url: upstream.url, method: 'POST', body: new TextEncoder().encode('bytes') });
    await e.call({ url: upstream.url, method: 'POST', body: Readable.from([Buffer.from('str'), Buffer.from('eam')]) });
    expect(received).toEqual(['bytes', 'stream']);
  });

  it('returns the upstream’s own 4xx and 5xx', async () => {
    const upstream = await server((req, res) => res.writeHead(req.url === '/missing' ? 404 : 503).end('nope'));
    const e = egress();
    expect((await e.call({ url: `${upstream.url}/missing`, method: 'GET' })).status).toBe(404);
    expect((await e.call({ url: `${upstream.url}/down`, method: 'GET' })).status).toBe(503);
  });

  it('refuses loopback when the policy does not allow it', async () => {
    const upstream = await server(ok);
    const error = await failure(egress({}, []).call({ url: upstream.url, method: 'GET' }));
    expect(error.code).toBe('egress-refused');
    expect(upstream.hits).toBe(0);
  });

  it('refuses schemes other than http and https', async () => {
    const error = await failure(egress().call({ url: 'file:///etc/passwd', method: 'GET' }));
    expect(error.code).toBe('egress-refused');
  });

  it('does not follow redirects', async () => {
    const upstream = await server((req, res) => {
      if (req.url === '/old') res.writeHead(302, { location: '/new' }).end();
      else ok(req, res, 0);
    });
    const response = await egress().call({ url: `${upstream.url}/old`, method: 'GET' });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/new');
    expect(upstream.hits).toBe(1);
  });

  it('times out an upstream that never answers', async () => {
    const upstream = await server(() => {});
    // The instance's own timeouts are far beyond the test's: only the call's 100 ms can end it.
    const error = await failure(egress({ timeoutMs: 600_000, bodyTimeoutMs: 600_000 }).call({ url: upstream.url, method: 'POST', timeoutMs: 100 }));
    expect(error.code).toBe('upstream-timeout');
    expect(upstream.hits).toBeGreaterThanOrEqual(1);
  });

  it('times out a body that stops arriving', async () => {
    const upstream = await server((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('half');
    });
    const error = await failure(egress().call({ url: upstream.url, method: 'GET', bodyTimeoutMs: 100, retries: 3 }));
    expect(error.code).toBe('upstream-timeout');
    expect(upstream.hits).toBe(1); // a response had begun: not retried
  });

  it('reports a refused connection as unreachable', async () => {
    const port = await closedPort();
    const error = await failure(egress({ retries: 0 }).call({ url: `http://127.0.0.1:${port}/`, method: 'GET' }));
    expect(error.code).toBe('upstream-unreachable');
  });

  it('reports an unknown name as unreachable', async () => {
    const resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const error = await failure(egress({ resolve, retries: 0 }).call({ url: 'http://nowhere.example.pk/', method: 'GET' }));
    expect(error.code).toBe('upstream-unreachable');
  });

  it('never retries a POST', async () => {
    const upstream = await server((req) => req.socket.destroy());
    const error = await failure(egress({ retries: 3 }).call({ url: upstream.url, method: 'POST', body: new Uint8Array([1]) }));
    expect(error.code).toBe('upstream-unreachable');
    expect(upstream.hits).toBe(1);
  });

  it('retries a GET whose connection dropped before any response', async () => {
    const upstream = await server((req, res, hit) => (hit === 1 ? req.socket.destroy() : ok(req, res, hit)));
    const response = await egress({ retries: 2 }).call({ url: upstream.url, method: 'GET' });
    expect(response.status).toBe(200);
    expect(upstream.hits).toBe(2);
  });

  it('gives up on a GET after the bounded retries', async () => {
    const upstream = await server((req) => req.socket.destroy());
    const error = await failure(egress({ retries: 2 }).call({ url: upstream.url, method: 'GET' }));
    expect(error.code).toBe('upstream-unreachable');
    expect(upstream.hits).toBe(3);
  });

  it('does not retry a GET its caller declares non-idempotent, nor a streamed PUT', async () => {
    const upstream = await server((req) => req.socket.destroy());
    const e = egress({ retries: 2 });
    await failure(e.call({ url: upstream.url, method: 'GET', idempotent: false }));
    await failure(e.call({ url: upstream.url, method: 'PUT', body: Readable.from([Buffer.from('x')]) }));
    expect(upstream.hits).toBe(2);
  });

  it('does not retry a 5xx', async () => {
    const upstream = await server((_req, res) => res.writeHead(500).end());
    const response = await egress({ retries: 2 }).call({ url: upstream.url, method: 'GET' });
    expect(response.status).toBe(500);
    expect(upstream.hits).toBe(1);
  });

  it('bounds the response size, declared or streamed', async () => {
    const upstream = await server((req, res) => {
      if (req.url === '/declared') res.writeHead(200, { 'content-length': '2000' }).end(Buffer.alloc(2000));
      else res.writeHead(200).end(Buffer.alloc(2000)); // chunked, no length
    });
    const e = egress({ maxResponseBytes: 1000 });
    for (const path of ['/declared', '/chunked']) {
      const error = await failure(e.call({ url: `${upstream.url}${path}`, method: 'GET' }));
      expect(error.code).toBe('upstream-unreachable');
      expect(error.extensions).toEqual({ reason: 'response-too-large', limitBytes: 1000 });
    }
    expect((await e.call({ url: upstream.url, method: 'GET', maxResponseBytes: 2000 })).body.length).toBe(2000);
  });

  it('opens the circuit after failures and half-opens after the cool-down', async () => {
    const clock = { now: 0 };
    let healthy = false;
    const upstream = await server((_req, res) => res.writeHead(healthy ? 200 : 502).end());
    const e = egress({ failureThreshold: 2, coolDownMs: 5_000, now: () => clock.now });
    const call = () => e.call({ url: `${upstream.url}/status`, method: 'GET' });
    expect((await call()).status).toBe(502);
    expect((await call()).status).toBe(502);
    const open = await failure(call());
    expect(open.code).toBe('circuit-open');
    expect(open.headers['Retry-After']).toBe('5');
    expect(upstream.hits).toBe(2);
    expect(e.circuit(upstream.url)).toBe('open');

    clock.now += 5_000;
    healthy = true;
    expect((await call()).status).toBe(200);
    expect(upstream.hits).toBe(3);
    expect(e.circuit(upstream.url)).toBe('closed');
  });

  it('counts timeouts and unreachable upstreams as failures, not policy refusals', async () => {
    const port = await closedPort();
    const e = egress({ failureThreshold: 2, retries: 0 });
    for (let i = 0; i < 3; i++) await failure(e.call({ url: 'http://10.0.0.1/', method: 'GET' }));
    expect(e.circuit('http://10.0.0.1')).toBe('closed');
    await failure(e.call({ url: `http://127.0.0.1:${port}/`, method: 'GET' }));
    await failure(e.call({ url: `http://127.0.0.1:${port}/`, method: 'GET' }));
    expect((await failure(e.call({ url: `http://127.0.0.1:${port}/`, method: 'GET' }))).code).toBe('circuit-open');
  });

  it('stops when its caller aborts', async () => {
    const upstream = await server(() => {});
    const controller = new AbortController();
    const e = egress({ failureThreshold: 1 });
    const pending = e.call({ url: upstream.url, method: 'GET', signal: controller.signal });
    // Aborted once the upstream holds the request, so the abort meets a call in flight.
    await vi.waitFor(() => expect(upstream.hits).toBe(1), { timeout: 5000 });
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    expect(e.circuit(upstream.url)).toBe('closed');
  });

  it('applies the policy to modules that use undici directly', async () => {
    const upstream = await server(ok);
    const error = await failure(request(upstream.url, { ...egress({}, []).fetchOptions }));
    expect(error.code).toBe('egress-refused');
    const allowed = await request(upstream.url, { ...egress().fetchOptions });
    expect(allowed.statusCode).toBe(200);
    await allowed.body.dump();
  });
});
