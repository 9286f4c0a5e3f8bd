import type { Config } from '../config/index.js';
import { subjectHash, SYSTEM_ACTOR } from '../core/index.js';
import type { Jobs } from '../core/index.js';
import { createCases } from '../cases/index.js';
import type { CaseRouter, CaseSms } from '../cases/index.js';
import type { Keyring } from '../keyring/index.js';
import { LEAF_KIND } from '../ledger/index.js';
import type { Ledger } from '../ledger/index.js';
import type { Registry } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { normalizeMobile } from '../citizens/index.js';
import type { Citizens } from '../citizens/index.js';
import { CASE_TOPICS } from '../cases/index.js';
import type { CasePublisher } from '../cases/index.js';
import type { Events } from '../events/index.js';

/** The cases module's capabilities, from the modules that hold them. */
export function createCasesFor(input: {
  config: Config;
  store: Store;
  registry: Registry;
  ledger: Ledger;
  keyring: Keyring;
  citizens: Citizens;
  now: () => number;
  sms: CaseSms;
  events: Events;
  /** told of each case event once it is published (the analytics rollups) */
  onPublished?: (topic: string, payload: Record<string, unknown>) => Promise<void>;
  router?: CaseRouter | undefined;
  sweepIntervalMs?: number | undefined;
  jobs: Jobs;
}) {
  const { registry, ledger } = input;
  return createCases({
    db: input.store.tables(),
    dialect: input.store.dialect,
    batch: input.store.batch(),
    // A case change concerns a person: a salted commitment, like a consent change.
    ledger: {
      append: (db, leaf) => ledger.append(db, { kind: LEAF_KIND.caseTransition, ref: leaf.ref, at: leaf.at, record: leaf.record }),
      receipt: (ref) => ledger.receipt(LEAF_KIND.caseTransition, ref),
    },
    directory: {
      instance: registry.instance,
      memberExists: async (id) => (await registry.getMember(id).catch(() => undefined)) !== undefined,
      memberName: async (id) => (await registry.getMember(id).catch(() => undefined))?.nameEn,
    },
    sms: input.sms,
    smsShortCode: input.config.smsShortCode,
    citizens: {
      subjectHash: (digits) => subjectHash(input.keyring.subjectSecret, digits),
      normalizeMobile: (text) => normalizeMobile(text),
      byMobile: (mobile) => input.citizens.citizensOfMobile(mobile),
      bySubject: (hash) => input.citizens.citizenOf(hash),
    },
    router: input.router,
    publisher: casePublisher(input.registry, input.events, input.onPublished),
    topicExists: (id) => input.events.topicExists(id),
    now: input.now,
    workingDayMs: input.config.casesWorkingDayMs,
    settings: { confirmDays: input.config.casesConfirmDays },
    sweepIntervalMs: input.sweepIntervalMs ?? input.config.casesSweepMs,
    jobs: input.jobs,
  });
}

/** The instance's own member and subsystem, whose topics carry case.* events. */
export const caseTopicsOf = (instance: string) => ({ member: `${instance}/GOV/RABTA`, subsystem: `${instance}/GOV/RABTA/cases` });

/**
 * Publishes case events as the instance itself: its own member
 * (`PK/GOV/RABTA`), subsystem `cases` and topics `case.opened` … are seeded on
 * first use. The authority grants institutions access (`rabta topic grant`);
 * each subscribes with the filter `{"institution": "<its member id>"}`.
 */
function casePublisher(registry: Registry, events: Events, onPublished?: (topic: string, payload: Record<string, unknown>) => Promise<void>): CasePublisher {
  let ready: Promise<void> | undefined;
  const ids = caseTopicsOf(registry.instance);
  const ensure = async (e: Events) => {
    if (!(await registry.getMember(ids.member).catch(() => undefined))) {
      await registry.createMember(SYSTEM_ACTOR, { memberClass: 'GOV', code: 'RABTA', nameEn: 'Rabta (this instance)', nameUr: 'رابطہ' }).catch(() => undefined);
    }
    if (!(await registry.getSubsystem(ids.subsystem).catch(() => undefined))) await registry.createSubsystem(SYSTEM_ACTOR, ids.member, { code: 'cases', name: 'Cases and grievances' }).catch(() => undefined);
    for (const topic of CASE_TOPICS) {
      if (await e.topicExists(`${ids.subsystem}/${topic}`)) continue;
      await e
        .createTopic(SYSTEM_ACTOR, ids.subsystem, {
          code: topic,
          title: `A case ${topic.slice(5)} (reference, state, category, lead, partners, deadline — never the citizen’s text or CNIC)`,
          schema: { type: 'object', required: ['reference', 'state', 'institution'], properties: { reference: { type: 'string' }, state: { type: 'string' }, institution: { type: 'string' } } },
        })
        .catch(async (error: unknown) => {
          // Another node seeded it a moment earlier.
          if (!(await e.topicExists(`${ids.subsystem}/${topic}`))) throw error;
        });
    }
  };
  return {
    async publish(topic, payload, idempotencyKey) {
      const e = events;
      ready ??= ensure(e).catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      await ready;
      await e.publish({ publisherId: ids.subsystem, topicId: `${ids.subsystem}/${topic}`, body: Buffer.from(JSON.stringify(payload)), idempotencyKey, view: await registry.view() });
      await onPublished?.(topic, payload);
    },
  };
}
