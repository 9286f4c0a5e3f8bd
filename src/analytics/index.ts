import type { Kysely } from 'kysely';
import type { Actor } from '../core/index.js';
import { RabtaError } from '../core/index.js';
import type { Connection, StoreDialect } from '../store/index.js';
import { COLLABORATION_MEASURES, collaborationIndex } from './collaboration.js';
import { deliveryFact, exchangeFacts, MEASURES, publicationFact } from './facts.js';
import type { ExchangeFactInput } from './facts.js';
import { computeIndicators, INDICATORS } from './indicators.js';
import { NETWORK_MEASURES, networkView } from './network.js';
import { PLACE_MEASURES, placeFigures } from './places.js';
import { findRelease, listReleases, publishRelease, releaseCatalog } from './release.js';
import type { AnalyticsLedger, Release } from './release.js';
import { rebuildExchangeRollups } from './rebuild.js';
import type { ExchangeGroupSource, RebuildOptions, RebuildResult } from './rebuild.js';
import { addFacts, analyticsDb, pruneHourly, readGrouped, readRollups } from './rollups.js';
import type { RollupKey, RollupQuery } from './rollups.js';
import { recordCaseEvent, recordConsentChange } from './sources.js';
import type { CaseEventInput, ConsentChangeInput } from './sources.js';
import type { AnalyticsTables } from './tables.js';

export { analyticsMigrations } from './migrations.js';
export type { AnalyticsTables } from './tables.js';
export type { AnalyticsLedger, Release, ReleaseLeaf } from './release.js';
export { COLLABORATION_METHOD } from './collaboration.js';
export { INDICATORS } from './indicators.js';
export type { IndicatorResult } from './indicators.js';
export { MEASURES } from './facts.js';
export { verifyRelease } from './verify.js';
export type { Verification, VerifyOptions } from './verify.js';
export { parseCsv } from './csv.js';
export { isSmall, recoverable } from './suppression.js';
export type { ExchangeGroupSource, RebuildOptions, RebuildProgress, RebuildResult } from './rebuild.js';

/** A delivery as the events module lists it (ids, status and times only). */
export interface DeliveryListing {
  id: number;
  topic: string;
  subscriber: string;
  status: string;
  createdAt: string;
  deliveredAt: string | null;
  deadAt: string | null;
}

export interface AnalyticsDeps {
  db: Kysely<AnalyticsTables>;
  dialect: StoreDialect;
  ledger: AnalyticsLedger;
  publicUrl: string;
  now: () => number;
  /** the events module's deliveries after an id, in id order (the job's source for deliveries and dead letters) */
  deliveries?: (after: number, limit: number) => Promise<DeliveryListing[]>;
  /** the exchange module's rows summed in its table, for a rebuild of the exchange rollups */
  exchangeGroups?: ExchangeGroupSource;
  /** publish a release this often (default: daily); 0 for never */
  publishIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface Period {
  from: number;
  to: number;
}

const DAY_MS = 86_400_000;
const CONSENT_MEASURES = Object.keys(MEASURES).filter((m) => m.startsWith('consent.'));
const FINISHED = new Set(['delivered', 'dead', 'cancelled']);

/** What an actor may see: the authority everything, a member its own figures and its pairs. */
function scopeOf(actor: Actor, member?: string): readonly string[] | undefined {
  if (actor.role === 'authority-admin' || actor.role === 'system') return member ? [member] : undefined;
  if (!actor.memberId) throw new RabtaError('forbidden', 'this token acts for no member');
  if (member && member !== actor.memberId) throw new RabtaError('forbidden', `this token acts for ${actor.memberId}, not ${member}`);
  return [actor.memberId];
}

/**
 * Rollups, indicators, the collaboration index, place figures and open-data
 * releases. Other modules hand facts in as they write their records (in the
 * same transaction where they have one); nothing personal is kept.
 */
export function createAnalytics(deps: AnalyticsDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let lastPublished = 0;

  async function rows(period: Period, members?: readonly string[], grain: RollupQuery['grain'] = 'd') {
    return readRollups(analyticsDb(deps.db), { ...period, grain, ...(members ? { members } : {}) });
  }

  /** The rollups summed in the database over what a view does not look at (the dashboard's queries). */
  async function grouped(period: Period, keep: readonly RollupKey[], options: { members?: readonly string[] | undefined; grain?: RollupQuery['grain']; measures?: readonly string[] } = {}) {
    const { members, grain = 'd', measures } = options;
    return readGrouped(analyticsDb(deps.db), { ...period, grain, ...(members ? { members } : {}), ...(measures ? { measures } : {}) }, keep);
  }

  /** Deliveries that finished since the last run; the cursor stops at the first one still on its way. */
  async function syncDeliveries(): Promise<number> {
    if (!deps.deliveries) return 0;
    const db = analyticsDb(deps.db);
    let counted = 0;
    for (;;) {
      const cursor = Number((await db.selectFrom('analytics_cursors').select('position').where('name', '=', 'deliveries').executeTakeFirst())?.position ?? 0);
      const page = await deps.deliveries(cursor, 500);
      const done: DeliveryListing[] = [];
      for (const d of page) {
        if (!FINISHED.has(d.status)) break;
        done.push(d);
      }
      const last = done.at(-1);
      if (!last) return counted;
      // The cursor moves only from where this run read it: a run on another node (or a publish
      // outside the job's lease) that moved it first wins, and this one's facts roll back with it.
      const moved = await deps.db.transaction().execute(async (trx) => {
        const advanced = await analyticsDb(trx)
          .insertInto('analytics_cursors')
          .values({ name: 'deliveries', position: last.id })
          .onConflict((oc) => oc.column('name').doUpdateSet({ position: last.id }).where('analytics_cursors.position', '=', cursor))
          .executeTakeFirst();
        if (Number(advanced.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
        await addFacts(analyticsDb(trx), done.map(deliveryFact).filter((f) => f !== undefined));
        return true;
      });
      if (!moved) return counted;
      counted += done.length;
      if (done.length < page.length || page.length < 500) return counted;
    }
  }

  async function publish(period: { from?: number; to?: number } = {}): Promise<Release> {
    await syncDeliveries();
    const release = await publishRelease(deps, period);
    lastPublished = deps.now();
    return release;
  }

  async function tick() {
    await syncDeliveries();
    await pruneHourly(analyticsDb(deps.db), deps.now());
    const interval = deps.publishIntervalMs ?? DAY_MS;
    if (interval > 0 && deps.now() - lastPublished >= interval) {
      const latest = await findRelease(deps.db, 'latest');
      if (!latest || deps.now() - Date.parse(latest.publishedAt) >= interval) await publish();
      else lastPublished = Date.parse(latest.publishedAt);
    }
  }

  return {
    /** the exchange's evidence row, in its transaction */
    recordExchange: (trx: Connection, record: ExchangeFactInput) => addFacts(analyticsDb(trx), exchangeFacts(record)),
    /** many exchange rows at once (a rebuild): summed in memory first, so a batch costs a few upserts */
    recordExchanges: (trx: Connection, records: readonly ExchangeFactInput[]) => addFacts(analyticsDb(trx), records.flatMap(exchangeFacts)),
    /** a publication's events, in the publishing transaction: summed in memory first, so a batch costs a few upserts */
    recordPublications: (trx: Connection, events: ReadonlyArray<{ topic: string; publisher: string; at: number }>) => addFacts(analyticsDb(trx), events.map(publicationFact)),
    /** a consent's status change, in its transaction */
    recordConsentChange: (trx: Connection, change: ConsentChangeInput) => recordConsentChange(analyticsDb(trx), change),
    /** a case event as published on the case.* topics (counted once, however often it is published) */
    recordCaseEvent: (topic: string, payload: CaseEventInput) => recordCaseEvent(analyticsDb(deps.db), topic, payload),
    /** an SMS notice to a citizen: its parts, never its text or number */
    recordNotice: (parts: number) => addFacts(analyticsDb(deps.db), [{ measure: 'citizen.notice', at: deps.now(), member: '', good: parts }]),
    syncDeliveries,

    definitions: () => INDICATORS.map(({ compute: _compute, ...d }) => d),
    async indicators(actor: Actor, period: Period, member?: string) {
      const members = scopeOf(actor, member);
      // Consents are split by provider (their peer); every other indicator needs only the dimension.
      const [rest, consents] = await Promise.all([grouped(period, ['dimension'], { members }), grouped(period, ['peer'], { members, measures: CONSENT_MEASURES })]);
      return computeIndicators([...rest.filter((r) => !r.measure.startsWith('consent.')), ...consents]);
    },
    /** daily (or hourly) indicator series, for charts */
    async series(actor: Actor, period: Period, grain: 'd' | 'h', member?: string) {
      const all = await grouped(period, ['period', 'dimension'], { members: scopeOf(actor, member), grain });
      const periods = [...new Set(all.map((r) => r.period))].sort((a, b) => a - b);
      return periods.map((p) => ({ period: new Date(p).toISOString(), indicators: computeIndicators(all.filter((r) => r.period === p)).map((i) => ({ id: i.id, value: i.value })) }));
    },
    async collaboration(actor: Actor, period: Period) {
      const scope = scopeOf(actor);
      // Normalisation needs every pair; a member then sees its own pairs' scores.
      const index = collaborationIndex(await grouped(period, ['member', 'peer'], { measures: COLLABORATION_MEASURES }));
      if (!scope) return index;
      return { ...index, pairs: index.pairs.filter((p) => scope.includes(p.a) || scope.includes(p.b)), institutions: index.institutions.filter((i) => scope.includes(i.member)) };
    },
    async network(actor: Actor, period: Period) {
      return networkView(await grouped(period, ['period', 'member', 'peer'], { members: scopeOf(actor), measures: NETWORK_MEASURES }));
    },
    async places(period: Period) {
      return placeFigures(await grouped(period, ['dimension', 'district'], { measures: PLACE_MEASURES }));
    },
    /** rows of the rollups, for `rabta analytics report` */
    async report(actor: Actor, period: Period, member?: string) {
      return rows(period, scopeOf(actor, member));
    },

    /**
     * Rebuilds the exchange rollups of whole days from the raw exchange rows
     * (`rabta analytics rebuild`; what to run when rollups are missing or were
     * damaged): set-based, one pass over the exchange table.
     */
    async rebuild(options: RebuildOptions = {}): Promise<RebuildResult> {
      if (!deps.exchangeGroups) throw new RabtaError('unavailable', 'this instance has no exchange records to rebuild from');
      return rebuildExchangeRollups(analyticsDb(deps.db), deps.dialect, deps.exchangeGroups, deps.now(), options);
    },

    publish,
    releases: () => listReleases(deps.db),
    release: (version: string) => findRelease(deps.db, version),
    catalog: () => releaseCatalog(deps),
    async receipt(version: string) {
      const release = await findRelease(deps.db, version);
      if (!release) return undefined;
      const receipt = await deps.ledger.receipt(release.version);
      return receipt ? { ...receipt, ...(await deps.ledger.keys()) } : undefined;
    },

    /** the job: deliveries, hourly pruning and the release schedule, on one node at a time */
    start(intervalMs = 30_000) {
      timer ??= setInterval(() => {
        if (running) return;
        running = deps.dialect
          .tryWithLock('analytics-rollups', tick)
          .catch((error: unknown) => deps.onError?.(error))
          .finally(() => (running = undefined));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type Analytics = ReturnType<typeof createAnalytics>;
