import type { Kysely } from 'kysely';
import { RabtaError, standaloneJobs } from '../core/index.js';
import type { Jobs, PeriodicJob } from '../core/index.js';
import { DEFAULT_SMS_SHORT_CODE } from '../notify/index.js';
import type { StoreDialect, WriteBatcher } from '../store/index.js';
import * as actions from './actions.js';
import type { CaseActor } from './actors.js';
import { requireOnCase } from './actors.js';
import { createCalendar } from './calendar.js';
import * as catalogue from './catalogue.js';
import type { CategoryInput } from './catalogue.js';
import { DEFAULT_SETTINGS } from './deps.js';
import type { CaseCitizens, CaseDirectory, CaseLedger, CasePublisher, CaseRouter, CasesDeps, CaseSettings, CaseSms } from './deps.js';
import { loadCase, partnersOf } from './load.js';
import { requireAuthorityActor } from './catalogue.js';
import { listCorrections } from './routing.js';
import { openCase } from './open.js';
import type { OpenCaseInput } from './open.js';
import { sweepDeadlines } from './sweep.js';
import * as intake from './intake.js';
import { handleCaseSms } from './sms.js';
import { publishPending } from './outbox.js';
import * as rules from './rules.js';
import type { CaseRuleInput } from './rules.js';
import * as open311 from './open311.js';
import type { GeoPost, GeoQuery } from './open311.js';
import type { SweepResult } from './sweep.js';
import * as views from './views.js';
import { casesOfCitizen, fileForCitizen } from './citizen.js';
import type { CitizenComplaint } from './citizen.js';
import { triageSuggestions } from './suggest.js';
import type { CaseQuery } from './views.js';
import type { CasesTables } from './tables.js';

export { casesMigrations } from './migrations.js';
export type { CasesTables } from './tables.js';
export type { CaseActor } from './actors.js';
export type { CaseCitizens, CaseDirectory, CaseLedger, CasePublisher, CaseRouter, CaseRouterAnswer, CaseSettings, CaseSms, CaseTopic } from './deps.js';
export type { CaseCorrection, RoutingView } from './routing.js';
export { CASE_TOPICS } from './deps.js';
export type { Category, CategoryInput, EscalationLevel } from './catalogue.js';
export type { OpenCaseInput } from './open.js';
export { MAX_TEXT } from './open.js';
export type { CaseView, CaseSummary, CaseQuery, TimelineEntry } from './views.js';
export type { SweepResult } from './sweep.js';
export { CASE_STATES, FINISHED, isFinished } from './states.js';
export type { CaseState } from './states.js';
export { formatReference, parseReference, checkDigit, checksOut } from './reference.js';
export { createCalendar, NATIONAL_HOLIDAYS } from './calendar.js';
export type { Calendar } from './calendar.js';
export { districts, districtCode, findDistrict } from './districts.js';
export type { District } from './districts.js';
export { grievancesOpenedBetween } from './series.js';
export type { GeoObject, GeoPost, GeoQuery, GeoValue } from './open311.js';
export { PORTAL } from './intake.js';
export type { CaseRule, CaseRuleInput } from './rules.js';
export type { CitizenComplaint } from './citizen.js';
export type { TriageSuggestion } from './suggest.js';

export interface CasesOptions {
  db: Kysely<CasesTables>;
  dialect: StoreDialect;
  /** the store's group commit, for openings (Open311 and SMS intake come in bursts) */
  batch?: WriteBatcher<CasesTables> | undefined;
  ledger: CaseLedger;
  directory: CaseDirectory;
  sms: CaseSms;
  /** the short code citizens text (RABTA_SMS_SHORT_CODE); notify's default when unset */
  smsShortCode?: string | undefined;
  citizens: CaseCitizens;
  publisher?: CasePublisher | undefined;
  router?: CaseRouter | undefined;
  now: () => number;
  /** a compressed working day in ms (demo and tests); undefined: Pakistan's real calendar */
  workingDayMs?: number | undefined;
  settings?: Partial<CaseSettings> | undefined;
  /** whether a topic exists (the events module answers), for case rules */
  topicExists?: ((topicId: string) => Promise<boolean>) | undefined;
  /** how often the deadline sweep runs (default 60 s); one node at a time */
  sweepIntervalMs?: number | undefined;
  /** runs the sweep and the pending-work pump, and reports their failures (the platform's jobs) */
  jobs?: Jobs | undefined;
}

/**
 * Cases and grievances shared by the institutions that must act: a lead and
 * partners, tasks with deadlines that escalate, a timeline the citizen sees
 * with a ledger receipt per change, and closure by the citizen.
 */
export function createCases(options: CasesOptions) {
  const deps: CasesDeps = {
    db: options.db,
    dialect: options.dialect,
    batch: options.batch,
    ledger: options.ledger,
    directory: options.directory,
    sms: options.sms,
    shortCode: options.smsShortCode ?? DEFAULT_SMS_SHORT_CODE,
    citizens: options.citizens,
    publisher: options.publisher,
    router: options.router,
    calendar: createCalendar({ dayMs: options.workingDayMs }),
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    now: options.now,
  };
  const jobs = options.jobs ?? standaloneJobs;
  let sweeper: PeriodicJob | undefined;
  let pump: PeriodicJob | undefined;

  /** One sweep if no other node is sweeping (undefined when another holds the lock). */
  const sweep = (): Promise<SweepResult | undefined> => deps.dialect.tryWithLock('cases-deadlines', () => sweepDeadlines(deps));

  const api = {
    calendar: deps.calendar,
    settings: deps.settings,

    putCategory: (actor: CaseActor, input: CategoryInput) => catalogue.putCategory(deps, actor, input),
    listCategories: () => catalogue.listCategories(deps.db),
    async getCategory(code: string) {
      return catalogue.toCategory(await catalogue.requireCategory(deps.db, code));
    },
    putHoliday: (actor: CaseActor, input: { date: string; name: string }) => catalogue.putHoliday(deps, actor, input),
    setEscalationLevels: (actor: CaseActor, memberId: string, roles: string[]) => catalogue.setEscalationLevels(deps, actor, memberId, roles),
    escalationLevels: (memberId: string) => catalogue.escalationLevels(deps.db, memberId),

    open: (actor: CaseActor, input: OpenCaseInput) => openCase(deps, actor, input).then((row) => views.summary(row)),
    triage: (actor: CaseActor, key: string, input: { category: string; lead?: string | undefined }) => actions.triage(deps, actor, key, input).then(views.summary),
    accept: (actor: CaseActor, key: string) => actions.accept(deps, actor, key).then(views.summary),
    addPartner: (actor: CaseActor, key: string, member: string) => actions.addPartner(deps, actor, key, member).then(views.summary),
    assignTask: (actor: CaseActor, key: string, input: { assignee: string; title: string; dueDays?: number | undefined }) =>
      actions.assignTask(deps, actor, key, input).then((r) => ({ case: views.summary(r.case), task: r.task.id })),
    completeTask: (actor: CaseActor, key: string, taskId: string) => actions.completeTask(deps, actor, key, taskId).then(views.summary),
    addNote: (actor: CaseActor, key: string, input: { text: string; visibility: 'internal' | 'citizen' }) => actions.addNote(deps, actor, key, input).then((r) => ({ case: views.summary(r.case), note: r.noteId })),
    transfer: (actor: CaseActor, key: string, input: { to: string; reason: string }) => actions.transfer(deps, actor, key, input).then(views.summary),
    resolve: (actor: CaseActor, key: string, input?: { note?: string | undefined }) => actions.resolve(deps, actor, key, input).then(views.summary),
    reject: (actor: CaseActor, key: string, reason: string) => actions.reject(deps, actor, key, reason).then(views.summary),
    markDuplicate: (actor: CaseActor, key: string, of: string) => actions.markDuplicate(deps, actor, key, of).then(views.summary),

    /** Open311 intake keys: a member's own, or the citizen portal's (member null, the authority) */
    createIntakeKey: (actor: CaseActor, input: { member: string | null; label: string }) => intake.createIntakeKey(deps, actor, input),
    revokeIntakeKeys: (actor: CaseActor, member: string) => intake.revokeIntakeKeys(deps, actor, member),
    /** the intake an api_key names (a member id or `portal`), undefined when unknown or revoked */
    intakeOf: (apiKey: string) => intake.intakeOf(deps, apiKey),

    /** Open311 GeoReport v2 (see open311.ts); the HTTP layer writes the objects as JSON or XML */
    open311: {
      instance: deps.directory.instance,
      async services(jurisdiction?: string) {
        open311.checkJurisdiction(deps, jurisdiction);
        return (await catalogue.listCategories(deps.db)).map(open311.serviceOf);
      },
      async service(code: string, jurisdiction?: string) {
        open311.checkJurisdiction(deps, jurisdiction);
        return open311.serviceDefinition(catalogue.toCategory(await catalogue.requireCategory(deps.db, code)));
      },
      post: (post: GeoPost) => open311.postRequest(deps, post),
      search: (query: GeoQuery) => open311.searchRequests(deps, query),
      request: (id: string, query: GeoQuery) => open311.requestById(deps, id, query),
      token: (token: string, jurisdiction?: string) => open311.requestOfToken(deps, token, jurisdiction),
    },

    /** case rules on event topics: an event's subjects get a case (see rules.ts) */
    addRule: (actor: CaseActor, member: string, input: CaseRuleInput) => rules.addRule(deps, actor, member, input, options.topicExists ?? (async () => false)),
    listRules: (member?: string) => rules.listRules(deps.db, member),
    /** the events module's hook, in the publishing transaction */
    matchEvents: rules.matchEvents,
    /** background work done now: cases of matched events, then the outbox onto the case.* topics */
    async processPending() {
      let opened = 0;
      for (let n = await rules.openMatched(deps); n > 0; n = await rules.openMatched(deps)) opened += n;
      let published = 0;
      for (let n = await publishPending(deps); n > 0; n = await publishPending(deps)) published += n;
      return { opened, published };
    },

    /** the ids of the anomalies that have opened a case (see OpenCaseInput.anomalyId) */
    async reportedAnomalies(): Promise<string[]> {
      return (await deps.db.selectFrom('case_anomalies').select('anomaly_id').execute()).map((r) => r.anomaly_id);
    },

    /** the citizen SMS line's case commands; undefined when the text is not one of them */
    handleSms: (sms: { from: string; text: string }) => handleCaseSms(deps, sms),

    view: (actor: CaseActor, key: string) => views.caseView(deps, actor, key),
    list: (actor: CaseActor, query: CaseQuery = {}) => views.listCases(deps, actor, query),
    triageQueue: (actor: CaseActor) => views.triageQueue(deps, actor),
    /** triage officers' categories for cases the router decided on (the citizen's text included: the authority's alone) */
    corrections: (actor: CaseActor, options: { since?: string | undefined } = {}) => {
      requireAuthorityActor(actor, 'read triage corrections');
      return listCorrections(deps.db, options);
    },
    /** the grievance router's labels for a queued case, best first (the authority's triage officer) */
    triageSuggestions: (actor: CaseActor, key: string) => triageSuggestions(deps, actor, key),
    overdue: (actor: CaseActor) => views.overdue(deps, actor),
    notices: (actor: CaseActor, memberId: string) => views.notices(deps, actor, memberId),

    /** the ledger receipt of one change (its record, salt and inclusion proof), for those who may see the case */
    async receipt(actor: CaseActor, key: string, seq: number) {
      const row = await loadCase(deps.db, key);
      requireOnCase(row, await partnersOf(deps.db, row.id), actor);
      return receiptOf(deps, row.id, row.reference, seq);
    },

    citizen: {
      /** the signed-in citizen's own cases, newest first */
      list: (subjectHash: string) => casesOfCitizen(deps, subjectHash),
      /** a complaint she files herself (the portal); she is told its reference by SMS too */
      file: (citizen: { subjectHash: string; maskedCnic: string }, complaint: CitizenComplaint) => fileForCitizen(deps, citizen, complaint),
      /** the citizen's own case, known by its keyed CNIC hash (a signed-in session) */
      async view(subjectHash: string, key: string) {
        const row = await loadCase(deps.db, key);
        if (row.subject_hash !== subjectHash) throw new RabtaError('case-not-yours', `case ${row.reference} is not yours`);
        return views.citizenView(deps.db, row);
      },
      async answer(subjectHash: string, key: string, answer: { solved: boolean; satisfaction?: number | undefined }) {
        const row = await loadCase(deps.db, key);
        if (row.subject_hash !== subjectHash) throw new RabtaError('case-not-yours', `case ${row.reference} is not yours: only its citizen answers for it`);
        return views.summary(await actions.citizenAnswer(deps, 'web', row.id, answer));
      },
      async receipt(subjectHash: string, key: string, seq: number) {
        const row = await loadCase(deps.db, key);
        if (row.subject_hash !== subjectHash) throw new RabtaError('case-not-yours', `case ${row.reference} is not yours`);
        return receiptOf(deps, row.id, row.reference, seq);
      },
    },

    /** one pass of the deadline sweep on this node, if no other node is sweeping */
    sweep,
    /** a sweep without the node lock: the row locks alone keep each escalation to one (tests run two at once) */
    sweepWithoutNodeLock: () => sweepDeadlines(deps),
    start() {
      sweeper ??= jobs.every('cases-deadlines', options.sweepIntervalMs ?? 60_000, sweep);
      // Matched events and the outbox, on one node at a time, soon after each change.
      // A read first: the node lock (a write on SQLite) is taken only when there is work.
      pump ??= jobs.every('cases-pending', 500, async () => ((await hasPending(deps)) ? deps.dialect.tryWithLock('cases-pending', () => api.processPending()) : undefined));
    },
    async stop() {
      await Promise.all([sweeper?.stop(), pump?.stop()]);
      sweeper = undefined;
      pump = undefined;
    },
  };
  return api;
}

async function hasPending(deps: CasesDeps): Promise<boolean> {
  const outbox = deps.publisher ? await deps.db.selectFrom('case_outbox').select('id').where('published_at', 'is', null).limit(1).executeTakeFirst() : undefined;
  if (outbox) return true;
  return (await deps.db.selectFrom('case_rule_matches').select('id').where('done_at', 'is', null).limit(1).executeTakeFirst()) !== undefined;
}

async function receiptOf(deps: CasesDeps, caseId: string, reference: string, seq: number) {
  const entry = await deps.db.selectFrom('case_timeline').select(['id', 'citizen_visible']).where('case_id', '=', caseId).where('seq', '=', seq).executeTakeFirst();
  if (!entry) throw new RabtaError('not-found', `case ${reference} has no change ${seq}`);
  const receipt = await deps.ledger.receipt(entry.id);
  if (!receipt) throw new RabtaError('unavailable', 'the change is not in a checkpoint yet; try again in a moment', { headers: { 'retry-after': '1' } });
  return receipt;
}

export type Cases = ReturnType<typeof createCases>;
