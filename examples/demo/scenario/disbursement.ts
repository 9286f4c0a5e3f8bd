import { maskCnic, subjectHash } from '../../../src/core/cnic.js';
import { pakistanDate } from '../../../src/consent/index.js';
import { maskPhone } from '../../../src/notify/index.js';
import type { Platform } from '../../../src/platform/index.js';
import { RabtaClient, fetchInstanceKeys, loadKeyFile } from '../../../src/sdk/index.js';
import type { Smsc } from '../../smsc/smsc.js';
import type { Beneficiary } from '../people.js';
import type { PaymentBatch, VerifiedCall } from '../upstreams.js';
import { batchRows, bispSystem } from './bisp.js';
import type { BatchRow, IntakeAnswer, PaymentRecord } from './bisp.js';
import { hblSystems } from './hbl.js';
import type { Ticket } from './hbl.js';
import { silentProgress } from './progress.js';
import type { Progress } from './progress.js';
import { startWebhookEndpoints } from './receiver.js';
import { BISP_PAYMENTS, declareDisbursementTopics } from './topics.js';
import { citizenSignIn, smsInbox } from './phones.js';
import { attachWithdrawalRule, followJointCase } from './joint-case.js';
import type { JointCaseReport } from './joint-case.js';
import type { AllTables } from '../../../test/tables.js';

export interface ScenarioContext {
  platform: Platform;
  /** the demo's key files (one per subsystem with an example) */
  keyFiles: string[];
  /** where HBL's intake hands accepted batches */
  setPaymentIntake(handler: (batch: PaymentBatch, call: VerifiedCall) => void): void;
  people: Beneficiary[];
  /** the demo SMSC: beneficiaries' phones send and receive over SMPP */
  smsc: Smsc;
  progress?: Progress;
  /** BISP's payment records, which its status service answers from (a fresh map when not given) */
  bispRecords?: Map<string, PaymentRecord>;
  /** how long any one stage may take before the run fails, not hangs */
  stageTimeoutMs?: number;
}

export interface DisbursementReport {
  batchId: string;
  refused: IntakeAnswer;
  accepted: IntakeAnswer[];
  rows: number;
  published: number;
  bispRecords: { credited: number; withdrawalFailed: number; webhooks: number; refusedDeliveries: number };
  sms: { expected: number; sent: number; sample: string };
  status: { from: string; asked: string; reply: string };
  failure: { cnic: string; eventId: string; smsReply: string };
  /** the failed withdrawal's joint case, HBL leading and BISP partnering, to her "1" */
  jointCase: JointCaseReport;
  tickets: Ticket[];
  tracker: Array<{ cnic: string; exchange: boolean; credited: boolean }>;
  trackerShown: Array<{ at: string; kind: string; institution: string; service: string; purpose: string | null; outcome: string; outcomeText: string; recipients: string[] }>;
  /** the scenario's webhook subscriptions, ended when it ends (their endpoints stop with it) */
  subscriptions: string[];
  lines: string[];
}

const RUN_TIMEOUT_MS = 120_000;

/**
 * The founding story, end to end, each party with its own key: BISP sends the
 * quarter's payment batch to HBL through the exchange (a first attempt with
 * bad rows is refused whole, row by row); HBL credits and publishes
 * `payment.credited` for each beneficiary; BISP's webhook endpoint updates
 * its records; each registered beneficiary gets an SMS in her language; one
 * texts حالت and gets her status; a withdrawal fails at an agent and both BISP
 * and HBL's complaints desk hear of it, and HBL's case rule opens a joint
 * case that she follows by SMS to its close (joint-case.ts); every
 * beneficiary's data tracker shows the batch and the events.
 */
export async function runDisbursement(ctx: ScenarioContext): Promise<DisbursementReport> {
  const { platform } = ctx;
  const progress = ctx.progress ?? silentProgress;
  const timeout = ctx.stageTimeoutMs ?? RUN_TIMEOUT_MS;
  const base = platform.config.publicUrl;
  const clientFor = async (suffix: string, verify = false) => {
    const file = ctx.keyFiles.find((f) => f.endsWith(suffix));
    if (!file) throw new Error(`the demo has no key file ${suffix}`);
    const key = await loadKeyFile(file);
    return new RabtaClient({ baseUrl: base, client: key.client, keyId: key.keyId, privateKey: key.privateKey, ...(verify ? { exchangeKeys: await fetchInstanceKeys(base) } : {}) });
  };
  const runStarted = Date.now();
  const batchId = `KAF-2026-Q4-HBL-${new Date(runStarted).toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const today = () => pakistanDate(Date.now());
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    progress.note(line);
  };

  await declareDisbursementTopics(platform);
  await attachWithdrawalRule(platform);
  const endpoints = await startWebhookEndpoints();
  const inbox = smsInbox(ctx.smsc);
  const subscriptions: Array<{ client: RabtaClient; id: string }> = [];
  try {
    const bispClient = await clientFor('BISP-payments.json', true);
    const complaintsClient = await clientFor('HBL-complaints.json');
    const bisp = bispSystem(bispClient, ctx.bispRecords);
    const hbl = hblSystems({
      disbursement: await clientFor('HBL-disbursement.json'),
      complaints: complaintsClient,
      agentAreaOf: (district) => `${district ?? 'nearest'} HBL Konnect agents`,
      today,
    });
    ctx.setPaymentIntake((batch, call) => {
      if (call.client === BISP_PAYMENTS) hbl.creditBatch(batch);
    });
    for (const id of await bisp.subscribe(endpoints)) subscriptions.push({ client: bispClient, id });
    subscriptions.push({ client: complaintsClient, id: await hbl.subscribeComplaintsDesk(endpoints) });

    const rows = batchRows(ctx.people.filter((p) => p.bank === 'HBL'));
    say(`BISP → HBL: payment batch ${batchId}, ${rows.length} beneficiaries, purpose cash-transfer-disbursement (statute)`);
    // Mistakes only the bank can see: a beneficiary who banks elsewhere, a row twice, an amount of nothing.
    const elsewhere = ctx.people.find((p) => p.bank !== 'HBL') as Beneficiary;
    const withMistakes = [...rows, { cnic: elsewhere.cnic, amountPkr: 13_500 }, { ...(rows[0] as BatchRow) }, { cnic: (rows[1] as BatchRow).cnic.replace(/\d$/, (d) => String((Number(d) + 1) % 10)), amountPkr: 0 }];
    const [refused] = await bisp.sendBatch(batchId, '2026-Q4', withMistakes);
    if (!refused || refused.status !== 422) throw new Error(`HBL should refuse a batch with bad rows; it answered ${refused?.status}`);
    say(`  first attempt refused whole (${refused.status}), nothing imported: ${refused.rejected.map((r) => `row ${r.row}: ${r.errors.join('; ')}`).join(' | ')}`);

    const sentBar = progress.stage('rows accepted by HBL', rows.length);
    const publishedBar = progress.stage('payment.credited published by HBL', rows.length);
    hbl.onPublished(publishedBar);
    const accepted = await bisp.sendBatch(batchId, '2026-Q4', rows, sentBar);
    const last = accepted[accepted.length - 1];
    if (!last || last.status !== 202) throw new Error(`HBL refused the corrected batch: ${JSON.stringify(last)}`);
    say(`  corrected batch accepted (${accepted.length} call${accepted.length > 1 ? 's' : ''}, ${rows.length} rows)`);

    const recordsBar = progress.stage('BISP records updated by webhook', rows.length);
    bisp.onWebhook(() => recordsBar(bisp.creditedOnce));
    const registered = await registeredAmong(platform, rows.map((r) => r.cnic));
    const smsBar = progress.stage('SMS notices to beneficiaries', registered.length);
    await until(async () => {
      await hbl.settled();
      return hbl.published === rows.length;
    }, timeout, 'HBL to publish every credit');
    await until(() => bisp.count('credited') === rows.length, timeout, 'BISP to hear of every credit');
    const noticed = await until(async () => {
      const done = await noticesSince(platform, runStarted);
      smsBar(done);
      return done >= registered.length ? done : false;
    }, timeout, 'every registered beneficiary to be sent her SMS');
    progress.stop();
    const first = ctx.people.find((p) => p.cnic === registered[0]) as Beneficiary;
    const sample = await inbox.waitFor(first.mobile, (text) => text.replace(/[,\u200E]/g, '').includes(String(first.quarterlyAmountPkr)), timeout);
    say(`HBL → ${first.nameEn} (${maskPhone(first.mobile)}), in ${first.language === 'ur' ? 'Urdu' : 'English'}: ${sample}`);

    const asked = first.language === 'ur' ? 'حالت' : 'status';
    const reply = await inbox.ask(first.mobile, asked, (text) => text.includes(maskCnic(first.cnic.replaceAll('-', ''))), timeout);
    say(`${first.nameEn} texts "${asked}" → ${reply}`);

    const unlucky = ctx.people.find((p) => p.cnic === registered[1]) ?? first;
    const failureId = await hbl.withdrawalFailed(unlucky.cnic, { code: 'biometric-mismatch', ur: 'انگوٹھے کی تصدیق نہیں ہو سکی', en: 'fingerprint could not be verified' });
    await until(() => bisp.records.get(unlucky.cnic)?.state === 'withdrawal-failed' && hbl.tickets.some((t) => t.cnic === unlucky.cnic), timeout, 'BISP and the complaints desk to hear of the failed withdrawal');
    const failureSms = await inbox.waitFor(unlucky.mobile, (text) => text.includes('biometric') || text.includes('انگوٹھے') || text.includes('fingerprint'), timeout);
    say(`HBL agent: ${unlucky.nameEn}'s withdrawal failed → BISP record "withdrawal-failed", complaints desk ticket opened; SMS: ${failureSms}`);
    const jointCase = await followJointCase({ platform, desk: complaintsClient, inbox, beneficiary: unlucky, eventId: failureId, timeoutMs: timeout, say, until });

    const tracker = await trackerOf(platform, rows.map((r) => r.cnic), runStarted);
    const shown = await citizenSignIn(base, inbox, first, timeout);
    say(`${first.nameEn}'s data tracker (signed in with a code sent by SMS):`);
    for (const row of shown) say(`  ${row.at}  ${row.kind.padEnd(8)} ${row.institution} · ${row.service} · ${row.purpose ?? '-'} · ${row.outcomeText}`);

    say(`BISP's records: ${bisp.count('credited')} credited, ${bisp.count('withdrawal-failed')} withdrawal failed — from ${bisp.webhooks} webhooks, each verified with standardwebhooks (${endpoints.refused} refused)`);
    say(`HBL's complaints desk: ${hbl.tickets.length} ticket(s): ${hbl.tickets.map((t) => `${maskCnic(t.cnic.replaceAll('-', ''))} ${t.reason} at ${t.agentArea}`).join('; ')}`);
    say(`Beneficiaries: ${noticed} SMS notices for ${registered.length} with a registered phone (of ${rows.length} paid); every tracker holds the batch and the credit: ${tracker.every((t) => t.exchange && t.credited) ? 'yes' : 'NO'}`);

    return {
      batchId,
      refused,
      accepted,
      rows: rows.length,
      published: hbl.published,
      bispRecords: { credited: bisp.count('credited'), withdrawalFailed: bisp.count('withdrawal-failed'), webhooks: bisp.webhooks, refusedDeliveries: endpoints.refused },
      sms: { expected: registered.length, sent: noticed, sample },
      status: { from: first.mobile, asked, reply },
      failure: { cnic: unlucky.cnic, eventId: failureId, smsReply: failureSms },
      jointCase,
      tickets: [...hbl.tickets],
      tracker,
      trackerShown: shown,
      subscriptions: subscriptions.map((s) => s.id),
      lines,
    };
  } finally {
    progress.stop();
    ctx.setPaymentIntake(() => undefined);
    // Its endpoints stop with the run: nothing may be left delivering to a dead port.
    for (const { client, id } of subscriptions) await client.unsubscribe(id).catch(() => undefined);
    await endpoints.close();
  }
}

/** Which of these beneficiaries have a phone registered (only they are sent SMS). */
async function registeredAmong(platform: Platform, cnics: string[]): Promise<string[]> {
  const byHash = new Map(cnics.map((c) => [subjectHash(platform.keyring.subjectSecret, c.replaceAll('-', '')), c]));
  const rows = await platform.store.tables<AllTables>().selectFrom('citizens').select('subject_hash').where('subject_hash', 'in', [...byHash.keys()]).execute();
  return cnics.filter((c) => rows.some((r) => byHash.get(r.subject_hash) === c));
}

async function noticesSince(platform: Platform, since: number): Promise<number> {
  const row = await platform.store.tables<AllTables>()
    .selectFrom('citizen_notifications')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('template', '=', 'event-notice')
    .where('status', 'in', ['sent', 'suppressed'])
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether each beneficiary's tracker holds the batch (an exchange) and her credit (an event) since the run began. */
async function trackerOf(platform: Platform, cnics: string[], since: number) {
  const result: DisbursementReport['tracker'] = [];
  for (const cnic of cnics) {
    const rows = await platform.store.tables<AllTables>()
      .selectFrom('tracker_entries')
      .select(['kind', 'service_id'])
      .where('subject_hash', '=', subjectHash(platform.keyring.subjectSecret, cnic.replaceAll('-', '')))
      .where('at', '>=', since)
      .execute();
    result.push({
      cnic: maskCnic(cnic.replaceAll('-', '')),
      exchange: rows.some((r) => r.kind === 'exchange' && r.service_id === 'PK/BANK/HBL/disbursement/payment-batches'),
      credited: rows.some((r) => r.kind === 'event' && r.service_id.endsWith('/payment.credited')),
    });
  }
  return result;
}

export async function until<T>(probe: () => Promise<T | false> | T | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`the scenario waited ${Math.round(timeoutMs / 1000)} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
