import { RabtaError } from '../core/index.js';
import type { CaseRow } from './tables.js';

/**
 * Who acts on a case. An institution acts through its member (a signed call
 * by one of its subsystems, or its member admin); the authority sees and may
 * do everything; the citizen answers for their own case only.
 */
export type CaseActor =
  | { kind: 'institution'; member: string; by: string }
  | { kind: 'authority'; by: string }
  | { kind: 'citizen'; by: string }
  | { kind: 'system'; by: string };

export const actorLabel = (actor: CaseActor): string => (actor.kind === 'institution' ? `${actor.member}:${actor.by}` : `${actor.kind}:${actor.by}`);

export function onCase(row: CaseRow, partners: readonly string[], actor: CaseActor): boolean {
  if (actor.kind === 'authority' || actor.kind === 'system') return true;
  if (actor.kind !== 'institution') return false;
  return row.lead_member === actor.member || partners.includes(actor.member);
}

/** An institution that is not on the case learns nothing of it: the case is as good as absent. */
export function requireOnCase(row: CaseRow, partners: readonly string[], actor: CaseActor): void {
  if (!onCase(row, partners, actor)) throw new RabtaError('unknown-case', `case ${row.reference} does not exist`, { extensions: { reference: row.reference } });
}

export function requireLead(row: CaseRow, actor: CaseActor, what: string): void {
  if (actor.kind === 'authority' || actor.kind === 'system') return;
  if (actor.kind !== 'institution' || row.lead_member !== actor.member) {
    throw new RabtaError('forbidden', `only the lead institution (${row.lead_member ?? 'none yet'}) or the authority may ${what}`);
  }
}
