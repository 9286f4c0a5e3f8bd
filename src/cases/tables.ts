import type { Generated } from 'kysely';

/**
 * Rows of the cases module. Times are Unix milliseconds; booleans 0/1. The
 * citizen's text (case text, citizen-visible notes) lives only here: the
 * ledger holds salted commitments to state changes, never the text.
 */
export interface CaseCategoryRow {
  code: string;
  name_en: string;
  name_ur: string;
  description_en: string;
  /** the member that leads a case of this category unless the intake names another; null: triage decides */
  lead_member: string | null;
  /** working days until the lead must respond, and until the case must be resolved */
  first_response_days: number;
  resolution_days: number;
  /** Open311's `group` */
  group_name: string;
  active: number;
  created_at: number;
  updated_at: number;
}

export interface CaseHolidayRow {
  /** YYYY-MM-DD in Pakistan time */
  date: string;
  name: string;
}

export interface CaseEscalationLevelRow {
  member_id: string;
  /** 1 = the officer role, then up to the head */
  level: number;
  role: string;
}

export interface CaseCounterRow {
  year: number;
  next: number;
}

export interface CaseRow {
  id: string;
  reference: string;
  category: string | null;
  state: string;
  /** why a case was rejected (the citizen reads it), or transferred / marked duplicate */
  state_reason: string | null;
  lead_member: string | null;
  anonymous: number;
  subject_hash: string | null;
  masked_cnic: string | null;
  mobile: string | null;
  language: string;
  district: string | null;
  address: string | null;
  lat: number | null;
  lng: number | null;
  /** the citizen's own words: personal, shown only to the institutions on the case, the authority and the citizen */
  text: string;
  channel: string;
  /** who took it in: a member id (its intake key or signed call), `sms`, `portal`, a rule id */
  intake: string;
  /** Open311's token for the request */
  token: string;
  first_response_due: number | null;
  resolution_due: number | null;
  escalation_level: number;
  satisfaction: number | null;
  duplicate_of: string | null;
  event_id: string | null;
  rule_id: string | null;
  opened_at: number;
  updated_at: number;
  closed_at: number | null;
  /** bumped on every change: two writers cannot both move the same case */
  version: number;
}

export interface CasePartnerRow {
  case_id: string;
  member_id: string;
  added_at: number;
}

export interface CaseAttachmentRow {
  case_id: string;
  /** SHA-256 of the attachment, hex; the file itself stays with whoever holds it */
  digest: string;
  name: string;
  media_type: string | null;
}

export type TaskKind = 'respond' | 'resolve' | 'task' | 'confirm';
export type TaskState = 'open' | 'done' | 'cancelled';

export interface CaseTaskRow {
  id: string;
  case_id: string;
  kind: TaskKind;
  title: string;
  /** the member that must act; null for the citizen's confirmation window */
  assignee_member: string | null;
  /** null once it has escalated past the last level (it stays overdue, off the sweep's index) */
  due_at: number | null;
  state: TaskState;
  escalation_level: number;
  overdue_since: number | null;
  created_at: number;
  completed_at: number | null;
}

export interface CaseNoteRow {
  id: string;
  case_id: string;
  author: string;
  /** internal: the institutions and the authority; citizen: the citizen too */
  visibility: 'internal' | 'citizen';
  text: string;
  at: number;
}

export interface CaseTimelineRow {
  id: string;
  case_id: string;
  seq: number;
  at: number;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  actor: string;
  /** JSON: ids, members, levels — never the citizen's text */
  detail: string;
  citizen_visible: number;
}

export interface CaseOutboxRow {
  id: Generated<number>;
  case_id: string;
  topic: string;
  /** JSON: what goes to the institutions on the case (no citizen text, no CNIC) */
  payload: string;
  at: number;
  published_at: number | null;
}

export interface CaseIntakeKeyRow {
  /** SHA-256 of the key, hex: the key itself is shown once */
  key_hash: string;
  member_id: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

export interface CaseRuleRow {
  id: string;
  member_id: string;
  topic_id: string;
  category: string;
  lead_member: string;
  /** JSON array of member ids */
  partners: string;
  /** don't open another for the same subject and rule within this many days */
  within_days: number;
  created_at: number;
}

export interface CaseRuleMatchRow {
  id: Generated<number>;
  rule_id: string;
  event_id: string;
  subject_hash: string;
  at: number;
  done_at: number | null;
  /** the case it opened, or null when one was already open for the subject and rule */
  case_id: string | null;
}

export interface CaseNoticeRow {
  id: Generated<number>;
  member_id: string;
  case_id: string;
  at: number;
  kind: string;
  detail: string;
}

/** The grievance router's decision on a case that came without a category, and the triage officer's label for it. */
export interface CaseRouteDecisionRow {
  case_id: string;
  model_version: string;
  label: string;
  confidence: number;
  /** 1: sent straight to the label's category; 0: to the triage queue with the suggestions */
  routed: number;
  /** JSON: the next two labels with their confidences */
  alternatives: string;
  decided_at: number;
  /** the category the triage officer set (a correction when it differs from label), or null */
  corrected_category: string | null;
  corrected_by: string | null;
  corrected_at: number | null;
}

/** A detected anomaly that opened a case: its stable id, once. */
export interface CaseAnomalyRow {
  anomaly_id: string;
  case_id: string;
  at: number;
}

export interface CasesTables {
  case_categories: CaseCategoryRow;
  case_holidays: CaseHolidayRow;
  case_escalation_levels: CaseEscalationLevelRow;
  case_counters: CaseCounterRow;
  cases: CaseRow;
  case_partners: CasePartnerRow;
  case_attachments: CaseAttachmentRow;
  case_tasks: CaseTaskRow;
  case_notes: CaseNoteRow;
  case_timeline: CaseTimelineRow;
  case_outbox: CaseOutboxRow;
  case_intake_keys: CaseIntakeKeyRow;
  case_rules: CaseRuleRow;
  case_rule_matches: CaseRuleMatchRow;
  case_notices: CaseNoticeRow;
  case_route_decisions: CaseRouteDecisionRow;
  case_anomalies: CaseAnomalyRow;
}
