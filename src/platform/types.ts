import type { Analytics } from '../analytics/index.js';
import type { Config } from '../config/index.js';
import type { Cases, CaseRouter, CaseSms } from '../cases/index.js';
import type { AnomalyJob } from './assist.js';
import type { CitizenPortal, Citizens, InboundSms, InboundSmsResult } from '../citizens/index.js';
import type { Consent } from '../consent/index.js';
import type { Jobs, LeafKind, PersonalEvent } from '../core/index.js';
import type { Egress } from '../egress/index.js';
import type { Events, EventsOptions } from '../events/index.js';
import type { SignedCaller, SignedRequestHead } from '../exchange/index.js';
import type { WellKnownKey } from '../http/index.js';
import type { Keyring } from '../keyring/index.js';
import type { Ledger, Receipt } from '../ledger/index.js';
import type { CitizenMessenger, HttpChannel } from '../notify/index.js';
import type { Registry } from '../registry/index.js';
import type { Connection, Store } from '../store/index.js';

export interface VerifiableReceipt extends Receipt {
  logVkey: string;
  witnessVkeys: string[];
}

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
  /** the citizen's side: registry, sign-in, texts and notice settings, the web portal and the SMS line's dispatcher */
  citizens: Citizens & { portal: CitizenPortal; handleInboundSms(sms: InboundSms): Promise<InboundSmsResult> };
  /** topics, publishing, subscriptions and the webhook delivery workers */
  events: Events;
  /** cases and grievances shared by institutions */
  cases: Cases;
  /** the anomaly job: series from the platform's records, one case per new anomaly (hourly, one node at a time) */
  anomalies: AnomalyJob;
  /** rollups, indicators, the collaboration index and open-data releases */
  analytics: Analytics;
  now: () => number;
  /** who signed a request (RFC 9421 with the registry's keys, nonce spent once): the one authenticator of every signed route */
  authenticate: (request: SignedRequestHead) => Promise<SignedCaller>;
  /** the background jobs of every module: their failures are logged with the job's name and counted in /metrics */
  jobs: Jobs;
  /** a ledger receipt as its holder checks it offline: record, salt, tlog-proof, and the log's and witnesses' keys */
  receipt(kind: LeafKind, ref: string): Promise<VerifiableReceipt | undefined>;
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
  events?: EventsOptions & { onPersonalEvents?: (trx: Connection, events: PersonalEvent[]) => Promise<void> };
  /** the cases module's SMS (tests keep them), and the grievance router when there is one */
  cases?: { sms?: CaseSms; router?: CaseRouter; sweepIntervalMs?: number };
}

