import { describe, expect, it } from 'vitest';
import { frequencyWindow } from './frequency.js';
import { renderCitizenMessage } from '../notify/index.js';
import { parseSmsCommand } from './sms-parse.js';

describe('SMS commands', () => {
  it.each([
    ['HAAN 4821', 'approve', '4821'],
    ['haan 4821', 'approve', '4821'],
    ['  Haan    4821  ', 'approve', '4821'],
    ['HAAN4821', 'approve', '4821'],
    ['han-4821.', 'approve', '4821'],
    ['NAHI 123456', 'reject', '123456'],
    ['nahin 48211', 'reject', '48211'],
    ['WAPIS 4821', 'revoke', '4821'],
    ['wapas 4821', 'revoke', '4821'],
    ['ہاں 4821', 'approve', '4821'],
    ['ہاں ۴۸۲۱', 'approve', '4821'],
    ['ہاں ٤٨٢١', 'approve', '4821'],
    ['ہان ۴۸۲۱', 'approve', '4821'], // plain noon instead of noon ghunna
    ['هاں 4821', 'approve', '4821'], // Arabic heh
    ['\u200Fہاں\u200F   ۴۸۲۱', 'approve', '4821'], // direction marks
    ['نہیں ۴۸۲۱', 'reject', '4821'],
    ['نهيں 4821', 'reject', '4821'], // Arabic heh and yeh
    ['واپس ۴۸۲۱', 'revoke', '4821'],
    ['واپس 4821۔', 'revoke', '4821'], // Urdu full stop
  ])('%s', (text, action, code) => {
    expect(parseSmsCommand(text)).toEqual({ action, code });
  });

  it.each(['', 'HAAN', 'HAAN 48', 'HAAN 1234567', 'MAYBE 4821', 'status', '4821', 'HAAN 4821 please', 'ہاں'])('is not a command: %j', (text) => {
    expect(parseSmsCommand(text)).toBeUndefined();
  });
});

describe('frequency windows', () => {
  it('counts days and months in Pakistan time', () => {
    // 2026-03-31 20:00 UTC is already 1 April 01:00 in Pakistan.
    const at = Date.UTC(2026, 2, 31, 20, 0, 0);
    expect(frequencyWindow('day', at)).toEqual({ start: Date.UTC(2026, 2, 31, 19, 0, 0), end: Date.UTC(2026, 3, 1, 19, 0, 0) });
    expect(frequencyWindow('month', at)).toEqual({ start: Date.UTC(2026, 2, 31, 19, 0, 0), end: Date.UTC(2026, 3, 30, 19, 0, 0) });
  });
});

describe('citizen messages', () => {
  it('tells how to answer, in Urdu and English', () => {
    const params = { consumer: 'HBL', provider: 'BISP', purpose: 'support', cnic: '35202-*****67-1', code: '4821', validUntil: '2026-12-31' };
    expect(renderCitizenMessage('en', 'consent-request', params)).toContain('HAAN 4821');
    expect(renderCitizenMessage('en', 'consent-request', params)).toContain('NAHI 4821');
    expect(renderCitizenMessage('ur', 'consent-request', params)).toContain('ہاں یا نہیں \u200E4821');
    expect(renderCitizenMessage('ur', 'consent-request', params)).toContain('\u200E9988 پر');
    expect(renderCitizenMessage('ur', 'help', {})).toContain('واپس');
  });
});
