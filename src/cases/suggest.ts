import { RabtaError } from '../core/index.js';
import type { CaseActor } from './actors.js';
import { listCategories } from './catalogue.js';
import type { CasesDeps } from './deps.js';
import { loadCase } from './load.js';

export interface TriageSuggestion {
  /** a category code (the router's label) */
  category: string;
  confidence: number;
  /** whether the catalogue has this category, so triage can take it as it is */
  inCatalogue: boolean;
}

/**
 * What the grievance router says of a queued case, for the triage officer:
 * its best label and the next ones, each with its confidence. The officer
 * takes one or corrects it with any category of the catalogue (triage).
 */
export async function triageSuggestions(deps: CasesDeps, actor: CaseActor, key: string): Promise<{ reference: string; suggestions: TriageSuggestion[] }> {
  if (actor.kind !== 'authority' && actor.kind !== 'system') throw new RabtaError('forbidden', 'the triage queue is the authority’s');
  const row = await loadCase(deps.db, key);
  if (!deps.router) return { reference: row.reference, suggestions: [] };
  const answer = await deps.router.route(row.text);
  const codes = new Set((await listCategories(deps.db)).map((c) => c.code));
  const ranked = [{ label: answer.label, confidence: answer.confidence }, ...answer.alternatives];
  return { reference: row.reference, suggestions: ranked.map((s) => ({ category: s.label, confidence: s.confidence, inCatalogue: codes.has(s.label) })) };
}
