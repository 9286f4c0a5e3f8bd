/** Calendar days as whole numbers (days since 1970-01-01, UTC), so that series are plain arrays. */

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number of YYYY-MM-DD, or undefined if it is not a real calendar date. */
export function parseDay(text: string): number | undefined {
  const m = ISO_DAY.exec(text);
  if (m === null) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms / DAY_MS;
}

export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday */
export function weekday(day: number): number {
  // 1970-01-01 was a Thursday
  return (((day + 4) % 7) + 7) % 7;
}
