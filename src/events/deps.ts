import type { Kysely } from 'kysely';
import type { Actor, ChangeRecorder } from '../core/changes.js';
import { RabtaError } from '../core/problems.js';
import type { Egress } from '../egress/index.js';
import type { LegalBasisCheck } from '../exchange/index.js';
import type { AppendInput } from '../ledger/service.js';
import type { Registry } from '../registry/index.js';
import type { Database, StoreDialect, WriteBatcher } from '../store/index.js';

/** What the tracker is told, in the publishing transaction, about an event that concerns people. */
export interface PersonalEvent {
  eventId: string;
  topic: string;
  publisher: string;
  at: number;
  purpose: string;
  legalBasis: 'consent' | 'statute';
  /** the statute, or the consent artefact ids, as the legal-basis check answered */
  reference: string | null;
  /** keyed hashes (HMAC-SHA-256 with the subject secret), one per distinct subject */
  subjectHashes: string[];
  /** the subscriber subsystems the event goes to (webhook or pull), each once */
  recipients: string[];
}

/** The data tracker's entry point for events; the consent module supplies it. */
export type PersonalEventHook = (trx: Kysely<Database>, event: PersonalEvent) => Promise<void>;

export interface EventsNotice {
  memberId: string;
  kind: 'subscription-disabled';
  subscriptionId: string;
  detail: string;
  at: number;
}

export interface EventsDeps {
  db: Kysely<Database>;
  batch: WriteBatcher<Database>;
  dialect: StoreDialect;
  registry: Registry;
  /** the registry's change recorder: topic, access and subscription changes are journalled like registry changes */
  recorder: ChangeRecorder;
  ledger: { append(db: Kysely<Database>, input: AppendInput): Promise<void> };
  egress: Egress;
  /** the address classes the egress policy allows besides public ones (RABTA_EGRESS_ALLOW) */
  egressAllow: readonly string[];
  legalBasis: LegalBasisCheck;
  onPersonalEvent?: PersonalEventHook | undefined;
  subjectSecret: Buffer;
  now: () => number;
}

/** Runs a change and its journal entry in one transaction, as the registry's `change()` does. */
export async function change<T>(
  deps: Pick<EventsDeps, 'db' | 'recorder' | 'now'>,
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown>,
  apply: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    const result = await apply(trx);
    await deps.recorder.record(trx, { actor: actor.id, action, target, details, at: deps.now() });
    return result;
  });
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

// The registry keeps these helpers to itself; events needs the same few rules.
export function requireMemberScope(actor: Actor, memberId: string): void {
  if (actor.role === 'authority-admin' || actor.role === 'system') return;
  if (actor.memberId !== memberId) {
    throw new RabtaError('forbidden', `this token acts for ${actor.memberId ?? 'no member'}, not ${memberId}`);
  }
}

export function notFound(what: string, id: string): RabtaError {
  return new RabtaError('not-found', `${what} ${id} does not exist`, { extensions: { id } });
}

/** Unique-constraint violations of both drivers. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
