import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { SYSTEM_ACTOR } from '../core/index.js';
import { createPlatform } from '../platform/index.js';
import { freePort } from '../platform/testing.js';
import { newKeysFile, writeKeysFile } from '../keyring/index.js';
import { signRequest } from '../sdk/index.js';
import { openStore } from '../store/index.js';
import { freshDatabase, testDialects } from '../store/testing.js';
import type { TestDatabase } from '../store/testing.js';
import { approvedKey, until } from './testing.js';
import type { ClientKey } from './testing.js';
import type { EventsTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const PUBLISHER = 'PK/BANK/HBL/disbursement';
const TOPIC = `${PUBLISHER}/branch.opened`;
const EVENTS = 300;
/** the receiver answers this many once publishing is over, then holds every request until the server has been killed */
const ANSWER_BEFORE_KILL = 100;

/**
 * A webhook endpoint the test steers through the crash. It fails the first
 * attempt of every tenth event (500), answers the rest after a short delay and
 * verifies every delivery with standardwebhooks. It starts `closed`: requests
 * are held, unanswered, while the test publishes (so that delivery cannot race
 * ahead of publishing); `answerUntil(n)` answers until n events are accepted
 * and holds what comes after, so the server dies with deliveries in flight;
 * `open()` answers everything. While it holds nothing fails, so the server's
 * circuit breaker stays closed. An event counts as received only when it was
 * answered 2xx on a connection that was still open: an answer to a dead
 * server proves nothing.
 */
async function startReceiver(secret: () => string) {
  const seen = new Set<string>();
  const accepted = new Set<string>();
  const problems: string[] = [];
  let mode: 'closed' | 'until' | 'open' = 'closed';
  let limit = 0;
  let heldAtLimit = 0;
  let wake: () => void = () => undefined;
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const setMode = (next: typeof mode) => {
    mode = next;
    wake();
    changed = new Promise<void>((resolve) => (wake = resolve));
  };
  const holding = () => mode === 'closed' || (mode === 'until' && accepted.size >= limit);

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', async () => {
      const id = String(request.headers['webhook-id']);
      let n: number;
      try {
        n = (new Webhook(secret()).verify(Buffer.concat(chunks).toString('utf8'), request.headers as Record<string, string>) as { data: { n: number } }).data.n;
      } catch (error) {
        problems.push(`${id}: ${(error as Error).message}`);
        response.writeHead(400).end();
        return;
      }
      if (holding() && mode === 'until') heldAtLimit++;
      while (holding()) await changed;
      await new Promise((resolve) => setTimeout(resolve, 5 + (n % 7) * 5));
      if (request.socket.destroyed) return;
      const first = !seen.has(id);
      seen.add(id);
      if (first && n % 10 === 0) {
        response.writeHead(500).end();
        return;
      }
      response.writeHead(204).end();
      accepted.add(id);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    accepted,
    problems,
    heldAtLimit: () => heldAtLimit,
    answerUntil(n: number) {
      limit = n;
      setMode('until');
    },
    open: () => setMode('open'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `rabta start` in a process of its own, ready once /healthz answers. */
async function startServer(env: NodeJS.ProcessEnv, publicUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${stderr}`);
      return fetch(`${publicUrl}/healthz`).then((r) => r.ok, () => false);
    },
    // A loaded machine takes tens of seconds to start a process that compiles TypeScript as it loads.
    120_000,
    'the server to start',
  );
  return child;
}

function stopServer(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

async function publish(publicUrl: string, key: ClientKey, n: number): Promise<{ status: number; id: string }> {
  const path = `/events/${TOPIC}`;
  const body = Buffer.from(JSON.stringify({ n }));
  const headers: Record<string, string> = { 'rabta-client': key.client, 'content-type': 'application/json' };
  Object.assign(headers, await signRequest({ method: 'POST', targetUri: `${publicUrl}${path}`, headers, body, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request' }));
  const response = await fetch(`${publicUrl}${path}`, { method: 'POST', headers, body });
  const answer = (await response.json()) as { id: string };
  return { status: response.status, id: answer.id };
}

/**
 * At least once across a crash: the server is SIGKILLed while webhook
 * deliveries are in flight (some answered, some held by the receiver, some
 * failed and waiting for their retry), then started again on the same data
 * directory. Every acknowledged publication must reach the receiver, and the
 * database must hold exactly the events that were acknowledged.
 */
for (const dialect of testDialects(postgresUrl)) {
  describe(`webhook delivery across a crash of the server on ${dialect}`, () => {
    let database: TestDatabase | undefined;
    let server: ChildProcess | undefined;
    let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

    afterAll(async () => {
      await stopServer(server, 'SIGKILL');
      receiver?.open();
      await receiver?.close();
      await database?.drop();
    });

    it('delivers every acknowledged event at least once after SIGKILL and a restart', async () => {
      database = await freshDatabase(dialect, postgresUrl);
      let secret = '';
      receiver = await startReceiver(() => secret);
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        RABTA_DATA_DIR: database.dataDir,
        PORT: String(port),
        RABTA_EGRESS_ALLOW: 'loopback',
        RABTA_LOG_LEVEL: 'error',
        // Retries within seconds (twenty attempts, so that none becomes a dead letter however slow the
        // machine), and the killed process's claims back after 2 s rather than a minute.
        RABTA_EVENTS_RETRY_SCHEDULE_MS: ['0,100,250,500', ...Array<string>(16).fill('1000')].join(','),
        RABTA_EVENTS_LEASE_MS: '2000',
      };
      for (const name of ['DATABASE_URL', 'RABTA_KEYS_FILE', 'RABTA_PUBLIC_URL', 'RABTA_INSTANCE', 'RABTA_WORKERS']) delete env[name];
      if (database.databaseUrl) {
        // On PostgreSQL the keys live in a file of their own, which the instance does not create.
        env.DATABASE_URL = database.databaseUrl;
        env.RABTA_KEYS_FILE = join(database.dataDir, 'keys.json');
        writeKeysFile(env.RABTA_KEYS_FILE, await newKeysFile());
      }

      const setup = await createPlatform(loadConfig(env), { background: false });
      let key: ClientKey;
      try {
        const r = setup.registry;
        await r.createMember(SYSTEM_ACTOR, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'HBL' });
        await r.createMember(SYSTEM_ACTOR, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'BISP' });
        await r.createSubsystem(SYSTEM_ACTOR, 'PK/BANK/HBL', { code: 'disbursement', name: 'd' });
        await r.createSubsystem(SYSTEM_ACTOR, 'PK/GOV/BISP', { code: 'payments', name: 'p' });
        await r.createPurpose(SYSTEM_ACTOR, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
        key = await approvedKey({ platform: setup }, PUBLISHER);
        await setup.events.createTopic(SYSTEM_ACTOR, PUBLISHER, { code: 'branch.opened', title: 'A branch opened', schema: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } });
        await setup.events.grantTopicAccess(SYSTEM_ACTOR, { topicId: TOPIC, subscriberId: 'PK/GOV/BISP/payments', purposes: ['disbursement'] });
        secret = (await setup.events.createSubscription(SYSTEM_ACTOR, { topicId: TOPIC, subscriberId: 'PK/GOV/BISP/payments', delivery: { webhook: receiver.url } })).secret as string;
      } finally {
        await setup.close();
      }
      const publicUrl = setup.config.publicUrl;

      server = await startServer(env, publicUrl);
      const acknowledged: string[] = [];
      for (let n = 0; n < EVENTS; n += 10) {
        const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => publish(publicUrl, key, n + i)));
        for (const answer of answers) {
          expect(answer.status).toBe(201);
          acknowledged.push(answer.id);
        }
      }
      expect(new Set(acknowledged).size).toBe(EVENTS);

      // Killed with deliveries in flight: some answered, some held open by the receiver, some waiting for a retry.
      const rx = receiver;
      rx.answerUntil(ANSWER_BEFORE_KILL);
      await until(() => rx.accepted.size >= ANSWER_BEFORE_KILL && rx.heldAtLimit() > 0, 60_000, 'deliveries in flight');
      await stopServer(server, 'SIGKILL');
      const beforeRestart = rx.accepted.size;
      expect(beforeRestart).toBeGreaterThan(0);
      expect(beforeRestart).toBeLessThan(EVENTS);
      rx.open();

      server = await startServer(env, publicUrl);
      await until(() => acknowledged.every((id) => rx.accepted.has(id)), 120_000, 'every acknowledged event at the receiver');
      expect(rx.problems).toEqual([]);

      // Read beside the running server, on whichever database it uses.
      const store = openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrations: [] });
      try {
        const db = store.tables<EventsTables>();
        const n = async (query: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }) => Number((await query.executeTakeFirstOrThrow()).n);
        const deliveries = (status: 'delivered' | 'other') =>
          n(db.selectFrom('event_deliveries').select((eb) => eb.fn.countAll().as('n')).where('status', status === 'delivered' ? '=' : '<>', 'delivered'));
        expect(await n(db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')))).toBe(acknowledged.length);
        // The restarted server records what it delivered: nothing stays pending, nothing died.
        await until(async () => (await deliveries('delivered')) === EVENTS, 30_000, 'every delivery recorded as delivered');
        expect(await deliveries('other')).toBe(0);
        // The receiver's refusals were recorded and retried.
        expect(await n(db.selectFrom('event_delivery_attempts').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 500))).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
      await stopServer(server, 'SIGTERM');
    }, 480_000);
  });
}
