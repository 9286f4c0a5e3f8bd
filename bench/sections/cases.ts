import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { Agent, request } from 'undici';
import { loadConfig } from '../../src/config/index.js';
import { SYSTEM_ACTOR } from '../../src/core/index.js';
import { buildServer, createPlatform } from '../../src/platform/index.js';
import { benchDatabase } from '../lib/database.js';
import { fixed, table, whole } from '../lib/section.js';
import type { Section } from '../lib/section.js';
import type { AllTables } from '../../test/tables.js';

const AUTHORITY = { kind: 'authority', by: 'bench' } as const;
const DAY_MS = 1000;
const DUE = 200;

/**
 * Cases: how many Open311 requests open a case per second (form-encoded
 * POST requests.json, each a case with its reference, timeline entry, ledger
 * leaf, first-response task and outbox row in one transaction) against a bare
 * Fastify POST that parses the same form and answers the same shape, under
 * the same load in the same process; and how long the deadline sweep takes
 * with a million open tasks, of which a few hundred are due (it reads only
 * what is due through the partial index, so the million should not show).
 * `--cases-open N` sets the open tasks (default 100,000, to stay within a
 * minute on a small machine; `--cases-open 1000000` gives `sweep_ms_1m`).
 */
export const casesSection: Section = {
  name: 'cases',
  async run({ args, log }) {
    const database = await benchDatabase(args.database, 'cases');
    const clock = { now: Date.UTC(2026, 2, 2, 5) };
    const config = loadConfig(database.env({ RABTA_CASES_WORKING_DAY_MS: String(DAY_MS), RABTA_LOG_LEVEL: 'warn' }));
    const platform = await createPlatform(config, { background: false, now: () => clock.now, cases: { sms: { send: async () => undefined } } });
    const apps: FastifyInstance[] = [];
    try {
      await platform.registry.createMember(SYSTEM_ACTOR, { memberClass: 'BANK', code: 'HBL', nameEn: 'Habib Bank Limited', nameUr: 'حبیب بینک' });
      await platform.cases.putCategory(AUTHORITY, { code: 'BANK', nameEn: 'Bank', nameUr: 'بینک', lead: 'PK/BANK/HBL', firstResponseDays: 1, resolutionDays: 3 });
      await platform.cases.setEscalationLevels(AUTHORITY, 'PK/BANK/HBL', ['head of complaints', 'president']);
      const { apiKey } = await platform.cases.createIntakeKey(AUTHORITY, { member: null, label: 'bench' });
      const form = (i: number) => new URLSearchParams({ api_key: apiKey, service_code: 'BANK', address_id: 'BA-QUETTA', description: `ATM ne paise nahi diye, card se kat gaye ${i}`, phone: '+923001234567' }).toString();

      const bare = Fastify();
      bare.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
      let bareCount = 0;
      bare.post('/open311/v2/requests.json', async (req) => {
        const post = req.body as Record<string, string>;
        if (!post.service_code || !post.description) throw new Error('bad form');
        return [{ service_request_id: `RB-26-${String(++bareCount).padStart(6, '0')}-0`, service_notice: 'ok', account_id: null, token: 'x' }];
      });
      apps.push(bare);
      const rabta = await buildServer(platform);
      apps.push(rabta);
      const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
      const rabtaUrl = await rabta.listen({ port: 0, host: '127.0.0.1' });

      const seconds = Math.min(args.duration, 5);
      const connections = Math.min(args.connections, 16);
      log(`cases: bare POST baseline, ${connections} connections for ${seconds} s`);
      const baseline = await load(bareUrl, form, connections, seconds);
      log(`cases: Open311 requests.json opening cases, the same load`);
      const opened = await load(rabtaUrl, form, connections, seconds);
      const count = Number((await platform.store.tables<AllTables>().selectFrom('cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      if (count !== opened.ok + opened.warm) throw new Error(`${opened.ok + opened.warm} requests answered 200 but ${count} cases exist`);

      const open = args.casesOpen;
      log(`cases: ${whole(open)} open tasks (filled by SQL), ${DUE} of them due, then one sweep`);
      await fill(platform.store.tables<AllTables>(), open, clock.now);
      const filler = Number((await platform.store.tables<AllTables>().selectFrom('case_tasks').select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'open').executeTakeFirstOrThrow()).n);
      for (let i = 0; i < DUE; i++) await platform.cases.open(AUTHORITY, { category: 'BANK', text: `due ${i}`, channel: 'admin', intake: 'bench' });
      clock.now += 2 * DAY_MS;
      let started = performance.now();
      const swept = await platform.cases.sweepWithoutNodeLock();
      const sweepMs = performance.now() - started;
      if (swept.escalated < DUE) throw new Error(`the sweep escalated ${swept.escalated} of ${DUE} due tasks`);
      started = performance.now();
      await platform.cases.sweepWithoutNodeLock();
      const idleMs = performance.now() - started;

      const ratio = opened.perSecond / baseline.perSecond;
      const sizeKey = open === 1_000_000 ? '1m' : `${open}`;
      const json = {
        opened_per_s: Math.round(opened.perSecond),
        baseline_per_s: Math.round(baseline.perSecond),
        ratio: +ratio.toFixed(3),
        opened_p99_ms: +opened.p99.toFixed(1),
        durability: database.durability,
        [`sweep_ms_${sizeKey}`]: +sweepMs.toFixed(1),
        [`sweep_idle_ms_${sizeKey}`]: +idleMs.toFixed(1),
        escalation_ms: +(sweepMs / DUE).toFixed(2),
        sweep_open_tasks: filler,
        sweep_due: DUE,
        connections,
        seconds,
      };
      return {
        database: database.kind,
        json: { cases: json },
        report: [
          `cases (Open311 POST requests.json, ${connections} connections × ${seconds} s, ${database.durability}):`,
          ...table(
            ['', 'per second', 'p99 ms'],
            [
              ['bare POST (baseline)', whole(baseline.perSecond), fixed(baseline.p99)],
              ['cases opened over Open311', whole(opened.perSecond), fixed(opened.p99)],
            ],
          ),
          `ratio ${fixed(ratio, 3)} (aim ≥ 0.3); sweep over ${whole(filler)} open tasks: ${fixed(sweepMs)} ms escalating ${DUE} due, ${fixed(idleMs)} ms with none due (aim ≤ 1,000 ms); each escalation is a transaction of its own, ${fixed(sweepMs / DUE, 2)} ms`,
        ],
      };
    } finally {
      for (const app of apps) await app.close();
      await platform.close();
      await database.drop();
    }
  },
};

/**
 * Closed-loop load: each connection posts as soon as its last answer came.
 * A second unmeasured first opens the connections and warms the code: on a
 * loaded host a connection's first SYN is sometimes retried after seconds.
 */
async function load(url: string, body: (i: number) => string, connections: number, seconds: number) {
  const agent = new Agent({ connections, pipelining: 1 });
  let latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let firstFailure = '';
  let n = 0;
  const run = async (ms: number) => {
    const until = performance.now() + ms;
    const worker = async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const response = await request(`${url}/open311/v2/requests.json`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body(n++) });
        const text = await response.body.text();
        if (response.statusCode === 200) ok++;
        else if (failed++ === 0) firstFailure = `HTTP ${response.statusCode}: ${text.slice(0, 500)}`;
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: connections }, worker));
  };
  await run(1000);
  const warm = ok;
  latencies = [];
  const started = performance.now();
  await run(seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  ok -= warm;
  await agent.close();
  if (failed > 0) throw new Error(`${failed} requests failed, the first with ${firstFailure}`);
  latencies.sort((a, b) => a - b);
  return { ok, warm, perSecond: ok / elapsed, p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN };
}

/**
 * Open cases with an open resolve task each, due in a month: one SQL statement
 * per table, in the database's own loop. The numbers are literals, so that
 * PostgreSQL types them as it would a column's (a parameter in a select list
 * is text to it, and `$1 + i` an integer too small for a time).
 */
async function fill(db: Kysely<AllTables>, rows: number, at: number): Promise<void> {
  const [count, now, later] = [sql.lit(rows), sql.lit(at), sql.lit(at + 30 * 86_400_000)];
  await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    INSERT INTO cases (id, reference, category, state, lead_member, anonymous, language, text, channel, intake, token, resolution_due, escalation_level, opened_at, updated_at, version)
    SELECT 'fill-' || i, 'FILL-' || i, 'BANK', 'in-progress', 'PK/BANK/HBL', 0, 'ur', 'x', 'admin', 'bench', 't' || i, ${later}, 0, ${now}, ${now}, 1 FROM n`.execute(db);
  await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    INSERT INTO case_tasks (id, case_id, kind, title, assignee_member, due_at, state, escalation_level, created_at)
    SELECT 'fill-task-' || i, 'fill-' || i, 'resolve', 'resolve', 'PK/BANK/HBL', ${later} + i, 'open', 0, ${now} FROM n`.execute(db);
}
