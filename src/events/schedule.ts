/**
 * When a failed delivery is tried again. The default is the schedule Standard
 * Webhooks senders commonly use (Svix): immediately, then 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h after each failure — eight attempts over about 27 h,
 * after which the delivery is a dead letter.
 */
export const DEFAULT_SCHEDULE_MS: readonly number[] = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

export interface RetryPolicy {
  /** delay before each attempt, counted from the previous failure; its length is the number of attempts */
  schedule: readonly number[];
  /** ± this fraction of each delay, at random, so that retries after an outage do not arrive in one wave */
  jitter: number;
  /** a receiver's Retry-After is honoured up to this */
  maxRetryAfterMs: number;
}

/** After `attempts` failed attempts: when to try next, or undefined when there are no attempts left. */
export function nextAttemptAt(policy: RetryPolicy, attempts: number, now: number, retryAfterMs: number | undefined, random: () => number = Math.random): number | undefined {
  const delay = policy.schedule[attempts];
  if (delay === undefined) return undefined;
  const jittered = delay * (1 + policy.jitter * (2 * random() - 1));
  const asked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return now + Math.round(Math.max(jittered, asked));
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
