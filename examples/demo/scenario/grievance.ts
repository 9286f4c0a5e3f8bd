import { readFileSync } from 'node:fs';
import type { CaseView, RoutingView } from '../../../src/cases/index.js';
import type { Platform } from '../../../src/platform/index.js';
import { RabtaClient, loadKeyFile } from '../../../src/sdk/index.js';
import type { Smsc } from '../../smsc/smsc.js';
import type { Beneficiary } from '../people.js';
import { until } from './disbursement.js';
import { smsInbox } from './phones.js';
import { silentProgress } from './progress.js';
import { withdrawalSpike } from './spike.js';
import type { SpikeReport } from './spike.js';
import type { Progress } from './progress.js';

export interface GrievanceContext {
  platform: Platform;
  keyFiles: string[];
  people: Beneficiary[];
  smsc: Smsc;
  /** the citizen portal's Open311 api_key */
  open311KeyFile: string;
  /** the demo authority's admin token (its triage officer) */
  adminTokenFile: string;
  progress?: Progress;
  stageTimeoutMs?: number;
}

export interface GrievanceReport {
  /** filed over Open311 without a service_code: the router was not sure, so it waited for triage */
  open311: { reference: string; posted: Record<string, unknown>; read: Record<string, unknown>; queued: RoutingView | null; triagedTo: string; lead: string | null; correction: string | null; sms: string };
  /** filed by SMS: routed by itself to the telco, which transferred it to NADRA, whose deadline passed */
  /** a spike of failed withdrawals in one district, found in the platform's records by the anomaly job */
  spike: SpikeReport;
  sms: { reference: string; reply: string; routedTo: string | null; lead: string | null; routing: RoutingView | null; transferredTo: string | null; escalation: { level: number; role: string } | undefined; notices: string[] };
  lines: string[];
}

/** The citizen's words: one the router is sure of, one it is not (a school's broken tap: water, or the school?). */
export const GRIEVANCES = {
  sms: 'meri SIM band ho gayi hai, CNIC renew karwaya tha, Jazz franchise wale kehte hain NADRA se verify nahi ho raha',
  open311: 'hamare gaon ke school ka nalka kharab hai aur bachon ko pani nahi milta',
};

const RUN_TIMEOUT_MS = 120_000;

/**
 * Two grievances, two channels: one filed on the citizen portal over Open311
 * with no category, which the router is not sure of, so it waits in the
 * authority's triage queue with three suggestions until the triage officer
 * sends it to the school department (a correction kept for the next model);
 * one texted as SHIKAYAT, which the router sends to Jazz by itself. Jazz
 * finds it is NADRA's (the CNIC renewal is stuck) and transfers it; NADRA
 * does not respond in time, and the sweep escalates it (the demo's working
 * day is compressed, RABTA_CASES_WORKING_DAY_MS). Last, eight weeks of HBL's
 * counts of failed withdrawals end in a spike in Kech, and the anomaly job
 * opens a case for HBL by itself.
 */
export async function runGrievance(ctx: GrievanceContext): Promise<GrievanceReport> {
  const { platform } = ctx;
  const progress = ctx.progress ?? silentProgress;
  const timeout = ctx.stageTimeoutMs ?? RUN_TIMEOUT_MS;
  const base = platform.config.publicUrl;
  const instance = platform.config.instance;
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    progress.note(line);
  };
  const inbox = smsInbox(ctx.smsc);
  const token = readFileSync(ctx.adminTokenFile, 'utf8').trim();
  const admin = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const [first, second] = ctx.people.filter((p) => p.mobile) as [Beneficiary, Beneficiary];

  // 1. The portal, over Open311 GeoReport v2: form-encoded, no service_code.
  const apiKey = readFileSync(ctx.open311KeyFile, 'utf8').trim();
  const form = new URLSearchParams({ api_key: apiKey, address_id: 'BA-KECH', description: GRIEVANCES.open311, phone: first.mobile });
  const postedResponse = await fetch(`${base}/open311/v2/requests.json`, { method: 'POST', body: form });
  if (postedResponse.status !== 200) throw new Error(`Open311 POST answered ${postedResponse.status}: ${await postedResponse.text()}`);
  const posted = ((await postedResponse.json()) as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  const openReference = posted.service_request_id as string;
  const read = ((await (await fetch(`${base}/open311/v2/requests/${openReference}.json`)).json()) as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  say(`Portal → Open311 POST requests.json (no service_code): ${openReference} — ${posted.service_notice}`);
  const queue = await admin<Array<{ reference: string; routing: RoutingView | null }>>('GET', '/admin/case-triage');
  const queued = queue.find((c) => c.reference === openReference)?.routing ?? null;
  say(`  the router was not sure (${queued?.label} ${queued?.confidence}): triage queue, suggestions ${queued?.suggestions.map((s) => `${s.label} ${s.confidence}`).join(', ')}`);
  const triagedTo = 'EDUCATION';
  const triaged = await admin<{ lead: string | null }>('POST', `/admin/case-triage/${openReference}`, { category: triagedTo });
  const openView = await admin<CaseView>('GET', `/admin/cases/${openReference}`);
  const openSms = await inbox.waitFor(first.mobile, (text) => text.includes(openReference), timeout);
  say(`  the triage officer sends it to ${triagedTo} (${triaged.lead}): the school keeps its own tap; the correction is kept for the next model (${openView.routing?.label} → ${openView.routing?.correctedCategory})`);
  say(`  SMS to ${first.nameEn}: ${openSms}`);

  // 2. SMS: SHIKAYAT, routed by the router alone.
  const keyword = second.language === 'ur' ? 'شکایت' : 'SHIKAYAT';
  const reply = await inbox.ask(second.mobile, `${keyword} ${GRIEVANCES.sms}`, (text) => /RB-\d\d-\d{6}-\d/.test(text), timeout);
  const smsReference = (/RB-\d\d-\d{6}-\d/.exec(reply) as RegExpExecArray)[0];
  const routedView = await admin<CaseView>('GET', `/admin/cases/${smsReference}`);
  say(`${second.nameEn} texts "${keyword} ${GRIEVANCES.sms.slice(0, 40)}…" → ${reply}`);
  say(`  routed by itself: ${routedView.routing?.label} (${routedView.routing?.confidence}, model ${routedView.routing?.modelVersion}) → lead ${routedView.lead}`);

  const jazzKey = await loadKeyFile(keyFileOf(ctx.keyFiles, 'JAZZ-sim-registration.json'));
  const jazz = new RabtaClient({ baseUrl: base, client: jazzKey.client, keyId: jazzKey.keyId, privateKey: jazzKey.privateKey });
  const nadra = `${instance}/GOV/NADRA`;
  const transfer = await jazz.call({ method: 'POST', path: `/cases/${smsReference}/transfer`, json: { to: nadra, reason: 'the SIM is blocked because the renewed CNIC is not yet verified at NADRA; it reopens once NADRA verifies' } });
  if (transfer.status !== 200) throw new Error(`Jazz's transfer answered ${transfer.status}: ${transfer.text()}`);
  const transferred = transfer.json<{ lead: string | null; state: string }>();
  say(`Jazz (signed call) transfers ${smsReference} to ${transferred.lead}: ${transferred.state}`);

  const waitStage = progress.stage(`NADRA's first-response deadline (${platform.cases.calendar.dayMs / 1000} s a working day)`, 1);
  const escalatedView = await until(async () => {
    const view = await admin<CaseView>('GET', `/admin/cases/${smsReference}`);
    // NADRA's own miss: an escalation after the transfer (on a slow machine Jazz's clock may have run out first).
    const transferredAt = view.timeline.map((e) => e.kind).lastIndexOf('transferred');
    return view.timeline.some((e, i) => i > transferredAt && e.kind === 'escalated' && e.actor.includes('deadline-sweep')) ? view : false;
  }, timeout, 'the sweep to escalate NADRA’s missed first response');
  waitStage(1);
  progress.stop();
  const escalated = [...escalatedView.timeline].reverse().find((e) => e.kind === 'escalated');
  const escalation = escalated ? { level: Number(escalated.detail.level), role: String(escalated.detail.role) } : undefined;
  const notices = (await admin<Array<{ detail: string; case?: string }>>('GET', '/admin/members/GOV/NADRA/case-notices')).map((n) => n.detail).filter((d) => d.includes(smsReference));
  say(`  NADRA did not respond in time → escalated to level ${escalation?.level} (${escalation?.role}); NADRA is told: ${notices[0] ?? '-'}`);
  const overdue = await admin<Array<{ reference: string }>>('GET', '/admin/cases/overdue');
  say(`The authority sees every case and every clock: ${overdue.length} overdue task(s) now; triage queue ${(await admin<unknown[]>('GET', '/admin/case-triage')).length}`);

  // 3. Anomalies: a spike of failed withdrawals in Kech opens a case by itself.
  const spike = await withdrawalSpike(platform, keyFileOf(ctx.keyFiles, 'HBL-complaints.json'), say);

  return {
    spike,
    open311: { reference: openReference, posted, read, queued, triagedTo, lead: triaged.lead, correction: openView.routing?.correctedCategory ?? null, sms: openSms },
    sms: { reference: smsReference, reply, routedTo: routedView.category, lead: routedView.lead, routing: routedView.routing, transferredTo: transferred.lead, escalation, notices },
    lines,
  };
}

function keyFileOf(keyFiles: string[], suffix: string): string {
  const file = keyFiles.find((f) => f.endsWith(suffix));
  if (!file) throw new Error(`the demo has no key file ${suffix}`);
  return file;
}
