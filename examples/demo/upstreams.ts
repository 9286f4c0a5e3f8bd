import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Beneficiary } from './people.js';
import { listenAs } from './ports.js';

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

/** A payment batch HBL accepted: every row valid, nothing half-imported. */
export interface PaymentBatch {
  batchId: string;
  quarter: string;
  rows: Array<{ cnic: string; amountPkr: number; district?: string }>;
}

export interface UpstreamOptions {
  port: number;
  people: Beneficiary[];
  verify: Verify;
  /** HBL's core banking takes an accepted batch from here (the disbursement scenario plugs in) */
  onPaymentBatch?: (batch: PaymentBatch, call: VerifiedCall) => void;
  /** BISP's own payment records (its webhooks update them): the status service answers from them once there is one */
  paymentRecord?: (cnic: string) => { state: string; amountPkr: number; withdrawableFrom?: string; reason?: string } | undefined;
}

/** The most rows one intake call carries; BISP splits larger batches. */
export const MAX_BATCH_ROWS = 5_000;

export async function startUpstreams(options: UpstreamOptions): Promise<Upstreams> {
  const byCnic = new Map(options.people.map((p) => [p.cnic, p]));
  const accepted = new Set<string>();
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, { error: String(error) }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const body = await readBody(request, 4 * 1024 * 1024);
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
        lastPayment: person.status === 'active' ? { quarter: '2026-Q4', amountPkr: person.quarterlyAmountPkr, state: 'sent-to-bank', ...options.paymentRecord?.(person.cnic) } : null,
      });
    }
    if (request.method === 'POST' && path === '/hbl/disbursement/batches/validate') {
      return validateBatch(response, body);
    }
    if (request.method === 'POST' && path === '/hbl/disbursement/batches') {
      const batch = validateBatch(response, body);
      if (!batch) return;
      if (!options.onPaymentBatch) return problem(response, 503, 'intake-closed', 'HBL is not taking payment batches now');
      // A batch sent again (BISP retrying after a lost answer) is acknowledged, not credited twice.
      if (!accepted.has(batch.batchId)) options.onPaymentBatch(batch, call);
      accepted.add(batch.batchId);
      return json(response, 202, { batchId: batch.batchId, rows: batch.rows.length, accepted: batch.rows.length, rejected: [] });
    }
    return problem(response, 404, 'no-such-endpoint', `${request.method} ${path} is not served here`);
  }

  /**
   * Every row is checked and every bad row reported; a batch with any bad row
   * is refused whole (422), so nothing is half-imported. Answers for the
   * validate-only call; returns the batch when all rows are good.
   */
  function validateBatch(response: ServerResponse, body: Buffer): PaymentBatch | undefined {
    let batch: { batchId?: unknown; quarter?: unknown; rows?: unknown };
    try {
      batch = JSON.parse(body.toString('utf8')) as typeof batch;
    } catch {
      problem(response, 400, 'bad-batch', 'the batch is not JSON');
      return undefined;
    }
    if (typeof batch.batchId !== 'string' || !Array.isArray(batch.rows) || batch.rows.length === 0 || batch.rows.length > MAX_BATCH_ROWS) {
      problem(response, 400, 'bad-batch', `a batch has batchId and 1 to ${MAX_BATCH_ROWS} rows`);
      return undefined;
    }
    const seen = new Set<string>();
    const results = batch.rows.map((row: { cnic?: unknown; amountPkr?: unknown }, index: number) => {
      const errors: string[] = [];
      if (typeof row.cnic !== 'string' || !/^\d{5}-\d{7}-\d$/.test(row.cnic)) errors.push('cnic is not NNNNN-NNNNNNN-N');
      else if (seen.has(row.cnic)) errors.push('this CNIC is already in the batch');
      else if (byCnic.get(row.cnic)?.bank !== undefined && byCnic.get(row.cnic)?.bank !== 'HBL') errors.push('no HBL account is open for this CNIC');
      else seen.add(row.cnic);
      if (typeof row.amountPkr !== 'number' || !Number.isInteger(row.amountPkr) || row.amountPkr <= 0 || row.amountPkr > 100_000) errors.push('amountPkr must be a whole number of rupees between 1 and 100,000');
      // Rows are numbered as a person counts them, from 1, like the lines of the file BISP sent.
      return { row: index + 1, ok: errors.length === 0, errors };
    });
    const bad = results.filter((r) => !r.ok).map(({ row, errors }) => ({ row, errors }));
    const verdict = { batchId: batch.batchId, rows: results.length, accepted: bad.length === 0 ? results.length : 0, rejected: bad };
    if (bad.length > 0) {
      json(response, 422, verdict);
      return undefined;
    }
    if ((response.req.url ?? '').endsWith('/validate')) {
      json(response, 200, verdict);
      return undefined;
    }
    return { batchId: batch.batchId, quarter: typeof batch.quarter === 'string' ? batch.quarter : '', rows: batch.rows as PaymentBatch['rows'] };
  }

  // Longer than any client's idle keep-alive, so the server never closes a connection a request is being sent on.
  server.keepAliveTimeout = 65_000;
  await listenAs('demo upstreams (NADRA, BISP and HBL systems)', '127.0.0.1', options.port, 'RABTA_DEMO_UPSTREAM_PORT', () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Rabta's keep-alive connections would hold the demo's stop for their idle timeout.
        server.closeAllConnections();
      }),
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
