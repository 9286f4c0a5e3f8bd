/**
 * A C2SP tlog-witness (c2sp.org/tlog-witness): `POST <prefix>/add-checkpoint`.
 * Members run it so that Rabta cannot show different trees to different people
 * without a witness noticing: it cosigns (tlog-cosignature v1) a checkpoint only
 * if the log signed it and it extends the last tree this witness cosigned.
 *
 * The checks and their HTTP statuses are `checkAddCheckpoint` (witness.ts); this
 * file adds what the spec leaves to the witness: the per-origin lock, persisting
 * before answering (witness-state.ts), cosigning, and the HTTP transport.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cosigner } from './cosignature.js';
import { parseCheckpoint } from './checkpoint.js';
import { DEFAULT_NOTE_LIMITS, formatSignatureLine, parseNote, parseNoteVerifierKey, type NoteVerifier } from './note.js';
import { checkAddCheckpoint, formatConflictBody, parseAddCheckpointRequest, MAX_CONSISTENCY_LINES, type WitnessLogState } from './witness.js';
import type { WitnessStateStore } from './witness-state.js';

/** A log this witness vouches for: its origin and the key(s) it signs with. */
export interface WitnessedLog {
  readonly origin: string;
  /** Several during a key rotation. */
  readonly verifiers: readonly NoteVerifier[];
}

export interface WitnessOptions {
  /** The witness key(s); each answers with one cosignature line. */
  readonly cosigners: readonly Cosigner[];
  readonly logs: readonly WitnessedLog[];
  readonly state: WitnessStateStore;
  /** Seconds since the epoch, for cosignature timestamps. */
  readonly now?: () => number;
  /** Every refusal and cosignature, for the operator's log (refusals may be evidence of a misbehaving log). */
  readonly onEvent?: (event: WitnessEvent) => void;
}

export type WitnessEvent =
  | { readonly kind: 'cosigned'; readonly origin: string; readonly size: number; readonly oldSize: number }
  | { readonly kind: 'refused'; readonly origin: string | undefined; readonly status: number; readonly message: string };

export interface WitnessReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface Witness {
  /** Handles one add-checkpoint request body. */
  addCheckpoint(body: Uint8Array | string): Promise<WitnessReply>;
}

const TEXT = 'text/plain; charset=utf-8';
/** The spec's content type for a 409 answer: the size the witness knows. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

/** Groups log vkeys (type 0x01) by origin: a log's key name is its origin. */
export function logsFromVkeys(vkeys: readonly string[]): WitnessedLog[] {
  const byOrigin = new Map<string, NoteVerifier[]>();
  for (const vkey of vkeys) {
    const verifier = parseNoteVerifierKey(vkey.trim());
    byOrigin.set(verifier.name, [...(byOrigin.get(verifier.name) ?? []), verifier]);
  }
  return [...byOrigin].map(([origin, verifiers]) => ({ origin, verifiers }));
}

/** The origin a request names, if it parses that far; used only to pick the lock. */
function originOf(body: Uint8Array | string): string | undefined {
  try {
    return parseCheckpoint(parseNote(parseAddCheckpointRequest(body).checkpoint).text).origin;
  } catch {
    return undefined;
  }
}

export function createWitness(options: WitnessOptions): Witness {
  if (options.cosigners.length === 0) throw new RangeError('a witness needs a key');
  const logs = new Map(options.logs.map((l) => [l.origin, l]));
  const now = options.now ?? ((): number => Math.floor(Date.now() / 1000));
  const emit = (event: WitnessEvent): void => options.onEvent?.(event);

  const refuse = (origin: string | undefined, status: number, message: string): WitnessReply => {
    emit({ kind: 'refused', origin, status, message });
    return { status, contentType: TEXT, body: `${message}\n` };
  };

  return {
    async addCheckpoint(body) {
      const origin = originOf(body);
      const log = origin === undefined ? undefined : logs.get(origin);
      if (origin === undefined || log === undefined) {
        // Malformed (400) or unknown log (404): nothing to lock, nothing to change.
        const decision = checkAddCheckpoint(body, () => undefined);
        return refuse(origin, decision.status, 'message' in decision ? decision.message : 'unknown log origin');
      }
      return options.state.withOrigin(origin, (current) => {
        const lookup = (o: string): WitnessLogState | undefined =>
          o === origin ? { logVerifiers: log.verifiers, ...(current === undefined ? {} : { latest: current }) } : undefined;
        const decision = checkAddCheckpoint(body, lookup);
        if (decision.status === 409) {
          emit({ kind: 'refused', origin, status: 409, message: decision.message });
          return { result: { status: 409, contentType: TLOG_SIZE_CONTENT_TYPE, body: formatConflictBody(decision.latestSize) } };
        }
        if (decision.status !== 200) return { result: refuse(origin, decision.status, decision.message) };
        const timestamp = now();
        const lines = options.cosigners.map((c) => formatSignatureLine(c.cosign(decision.text, timestamp))).join('');
        const { size, rootHash } = decision.checkpoint;
        emit({ kind: 'cosigned', origin, size, oldSize: current?.size ?? 0 });
        const reply: WitnessReply = { status: 200, contentType: TEXT, body: lines };
        // Re-cosigning the checkpoint it already holds changes nothing to persist.
        if (current !== undefined && current.size === size) return { result: reply };
        return { next: { size, rootHash, checkpoint: decision.text, cosignedAt: timestamp }, result: reply };
      });
    },
  };
}

export interface WitnessServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The submission prefix, e.g. "/witness"; default none. */
  readonly prefix?: string;
  readonly maxBodyBytes?: number;
}

export interface RunningWitness {
  readonly server: Server;
  /** The submission prefix URL: what to register with `rabta witness add --witness-url`. */
  readonly url: string;
  close(): Promise<void>;
}

// A note of the default maximum size plus the old-size line and 63 proof lines.
const DEFAULT_MAX_BODY = DEFAULT_NOTE_LIMITS.maxBytes + 32 + (MAX_CONSISTENCY_LINES + 1) * 48;

export async function startWitnessServer(witness: Witness, options: WitnessServerOptions = {}): Promise<RunningWitness> {
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const server = createServer((request, response) => {
    handle(witness, prefix, maxBody, request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, { status: 500, contentType: TEXT, body: 'internal error\n' });
      else response.destroy();
      // The state may not have been persisted: no cosignature was sent. Say why on stderr.
      console.error(`witness: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  // Keep-alive is recommended by the spec: logs push every checkpoint.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // accept() failing (EMFILE) is emitted on the server: heard here, it costs one connection, not the witness.
  server.on('error', (error) => console.error(`witness: ${error.message}`));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}${prefix}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // A connection opened but not yet used would otherwise hold the stop until headersTimeout (60 s);
        // a log whose add-checkpoint is cut retries it with the next checkpoint.
        server.closeAllConnections();
      }),
  };
}

async function handle(witness: Witness, prefix: string, maxBody: number, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://witness').pathname;
  if (path !== `${prefix}/add-checkpoint`) {
    request.resume();
    return send(response, { status: 404, contentType: TEXT, body: 'not found\n' });
  }
  if (request.method !== 'POST') {
    request.resume();
    response.setHeader('allow', 'POST');
    return send(response, { status: 405, contentType: TEXT, body: 'add-checkpoint takes POST\n' });
  }
  const body = await readBody(request, maxBody);
  if (body === undefined) {
    response.setHeader('connection', 'close');
    return send(response, { status: 413, contentType: TEXT, body: `larger than ${maxBody} bytes\n` });
  }
  send(response, await witness.addCheckpoint(body));
}

/** The body, or undefined once it exceeds `max` bytes (the rest is not read). */
async function readBody(request: IncomingMessage, max: number): Promise<Uint8Array | undefined> {
  if (Number(request.headers['content-length']) > max) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function send(response: ServerResponse, reply: WitnessReply): void {
  response.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': Buffer.byteLength(reply.body) });
  response.end(reply.body);
}
