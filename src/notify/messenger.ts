import type { Language } from '../core/index.js';
import { maskPhone } from './phone.js';
import { renderCitizenMessage } from './templates.js';
import type { CitizenTemplate, CitizenTemplateParams } from './templates.js';
import { silentLogger } from './types.js';
import type { NotifyLogger, SmsChannel } from './types.js';

export type CitizenRenderer = <K extends CitizenTemplate>(language: Language, template: K, params: CitizenTemplateParams[K]) => string;

/**
 * How consent and citizens reach a citizen's phone: they say which template,
 * in which language, with which values; `smsMessenger` renders it and hands it
 * to a channel (SMPP/HTTP gateways, UCS-2 splitting).
 */
export interface CitizenMessenger {
  send<K extends CitizenTemplate>(mobile: string, language: Language, template: K, params: CitizenTemplateParams[K]): Promise<void>;
}

/** A text decided inside a transaction and sent once it has committed; `notificationId` is its row in the citizen's history. */
export interface Outgoing<K extends CitizenTemplate = CitizenTemplate> {
  mobile: string;
  language: Language;
  template: K;
  params: CitizenTemplateParams[K];
  notificationId: string | null;
}

export interface SentMessage {
  mobile: string;
  language: Language;
  template: CitizenTemplate;
  params: Record<string, string>;
  text: string;
}

export interface MemoryMessenger extends CitizenMessenger {
  readonly sent: SentMessage[];
  /** the last message to a number, optionally of one template */
  last(mobile: string, template?: CitizenTemplate): SentMessage | undefined;
  clear(): void;
}

/** Keeps what was sent, for tests (they read OTPs and reply codes from it). */
export function memoryMessenger(): MemoryMessenger {
  const sent: SentMessage[] = [];
  return {
    sent,
    async send(mobile, language, template, params) {
      sent.push({ mobile, language, template, params: { ...params } as Record<string, string>, text: renderCitizenMessage(language, template, params) });
    },
    last(mobile, template) {
      for (let i = sent.length - 1; i >= 0; i--) {
        const message = sent[i] as SentMessage;
        if (message.mobile === mobile && (template === undefined || message.template === template)) return message;
      }
      return undefined;
    },
    clear() {
      sent.length = 0;
    },
  };
}

/**
 * Development only: prints each SMS (codes included) so the embedded demo can
 * be used without a gateway. The number is masked; the text is not.
 */
export function consoleMessenger(write: (line: string) => void = (line) => process.stdout.write(line)): CitizenMessenger {
  return {
    async send(mobile, language, template, params) {
      write(`[sms to ${maskPhone(mobile)}] ${renderCitizenMessage(language, template, params)}\n`);
    },
  };
}

/**
 * A messenger over an SMS channel. The wording is the one template set
 * (`renderCitizenMessage`), so what the citizen reads on the phone is what
 * the notification history and the tests show; the channel only decides
 * encoding and parts.
 *
 * Logs carry the masked number, template, language and parts — never the
 * text or its parameters, which hold sign-in codes, reply codes and CNICs.
 */
export function smsMessenger(channel: SmsChannel, render: CitizenRenderer = renderCitizenMessage, logger: NotifyLogger = silentLogger): CitizenMessenger {
  return {
    async send(mobile, language, template, params) {
      const text = render(language, template, params);
      try {
        const result = await channel.send({ to: mobile, text });
        logger.info({ to: maskPhone(mobile), template, language, parts: result.parts, encoding: result.encoding }, 'SMS sent');
      } catch (error) {
        logger.warn({ to: maskPhone(mobile), template, language, error: (error as Error).message }, 'SMS not sent');
        throw error;
      }
    },
  };
}
