import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startClusterDeployment } from '../../src/cli/cluster-deploy.js';
import type { Cluster } from '../../src/cli/cluster-deploy.js';
import { freeLocalPort } from '../../src/cli/cluster-processes.js';
import { SYSTEM_ACTOR } from '../../src/core/changes.js';
import { verifyConsistency } from '../../src/ledger/index.js';
import { freshDatabase } from '../../src/store/testing.js';
import type { TestDatabase } from '../../src/store/testing.js';
import { startPgbouncer } from './pgbouncer.js';
import type { Pgbouncer } from './pgbouncer.js';
import { demoClient, gatedReceiver, notInLog, notRecorded, sequencerNode, signedLoad, until, verifyWholeLog } from './support.js';
import type { AllTables } from '../tables.js';

const postgresUrl = inject('postgresUrl');
const TOPIC = 'PK/BANK/HBL/disbursement/cluster.probe';
const LOAD = 4;

/**
 * The deployment as `rabta cluster --nodes 3` runs it — HAProxy, three node
 * processes, the demo federation — on the real PostgreSQL server, with
 * PgBouncer in transaction mode between the nodes and the server. Nodes are
 * killed with SIGKILL under signed load; nothing acknowledged may be lost.
 */
describe.runIf(postgresUrl)('a three-node cluster behind HAProxy, through PgBouncer', () => {
  let database: TestDatabase;
  let bouncer: Pgbouncer;
  let cluster: Cluster;
  let receiver: Awaited<ReturnType<typeof gatedReceiver>>;
  const output: string[] = [];

  beforeAll(async () => {
    const server = new URL(postgresUrl as string);
    bouncer = await startPgbouncer({ host: server.hostname, port: Number(server.port || 5432) });
    database = await freshDatabase('postgres', postgresUrl);
    receiver = await gatedReceiver();
    cluster = await startClusterDeployment({
      nodes: 3,
      demo: true,
      env: {
        PORT: String(await freeLocalPort()),
        RABTA_DATA_DIR: database.dataDir,
        DATABASE_URL: bouncer.url(new URL(database.databaseUrl as string).pathname.slice(1)),
        RABTA_DEMO_UPSTREAM_PORT: '0',
        RABTA_DEMO_WITNESS_PORT: '0',
        RABTA_DEMO_SMSC_PORT: '0',
        RABTA_LOG_LEVEL: 'warn',
      },
      // A dead worker's claims lapse after 8 s (longer than the receiver holds a live one's); failures are retried soon.
      nodeEnv: { RABTA_EVENTS_LEASE_MS: '8000', RABTA_EVENTS_RETRY_SCHEDULE_MS: '0,200,500,1000,2000,3000,5000,8000,8000,8000' },
      readyTimeoutMs: 300_000,
      write: (line) => output.push(line),
    }).catch((error: unknown) => {
      // A start that fails says why only in the nodes' own output.
      console.error(output.join('\n'));
      throw error;
    });
    const events = cluster.demo!.platform.events;
    await events.createTopic(SYSTEM_ACTOR, 'PK/BANK/HBL/disbursement', { code: 'cluster.probe', title: 'Cluster probe', schema: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } }, retentionDays: 1 });
    await events.grantTopicAccess(SYSTEM_ACTOR, { topicId: TOPIC, subscriberId: 'PK/GOV/BISP/payments', purposes: ['cash-transfer-disbursement'] });
    await events.createSubscription(SYSTEM_ACTOR, { topicId: TOPIC, subscriberId: 'PK/GOV/BISP/payments', delivery: { webhook: receiver.url } });
  }, 400_000);

  afterAll(async () => {
    await cluster?.stop();
    await receiver?.close();
    await bouncer?.stop();
    await database?.drop();
    if (process.env.RABTA_CLUSTER_TEST_OUTPUT) console.log(output.join('\n'));
  }, 60_000);

  it('loses nothing acknowledged when one of three nodes is SIGKILLed under signed load, and the others deliver its claimed webhooks', async () => {
    const db = cluster.demo!.platform.store.tables<AllTables>();
    const { client, example } = await demoClient(cluster, 'HBL-branch-app.json');
    const { client: publisher } = await demoClient(cluster, 'HBL-disbursement.json');
    const load = signedLoad(client, example, LOAD);
    try {
      await until('signed calls are acknowledged', () => load.acknowledged.length >= 20);
      // Webhook deliveries claimed by every node, held in flight by the receiver.
      const published: string[] = [];
      for (let n = 0; n < 30; n++) published.push((await publisher.publish(TOPIC, { n })).id);
      const sequencer = await sequencerNode(db, cluster);
      const victim = cluster.nodes.find((node) => node !== sequencer)!;
      const claimedBy = (pid: number) => db.selectFrom('event_deliveries').select('id').where('status', '=', 'pending').where('locked_by', 'like', `%-${pid}-%`).execute();
      let claimed: number[] = [];
      await until('the victim holds claimed deliveries in flight', async () => (claimed = (await claimedBy(victim.process.pid!)).map((r) => r.id)).length > 0);

      const before = load.acknowledged.length;
      const failuresBefore = load.failures.length;
      await cluster.kill(victim, 'SIGKILL');
      receiver.open();
      await until('the survivors keep acknowledging', () => load.acknowledged.length >= before + 30);
      await until('every published event is delivered', async () => {
        const pending = await db.selectFrom('event_deliveries').select('id').where('status', '!=', 'delivered').execute();
        return pending.length === 0 && published.every((id) => receiver.received.has(id));
      });
      // The dead node's claims were delivered by a survivor, after its lease.
      const attempts = await db.selectFrom('event_delivery_attempts').select(['delivery_id', 'worker', 'status']).where('delivery_id', 'in', claimed).execute();
      for (const id of claimed) {
        const good = attempts.filter((a) => a.delivery_id === id && a.status !== null && a.status < 300);
        expect(good.length).toBeGreaterThan(0);
        expect(good.every((a) => !a.worker.includes(`-${victim.process.pid}-`))).toBe(true);
      }
      await load.stop();
      // The client sees at most the requests that were in flight on the dead node.
      expect(load.failures.length - failuresBefore).toBeLessThanOrEqual(LOAD);
      const acknowledged = [...load.acknowledged];
      expect(await notRecorded(db, acknowledged)).toEqual([]);
      await until('every acknowledged exchange is in the log', async () => (await notInLog(db, acknowledged)).length === 0);
      const verified = await verifyWholeLog(cluster.url, 0);
      expect(verified).toMatchObject({ ok: true });
    } finally {
      await load.stop();
    }
  }, 150_000);

  it('moves the sequencer when its node is killed: the queue is integrated, checkpoints and cosignatures continue one consistent chain', async () => {
    const db = cluster.demo!.platform.store.tables<AllTables>();
    const ledger = cluster.demo!.platform.ledger;
    const { client, example } = await demoClient(cluster, 'HBL-branch-app.json');
    const first = await sequencerNode(db, cluster);
    expect(first).toBeDefined();
    const lastCosigned = async () => Number((await db.selectFrom('ledger_cosignatures').select((eb) => eb.fn.max('size').as('size')).executeTakeFirst())?.size ?? 0);
    await until('the witness cosigns the first sequencer’s checkpoints', async () => (await lastCosigned()) > 0);
    const load = signedLoad(client, example, LOAD);
    try {
      await until('load is running', () => load.acknowledged.length >= 10);
      await cluster.kill(first!, 'SIGKILL');
      const killedAt = Date.now();
      const oldCheckpoint = (await ledger.latestCheckpoint())!;
      const cosignedBefore = await lastCosigned();
      await until('another node holds the sequencer', async () => {
        const next = await sequencerNode(db, cluster);
        return next !== undefined && next !== first;
      }, 20_000);
      output.push(`sequencer taken over ${Date.now() - killedAt} ms after the kill`);
      const queuedAfterKill = load.acknowledged.length;
      await until('the new sequencer integrates what was queued after the kill', async () => (await notInLog(db, load.acknowledged.slice(0, queuedAfterKill + 5))).length === 0);
      await until('the witness cosigns a checkpoint of the new sequencer', async () => (await lastCosigned()) > Math.max(cosignedBefore, oldCheckpoint.size));
      await load.stop();
      const newCheckpoint = (await ledger.latestCheckpoint())!;
      expect(newCheckpoint.size).toBeGreaterThan(oldCheckpoint.size);
      const roots = await db.selectFrom('ledger_checkpoints').select(['size', 'root']).where('size', 'in', [oldCheckpoint.size, newCheckpoint.size]).orderBy('size').execute();
      const proof = await ledger.consistencyProof(oldCheckpoint.size, newCheckpoint.size);
      expect(verifyConsistency(oldCheckpoint.size, newCheckpoint.size, proof, roots[0]!.root, roots[1]!.root)).toMatchObject({ ok: true });
      const acknowledged = [...load.acknowledged];
      expect(await notRecorded(db, acknowledged)).toEqual([]);
      await until('every acknowledged exchange is in the log', async () => (await notInLog(db, acknowledged)).length === 0);
      // The whole log verifies from public keys. (The latest checkpoint itself may not be cosigned yet:
      // a push that finds the witness busy waits for the next checkpoint, and after the load there is none.)
      expect(await verifyWholeLog(cluster.url, 0)).toMatchObject({ ok: true });
    } finally {
      await load.stop();
    }
  }, 150_000);
});
