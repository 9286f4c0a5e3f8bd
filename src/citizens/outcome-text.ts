import type { MemberName } from '../consent/index.js';

/** What a tracker row's outcome code means, in words a citizen reads (English and Urdu). */
export interface OutcomeText {
  en: string;
  ur: string;
}

/** The refusals a citizen can act on, named plainly; any other code reads as a refusal by Rabta. */
const REFUSALS: Record<string, OutcomeText> = {
  'consent-missing': { en: 'Rabta stopped it: you had not given your consent', ur: 'رابطہ نے روک دیا: آپ نے اجازت نہیں دی تھی' },
  'consent-revoked': { en: 'Rabta stopped it: you had withdrawn your consent', ur: 'رابطہ نے روک دیا: آپ اپنی اجازت واپس لے چکی تھیں' },
  'consent-expired': { en: 'Rabta stopped it: your consent had expired', ur: 'رابطہ نے روک دیا: آپ کی اجازت کی مدت ختم ہو چکی تھی' },
  'consent-purpose-not-covered': { en: 'Rabta stopped it: your consent does not cover this purpose', ur: 'رابطہ نے روک دیا: آپ کی اجازت اس مقصد کے لیے نہیں' },
  'consent-frequency-exceeded': { en: 'Rabta stopped it: asked more often than your consent allows', ur: 'رابطہ نے روک دیا: آپ کی اجازت سے زیادہ بار پوچھا گیا' },
  'no-access-right': { en: 'Rabta stopped it: this institution may not ask for this', ur: 'رابطہ نے روک دیا: اس ادارے کو یہ پوچھنے کی اجازت نہیں' },
};

/**
 * One row's outcome as the citizen reads it. `retriedLater` says that the same
 * institution's same call about her succeeded afterwards (a refused batch sent
 * again): the refusal is then not the end of the story, and the text says so.
 */
export function outcomeText(row: { kind: 'exchange' | 'event'; outcome: string; provider: MemberName; recipients: MemberName[] }, retriedLater: boolean): OutcomeText {
  const p = row.provider;
  if (row.kind === 'event') {
    const to = row.recipients;
    return to.length === 0
      ? { en: `${p.nameEn} recorded it; it went to no other institution`, ur: `${p.nameUr} نے درج کیا؛ کسی اور ادارے کو نہیں بھیجا گیا` }
      : { en: `${p.nameEn} sent it to ${to.map((r) => r.nameEn).join(', ')}`, ur: `${p.nameUr} نے ${to.map((r) => r.nameUr).join('، ')} کو بھیجا` };
  }
  if (row.outcome === 'ok') return { en: `${p.nameEn} answered`, ur: `${p.nameUr} نے جواب دیا` };
  if (row.outcome === 'upstream-error') {
    return retriedLater
      ? { en: `${p.nameEn} refused the request; it was sent again and accepted`, ur: `${p.nameUr} نے درخواست رد کی؛ دوبارہ بھیجی گئی اور قبول ہوئی` }
      : { en: `${p.nameEn} refused the request or could not answer it`, ur: `${p.nameUr} نے درخواست رد کی یا جواب نہ دے سکا` };
  }
  return REFUSALS[row.outcome] ?? { en: `Rabta stopped it (${row.outcome}); nothing was passed on`, ur: `رابطہ نے روک دیا (${row.outcome})؛ کچھ آگے نہیں بھیجا گیا` };
}
