// No imports: the configuration validates RABTA_SMS with this without loading any channel.

export const SMS_CHANNEL_KINDS = ['console', 'smpp', 'http'] as const;
export type SmsChannelKind = (typeof SMS_CHANNEL_KINDS)[number];

export function isSmsChannelKind(value: string): value is SmsChannelKind {
  return (SMS_CHANNEL_KINDS as readonly string[]).includes(value);
}

/**
 * Which channel the settings ask for. RABTA_SMS names it; when it is unset,
 * a configured RABTA_SMPP_URL (or RABTA_SMS_HTTP_URL) is taken to mean that
 * link — an operator who gave an SMSC's address should not find the codes
 * printed on a console instead — and otherwise it is the console.
 */
export function smsChannelKind(env: Record<string, string | undefined>): SmsChannelKind {
  const named = env.RABTA_SMS?.trim().toLowerCase();
  if (named) {
    if (!isSmsChannelKind(named)) throw new Error(`RABTA_SMS must be one of ${SMS_CHANNEL_KINDS.join(', ')}`);
    return named;
  }
  if (env.RABTA_SMPP_URL) return 'smpp';
  if (env.RABTA_SMS_HTTP_URL) return 'http';
  return 'console';
}
