import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureClusterDatabase, startClusterDeployment } from '../../src/cli/cluster-deploy.js';
import type { Cluster } from '../../src/cli/cluster-deploy.js';
import { freeLocalPort } from '../../src/cli/cluster-processes.js';
import { startPrivatePostgres } from './private-postgres.js';
import type { PrivatePostgres } from './private-postgres.js';
import { demoClient, notInLog, notRecorded, readiness, signedCallToNode, signedLoad, until } from './support.js';
import type { AllTables } from '../tables.js';

const postgresUrl = inject('postgresUrl');
const UNAVAILABLE = 'https://rabta.pk/problems/unavailable';

/**
 * The database goes away under load and comes back. Stopping the shared
 * server would break every other suite on the machine, so this cluster runs
 * on a PostgreSQL of its own (initdb into a temp dir, on a free port).
 */
describe.runIf(postgresUrl)('a cluster whose PostgreSQL stops and starts under load', () => {
  let server: PrivatePostgres;
  let cluster: Cluster;
  let dataDir: string;
  const output: string[] = [];

  beforeAll(async () => {
    server = await startPrivatePostgres();
    dataDir = mkdtempSync(join(tmpdir(), 'rabta-restart-'));
    cluster = await startClusterDeployment({
      nodes: 2,
      demo: true,
      env: {
        PORT: String(await freeLocalPort()),
        RABTA_DATA_DIR: dataDir,
        DATABASE_URL: await ensureClusterDatabase(server.url(), 'rabta'),
        RABTA_DEMO_UPSTREAM_PORT: '0',
        RABTA_DEMO_WITNESS_PORT: '0',
        RABTA_DEMO_SMSC_PORT: '0',
        RABTA_LOG_LEVEL: 'error',
      },
      readyTimeoutMs: 300_000,
      write: (line) => output.push(line),
    }).catch((error: unknown) => {
      // A start that fails says why only in the nodes' own output.
      console.error(output.join('\n'));
      throw error;
    });
  }, 400_000);

  afterAll(async () => {
    await cluster?.stop();
    server?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (process.env.RABTA_CLUSTER_TEST_OUTPUT) console.log(output.join('\n'));
  }, 60_000);

  it('answers 503 unavailable while the database is down, recovers by itself, and loses nothing acknowledged', async () => {
    const db = cluster.demo!.platform.store.tables<AllTables>();
    const { client, example } = await demoClient(cluster, 'HBL-branch-app.json');
    const load = signedLoad(client, example, 4);
    try {
      await until('signed calls are acknowledged', () => load.acknowledged.length >= 20);
      server.stop();
      for (const node of cluster.nodes) {
        await until(`${node.name} says it is not ready`, async () => {
          const ready = await readiness(node.url);
          return ready.status === 503 && ready.type === UNAVAILABLE;
        });
        // A signed call that reaches a node while its database is down is refused as unavailable, not failed.
        expect(await signedCallToNode(cluster, node.url, 'HBL-branch-app.json')).toEqual({ status: 503, type: UNAVAILABLE });
      }
      const acknowledgedWhileDown = load.acknowledged.length;
      await server.start();
      for (const node of cluster.nodes) await until(`${node.name} is ready again`, async () => (await readiness(node.url)).status === 200);
      await until('signed calls are acknowledged again', () => load.acknowledged.length >= acknowledgedWhileDown + 20);
      await load.stop();
      // What failed, failed as unavailable (from a node, or from HAProxy with no node ready): never a 500.
      expect(load.failures.filter((f) => f.status !== 503)).toEqual([]);
      const acknowledged = [...load.acknowledged];
      expect(await notRecorded(db, acknowledged)).toEqual([]);
      await until('every acknowledged exchange is in the log', async () => (await notInLog(db, acknowledged)).length === 0);
    } finally {
      await load.stop();
    }
  }, 180_000);
});
