import { RabtaError } from '../core/index.js';
import { citizensByMobile } from './citizens.js';
import type { ConsentDeps } from './deps.js';
import { actOnConsent } from './lifecycle.js';
import { normalizeMobile } from './mobile.js';
import type { Names } from './names.js';
import { dispatch, queueMessage } from './notifications.js';
import { parseAmbiguousReply, parseSelfService, parseSmsCommand } from './sms-parse.js';
import { handleSelfService } from './self-service.js';
import type { SelfServiceOutcome } from './self-service.js';

export interface InboundSms {
  /** the sender as the gateway reports it (E.164, with or without +, or local) */
  from: string;
  text: string;
}

export interface InboundSmsResult {
  outcome: 'dispatched' | 'help' | 'ambiguous' | 'unknown-code' | 'approved' | 'rejected' | 'revoked' | 'expired' | SelfServiceOutcome;
  /** the artefact that changed, if one did */
  consentId?: string;
}

/**
 * STATUS and BAND/SHURU <institution> go to self-service.ts. Consent by SMS,
 * for citizens without a smartphone: `HAAN <code>` approves a
 * pending request, `NAHI <code>` refuses it, `WAPIS <code>` withdraws a
 * consent (or refuses a pending request), in Latin or Urdu script. The code is
 * looked up only among the requests sent to this phone, for the citizens
 * registered to it. The reply — sent through the messenger before this
 * returns — is a confirmation with the masked CNIC in the citizen's language;
 * anything else gets the help text in the sender's language (Urdu if the
 * number is unknown), and an unknown number learns nothing personal.
 */
export async function handleInboundSms(deps: ConsentDeps, names: Names, sms: InboundSms): Promise<InboundSmsResult> {
  // The dispatcher: each module's commands first (cases: SHIKAYAT, a case reference, 1/2), then consent's own.
  for (const handler of deps.smsCommands?.() ?? []) if (await handler(sms)) return { outcome: 'dispatched' };
  const mobile = normalizeMobile(sms.from);
  const citizens = mobile ? await citizensByMobile(deps.db, mobile) : [];
  const language = citizens[0]?.language ?? 'ur';
  const question = mobile ? parseSelfService(sms.text) : undefined;
  if (question && mobile) return { outcome: await handleSelfService(deps, names, mobile, citizens, question) };
  const command = parseSmsCommand(sms.text);
  const reply = async (template: 'help' | 'consent-code-unknown' | 'consent-ambiguous', code: string) => {
    if (!mobile) return;
    const outgoing = template === 'help'
      ? await queueMessage(deps.db, deps.now(), { subjectHash: null, mobile, language, template, params: {} })
      : await queueMessage(deps.db, deps.now(), { subjectHash: null, mobile, language, template, params: { code } });
    await dispatch(deps, [outgoing]);
  };
  // `ji 4821`, `ok`: perhaps yes, perhaps "received" — never consent; she is asked which.
  const ambiguous = command ? undefined : parseAmbiguousReply(sms.text);
  if (ambiguous !== undefined && mobile && citizens.length > 0) {
    await reply('consent-ambiguous', ambiguous);
    return { outcome: 'ambiguous' };
  }
  if (!command || !mobile || citizens.length === 0) {
    await reply('help', '');
    return { outcome: 'help' };
  }
  const artefact = await deps.db
    .selectFrom('consent_artefacts')
    .select(['id', 'subject_hash'])
    .where('reply_mobile', '=', mobile)
    .where('reply_code', '=', command.code)
    .where('status', 'in', command.action === 'revoke' ? ['REQUESTED', 'ACTIVE'] : ['REQUESTED'])
    .where(
      'subject_hash',
      'in',
      citizens.map((c) => c.subject_hash),
    )
    .executeTakeFirst();
  if (!artefact) {
    await reply('consent-code-unknown', command.code);
    return { outcome: 'unknown-code' };
  }
  try {
    const result = await actOnConsent(deps, names, { subjectHash: artefact.subject_hash, artefactId: artefact.id, action: command.action, channel: 'sms' });
    const outcome = result.expired ? 'expired' : result.artefact.status === 'ACTIVE' ? 'approved' : result.artefact.status === 'REVOKED' ? 'revoked' : 'rejected';
    return { outcome, consentId: artefact.id };
  } catch (error) {
    // Someone (the portal, the sweeper) changed it a moment earlier: the code no longer names a pending request.
    if (!(error instanceof RabtaError && error.code === 'conflict')) throw error;
    await reply('consent-code-unknown', command.code);
    return { outcome: 'unknown-code' };
  }
}
