import type { Config } from '../config/index.js';
import type { CitizenMessenger } from '../consent/index.js';
import { renderCitizenMessage } from '../consent/messages.js';
import type { Egress } from '../egress/index.js';
import { createConsoleChannel, createHttpChannel, createSmppChannel } from '../notify/index.js';
import type { HttpChannel, Notifier, SmsChannel } from '../notify/index.js';

export function isHttpChannel(channel: SmsChannel): channel is HttpChannel {
  return 'handleInbound' in channel;
}

/**
 * The SMS channel the configuration names: an SMPP link (RABTA_SMPP_URL), an
 * HTTP gateway reached through the egress policy (RABTA_SMS_HTTP_URL), or the
 * console for development.
 */
export function smsChannelFromConfig(config: Config, egress: Egress): SmsChannel | HttpChannel {
  if (!config.smppUrl && config.smsHttpUrl) {
    return createHttpChannel({
      url: config.smsHttpUrl,
      inboundSecret: config.smsHttpSecret as string,
      fetch: async (url, init) => {
        const response = await egress.call({ url, method: init.method, headers: init.headers, body: Buffer.from(init.body), timeoutMs: 10_000 });
        return { status: response.status, text: async () => Buffer.from(response.body).toString('utf8') };
      },
    });
  }
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
