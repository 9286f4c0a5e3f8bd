import { createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { normalizeCnic, subjectHash, RabtaError } from '../core/index.js';
import { findCitizen } from './citizens.js';
import { asciiDigits } from '../notify/index.js';
import type { CitizensDeps } from './deps.js';
import { dispatch, queueMessage } from './notifications.js';
import type { CitizenSecrets } from './secrets.js';
import { issueSession } from './session.js';
import type { Throttle } from './throttle.js';

/** How far back sign-in looks for codes; older ones cannot be live. */
const LOOKBACK_MS = 60 * 60_000;

/**
 * Sends a sign-in code to the phone registered for a CNIC. The answer and the
 * work are the same whether or not the CNIC is registered (an unknown CNIC
 * gets a code row that no code matches, and no SMS), so the endpoint cannot
 * be used to find out who is registered. Throttled per client address and per
 * CNIC (a 429 with Retry-After, the same for known and unknown CNICs) and per
 * phone (silently: the code is not sent, so a household's number cannot be
 * probed). Earlier codes stay valid: asking again never locks anyone out.
 */
export async function requestOtp(deps: CitizensDeps, secrets: CitizenSecrets, throttle: Throttle, input: { cnic: string; address: string }): Promise<void> {
  const digits = normalizeCnic(input.cnic);
  if (!digits) throw new RabtaError('subject-malformed', 'cnic must be a CNIC, NNNNN-NNNNNNN-N');
  const hash = subjectHash(deps.keyring.subjectSecret, digits);
  const { limits } = deps;
  const byAddress = await throttle.hit('otp-address', input.address, limits.otpPerAddress);
  if (byAddress !== undefined) throw rateLimited(byAddress, 'too many sign-in codes were asked from this address');
  const byCnic = await throttle.hit('otp-cnic', hash, limits.otpPerCnic);
  if (byCnic !== undefined) throw rateLimited(byCnic, 'too many sign-in codes were asked for this CNIC; the codes already sent still work');
  const citizen = await findCitizen(deps.db, hash);
  const byMobile = await throttle.hit('otp-mobile', citizen?.mobile ?? `unregistered:${hash}`, limits.otpPerMobile);
  const now = deps.now();
  const id = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const codeHash = hashCode(secrets, id, citizen ? code : randomBytes(16).toString('hex'));
  const outgoing = await deps.db.transaction().execute(async (trx) => {
    await trx.insertInto('citizen_otps').values({ id, subject_hash: hash, code_hash: codeHash, created_at: now, expires_at: now + limits.otpTtlMs, attempts: 0, used_at: null }).execute();
    if (!citizen || byMobile !== undefined) return undefined;
    return queueMessage(trx, now, {
      subjectHash: hash,
      mobile: citizen.mobile,
      language: citizen.language,
      template: 'otp',
      params: { code, minutes: String(Math.round(limits.otpTtlMs / 60_000)) },
    });
  });
  // Not awaited: how long the gateway takes must not tell a registered CNIC from an unknown one.
  if (outgoing) void dispatch(deps, [outgoing]);
}

/**
 * Exchanges a code for a citizen session. Each try first takes one attempt of
 * every live code (atomically, so parallel guesses cannot exceed the limit)
 * and only then compares; a match is spent at once. Wrong guesses only use up
 * codes — there is no lock on the CNIC, and a new code can always be asked for.
 * Every failure gets one answer (`otp-invalid`): whether a CNIC has a recent,
 * expired or used-up code is not for the caller to learn. Attempts are
 * throttled per client address and per CNIC, as sending codes is.
 */
export async function signIn(deps: CitizensDeps, secrets: CitizenSecrets, throttle: Throttle, input: { cnic: string; code: string; address: string }): Promise<{ token: string; expiresAt: number; cnic: string }> {
  const digits = normalizeCnic(input.cnic);
  if (!digits) throw new RabtaError('subject-malformed', 'cnic must be a CNIC, NNNNN-NNNNNNN-N');
  const hash = subjectHash(deps.keyring.subjectSecret, digits);
  const byAddress = await throttle.hit('sign-in-address', input.address, deps.limits.signInPerAddress);
  if (byAddress !== undefined) throw rateLimited(byAddress, 'too many sign-in attempts from this address');
  const byCnic = await throttle.hit('sign-in-cnic', hash, deps.limits.signInPerCnic);
  if (byCnic !== undefined) throw rateLimited(byCnic, 'too many sign-in attempts for this CNIC; wait, then ask for a new code');
  const code = asciiDigits(input.code.trim());
  const now = deps.now();
  const max = deps.limits.otpAttempts;
  const recent = await deps.db
    .selectFrom('citizen_otps')
    .selectAll()
    .where('subject_hash', '=', hash)
    .where('created_at', '>', now - LOOKBACK_MS)
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute();
  const live = recent.filter((r) => r.used_at === null && r.expires_at > now && r.attempts < max);
  const wellFormed = /^\d{6}$/.test(code);
  for (const row of live) {
    const reserved = await deps.db
      .updateTable('citizen_otps')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .where('attempts', '<', max)
      .executeTakeFirst();
    if (Number(reserved.numUpdatedRows) !== 1 || !wellFormed) continue;
    if (!timingSafeEqual(Buffer.from(hashCode(secrets, row.id, code), 'hex'), Buffer.from(row.code_hash, 'hex'))) continue;
    const spent = await deps.db.updateTable('citizen_otps').set({ used_at: now }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) continue;
    const citizen = await findCitizen(deps.db, hash);
    // Codes of unknown CNICs hash random bytes and cannot match; this is the belt to those braces.
    if (!citizen) break;
    const session = await issueSession(secrets.session, deps.publicUrl, hash, citizen.masked_cnic, now, deps.limits.sessionTtlMs);
    return { ...session, cnic: citizen.masked_cnic };
  }
  throw new RabtaError('otp-invalid', 'this code is not valid: it may be wrong, expired or used up; ask for a new one');
}

function hashCode(secrets: CitizenSecrets, id: string, code: string): string {
  return createHmac('sha256', secrets.otp).update(`${id}:${code}`).digest('hex');
}

function rateLimited(retryAfter: number, detail: string): RabtaError {
  return new RabtaError('rate-limited', detail, { headers: { 'retry-after': String(retryAfter) }, extensions: { retryAfter } });
}
