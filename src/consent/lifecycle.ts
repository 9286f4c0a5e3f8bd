import { RabtaError } from '../core/index.js';
import { recordConsentChange } from './changes.js';
import type { CitizenTemplate, Outgoing } from '../notify/index.js';
import type { ConsentDeps } from './deps.js';
import type { Names } from './names.js';
import { inLanguage } from './names.js';
import type { ConsentArtefactRow, ConsentStatus } from './tables.js';

export type CitizenAction = 'approve' | 'reject' | 'revoke';

/** From which status each action moves, and to which. */
const MOVES: Record<CitizenAction, Partial<Record<ConsentStatus, ConsentStatus>>> = {
  approve: { REQUESTED: 'ACTIVE' },
  reject: { REQUESTED: 'REJECTED' },
  // Withdrawing a request not yet answered is refusing it.
  revoke: { ACTIVE: 'REVOKED', REQUESTED: 'REJECTED' },
};

const CONFIRMATION: Record<ConsentStatus, CitizenTemplate | undefined> = {
  ACTIVE: 'consent-approved',
  REJECTED: 'consent-rejected',
  REVOKED: 'consent-revoked',
  EXPIRED: 'consent-expired',
  REQUESTED: undefined,
};

export interface ActionResult {
  artefact: ConsentArtefactRow;
  outgoing: Outgoing[];
  /** the request had run out before it was approved: it is EXPIRED now, not ACTIVE */
  expired: boolean;
}

/**
 * A citizen approves, rejects or revokes one of their own consents (by the
 * portal or by SMS). Another citizen's artefact is "not found"; an artefact in
 * the wrong state is a conflict. Approving a request whose validity has ended
 * expires it instead (and says so in `expired`). The confirmation SMS (with the masked CNIC) is queued in
 * the same transaction and sent after it commits; `send: false` leaves the
 * sending to the caller.
 */
export async function actOnConsent(
  deps: ConsentDeps,
  names: Names,
  input: { subjectHash: string; artefactId: string; action: CitizenAction; channel: 'web' | 'sms' },
  options: { send?: boolean } = {},
): Promise<ActionResult> {
  const row = await deps.db.selectFrom('consent_artefacts').selectAll().where('id', '=', input.artefactId).where('subject_hash', '=', input.subjectHash).executeTakeFirst();
  if (!row) throw new RabtaError('not-found', `no consent ${input.artefactId}`);
  const now = deps.now();
  let to = MOVES[input.action][row.status];
  if (!to) throw new RabtaError('conflict', `a ${row.status} consent cannot be ${input.action === 'approve' ? 'approved' : input.action === 'reject' ? 'rejected' : 'revoked'}`, { extensions: { status: row.status } });
  let actor = `citizen:${input.channel}`;
  if (to === 'ACTIVE' && now >= row.valid_until) {
    to = 'EXPIRED';
    actor = 'system:at-use';
  }
  const citizen = await deps.citizens.find(deps.db, row.subject_hash);
  const template = CONFIRMATION[to];
  const wording = citizen && template ? { consumer: inLanguage(await names.member(row.consumer_id), citizen.language), purpose: inLanguage(await names.purpose(row.purpose), citizen.language), cnic: citizen.maskedCnic } : undefined;
  const target = to;
  const outgoing = await deps.db.transaction().execute(async (trx) => {
    await recordConsentChange(trx, { artefactId: row.id, from: row.status, to: target, at: now, actor }, deps.changeSink);
    if (!citizen || !wording || !template) return [];
    const message = {
      subjectHash: row.subject_hash,
      mobile: citizen.mobile,
      language: citizen.language,
    };
    if (template === 'consent-approved') return [await deps.citizens.queue(trx, { ...message, template, params: { ...wording, code: row.reply_code ?? '' } })];
    return [await deps.citizens.queue(trx, { ...message, template: template as 'consent-rejected', params: wording })];
  });
  if (options.send !== false) await deps.citizens.dispatch(outgoing);
  const artefact: ConsentArtefactRow = { ...row, status: to, status_at: now, ...(to === 'ACTIVE' ? { activated_at: now } : { ended_at: now }) };
  return { artefact, outgoing, expired: to === 'EXPIRED' };
}

/**
 * Moves every REQUESTED or ACTIVE artefact whose validity has ended (and every
 * request left unanswered too long) to EXPIRED. Safe on several nodes at once:
 * each change is conditional, and the loser of a race skips the artefact.
 */
export async function expireDue(deps: ConsentDeps, batchSize = 200): Promise<number> {
  const now = deps.now();
  const due = await deps.db
    .selectFrom('consent_artefacts')
    .select(['id', 'status'])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', 'in', ['REQUESTED', 'ACTIVE']), eb('valid_until', '<=', now)]),
        eb.and([eb('status', '=', 'REQUESTED'), eb('requested_at', '<=', now - deps.limits.pendingTtlMs)]),
      ]),
    )
    .limit(batchSize)
    .execute();
  let expired = 0;
  for (const artefact of due) {
    try {
      await deps.db.transaction().execute((trx) => recordConsentChange(trx, { artefactId: artefact.id, from: artefact.status, to: 'EXPIRED', at: now, actor: 'system:sweeper' }, deps.changeSink));
      expired++;
    } catch (error) {
      if (!(error instanceof RabtaError && error.code === 'conflict')) throw error;
    }
  }
  return expired;
}
