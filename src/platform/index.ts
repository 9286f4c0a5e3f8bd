import { join } from 'node:path';
import { createJobs } from '../core/index.js';
import type { Config } from '../config/index.js';
import { loadOrCreateKeyring } from '../keyring/index.js';
import { createLedger, createWitnessing, journalMigrations, ledgerMigrations } from '../ledger/index.js';
import { consentChangeSink, registryChangeRecorder } from './recorders.js';
import { createRegistry, registryMigrations } from '../registry/index.js';
import { openStore } from '../store/index.js';
import type { ModuleMigrations } from '../store/index.js';
import { exchangeMigrations, signedAuthenticator } from '../exchange/index.js';
import { createEgress, egressPolicy } from '../egress/index.js';
import { consentMigrations, createConsent } from '../consent/index.js';
import { citizensMigrations, createCitizens } from '../citizens/index.js';
import type { SmsCommand } from '../citizens/index.js';
import { renderCitizenMessage, smsMessenger } from '../notify/index.js';
import { isHttpChannel, smsChannelFromConfig } from './sms.js';
import { createEvents, eventsMigrations } from '../events/index.js';
import type { Events } from '../events/index.js';
import { casesMigrations } from '../cases/index.js';
import type { CaseRouter, Cases } from '../cases/index.js';
import { createCasesFor } from './cases.js';
import { createAnomalyJob } from './assist.js';
import { routeGrievance } from '../assist/index.js';
import { analyticsMigrations } from '../analytics/index.js';
import { analyticsEventsLedger, countingCaseSms, countingMessenger, createAnalyticsFor } from './analytics.js';
import type { Platform, PlatformOptions } from './types.js';
import type { WellKnownKey } from '../http/index.js';

export type { Platform, PlatformOptions, VerifiableReceipt } from './types.js';
export { buildServer } from './server.js';
export { prepareWebFont } from '../web/index.js';
export type { ServerOptions } from './server.js';

/** Every module's migrations, in the order the modules depend on each other. */
export const MIGRATIONS: ModuleMigrations[] = [registryMigrations, journalMigrations, exchangeMigrations, ledgerMigrations, consentMigrations, eventsMigrations, casesMigrations, citizensMigrations, analyticsMigrations];

/** The shipped grievance router: its label is a category code, so a case without one is routed when the catalogue has it. */
const shippedGrievanceRouter: CaseRouter = {
  route: async (text) => {
    const decision = routeGrievance(text);
    return { ...decision, alternatives: [...decision.alternatives] };
  },
};

/** Daily counts change slowly: an hourly look finds a new day's anomaly within the hour. */
const ANOMALY_INTERVAL_MS = 3_600_000;

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
  const jobs = createJobs();
  const ledger = createLedger({ db: store.tables(), dialect: store.dialect, host: new URL(config.publicUrl).host, logSeed: keyring.logSeed, now, jobs });
  const registry = createRegistry({ db: store.tables(), recorder: registryChangeRecorder(ledger), instance: config.instance, now }, { defaultBodyLimit: config.bodyLimitDefault });
  if (options.background !== false) ledger.start();
  const egress = createEgress(egressPolicy(config.egressAllow), { timeoutMs: config.upstreamTimeoutMs });
  const witnessing = createWitnessing({
    db: store.tables(),
    ledger,
    witnesses: () => registry.listWitnesses(),
    call: (request) => egress.call(request),
    now,
    onError: (witness, error) => jobs.failed('ledger-witnessing', new Error(`witness ${witness}: ${(error as Error).message} (retrying with back-off until it cosigns)`, { cause: error })),
  });
  ledger.onCheckpoint((checkpoint) => witnessing.onCheckpoint(checkpoint));
  // After a restart the latest checkpoint may be uncosigned, with no new leaf to come.
  if (options.background !== false) witnessing.start();
  // Citizens' SMS: the given messenger (tests), else the notify module over the configured channel.
  const smsChannel = options.messenger ? undefined : smsChannelFromConfig(config, egress);
  let cases: Cases | undefined;
  // The events module is built below; the analytics job asks it for deliveries only once it runs.
  const analytics = createAnalyticsFor({ store, ledger, registry, publicUrl: config.publicUrl, now, events: () => events });
  const render = (language: 'ur' | 'en', template: string, params: Record<string, string>) => renderCitizenMessage(language, template as never, params as never, config.smsShortCode);
  const citizens = createCitizens({
    db: store.tables(),
    registry,
    keyring,
    messenger: countingMessenger(options.messenger ?? smsMessenger(smsChannel as NonNullable<typeof smsChannel>, (language, template, params) => renderCitizenMessage(language, template, params, config.smsShortCode)), render, () => analytics),
    publicUrl: config.publicUrl,
    now,
    jobs,
  });
  const consent = createConsent({
    db: store.tables(),
    batch: store.batch(),
    registry,
    keyring,
    citizens: citizens.directory,
    publicUrl: config.publicUrl,
    now,
    changeSink: consentChangeSink(ledger, analytics),
    jobs,
  });
  // A citizen's new phone answers for her live consents.
  citizens.onMobileChanged(consent.rekeyReplyCodes);
  if (options.background !== false) {
    consent.start();
    citizens.start();
  }
  const events: Events = createEvents(
    {
      db: store.tables(),
      batch: store.batch(),
      dialect: store.dialect,
      registry,
      recorder: registryChangeRecorder(ledger),
      ledger: analyticsEventsLedger(ledger, () => analytics),
      egress,
      egressAllow: config.egressAllow,
      // A personal event is a disclosure by its publisher: the same legal-basis rules as a service, with the topic in its place.
      legalBasis: consent.legalBasis,
      onPersonalEvents: async (trx, published) => {
        await consent.personalEvents(trx, published);
        await citizens.personalEvents(trx, published);
        // Case rules: an event's subjects become pending matches in the same transaction.
        await cases?.matchEvents(trx, published);
        await options.events?.onPersonalEvents?.(trx, published);
      },
      subjectSecret: keyring.subjectSecret,
      now,
      jobs,
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
  // Consents may cover event topics: consent learns the catalogue once events exists (events needs consent's legal-basis check first).
  consent.coverTopics({ purposes: (topicId, subscriberId) => events.topicPurposes(topicId, subscriberId), exists: (topicId) => events.topicExists(topicId) });
  if (options.background !== false) events.start();
  cases = createCasesFor({ config, store, registry, ledger, keyring, citizens, events, now, sms: countingCaseSms(options.cases?.sms ?? { send: async (mobile, _language, text) => void (await smsChannel?.send({ to: mobile, text })) }, () => analytics), onPublished: (topic, payload) => analytics.recordCaseEvent(topic, payload), router: options.cases?.router ?? shippedGrievanceRouter, sweepIntervalMs: options.cases?.sweepIntervalMs, jobs });
  const built = cases;
  if (options.background !== false) built.start();
  if (options.background !== false) analytics.start();
  // The SMS line: each module's commands, asked in this order; a text none takes gets the help text.
  const smsCommands: SmsCommand[] = [
    { name: 'cases: SHIKAYAT, a case reference, 1/2', handle: async (sms) => ((await built.handleSms(sms)) !== undefined ? { outcome: 'dispatched' } : undefined) },
    citizens.selfServiceCommand,
    { name: 'consent: HAAN/NAHI/WAPIS <code>', handle: (sms) => consent.answerBySms(sms) },
  ];
  const handleInboundSms = citizens.smsDispatcher(smsCommands);
  // Whatever a citizen texts, on any channel, goes to the one dispatcher.
  smsChannel?.onInbound(async (sms) => {
    await handleInboundSms({ from: sms.from, text: sms.text });
  });
  const anomalies = createAnomalyJob({ store, cases: built, now });
  if (options.background !== false) anomalies.start(jobs, ANOMALY_INTERVAL_MS);
  const publicKeys = async (): Promise<WellKnownKey[]> => [
    { use: 'log', vkey: ledger.vkey, notBefore: null, notAfter: null },
    ...(await registry.listWitnesses()).map((w) => ({ use: 'witness', vkey: w.vkey, name: w.name, url: w.url, member: w.memberId, notBefore: w.createdAt, notAfter: null })),
  ];
  return {
    config,
    store,
    keyring,
    registry,
    egress,
    ledger,
    consent,
    citizens: { ...citizens, portal: citizens.portalFor(consent.ofCitizen), handleInboundSms },
    events,
    cases: built,
    analytics,
    anomalies,
    ...(smsChannel && isHttpChannel(smsChannel) ? { smsGateway: smsChannel } : {}),
    now,
    jobs,
    authenticate: signedAuthenticator({ batch: store.batch(), registry, publicUrl: config.publicUrl, now }),
    publicKeys,
    async receipt(kind, ref) {
      const receipt = await ledger.receipt(kind, ref);
      if (!receipt) return undefined;
      const witnessVkeys = (await publicKeys()).filter((k) => k.use === 'witness').map((k) => k.vkey as string);
      return { ...receipt, logVkey: ledger.vkey, witnessVkeys };
    },
    // Idempotent: a second close (a failed start, then the caller's cleanup) must not close pools twice.
    close: onceAsync(async () => {
      witnessing.stop();
      await anomalies.stop();
      await analytics.stop();
      await built.stop();
      await events.stop();
      await ledger.stop();
      await consent.stop();
      await citizens.stop();
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
