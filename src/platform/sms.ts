import type { Config } from '../config/index.js';
import type { Egress } from '../egress/index.js';
import { createConsoleChannel, createHttpChannel, createSmppChannel, smppOptionsFromUrl } from '../notify/index.js';
import type { HttpChannel, SmsChannel } from '../notify/index.js';

export function isHttpChannel(channel: SmsChannel): channel is HttpChannel {
  return 'handleInbound' in channel;
}

/**
 * The SMS channel the configuration names (RABTA_SMS, validated by loadConfig):
 * an SMPP link (RABTA_SMPP_URL), an HTTP gateway reached through the egress
 * policy (RABTA_SMS_HTTP_URL), or the console for development.
 */
export function smsChannelFromConfig(config: Config, egress: Egress): SmsChannel | HttpChannel {
  if (config.sms === 'http' && config.smsHttpUrl) {
    return createHttpChannel({
      url: config.smsHttpUrl,
      inboundSecret: config.smsHttpSecret as string,
      fetch: async (url, init) => {
        const response = await egress.call({ url, method: init.method, headers: init.headers, body: Buffer.from(init.body), timeoutMs: 10_000 });
        return { status: response.status, text: async () => Buffer.from(response.body).toString('utf8') };
      },
    });
  }
  if (config.sms !== 'smpp' || !config.smppUrl) return createConsoleChannel({ write: (line) => process.stdout.write(`${line}\n`) });
  return createSmppChannel(smppOptionsFromUrl(config.smppUrl, config.smsSource));
}
