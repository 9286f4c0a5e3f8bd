/**
 * The Rabta SDK: the RFC 9421 profile (sign, verify), the client institutions
 * call services and publish or take events with, the provider-side check of
 * Rabta's forwarded calls, and the receiver's check of Rabta's webhooks.
 */
export { contentDigest, contentDigestOfHash, createBodyHasher, digestMatches, sha256 } from './digest.js';
export type { BodyHasher } from './digest.js';
export { checkPublicJwk, generateSubsystemKey, keyIdOf, privateKeyFrom, publicJwkOf, publicKeyFromJwk } from './keys.js';
export type { Ed25519PublicJwk, GeneratedKey } from './keys.js';
export { loadKeyFile, parseKeyFile } from './key-file.js';
export type { KeyFile } from './key-file.js';
export {
  CLOCK_SKEW,
  DEFAULT_EXPIRES_IN,
  FORWARD_TAG,
  MAX_WINDOW,
  REQUEST_TAG,
  RESPONSE_COMPONENTS,
  RESPONSE_TAG,
  SIGNATURE_ALG,
  SIGNATURE_LABEL,
  headerValue,
  requestComponents,
  requestHasBody,
  targetUriOf,
} from './profile.js';
export type { HeaderBag, RequestSignature, RequestTag } from './profile.js';
export { signRequest, signResponse } from './sign.js';
export type { SignRequestInput, SignResponseInput, SignatureHeaders } from './sign.js';
export { verifyRequest, verifyResponse } from './verify.js';
export type { KeyResolver, VerifiedSignature, VerifyRequestInput, VerifyResponseInput } from './verify.js';
export { fetchInstanceKeys, instanceKeySource, keyResolverOf, wellKnownUrl } from './instance-keys.js';
export type { KeySourceOptions } from './instance-keys.js';
export { RabtaClient, RabtaProblemError, fromKeyFile } from './client.js';
export type { CallOptions, RabtaClientOptions, RabtaResponse } from './client.js';
export type {
  EventFilter,
  EventSubscription,
  PublishOptions,
  PublishedEvent,
  PublishedEvents,
  PulledEvent,
  PulledPage,
  PullOptions,
  SubscribeInput,
  SubscriptionDelivery,
} from './events-client.js';
export type { ConsentRequest, ConsentRequestInput, ConsentRequestStatus, ListConsentsOptions } from './consent-client.js';
export { WebhookVerificationError, verifyWebhook, webhookListener } from './webhooks.js';
export type { VerifiedWebhook, VerifyWebhookOptions, WebhookEnvelope, WebhookErrorCode, WebhookHeaders, WebhookListenerOptions } from './webhooks.js';
export { verifyForwarded } from './provider.js';
export type { ForwardedRequest, VerifyForwardedInput } from './provider.js';
export { rabtaListener, rabtaProvider } from './provider-http.js';
export type { RabtaProviderOptions, RabtaProviderRequest, VerifiedProviderRequest } from './provider-http.js';
