import { memberIdOf } from '../core/index.js';
import { addFacts, firstTime } from './rollups.js';
import type { AnalyticsDb } from './rollups.js';
import { CLOSE_BUCKETS_MS, latencyBucket } from './facts.js';
import type { Fact } from './facts.js';

/** A consent's status change as the consent module hands it on (no citizen in it). */
export interface ConsentChangeInput {
  artefactId: string;
  from: string | null;
  to: string;
  at: number;
  /** `consumer:PK/BANK/HBL/app`, `citizen:sms`, `system:sweeper`, … */
  actor: string;
  /** the provider the consent is asked of (member or subsystem id), given with the request */
  provider?: string;
}

const CONSENT_MEASURES: Record<string, Fact['measure'] | undefined> = {
  REQUESTED: 'consent.requested',
  ACTIVE: 'consent.approved',
  REJECTED: 'consent.rejected',
  REVOKED: 'consent.revoked',
  EXPIRED: 'consent.expired',
};

export async function recordConsentChange(db: AnalyticsDb, change: ConsentChangeInput): Promise<void> {
  const measure = CONSENT_MEASURES[change.to];
  if (!measure) return;
  if (change.from === null) {
    const member = change.actor.startsWith('consumer:') ? memberIdOf(change.actor.slice('consumer:'.length)) : '';
    const peer = change.provider ? memberIdOf(change.provider) : '';
    await db.insertInto('analytics_open_items').values({ kind: 'consent', id: change.artefactId, member, peer, at: change.at }).onConflict((oc) => oc.columns(['kind', 'id']).doNothing()).execute();
    await addFacts(db, [{ measure, at: change.at, member, peer }]);
    return;
  }
  const opened = await db.selectFrom('analytics_open_items').select(['member', 'peer', 'at']).where('kind', '=', 'consent').where('id', '=', change.artefactId).executeTakeFirst();
  const member = opened?.member ?? '';
  const ms = measure === 'consent.approved' && opened ? change.at - Number(opened.at) : undefined;
  await addFacts(db, [{ measure, at: change.at, member, peer: opened?.peer ?? '', ...(ms === undefined ? {} : { ms, good: 1 }) }]);
}

/** The public face of a case event (case.* topics): never the citizen's text or CNIC. */
export interface CaseEventInput {
  caseId?: unknown;
  state?: unknown;
  category?: unknown;
  lead?: unknown;
  partners?: unknown;
  district?: unknown;
  resolutionDue?: unknown;
  at?: unknown;
  change?: unknown;
  seq?: unknown;
  channel?: unknown;
  satisfaction?: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Turns one case event into facts. Case events are published once per
 * institution on the case and may be retried: the key counts each change once.
 */
export async function recordCaseEvent(db: AnalyticsDb, topic: string, payload: CaseEventInput): Promise<void> {
  const caseId = text(payload.caseId) || String(payload.caseId ?? '');
  const at = Date.parse(text(payload.at)) || 0;
  if (!caseId || !at) return;
  const change = text(payload.change);
  if (!(await firstTime(db, `case:${caseId}:${String(payload.seq ?? '')}:${change}:${topic}:${at}`))) return;
  const base = { at, member: text(payload.lead), district: text(payload.district) };
  const category = text(payload.category);
  const partners = Array.isArray(payload.partners) ? payload.partners.filter((p): p is string => typeof p === 'string') : [];
  const facts: Fact[] = [];
  if (topic === 'case.opened') {
    await db.insertInto('analytics_open_items').values({ kind: 'case', id: caseId, member: base.member, at }).onConflict((oc) => oc.columns(['kind', 'id']).doNothing()).execute();
    facts.push({ ...base, measure: 'case.opened', dimension: text(payload.channel) });
  }
  if (change === 'partner-added' || topic === 'case.opened') {
    const added = change === 'partner-added' ? partners.slice(-1) : partners;
    for (const partner of added) facts.push({ ...base, measure: 'case.joint', peer: partner, dimension: category });
  }
  if (topic === 'case.resolved') {
    const due = Date.parse(text(payload.resolutionDue));
    facts.push({ ...base, measure: 'case.resolved', dimension: category, good: Number.isNaN(due) || at <= due ? 1 : 0 });
  }
  if (topic === 'case.closed') {
    const opened = await db.selectFrom('analytics_open_items').select('at').where('kind', '=', 'case').where('id', '=', caseId).executeTakeFirst();
    const ms = opened ? at - Number(opened.at) : undefined;
    facts.push({ ...base, measure: 'case.closed', dimension: change, good: change === 'confirmed' ? 1 : 0, ...(ms === undefined ? {} : { ms }) });
    if (ms !== undefined) facts.push({ ...base, measure: 'case.close_time', dimension: latencyBucket(ms, CLOSE_BUCKETS_MS) });
  }
  const confirmable = change === 'confirmed' || change === 'unconfirmed';
  for (const partner of partners) {
    if (topic === 'case.resolved') facts.push({ ...base, measure: 'case.joint.resolved', peer: partner, dimension: category, good: facts.at(-1)?.good ?? 0 });
    if (topic === 'case.closed' && confirmable) facts.push({ ...base, measure: 'case.joint.closed', peer: partner, dimension: category, good: change === 'confirmed' ? 1 : 0 });
  }
  if (topic === 'case.reopened') facts.push({ ...base, measure: 'case.reopened', dimension: category });
  if (topic === 'case.escalated') facts.push({ ...base, measure: 'case.escalated', dimension: category });
  const score = payload.satisfaction;
  if (typeof score === 'number' && score >= 1 && score <= 5) facts.push({ ...base, measure: 'case.rated', dimension: category, ms: score });
  await addFacts(db, facts);
}
