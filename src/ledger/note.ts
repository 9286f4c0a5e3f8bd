/**
 * C2SP signed-note (c2sp.org/signed-note): a UTF-8 text ending in a newline,
 * a blank line, then signature lines "— <key name> <base64(key ID ‖ signature)>".
 * Also the Ed25519 note keys (signature type 0x01) the log signs checkpoints with.
 *
 * Verification follows the spec's rules: signatures from unknown keys (name and
 * key ID not both known) are ignored; every signature from a known key must
 * verify, or the whole note is rejected; at least one known key must have signed.
 */
import { decodeBase64, decodeUtf8, encodeBase64, concatBytes, isWellFormed, readUint32, uint32Bytes, utf8 } from './encoding.js';
import { LedgerFormatError } from './errors.js';
import { ed25519FromSeed, ed25519PublicKey, ed25519Sign, ed25519Verify, generateEd25519, ED25519_KEY_SIZE } from './ed25519.js';
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

/** Anything that can check one signature line's signature over a note text. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** `signature` is the decoded signature without its 4-byte key ID. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** Anything that can sign a note text; `sign` returns the signature without the key ID. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the key ID. */
  readonly signature: Uint8Array;
}

export interface Note {
  /** The signed text, including its final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface NoteLimits {
  /** Largest note accepted, in bytes (default 1 MiB: 100 post-quantum signatures fit). */
  readonly maxBytes?: number;
  /** Most signature lines accepted (default 100; the spec requires at least 16). */
  readonly maxSignatures?: number;
}

export const DEFAULT_NOTE_LIMITS = { maxBytes: 1 << 20, maxSignatures: 100 } as const;

const SIGNATURE_PREFIX = '\u2014 ';
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;

function malformed(message: string): LedgerFormatError {
  return new LedgerFormatError('note', message);
}

/** A note text is well-formed UTF-8 text without control characters except newline, ending in a newline. */
export function checkNoteText(text: string): void {
  if (!isWellFormed(text)) throw malformed('text is not valid Unicode');
  if (CONTROL.test(text)) throw malformed('text contains a control character other than newline');
  if (!text.endsWith('\n')) throw malformed('text does not end with a newline');
}

/** Parses one "— <name> <base64>" line (without its newline). */
export function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new LedgerFormatError('signature-line', 'does not start with an em dash and a space');
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw new LedgerFormatError('signature-line', 'no space between key name and signature');
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw new LedgerFormatError('signature-line', 'invalid key name');
  let raw: Uint8Array;
  try {
    raw = decodeBase64(rest.slice(space + 1));
  } catch {
    throw new LedgerFormatError('signature-line', 'signature is not canonical base64');
  }
  if (raw.length < 5) throw new LedgerFormatError('signature-line', 'signature is shorter than a key ID and one byte');
  return { name, keyId: readUint32(raw, 0), signature: raw.subarray(4) };
}

export function formatSignatureLine(sig: NoteSignature): string {
  if (!isValidKeyName(sig.name)) throw new LedgerFormatError('signature-line', 'invalid key name');
  return `${SIGNATURE_PREFIX}${sig.name} ${encodeBase64(concatBytes(uint32Bytes(sig.keyId), sig.signature))}\n`;
}

/**
 * Parses a sequence of newline-terminated signature lines, such as the body of a
 * tlog-witness add-checkpoint response.
 */
export function parseSignatureLines(block: string, limits: NoteLimits = {}): NoteSignature[] {
  const maxSignatures = limits.maxSignatures ?? DEFAULT_NOTE_LIMITS.maxSignatures;
  if (block === '' || !block.endsWith('\n')) {
    throw new LedgerFormatError('signature-line', 'signature lines must be present and end with a newline');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > maxSignatures) throw new LedgerFormatError('signature-line', `more than ${maxSignatures} signatures`);
  return lines.map(parseSignatureLine);
}

/** Parses a signed note's structure; no signature is checked (see verifyNote / openNote). */
export function parseNote(input: string | Uint8Array, limits: NoteLimits = {}): Note {
  const maxBytes = limits.maxBytes ?? DEFAULT_NOTE_LIMITS.maxBytes;
  let message: string;
  if (typeof input === 'string') {
    // Cheap bound first: UTF-8 never takes fewer bytes than UTF-16 takes code units.
    if (input.length > maxBytes) throw malformed(`larger than ${maxBytes} bytes`);
    if (!isWellFormed(input)) throw malformed('not valid Unicode');
    if (utf8(input).length > maxBytes) throw malformed(`larger than ${maxBytes} bytes`);
    message = input;
  } else {
    if (input.length > maxBytes) throw malformed(`larger than ${maxBytes} bytes`);
    message = decodeUtf8(input, 'note');
  }
  if (CONTROL.test(message)) throw malformed('contains a control character other than newline');
  // The text may itself contain blank lines: the signatures start after the last one.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block === '') throw malformed('no signatures');
  let signatures: NoteSignature[];
  try {
    signatures = parseSignatureLines(block, limits);
  } catch (e) {
    throw e instanceof LedgerFormatError ? malformed(e.message) : e;
  }
  return { text, signatures };
}

/** Serialises a note: text, blank line, one line per signature. */
export function formatNote(note: Note): string {
  checkNoteText(note.text);
  if (note.signatures.length === 0) throw malformed('a signed note needs at least one signature');
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

/**
 * Signs a text with each signer, keeping `keep` signatures (e.g. earlier ones)
 * except those the signers replace (same name and key ID).
 */
export function signNote(text: string, signers: readonly NoteSigner[], keep: readonly NoteSignature[] = []): string {
  checkNoteText(text);
  const bytes = utf8(text);
  const fresh = signers.map((s): NoteSignature => {
    if (!isValidKeyName(s.name)) throw malformed(`invalid signer name ${JSON.stringify(s.name)}`);
    return { name: s.name, keyId: s.keyId, signature: s.sign(bytes) };
  });
  const replaced = (sig: NoteSignature): boolean => fresh.some((f) => f.name === sig.name && f.keyId === sig.keyId);
  return formatNote({ text, signatures: [...keep.filter((k) => !replaced(k)), ...fresh] });
}

export interface VerifiedSignature {
  readonly signature: NoteSignature;
  readonly verifier: NoteVerifier;
}

export type NoteVerification =
  | {
      readonly ok: true;
      readonly text: string;
      /** One entry per known key that signed (repeated lines by one key count once). */
      readonly verified: readonly VerifiedSignature[];
      /** Signatures by keys not given, each distinct line once. */
      readonly unverified: readonly NoteSignature[];
    }
  | {
      readonly ok: false;
      readonly reason: 'malformed' | 'ambiguous-verifiers' | 'invalid-signature' | 'no-known-signature';
      readonly message: string;
    };

/** Checks a parsed note against the known keys, by the signed-note rules. */
export function verifyNote(note: Note, verifiers: readonly NoteVerifier[]): NoteVerification {
  const textBytes = utf8(note.text);
  const verified: VerifiedSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenUnverified = new Set<string>();
  for (const sig of note.signatures) {
    const matches = verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (matches.length > 1) {
      return { ok: false, reason: 'ambiguous-verifiers', message: `two verifiers for ${sig.name}` };
    }
    const verifier = matches[0];
    if (verifier === undefined) {
      const key = `${sig.name} ${sig.keyId} ${encodeBase64(sig.signature)}`;
      if (!seenUnverified.has(key)) {
        seenUnverified.add(key);
        unverified.push(sig);
      }
      continue;
    }
    // Every line from a known key is checked, repeats included: a bad signature
    // by a trusted key means someone tampered with the note.
    if (!verifier.verify(textBytes, sig.signature)) {
      return { ok: false, reason: 'invalid-signature', message: `signature by ${sig.name} does not verify` };
    }
    if (!verified.some((v) => v.verifier === verifier)) verified.push({ signature: sig, verifier });
  }
  if (verified.length === 0) {
    return { ok: false, reason: 'no-known-signature', message: 'no signature by a known key' };
  }
  return { ok: true, text: note.text, verified, unverified };
}

/** parseNote + verifyNote; never throws for bad input. */
export function openNote(
  input: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  limits: NoteLimits = {},
): NoteVerification {
  let note: Note;
  try {
    note = parseNote(input, limits);
  } catch (e) {
    if (e instanceof LedgerFormatError) return { ok: false, reason: 'malformed', message: e.message };
    throw e;
  }
  return verifyNote(note, verifiers);
}

// ---- Ed25519 note keys (signature type 0x01) ----

export interface Ed25519NoteVerifier extends NoteVerifier {
  readonly publicKey: Uint8Array;
  /** The canonical vkey text. */
  readonly vkey: string;
}

export interface Ed25519NoteSigner extends NoteSigner {
  readonly verifier: Ed25519NoteVerifier;
}

function makeVerifier(name: string, publicKey: Uint8Array): Ed25519NoteVerifier {
  const key = ed25519PublicKey(publicKey);
  if (key === undefined) throw new LedgerFormatError('key', 'not an Ed25519 public key');
  return {
    name,
    keyId: computeKeyId(name, SIGNATURE_TYPE.ed25519, publicKey),
    publicKey: new Uint8Array(publicKey),
    vkey: encodeVerifierKey(name, SIGNATURE_TYPE.ed25519, publicKey),
    verify: (text, signature) => ed25519Verify(key, text, signature),
  };
}

/** Parses an Ed25519 (type 0x01) vkey, checking its key ID. */
export function parseNoteVerifierKey(vkey: string): Ed25519NoteVerifier {
  const d = decodeVerifierKey(vkey);
  if (d.type !== SIGNATURE_TYPE.ed25519) throw new LedgerFormatError('key', `signature type ${d.type} is not Ed25519 (1)`);
  if (d.key.length !== ED25519_KEY_SIZE) throw new LedgerFormatError('key', 'an Ed25519 public key is 32 bytes');
  checkKeyId(d, d.key);
  return makeVerifier(d.name, d.key);
}

/** A signer from a name and a 32-byte Ed25519 seed. */
export function noteSignerFromSeed(name: string, seed: Uint8Array): Ed25519NoteSigner {
  if (!isValidKeyName(name)) throw new LedgerFormatError('key', 'invalid key name');
  const pair = ed25519FromSeed(seed);
  const verifier = makeVerifier(name, pair.publicKey);
  return { name, keyId: verifier.keyId, verifier, sign: (text) => ed25519Sign(pair.privateKey, text) };
}

/** Parses an Ed25519 (type 0x01) skey; its key ID must match the derived public key. */
export function parseNoteSignerKey(skey: string): Ed25519NoteSigner {
  const d = decodeSignerKey(skey);
  if (d.type !== SIGNATURE_TYPE.ed25519) throw new LedgerFormatError('key', `signature type ${d.type} is not Ed25519 (1)`);
  if (d.key.length !== ED25519_KEY_SIZE) throw new LedgerFormatError('key', 'an Ed25519 seed is 32 bytes');
  const signer = noteSignerFromSeed(d.name, d.key);
  checkKeyId(d, signer.verifier.publicKey);
  return signer;
}

/** A fresh Ed25519 note key; keep `signerKey` secret, publish `verifierKey`. */
export function generateNoteKey(name: string): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new LedgerFormatError('key', 'invalid key name');
  const pair = generateEd25519();
  return {
    signerKey: encodeSignerKey(name, SIGNATURE_TYPE.ed25519, pair.seed, pair.publicKey),
    verifierKey: encodeVerifierKey(name, SIGNATURE_TYPE.ed25519, pair.publicKey),
  };
}
