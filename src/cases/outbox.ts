import type { CasesDeps, CaseTopic } from './deps.js';

/**
 * Publishes what changes wrote to the outbox, on the instance's `case.*`
 * topics, once per institution on the case (the event names it, so each
 * subscribes with a filter on `institution`). A row is marked only after
 * every publication succeeded; the idempotency key makes a retry after a
 * crash publish nothing twice.
 */
export async function publishPending(deps: CasesDeps, limit = 200): Promise<number> {
  const publisher = deps.publisher;
  if (!publisher) return 0;
  const rows = await deps.db.selectFrom('case_outbox').selectAll().where('published_at', 'is', null).orderBy('id').limit(limit).execute();
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as Record<string, unknown> & { lead: string | null; partners: string[] };
    const institutions = [...new Set([payload.lead, ...payload.partners].filter((m): m is string => typeof m === 'string'))];
    for (const institution of institutions) await publisher.publish(row.topic as CaseTopic, { ...payload, institution }, `case-outbox-${row.id}-${institution}`);
    await deps.db.updateTable('case_outbox').set({ published_at: deps.now() }).where('id', '=', row.id).execute();
  }
  return rows.length;
}
