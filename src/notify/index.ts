/**
 * notify: the one set of texts Rabta sends citizens (Urdu and English), the
 * channels that carry them (SMS over SMPP, an HTTP gateway, or the console),
 * and how the texts citizens send back are read (digits, Urdu spellings).
 * Every channel is an `SmsChannel`; the platform builds one, wraps it in a
 * `CitizenMessenger`, and registers the single inbound handler on it.
 */
export type {
  DeliveryReceipt,
  DeliveryStatus,
  InboundHandler,
  InboundMessage,
  NotifyLogger,
  OutboundSms,
  ReceiptHandler,
  SendResult,
  SmsChannel,
  SmsEncoding,
} from './types.js';
export { renderCitizenMessage, displayDate, groupAmounts, SECRET_PARAMS, DEFAULT_SMS_SHORT_CODE } from './templates.js';
export type { CitizenTemplate, CitizenTemplateParams } from './templates.js';
export { createSmppChannel } from './smpp-channel.js';
export type { SmppChannel, SmppChannelOptions, SmppChannelState, SmppSource } from './smpp-channel.js';
export { createHttpChannel, signSmsRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './http-channel.js';
export type { FetchLike, HttpChannel, HttpChannelOptions, InboundHeaders } from './http-channel.js';
export { createConsoleChannel } from './console-channel.js';
export type { ConsoleChannel } from './console-channel.js';
export { smsMessenger, memoryMessenger, consoleMessenger } from './messenger.js';
export type { CitizenMessenger, CitizenRenderer, MemoryMessenger, Outgoing, SentMessage } from './messenger.js';
export { smppOptionsFromUrl } from './smpp-url.js';
export { asciiDigits, commandKey, foldMessage, foldUrdu } from './reading.js';
export { smsChannelKind, isSmsChannelKind, SMS_CHANNEL_KINDS } from './channel-kind.js';
export type { SmsChannelKind } from './channel-kind.js';
export { measureSms } from './encoding.js';
export { maskPhone, isE164 } from './phone.js';
