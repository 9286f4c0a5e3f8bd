import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Beneficiary } from './people.js';

/**
 * The simulated institutions' own systems: NADRA's identity check, BISP's
 * beneficiary status and HBL's batch intake. They trust only requests that
 * Rabta signed (`verify`), so nobody can bypass the exchange by calling them.
 */
export interface VerifiedCall {
  client: string;
  purpose: string | null;
  subject: string | null;
  exchangeId: string;
}

export type Verify = (request: IncomingMessage, body: Buffer, path: string) => Promise<VerifiedCall>;

export interface Upstreams {
  server: Server;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startUpstreams(options: { port: number; people: Beneficiary[]; verify: Verify }): Promise<Upstreams> {
  const byCnic = new Map(options.people.map((p) => [p.cnic, p]));
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, { error: String(error) }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const body = await readBody(request, 1024 * 1024);
    const path = (request.url ?? '/').split('?')[0] as string;
    let call: VerifiedCall;
    try {
      call = await options.verify(request, body, path);
    } catch (error) {
      return problem(response, 401, 'not-signed-by-rabta', `this service only answers calls forwarded and signed by Rabta: ${(error as Error).message}`);
    }
    if (request.method === 'GET' && path === '/nadra/identity/citizens/verify') {
      const person = call.subject ? byCnic.get(call.subject) : undefined;
      return json(response, 200, person ? { valid: true, alive: true, district: person.district.district, province: person.district.province } : { valid: false });
    }
    if (request.method === 'GET' && path === '/bisp/payments/beneficiaries/status') {
      const person = call.subject ? byCnic.get(call.subject) : undefined;
      if (!person) return problem(response, 404, 'not-a-beneficiary', 'this CNIC is not enrolled in Kafaalat');
      return json(response, 200, {
        enrolled: true,
        programme: 'Kafaalat',
        status: person.status,
        bank: person.bank,
        district: person.district.district,
        lastPayment: person.status === 'active' ? { quarter: '2026-Q4', amountPkr: person.quarterlyAmountPkr, state: 'sent-to-bank' } : null,
      });
    }
    if (request.method === 'POST' && path === '/hbl/disbursement/batches/validate') {
      return validateBatch(response, body);
    }
    return problem(response, 404, 'no-such-endpoint', `${request.method} ${path} is not served here`);
  }

  function validateBatch(response: ServerResponse, body: Buffer) {
    let batch: { batchId?: unknown; rows?: unknown };
    try {
      batch = JSON.parse(body.toString('utf8')) as typeof batch;
    } catch {
      return problem(response, 400, 'bad-batch', 'the batch is not JSON');
    }
    if (typeof batch.batchId !== 'string' || !Array.isArray(batch.rows)) return problem(response, 400, 'bad-batch', 'a batch has batchId and rows');
    const results = batch.rows.map((row: { cnic?: unknown; amountPkr?: unknown }, index: number) => {
      const errors: string[] = [];
      if (typeof row.cnic !== 'string' || !/^\d{5}-\d{7}-\d$/.test(row.cnic)) errors.push('cnic is not NNNNN-NNNNNNN-N');
      if (typeof row.amountPkr !== 'number' || !Number.isInteger(row.amountPkr) || row.amountPkr <= 0 || row.amountPkr > 100_000) errors.push('amountPkr must be a whole number of rupees between 1 and 100,000');
      return { row: index, ok: errors.length === 0, errors };
    });
    const bad = results.filter((r) => !r.ok);
    return json(response, bad.length ? 422 : 200, { batchId: batch.batchId, rows: results.length, accepted: bad.length === 0 ? results.length : 0, rejected: bad });
  }

  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function json(response: ServerResponse, status: number, value: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function problem(response: ServerResponse, status: number, code: string, detail: string) {
  response
    .writeHead(status, { 'content-type': 'application/problem+json' })
    .end(JSON.stringify({ type: `https://demo.rabta.pk/upstream-problems/${code}`, title: code.replace(/-/g, ' '), status, detail }));
}
