import { RabtaError } from '../core/index.js';

export const CASE_STATES = ['new', 'triaged', 'in-progress', 'resolved', 'closed', 'reopened', 'transferred', 'duplicate', 'rejected', 'closed-unconfirmed'] as const;
export type CaseState = (typeof CASE_STATES)[number];

/**
 * `new → triaged → in-progress → resolved → closed`. Resolved is the lead's
 * proposal: the citizen closes it, or reopens it; silence closes it as
 * closed-unconfirmed, counted apart. A transferred case waits for its new lead
 * as a triaged one would. A late "2" still reopens an unconfirmed closure.
 */
const NEXT: Record<CaseState, readonly CaseState[]> = {
  new: ['triaged', 'transferred', 'duplicate', 'rejected'],
  triaged: ['in-progress', 'resolved', 'transferred', 'duplicate', 'rejected'],
  'in-progress': ['resolved', 'transferred', 'duplicate', 'rejected'],
  transferred: ['in-progress', 'resolved', 'transferred', 'duplicate', 'rejected'],
  reopened: ['in-progress', 'resolved', 'transferred', 'rejected'],
  resolved: ['closed', 'reopened', 'closed-unconfirmed'],
  'closed-unconfirmed': ['reopened'],
  closed: [],
  duplicate: [],
  rejected: [],
};

/** Closed for Open311 and for the sweep: nothing more is expected of an institution. */
export const FINISHED: readonly CaseState[] = ['closed', 'closed-unconfirmed', 'duplicate', 'rejected'];

export function isFinished(state: string): boolean {
  return (FINISHED as readonly string[]).includes(state);
}

export function assertTransition(from: string, to: CaseState): void {
  const allowed = NEXT[from as CaseState];
  if (!allowed?.includes(to)) {
    throw new RabtaError('case-state', `a ${from} case cannot become ${to}`, { extensions: { state: from, allowed: allowed ?? [] } });
  }
}
