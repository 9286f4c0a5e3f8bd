import type { Kysely } from 'kysely';

import type { CaseRouterAnswer, CasesDeps } from './deps.js';
import type { CasesTables } from './tables.js';

/**
 * The grievance router's side of a case: what it decided for a case that came
 * without a category (stored with the model's version and confidence, routed
 * or not), and the category a triage officer then set — the corrections that
 * become training lines for the next model (`rabta assist export-corrections`).
 */

/** The router's answer, or undefined when there is no router or it failed (the case then waits in triage). */
export async function askRouter(deps: CasesDeps, text: string): Promise<CaseRouterAnswer | undefined> {
  return deps.router ? deps.router.route(text).catch(() => undefined) : undefined;
}

export async function storeDecision(trx: Kysely<CasesTables>, caseId: string, answer: CaseRouterAnswer, at: number): Promise<void> {
  await trx
    .insertInto('case_route_decisions')
    .values({ case_id: caseId, model_version: answer.modelVersion ?? 'unknown', label: answer.label, confidence: answer.confidence, routed: answer.routed ? 1 : 0, alternatives: JSON.stringify(answer.alternatives.slice(0, 2)), decided_at: at, corrected_category: null, corrected_by: null, corrected_at: null })
    .execute();
}

/** A triage officer set the category of a case the router had decided on: kept, whether it confirms the router or corrects it. */
export async function recordCorrection(trx: Kysely<CasesTables>, caseId: string, category: string, by: string, at: number): Promise<void> {
  await trx.updateTable('case_route_decisions').set({ corrected_category: category, corrected_by: by, corrected_at: at }).where('case_id', '=', caseId).execute();
}

export interface RoutingView {
  modelVersion: string;
  label: string;
  confidence: number;
  routed: boolean;
  /** the router's three suggestions for the triage officer, best first */
  suggestions: Array<{ label: string; confidence: number }>;
  correctedCategory: string | null;
}

export async function routingOf(db: Kysely<CasesTables>, caseId: string): Promise<RoutingView | null> {
  const row = await db.selectFrom('case_route_decisions').selectAll().where('case_id', '=', caseId).executeTakeFirst();
  if (!row) return null;
  const alternatives = JSON.parse(row.alternatives) as Array<{ label: string; confidence: number }>;
  return { modelVersion: row.model_version, label: row.label, confidence: row.confidence, routed: row.routed === 1, suggestions: [{ label: row.label, confidence: row.confidence }, ...alternatives], correctedCategory: row.corrected_category };
}

/** One officer's label for a grievance: the citizen's text (personal: the assist module masks it before it becomes a training line). */
export interface CaseCorrection {
  text: string;
  category: string;
  predicted: string;
  routed: boolean;
  correctedAt: string;
}

/** Corrections in the order they were made, from `since` (ISO) on, in pages so a long history does not sit in memory. */
export async function* listCorrections(db: Kysely<CasesTables>, options: { since?: string | undefined } = {}): AsyncIterable<CaseCorrection> {
  let after = options.since === undefined ? -1 : Date.parse(options.since) - 1;
  let afterId = '';
  for (;;) {
    const rows = await db
      .selectFrom('case_route_decisions as d')
      .innerJoin('cases as c', 'c.id', 'd.case_id')
      .select(['d.case_id', 'd.label', 'd.routed', 'd.corrected_category', 'd.corrected_at', 'c.text'])
      .where('d.corrected_at', 'is not', null)
      .where((eb) => eb.or([eb('d.corrected_at', '>', after), eb.and([eb('d.corrected_at', '=', after), eb('d.case_id', '>', afterId)])]))
      .orderBy('d.corrected_at')
      .orderBy('d.case_id')
      .limit(500)
      .execute();
    for (const r of rows) yield { text: r.text, category: r.corrected_category as string, predicted: r.label, routed: r.routed === 1, correctedAt: new Date(r.corrected_at as number).toISOString() };
    if (rows.length < 500) return;
    const last = rows[rows.length - 1] as (typeof rows)[number];
    after = last.corrected_at as number;
    afterId = last.case_id;
  }
}
