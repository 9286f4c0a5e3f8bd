/**
 * Deadlines in working days. Pakistan's offices keep Pakistan time (UTC+5,
 * no daylight saving), close on Saturday and Sunday, and on public holidays:
 * the fixed national ones below are seeded, the lunar ones (Eid, Ashura,
 * Eid Milad-un-Nabi) are announced each year and added by the authority.
 *
 * For demos and tests the clock is compressible: with `dayMs` set, a working
 * day lasts that many milliseconds of wall-clock time and weekends and
 * holidays are not skipped, so a "3 working day" deadline passes in seconds.
 */
export const NATIONAL_HOLIDAYS: ReadonlyArray<readonly [string, string]> = [2026, 2027].flatMap((year) => [
  [`${year}-02-05`, 'Kashmir Solidarity Day'],
  [`${year}-03-23`, 'Pakistan Day'],
  [`${year}-05-01`, 'Labour Day'],
  [`${year}-05-28`, 'Youm-e-Takbeer'],
  [`${year}-08-14`, 'Independence Day'],
  [`${year}-11-09`, 'Iqbal Day'],
  [`${year}-12-25`, 'Quaid-e-Azam Day'],
] as const);

const DAY = 86_400_000;
const PKT = 5 * 3_600_000;

export interface CalendarOptions {
  /** a compressed working day in ms (demo and tests); undefined: the real calendar */
  dayMs?: number | undefined;
}

export interface Calendar {
  /** the instant `days` working days after `from` (fractions allowed); holidays as YYYY-MM-DD in Pakistan time */
  addWorkingDays(from: number, days: number, holidays: ReadonlySet<string>): number;
  readonly compressed: boolean;
  /** how long one working day lasts, in ms of wall-clock time */
  readonly dayMs: number;
}

export function pakistanDay(ms: number): string {
  return new Date(ms + PKT).toISOString().slice(0, 10);
}

export function isWorkingDay(ms: number, holidays: ReadonlySet<string>): boolean {
  const weekday = new Date(ms + PKT).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(pakistanDay(ms));
}

export function createCalendar(options: CalendarOptions = {}): Calendar {
  const dayMs = options.dayMs;
  if (dayMs !== undefined) {
    return { compressed: true, dayMs, addWorkingDays: (from, days) => from + Math.round(days * dayMs) };
  }
  return {
    compressed: false,
    dayMs: DAY,
    addWorkingDays(from, days, holidays) {
      // Whole working days keep the time of day; a fraction is added as hours of the last one.
      let at = from;
      let whole = Math.floor(days);
      while (whole > 0) {
        at += DAY;
        if (isWorkingDay(at, holidays)) whole--;
      }
      const fraction = days - Math.floor(days);
      return at + Math.round(fraction * DAY);
    },
  };
}
