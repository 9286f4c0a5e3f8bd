import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Cluster, ClusterNode } from '../../src/cli/cluster-deploy.js';
import { verifyLog } from '../../src/ledger/verify-log.js';
import { fromKeyFile, loadKeyFile, signRequest } from '../../src/sdk/index.js';
import type { RabtaClient } from '../../src/sdk/index.js';
import type { AllTables } from '../tables.js';

export interface DemoCall {
  method: string;
  path: string;
  headers?: Record<string, string>;
}

/** The demo key file's example call, signed with its key by the SDK. */
export async function demoClient(cluster: Cluster, file: string): Promise<{ client: RabtaClient; example: DemoCall }> {
  const path = join(cluster.dataDir, 'demo', 'keys', file);
  const { example } = JSON.parse(readFileSync(path, 'utf8')) as { example: DemoCall };
  return { client: await fromKeyFile(path, cluster.url), example };
}

/**
 * Signed calls through HAProxy by `concurrency` loops until stopped: every
 * exchange acknowledged with a 2xx is kept, every failure counted with its status.
 */
export function signedLoad(client: RabtaClient, example: DemoCall, concurrency: number) {
  const acknowledged: string[] = [];
  const failures: Array<{ status: number | string }> = [];
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      const purpose = example.headers?.['Rabta-Purpose'];
      const subject = example.headers?.['Rabta-Subject'];
      try {
        const response = await client.call({ method: example.method, path: example.path, ...(purpose ? { purpose } : {}), ...(subject ? { subject } : {}), signal: AbortSignal.timeout(30_000) });
        if (response.status >= 200 && response.status < 300 && response.exchangeId) acknowledged.push(response.exchangeId);
        else failures.push({ status: response.status });
      } catch (error) {
        const status = (error as { status?: number }).status;
        failures.push({ status: status ?? (error as Error).message });
      }
    }
  });
  return {
    acknowledged,
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Waits until `check` holds, polling; fails after `timeoutMs` with `what`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The node whose process holds the ledger sequencer's lease (holders are host/pid/…). */
export async function sequencerNode(db: Kysely<AllTables>, cluster: Cluster): Promise<ClusterNode | undefined> {
  const { rows } = await sql<{ holder: string }>`select holder from store_locks where name = 'ledger-sequencer' and expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint`.execute(db);
  const pid = Number(rows[0]?.holder.split('/')[1]);
  return cluster.nodes.find((node) => node.process.pid === pid && !node.stopped);
}

/** Which of `ids` are not yet leaves of the log (integrated). */
export async function notInLog(db: Kysely<AllTables>, ids: string[]): Promise<string[]> {
  const logged = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('ledger_records').select('ref').where('ref', 'in', ids.slice(i, i + 500)).where('leaf_index', 'is not', null).execute();
    for (const row of rows) logged.add(row.ref);
  }
  return ids.filter((id) => !logged.has(id));
}

/** Which of `ids` have no exchange record. */
export async function notRecorded(db: Kysely<AllTables>, ids: string[]): Promise<string[]> {
  const recorded = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('exchanges').select('id').where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const row of rows) recorded.add(row.id);
  }
  return ids.filter((id) => !recorded.has(id));
}

/** The auditor's check of the whole log through the public URL, as `rabta ledger verify` does it. */
export async function verifyWholeLog(baseUrl: string, quorum: number) {
  return verifyLog({
    baseUrl,
    quorum,
    fetch: async (url) => {
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
    },
  });
}

/**
 * A webhook receiver whose answers wait while the gate is shut: deliveries
 * stay claimed (in flight) by whichever node sent them, until it opens.
 */
export async function gatedReceiver() {
  const received = new Map<string, number>();
  let open = false;
  const waiting = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = () => {
        const id = String((request.headers as IncomingHttpHeaders)['webhook-id']);
        received.set(id, (received.get(id) ?? 0) + 1);
        response.writeHead(204).end();
      };
      if (open) return answer();
      waiting.add(answer);
      // A sender that dies while it waits got no answer: its delivery was not received.
      response.once('close', () => waiting.delete(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    inFlight: () => waiting.size,
    open() {
      open = true;
      for (const answer of waiting) answer();
      waiting.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * One signed call sent straight to a node (past HAProxy), signed for the
 * public URL as every node rebuilds @target-uri from it.
 */
export async function signedCallToNode(cluster: Cluster, nodeUrl: string, file: string): Promise<{ status: number; type: string | undefined }> {
  const path = join(cluster.dataDir, 'demo', 'keys', file);
  const key = await loadKeyFile(path);
  const { example } = JSON.parse(readFileSync(path, 'utf8')) as { example: DemoCall };
  const headers: Record<string, string> = { 'rabta-client': key.client };
  for (const [name, value] of Object.entries(example.headers ?? {})) headers[name.toLowerCase()] = value;
  Object.assign(headers, await signRequest({ method: example.method, targetUri: `${cluster.url}${example.path}`, headers, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request' }));
  const response = await fetch(`${nodeUrl}${example.path}`, { method: example.method, headers, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  let type: string | undefined;
  try {
    type = (JSON.parse(text) as { type?: string }).type;
  } catch {
    type = undefined;
  }
  return { status: response.status, type };
}

/** A node's /readyz: its status and problem type. */
export async function readiness(url: string): Promise<{ status: number; type: string | undefined }> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json().catch(() => ({}))) as { type?: string };
  return { status: response.status, type: body.type };
}
