import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { createConsoleChannel } from './console-channel.js';
import { createNotifier } from './notifier.js';
import type { InboundMessage, NotifyLogger, OutboundSms, SmsChannel } from './types.js';

function pinoLines(): { logger: NotifyLogger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  // The notifier takes pino as it is.
  return { logger: pino({ level: 'debug' }, sink), text: () => chunks.join('') };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('notifier', () => {
  it('renders a template, sends it, and logs the masked number — never the text, code or CNIC', async () => {
    const lines: string[] = [];
    const log = pinoLines();
    const notifier = createNotifier({ channel: createConsoleChannel({ write: (line) => lines.push(line) }), logger: log.logger });
    const result = await notifier.sendTemplate('+923001234567', 'ur', 'consent-request', {
      consumer: 'HBL',
      provider: 'NADRA',
      purpose: 'کھاتہ کھولنا',
      cnic: '35202-1234567-1',
      code: '4821',
    });
    expect(result).toMatchObject({ encoding: 'ucs2', parts: 3 });
    expect(lines[0]).toMatch(/^\[sms to \+92300\*\*\*\*567, ucs2, 3 parts\] رابطہ: HBL/);
    await notifier.sendTemplate('+923001234567', 'en', 'otp', { code: '909182', minutes: 5 });
    await settle();
    const logged = log.text();
    expect(logged).toContain('+92300****567');
    expect(logged).toContain('"template":"consent-request"');
    expect(logged).toContain('"parts":3');
    expect(logged).not.toMatch(/923001234567|909182|4821|1234567|35202|HBL|code is/);
  });

  it('sends plain text, with a reference, and refuses empty text or a local number', async () => {
    const sent: OutboundSms[] = [];
    const channel: SmsChannel = {
      async send(message) {
        sent.push(message);
        return { messageIds: ['m1'], parts: 1, encoding: 'gsm7' };
      },
      onInbound() {},
      async close() {},
    };
    const notifier = createNotifier({ channel });
    await notifier.send('+923001234567', 'Hello', { reference: 'r-9' });
    expect(sent).toEqual([{ to: '+923001234567', text: 'Hello', reference: 'r-9' }]);
    await expect(notifier.send('+923001234567', '  ')).rejects.toMatchObject({ code: 'bad-request' });
    await expect(notifier.send('0300-1234567', 'Hello')).rejects.toMatchObject({ code: 'bad-request' });
    await expect(notifier.sendTemplate('+923001234567', 'en', 'otp', { code: '1' } as never)).rejects.toThrow(/minutes/);
    expect(sent).toHaveLength(1);
  });

  it('logs a failed send by its problem code and passes the error on', async () => {
    const log = pinoLines();
    const channel: SmsChannel = {
      send: () => Promise.reject(new RabtaError('unavailable', 'The SMS centre could not be reached')),
      onInbound() {},
      async close() {},
    };
    const notifier = createNotifier({ channel, logger: log.logger });
    await expect(notifier.sendTemplate('+923001234567', 'en', 'otp', { code: '555111', minutes: 5 })).rejects.toMatchObject({ code: 'unavailable' });
    await settle();
    expect(log.text()).toContain('"code":"unavailable"');
    expect(log.text()).not.toContain('555111');
  });

  it('routes inbound messages from every channel to the one handler', async () => {
    const smppLike = createConsoleChannel({ write: () => {} });
    const gatewayLike = createConsoleChannel({ write: () => {} });
    const notifier = createNotifier({ channel: smppLike, receiveAlsoFrom: [gatewayLike] });
    const inbound: InboundMessage[] = [];
    notifier.onInbound(async (message) => {
      inbound.push(message);
    });
    expect(() => notifier.onInbound(async () => {})).toThrow(/already/);
    await smppLike.inject('+923001234567', 'HAAN 4821');
    await gatewayLike.inject('+923009876543', 'واپس 4821');
    expect(inbound.map((m) => [m.from, m.text])).toEqual([
      ['+923001234567', 'HAAN 4821'],
      ['+923009876543', 'واپس 4821'],
    ]);
    await notifier.close();
  });
});
