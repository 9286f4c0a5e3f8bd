import { localBaseUrl } from '../../src/config/index.js';
import { isAbsolute, relative } from 'node:path';
import type { Platform } from '../../src/platform/index.js';
import { verifyForwarded } from '../../src/sdk/index.js';
import { demoBeneficiaries } from './people.js';
import { seedDemo } from './seed.js';
import { startUpstreams } from './upstreams.js';
import type { PaymentBatch, VerifiedCall } from './upstreams.js';
import { seedDemoCases } from './cases.js';
import { runDisbursement } from './scenario/disbursement.js';
import { runGrievance } from './scenario/grievance.js';
import type { GrievanceReport } from './scenario/grievance.js';
import type { DisbursementReport } from './scenario/disbursement.js';
import type { PaymentRecord } from './scenario/bisp.js';
import { terminalProgress } from './scenario/progress.js';
import type { Progress } from './scenario/progress.js';
import type { Smsc } from '../smsc/smsc.js';
import { startDemoWitnesses } from './witness.js';
import { demoPorts } from './ports.js';
import type { DemoPorts } from './ports.js';

export { startDemoSmsc } from './sms.js';

/**
 * The demo federation: NADRA, BISP, two banks and a telco, with simulated
 * upstream systems that accept only calls Rabta signed. Loaded by
 * `rabta start --demo` (and `npm start`).
 */
/** A path as the newcomer types it: relative inside the working directory, absolute outside it. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

export async function startDemo(platform: Platform, options: { smscPort?: number; ports?: Partial<DemoPorts> } = {}) {
  const people = demoBeneficiaries();
  const exchangeKeys = new Map(platform.keyring.exchange.map((k) => [k.kid, k.publicKey]));
  let paymentIntake: (batch: PaymentBatch, call: VerifiedCall) => void = () => undefined;
  // BISP's payment records: its webhook endpoint (in the scenario) writes them, its status service reads them.
  const bispRecords = new Map<string, PaymentRecord>();
  const ports = { ...demoPorts({ ...process.env, PORT: String(platform.config.port) }), ...options.ports };
  const upstreams = await startUpstreams({
    port: ports.upstreams,
    people,
    onPaymentBatch: (batch, call) => paymentIntake(batch, call),
    paymentRecord: (cnic) => bispRecords.get(cnic),
    // The upstream rebuilds @target-uri from its own base URL, as a provider behind Rabta does.
    verify: async (request, body, _path) => {
      const verified = await verifyForwarded({
        method: request.method ?? 'GET',
        targetUri: `${upstreams.baseUrl}${request.url ?? '/'}`,
        headers: request.headers,
        body,
        exchangeKeys,
      });
      return { client: verified.client, purpose: verified.purpose ?? null, subject: verified.subject ?? null, exchangeId: verified.exchangeId };
    },
  });
  const { keyFiles, adminTokenFile, officerTokenFile } = await seedDemo(platform, { upstreamBase: upstreams.baseUrl, people });
  const { open311KeyFile } = await seedDemoCases(platform);
  let witnesses: Awaited<ReturnType<typeof startDemoWitnesses>>;
  try {
    witnesses = await startDemoWitnesses(platform, ports.witnesses);
  } catch (error) {
    await upstreams.close();
    throw error;
  }
  const base = platform.config.publicUrl;
  // The CLI's default is the default port's URL; any other instance is named in every command.
  // Another shell has no PORT set: its commands need --url unless the demo is where they look by default.
  const url = base === localBaseUrl({}) ? '' : ` --url ${base}`;
  const smscPort = options.smscPort;
  const calendar = platform.cases.calendar;
  const clock = calendar.compressed ? `a working day lasts ${calendar.dayMs / 1000} s here (RABTA_CASES_WORKING_DAY_MS), so deadlines pass while you watch` : 'deadlines in real working days';
  const banner = [
    '',
    `Rabta demo federation is up at ${base}`,
    `  citizen portal      ${base}/ (Urdu first; sign in with a beneficiary's CNIC, the code arrives by SMS below)`,
    `  operator console    ${base}/console (sign in with the admin token in ${shown(adminTokenFile)};`,
    `                      HBL's complaints officer, a member admin, with the token in ${shown(officerTokenFile)})`,
    `  dashboard           ${base}/dashboard (public figures; open data at ${base}/open-data/catalog.jsonld)`,
    `  API docs            ${base}/docs`,
    `  instance keys       ${base}/.well-known/rabta.json`,
    `  demo upstreams      ${upstreams.baseUrl} (they refuse calls not signed by Rabta)`,
    `  citizens' SMS       over SMPP to the demo SMSC (printed below as [SMSC]); sign in with POST ${base}/citizen/otp`,
    `  ledger              ${base}/ledger/checkpoint, co-signed by ${witnesses.map((w) => `${w.label}'s witness at ${w.url}`).join(' and ')}`,
    `  members             NADRA, BISP, HBL, Bank Alfalah (BAFL), Jazz — beneficiaries in Quetta, Khuzdar, Kech, Tharparkar…`,
    `  cases               Open311 at ${base}/open311/v2/services.json, the portal's api_key in ${shown(open311KeyFile)}; SMS "SHIKAYAT <text>"`,
    `                      ten categories, one per router label; ${clock}`,
    '',
    'Try next (in another shell):',
    ...keyFiles.map((file) => `  npm run rabta -- call${url} --key-file ${shown(file)}`),
    `  export RABTA_TOKEN=$(cat ${shown(adminTokenFile)})   # the demo authority's admin token`,
    `  npm run rabta -- member list${url}`,
    `  npm run rabta -- service list${url}`,
    `  npm run rabta -- ledger verify --url ${base} --witness-quorum 2   # check the whole log from public keys`,
    ...(smscPort === undefined ? [] : [`  npm run rabta -- demo sms --smsc-port ${smscPort} --from ${people[0]?.mobile} STATUS   # text the platform as a beneficiary's phone`]),
    `  curl -d api_key=$(cat ${shown(open311KeyFile)}) -d address_id=BA-QUETTA --data-urlencode 'description=bijli 3 din se nahi' ${base}/open311/v2/requests.json   # file a grievance; the router picks its category`,
    `  PORT=${platform.config.port + 10} npm start -- --scenario disbursement   # BISP → HBL → beneficiaries → a joint case, end to end, beside this demo`,
    `  PORT=${platform.config.port + 20} npm start -- --scenario grievance      # Open311 and SMS grievances: routed, triaged, transferred, escalated`,
    '',
    'Demo key files (one per client subsystem, with an example call each):',
    ...keyFiles.map((file) => `  ${shown(file)}`),
    '',
  ].join('\n');
  /** runs a story of the demo against this instance; the SMSC is the beneficiaries' phone network */
  function runScenario(name: 'disbursement', smsc: Smsc, progress?: Progress): Promise<DisbursementReport>;
  function runScenario(name: 'grievance', smsc: Smsc, progress?: Progress): Promise<GrievanceReport>;
  function runScenario(name: string, smsc: Smsc, progress?: Progress): Promise<{ lines: string[] }>;
  function runScenario(name: string, smsc: Smsc, progress: Progress = terminalProgress()): Promise<{ lines: string[] }> {
    if (name === 'disbursement') return runDisbursement({ platform, keyFiles, people, smsc, progress, bispRecords, setPaymentIntake: (handler) => (paymentIntake = handler) });
    if (name === 'grievance') return runGrievance({ platform, keyFiles, people, smsc, progress, open311KeyFile, adminTokenFile });
    throw new Error(`no scenario "${name}" (there are: disbursement, grievance)`);
  }
  return {
    banner,
    keyFiles,
    adminTokenFile,
    officerTokenFile,
    people,
    upstreamUrl: upstreams.baseUrl,
    open311KeyFile,
    runScenario,
    stop: async () => {
      for (const w of witnesses) await w.close();
      await upstreams.close();
    },
  };
}
