/**
 * Exchange rows summed in the database, the contract between the exchange
 * module (which owns the rows and sums them) and analytics (which rebuilds
 * its rollups from the sums without naming the exchange table's columns).
 */

/** One group of exchange rows: same period, client, service, outcome and latency bucket. */
export interface ExchangeGroup {
  /** 'h' for rows at or after `hourlyFrom`, else 'd' */
  grain: 'd' | 'h';
  /** the hour's or the day's start, unix ms */
  period: number;
  client_id: string;
  service_id: string;
  outcome: string;
  /** index of the first bound the duration is at most; bounds.length when above them all */
  bucket: number;
  n: number;
  /** the sum of the durations, ms */
  ms: number;
}

export interface ExchangeGroupQuery {
  from: number;
  to: number;
  /** rows from here on are grouped by hour, older ones by day */
  hourlyFrom: number;
  /** ascending upper bounds of the duration buckets, ms */
  bounds: readonly number[];
}
