import type { Page } from '../core/index.js';
import { RabtaError } from '../core/index.js';
import type { CitizenAction, ConsentForCitizen, Names, TrackerRow } from '../consent/index.js';
import type { CitizensDeps } from './deps.js';
import { listNotifications } from './notifications.js';
import { requestOtp, signIn } from './otp.js';
import type { CitizenSecrets } from './secrets.js';
import { optOutsOf, replaceOptOuts } from './self-service.js';
import { verifySession } from './session.js';
import type { CitizenSession } from './session.js';
import type { Throttle } from './throttle.js';
import { accessOfCitizen } from './tracker-views.js';

/** What the portal asks of the consent module about the signed-in citizen (the platform passes consent's `ofCitizen`). */
export interface CitizenConsents {
  consents(subjectHash: string): Promise<ConsentForCitizen[]>;
  act(subjectHash: string, id: string, action: CitizenAction): Promise<ConsentForCitizen>;
  tracker(subjectHash: string, page: { limit: number; cursor?: string }): Promise<Page<TrackerRow>>;
  concernedBy(subjectHash: string, exchangeId: string): Promise<boolean>;
}

/**
 * The citizen's own side on the web: sign-in by a code sent by SMS, then
 * her consents, her data tracker, the texts sent to her and which
 * institutions may text her — all scoped to the session's subject hash.
 */
export function citizenPortal(deps: CitizensDeps, names: Names, secrets: CitizenSecrets, throttle: Throttle, consents: CitizenConsents) {
  return {
    requestOtp: (input: { cnic: string; address: string }) => requestOtp(deps, secrets, throttle, input),
    signIn: (input: { cnic: string; code: string; address: string }) => signIn(deps, secrets, throttle, input),
    session: (token: string): Promise<CitizenSession> => verifySession(secrets.session, deps.publicUrl, token, deps.now()),
    consents: (session: CitizenSession) => consents.consents(session.subjectHash),
    act: (session: CitizenSession, id: string, action: CitizenAction) => consents.act(session.subjectHash, id, action),
    access: async (session: CitizenSession, page: { limit: number; cursor?: string }) => accessOfCitizen(await consents.tracker(session.subjectHash, page), names),
    notifications: (session: CitizenSession, page: { limit: number; cursor?: string }) => listNotifications(deps.db, session.subjectHash, page),
    concernedBy: (session: CitizenSession, exchangeId: string) => consents.concernedBy(session.subjectHash, exchangeId),
    /** the institutions whose messages the citizen stopped */
    stoppedInstitutions: (session: CitizenSession) => optOutsOf(deps.db, session.subjectHash),
    async setStoppedInstitutions(session: CitizenSession, memberIds: string[]) {
      const known = new Set((await deps.registry.listMembers()).map((m) => m.id));
      const unknown = memberIds.filter((id) => !known.has(id));
      if (unknown.length > 0) throw new RabtaError('bad-request', `no such institution: ${unknown.join(', ')}`, { extensions: { unknown } });
      await replaceOptOuts(deps, session.subjectHash, memberIds);
      return optOutsOf(deps.db, session.subjectHash);
    },
  };
}

export type CitizenPortal = ReturnType<typeof citizenPortal>;
