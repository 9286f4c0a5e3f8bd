import { describe, expect, it } from 'vitest';
import { ACCEPTED_REPLIES, AMBIGUOUS_REPLIES, parseAmbiguousReply, parseSmsCommand } from './sms-parse.js';

/** The replies people really type (issue 18): every accepted form, with the code, each its own case. */
describe('accepted reply forms', () => {
  const forms = Object.entries(ACCEPTED_REPLIES).flatMap(([action, words]) => words.map((word) => [word, action] as const));
  it.each(forms)('%s + code', (word, action) => {
    expect(parseSmsCommand(`${word} 4821`)).toEqual({ action, code: '4821' });
  });

  it.each([
    ['ha 4821', 'approve'], ['hn 4821', 'approve'], ['hanji 4821', 'approve'], ['han ji 4821', 'approve'], ['ji haan 4821', 'approve'], ['ہا 4821', 'approve'],
    ['nhi 4821', 'reject'], ['na 4821', 'reject'], ['nae 4821', 'reject'], ['ji nahi 4821', 'reject'], ['nahi ji 4821', 'reject'],
    ['جی نہیں 4821', 'reject'], ['نہیں جی 4821', 'reject'], ['نہ 4821', 'reject'], ['نئیں 4821', 'reject'],
    ['wapsi 4821', 'revoke'], ['واپسی 4821', 'revoke'], ['ختم 4821', 'revoke'],
    ['4821 haan', 'approve'], ['۴۸۲۱ نہیں', 'reject'], ['ہاں،4821', 'approve'], ['ہاں، ۴۸۲۱', 'approve'], ['haan 4821?', 'approve'], ['ہاں 4821؟', 'approve'],
  ])('%s', (text, action) => {
    expect(parseSmsCommand(text)).toEqual({ action, code: '4821' });
  });

  it.each(AMBIGUOUS_REPLIES.flatMap((w) => [w, `${w} 4821`, `4821 ${w}`]))('%s is never consent, and is answered with a question', (text) => {
    expect(parseSmsCommand(text)).toBeUndefined();
    expect(parseAmbiguousReply(text)).toBe(/\d/.test(text) ? '4821' : '');
  });

  it.each(['haan 4821', 'maybe 4821', 'hello'])('%s is not ambiguous', (text) => expect(parseAmbiguousReply(text)).toBeUndefined());
});
