import type { Config } from '../config/index.js';
import type { CitizenMessenger } from '../consent/index.js';
import { renderCitizenMessage } from '../consent/messages.js';
import { createConsoleChannel, createSmppChannel } from '../notify/index.js';
import type { Notifier, SmsChannel } from '../notify/index.js';

/** The SMS channel the configuration names: an SMPP link when RABTA_SMPP_URL is set, else the console. */
export function smsChannelFromConfig(config: Config): SmsChannel {
  if (!config.smppUrl) return createConsoleChannel({ write: (line) => process.stdout.write(`${line}\n`) });
  const url = new URL(config.smppUrl);
  return createSmppChannel({
    host: url.hostname,
    port: Number(url.port || 2775),
    tls: url.protocol === 'smpps:',
    systemId: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    source: config.smsSource,
  });
}

/** The consent module's messenger over the notify module: its texts, split and encoded for SMS. */
export function notifierMessenger(notifier: Notifier): CitizenMessenger {
  return {
    async send(mobile, language, template, params) {
      await notifier.send(mobile, renderCitizenMessage(language, template, params));
    },
  };
}
