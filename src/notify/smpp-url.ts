import type { SmppChannelOptions } from './smpp-channel.js';

/**
 * `smpp://system_id:password@host:port` (smpps:// for TLS) as channel
 * options. Credentials may be percent-encoded (a password with `@` or `:`).
 */
export function smppOptionsFromUrl(smppUrl: string, source: string): SmppChannelOptions {
  let url: URL;
  try {
    url = new URL(smppUrl);
  } catch {
    throw new Error('RABTA_SMPP_URL is not a URL; expected smpp://system_id:password@host:port');
  }
  if ((url.protocol !== 'smpp:' && url.protocol !== 'smpps:') || !url.username || !url.hostname) {
    throw new Error('RABTA_SMPP_URL must look like smpp://system_id:password@host:port');
  }
  return {
    host: url.hostname,
    port: Number(url.port || SMPP_PORT),
    tls: url.protocol === 'smpps:',
    systemId: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    source,
  };
}

/** SMPP's registered port (IANA), for a URL that names none. */
const SMPP_PORT = 2775;
