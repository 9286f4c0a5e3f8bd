/**
 * The log's side of tlog-witness: push a new signed checkpoint to one witness
 * with a consistency proof from the size the witness last cosigned, and get its
 * cosignature back. The HTTP call is injected: the platform passes its egress
 * `call` (policy, timeouts), tests and tools pass anything with that shape.
 *
 * The caller usually remembers each witness's size from its last success; when
 * it does not (first push, restart, another node pushed meanwhile), the witness
 * answers 409 with the size it knows, and we retry once from that size.
 */
import { parseCosignatureVerifierKey } from './cosignature.js';
import { decodeUtf8, utf8 } from './encoding.js';
import { LedgerFormatError } from './errors.js';
import { parseCheckpoint } from './checkpoint.js';
import { formatSignatureLine, parseNote, type NoteSignature } from './note.js';
import { formatAddCheckpointRequest, parseAddCheckpointResponse, parseConflictBody } from './witness.js';

/** Structurally the egress module's request, so `egress.call` can be passed as is. */
export interface WitnessHttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array;
  timeoutMs?: number;
}

export interface WitnessHttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

export type WitnessHttpCall = (request: WitnessHttpRequest) => Promise<WitnessHttpResponse>;

export interface PushCheckpointInput {
  /** The witness's submission prefix as registered; `/add-checkpoint` is appended (unless already there). */
  readonly witnessUrl: string;
  /** The witness's cosigning vkey (type 0x04): only its valid cosignatures are returned. */
  readonly witnessVkey: string;
  /** The size this witness last cosigned, as far as the caller knows (0 if unknown). */
  readonly oldSize: number;
  /** A consistency proof from `from` to `to` (never called for from = 0 or from = to). */
  readonly consistencyProof: (from: number, to: number) => Promise<Uint8Array[]>;
  /** The log's signed checkpoint note, as published. */
  readonly signedCheckpoint: string;
  readonly call: WitnessHttpCall;
  readonly timeoutMs?: number;
}

export interface PushCheckpointResult {
  /** The witness's verified cosignature line(s), each without its final newline. */
  readonly lines: string[];
  readonly cosignatures: NoteSignature[];
  /** The size the witness now holds: the checkpoint's. Remember it for the next push. */
  readonly size: number;
  /** The old size that was accepted (differs from the input after a 409). */
  readonly fromSize: number;
}

export type WitnessPushFailure =
  /** The witness's size is not one we can prove from (larger than ours, or still conflicting after a retry). */
  | 'conflict'
  /** 422: the witness says our consistency proof does not verify. */
  | 'inconsistent'
  /** Any other refusal (400, 403, 404, 5xx…). */
  | 'refused'
  /** A 200 without a valid cosignature by this witness, or an unreadable 409. */
  | 'bad-response';

export class WitnessPushError extends Error {
  override name = 'WitnessPushError';
  constructor(
    readonly failure: WitnessPushFailure,
    readonly status: number | undefined,
    message: string,
    /** For a conflict: the size the witness reported. */
    readonly witnessSize?: number,
  ) {
    super(message);
  }
}

function addCheckpointUrl(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed.endsWith('/add-checkpoint') ? trimmed : `${trimmed}/add-checkpoint`;
}

function bodyText(body: Uint8Array): string {
  try {
    return decodeUtf8(body, 'witness');
  } catch {
    return '';
  }
}

/**
 * Pushes a checkpoint to a witness; resolves with its cosignature(s) or rejects
 * with a WitnessPushError. Transport errors from `call` propagate unchanged.
 */
export async function pushCheckpoint(input: PushCheckpointInput): Promise<PushCheckpointResult> {
  const witness = parseCosignatureVerifierKey(input.witnessVkey);
  const noteText = parseNote(input.signedCheckpoint).text;
  const { size } = parseCheckpoint(noteText);
  const url = addCheckpointUrl(input.witnessUrl);

  const attempt = async (oldSize: number): Promise<WitnessHttpResponse> => {
    const proof = oldSize === 0 || oldSize === size ? [] : await input.consistencyProof(oldSize, size);
    return input.call({
      url,
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: utf8(formatAddCheckpointRequest({ oldSize, proof, checkpoint: input.signedCheckpoint })),
      ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
    });
  };

  let fromSize = input.oldSize;
  if (fromSize > size) fromSize = 0; // stale knowledge of a larger size: let the witness tell us
  let response = await attempt(fromSize);
  if (response.status === 409) {
    const known = conflictSize(response);
    if (known > size) {
      throw new WitnessPushError('conflict', 409, `${witness.name} has cosigned size ${known}, larger than this checkpoint (${size})`, known);
    }
    if (known === fromSize) {
      // Same size, yet a conflict: the witness holds a different root for it (a fork).
      throw new WitnessPushError('conflict', 409, `${witness.name} holds a different tree of size ${known}`, known);
    }
    fromSize = known;
    response = await attempt(fromSize);
    if (response.status === 409) {
      const again = conflictSize(response);
      throw new WitnessPushError('conflict', 409, `${witness.name} still reports a conflict at size ${again}`, again);
    }
  }
  if (response.status === 422) {
    throw new WitnessPushError('inconsistent', 422, `${witness.name} says the consistency proof from ${fromSize} to ${size} does not verify: ${bodyText(response.body).trim()}`);
  }
  if (response.status !== 200) {
    throw new WitnessPushError('refused', response.status, `${witness.name} answered ${response.status}: ${bodyText(response.body).trim().slice(0, 200)}`);
  }
  let cosignatures: NoteSignature[];
  try {
    cosignatures = parseAddCheckpointResponse(bodyText(response.body), noteText, [witness]);
  } catch (error) {
    throw new WitnessPushError('bad-response', 200, `${witness.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (cosignatures.length === 0) throw new WitnessPushError('bad-response', 200, `${witness.name} answered without a cosignature by its key`);
  return { lines: cosignatures.map((c) => formatSignatureLine(c).slice(0, -1)), cosignatures, size, fromSize };
}

function conflictSize(response: WitnessHttpResponse): number {
  try {
    return parseConflictBody(bodyText(response.body));
  } catch (error) {
    const why = error instanceof LedgerFormatError ? error.message : String(error);
    throw new WitnessPushError('bad-response', 409, `a 409 without a readable size (${why})`);
  }
}
