import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';

describe('RABTA_SMS in the configuration', () => {
  it('defaults to the console, or to the link whose URL is given', () => {
    expect(loadConfig({}).sms).toBe('console');
    expect(loadConfig({ RABTA_SMPP_URL: 'smpp://rabta:pw@127.0.0.1:2775' }).sms).toBe('smpp');
    expect(loadConfig({ RABTA_SMS: 'console', RABTA_SMPP_URL: 'smpp://rabta:pw@127.0.0.1:2775' }).sms).toBe('console');
    // The short code by default: an alphanumeric sender cannot receive replies (issue 18).
    expect(loadConfig({}).smsSource).toBe('9988');
    expect(loadConfig({}).smsShortCode).toBe('9988');
  });

  it('refuses an unknown channel, a channel without its URL, and an impossible sender', () => {
    expect(() => loadConfig({ RABTA_SMS: 'fax' })).toThrow(/RABTA_SMS must be one of console, smpp, http/);
    expect(() => loadConfig({ RABTA_SMS: 'smpp' })).toThrow(/RABTA_SMS=smpp needs RABTA_SMPP_URL/);
    expect(() => loadConfig({ RABTA_SMS: 'http' })).toThrow(/RABTA_SMS=http needs RABTA_SMS_HTTP_URL/);
    expect(() => loadConfig({ RABTA_SMS_SOURCE: 'RABTA-GOVERNMENT' })).toThrow(/RABTA_SMS_SOURCE/);
    expect(loadConfig({ RABTA_SMS_SOURCE: '8171' }).smsSource).toBe('8171');
  });
});
