/**
 * The one shape every way of reaching a phone takes (SMPP link, HTTP gateway,
 * development console), so the rest of the platform never knows which is in use.
 */

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface OutboundSms {
  /** E.164, e.g. +923001234567 */
  to: string;
  text: string;
  /** the caller's own id for this message, echoed on its delivery receipts */
  reference?: string;
}

export interface SendResult {
  /** one id per part, as the SMS centre or gateway assigned them (may be empty if the gateway gives none) */
  messageIds: string[];
  parts: number;
  encoding: SmsEncoding;
}

export interface InboundMessage {
  /** the sender; E.164 when the network says the number is international, otherwise as reported */
  from: string;
  text: string;
  /** epoch milliseconds at which the (last part of the) message reached Rabta */
  receivedAt: number;
}

export type DeliveryStatus = 'delivered' | 'expired' | 'deleted' | 'undeliverable' | 'accepted' | 'rejected' | 'enroute' | 'unknown';

export interface DeliveryReceipt {
  messageId: string;
  status: DeliveryStatus;
  /** the status word as the SMS centre wrote it (DELIVRD, UNDELIV, …) */
  stat: string;
  /** the network's error code, when it gave one (`err:`) */
  errorCode?: string;
  /** the `reference` given to `send`, when this channel still remembers it */
  reference?: string;
  receivedAt: number;
}

export type InboundHandler = (message: InboundMessage) => Promise<void>;
export type ReceiptHandler = (receipt: DeliveryReceipt) => Promise<void>;

export interface SmsChannel {
  send(message: OutboundSms): Promise<SendResult>;
  /**
   * Registers THE handler for messages citizens send. There is one per
   * channel (a second registration throws) so a command is never acted on twice.
   */
  onInbound(handler: InboundHandler): void;
  onDeliveryReceipt?(handler: ReceiptHandler): void;
  close(): Promise<void>;
}

/** The subset of a pino logger notify uses; callers pass pino, tests may pass a recorder. */
export interface NotifyLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: NotifyLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
