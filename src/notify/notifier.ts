import { RabtaError } from '../core/index.js';
import { assertE164, maskPhone } from './phone.js';
import { templates as defaultTemplates } from './templates.js';
import type { Language, TemplateKey, TemplateParams, Templates } from './templates.js';
import { silentLogger } from './types.js';
import type { InboundHandler, NotifyLogger, ReceiptHandler, SendResult, SmsChannel } from './types.js';

export interface NotifierOptions {
  /** the channel messages go out on */
  channel: SmsChannel;
  templates?: Templates;
  /** further channels whose inbound messages reach the same one handler (an HTTP gateway beside the SMPP link) */
  receiveAlsoFrom?: readonly SmsChannel[];
  logger?: NotifyLogger;
}

export interface SendOptions {
  /** the caller's id for the message, echoed on delivery receipts */
  reference?: string;
}

export interface Notifier {
  sendTemplate<K extends TemplateKey>(to: string, language: Language, key: K, params: TemplateParams[K], options?: SendOptions): Promise<SendResult>;
  send(to: string, text: string, options?: SendOptions): Promise<SendResult>;
  /** THE handler of citizens' messages, from every channel. */
  onInbound(handler: InboundHandler): void;
  onDeliveryReceipt(handler: ReceiptHandler): void;
  close(): Promise<void>;
}

/**
 * What the rest of the platform uses to reach citizens. Logs say which phone
 * (masked), which template, how many parts — never the text or the
 * parameters, which hold sign-in codes, reply codes and CNICs.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const { channel } = options;
  const templates = options.templates ?? defaultTemplates;
  const logger = options.logger ?? silentLogger;
  const receivers = [channel, ...(options.receiveAlsoFrom ?? [])];

  async function deliver(to: string, text: string, what: { template?: TemplateKey; language?: Language }, sendOptions: SendOptions = {}): Promise<SendResult> {
    assertE164(to);
    if (text.trim() === '') throw new RabtaError('bad-request', 'An SMS needs some text');
    try {
      const result = await channel.send({ to, text, ...(sendOptions.reference === undefined ? {} : { reference: sendOptions.reference }) });
      logger.info({ to: maskPhone(to), ...what, parts: result.parts, encoding: result.encoding, messageIds: result.messageIds }, 'SMS sent');
      return result;
    } catch (error) {
      const code = error instanceof RabtaError ? error.code : 'internal';
      logger.warn({ to: maskPhone(to), ...what, code }, 'SMS not sent');
      throw error;
    }
  }

  return {
    async sendTemplate(to, language, key, params, sendOptions) {
      const text = templates.render(key, language, params);
      return deliver(to, text, { template: key, language }, sendOptions);
    },
    async send(to, text, sendOptions) {
      return deliver(to, text, {}, sendOptions);
    },
    onInbound(handler) {
      for (const receiver of receivers) receiver.onInbound(handler);
    },
    onDeliveryReceipt(handler) {
      for (const receiver of receivers) receiver.onDeliveryReceipt?.(handler);
    },
    async close() {
      await Promise.all(receivers.map((receiver) => receiver.close()));
    },
  };
}
