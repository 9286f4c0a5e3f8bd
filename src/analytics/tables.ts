import type { ColumnType } from 'kysely';

/**
 * The analytics module's own tables. Nothing personal: member, service, topic
 * and category ids, district codes, counts and durations.
 */
export interface RollupRow {
  /** 'd' (UTC day) or 'h' (UTC hour) */
  grain: string;
  /** the period's start, unix ms */
  period: number;
  /** what is counted, e.g. `exchange.call` (see facts.ts) */
  measure: string;
  /** the institution (member id) the figure belongs to */
  member: string;
  /** the other institution of a pair, or '' */
  peer: string;
  /** a service, topic, category, outcome or latency bucket, or '' */
  dimension: string;
  /** a census district code (cases), or '' */
  district: string;
  n: number;
  /** how many of n succeeded (what success means depends on the measure) */
  good: number;
  /** the sum of the durations of n, in ms */
  ms: number;
}

/** The start of something whose end is measured later (a consent request, an opened case). */
export interface OpenItemRow {
  kind: string;
  id: string;
  member: string;
  /** the other institution (a consent's provider), or '' */
  peer: ColumnType<string, string | undefined, string>;
  at: number;
}

/** Facts that arrive more than once (case events are published per institution; retries) are counted once. */
export interface SeenRow {
  key: string;
}

export interface CursorRow {
  name: string;
  position: number;
}

export interface ReleaseRow {
  version: string;
  published_at: number;
  /** sha256 hex of the release's datapackage.json, the bytes the ledger leaf commits to */
  digest: string;
  /** the file name → bytes (base64) of the release, JSON */
  files: string;
}

export interface AnalyticsTables {
  analytics_rollups: RollupRow;
  analytics_open_items: OpenItemRow;
  analytics_seen: SeenRow;
  analytics_cursors: CursorRow;
  analytics_releases: ReleaseRow;
}
