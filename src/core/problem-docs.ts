import { PROBLEMS, problemType } from './problems.js';
import type { ProblemCode } from './problems.js';

/**
 * What each problem type means to the person who meets it: when Rabta answers
 * with it and what to do next. Typed by the problem table, so a new code
 * without its page does not compile. Served at `GET /problems/<code>`, which
 * is where each type URI `https://rabta.pk/problems/<code>` points.
 */
export const PROBLEM_DOCS: Record<ProblemCode, { when: string; todo: string }> = {
  'bad-request': { when: 'The request does not have the shape the route documents: a missing or extra field, a wrong type, a value out of range. `errors` lists what the schema check found.', todo: 'Correct the request as the OpenAPI document (/openapi.json) describes it and send it again.' },
  'malformed-json': { when: 'The body was sent as application/json but is not valid JSON (or is empty where a body is required).', todo: 'Send a well-formed UTF-8 JSON body.' },
  'unsupported-media-type': { when: 'The body has a content type the route does not take, or JSON in a charset other than UTF-8.', todo: 'Send application/json in UTF-8, or the content type the route documents.' },
  'body-too-large': { when: 'The body is larger than the route or the service allows (the service’s body limit for /x calls).', todo: 'Send less at once: split a batch, or ask the provider to raise the service’s body limit.' },
  'body-incomplete': { when: 'The connection closed before as many bytes as Content-Length announced had arrived.', todo: 'Send the request again; check proxies that may cut long uploads.' },
  'not-found': { when: 'No resource exists at this path, or it is not one you may see (another institution’s subscription looks absent to you).', todo: 'Check the identifier and the path; list the collection to find what exists.' },
  'uri-too-long': { when: 'A path parameter is longer than the router accepts.', todo: 'Use the identifiers Rabta issued; they are short.' },
  'malformed-request': { when: 'The HTTP parser could not read the request (bad framing, bad header syntax); the connection is closed.', todo: 'Fix the client or the proxy in front of it so that it sends valid HTTP/1.1.' },
  'headers-too-large': { when: 'The request head (request line and headers) is larger than the server accepts.', todo: 'Send fewer or shorter headers (cookies and long tokens are the usual cause).' },
  'request-timeout': { when: 'The request head or body did not arrive within the server’s timeouts.', todo: 'Send the whole request promptly; check for a slow or stalled network path.' },
  'method-not-implemented': { when: 'The request method is not one HTTP defines.', todo: 'Use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.' },
  'dot-segment': { when: 'The path holds a `.` or `..` segment, raw or percent-encoded, or would leave the service’s upstream path once parsed.', todo: 'Send the path in its normal form, without dot segments.' },
  conflict: { when: 'The resource already exists, or is in a state that does not allow this change.', todo: 'Read the resource’s current state, then decide whether to change it or use another identifier.' },
  unauthorized: { when: 'The call needs credentials and has none that hold: a missing, unknown or revoked API token, session or metrics token, or no valid signature.', todo: 'Send Authorization: Bearer with a valid token (rabta init creates one), or sign the request with an approved key.' },
  forbidden: { when: 'The credentials are valid but do not allow this: another member’s resource, or a role without the right.', todo: 'Use the account of the institution concerned, or ask the authority for the role.' },
  'rate-limited': { when: 'Too many requests from this address or account in a short time (sign-in and SMS are limited hardest). Retry-After says when to try again.', todo: 'Wait as long as Retry-After says, then try again.' },
  'otp-invalid': { when: 'The one-time sign-in code is wrong, expired or already used.', todo: 'Ask for a new code and enter it within its validity.' },
  'missing-header': { when: 'A header the call requires is absent: Rabta-Client, Signature, Signature-Input, or Content-Digest on a body. `header` names it.', todo: 'Send the header; the SDK (RabtaClient) sets them all.' },
  'malformed-signature': { when: 'Signature or Signature-Input is not a valid RFC 8941 dictionary, or lacks the signature label the profile uses.', todo: 'Sign with the RFC 9421 profile of /.well-known/rabta.json (the SDK does).' },
  'unknown-client': { when: 'No subsystem with the id in Rabta-Client is registered on this instance.', todo: 'Check Rabta-Client (instance/class/member/subsystem); ask your member admin to register the subsystem.' },
  'unknown-key': { when: 'The signature’s keyid is not a key registered on this instance (for the SDK: not an exchange key in /.well-known/rabta.json).', todo: 'Register the key (rabta key add) and have it approved, or refresh the instance keys.' },
  'key-not-of-client': { when: 'The keyid is registered, but to another subsystem than the one in Rabta-Client.', todo: 'Sign with a key of the subsystem you name, or name the subsystem the key belongs to.' },
  'key-revoked': { when: 'The signing key was revoked.', todo: 'Sign with another approved key of the subsystem; register and approve a new one if there is none.' },
  'key-expired': { when: 'The signing key is outside its validity (not yet valid, or past its end).', todo: 'Sign with a key valid now; rotate keys with an overlap so one always is.' },
  'key-not-approved': { when: 'The signing key is registered but the authority has not approved it yet.', todo: 'Ask the authority to approve the key (rabta key approve).' },
  'bad-signature': { when: 'The signature does not verify over the signature base: the method, target URI (from the instance’s public URL), a covered header or the body’s digest differ from what was signed.', todo: 'Sign exactly what is sent, with the target URI Rabta is reached at; do not change covered headers after signing.' },
  'signature-expired': { when: 'The signature’s `expires` has passed.', todo: 'Sign each request afresh just before sending it.' },
  'signature-not-yet-valid': { when: 'The signature’s `created` is more than 60 seconds ahead of Rabta’s clock.', todo: 'Synchronise the client’s clock (NTP).' },
  'signature-window-too-long': { when: '`expires − created` is more than 300 seconds.', todo: 'Sign with a window of at most 300 seconds.' },
  'signature-wrong-tag': { when: 'The signature’s tag is not the one this context takes (rabta-request for calls to Rabta, rabta-forward and rabta-response from Rabta).', todo: 'Sign calls to Rabta with tag "rabta-request".' },
  'signature-algorithm-unsupported': { when: 'The signature’s `alg` is not ed25519.', todo: 'Sign with an Ed25519 key and alg="ed25519".' },
  'signature-coverage': { when: 'The signature does not cover exactly the components the profile requires (@method, @target-uri, rabta-client; content-digest when there is a body; rabta-purpose and rabta-subject when sent).', todo: 'Cover exactly those components (the SDK does).' },
  'nonce-replayed': { when: 'The signature’s nonce was already used: the same signed request arrived twice.', todo: 'Sign every request, retries included, with a fresh nonce.' },
  'digest-mismatch': { when: 'Content-Digest does not match the body that arrived.', todo: 'Compute Content-Digest (sha-256) over the exact bytes sent, after any serialisation.' },
  'unknown-service': { when: 'No service with this id is registered.', todo: 'Check the service id in the /x path (instance/class/member/subsystem/service).' },
  'service-disabled': { when: 'The provider has disabled the service for now.', todo: 'Try again later, or ask the provider when it returns.' },
  'no-access-right': { when: 'The provider has granted your subsystem no access right to this service (or topic).', todo: 'Ask the provider for an access right (rabta access grant on its side).' },
  'purpose-not-allowed': { when: 'Your access right does not list the purpose in Rabta-Purpose. `allowed` lists those it does.', todo: 'Call for one of the allowed purposes, or ask the provider to add the purpose to the access right.' },
  'unknown-purpose': { when: 'Rabta-Purpose names a purpose that is not in the instance’s catalogue.', todo: 'Use a purpose code from the catalogue (rabta purpose list).' },
  'purpose-required': { when: 'The service or topic is personal and the call says no Rabta-Purpose.', todo: 'Send Rabta-Purpose with the purpose of the call.' },
  'subject-missing': { when: 'A personal service needs its data subject and there is none: no Rabta-Subject header, or no subject at the field path of a batch.', todo: 'Send the citizen’s CNIC in Rabta-Subject, or in the field the service names.' },
  'subject-malformed': { when: 'The subject is not a valid CNIC (NNNNN-NNNNNNN-N, 13 digits).', todo: 'Send the CNIC in the form NNNNN-NNNNNNN-N.' },
  'consent-required': { when: 'The purpose rests on the citizen’s consent and this instance has no consent check for it.', todo: 'Use a purpose with a statutory basis, or ask the authority to enable consent for it.' },
  'consent-missing': { when: 'No active consent of the citizen covers this client, provider, service, purpose and time.', todo: 'Ask the citizen for consent (POST /consents) and call again once it is ACTIVE.' },
  'consent-revoked': { when: 'The citizen revoked the consent that covered this call.', todo: 'Stop calling for this citizen; ask again for consent only if there is a new reason.' },
  'consent-expired': { when: 'The consent that covered this call has expired.', todo: 'Ask the citizen for a new consent.' },
  'consent-purpose-not-covered': { when: 'The citizen’s consent exists but for another purpose than this call’s.', todo: 'Call for the purpose consented to, or ask for consent for this purpose.' },
  'consent-frequency-exceeded': { when: 'The consent’s frequency limit (so many uses per day or month) is used up.', todo: 'Wait until the next day or month (Pakistan time), or ask for a consent with a higher limit.' },
  'quota-exceeded': { when: 'The provider’s per-minute quota for your subsystem on this service is used up. Retry-After says when.', todo: 'Wait as Retry-After says; ask the provider for a higher quota if you need one.' },
  'unknown-topic': { when: 'No topic with this id exists.', todo: 'Check the topic id (instance/class/member/subsystem/topic); list topics to find it.' },
  'not-topic-publisher': { when: 'Only the topic’s own subsystem publishes to it, and another subsystem signed this publication.', todo: 'Publish with the topic’s subsystem and its key.' },
  'no-topic-access': { when: 'Your subsystem has no access right to this topic.', todo: 'Ask the topic’s owner for an access right.' },
  'event-invalid': { when: 'The event does not satisfy the topic’s JSON Schema. `errors` (or `rows` for a batch) says why.', todo: 'Correct the event as the topic’s schema says and publish it again.' },
  'event-too-deep': { when: 'The event is nested more deeply than Rabta accepts.', todo: 'Flatten the event.' },
  'schema-refused': { when: 'The topic schema is outside what Rabta accepts: too large, too deep, a remote $ref, or a pattern Rabta cannot run in linear time.', todo: 'Simplify the schema; use only local $refs and simple patterns.' },
  'idempotency-key-reused': { when: 'The Idempotency-Key was already used for a publication with a different body.', todo: 'Use a new key for a new event; resend the same body to repeat the same one.' },
  'webhook-url-refused': { when: 'The webhook URL resolves to an address the instance’s egress policy does not reach (private, loopback, link-local …). `classes` says which.', todo: 'Use a public HTTPS URL, or ask the operator to allow that address class.' },
  'unknown-category': { when: 'The case category is not in the catalogue.', todo: 'Use a category code from the catalogue (GET /admin/case-categories), or leave it empty for triage.' },
  'description-too-long': { when: 'The case description is longer than 4,000 characters.', todo: 'Shorten it; add detail later as a note on the case.' },
  'case-reference-invalid': { when: 'The case reference’s check digit does not match: it was mistyped.', todo: 'Check the reference as it appears in the SMS or on the receipt.' },
  'unknown-case': { when: 'No case with this reference or id exists.', todo: 'Check the reference.' },
  'case-not-yours': { when: 'The case belongs to another citizen or institution than the one asking.', todo: 'Sign in as the citizen concerned, or act through the case’s lead or partner institution.' },
  'case-state': { when: 'The case is not in a state that allows this step (already closed, not yet resolved, …).', todo: 'Read the case’s state and take the step it allows.' },
  'unknown-district': { when: 'The district code is not a census district.', todo: 'Use a district code from the census list (e.g. PB-17 for Lahore).' },
  'invalid-api-key': { when: 'The Open311 api_key is missing or is not a valid intake key.', todo: 'Ask the authority for an intake key and send it as api_key.' },
  'egress-refused': { when: 'The service’s upstream address is not allowed by the instance’s egress policy.', todo: 'The provider registers a reachable upstream URL, or the operator allows its address class.' },
  'upstream-timeout': { when: 'The provider’s upstream did not answer within the timeout.', todo: 'Try again later; the provider should look at its upstream’s latency.' },
  'upstream-unreachable': { when: 'The provider’s upstream could not be reached (refused, reset, DNS).', todo: 'Try again later; the provider should check its upstream is up.' },
  'circuit-open': { when: 'The upstream failed repeatedly; Rabta pauses calls to it for a while. Retry-After says how long.', todo: 'Wait as Retry-After says, then try again.' },
  unavailable: { when: 'Rabta cannot serve the call now: the database does not answer, a receipt is not in the log yet, or a key is not in force.', todo: 'Try again shortly; nothing was acknowledged.' },
  internal: { when: 'Something failed inside Rabta. The operator’s log has the details under the request id.', todo: 'Try again; if it persists, tell the operator the time and the Rabta-Exchange-Id or request path.' },
};

export interface ProblemPage {
  code: ProblemCode;
  type: string;
  title: string;
  status: number;
  when: string;
  todo: string;
}

export function problemPage(code: ProblemCode): ProblemPage {
  return { code, type: problemType(code), title: PROBLEMS[code].title, status: PROBLEMS[code].status, ...PROBLEM_DOCS[code] };
}

export function problemPages(): ProblemPage[] {
  return (Object.keys(PROBLEMS) as ProblemCode[]).map(problemPage);
}
