import { RabtaError } from '../core/index.js';
import { backoffDelay } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { decodeText, encodeSms, ESM_CLASS_UDHI, parseUserData } from './encoding.js';
import type { Concatenation, DefaultAlphabet, EncodedSms } from './encoding.js';
import { assertE164, maskPhone } from './phone.js';
import { normalizeMessageId, parseReceiptText, statusOfMessageState, statusOfStat } from './receipt.js';
import { Reassembler } from './reassembly.js';
import type { PendingMessage } from './reassembly.js';
import { LinkError, SmppLink } from './smpp-link.js';
import { messageBody, NPI, STATUS, statusName, TLV, tlvNumber, tlvString, TON } from './smpp-wire.js';
import type { MessagePdu } from './smpp-wire.js';
import { silentLogger } from './types.js';
import type { DeliveryReceipt, InboundHandler, NotifyLogger, OutboundSms, ReceiptHandler, SendResult, SmsChannel } from './types.js';

/**
 * SMS over SMPP 3.4, bound as a transceiver to the operator's (or an
 * aggregator's) SMSC: submit_sm out, deliver_sm in (citizens' messages and
 * delivery receipts), one link kept up for as long as the channel lives.
 *
 * GSM-7 goes with data_coding 0 as unpacked septets, one per octet (see
 * encoding.ts); UCS-2 with data_coding 8. Concatenated parts carry the UDH
 * with esm_class 0x40.
 */

export interface SmppSource {
  address: string;
  ton: number;
  npi: number;
}

export interface SmppChannelOptions {
  host: string;
  port: number;
  tls?: boolean;
  systemId: string;
  password: string;
  systemType?: string;
  /** the sender citizens see: an alphanumeric name (`RABTA`), a short code (`8171`) or a full address */
  source: string | SmppSource;
  /** ask for delivery receipts (registered_delivery 1); default true */
  deliveryReceipts?: boolean;
  /** enquire_link period; default 30 s */
  enquireLinkMs?: number;
  /** how long any request (bind, submit_sm, enquire_link) may wait for its response; default 10 s */
  responseTimeoutMs?: number;
  /** how long a TCP (or TLS) connection may take; default 10 s */
  connectTimeoutMs?: number;
  /**
   * How long a send may wait for the link to come (back) up, for a free
   * window slot and for throttling to pass; then it fails. Default 15 s.
   */
  sendTimeoutMs?: number;
  /** reconnect back-off; defaults 0.5 s doubling to 30 s, half of each delay random */
  reconnect?: BackoffOptions;
  /** submit_sm requests outstanding at once (SMSCs limit this); default 10 */
  window?: number;
  /** refuse texts that need more parts than this (each part is billed); default 10 */
  maxParts?: number;
  /** how long the parts of an inbound message may take to arrive; default 5 min */
  reassemblyTimeoutMs?: number;
  /** what the SMSC means by data_coding 0 on messages it delivers; default gsm7 */
  inboundDefaultAlphabet?: DefaultAlphabet;
  logger?: NotifyLogger;
  now?: () => number;
  random?: () => number;
}

export type SmppChannelState = 'connecting' | 'bound' | 'closed';

export interface SmppChannel extends SmsChannel {
  onDeliveryReceipt(handler: ReceiptHandler): void;
  /** Resolves once the link is bound, or fails after `timeoutMs` (default: the send timeout). */
  ready(timeoutMs?: number): Promise<void>;
  readonly state: SmppChannelState;
}

/** Letters make an alphanumeric sender, a leading + an international number; other digits go as the SMSC's own (short code). */
export function sourceAddress(source: string | SmppSource): SmppSource {
  if (typeof source !== 'string') return source;
  if (/[^\d+]/.test(source)) return { address: source, ton: TON.alphanumeric, npi: NPI.unknown };
  if (source.startsWith('+')) return { address: source.slice(1), ton: TON.international, npi: NPI.isdn };
  return { address: source, ton: TON.unknown, npi: NPI.unknown };
}

/** The sender of an inbound message in E.164 when the network says it is international. */
function senderOf(pdu: MessagePdu): string {
  return pdu.sourceTon === TON.international && /^\d+$/.test(pdu.source) ? `+${pdu.source}` : pdu.source;
}

/** Concatenation from the UDH, or from the SAR optional parameters some SMSCs use instead. */
function concatenationOf(pdu: MessagePdu): { concat?: Concatenation; body: Buffer } {
  const body = messageBody(pdu);
  if (pdu.esmClass & ESM_CLASS_UDHI) return parseUserData(body);
  const reference = tlvNumber(pdu, TLV.sar_msg_ref_num);
  const total = tlvNumber(pdu, TLV.sar_total_segments);
  const sequence = tlvNumber(pdu, TLV.sar_segment_seqnum);
  if (reference !== undefined && total !== undefined && sequence !== undefined && sequence >= 1 && sequence <= total) {
    return { concat: { reference, total, sequence }, body };
  }
  return { body };
}

const MESSAGE_TYPE_MASK = 0x3c;
const MESSAGE_TYPE_RECEIPT = 0x04;
const REMEMBERED_REFERENCES = 10_000;
const THROTTLED = new Set<number>([STATUS.ESME_RTHROTTLED, STATUS.ESME_RMSGQFUL]);

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** The link's settings, with their defaults. */
function linkOptionsOf(options: SmppChannelOptions) {
  return {
    host: options.host,
    port: options.port,
    tls: options.tls ?? false,
    systemId: options.systemId,
    password: options.password,
    systemType: options.systemType ?? '',
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    responseTimeoutMs: options.responseTimeoutMs ?? 10_000,
    enquireLinkMs: options.enquireLinkMs ?? 30_000,
  };
}

/** Ends every waiter: resolved, or rejected with `error`. */
function settle(waiters: Set<Waiter>, error?: Error): void {
  for (const waiter of waiters) {
    clearTimeout(waiter.timer);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
  waiters.clear();
}

/** Waits until settled, or rejects with `onTimeout()` after `delayMs`. */
function wait(waiters: Set<Waiter>, delayMs: number, onTimeout: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const waiter: Waiter = {
      resolve,
      reject,
      timer: setTimeout(() => {
        waiters.delete(waiter);
        reject(onTimeout());
      }, Math.max(0, delayMs)),
    };
    waiters.add(waiter);
  });
}

/** A submit_sm of one part to an E.164 number. */
function submitFields(source: SmppSource, encoded: EncodedSms, to: string, index: number, deliveryReceipts: boolean) {
  return {
    source_addr_ton: source.ton,
    source_addr_npi: source.npi,
    source_addr: source.address,
    dest_addr_ton: TON.international,
    dest_addr_npi: NPI.isdn,
    destination_addr: to.slice(1),
    esm_class: encoded.esmClass,
    registered_delivery: deliveryReceipts ? 1 : 0,
    data_coding: encoded.dataCoding,
    short_message: encoded.parts[index],
  };
}

/** What a delivery receipt says, from its TLVs or its text; undefined without a message id. */
function receiptOf(pdu: MessagePdu, receivedAt: number, alphabet: DefaultAlphabet): DeliveryReceipt | undefined {
  const parsed = parseReceiptText(decodeText(messageBody(pdu), pdu.dataCoding, alphabet) ?? messageBody(pdu).toString('latin1'));
  const messageId = tlvString(pdu, TLV.receipted_message_id) ?? parsed.messageId;
  const messageState = tlvNumber(pdu, TLV.message_state);
  if (!messageId) return undefined;
  const stat = parsed.stat ?? (messageState === undefined ? 'UNKNOWN' : `STATE_${messageState}`);
  const receipt: DeliveryReceipt = {
    messageId,
    status: parsed.stat ? statusOfStat(parsed.stat) : messageState === undefined ? 'unknown' : statusOfMessageState(messageState),
    stat,
    receivedAt,
  };
  if (parsed.errorCode !== undefined) receipt.errorCode = parsed.errorCode;
  return receipt;
}

/**
 * The receiving side of a link: messages (reassembled from their parts) go to
 * the inbound handler, delivery receipts to the receipt handler, matched to
 * the reference their message was sent with.
 */
function smppInbound(deps: {
  logger: NotifyLogger;
  now: () => number;
  alphabet: DefaultAlphabet;
  reassemblyTimeoutMs: number;
  references: ReadonlyMap<string, string>;
  inboundHandler: () => InboundHandler | undefined;
  receiptHandler: () => ReceiptHandler | undefined;
}) {
  const { logger, now, alphabet, references } = deps;
  const reassembler = new Reassembler<{ from: string; dataCoding: number }>({
    timeoutMs: deps.reassemblyTimeoutMs,
    maxPending: 1000,
    onIncomplete: (message) => void deliverIncomplete(message),
  });


  async function onDeliver(pdu: MessagePdu): Promise<number> {
    const receivedAt = now();
    const type = pdu.esmClass & MESSAGE_TYPE_MASK;
    if (type === MESSAGE_TYPE_RECEIPT) {
      await onReceipt(pdu, receivedAt);
      return STATUS.ESME_ROK;
    }
    if (type !== 0) return STATUS.ESME_ROK; // SME acknowledgements and the like: nothing to act on
    if (!deps.inboundHandler()) {
      // Not ready to act on it: the SMSC keeps the message and tries again later.
      logger.warn({ from: maskPhone(senderOf(pdu)) }, 'SMS received before an inbound handler was registered; SMSC asked to retry');
      return STATUS.ESME_RX_T_APPN;
    }
    const from = senderOf(pdu);
    const { concat, body } = concatenationOf(pdu);
    if (!concat || concat.total === 1) {
      return (await deliver(from, [body], pdu.dataCoding, receivedAt)) ? STATUS.ESME_ROK : STATUS.ESME_RX_T_APPN;
    }
    const key = Reassembler.keyOf(from, concat);
    const bodies = reassembler.add(key, concat, body, { from, dataCoding: pdu.dataCoding });
    if (!bodies) return STATUS.ESME_ROK;
    const delivered = await deliver(from, bodies, pdu.dataCoding, receivedAt);
    if (!delivered) return STATUS.ESME_RX_T_APPN;
    reassembler.done(key);
    return STATUS.ESME_ROK;
  }

  /** Hands a message to the inbound handler; false if the handler failed (the SMSC will retry). */
  async function deliver(from: string, bodies: Buffer[], dataCoding: number, receivedAt: number): Promise<boolean> {
    const text = decodeText(Buffer.concat(bodies), dataCoding, alphabet);
    if (text === undefined) {
      logger.warn({ from: maskPhone(from), dataCoding }, 'SMS received in a coding that carries no text; dropped');
      return true;
    }
    const handler = deps.inboundHandler();
    if (!handler) return false;
    logger.info({ from: maskPhone(from), parts: bodies.length, dataCoding }, 'SMS received');
    try {
      await handler({ from, text, receivedAt });
      return true;
    } catch (error) {
      logger.error({ from: maskPhone(from), error: (error as Error).message }, 'inbound SMS handler failed; SMSC asked to retry');
      return false;
    }
  }

  async function deliverIncomplete(message: PendingMessage<{ from: string; dataCoding: number }>): Promise<void> {
    const sequences = [...message.parts.keys()].sort((a, b) => a - b);
    logger.warn({ from: maskPhone(message.meta.from), arrived: sequences.length, total: message.total }, 'SMS parts missing after the reassembly timeout; delivering what arrived');
    await deliver(
      message.meta.from,
      sequences.map((s) => message.parts.get(s) as Buffer),
      message.meta.dataCoding,
      now(),
    );
  }

  async function onReceipt(pdu: MessagePdu, receivedAt: number): Promise<void> {
    const receipt = receiptOf(pdu, receivedAt, alphabet);
    if (!receipt) {
      logger.warn({}, 'delivery receipt without a message id; ignored');
      return;
    }
    const messageId = receipt.messageId;
    const reference = references.get(normalizeMessageId(messageId));
    if (reference !== undefined) receipt.reference = reference;
    logger.debug({ messageId, status: receipt.status }, 'delivery receipt');
    const receiptHandler = deps.receiptHandler();
    if (!receiptHandler) return;
    try {
      await receiptHandler(receipt);
    } catch (error) {
      logger.error({ messageId, error: (error as Error).message }, 'delivery receipt handler failed');
    }
  }

  return { onDeliver, clear: () => reassembler.clear() };
}

export function createSmppChannel(options: SmppChannelOptions): SmppChannel {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const source = sourceAddress(options.source);
  const sendTimeoutMs = options.sendTimeoutMs ?? 15_000;
  const windowSize = Math.max(1, options.window ?? 10);
  const alphabet = options.inboundDefaultAlphabet ?? 'gsm7';
  const linkOptions = linkOptionsOf(options);

  let link: SmppLink | undefined;
  let state: SmppChannelState = 'connecting';
  let attempt = 0;
  let lastError: Error | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let opening: AbortController | undefined;
  let concatReference = Math.floor(random() * 256);
  let inFlight = 0;
  let inboundHandler: InboundHandler | undefined;
  let receiptHandler: ReceiptHandler | undefined;
  const linkWaiters = new Set<Waiter>();
  const windowWaiters = new Set<Waiter>();
  const references = new Map<string, string>();

  const inbound = smppInbound({
    logger,
    now,
    alphabet,
    reassemblyTimeoutMs: options.reassemblyTimeoutMs ?? 5 * 60_000,
    references,
    inboundHandler: () => inboundHandler,
    receiptHandler: () => receiptHandler,
  });

  // ── the link: kept up until close(), re-established with back-off ──

  function connect(): void {
    retryTimer = undefined;
    if (state === 'closed') return;
    opening = new AbortController();
    SmppLink.open(linkOptions, { onDeliver: inbound.onDeliver, onDown }, opening.signal).then(
      (opened) => {
        opening = undefined;
        if (state === 'closed') {
          void opened.close();
          return;
        }
        link = opened;
        state = 'bound';
        attempt = 0;
        lastError = undefined;
        logger.info({ smsc: `${options.host}:${options.port}` }, 'SMPP link bound');
        settle(linkWaiters);
      },
      (error: Error) => {
        opening = undefined;
        lastError = error;
        if (state === 'closed') return;
        logger.warn({ smsc: `${options.host}:${options.port}`, attempt, error: error.message }, 'SMPP link not established');
        scheduleReconnect();
      },
    );
  }

  function onDown(error: Error): void {
    link = undefined;
    lastError = error;
    if (state === 'closed') return;
    state = 'connecting';
    logger.warn({ smsc: `${options.host}:${options.port}`, error: error.message }, 'SMPP link down; reconnecting');
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (state === 'closed') return;
    const delay = backoffDelay(attempt++, options.reconnect, random);
    retryTimer = setTimeout(connect, delay);
    retryTimer.unref();
  }

  function closedError(): RabtaError {
    return new RabtaError('unavailable', 'The SMPP channel is closed; the message was not sent');
  }

  async function boundLink(deadline: number, waitMs: number, consequence = '; the message was not sent'): Promise<SmppLink> {
    while (true) {
      if (state === 'closed') throw closedError();
      if (link?.bound) return link;
      await wait(linkWaiters, deadline - now(), () => {
        const reason = lastError ? ` (last error: ${lastError.message})` : '';
        return new RabtaError('unavailable', `The SMS centre could not be reached within ${waitMs} ms${reason}${consequence}`);
      });
    }
  }

  async function acquireWindow(deadline: number): Promise<void> {
    while (inFlight >= windowSize) {
      await wait(windowWaiters, deadline - now(), () => new RabtaError('unavailable', `The SMS centre's window stayed full for ${sendTimeoutMs} ms; the message was not sent`));
    }
    inFlight++;
  }

  function releaseWindow(): void {
    inFlight--;
    const next = windowWaiters.values().next().value;
    if (next) {
      windowWaiters.delete(next);
      clearTimeout(next.timer);
      next.resolve();
    }
  }

  // ── sending ──

  function encode(text: string): EncodedSms {
    concatReference = (concatReference + 1) % 256;
    try {
      return encodeSms(text, { reference: concatReference, maxParts: options.maxParts ?? 10 });
    } catch (error) {
      throw new RabtaError('bad-request', (error as Error).message);
    }
  }

  function remember(messageId: string, reference: string): void {
    references.set(normalizeMessageId(messageId), reference);
    if (references.size > REMEMBERED_REFERENCES) references.delete(references.keys().next().value as string);
  }

  async function submitPart(encoded: EncodedSms, to: string, index: number, deadline: number): Promise<string> {
    const label = `part ${index + 1}/${encoded.parts.length}`;
    const fields = submitFields(source, encoded, to, index, options.deliveryReceipts !== false);
    while (true) {
      const current = await boundLink(deadline, sendTimeoutMs, index === 0 ? undefined : `; only ${index} of ${encoded.parts.length} parts were sent`);
      await acquireWindow(deadline);
      let response;
      try {
        response = await current.request('submit_sm', fields);
      } catch (error) {
        if (error instanceof LinkError && error.kind === 'timeout') {
          throw new RabtaError('upstream-timeout', `The SMS centre did not acknowledge ${label}; it may or may not be delivered`, { cause: error });
        }
        throw new RabtaError('unavailable', `The link to the SMS centre dropped while sending ${label}; it may or may not be delivered`, { cause: error });
      } finally {
        releaseWindow();
      }
      const status = response.command_status;
      if (status === STATUS.ESME_ROK) return String(response.message_id ?? '');
      if (THROTTLED.has(status) && now() + 1000 < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      throw new RabtaError('upstream-unreachable', `The SMS centre refused ${label}: ${statusName(status)}`, { extensions: { smppStatus: status } });
    }
  }

  async function send(message: OutboundSms): Promise<SendResult> {
    assertE164(message.to);
    if (state === 'closed') throw closedError();
    const encoded = encode(message.text);
    const deadline = now() + sendTimeoutMs;
    const messageIds: string[] = [];
    // Parts go one after another: most SMSCs and phones cope with any order, but not all.
    for (let index = 0; index < encoded.parts.length; index++) {
      const messageId = await submitPart(encoded, message.to, index, deadline);
      messageIds.push(messageId);
      if (message.reference !== undefined && messageId) remember(messageId, message.reference);
    }
    return { messageIds, parts: encoded.parts.length, encoding: encoded.encoding };
  }

  connect();

  return {
    get state() {
      return state;
    },
    send,
    onInbound(handler) {
      if (inboundHandler) throw new Error('This SMS channel already has its inbound handler');
      inboundHandler = handler;
    },
    onDeliveryReceipt(handler) {
      if (receiptHandler) throw new Error('This SMS channel already has its delivery receipt handler');
      receiptHandler = handler;
    },
    async ready(timeoutMs = sendTimeoutMs) {
      await boundLink(now() + timeoutMs, timeoutMs, '');
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      if (retryTimer) clearTimeout(retryTimer);
      opening?.abort();
      settle(linkWaiters, closedError());
      settle(windowWaiters, closedError());
      inbound.clear();
      const current = link;
      link = undefined;
      await current?.close();
    },
  };
}
