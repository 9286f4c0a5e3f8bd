import { describe, expect, it } from 'vitest';
import { normalizeMobile } from './mobile.js';

describe('mobile numbers', () => {
  it.each([
    ['03001234567', '+923001234567'],
    ['0300-1234567', '+923001234567'],
    ['923001234567', '+923001234567'],
    ['+92 300 1234567', '+923001234567'],
    ['00923001234567', '+923001234567'],
    ['+447700900123', '+447700900123'],
  ])('%s → %s', (input, e164) => expect(normalizeMobile(input)).toBe(e164));

  it.each(['12', 'abc', '+0123456789', '0300123'])('refuses %s', (input) => expect(normalizeMobile(input)).toBeUndefined());
});
