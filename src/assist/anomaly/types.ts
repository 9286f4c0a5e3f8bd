/** One day's count for one district and metric: a row of the input CSV. */
export interface DailyCount {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly district: string;
  readonly metric: string;
  readonly value: number;
}

/** A point the detector flags: what was seen, what was expected, and how far off in noise units. */
export interface FlaggedPoint {
  readonly date: string;
  readonly district: string;
  readonly metric: string;
  readonly value: number;
  /** the baseline for that day, after the day's common factor across districts */
  readonly expected: number;
  /** signed robust z-score (positive: above the baseline) */
  readonly score: number;
}

export interface DetectorOptions {
  /** trailing days whose median is the level */
  readonly levelWindow: number;
  /** trailing days whose residuals set the series' noise scale */
  readonly scaleWindow: number;
  /** |score| at or above which a single day is flagged */
  readonly spikeZ: number;
  /** |score| at or above which two consecutive days (same sign) are flagged */
  readonly runZ: number;
  /** |score| at or above which a day counts towards a level shift */
  readonly shiftZ: number;
  /** elevated days (same sign, at most one gap) after which the level is re-based: longer than any burst */
  readonly shiftDays: number;
  /** how much of the robust slope (last window against the one before) is projected; 0 turns trend off */
  readonly trendWeight: number;
  /** fewer districts than this for a metric and day: no peer comparison that day */
  readonly minPeers: number;
}

export const DEFAULT_OPTIONS: DetectorOptions = {
  levelWindow: 28,
  scaleWindow: 56,
  spikeZ: 5,
  runZ: 3.5,
  shiftZ: 2,
  shiftDays: 6,
  trendWeight: 0.5,
  minPeers: 5,
};
