/**
 * notify: messages to citizens (SMS over SMPP, an HTTP gateway, or the
 * console) in Urdu and English, and the messages citizens send back.
 * Every channel is an `SmsChannel`; the platform builds one, wraps it in a
 * `Notifier`, and registers the single inbound handler on it.
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
export { createNotifier } from './notifier.js';
export type { Notifier, NotifierOptions, SendOptions } from './notifier.js';
export { render, templates, templateParams, TEMPLATE_KEYS, LANGUAGES } from './templates.js';
export type { Language, PaymentState, TemplateKey, TemplateParams, Templates } from './templates.js';
export { createSmppChannel } from './smpp-channel.js';
export type { SmppChannel, SmppChannelOptions, SmppChannelState, SmppSource } from './smpp-channel.js';
export { createHttpChannel, signSmsRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './http-channel.js';
export type { FetchLike, HttpChannel, HttpChannelOptions, InboundHeaders } from './http-channel.js';
export { createConsoleChannel } from './console-channel.js';
export type { ConsoleChannel } from './console-channel.js';
export { smsMessenger } from './messenger.js';
export type { CitizenRenderer } from './messenger.js';
export { createSmsChannelFromEnv, smppOptionsFromUrl } from './from-env.js';
export type { FromEnvOptions } from './from-env.js';
export { smsChannelKind, isSmsChannelKind, SMS_CHANNEL_KINDS } from './channel-kind.js';
export type { SmsChannelKind } from './channel-kind.js';
export { measureSms } from './encoding.js';
export { maskPhone, isE164 } from './phone.js';
