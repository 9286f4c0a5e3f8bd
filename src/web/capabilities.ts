import type { FastifyInstance } from 'fastify';
import type { ReceiptDocument } from '../ledger/index.js';
import type { AccessEntry, CitizenSession, NotificationView } from '../citizens/index.js';
import type { CitizenAction, ConsentForCitizen } from '../consent/index.js';
import type { Page } from '../core/index.js';
import type { Cases, CaseSummary, CitizenComplaint } from '../cases/index.js';

/** What a citizen sees of her own case: state, deadline, citizen-visible notes and the timeline. */
export type CitizenCase = Awaited<ReturnType<Cases['citizen']['view']>>;

/**
 * What the web is given by the composition root: module functions, never
 * tables. The pages are a second face of the same calls the JSON API makes.
 */
export interface WebCapabilities {
  publicUrl: string;
  dataDir: string;
  /** the instance's session secret; the web derives its own cookie keys from it */
  sessionSecret: Buffer;
  now: () => number;
  /** the citizens module's portal (OTP sign-in with its throttles, consents, tracker, notices) */
  citizen: {
    requestOtp(input: { cnic: string; address: string }): Promise<unknown>;
    signIn(input: { cnic: string; code: string }): Promise<{ token: string; expiresAt: number; cnic: string }>;
    session(token: string): Promise<CitizenSession>;
    consents(session: CitizenSession): Promise<ConsentForCitizen[]>;
    act(session: CitizenSession, id: string, action: CitizenAction): Promise<ConsentForCitizen>;
    access(session: CitizenSession, page: { limit: number; cursor?: string }): Promise<Page<AccessEntry>>;
    notifications(session: CitizenSession, page: { limit: number; cursor?: string }): Promise<Page<NotificationView>>;
    concernedBy(session: CitizenSession, exchangeId: string): Promise<boolean>;
    stoppedInstitutions(session: CitizenSession): Promise<string[]>;
    setStoppedInstitutions(session: CitizenSession, memberIds: string[]): Promise<string[]>;
  };
  /** cases' citizen interface: her own cases, a complaint she files, her answer to a resolution */
  cases: {
    list(session: CitizenSession): Promise<CaseSummary[]>;
    file(session: CitizenSession, complaint: CitizenComplaint): Promise<CaseSummary>;
    view(session: CitizenSession, reference: string): Promise<CitizenCase>;
    answer(session: CitizenSession, reference: string, answer: { solved: boolean; satisfaction?: number | undefined }): Promise<CaseSummary>;
    categories(): Promise<Array<{ code: string; nameEn: string; nameUr: string }>>;
    districts(): Array<{ code: string; name: string; province: string }>;
  };
  /** member institutions, for names and the notice settings */
  institutions(): Promise<Array<{ id: string; nameEn: string; nameUr: string }>>;
  /** a record's receipt (record, salt, entry, tlog-proof and the keys in force), as the citizen API hands it out */
  receipt(kind: 'exchange' | 'event', id: string): Promise<ReceiptDocument | undefined>;
  /** the log's own key, pinned when a receipt is checked (not the one the receipt carries) */
  logVkey: string;
  /** public figures for the dashboard, through the modules' interfaces */
  figures(): Promise<PublicFigures>;
  /** the analytics module's public figures (the authority's scope; the web suppresses small counts) */
  analytics: DashboardAnalytics;
  /** the server itself, so the console calls the admin API's own handlers (fastify.inject) */
  server(): FastifyInstance;
}

export interface PublicFigures {
  /** exchanges per (client member, provider member) pair */
  exchanges: Array<{ client: string; provider: string; count: number }>;
  /** events per (publisher member, topic) */
  events: Array<{ publisher: string; topic: string; count: number }>;
  /** the latest checkpoint: tree size and how many signatures it carries (the log's and witnesses') */
  ledger: { origin: string; size: number; signatures: number };
  institutions: Array<{ id: string; nameEn: string; nameUr: string }>;
}

/** A span of time in ms since the epoch, `to` exclusive. */
export interface Span {
  from: number;
  to: number;
}

/** An indicator's value as the analytics module computes it; `basis` is what a rate rests on. */
export interface IndicatorFigure {
  id: string;
  unit: 'count' | 'percent' | 'ms' | 'score';
  value: number | null;
  basis?: { numerator: number; denominator: number } | undefined;
  breakdown?: Record<string, number> | undefined;
}

export interface PlaceFigure {
  code: string;
  name: string;
  province: string;
  population: number;
  literacyPct: number | null;
  casesOpened: number;
  casesPer100k: number | null;
  closed: number;
  confirmed: number;
  confirmedPct: number | null;
}

export interface ReleaseSummary {
  version: string;
  publishedAt: string;
  digest: string;
  from: string;
  to: string;
  files: string[];
}

/**
 * What the dashboard reads of the analytics module, given by the composition
 * root (the web does not import analytics): the same functions the analytics
 * API answers from.
 */
export interface DashboardAnalytics {
  indicators(span: Span): Promise<IndicatorFigure[]>;
  collaboration(span: Span): Promise<{
    pairs: Array<{ a: string; b: string; score: number; volume: number }>;
    institutions: Array<{ member: string; score: number; volume: number; pairs: number }>;
  }>;
  network(span: Span): Promise<{ nodes: Array<{ id: string; weight: number }>; edges: Array<{ a: string; b: string; weight: number }>; series: Array<{ period: string; edges: Array<{ a: string; b: string; weight: number }> }> }>;
  places(span: Span): Promise<{
    districts: PlaceFigure[];
    provinces: PlaceFigure[];
    sources: Record<string, string>;
    egdi: { pakistan: { country: string; rank: number; egdi: number } | undefined; southAsia: Array<{ country: string; rank: number; egdi: number }>; worldMean: number };
  }>;
  releases(): Promise<ReleaseSummary[]>;
  /** a release's ledger receipt: leaf index, the tlog-proof (inclusion proof and checkpoint) */
  receipt(version: string): Promise<{ index: number; proof: string; entry: string } | undefined>;
}
