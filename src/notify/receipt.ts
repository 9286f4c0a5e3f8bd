import type { DeliveryStatus } from './types.js';

/**
 * Delivery receipts as SMSCs write them (SMPP 3.4 Appendix B, which every
 * vendor follows loosely):
 *   id:0a1b2c sub:001 dlvrd:001 submit date:2511281200 done date:2511281201 stat:DELIVRD err:000 text:Your Rabta…
 * Only the fields before `text:` are read, since the text is the citizen's
 * message and may contain anything, including "id:".
 */

const STATS: ReadonlyArray<readonly [RegExp, DeliveryStatus]> = [
  [/^UNDELIV/, 'undeliverable'],
  [/^DELIV/, 'delivered'],
  [/^EXPIRED/, 'expired'],
  [/^DELETED/, 'deleted'],
  [/^ACCEPT/, 'accepted'],
  [/^REJECT/, 'rejected'],
  [/^ENROUTE/, 'enroute'],
];

/** The message_state TLV's values, for SMSCs that put the state there. */
const MESSAGE_STATES: Record<number, DeliveryStatus> = {
  1: 'enroute',
  2: 'delivered',
  3: 'expired',
  4: 'deleted',
  5: 'undeliverable',
  6: 'accepted',
  7: 'unknown',
  8: 'rejected',
};

export function statusOfStat(stat: string): DeliveryStatus {
  const upper = stat.toUpperCase();
  return STATS.find(([pattern]) => pattern.test(upper))?.[1] ?? 'unknown';
}

export function statusOfMessageState(state: number): DeliveryStatus {
  return MESSAGE_STATES[state] ?? 'unknown';
}

export interface ParsedReceipt {
  messageId?: string;
  stat?: string;
  errorCode?: string;
}

export function parseReceiptText(text: string): ParsedReceipt {
  const textAt = text.search(/\btext:/i);
  const fields = textAt < 0 ? text : text.slice(0, textAt);
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S+)`, 'i').exec(fields)?.[1];
  const result: ParsedReceipt = {};
  const messageId = field('id');
  const stat = field('stat');
  const errorCode = field('err');
  if (messageId !== undefined) result.messageId = messageId;
  if (stat !== undefined) result.stat = stat.toUpperCase();
  if (errorCode !== undefined) result.errorCode = errorCode;
  return result;
}

/**
 * A message id as the receipt look-up compares it: lower case, without
 * leading zeros, which covers SMSCs that pad or change case between
 * submit_sm_resp and the receipt. (Some also switch between hex and decimal;
 * that cannot be guessed safely — "4660" is valid both ways — so it is not.)
 */
export function normalizeMessageId(id: string): string {
  return id.toLowerCase().replace(/^0+(?=.)/, '');
}
