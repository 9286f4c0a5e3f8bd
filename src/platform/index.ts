import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { loadOrCreateKeyring } from '../keyring/index.js';
import type { Keyring } from '../keyring/index.js';
import { journalMigrations } from '../ledger/journal.js';
import { ledgerMigrations } from '../ledger/migrations.js';
import { createLedger } from '../ledger/service.js';
import { createWitnessing } from '../ledger/witnessing.js';
import type { Ledger } from '../ledger/service.js';
import { consentChangeSink, registryChangeRecorder } from './recorders.js';
import { createRegistry, registryMigrations } from '../registry/index.js';
import type { Registry } from '../registry/index.js';
import { openStore } from '../store/index.js';
import type { ModuleMigrations, Store } from '../store/index.js';
import { exchangeMigrations } from '../exchange/migrations.js';
import type { WellKnownKey } from '../http/well-known.js';
import { createEgress, egressPolicy } from '../egress/index.js';
import type { Egress } from '../egress/index.js';
import { consentMigrations, createConsent, renderCitizenMessage } from '../consent/index.js';
import { smsMessenger } from '../notify/index.js';
import { isHttpChannel, smsChannelFromConfig } from './sms.js';
import type { HttpChannel } from '../notify/index.js';
import type { CitizenMessenger, Consent } from '../consent/index.js';
import { createEvents, eventsMigrations } from '../events/index.js';
import type { Events, EventsOptions, PersonalEventHook } from '../events/index.js';
import { casesMigrations } from '../cases/index.js';
import type { Cases, CaseRouter, CaseSms } from '../cases/index.js';
import { createCasesFor } from './cases.js';
import { routeGrievance } from '../assist/index.js';

/** Every module's migrations, in the order the modules depend on each other. */
export const MIGRATIONS: ModuleMigrations[] = [registryMigrations, journalMigrations, exchangeMigrations, ledgerMigrations, consentMigrations, eventsMigrations, casesMigrations];

/**
 * The composition root: builds each module with the capabilities it needs.
 * Nothing else wires modules together.
 */
export interface Platform {
  config: Config;
  store: Store;
  keyring: Keyring;
  registry: Registry;
  egress: Egress;
  ledger: Ledger;
  /** the HTTP SMS gateway, when one is configured: its signed inbound requests arrive at POST /sms/inbound */
  smsGateway?: HttpChannel;
  consent: Consent;
  /** topics, publishing, subscriptions and the webhook delivery workers */
  events: Events;
  /** cases and grievances shared by institutions */
  cases: Cases;
  now: () => number;
  /** public keys other modules publish in /.well-known/rabta.json (log and witness vkeys) */
  publicKeys?: () => Promise<WellKnownKey[]>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  keyring?: Keyring;
  now?: () => number;
  migrate?: boolean;
  /** run background work (the ledger sequencer, the consent sweeper); tests may drive it by hand */
  background?: boolean;
  /** how SMS reach citizens; default: the notify module over RABTA_SMPP_URL (or the console) */
  messenger?: CitizenMessenger;
  /** the delivery worker's options (a compressed retry schedule in tests, `worker: false` for none) and the data tracker's hook for personal events */
  events?: EventsOptions & { onPersonalEvents?: PersonalEventHook };
  /** the cases module's SMS (tests keep them), and the grievance router when there is one */
  cases?: { sms?: CaseSms; router?: CaseRouter; sweepIntervalMs?: number };
}

/** The shipped grievance router: its label is a category code, so a case without one is routed when the catalogue has it. */
const shippedGrievanceRouter: CaseRouter = {
  route: async (text) => {
    const decision = routeGrievance(text);
    return { ...decision, alternatives: [...decision.alternatives] };
  },
};

export async function createPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const keyring =
    options.keyring ??
    (await loadOrCreateKeyring(config.keysFile ?? join(config.dataDir, 'keys.json'), { create: config.keysFile === undefined }));
  const store = openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    sqliteSynchronous: config.sqliteSynchronous,
    migrations: MIGRATIONS,
    subjectSecret: keyring.subjectSecret,
  });
  if (options.migrate !== false) await store.migrate();
  const now = options.now ?? Date.now;
  const ledger = createLedger({ db: store.tables(), dialect: store.dialect, host: new URL(config.publicUrl).host, logSeed: keyring.logSeed, now });
  const registry = createRegistry({ db: store.tables(), recorder: registryChangeRecorder(ledger), instance: config.instance, now }, { defaultBodyLimit: config.bodyLimitDefault });
  if (options.background !== false) ledger.start();
  const egress = createEgress(egressPolicy(config.egressAllow), { timeoutMs: config.upstreamTimeoutMs });
  const witnessing = createWitnessing({
    db: store.tables(),
    ledger,
    witnesses: () => registry.listWitnesses(),
    call: (request) => egress.call(request),
    now,
    onError: (witness, error) => process.emitWarning(`witness ${witness}: ${(error as Error).message} (retrying with back-off until it cosigns)`),
  });
  ledger.onCheckpoint((checkpoint) => witnessing.onCheckpoint(checkpoint));
  // After a restart the latest checkpoint may be uncosigned, with no new leaf to come.
  if (options.background !== false) witnessing.start();
  // Citizens' SMS: the given messenger (tests), else the notify module over the configured channel.
  const smsChannel = options.messenger ? undefined : smsChannelFromConfig(config, egress);
  let cases: Cases | undefined;
  const consent = createConsent({
    db: store.tables(),
    batch: store.batch(),
    registry,
    keyring,
    messenger: options.messenger ?? smsMessenger(smsChannel as NonNullable<typeof smsChannel>, (language, template, params) => renderCitizenMessage(language, template, params, config.smsShortCode)),
    publicUrl: config.publicUrl,
    now,
    changeSink: consentChangeSink(ledger),
    // The SMS dispatcher asks the cases module first; it is built below, and asked only once it exists.
    smsCommands: () => {
      const built = cases;
      return built ? [async (sms) => (await built.handleSms(sms)) !== undefined] : [];
    },
    // Consents may cover event topics; the events module is built below, and asked only once it exists.
    topics: () => (events ? { purposes: (topicId, subscriberId) => events.topicPurposes(topicId, subscriberId), exists: (topicId) => events.topicExists(topicId) } : undefined),
  });
  if (options.background !== false) consent.start();
  // Whatever a citizen texts, on any channel, goes to the one self-service handler.
  smsChannel?.onInbound(async (sms) => {
    await consent.handleInboundSms({ from: sms.from, text: sms.text });
  });
  const events: Events = createEvents(
    {
      db: store.tables(),
      batch: store.batch(),
      dialect: store.dialect,
      registry,
      recorder: registryChangeRecorder(ledger),
      ledger,
      egress,
      egressAllow: config.egressAllow,
      // A personal event is a disclosure by its publisher: the same legal-basis rules as a service, with the topic in its place.
      legalBasis: consent.legalBasis,
      onPersonalEvents: async (trx, published) => {
        await consent.personalEvents(trx, published);
        // Case rules: an event's subjects become pending matches in the same transaction.
        await cases?.matchEvents(trx, published);
        await options.events?.onPersonalEvents?.(trx, published);
      },
      subjectSecret: keyring.subjectSecret,
      now,
    },
    // The configured retry schedule and lease shape the background worker; a caller's own worker options win.
    options.events?.worker === false
      ? options.events
      : {
          ...options.events,
          worker: {
            ...(config.eventsRetryScheduleMs ? { schedule: config.eventsRetryScheduleMs } : {}),
            ...(config.eventsLeaseMs ? { leaseMs: config.eventsLeaseMs } : {}),
            ...options.events?.worker,
          },
        },
  );
  if (options.background !== false) events.start();
  cases = createCasesFor({ config, store, registry, ledger, keyring, consent: () => consent, events: () => events, now, sms: options.cases?.sms ?? { send: async (mobile, _language, text) => void (await smsChannel?.send({ to: mobile, text })) }, router: options.cases?.router ?? shippedGrievanceRouter, sweepIntervalMs: options.cases?.sweepIntervalMs });
  const built = cases;
  if (options.background !== false) built.start();
  return {
    config,
    store,
    keyring,
    registry,
    egress,
    ledger,
    consent,
    events,
    cases: built,
    ...(smsChannel && isHttpChannel(smsChannel) ? { smsGateway: smsChannel } : {}),
    now,
    publicKeys: async () => [
      { use: 'log', vkey: ledger.vkey, notBefore: null, notAfter: null },
      ...(await registry.listWitnesses()).map((w) => ({ use: 'witness', vkey: w.vkey, name: w.name, url: w.url, member: w.memberId, notBefore: w.createdAt, notAfter: null })),
    ],
    // Idempotent: a second close (a failed start, then the caller's cleanup) must not close pools twice.
    close: onceAsync(async () => {
      witnessing.stop();
      await built.stop();
      await events.stop();
      await ledger.stop();
      await consent.stop();
      await smsChannel?.close();
      await egress.close();
      await store.close();
    }),
  };
}

function onceAsync(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
