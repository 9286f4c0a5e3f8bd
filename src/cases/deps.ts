import type { Kysely } from 'kysely';
import type { StoreDialect, WriteBatcher } from '../store/index.js';
import type { Calendar } from './calendar.js';
import type { CasesTables } from './tables.js';

/** A state change's ledger leaf: a salted commitment, appended in the caller's transaction. */
export interface CaseLedger {
  append(db: Kysely<CasesTables>, input: { ref: string; at: number; record: unknown }): Promise<void>;
  /** the record, its salt and an inclusion proof, for whoever may see the change */
  receipt(ref: string): Promise<unknown>;
}

/** What the cases module may ask the registry. */
export interface CaseDirectory {
  instance: string;
  memberExists(memberId: string): Promise<boolean>;
  memberName(memberId: string): Promise<string | undefined>;
}

/** A text to a citizen's phone (the platform routes it through the notify module). */
export interface CaseSms {
  send(mobile: string, language: 'ur' | 'en', text: string): Promise<void>;
}

/** The instance's own `case.*` topics (the events module publishes them); idempotent by key. */
export interface CasePublisher {
  publish(topic: CaseTopic, payload: Record<string, unknown>, idempotencyKey: string): Promise<void>;
}

export const CASE_TOPICS = ['case.opened', 'case.assigned', 'case.escalated', 'case.resolved', 'case.closed', 'case.reopened'] as const;
export type CaseTopic = (typeof CASE_TOPICS)[number];

/** The grievance router (src/assist), when the platform has one: a label is a category code. */
export interface CaseRouter {
  route(text: string): Promise<CaseRouterAnswer>;
}

export interface CaseRouterAnswer {
  label: string;
  confidence: number;
  routed: boolean;
  alternatives: Array<{ label: string; confidence: number }>;
  /** stored with each decision, so a correction names the model it corrects */
  modelVersion?: string | undefined;
}

/** Citizens as the consent module's registry knows them: the CNIC's keyed hash to a phone and language. */
export interface CaseCitizens {
  subjectHash(cnicDigits: string): string;
  /** E.164 without the plus, as the citizen registry keeps it; undefined when it is not a phone number */
  normalizeMobile(text: string): string | undefined;
  byMobile(mobile: string): Promise<Array<{ subjectHash: string; maskedCnic: string; language: 'ur' | 'en' }>>;
  bySubject(subjectHash: string): Promise<{ mobile: string; language: 'ur' | 'en'; maskedCnic: string } | undefined>;
}

export interface CaseSettings {
  /** working days a citizen has to answer "was it resolved?" before the case closes unconfirmed */
  confirmDays: number;
  /** working days each escalation level gets before the next */
  escalationDays: number;
  /** how many due tasks one sweep transaction takes */
  sweepBatch: number;
}

export const DEFAULT_SETTINGS: CaseSettings = { confirmDays: 7, escalationDays: 2, sweepBatch: 200 };

export interface CasesDeps {
  db: Kysely<CasesTables>;
  dialect: StoreDialect;
  /** group commit: openings that arrive together share one transaction (one fsync); none: a transaction each */
  batch?: WriteBatcher<CasesTables> | undefined;
  ledger: CaseLedger;
  directory: CaseDirectory;
  sms: CaseSms;
  /** the number citizens text, named in the case texts that expect an answer */
  shortCode: string;
  citizens: CaseCitizens;
  publisher?: CasePublisher | undefined;
  router?: CaseRouter | undefined;
  calendar: Calendar;
  settings: CaseSettings;
  now: () => number;
}
