import type { Language } from '../core/index.js';
import type { CitizenTemplate, CitizenTemplateParams } from '../notify/index.js';
import { citizensByMobile } from './citizens.js';
import type { CitizensDeps } from './deps.js';
import { normalizeMobile } from './mobile.js';
import { dispatch, queueMessage } from './notifications.js';
import type { CitizenRow } from './tables.js';

export interface InboundSms {
  /** the sender as the gateway reports it (E.164, with or without +, or local) */
  from: string;
  text: string;
}

/** What became of a text: the handling command's outcome (`help` when none took it), and the consent it changed, if one. */
export interface InboundSmsResult {
  outcome: string;
  consentId?: string;
}

/** A registered citizen of the sending phone, as commands may know them. */
export interface PhoneCitizen {
  subjectHash: string;
  maskedCnic: string;
  language: Language;
}

/** A text as a command sees it: who sent it (their phone, its citizens) and how to answer them. */
export interface SmsContext extends InboundSms {
  /** E.164; commands run only for a sender with a real number */
  mobile: string;
  /** the citizens registered to this phone, oldest first (a household may share one) */
  citizens: readonly PhoneCitizen[];
  /** the phone's language: its first citizen's, Urdu for an unknown number */
  language: Language;
  /** answers the sender in `language`; nothing is kept in any citizen's history */
  reply<K extends CitizenTemplate>(template: K, params: CitizenTemplateParams[K]): Promise<void>;
}

/**
 * One command of the citizen SMS line, handled by the module it belongs to
 * (cases: SHIKAYAT, a case reference, 1/2; consent: HAAN/NAHI/WAPIS and the
 * ambiguous `ji`; citizens: STATUS, BAND/SHURU). `handle` returns undefined
 * for a text that is not its command, and the next one is asked.
 */
export interface SmsCommand {
  name: string;
  handle(sms: SmsContext): Promise<InboundSmsResult | undefined>;
}

/**
 * The dispatcher: the commands in the order of the table; a text none of them
 * takes gets the help text in the phone's language (Urdu if the number is
 * unknown), and an unknown number learns nothing personal. A sender that is
 * not a phone number is answered by nothing.
 */
export function createSmsDispatcher(deps: CitizensDeps, commands: readonly SmsCommand[]) {
  return async (sms: InboundSms): Promise<InboundSmsResult> => {
    const mobile = normalizeMobile(sms.from);
    if (!mobile) return { outcome: 'help' };
    const rows = await citizensByMobile(deps.db, mobile);
    const language = rows[0]?.language ?? 'ur';
    const context: SmsContext = {
      ...sms,
      mobile,
      citizens: rows.map(phoneCitizen),
      language,
      async reply(template, params) {
        const outgoing = await queueMessage(deps.db, deps.now(), { subjectHash: null, mobile, language, template, params });
        await dispatch(deps, [outgoing]);
      },
    };
    for (const command of commands) {
      const result = await command.handle(context);
      if (result) return result;
    }
    await context.reply('help', {});
    return { outcome: 'help' };
  };
}

export const phoneCitizen = (row: CitizenRow): PhoneCitizen => ({ subjectHash: row.subject_hash, maskedCnic: row.masked_cnic, language: row.language });
