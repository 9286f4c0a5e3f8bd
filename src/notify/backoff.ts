export interface BackoffOptions {
  /** first delay, milliseconds */
  initialMs?: number;
  /** ceiling, milliseconds */
  maxMs?: number;
  factor?: number;
  /** share of each delay that is random, 0..1 */
  jitter?: number;
}

/**
 * The wait before reconnect attempt `attempt` (0-based): exponential up to a
 * ceiling, then shortened by a random share so that many Rabta nodes cut off
 * by one SMSC restart do not all knock on it at the same instant.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(Math.max(options.jitter ?? 0.5, 0), 1);
  const base = Math.min(max, initial * factor ** Math.min(attempt, 64));
  return Math.round(base * (1 - jitter * random()));
}
