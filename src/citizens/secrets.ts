import { createHmac } from 'node:crypto';
import type { Keyring } from '../keyring/index.js';

/**
 * Keys the citizens module derives from the instance secrets, one per use, so
 * that no key serves two protocols: a citizen session token can never pass as
 * another session kind signed with the same secret, and an OTP hash is not a
 * session signature.
 */
export interface CitizenSecrets {
  otp: Buffer;
  session: Uint8Array;
  counters: Buffer;
}

export function citizenSecrets(keyring: Keyring): CitizenSecrets {
  const derive = (secret: Buffer, label: string) => createHmac('sha256', secret).update(label).digest();
  return {
    otp: derive(keyring.sessionSecret, 'rabta/citizen/otp/v1'),
    session: new Uint8Array(derive(keyring.sessionSecret, 'rabta/citizen/session/v1')),
    counters: derive(keyring.subjectSecret, 'rabta/citizen/rate-counters/v1'),
  };
}
