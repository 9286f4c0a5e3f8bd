import { createHash, randomBytes } from 'node:crypto';
import { RabtaError } from '../core/index.js';
import type { CaseActor } from './actors.js';
import type { CasesDeps } from './deps.js';

/** The citizen portal's intake: cases it takes in have no institution behind them. */
export const PORTAL = 'portal';

const hash = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/**
 * An Open311 `api_key` names who takes a request in: a member's intake (its
 * own app or desk) or the citizen portal. The key is shown once; only its
 * SHA-256 is kept, so a copy of the database does not hand out keys.
 */
export async function createIntakeKey(deps: CasesDeps, actor: CaseActor, input: { member: string | null; label: string }): Promise<{ apiKey: string; member: string }> {
  const member = input.member ?? PORTAL;
  if (actor.kind === 'institution' ? actor.member !== member : actor.kind !== 'authority' && actor.kind !== 'system') {
    throw new RabtaError('forbidden', 'an institution creates intake keys only for itself; the authority for the portal');
  }
  if (member !== PORTAL && !(await deps.directory.memberExists(member))) throw new RabtaError('bad-request', `no such member: ${member}`);
  if (!input.label.trim() || input.label.length > 100) throw new RabtaError('bad-request', 'an intake key has a label of 1–100 characters');
  const apiKey = `o311_${randomBytes(24).toString('base64url')}`;
  await deps.db.insertInto('case_intake_keys').values({ key_hash: hash(apiKey), member_id: member, label: input.label.trim(), created_at: deps.now(), revoked_at: null }).execute();
  return { apiKey, member };
}

/** The intake an api_key names, or undefined. */
export async function intakeOf(deps: CasesDeps, apiKey: string): Promise<string | undefined> {
  if (!/^o311_[A-Za-z0-9_-]{32}$/.test(apiKey)) return undefined;
  const row = await deps.db.selectFrom('case_intake_keys').select(['member_id', 'revoked_at']).where('key_hash', '=', hash(apiKey)).executeTakeFirst();
  return row && row.revoked_at === null ? row.member_id : undefined;
}

export async function revokeIntakeKeys(deps: CasesDeps, actor: CaseActor, member: string): Promise<number> {
  if (actor.kind === 'institution' ? actor.member !== member : actor.kind !== 'authority' && actor.kind !== 'system') throw new RabtaError('forbidden', 'an institution revokes only its own intake keys');
  const result = await deps.db.updateTable('case_intake_keys').set({ revoked_at: deps.now() }).where('member_id', '=', member).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
