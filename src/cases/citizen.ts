import { RabtaError } from '../core/index.js';
import type { CasesDeps } from './deps.js';
import { PORTAL } from './intake.js';
import { openCase } from './open.js';
import { summary } from './views.js';
import type { CaseSummary } from './views.js';

/**
 * The citizen's own side of cases, for a signed-in session (the portal):
 * her cases by her keyed CNIC hash, and a complaint she files herself. The
 * SMS line does the same by phone number (sms.ts).
 */
export async function casesOfCitizen(deps: CasesDeps, subjectHash: string, limit = 50): Promise<CaseSummary[]> {
  const rows = await deps.db.selectFrom('cases').selectAll().where('subject_hash', '=', subjectHash).orderBy('opened_at', 'desc').orderBy('reference', 'desc').limit(Math.min(limit, 200)).execute();
  return rows.map(summary);
}

export interface CitizenComplaint {
  text: string;
  district?: string | undefined;
  category?: string | undefined;
  language?: 'ur' | 'en' | undefined;
}

/**
 * A complaint filed in the portal: the session's citizen is the complainant,
 * reached on the phone the registry has for her (she is told the reference
 * by SMS as well as on the page). No category: the router or triage decides.
 */
export async function fileForCitizen(deps: CasesDeps, citizen: { subjectHash: string; maskedCnic: string }, complaint: CitizenComplaint): Promise<CaseSummary> {
  const known = await deps.citizens.bySubject(citizen.subjectHash);
  if (!known) throw new RabtaError('forbidden', 'only a registered citizen files a complaint from the portal');
  const row = await openCase(
    deps,
    { kind: 'citizen', by: 'web' },
    {
      text: complaint.text,
      category: complaint.category || null,
      district: complaint.district || null,
      citizen: { mobile: known.mobile, language: complaint.language ?? known.language, known: { subjectHash: citizen.subjectHash, maskedCnic: citizen.maskedCnic } },
      channel: 'portal',
      intake: PORTAL,
    },
  );
  return summary(row);
}
