import type { Actor } from '../core/index.js';
import { iso } from './deps.js';
import type { EventsDeps } from './deps.js';

export interface Notice {
  id: number;
  member: string;
  at: string;
  kind: string;
  subscription: string;
  detail: string;
}

/** What members were told about their subscriptions, newest first; a member admin sees its own. */
export async function listNotices(deps: EventsDeps, actor: Actor, options: { memberId?: string; before?: number; limit?: number } = {}): Promise<Notice[]> {
  let query = deps.db.selectFrom('event_notices').selectAll().orderBy('id', 'desc').limit(Math.min(Math.max(options.limit ?? 100, 1), 1000));
  const member = actor.role === 'member-admin' ? (actor.memberId ?? '-') : options.memberId;
  if (member !== undefined) query = query.where('member_id', '=', member);
  if (options.before !== undefined) query = query.where('id', '<', options.before);
  return (await query.execute()).map((r) => ({ id: Number(r.id), member: r.member_id, at: iso(r.at) as string, kind: r.kind, subscription: r.subscription_id, detail: r.detail }));
}
