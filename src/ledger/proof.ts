/**
 * C2SP tlog-proof (c2sp.org/tlog-proof): an offline-verifiable receipt that an
 * entry is in the log, as seen by witnesses.
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64 opaque data>]
 *   index <decimal>
 *   <base64 inclusion proof hash, leaf's sibling first>   (zero or more)
 *   <empty line>
 *   <the signed checkpoint, verbatim, cosignatures included>
 */
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { parseCosignatureVerifierKey, verifyCosignature, type CosignatureVerifier } from './cosignature.js';
import { decodeBase64, decodeUtf8, encodeBase64, equalBytes, isWellFormed, parseDecimal } from './encoding.js';
import { LedgerFormatError } from './errors.js';
import { HASH_SIZE, leafHash as hashLeaf } from './hash.js';
import { verifyInclusion } from './merkle-verify.js';
import { DEFAULT_NOTE_LIMITS, parseNoteVerifierKey, type NoteLimits, type NoteVerifier } from './note.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** A tree of at most 2^64 leaves has at most 64 proof hashes. */
const MAX_PROOF_HASHES = 64;

export interface TlogProof {
  /** Unauthenticated, application-defined data; never trust it without checking. */
  readonly extra?: Uint8Array;
  readonly index: number;
  readonly hashes: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
}

function invalid(message: string): LedgerFormatError {
  return new LedgerFormatError('tlog-proof', message);
}

export function formatTlogProof(proof: TlogProof): string {
  if (!Number.isSafeInteger(proof.index) || proof.index < 0) throw invalid('index must be a safe non-negative integer');
  if (proof.hashes.length > MAX_PROOF_HASHES) throw invalid('too many proof hashes');
  if (proof.hashes.some((h) => h.length !== HASH_SIZE)) throw invalid('proof hashes are 32 bytes');
  if (proof.checkpoint === '' || !proof.checkpoint.endsWith('\n') || !isWellFormed(proof.checkpoint)) {
    throw invalid('the checkpoint must be a note ending in a newline');
  }
  const lines = [TLOG_PROOF_HEADER];
  // An empty extra is the same as none, as in the reference implementation.
  if (proof.extra !== undefined && proof.extra.length > 0) lines.push(`extra ${encodeBase64(proof.extra)}`);
  lines.push(`index ${proof.index}`, ...proof.hashes.map(encodeBase64), '');
  return `${lines.join('\n')}\n${proof.checkpoint}`;
}

/** Parses the proof's structure; the checkpoint is kept verbatim and checked by verifyTlogProof. */
export function parseTlogProof(input: string | Uint8Array, limits: NoteLimits = {}): TlogProof {
  const maxBytes = (limits.maxBytes ?? DEFAULT_NOTE_LIMITS.maxBytes) + 4096;
  if (input.length > maxBytes) throw invalid(`larger than ${maxBytes} bytes`);
  const text = typeof input === 'string' ? input : decodeUtf8(input, 'tlog-proof');
  let pos = 0;
  const nextLine = (): string => {
    const end = text.indexOf('\n', pos);
    if (end < 0) throw invalid('ends before the checkpoint');
    const line = text.slice(pos, end);
    pos = end + 1;
    return line;
  };
  if (nextLine() !== TLOG_PROOF_HEADER) throw invalid(`the first line is not ${TLOG_PROOF_HEADER}`);
  let line = nextLine();
  let extra: Uint8Array | undefined;
  try {
    if (line.startsWith('extra ')) {
      extra = decodeBase64(line.slice('extra '.length));
      line = nextLine();
    }
    if (!line.startsWith('index ')) throw invalid('missing index line');
    const index = parseDecimal(line.slice('index '.length), 'index');
    const hashes: Uint8Array[] = [];
    for (line = nextLine(); line !== ''; line = nextLine()) {
      if (hashes.length === MAX_PROOF_HASHES) throw invalid('too many proof hashes');
      const hash = decodeBase64(line);
      if (hash.length !== HASH_SIZE) throw invalid('a proof hash is not 32 bytes');
      hashes.push(hash);
    }
    const checkpoint = text.slice(pos);
    if (checkpoint === '') throw invalid('no checkpoint');
    return extra === undefined ? { index, hashes, checkpoint } : { extra, index, hashes, checkpoint };
  } catch (e) {
    throw e instanceof LedgerFormatError && e.format !== 'tlog-proof' ? invalid(e.message) : e;
  }
}

export type TlogProofFailure =
  | 'invalid-policy'
  | 'malformed-proof'
  | 'malformed-checkpoint'
  | 'origin-mismatch'
  | 'log-signature-missing'
  | 'log-signature-invalid'
  | 'witness-signature-invalid'
  | 'quorum-not-met'
  | 'inclusion-failed';

export interface WitnessCosignature {
  readonly name: string;
  readonly vkey: string;
  /** When the witness cosigned (seconds since the epoch); informative only. */
  readonly timestamp: number;
}

export type TlogProofResult =
  | {
      readonly ok: true;
      readonly checkpoint: Checkpoint;
      readonly index: number;
      readonly leafHash: Uint8Array;
      readonly extra?: Uint8Array;
      /** The distinct trusted witnesses whose cosignatures verified. */
      readonly witnesses: readonly WitnessCosignature[];
    }
  | {
      readonly ok: false;
      /** The check that failed, in the order they run. */
      readonly failed: TlogProofFailure;
      readonly message: string;
    };

export interface VerifyTlogProofInput {
  readonly proofText: string | Uint8Array;
  /** The logged entry; its leaf hash is SHA-256(0x00 ‖ entry). Give this or `leafHash`. */
  readonly entry?: Uint8Array;
  /** The leaf hash, when the caller computes it (e.g. from `extra`). */
  readonly leafHash?: Uint8Array;
  /** The log's Ed25519 note vkey(s); several during a key rotation. */
  readonly logVkey: string | readonly string[];
  /** Expected checkpoint origin; defaults to the log key's name. */
  readonly origin?: string;
  /** The trusted witnesses' cosignature (type 0x04) vkeys: the n of k-of-n. */
  readonly witnessVkeys: readonly string[];
  /** How many distinct trusted witnesses must have cosigned: the k of k-of-n. */
  readonly quorum: number;
  /** Reject cosignatures dated more than this many seconds after `now`. */
  readonly maxFutureSeconds?: number;
  readonly now?: number;
  readonly limits?: NoteLimits;
}

function refuse(failed: TlogProofFailure, message: string): TlogProofResult {
  return { ok: false, failed, message };
}

interface Policy {
  readonly log: NoteVerifier[];
  readonly witnesses: CosignatureVerifier[];
}

function readPolicy(input: VerifyTlogProofInput): Policy | string {
  const logVkeys = typeof input.logVkey === 'string' ? [input.logVkey] : input.logVkey;
  if (logVkeys.length === 0) return 'no log key';
  const witnesses: CosignatureVerifier[] = [];
  let log: NoteVerifier[];
  try {
    log = logVkeys.map(parseNoteVerifierKey);
    for (const vkey of input.witnessVkeys) {
      const w = parseCosignatureVerifierKey(vkey);
      // The v1 message does not name the witness, so one key listed under two
      // names would be one witness counted twice.
      if (witnesses.some((o) => equalBytes(o.publicKey, w.publicKey) || (o.name === w.name && o.keyId === w.keyId))) {
        return `witness key ${w.name} is listed twice`;
      }
      witnesses.push(w);
    }
  } catch (e) {
    return e instanceof Error ? e.message : 'invalid key';
  }
  if (!Number.isSafeInteger(input.quorum) || input.quorum < 0 || input.quorum > witnesses.length) {
    return `quorum ${input.quorum} is not between 0 and ${witnesses.length}`;
  }
  if ((input.entry === undefined) === (input.leafHash === undefined)) return 'give exactly one of entry and leafHash';
  if (input.leafHash !== undefined && input.leafHash.length !== HASH_SIZE) return 'the leaf hash is not 32 bytes';
  return { log, witnesses };
}

/**
 * Verifies a tlog-proof offline: the policy (keys, quorum), the proof's format,
 * the log's signature on the checkpoint and its origin, the witnesses'
 * cosignatures against the quorum, and the inclusion of the entry. Never throws
 * for bad input; says which check failed.
 */
export function verifyTlogProof(input: VerifyTlogProofInput): TlogProofResult {
  const policy = readPolicy(input);
  if (typeof policy === 'string') return refuse('invalid-policy', policy);

  let proof: TlogProof;
  try {
    proof = parseTlogProof(input.proofText, input.limits);
  } catch (e) {
    if (e instanceof LedgerFormatError) return refuse('malformed-proof', e.message);
    throw e;
  }
  const leaf = input.leafHash ?? hashLeaf(input.entry as Uint8Array);

  const opened = openCheckpoint(proof.checkpoint, {
    logVerifiers: policy.log,
    origin: input.origin ?? (policy.log[0] as NoteVerifier).name,
    limits: input.limits,
  });
  if (!opened.ok) {
    switch (opened.reason) {
      case 'origin-mismatch':
        return refuse('origin-mismatch', opened.message);
      case 'invalid-log-signature':
        return refuse('log-signature-invalid', opened.message);
      case 'no-log-signature':
      case 'ambiguous-verifiers':
        return refuse('log-signature-missing', opened.message);
      default:
        return refuse('malformed-checkpoint', opened.message);
    }
  }

  const cosigned: WitnessCosignature[] = [];
  for (const sig of opened.note.signatures) {
    const witness = policy.witnesses.find((w) => w.name === sig.name && w.keyId === sig.keyId);
    if (witness === undefined) continue;
    const verdict = verifyCosignature(witness, opened.note.text, sig, {
      ...(input.now === undefined ? {} : { now: input.now }),
      ...(input.maxFutureSeconds === undefined ? {} : { maxFutureSeconds: input.maxFutureSeconds }),
    });
    // A bad signature by a trusted witness means the receipt was tampered with.
    if (!verdict.ok) return refuse('witness-signature-invalid', `${witness.name}: ${verdict.reason}`);
    if (!cosigned.some((c) => c.vkey === witness.vkey)) {
      cosigned.push({ name: witness.name, vkey: witness.vkey, timestamp: verdict.timestamp });
    }
  }
  if (cosigned.length < input.quorum) {
    return refuse('quorum-not-met', `${cosigned.length} of the required ${input.quorum} witnesses cosigned`);
  }

  const { checkpoint } = opened;
  const inclusion = verifyInclusion(leaf, proof.index, checkpoint.size, proof.hashes, checkpoint.rootHash);
  if (!inclusion.ok) return refuse('inclusion-failed', inclusion.reason);

  return {
    ok: true,
    checkpoint,
    index: proof.index,
    leafHash: leaf,
    ...(proof.extra === undefined ? {} : { extra: proof.extra }),
    witnesses: cosigned,
  };
}
