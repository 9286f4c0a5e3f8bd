/**
 * C2SP tlog-witness (c2sp.org/tlog-witness) add-checkpoint messages, for both
 * ends: the log formats requests and folds cosignatures from responses into its
 * checkpoint; a witness parses requests and decides the HTTP status with
 * `checkAddCheckpoint`. Transport, persistence and the atomic compare-and-swap of
 * the witness's latest size are the caller's.
 *
 *   request body:  old <size>\n  <base64 consistency hash>\n*  \n  <signed checkpoint>
 *   response body: one or more cosignature lines "— <name> <base64>\n"
 *   409 body:      <latest cosigned size>\n   (Content-Type: text/x.tlog.size)
 */
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { verifyCosignature, type CosignatureVerifier } from './cosignature.js';
import { decodeBase64, decodeUtf8, encodeBase64, equalBytes, parseDecimal } from './encoding.js';
import { LedgerFormatError } from './errors.js';
import { emptyRoot, HASH_SIZE } from './hash.js';
import { verifyConsistency } from './merkle-verify.js';
import { formatNote, parseNote, parseSignatureLines, verifyNote, type NoteSignature, type NoteVerifier } from './note.js';

/** The spec's bound on consistency proof lines. */
export const MAX_CONSISTENCY_LINES = 63;

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
}

function invalid(message: string): LedgerFormatError {
  return new LedgerFormatError('witness', message);
}

export function formatAddCheckpointRequest(request: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(request.oldSize) || request.oldSize < 0) throw invalid('old size must be a non-negative integer');
  if (request.proof.length > MAX_CONSISTENCY_LINES) throw invalid('too many consistency proof lines');
  if (request.proof.some((h) => h.length !== HASH_SIZE)) throw invalid('proof hashes are 32 bytes');
  return `old ${request.oldSize}\n${request.proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${request.checkpoint}`;
}

export function parseAddCheckpointRequest(body: string | Uint8Array): AddCheckpointRequest {
  const text = typeof body === 'string' ? body : decodeUtf8(body, 'witness');
  const lines: string[] = [];
  let pos = 0;
  for (;;) {
    const end = text.indexOf('\n', pos);
    if (end < 0) throw invalid('no empty line before the checkpoint');
    const line = text.slice(pos, end);
    pos = end + 1;
    if (line === '') break;
    lines.push(line);
    if (lines.length > 1 + MAX_CONSISTENCY_LINES) throw invalid('too many consistency proof lines');
  }
  const [first, ...hashLines] = lines;
  if (first === undefined || !first.startsWith('old ')) throw invalid('the first line is not "old <size>"');
  try {
    const oldSize = parseDecimal(first.slice('old '.length), 'old size');
    const proof = hashLines.map((l) => {
      const h = decodeBase64(l);
      if (h.length !== HASH_SIZE) throw invalid('a proof hash is not 32 bytes');
      return h;
    });
    return { oldSize, proof, checkpoint: text.slice(pos) };
  } catch (e) {
    throw e instanceof LedgerFormatError && e.format !== 'witness' ? invalid(e.message) : e;
  }
}

export function formatConflictBody(latestSize: number): string {
  return `${latestSize}\n`;
}

export function parseConflictBody(body: string): number {
  if (!body.endsWith('\n')) throw invalid('a size body ends with a newline');
  try {
    return parseDecimal(body.slice(0, -1), 'size');
  } catch (e) {
    throw e instanceof LedgerFormatError ? invalid(e.message) : e;
  }
}

/** What a witness knows about one log. */
export interface WitnessLogState {
  /** The log's trusted keys for this origin. */
  readonly logVerifiers: readonly NoteVerifier[];
  /** The latest checkpoint this witness cosigned for the origin, if any. */
  readonly latest?: { readonly size: number; readonly rootHash: Uint8Array };
}

export type AddCheckpointDecision =
  | {
      readonly status: 200;
      /** Persist as the new latest (atomically, if still at `oldSize`), then cosign `text`. */
      readonly checkpoint: Checkpoint;
      readonly text: string;
    }
  | { readonly status: 400 | 403 | 404 | 422; readonly message: string }
  | { readonly status: 409; readonly message: string; readonly latestSize: number };

/**
 * The add-checkpoint checks of tlog-witness, in the spec's order, as an HTTP
 * status. `lookup` returns the witness's state for an origin, or undefined for an
 * unknown log.
 */
export function checkAddCheckpoint(
  body: string | Uint8Array,
  lookup: (origin: string) => WitnessLogState | undefined,
): AddCheckpointDecision {
  let request: AddCheckpointRequest;
  let checkpoint: Checkpoint;
  let noteText: string;
  let note: ReturnType<typeof parseNote>;
  try {
    request = parseAddCheckpointRequest(body);
    note = parseNote(request.checkpoint);
    noteText = note.text;
    checkpoint = parseCheckpoint(noteText);
  } catch (e) {
    if (e instanceof LedgerFormatError) return { status: 400, message: e.message };
    throw e;
  }
  const state = lookup(checkpoint.origin);
  if (state === undefined) return { status: 404, message: 'unknown log origin' };
  const verified = verifyNote(note, state.logVerifiers);
  if (!verified.ok) return { status: 403, message: verified.message };
  if (request.oldSize > checkpoint.size) return { status: 400, message: 'old size is larger than the checkpoint size' };
  const latestSize = state.latest?.size ?? 0;
  if (request.oldSize !== latestSize) {
    return { status: 409, message: `the latest cosigned size is ${latestSize}`, latestSize };
  }
  // Same size, different root is a fork; C2SP tlog-witness: "If the old size matches the
  // checkpoint size, the witness MUST check that the root hashes are also identical. If
  // they don't match, the witness MUST respond with a 422 Unprocessable Entity".
  if (request.oldSize === checkpoint.size && state.latest !== undefined && !equalBytes(state.latest.rootHash, checkpoint.rootHash)) {
    return { status: 422, message: `a different root for size ${latestSize} was cosigned` };
  }
  if (checkpoint.size === 0 && !equalBytes(checkpoint.rootHash, emptyRoot())) {
    return { status: 422, message: 'an empty tree has the empty root' };
  }
  if (request.oldSize === 0) {
    if (request.proof.length > 0) return { status: 422, message: 'a proof from size 0 must be empty' };
  } else {
    const latestRoot = (state.latest as { rootHash: Uint8Array }).rootHash;
    const consistent = verifyConsistency(request.oldSize, checkpoint.size, request.proof, latestRoot, checkpoint.rootHash);
    if (!consistent.ok) return { status: 422, message: consistent.reason };
  }
  return { status: 200, checkpoint, text: noteText };
}

/**
 * The log side of a 200 response: the verified cosignatures of the witnesses
 * asked. Lines by other keys are ignored, as the spec requires; a line by a
 * trusted witness that does not verify is an error.
 */
export function parseAddCheckpointResponse(
  body: string,
  checkpointText: string,
  witnesses: readonly CosignatureVerifier[],
): NoteSignature[] {
  const out: NoteSignature[] = [];
  for (const sig of parseSignatureLines(body)) {
    const witness = witnesses.find((w) => w.name === sig.name && w.keyId === sig.keyId);
    if (witness === undefined) continue;
    const verdict = verifyCosignature(witness, checkpointText, sig);
    if (!verdict.ok) throw invalid(`cosignature by ${sig.name}: ${verdict.reason}`);
    out.push(sig);
  }
  return out;
}

/**
 * Adds cosignatures to a signed checkpoint; a newer line by the same key
 * (name and key ID) replaces the older one, so a note never grows unboundedly.
 */
export function addCosignatures(signedCheckpoint: string, cosignatures: readonly NoteSignature[]): string {
  const note = parseNote(signedCheckpoint);
  const key = (s: NoteSignature): string => `${s.name}\u0000${s.keyId}`;
  const fresh = new Map(cosignatures.map((c) => [key(c), c]));
  const kept = note.signatures.filter((s) => !fresh.has(key(s)));
  return formatNote({ text: note.text, signatures: [...kept, ...fresh.values()] });
}
