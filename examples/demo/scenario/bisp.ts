import type { RabtaClient } from '../../../src/sdk/index.js';
import { RabtaProblemError } from '../../../src/sdk/index.js';
import type { Beneficiary } from '../people.js';
import { MAX_BATCH_ROWS } from '../upstreams.js';
import { resubscribe } from './hbl.js';
import type { WebhookEndpoints } from './receiver.js';
import { CREDITED, PURPOSE, WITHDRAWAL_FAILED } from './topics.js';
import type { Credited, WithdrawalFailed } from './topics.js';

export const INTAKE = '/x/PK/BANK/HBL/disbursement/payment-batches/batches';

export interface BatchRow {
  cnic: string;
  amountPkr: number;
  district?: string;
}

export interface IntakeAnswer {
  status: number;
  batchId: string;
  rows: number;
  accepted: number;
  rejected: Array<{ row: number; errors: string[] }>;
}

export interface PaymentRecord {
  state: 'sent-to-bank' | 'credited' | 'withdrawal-failed';
  amountPkr: number;
  withdrawableFrom?: string;
  reason?: string;
}

/**
 * BISP's side: it sends the quarter's payment batch to the bank through the
 * exchange (a statute purpose: the BISP Act), in parts the bank's intake
 * takes, and keeps a record per beneficiary that the bank's webhooks update.
 */
export function bispSystem(client: RabtaClient, records = new Map<string, PaymentRecord>()) {
  const listeners: Array<() => void> = [];
  let webhooks = 0;
  // Who has been credited at all: a later withdrawal failure changes her record, not this count.
  const creditedOnce = new Set<string>();

  async function sendBatch(batchId: string, quarter: string, rows: BatchRow[], onPart?: (sent: number) => void): Promise<IntakeAnswer[]> {
    const answers: IntakeAnswer[] = [];
    for (let i = 0; i < rows.length; i += MAX_BATCH_ROWS) {
      const part = rows.slice(i, i + MAX_BATCH_ROWS);
      const partId = rows.length > MAX_BATCH_ROWS ? `${batchId}-${String(i / MAX_BATCH_ROWS + 1).padStart(4, '0')}` : batchId;
      // Recorded before the call: the bank's webhooks may come back before its answer does.
      const fresh = part.filter((row) => !records.has(row.cnic));
      for (const row of fresh) records.set(row.cnic, { state: 'sent-to-bank', amountPkr: row.amountPkr });
      const response = await sendPart(client, { batchId: partId, quarter, rows: part });
      const answer = { status: response.status, ...response.json<Omit<IntakeAnswer, 'status'>>() };
      answers.push(answer);
      if (response.status !== 202) {
        for (const row of fresh) records.delete(row.cnic);
        return answers;
      }
      onPart?.(i + part.length);
    }
    return answers;
  }

  /** Subscribes BISP's endpoint to both topics; resolves to the subscriptions' ids. */
  async function subscribe(endpoints: WebhookEndpoints): Promise<string[]> {
    const endpoint = endpoints.endpoint('/bisp/webhooks', (envelope) => {
      webhooks++;
      if (envelope.type === CREDITED) {
        const credited = envelope.data as Credited;
        records.set(credited.cnic, { state: 'credited', amountPkr: credited.amountPkr, withdrawableFrom: credited.withdrawableFrom });
        creditedOnce.add(credited.cnic);
      } else if (envelope.type === WITHDRAWAL_FAILED) {
        const failed = envelope.data as WithdrawalFailed;
        const record = records.get(failed.cnic);
        records.set(failed.cnic, { state: 'withdrawal-failed', amountPkr: record?.amountPkr ?? 0, reason: failed.reason });
      }
      for (const listener of listeners) listener();
    });
    const ids: string[] = [];
    for (const topic of [CREDITED, WITHDRAWAL_FAILED]) ids.push(await resubscribe(client, topic, endpoint));
    return ids;
  }

  return {
    sendBatch,
    subscribe,
    records,
    onWebhook: (listener: () => void) => listeners.push(listener),
    get webhooks() {
      return webhooks;
    },
    /** beneficiaries whose credit reached BISP, whatever happened to their record after */
    get creditedOnce() {
      return creditedOnce.size;
    },
    count: (state: PaymentRecord['state']) => [...records.values()].filter((r) => r.state === state).length,
  };
}

/**
 * One part to the bank's intake. A part whose answer was lost (the connection
 * dropped, Rabta could not reach the bank) is sent again: the bank
 * acknowledges a batch id it already took without crediting it twice.
 */
async function sendPart(client: RabtaClient, part: { batchId: string; quarter: string; rows: BatchRow[] }, attempts = 4) {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await client.call({ method: 'POST', path: INTAKE, purpose: PURPOSE, json: part });
      if (response.status < 500 || attempt === attempts) return response;
    } catch (error) {
      const retriable = error instanceof RabtaProblemError ? error.status >= 500 : true;
      if (!retriable || attempt === attempts) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}

/** The quarter's rows for the beneficiaries a bank pays. */
export function batchRows(people: Beneficiary[]): BatchRow[] {
  return people.filter((p) => p.status === 'active').map((p) => ({ cnic: p.cnic, amountPkr: p.quarterlyAmountPkr, district: p.district.district }));
}

export { RabtaProblemError };
