/**
 * Offline check of a Rabta receipt: the record an entitled party was handed,
 * its salt, the public leaf and a C2SP tlog-proof. It shows that exactly this
 * record was logged, in the tree the log signed and k witnesses cosigned:
 *
 *   1. SHA-256(salt ‖ canonical record) is the commitment inside the entry
 *      (or, for a registry change logged in clear, the entry holds the record);
 *   2. verifyTlogProof: log signature, witness quorum, inclusion of the entry.
 *
 * The keys decide what the receipt is worth. A receipt carries the keys it was
 * issued with, but keys taken from the document being checked prove nothing
 * about who signed it, so callers should pin them (`logVkey`, `witnessVkeys`)
 * and the result says whether they did.
 */
import { canonicalJson, commitment, decodeLeaf, type LeafContent } from './canonical.js';
import { decodeBase64, equalBytes } from './encoding.js';
import { verifyTlogProof, type TlogProofFailure, type WitnessCosignature } from './proof.js';
import type { Checkpoint } from './checkpoint.js';

/** The JSON a receipt endpoint returns. */
export interface ReceiptDocument {
  readonly record: unknown;
  /** base64 of 32 bytes; null for a leaf logged in clear. */
  readonly salt: string | null;
  /** base64 of the leaf entry bytes. */
  readonly entry: string;
  /** The leaf index, informative; must agree with the proof's. */
  readonly index?: number;
  /** C2SP tlog-proof text. */
  readonly proof: string;
  readonly logVkey: string;
  readonly witnessVkeys: readonly string[];
}

export interface VerifyReceiptOptions {
  readonly quorum: number;
  /** Pinned log key(s); default: the receipt's own (reported as unpinned). */
  readonly logVkey?: string | readonly string[];
  /** Pinned witness keys; default: the receipt's own. */
  readonly witnessVkeys?: readonly string[];
}

export type ReceiptFailure = 'malformed-receipt' | 'record-mismatch' | TlogProofFailure;

export type ReceiptVerification =
  | {
      readonly ok: true;
      readonly leaf: LeafContent;
      readonly index: number;
      readonly checkpoint: Checkpoint;
      readonly witnesses: readonly WitnessCosignature[];
      /** False when the log key (or, with a quorum, the witness keys) came from the receipt itself. */
      readonly keysPinned: boolean;
    }
  | { readonly ok: false; readonly failed: ReceiptFailure; readonly message: string };

function refuse(failed: ReceiptFailure, message: string): ReceiptVerification {
  return { ok: false, failed, message };
}

/** Checks the shape of parsed JSON; returns a reason when it is not a receipt. */
export function asReceipt(value: unknown): ReceiptDocument | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'a receipt is a JSON object';
  const r = value as Record<string, unknown>;
  if (r.salt !== null && typeof r.salt !== 'string') return '"salt" must be base64 text or null';
  for (const field of ['entry', 'proof', 'logVkey'] as const) if (typeof r[field] !== 'string') return `"${field}" must be text`;
  if (!Array.isArray(r.witnessVkeys) || r.witnessVkeys.some((v) => typeof v !== 'string')) return '"witnessVkeys" must be a list of vkeys';
  if (r.index !== undefined && (typeof r.index !== 'number' || !Number.isSafeInteger(r.index))) return '"index" must be an integer';
  if (!('record' in r)) return '"record" is missing';
  return r as unknown as ReceiptDocument;
}

export function verifyReceipt(receipt: ReceiptDocument, options: VerifyReceiptOptions): ReceiptVerification {
  let entry: Uint8Array;
  let leaf: LeafContent;
  try {
    entry = decodeBase64(receipt.entry);
    leaf = decodeLeaf(entry);
  } catch (error) {
    return refuse('malformed-receipt', `entry: ${error instanceof Error ? error.message : String(error)}`);
  }

  if (receipt.salt !== null) {
    let salt: Uint8Array;
    try {
      salt = decodeBase64(receipt.salt);
    } catch {
      return refuse('malformed-receipt', 'salt is not base64');
    }
    if (salt.length !== 32) return refuse('malformed-receipt', 'the salt is not 32 bytes');
    if (!('commitment' in leaf)) return refuse('record-mismatch', 'the entry is logged in clear, but the receipt has a salt');
    if (!equalBytes(commitment(salt, receipt.record), leaf.commitment)) {
      return refuse('record-mismatch', 'SHA-256(salt ‖ canonical record) is not the commitment in the entry: the record or salt was altered');
    }
  } else {
    if (!('clear' in leaf)) return refuse('malformed-receipt', 'the entry holds a commitment, but the receipt has no salt');
    if (receipt.record !== null && receipt.record !== undefined && canonicalJson(receipt.record) !== canonicalJson(leaf.clear)) {
      return refuse('record-mismatch', 'the record is not the one logged in clear in the entry');
    }
  }

  // Witness keys matter only when a quorum is required.
  const keysPinned = options.logVkey !== undefined && (options.witnessVkeys !== undefined || options.quorum === 0);
  const result = verifyTlogProof({
    proofText: receipt.proof,
    entry,
    logVkey: options.logVkey ?? receipt.logVkey,
    witnessVkeys: options.witnessVkeys ?? receipt.witnessVkeys,
    quorum: options.quorum,
  });
  if (!result.ok) return refuse(result.failed, result.message);
  if (receipt.index !== undefined && receipt.index !== result.index) {
    return refuse('malformed-receipt', `the receipt says index ${receipt.index}, its proof ${result.index}`);
  }
  return { ok: true, leaf, index: result.index, checkpoint: result.checkpoint, witnesses: result.witnesses, keysPinned };
}
