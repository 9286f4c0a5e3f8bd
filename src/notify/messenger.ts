import type { CitizenMessenger, CitizenTemplate, CitizenTemplateParams, Language } from '../consent/index.js';
import { renderCitizenMessage } from '../consent/index.js';
import { maskPhone } from './phone.js';
import { silentLogger } from './types.js';
import type { NotifyLogger, SmsChannel } from './types.js';

export type CitizenRenderer = <K extends CitizenTemplate>(language: Language, template: K, params: CitizenTemplateParams[K]) => string;

/**
 * The consent module's messenger over an SMS channel. The wording stays the
 * consent module's (`renderCitizenMessage`), so what the citizen reads on the
 * phone is what the notification history and the tests show; the channel
 * only decides encoding and parts.
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
