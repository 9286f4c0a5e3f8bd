import { encodeSms } from './encoding.js';
import { assertE164, maskPhone } from './phone.js';
import type { InboundHandler, OutboundSms, SendResult, SmsChannel } from './types.js';

/**
 * Development only: each SMS is printed (codes included, which is the point —
 * the demo can be used without a gateway), the number masked. `inject` plays
 * a citizen's reply into the inbound handler.
 */

export interface ConsoleChannel extends SmsChannel {
  /** As if `from` had sent `text`; resolves when the inbound handler is done. */
  inject(from: string, text: string): Promise<void>;
}

export function createConsoleChannel(options: { write?: (line: string) => void; now?: () => number } = {}): ConsoleChannel {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  let inboundHandler: InboundHandler | undefined;
  let sent = 0;

  return {
    async send(message: OutboundSms): Promise<SendResult> {
      assertE164(message.to);
      const encoded = encodeSms(message.text, { reference: 0 });
      const count = encoded.parts.length;
      write(`[sms to ${maskPhone(message.to)}, ${encoded.encoding}, ${count} part${count === 1 ? '' : 's'}] ${message.text}`);
      const messageIds = encoded.parts.map(() => `console-${++sent}`);
      return { messageIds, parts: count, encoding: encoded.encoding };
    },
    onInbound(handler) {
      if (inboundHandler) throw new Error('This SMS channel already has its inbound handler');
      inboundHandler = handler;
    },
    async inject(from, text) {
      if (!inboundHandler) throw new Error('No inbound handler is registered');
      write(`[sms from ${maskPhone(from)}] ${text}`);
      await inboundHandler({ from, text, receivedAt: now() });
    },
    async close() {},
  };
}
