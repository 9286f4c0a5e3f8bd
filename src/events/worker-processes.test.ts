import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { approvedKey, signedSender, startReceiver, until } from './testing.js';
import type { ClientKey } from './testing.js';
import type { EventsTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const TOPIC = 'PK/BANK/HBL/disbursement/branch.opened';
const WORKER_MAIN = fileURLToPath(new URL('../platform/events-worker-main.ts', import.meta.url));

/**
 * Scale-out: delivery workers in processes of their own share one PostgreSQL
 * queue (FOR UPDATE SKIP LOCKED and leases), as nodes of a cluster would.
 */
describe.skipIf(!postgresUrl)('delivery worker processes sharing PostgreSQL', () => {
  let t: TestInstance;
  let hbl: ClientKey;
  let children: ChildProcess[] = [];
  const dirs: string[] = [];
  const receivers: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    // This process publishes only: every delivery is the children's.
    t = await startTestInstance('postgres', postgresUrl, { platform: { events: { worker: false } } });
    const r = t.platform.registry;
    await r.createMember(SYSTEM_ACTOR, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'HBL' });
    await r.createMember(SYSTEM_ACTOR, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'BISP' });
    await r.createSubsystem(SYSTEM_ACTOR, 'PK/BANK/HBL', { code: 'disbursement', name: 'd' });
    await r.createSubsystem(SYSTEM_ACTOR, 'PK/GOV/BISP', { code: 'payments', name: 'p' });
    await r.createPurpose(SYSTEM_ACTOR, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
    hbl = await approvedKey(t, 'PK/BANK/HBL/disbursement');
    await t.platform.events.createTopic(SYSTEM_ACTOR, 'PK/BANK/HBL/disbursement', { code: 'branch.opened', title: 'A branch opened', schema: { type: 'object', required: ['n'] } });
    await t.platform.events.grantTopicAccess(SYSTEM_ACTOR, { topicId: TOPIC, subscriberId: 'PK/GOV/BISP/payments', purposes: ['disbursement'] });
  });
  afterEach(async () => {
    await Promise.all(children.map(stopChild));
    children = [];
    await Promise.all(receivers.splice(0).map((rx) => rx.close()));
  });
  afterAll(async () => {
    await t?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function startWorker(args: string[]): Promise<ChildProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'rabta-worker-'));
    dirs.push(dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: t.database.databaseUrl,
        RABTA_KEYS_FILE: join(t.database.dataDir, 'keys.json'),
        RABTA_DATA_DIR: dataDir,
        RABTA_EGRESS_ALLOW: 'loopback',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      // A loaded machine takes tens of seconds to start a process that compiles TypeScript as it loads.
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 120_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) {
          clearTimeout(timer);
          resolve(child);
        }
      });
      child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
    });
  }

  function stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async function subscribe(answer: Parameters<typeof startReceiver>[0]) {
    const rx = await startReceiver(answer);
    receivers.push(rx);
    const sub = await t.platform.events.createSubscription(SYSTEM_ACTOR, { topicId: TOPIC, subscriberId: 'PK/GOV/BISP/payments', delivery: { webhook: rx.url } });
    return { rx, subscriptionId: sub.id };
  }

  async function publishMany(n: number): Promise<string[]> {
    const send = signedSender(t);
    const ids: string[] = [];
    for (let i = 0; i < n; i += 25) {
      const batch = await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, j) => send(hbl, 'POST', `/events/${TOPIC}`, { body: { n: i + j } })));
      for (const r of batch) {
        expect(r.status).toBe(201);
        ids.push(r.json().id as string);
      }
    }
    return ids;
  }

  const delivered = (subscriptionId: string) =>
    t.platform.store.tables<EventsTables>()
      .selectFrom('event_deliveries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('subscription_id', '=', subscriptionId)
      .where('status', '=', 'delivered')
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));

  it('two worker processes deliver N events between them, none twice', async () => {
    const N = 300;
    const { rx, subscriptionId } = await subscribe(() => ({ status: 204, delayMs: 3 }));
    const workers = await Promise.all([startWorker(['--batch', '8', '--poll-ms', '20']), startWorker(['--batch', '8', '--poll-ms', '20'])]);
    expect(workers).toHaveLength(2);
    const ids = await publishMany(N);
    await until(async () => (await delivered(subscriptionId)) === N, 60_000, `${N} deliveries`);
    // Nothing more comes: a sentinel published after the N is awaited, not a pause.
    const [sentinel] = await publishMany(1);
    await until(async () => rx.received.some((r) => r.headers['webhook-id'] === sentinel) && (await delivered(subscriptionId)) === N + 1, 30_000, 'the sentinel');
    const hits = rx.received.map((r) => r.headers['webhook-id'] as string).filter((id) => id !== sentinel);
    expect(hits).toHaveLength(N);
    expect(new Set(hits)).toEqual(new Set(ids));
    const byWorker = await t.platform.store.tables<EventsTables>()
      .selectFrom('event_delivery_attempts as a')
      .innerJoin('event_deliveries as d', 'd.id', 'a.delivery_id')
      .select(['a.worker', (eb) => eb.fn.countAll().as('n')])
      .where('d.subscription_id', '=', subscriptionId)
      .groupBy('a.worker')
      .execute();
    // Both shared the work, and each attempt was a success: nothing was attempted twice.
    expect(byWorker).toHaveLength(2);
    expect(byWorker.reduce((sum, w) => sum + Number(w.n), 0)).toBe(N + 1);
    for (const w of byWorker) expect(Number(w.n)).toBeGreaterThan(0);
  }, 300_000);

  it('the claims of a worker killed mid-delivery come back to the other once its lease lapses', async () => {
    const N = 20;
    const { rx, subscriptionId } = await subscribe(() => ({ status: 204, delayMs: 400 }));
    const doomed = await startWorker(['--batch', '20', '--poll-ms', '20', '--loops', '1', '--lease-ms', '1500', '--timeout-ms', '600']);
    const ids = await publishMany(N);
    // The doomed worker holds claims, its requests in flight, when it dies without a word.
    await until(() => rx.received.length > 0, 10_000, 'the first request');
    doomed.kill('SIGKILL');
    const claimedByDead = await t.platform.store.tables<EventsTables>().selectFrom('event_deliveries').select('id').where('subscription_id', '=', subscriptionId).where('status', '=', 'pending').where('locked_by', 'is not', null).execute();
    expect(claimedByDead.length).toBeGreaterThan(0);
    await startWorker(['--batch', '20', '--poll-ms', '20', '--lease-ms', '1500', '--timeout-ms', '600']);
    await until(async () => (await delivered(subscriptionId)) === N, 30_000, 'every delivery');
    // At least once: what the dead worker had sent may arrive again, but nothing is lost.
    expect(new Set(rx.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(ids));
  }, 300_000);
});
