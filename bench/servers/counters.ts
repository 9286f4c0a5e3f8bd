import crypto from 'node:crypto';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';

/**
 * Timing counters for one gateway worker (--counters): wall time spent inside
 * SQLite statements (prepare and step, fsync included: better-sqlite3 is
 * synchronous, so it is event-loop time), inside Ed25519 sign and verify, in
 * GC, and the event loop's busy time. Installed by patching the prototypes and
 * the node:crypto exports before any request is served — no change to src/.
 */

export interface TimedCall {
  calls: number;
  ms: number;
  maxMs: number;
  /** calls of a millisecond or more: a SQLite lock wait (busy handler sleeps ≥ 1 ms) or a slow fsync */
  slow: number;
}

export interface WorkerCounters {
  pid: number;
  requests: number;
  wallMs: number;
  /** event-loop busy time (ms) over the window */
  busyMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  gcMs: number;
  /** keyed by statement kind: "prepare", "BEGIN", "INSERT nonces", "SELECT services", … */
  sqlite: Record<string, TimedCall>;
  crypto: Record<'sign' | 'verify', TimedCall>;
}

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

export function installCounters() {
  let sqlite: Record<string, TimedCall> = {};
  const noCalls = (): TimedCall => ({ calls: 0, ms: 0, maxMs: 0, slow: 0 });
  let cryptoCalls: WorkerCounters['crypto'] = { sign: noCalls(), verify: noCalls() };
  let requests = 0;
  let gcMs = 0;
  let since = performance.now();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();

  const add = (table: Record<string, TimedCall>, key: string, ms: number) => {
    const entry = (table[key] ??= { calls: 0, ms: 0, maxMs: 0, slow: 0 });
    entry.calls++;
    entry.ms += ms;
    if (ms > entry.maxMs) entry.maxMs = ms;
    if (ms >= 1) entry.slow++;
  };
  const timed = (original: AnyFn, account: (ms: number, self: unknown) => void): AnyFn =>
    function (this: unknown, ...args: unknown[]) {
      const start = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        account(performance.now() - start, this);
      }
    };

  // better-sqlite3 is CommonJS; its Statement class is only reachable through an instance.
  const require = createRequire(import.meta.url);
  const Database = require('better-sqlite3') as new (file: string) => { prepare(sql: string): object; close(): void };
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, AnyFn>;
  probe.close();
  const dbProto = Database.prototype as unknown as Record<string, AnyFn>;
  dbProto.prepare = timed(dbProto.prepare as AnyFn, (ms) => add(sqlite, 'prepare', ms));
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statementProto[method];
    if (typeof original !== 'function') continue;
    statementProto[method] = timed(original, (ms, self) => add(sqlite, statementKind((self as { source: string }).source), ms));
  }

  const c = crypto as unknown as Record<string, AnyFn>;
  c.sign = timed(c.sign as AnyFn, (ms) => add(cryptoCalls, 'sign', ms));
  c.verify = timed(c.verify as AnyFn, (ms) => add(cryptoCalls, 'verify', ms));
  // ESM named imports of node:crypto (src/sdk/verify.ts) see the patched functions only after this.
  syncBuiltinESMExports();

  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });

  return {
    countRequest() {
      requests++;
    },
    reset() {
      sqlite = {};
      cryptoCalls = { sign: noCalls(), verify: noCalls() };
      requests = 0;
      gcMs = 0;
      since = performance.now();
      elu = performance.eventLoopUtilization();
      cpu = process.cpuUsage();
    },
    read(): WorkerCounters {
      const loop = performance.eventLoopUtilization(elu);
      const used = process.cpuUsage(cpu);
      return {
        pid: process.pid,
        requests,
        wallMs: performance.now() - since,
        busyMs: loop.active,
        cpuUserMs: used.user / 1000,
        cpuSystemMs: used.system / 1000,
        gcMs,
        sqlite,
        crypto: cryptoCalls,
      };
    },
  };
}

/** "INSERT nonces", "SELECT subsystem_keys", "BEGIN", … — enough to tell the statements of the pipeline apart. */
function statementKind(sql: string): string {
  const verb = (/^\s*(\w+)/.exec(sql)?.[1] ?? '?').toUpperCase();
  const table = /\b(?:from|into|update)\s+"?(\w+)"?/i.exec(sql)?.[1];
  return table ? `${verb} ${table}` : verb;
}
