import type { Actor } from './changes.js';
import { RabtaError } from './problems.js';

/** Who may change what, the same for every module that keeps governed records. */
export function requireAuthority(actor: Actor): void {
  if (actor.role !== 'authority-admin' && actor.role !== 'system') {
    throw new RabtaError('forbidden', 'only the authority may do this');
  }
}

export function requireMemberScope(actor: Actor, memberId: string): void {
  if (actor.role === 'authority-admin' || actor.role === 'system') return;
  if (actor.memberId !== memberId) {
    throw new RabtaError('forbidden', `this token acts for ${actor.memberId ?? 'no member'}, not ${memberId}`);
  }
}

export function notFound(what: string, id: string): RabtaError {
  return new RabtaError('not-found', `${what} ${id} does not exist`, { extensions: { id } });
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
