import { displayDate } from '../../../src/notify/index.js';
import type { RabtaClient } from '../../../src/sdk/index.js';
import type { PaymentBatch } from '../upstreams.js';
import type { WebhookEndpoints } from './receiver.js';
import { CREDITED, PURPOSE, WITHDRAWAL_FAILED } from './topics.js';
import type { Credited, WithdrawalFailed } from './topics.js';

/** Events per publication call: one transaction each at Rabta. */
const PUBLISH_CHUNK = 2_000;

export interface Ticket {
  cnic: string;
  reason: string;
  agentArea: string;
  openedAt: string;
}

/**
 * HBL's side: core banking credits each accepted batch and publishes one
 * `payment.credited` per beneficiary through Rabta (batch publications, each
 * with an Idempotency-Key so a retry never credits twice); a failed
 * withdrawal at an agent is published as `withdrawal.failed`; the complaints
 * desk opens a ticket for each failure it is sent.
 */
/** The demo's districts as an Urdu text names them. */
const DISTRICTS_UR: Record<string, string> = {
  Quetta: 'کوئٹہ',
  Khuzdar: 'خضدار',
  Kech: 'کیچ',
  'Jhal Magsi': 'جھل مگسی',
  Tharparkar: 'تھرپارکر',
  'Karachi West': 'کراچی غربی',
  Rajanpur: 'راجن پور',
  Muzaffargarh: 'مظفر گڑھ',
  Swat: 'سوات',
  'Upper Kohistan': 'اپر کوہستان',
  Islamabad: 'اسلام آباد',
  Lahore: 'لاہور',
};

/** Where she collects the money, in Urdu: her district's HBL Konnect agents (`کوئٹہ کے ایجنٹ`), or the nearest. */
export function agentAreaUr(district: string | undefined): string {
  const name = district === undefined ? undefined : (DISTRICTS_UR[district] ?? Object.entries(DISTRICTS_UR).find(([en]) => district.startsWith(en))?.[1]);
  return name ? `${name} کے ایجنٹ` : 'قریبی ایجنٹ';
}

export function hblSystems(options: { disbursement: RabtaClient; complaints: RabtaClient; agentAreaOf: (district: string | undefined) => string; today: () => string }) {
  const accounts = new Map<string, { batchId: string; amountPkr: number; agentArea: string }>();
  const tickets: Ticket[] = [];
  const listeners: Array<(published: number) => void> = [];
  let publishing: Promise<void> = Promise.resolve();
  let published = 0;
  let failure: unknown;

  /** Takes an accepted batch (the intake answered 202): credits and publishes, one batch after another. */
  function creditBatch(batch: PaymentBatch): void {
    publishing = publishing.then(async () => {
      try {
        const credits: Credited[] = batch.rows.map((row) => {
          const agentArea = options.agentAreaOf(row.district);
          accounts.set(row.cnic, { batchId: batch.batchId, amountPkr: row.amountPkr, agentArea });
          const withdrawableFrom = options.today();
          return { cnic: row.cnic, batchId: batch.batchId, amountPkr: row.amountPkr, withdrawableFrom, agentArea, withdrawableFromUr: displayDate('ur', withdrawableFrom), agentAreaUr: agentAreaUr(row.district) };
        });
        for (let i = 0; i < credits.length; i += PUBLISH_CHUNK) {
          const chunk = credits.slice(i, i + PUBLISH_CHUNK);
          await options.disbursement.publishBatch(CREDITED, chunk, { purpose: PURPOSE, idempotencyKey: `${batch.batchId}:credited:${i}` });
          published += chunk.length;
          for (const listener of listeners) listener(published);
        }
      } catch (error) {
        failure = error;
      }
    });
  }

  async function withdrawalFailed(cnic: string, reason: { code: string; ur: string; en: string }): Promise<string> {
    const account = accounts.get(cnic);
    if (!account) throw new Error('no credit for this CNIC');
    const event: WithdrawalFailed = { cnic, batchId: account.batchId, at: new Date().toISOString(), agentArea: account.agentArea, reason: reason.code, reasonUr: reason.ur, reasonEn: reason.en };
    return (await options.disbursement.publish(WITHDRAWAL_FAILED, event, { purpose: PURPOSE })).id;
  }

  /** The complaints desk subscribes to failures with its own key and endpoint. */
  async function subscribeComplaintsDesk(endpoints: WebhookEndpoints): Promise<string> {
    const endpoint = endpoints.endpoint('/hbl/complaints/webhooks', (envelope) => {
      const failed = envelope.data as WithdrawalFailed;
      tickets.push({ cnic: failed.cnic, reason: failed.reason, agentArea: failed.agentArea, openedAt: new Date().toISOString() });
    });
    return resubscribe(options.complaints, WITHDRAWAL_FAILED, endpoint);
  }

  return {
    creditBatch,
    withdrawalFailed,
    subscribeComplaintsDesk,
    onPublished: (listener: (published: number) => void) => listeners.push(listener),
    /** resolves when every accepted batch is published; rejects with what stopped it */
    async settled() {
      await publishing;
      if (failure) throw failure;
    },
    get published() {
      return published;
    },
    accounts,
    tickets,
  };
}

/** One webhook subscription per topic and subscriber: an earlier run's (with an old port and secret) is ended first. */
export async function resubscribe(client: RabtaClient, topic: string, endpoint: { url: string; useSecret(secret: string): void }): Promise<string> {
  for (const old of await client.subscriptions()) {
    if (old.topic === topic && old.status !== 'deleted') await client.unsubscribe(old.id);
  }
  const subscription = await client.subscribe({ topic, delivery: { kind: 'webhook', url: endpoint.url } });
  endpoint.useSecret(subscription.secret as string);
  return subscription.id;
}
