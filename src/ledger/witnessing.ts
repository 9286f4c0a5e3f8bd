import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import type { Ledger } from './service.js';
import { pushCheckpoint } from './witness-client.js';
import type { WitnessHttpCall } from './witness-client.js';

export interface WitnessTarget {
  name: string;
  vkey: string;
  url: string;
}

export interface WitnessingDeps {
  db: Kysely<Database>;
  ledger: Ledger;
  witnesses: () => Promise<WitnessTarget[]>;
  /** the egress policy's call: witnesses are outbound calls like any other */
  call: WitnessHttpCall;
  now: () => number;
  onError?: (witness: string, error: unknown) => void;
}

/**
 * Sends each new checkpoint to the registry's witnesses and keeps the
 * cosignatures they return, which /ledger/checkpoint then serves. Publication
 * never waits for this; a witness that is busy or down simply gets a later
 * checkpoint (the C2SP protocol lets it catch up with a consistency proof).
 */
export function createWitnessing(deps: WitnessingDeps) {
  const inFlight = new Set<string>();
  // A witness that is down is reported once, not at every checkpoint, until it answers again.
  const failing = new Set<string>();

  async function pushTo(witness: WitnessTarget, checkpoint: { size: number; note: string }) {
    const last = await deps.db
      .selectFrom('ledger_cosignatures')
      .select((eb) => eb.fn.max('size').as('size'))
      .where('witness', '=', witness.name)
      .executeTakeFirst();
    const result = await pushCheckpoint({
      witnessUrl: witness.url,
      witnessVkey: witness.vkey,
      oldSize: Number(last?.size ?? 0),
      consistencyProof: (from, to) => deps.ledger.consistencyProof(from, to),
      signedCheckpoint: checkpoint.note,
      call: deps.call,
      timeoutMs: 5000,
    });
    for (const line of result.lines) {
      await deps.db
        .insertInto('ledger_cosignatures')
        .values({ size: checkpoint.size, witness: witness.name, line, at: deps.now() })
        .onConflict((oc) => oc.columns(['size', 'witness']).doNothing())
        .execute();
    }
  }

  return function onCheckpoint(checkpoint: { size: number; note: string }): void {
    void deps.witnesses().then((witnesses) => {
      for (const witness of witnesses) {
        if (inFlight.has(witness.name)) continue;
        inFlight.add(witness.name);
        pushTo(witness, checkpoint)
          .then(() => failing.delete(witness.name))
          .catch((error: unknown) => {
            if (failing.has(witness.name)) return;
            failing.add(witness.name);
            deps.onError?.(witness.name, error);
          })
          .finally(() => inFlight.delete(witness.name));
      }
    }, () => undefined);
  };
}
