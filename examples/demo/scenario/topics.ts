import { SYSTEM_ACTOR } from '../../../src/core/changes.js';
import { RabtaError } from '../../../src/core/problems.js';
import type { Platform } from '../../../src/platform/index.js';

/** The two events of the disbursement story, both HBL's, both about one beneficiary. */
export const CREDITED = 'PK/BANK/HBL/disbursement/payment.credited';
export const WITHDRAWAL_FAILED = 'PK/BANK/HBL/disbursement/withdrawal.failed';
export const PURPOSE = 'cash-transfer-disbursement';
export const BISP_PAYMENTS = 'PK/GOV/BISP/payments';
export const HBL_DISBURSEMENT = 'PK/BANK/HBL/disbursement';
export const HBL_COMPLAINTS = 'PK/BANK/HBL/complaints';

const CNIC = { type: 'string', pattern: '^\\d{5}-\\d{7}-\\d$' };

export interface Credited {
  cnic: string;
  batchId: string;
  amountPkr: number;
  /** the first day the money can be withdrawn (PKT date) */
  withdrawableFrom: string;
  /** where the beneficiary collects it: the agent area of her district */
  agentArea: string;
  /** the same two, as her Urdu text says them (`30 جولائی`, `کوئٹہ کے ایجنٹ`): no English inside Urdu */
  withdrawableFromUr: string;
  agentAreaUr: string;
}

export interface WithdrawalFailed {
  cnic: string;
  batchId: string;
  at: string;
  agentArea: string;
  reason: string;
  reasonUr: string;
  reasonEn: string;
}

const TOPICS = [
  {
    code: 'payment.credited',
    title: 'A beneficiary’s payment was credited to her account',
    schema: {
      type: 'object',
      required: ['cnic', 'batchId', 'amountPkr', 'withdrawableFrom', 'agentArea', 'withdrawableFromUr', 'agentAreaUr'],
      additionalProperties: false,
      properties: {
        cnic: CNIC,
        batchId: { type: 'string' },
        amountPkr: { type: 'integer', minimum: 1, maximum: 999_999 },
        withdrawableFrom: { type: 'string', format: 'date' },
        agentArea: { type: 'string' },
        withdrawableFromUr: { type: 'string', maxLength: 16 },
        agentAreaUr: { type: 'string', maxLength: 20 },
      },
    },
    rule: {
      ur: 'آپ کی کفالت کی رقم {amountPkr} روپے آ گئی۔ {withdrawableFromUr} سے {agentAreaUr} سے لیں۔',
      en: 'Your Kafaalat payment of Rs {amountPkr} is in your account. Withdraw from {withdrawableFrom} in {agentArea}.',
      status: true,
    },
  },
  {
    code: 'withdrawal.failed',
    title: 'A beneficiary could not withdraw her payment',
    schema: {
      type: 'object',
      required: ['cnic', 'batchId', 'at', 'agentArea', 'reason', 'reasonUr', 'reasonEn'],
      additionalProperties: false,
      properties: { cnic: CNIC, batchId: { type: 'string' }, at: { type: 'string', format: 'date-time' }, agentArea: { type: 'string' }, reason: { type: 'string' }, reasonUr: { type: 'string', maxLength: 32 }, reasonEn: { type: 'string', maxLength: 40 } },
    },
    rule: {
      ur: 'رقم نہیں نکل سکی: {reasonUr}۔ رقم محفوظ ہے، شکایت درج ہو گئی۔',
      en: 'Your withdrawal failed: {reasonEn}. Your money is safe; a complaint has been opened.',
      status: true,
    },
  },
];

/**
 * What HBL's admin declares once, through the platform's own interface: the
 * two topics (personal, subject = cnic, in order per beneficiary), who may
 * subscribe (BISP to both, HBL's complaints desk to failures), and what the
 * beneficiary is told by SMS. Safe to run again.
 */
export async function declareDisbursementTopics(platform: Platform): Promise<void> {
  const events = platform.events;
  for (const topic of TOPICS) {
    const id = `${HBL_DISBURSEMENT}/${topic.code}`;
    try {
      await events.createTopic(SYSTEM_ACTOR, HBL_DISBURSEMENT, { code: topic.code, title: topic.title, schema: topic.schema, personal: true, subjectPath: 'cnic', orderingKeyPath: 'cnic', retentionDays: 90 });
    } catch (error) {
      if (!(error instanceof RabtaError && error.code === 'conflict')) throw error;
    }
    await events.setNoticeRule(SYSTEM_ACTOR, id, topic.rule);
  }
  const grants = [
    { topicId: CREDITED, subscriberId: BISP_PAYMENTS },
    { topicId: WITHDRAWAL_FAILED, subscriberId: BISP_PAYMENTS },
    { topicId: WITHDRAWAL_FAILED, subscriberId: HBL_COMPLAINTS },
  ];
  for (const grant of grants) {
    const existing = await events.listTopicAccess({ topicId: grant.topicId, subscriberId: grant.subscriberId });
    if (existing.length === 0) await events.grantTopicAccess(SYSTEM_ACTOR, { ...grant, purposes: [PURPOSE] });
  }
}
