import type { Kysely } from 'kysely';

import type { Ledger } from './service.js';
import { pushCheckpoint } from './witness-client.js';
import type { WitnessHttpCall } from './witness-client.js';
import type { LedgerTables } from './tables.js';

export interface WitnessTarget {
  name: string;
  vkey: string;
  url: string;
}

export interface WitnessingDeps {
  db: Kysely<LedgerTables>;
  ledger: Pick<Ledger, 'latestCheckpoint' | 'consistencyProof'>;
  witnesses: () => Promise<WitnessTarget[]>;
  /** the egress policy's call: witnesses are outbound calls like any other */
  call: WitnessHttpCall;
  now: () => number;
  onError?: (witness: string, error: unknown) => void;
  /** the first retry's delay after a failed push; it doubles up to `maxRetryMs` (defaults 250 ms and 60 s) */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface Witnessing {
  /** the ledger's checkpoint listener */
  onCheckpoint(checkpoint: { size: number; note: string }): void;
  /** pushes the latest checkpoint to every witness that has not cosigned it (at start, after a restart) */
  start(): void;
  stop(): void;
}

interface WitnessLoop {
  busy: boolean;
  /** a checkpoint arrived while a push was running: look again when it ends */
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  delayMs: number;
}

/**
 * Keeps every registered witness's cosignature of the latest checkpoint, which
 * /ledger/checkpoint then serves. Publication never waits for this. Each
 * witness has its own loop: it pushes the latest checkpoint until the witness
 * has cosigned it, retrying with back-off when the witness is down, not yet
 * listening or refusing — a push that failed is never simply forgotten (the
 * C2SP protocol lets a witness catch up with a consistency proof). A witness
 * whose address changed in the registry is reached at the new one, since
 * every attempt reads the registry afresh.
 */
export function createWitnessing(deps: WitnessingDeps): Witnessing {
  const retryMs = deps.retryMs ?? 250;
  const maxRetryMs = deps.maxRetryMs ?? 60_000;
  const loops = new Map<string, WitnessLoop>();
  // A witness that is down is reported once, not at every attempt, until it answers again.
  const failing = new Set<string>();
  let stopped = false;

  async function cosignedSize(witness: string): Promise<number> {
    const last = await deps.db
      .selectFrom('ledger_cosignatures')
      .select((eb) => eb.fn.max('size').as('size'))
      .where('witness', '=', witness)
      .executeTakeFirst();
    return Number(last?.size ?? 0);
  }

  /** Resolves true when the witness holds a cosignature of the latest checkpoint (or it is gone). */
  async function bringUpToDate(name: string): Promise<boolean> {
    const witness = (await deps.witnesses()).find((w) => w.name === name);
    if (!witness) return true;
    const checkpoint = await deps.ledger.latestCheckpoint();
    if (!checkpoint) return true;
    const last = await cosignedSize(name);
    if (last >= checkpoint.size) return true;
    const result = await pushCheckpoint({
      witnessUrl: witness.url,
      witnessVkey: witness.vkey,
      oldSize: last,
      consistencyProof: (from, to) => deps.ledger.consistencyProof(from, to),
      signedCheckpoint: checkpoint.note,
      call: deps.call,
      timeoutMs: 5000,
    });
    for (const line of result.lines) {
      await deps.db
        .insertInto('ledger_cosignatures')
        .values({ size: checkpoint.size, witness: name, line, at: deps.now() })
        .onConflict((oc) => oc.columns(['size', 'witness']).doNothing())
        .execute();
    }
    // A newer checkpoint may have been signed meanwhile: the loop looks again.
    return false;
  }

  function loopOf(name: string): WitnessLoop {
    let loop = loops.get(name);
    if (!loop) {
      loop = { busy: false, again: false, timer: undefined, delayMs: retryMs };
      loops.set(name, loop);
    }
    return loop;
  }

  function run(name: string): void {
    const loop = loopOf(name);
    if (stopped) return;
    if (loop.busy) {
      loop.again = true;
      return;
    }
    // Waiting out a back-off: a new checkpoint does not hurry a witness that is failing.
    if (loop.timer) return;
    loop.busy = true;
    loop.again = false;
    bringUpToDate(name)
      .then((done) => {
        loop.delayMs = retryMs;
        failing.delete(name);
        loop.busy = false;
        if (!done || loop.again) run(name);
      })
      .catch((error: unknown) => {
        loop.busy = false;
        if (!failing.has(name)) {
          failing.add(name);
          deps.onError?.(name, error);
        }
        if (stopped) return;
        loop.timer = setTimeout(() => {
          loop.timer = undefined;
          run(name);
        }, loop.delayMs);
        loop.timer.unref();
        loop.delayMs = Math.min(loop.delayMs * 2, maxRetryMs);
      });
  }

  function all(): void {
    void deps.witnesses().then(
      (witnesses) => {
        for (const witness of witnesses) run(witness.name);
      },
      (error: unknown) => deps.onError?.('(registry)', error),
    );
  }

  return {
    onCheckpoint: () => all(),
    start: () => {
      stopped = false;
      all();
    },
    stop: () => {
      stopped = true;
      for (const loop of loops.values()) {
        if (loop.timer) clearTimeout(loop.timer);
        loop.timer = undefined;
      }
    },
  };
}
