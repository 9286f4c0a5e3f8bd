/**
 * C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n ...]
 *
 * signed as a signed note by the log key, whose name is the origin.
 */
import { assertUint, decodeBase64, encodeBase64, parseDecimal } from './encoding.js';
import { LedgerFormatError } from './errors.js';
import { HASH_SIZE } from './hash.js';
import {
  checkNoteText,
  parseNote,
  signNote,
  verifyNote,
  type Note,
  type NoteLimits,
  type NoteSigner,
  type NoteVerifier,
} from './note.js';

export interface Checkpoint {
  /** Identifies the log; for Rabta `{public host}/ledger`, also the log key's name. */
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty lines after the root (not recommended; Rabta writes none). */
  readonly extensions: readonly string[];
}

function invalid(message: string): LedgerFormatError {
  return new LedgerFormatError('checkpoint', message);
}

/** The checkpoint's note text, ending in a newline. */
export function formatCheckpoint(cp: Checkpoint): string {
  assertUint(cp.size, 'size');
  if (cp.rootHash.length !== HASH_SIZE) throw invalid('the root hash is not 32 bytes');
  const lines = [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...cp.extensions];
  lines.forEach((line, i) => {
    if (line === '') throw invalid(i === 0 ? 'empty origin' : 'empty extension line');
    if (line.includes('\n')) throw invalid('a line contains a newline');
  });
  const text = `${lines.join('\n')}\n`;
  try {
    checkNoteText(text);
  } catch (e) {
    throw e instanceof LedgerFormatError ? invalid(e.message) : e;
  }
  return text;
}

/**
 * Parses a checkpoint's note text (not the signed note: see openCheckpoint).
 * Strict where the spec says MUST: non-empty lines, decimal size without leading
 * zeros, canonical base64 of exactly 32 bytes. The transparency-dev Go parser is
 * more lenient (any root length, empty trailing lines); we are not.
 */
export function parseCheckpoint(text: string): Checkpoint {
  try {
    checkNoteText(text);
  } catch (e) {
    throw e instanceof LedgerFormatError ? invalid(e.message) : e;
  }
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw invalid('fewer than three lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') throw invalid('empty origin');
  let size: number;
  let rootHash: Uint8Array;
  try {
    size = parseDecimal(sizeLine, 'tree size');
    rootHash = decodeBase64(rootLine);
  } catch (e) {
    throw e instanceof LedgerFormatError ? invalid(e.message) : e;
  }
  if (rootHash.length !== HASH_SIZE) throw invalid('the root hash is not 32 bytes');
  if (extensions.some((l) => l === '')) throw invalid('empty extension line');
  return { origin, size, rootHash, extensions };
}

/** The signed checkpoint note, signed by the log key (and any further signers). */
export function signCheckpoint(cp: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), signers);
}

export type CheckpointVerification =
  | {
      readonly ok: true;
      readonly checkpoint: Checkpoint;
      /** The whole parsed note, cosignatures included, for the caller to check further. */
      readonly note: Note;
      readonly logVerifier: NoteVerifier;
    }
  | {
      readonly ok: false;
      readonly reason:
        | 'malformed-note'
        | 'malformed-checkpoint'
        | 'origin-mismatch'
        | 'invalid-log-signature'
        | 'no-log-signature'
        | 'ambiguous-verifiers';
      readonly message: string;
    };

export interface OpenCheckpointOptions {
  /** The log's key(s); during a key rotation both old and new are given. */
  readonly logVerifiers: readonly NoteVerifier[];
  /** The origin expected; defaults to the first log key's name (log key name = origin). */
  readonly origin?: string;
  readonly limits?: NoteLimits;
}

/**
 * Parses a signed checkpoint and checks the log's signature. Signatures by other
 * keys (witnesses) are left in `note` unchecked; only log keys are consulted here.
 */
export function openCheckpoint(signed: string | Uint8Array, options: OpenCheckpointOptions): CheckpointVerification {
  let note: Note;
  try {
    note = parseNote(signed, options.limits);
  } catch (e) {
    if (e instanceof LedgerFormatError) return { ok: false, reason: 'malformed-note', message: e.message };
    throw e;
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(note.text);
  } catch (e) {
    if (e instanceof LedgerFormatError) return { ok: false, reason: 'malformed-checkpoint', message: e.message };
    throw e;
  }
  const origin = options.origin ?? options.logVerifiers[0]?.name;
  if (origin === undefined) return { ok: false, reason: 'no-log-signature', message: 'no log key given' };
  if (checkpoint.origin !== origin) {
    return { ok: false, reason: 'origin-mismatch', message: `origin is ${JSON.stringify(checkpoint.origin)}` };
  }
  const verification = verifyNote(note, options.logVerifiers);
  if (!verification.ok) {
    const reason =
      verification.reason === 'invalid-signature'
        ? 'invalid-log-signature'
        : verification.reason === 'ambiguous-verifiers'
          ? 'ambiguous-verifiers'
          : 'no-log-signature';
    return { ok: false, reason, message: verification.message };
  }
  const first = verification.verified[0] as (typeof verification.verified)[number];
  return { ok: true, checkpoint, note, logVerifier: first.verifier };
}
