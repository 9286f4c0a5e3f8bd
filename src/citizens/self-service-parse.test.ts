import { describe, expect, it } from 'vitest';
import { parseSelfService } from './self-service-parse.js';

describe('self-service forms', () => {
  it.each(['status', 'STATUS?', 'halat', 'hallat', 'paisay', 'اسٹیٹس', 'رقم', 'کفالت', 'حالت؟'])('%s asks for status', (text) => {
    expect(parseSelfService(text)).toEqual({ kind: 'status' });
  });
  it.each([
    ['BAND', '*'], ['STOP', '*'], ['band karo', '*'], ['بند', '*'],
    ['BAND BISP', 'BISP'], ['band karo bisp', 'BISP'], ['بند BISP', 'BISP'], ['بند بی آئی ایس پی', 'BISP'], ['STOP HBL.', 'HBL'],
  ])('%s stops %s', (text, institution) => {
    expect(parseSelfService(text)).toEqual({ kind: 'stop', institution });
  });
  it('takes an Urdu name as typed, to match against the registry', () => {
    expect(parseSelfService('بند بینظیر انکم سپورٹ پروگرام')).toMatchObject({ kind: 'stop' });
    expect(parseSelfService('SHURU BISP')).toEqual({ kind: 'start', institution: 'BISP' });
  });
});
