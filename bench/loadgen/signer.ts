import { createPrivateKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { signRequest } from '../../src/sdk/index.js';

/**
 * A signing thread of the load generator: signs `count` requests with nonces
 * `prefix` + a counter (unique by construction, base64url, 24 characters), the
 * way a client would with the SDK. Runs before the measured period only.
 */
export interface SignJob {
  method: string;
  targetUri: string;
  headers: Record<string, string>;
  keyId: string;
  privateKeyPem: string;
  /** seconds; the bench signs for the profile's maximum window so a batch outlives the run */
  expiresIn: number;
  noncePrefix: string;
  from: number;
  count: number;
}

export interface SignedBatch {
  signatureInput: string[];
  signature: string[];
}

const job = workerData as SignJob;
const privateKey = createPrivateKey(job.privateKeyPem);
const batch: SignedBatch = { signatureInput: new Array<string>(job.count), signature: new Array<string>(job.count) };
for (let i = 0; i < job.count; i++) {
  const signed = await signRequest({
    method: job.method,
    targetUri: job.targetUri,
    headers: job.headers,
    keyId: job.keyId,
    privateKey,
    tag: 'rabta-request',
    expiresIn: job.expiresIn,
    nonce: job.noncePrefix + (job.from + i).toString(36).padStart(8, '0'),
  });
  batch.signatureInput[i] = signed['signature-input'];
  batch.signature[i] = signed.signature;
}
parentPort?.postMessage(batch);
