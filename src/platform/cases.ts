import type { Config } from '../config/index.js';
import { subjectHash } from '../core/cnic.js';
import { createCases } from '../cases/index.js';
import type { CaseRouter, CaseSms } from '../cases/index.js';
import type { Keyring } from '../keyring/index.js';
import { LEAF_KIND } from '../ledger/canonical.js';
import type { Ledger } from '../ledger/service.js';
import type { Registry } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { normalizeMobile } from '../consent/index.js';
import type { Consent } from '../consent/index.js';

/** The cases module's capabilities, from the modules that hold them. */
export function createCasesFor(input: {
  config: Config;
  store: Store;
  registry: Registry;
  ledger: Ledger;
  keyring: Keyring;
  consent: () => Consent;
  now: () => number;
  sms: CaseSms;
  router?: CaseRouter | undefined;
  sweepIntervalMs?: number | undefined;
}) {
  const { registry, ledger } = input;
  return createCases({
    db: input.store.db,
    dialect: input.store.dialect,
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
    citizens: {
      subjectHash: (digits) => subjectHash(input.keyring.subjectSecret, digits),
      normalizeMobile: (text) => normalizeMobile(text),
      byMobile: (mobile) => input.consent().citizensOfMobile(mobile),
      bySubject: (hash) => input.consent().citizenOf(hash),
    },
    router: input.router,
    now: input.now,
    workingDayMs: input.config.casesWorkingDayMs,
    settings: { confirmDays: input.config.casesConfirmDays },
    sweepIntervalMs: input.sweepIntervalMs ?? input.config.casesSweepMs,
    onError: (error) => process.emitWarning(`case deadline sweep: ${(error as Error).message}`),
  });
}
