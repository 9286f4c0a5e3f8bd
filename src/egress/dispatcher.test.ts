import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Agent } from 'undici';
import { RabtaError } from '../core/index.js';
import { egressPolicy } from './addresses.js';
import { createDispatcher, type Resolver } from './dispatcher.js';
import { startServer, type TestServer } from './test-server.js';

let server: TestServer;
const agents: Agent[] = [];

beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/target' }).end();
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end('hello');
    }
  });
});

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await server.close();
});

function dispatcher(allow: string[], resolve?: Resolver): Agent {
  const agent = createDispatcher(egressPolicy(allow), resolve ? { resolve } : {});
  agents.push(agent);
  return agent;
}

async function refusalOf(promise: Promise<unknown>): Promise<RabtaError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RabtaError);
  return error as RabtaError;
}

describe('createDispatcher', () => {
  it('refuses a loopback literal when loopback is not allowed, before connecting', async () => {
    const before = server.hits;
    const error = await refusalOf(request(`${server.url}/`, { dispatcher: dispatcher([]) }));
    expect(error.code).toBe('egress-refused');
    expect(error.message).toContain('loopback');
    expect(error.extensions).toEqual({ addressClasses: ['loopback'] });
    expect(server.hits).toBe(before);
  });

  it('connects when loopback is allowed', async () => {
    const response = await request(`${server.url}/`, { dispatcher: dispatcher(['loopback']) });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('hello');
  });

  it('refuses `localhost` when loopback is not allowed', async () => {
    const error = await refusalOf(request(`http://localhost:${server.port}/`, { dispatcher: dispatcher([]) }));
    expect(error.code).toBe('egress-refused');
  });

  it('refuses a name that resolves to a private address', async () => {
    const resolve: Resolver = async () => [{ address: '10.0.0.7', family: 4 }];
    const error = await refusalOf(request('http://upstream.example.pk/', { dispatcher: dispatcher(['loopback'], resolve) }));
    expect(error.code).toBe('egress-refused');
    expect(error.message).toContain('private');
  });

  it('connects only to the allowed addresses of a name', async () => {
    const resolve: Resolver = async () => [
      { address: '10.0.0.7', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    const response = await request(`http://upstream.example.pk:${server.port}/`, { dispatcher: dispatcher(['loopback'], resolve) });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
  });

  it('checks every new connection, so a name that rebinds is caught', async () => {
    const answers = ['127.0.0.1', '10.0.0.7'];
    const resolve: Resolver = async () => [{ address: answers.shift() ?? '10.0.0.7', family: 4 }];
    const agent = dispatcher(['loopback'], resolve);
    const url = `http://rebind.example.pk:${server.port}/`;
    const first = await request(url, { dispatcher: agent });
    expect(first.statusCode).toBe(200);
    await first.body.dump();
    // The server said `Connection: close`, so this needs a new connection and a new resolution.
    const error = await refusalOf(request(url, { dispatcher: agent }));
    expect(error.code).toBe('egress-refused');
  });

  it('refuses an IPv4-mapped IPv6 literal even when loopback is allowed', async () => {
    const error = await refusalOf(request(`http://[::ffff:127.0.0.1]:${server.port}/`, { dispatcher: dispatcher(['loopback']) }));
    expect(error.code).toBe('egress-refused');
    expect(error.extensions).toEqual({ addressClasses: ['ipv4-mapped', 'loopback'] });
  });

  it('refuses a CGNAT literal', async () => {
    const error = await refusalOf(request('http://100.64.1.1/', { dispatcher: dispatcher(['loopback', 'private']) }));
    expect(error.code).toBe('egress-refused');
    expect(error.message).toContain('cgnat');
  });

  it('returns a redirect as it is', async () => {
    const before = server.hits;
    const response = await request(`${server.url}/redirect`, { dispatcher: dispatcher(['loopback']) });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/target');
    await response.body.dump();
    expect(server.hits).toBe(before + 1);
  });
});
