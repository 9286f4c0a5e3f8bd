import { maskMobile } from './mobile.js';
import { renderCitizenMessage } from './messages.js';
import type { CitizenTemplate, CitizenTemplateParams } from './messages.js';
import type { Language } from './tables.js';

/**
 * How the consent module reaches a citizen's phone. The platform adapts the
 * notify module (SMPP/HTTP gateways, UCS-2 splitting) to this; the module
 * itself only says which template, in which language, with which values.
 */
export interface CitizenMessenger {
  send<K extends CitizenTemplate>(mobile: string, language: Language, template: K, params: CitizenTemplateParams[K]): Promise<void>;
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
      write(`[sms to ${maskMobile(mobile)}] ${renderCitizenMessage(language, template, params)}\n`);
    },
  };
}
