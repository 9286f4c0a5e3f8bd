import { RabtaError } from '../core/index.js';
import type { CitizenTemplate, CitizenTemplateParams } from '../notify/index.js';
import type { ConsentDeps } from './deps.js';
import { actOnConsent } from './lifecycle.js';
import type { Names } from './names.js';
import { parseAmbiguousReply, parseSmsCommand } from './sms-parse.js';

/** A text from a phone, as the citizens module's SMS dispatcher hands it to consent's command. */
export interface ConsentSms {
  text: string;
  /** E.164 */
  mobile: string;
  /** the citizens registered to that phone */
  citizens: ReadonlyArray<{ subjectHash: string }>;
  reply<K extends CitizenTemplate>(template: K, params: CitizenTemplateParams[K]): Promise<void>;
}

export interface ConsentSmsResult {
  outcome: 'ambiguous' | 'unknown-code' | 'approved' | 'rejected' | 'revoked' | 'expired';
  /** the artefact that changed, if one did */
  consentId?: string;
}

/**
 * Consent by SMS, for citizens without a smartphone: `HAAN <code>` approves a
 * pending request, `NAHI <code>` refuses it, `WAPIS <code>` withdraws a
 * consent (or refuses a pending request), in Latin or Urdu script; `ji 4821`
 * or `ok` is answered with a question, never taken as consent. The code is
 * looked up only among the requests sent to this phone, for the citizens
 * registered to it; the confirmation goes out before this returns. Returns
 * undefined for any other text, and for a phone with no citizen (the
 * dispatcher answers both with the help text).
 */
export async function answerBySms(deps: ConsentDeps, names: Names, sms: ConsentSms): Promise<ConsentSmsResult | undefined> {
  if (sms.citizens.length === 0) return undefined;
  const command = parseSmsCommand(sms.text);
  if (!command) {
    const ambiguous = parseAmbiguousReply(sms.text);
    if (ambiguous === undefined) return undefined;
    await sms.reply('consent-ambiguous', { code: ambiguous });
    return { outcome: 'ambiguous' };
  }
  const artefact = await deps.db
    .selectFrom('consent_artefacts')
    .select(['id', 'subject_hash'])
    .where('reply_mobile', '=', sms.mobile)
    .where('reply_code', '=', command.code)
    .where('status', 'in', command.action === 'revoke' ? ['REQUESTED', 'ACTIVE'] : ['REQUESTED'])
    .where(
      'subject_hash',
      'in',
      sms.citizens.map((c) => c.subjectHash),
    )
    .executeTakeFirst();
  if (!artefact) {
    await sms.reply('consent-code-unknown', { code: command.code });
    return { outcome: 'unknown-code' };
  }
  try {
    const result = await actOnConsent(deps, names, { subjectHash: artefact.subject_hash, artefactId: artefact.id, action: command.action, channel: 'sms' });
    const outcome = result.expired ? 'expired' : result.artefact.status === 'ACTIVE' ? 'approved' : result.artefact.status === 'REVOKED' ? 'revoked' : 'rejected';
    return { outcome, consentId: artefact.id };
  } catch (error) {
    // Someone (the portal, the sweeper) changed it a moment earlier: the code no longer names a pending request.
    if (!(error instanceof RabtaError && error.code === 'conflict')) throw error;
    await sms.reply('consent-code-unknown', { code: command.code });
    return { outcome: 'unknown-code' };
  }
}
