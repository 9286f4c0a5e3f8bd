/**
 * What a citizen reads about her case is in notify's one template set
 * (`case-*` templates); cases names the template and its values, rendered
 * with the instance's short code, which the texts that expect an answer name.
 */
import { renderCitizenMessage } from '../notify/index.js';
import type { CaseTemplate, CitizenTemplateParams } from '../notify/index.js';
import type { Language } from '../core/index.js';
import type { CasesDeps } from './deps.js';

export function caseText<K extends CaseTemplate>(deps: Pick<CasesDeps, 'shortCode'>, language: Language, template: K, params: CitizenTemplateParams[K]): string {
  return renderCitizenMessage(language, template, params, deps.shortCode);
}

/** a deadline (ms) as the templates take it: an instant, '' for none */
export const dueParam = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
