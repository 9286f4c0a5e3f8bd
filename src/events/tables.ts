import type { Generated } from 'kysely';

/**
 * Rows of the events module. Times are Unix milliseconds; booleans 0/1. The
 * payload is kept (for delivery, pull and replay) only as long as the topic's
 * retention; the ledger holds a commitment to its digest, never the payload.
 */
export interface TopicRow {
  id: string;
  subsystem_id: string;
  code: string;
  title: string;
  /** the JSON Schema, as JSON text */
  schema: string;
  /** SHA-256 of the schema text, hex: what the journal records */
  schema_digest: string;
  /** bumped on every change, so nodes recompile a validator only when it changed */
  version: number;
  personal: number;
  subject_path: string | null;
  ordering_key_path: string | null;
  retention_days: number;
  created_at: number;
  updated_at: number;
}

export interface TopicAccessRow {
  id: string;
  topic_id: string;
  subscriber_id: string;
  /** JSON array of purpose codes */
  purposes: string;
  created_at: number;
}

export interface EventRow {
  id: string;
  topic_id: string;
  publisher_id: string;
  at: number;
  purpose: string | null;
  legal_basis: string | null;
  ordering_key: string | null;
  idempotency_key: string | null;
  /** the body exactly as the publisher signed it */
  payload: string;
  payload_digest: string;
}

export type SubscriptionMode = 'webhook' | 'pull';
export type SubscriptionStatus = 'active' | 'disabled' | 'deleted';

export interface SubscriptionRow {
  id: string;
  topic_id: string;
  subscriber_id: string;
  mode: SubscriptionMode;
  url: string | null;
  /** `whsec_…`; the instance must sign with it, so it is kept as given out */
  secret: string | null;
  /** JSON object of field path → value, all of which must equal the event's */
  filter: string | null;
  status: SubscriptionStatus;
  /** pull: the last acknowledged delivery id */
  cursor: number;
  consecutive_dead: number;
  failing_since: number | null;
  last_success_at: number | null;
  disabled_at: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'cancelled';

export interface DeliveryRow {
  /** also the order of deliveries within a subscription, and a pull cursor */
  id: Generated<number>;
  event_id: string;
  subscription_id: string;
  status: DeliveryStatus;
  attempts: number;
  /** when a worker may next attempt it; null for pull deliveries, which no worker claims */
  next_at: number | null;
  locked_until: number | null;
  locked_by: string | null;
  ordering_key: string | null;
  /** the event's time, copied so that ranges of deliveries need no join */
  created_at: number;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  dead_at: number | null;
}

export interface DeliveryAttemptRow {
  id: Generated<number>;
  delivery_id: number;
  attempt: number;
  at: number;
  duration_ms: number;
  /** the receiver's HTTP status, or null when there was no response */
  status: number | null;
  /** a problem code when there was no 2xx: `http-503`, `upstream-timeout`, `egress-refused`, … */
  error: string | null;
  worker: string;
}

/** What a member is told about its subscriptions (e.g. one was disabled). */
export interface EventNoticeRow {
  id: Generated<number>;
  member_id: string;
  at: number;
  kind: string;
  subscription_id: string;
  detail: string;
}

/** What a personal topic's subjects are told by SMS (see notice-rules.ts). */
export interface NoticeRuleRow {
  topic_id: string;
  text_ur: string;
  text_en: string;
  status_reply: number;
  created_at: number;
  updated_at: number;
}

export interface EventsTables {
  topics: TopicRow;
  topic_access: TopicAccessRow;
  events: EventRow;
  event_subscriptions: SubscriptionRow;
  event_deliveries: DeliveryRow;
  event_delivery_attempts: DeliveryAttemptRow;
  event_notices: EventNoticeRow;
  topic_notice_rules: NoticeRuleRow;
}
