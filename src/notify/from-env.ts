import { createConsoleChannel } from './console-channel.js';
import { createSmppChannel } from './smpp-channel.js';
import type { SmppChannelOptions } from './smpp-channel.js';
import type { NotifyLogger, SmsChannel } from './types.js';
import { smsChannelKind } from './channel-kind.js';

/**
 * `smpp://system_id:password@host:port` (smpps:// for TLS) as channel
 * options. Credentials may be percent-encoded (a password with `@` or `:`).
 */
export function smppOptionsFromUrl(smppUrl: string, source: string): SmppChannelOptions {
  let url: URL;
  try {
    url = new URL(smppUrl);
  } catch {
    throw new Error('RABTA_SMPP_URL is not a URL; expected smpp://system_id:password@host:2775');
  }
  if ((url.protocol !== 'smpp:' && url.protocol !== 'smpps:') || !url.username || !url.hostname) {
    throw new Error('RABTA_SMPP_URL must look like smpp://system_id:password@host:2775');
  }
  return {
    host: url.hostname,
    port: Number(url.port || 2775),
    tls: url.protocol === 'smpps:',
    systemId: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    source,
  };
}

export interface FromEnvOptions {
  logger?: NotifyLogger;
  /** where the console channel prints; default stdout */
  write?: (line: string) => void;
  /** overrides for the SMPP link (timeouts in tests) */
  smpp?: Partial<SmppChannelOptions>;
}

/**
 * RABTA_SMS=console|smpp (see smsChannelKind), RABTA_SMPP_URL, RABTA_SMS_SOURCE
 * (default RABTA). The HTTP gateway is not built here: its requests must go
 * through the platform's egress policy, so the platform builds it.
 */
export function createSmsChannelFromEnv(env: Record<string, string | undefined>, options: FromEnvOptions = {}): SmsChannel {
  const kind = smsChannelKind(env);
  if (kind === 'console') return createConsoleChannel(options.write ? { write: options.write } : {});
  if (kind === 'http') throw new Error('RABTA_SMS=http: the HTTP gateway is built by the platform (it goes through the egress policy)');
  if (!env.RABTA_SMPP_URL) throw new Error('RABTA_SMS=smpp needs RABTA_SMPP_URL');
  return createSmppChannel({
    ...smppOptionsFromUrl(env.RABTA_SMPP_URL, env.RABTA_SMS_SOURCE || 'RABTA'),
    ...(options.logger ? { logger: options.logger } : {}),
    ...options.smpp,
  });
}
