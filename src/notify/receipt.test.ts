import { describe, expect, it } from 'vitest';
import { normalizeMessageId, parseReceiptText, statusOfMessageState, statusOfStat } from './receipt.js';

describe('delivery receipts', () => {
  it('reads id, stat and err, and nothing from the quoted text', () => {
    const text = 'id:0A1B2C sub:001 dlvrd:001 submit date:2511281200 done date:2511281201 stat:DELIVRD err:000 text:id:evil stat:REJECTD';
    expect(parseReceiptText(text)).toEqual({ messageId: '0A1B2C', stat: 'DELIVRD', errorCode: '000' });
  });

  it('copes with vendors who change case or leave fields out', () => {
    expect(parseReceiptText('ID:77 Stat:undeliv')).toEqual({ messageId: '77', stat: 'UNDELIV' });
    expect(parseReceiptText('nonsense')).toEqual({});
  });

  it('maps stat words and message_state values', () => {
    expect(statusOfStat('DELIVRD')).toBe('delivered');
    expect(statusOfStat('DELIVERED')).toBe('delivered');
    expect(statusOfStat('UNDELIV')).toBe('undeliverable');
    expect(statusOfStat('EXPIRED')).toBe('expired');
    expect(statusOfStat('REJECTD')).toBe('rejected');
    expect(statusOfStat('ACCEPTD')).toBe('accepted');
    expect(statusOfStat('WHATEVER')).toBe('unknown');
    expect(statusOfMessageState(2)).toBe('delivered');
    expect(statusOfMessageState(5)).toBe('undeliverable');
    expect(statusOfMessageState(99)).toBe('unknown');
  });

  it('compares ids without case or leading zeros', () => {
    expect(normalizeMessageId('000A1b')).toBe('a1b');
    expect(normalizeMessageId('0')).toBe('0');
  });
});
