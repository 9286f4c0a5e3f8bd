/**
 * C2SP tlog-cosignature v1 with Ed25519 (c2sp.org/tlog-cosignature), signature
 * type 0x04: a witness's timestamped statement that a checkpoint is the largest
 * consistent tree it has seen for that origin.
 *
 *   signed message = "cosignature/v1\ntime <unix seconds>\n" ‖ checkpoint note text
 *   line payload   = key ID (4) ‖ timestamp (8, big-endian) ‖ Ed25519 signature (64)
 *
 * The message does not commit to the witness's name, which is why a policy must
 * never count one public key twice under two names (see verifyTlogProof).
 * Only type 0x04 keys are accepted: Rabta never lets one key serve as both a
 * note key (0x01) and a cosigner key, although transparency-dev/formats converts.
 */
import { concatBytes, isUint, readUint32, utf8 } from './encoding.js';
import { fail, LedgerFormatError, type Refusal } from './errors.js';
import { ed25519FromSeed, ed25519PublicKey, ed25519Sign, ed25519Verify, generateEd25519, ED25519_KEY_SIZE, ED25519_SIGNATURE_SIZE } from './ed25519.js';
import {
  checkKeyId,
  computeKeyId,
  decodeSignerKey,
  decodeVerifierKey,
  encodeSignerKey,
  encodeVerifierKey,
  isValidKeyName,
  SIGNATURE_TYPE,
} from './keys.js';
import { checkNoteText, type NoteSignature, type NoteSigner, type NoteVerifier } from './note.js';
import { parseCheckpoint } from './checkpoint.js';

const TIMESTAMP_SIZE = 8;
export const COSIGNATURE_SIZE = TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE;

/** The exact bytes a v1 Ed25519 cosignature signs. */
export function cosignatureMessage(checkpointText: string, timestamp: number): Uint8Array {
  if (!isUint(timestamp)) throw new RangeError('the timestamp is a non-negative integer of seconds');
  checkNoteText(checkpointText);
  return utf8(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

/**
 * The timestamp inside a cosignature (the bytes after the key ID).
 * Throws unless it is 8 + 64 bytes and the time fits in 2^53 − 1 seconds.
 */
export function cosignatureTimestamp(signature: Uint8Array): number {
  if (signature.length !== COSIGNATURE_SIZE) {
    throw new LedgerFormatError('cosignature', `a cosignature is ${COSIGNATURE_SIZE} bytes after the key ID`);
  }
  const high = readUint32(signature, 0);
  const low = readUint32(signature, 4);
  // Numbers are exact below 2^53, i.e. high < 2^21; real clocks are far below that.
  if (high >= 2 ** 21) throw new LedgerFormatError('cosignature', 'timestamp out of range');
  return high * 2 ** 32 + low;
}

function timestampBytes(timestamp: number): Uint8Array {
  const out = new Uint8Array(TIMESTAMP_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(timestamp / 2 ** 32), false);
  view.setUint32(4, timestamp % 2 ** 32, false);
  return out;
}

export interface CosignatureVerifier extends NoteVerifier {
  readonly publicKey: Uint8Array;
  readonly vkey: string;
}

export interface Cosigner extends NoteSigner {
  readonly verifier: CosignatureVerifier;
  /** Cosigns a checkpoint text at an explicit time (seconds since the epoch). */
  cosign(checkpointText: string, timestamp: number): NoteSignature;
}

function makeVerifier(name: string, publicKey: Uint8Array): CosignatureVerifier {
  const key = ed25519PublicKey(publicKey);
  if (key === undefined) throw new LedgerFormatError('key', 'not an Ed25519 public key');
  return {
    name,
    keyId: computeKeyId(name, SIGNATURE_TYPE.cosignatureV1, publicKey),
    publicKey: new Uint8Array(publicKey),
    vkey: encodeVerifierKey(name, SIGNATURE_TYPE.cosignatureV1, publicKey),
    verify: (text, signature) => {
      if (signature.length !== COSIGNATURE_SIZE) return false;
      let timestamp: number;
      let message: Uint8Array;
      try {
        timestamp = cosignatureTimestamp(signature);
        message = concatBytes(utf8(`cosignature/v1\ntime ${timestamp}\n`), text);
      } catch {
        return false;
      }
      return ed25519Verify(key, message, signature.subarray(TIMESTAMP_SIZE));
    },
  };
}

/** Parses a witness's type 0x04 vkey, checking its key ID. */
export function parseCosignatureVerifierKey(vkey: string): CosignatureVerifier {
  const d = decodeVerifierKey(vkey);
  if (d.type !== SIGNATURE_TYPE.cosignatureV1) {
    throw new LedgerFormatError('key', `signature type ${d.type} is not an Ed25519 cosignature (4)`);
  }
  if (d.key.length !== ED25519_KEY_SIZE) throw new LedgerFormatError('key', 'an Ed25519 public key is 32 bytes');
  checkKeyId(d, d.key);
  return makeVerifier(d.name, d.key);
}

export interface CosignerOptions {
  /** Seconds since the epoch, for `sign`; defaults to the system clock. */
  readonly now?: () => number;
}

/** A cosigner from a name and a 32-byte Ed25519 seed. */
export function cosignerFromSeed(name: string, seed: Uint8Array, options: CosignerOptions = {}): Cosigner {
  if (!isValidKeyName(name)) throw new LedgerFormatError('key', 'invalid key name');
  const pair = ed25519FromSeed(seed);
  const verifier = makeVerifier(name, pair.publicKey);
  const now = options.now ?? ((): number => Math.floor(Date.now() / 1000));
  const cosign = (checkpointText: string, timestamp: number): NoteSignature => {
    // A witness key vouches for checkpoints only; refuse to sign anything else.
    parseCheckpoint(checkpointText);
    const sig = ed25519Sign(pair.privateKey, cosignatureMessage(checkpointText, timestamp));
    return { name, keyId: verifier.keyId, signature: concatBytes(timestampBytes(timestamp), sig) };
  };
  return {
    name,
    keyId: verifier.keyId,
    verifier,
    cosign,
    sign: (text) => cosign(new TextDecoder().decode(text), now()).signature,
  };
}

/** Parses a type 0x04 skey (PRIVATE+KEY+<name>+<key ID>+base64(0x04 ‖ seed)). */
export function parseCosignerKey(skey: string, options: CosignerOptions = {}): Cosigner {
  const d = decodeSignerKey(skey);
  if (d.type !== SIGNATURE_TYPE.cosignatureV1) {
    throw new LedgerFormatError('key', `signature type ${d.type} is not an Ed25519 cosignature (4)`);
  }
  if (d.key.length !== ED25519_KEY_SIZE) throw new LedgerFormatError('key', 'an Ed25519 seed is 32 bytes');
  const cosigner = cosignerFromSeed(d.name, d.key, options);
  checkKeyId(d, cosigner.verifier.publicKey);
  return cosigner;
}

/** A fresh witness key; keep `signerKey` secret, register `verifierKey`. */
export function generateCosignerKey(name: string): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new LedgerFormatError('key', 'invalid key name');
  const pair = generateEd25519();
  return {
    signerKey: encodeSignerKey(name, SIGNATURE_TYPE.cosignatureV1, pair.seed, pair.publicKey),
    verifierKey: encodeVerifierKey(name, SIGNATURE_TYPE.cosignatureV1, pair.publicKey),
  };
}

export interface CosignatureCheck {
  /** Current time in seconds; needed only with maxFutureSeconds. */
  readonly now?: number;
  /** Reject cosignatures dated more than this far in the future (the spec allows it). */
  readonly maxFutureSeconds?: number;
}

export type CosignatureVerdict = { readonly ok: true; readonly timestamp: number } | Refusal;

/** Checks one cosignature line against a witness key and the checkpoint text. */
export function verifyCosignature(
  verifier: CosignatureVerifier,
  checkpointText: string,
  signature: NoteSignature,
  check: CosignatureCheck = {},
): CosignatureVerdict {
  if (signature.name !== verifier.name || signature.keyId !== verifier.keyId) {
    return fail('the signature is not by this witness key');
  }
  let timestamp: number;
  try {
    timestamp = cosignatureTimestamp(signature.signature);
  } catch (e) {
    return fail(e instanceof Error ? e.message : 'malformed cosignature');
  }
  if (!verifier.verify(utf8(checkpointText), signature.signature)) {
    return fail('the cosignature does not verify');
  }
  if (check.maxFutureSeconds !== undefined) {
    const now = check.now ?? Math.floor(Date.now() / 1000);
    if (timestamp > now + check.maxFutureSeconds) {
      return fail('the cosignature is dated in the future');
    }
  }
  return { ok: true, timestamp };
}

