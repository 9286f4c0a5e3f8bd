import { describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { assertE164, isE164, maskPhone } from './phone.js';

describe('phone numbers', () => {
  it('masks all but the country and network prefix and the last three digits', () => {
    expect(maskPhone('+923001234567')).toBe('+92300****567');
    expect(maskPhone('923001234567')).toBe('92300****567');
    expect(maskPhone('RABTA')).toBe('*****');
    expect(maskPhone('03001234567 HAAN')).not.toContain('1234');
  });

  it('accepts only E.164 destinations, without echoing the number', () => {
    expect(isE164('+923001234567')).toBe(true);
    expect(isE164('03001234567')).toBe(false);
    expect(() => assertE164('03001234567')).toThrow(RabtaError);
    expect(() => assertE164('03001234567')).not.toThrow(/0300/);
  });
});
