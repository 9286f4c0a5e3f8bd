/**
 * For tests only: a complete tiled log in memory, grown with append.ts exactly
 * as the sequencer grows the real one, and a tiny node:http server that serves
 * it under the public API's paths (checkpoint, tiles, bundles, well-known keys).
 * Tests tamper with what is served through `overrides`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeEntryBundle, parseEntryBundle } from './bundles.js';
import { appendEntries } from './append.js';
import { formatCheckpoint } from './checkpoint.js';
import { cosignerFromSeed, type Cosigner } from './cosignature.js';
import { HASH_SIZE, leafHash } from './hash.js';
import { consistencyProof, inclusionProof, memoryHashSource } from './merkle.js';
import { formatSignatureLine, noteSignerFromSeed, parseNote, signNote, type Ed25519NoteSigner } from './note.js';
import { parseTilePath } from './tiles.js';

export interface MemoryLog {
  readonly origin: string;
  readonly signer: Ed25519NoteSigner;
  readonly entries: Uint8Array[];
  /** Appends and signs a new checkpoint (log signature only); returns the signed note. */
  append(entries: readonly Uint8Array[]): string;
  /** The latest signed note, with any cosignatures added by `cosign`. */
  checkpoint(): string;
  /** Adds the witnesses' cosignature lines to the latest checkpoint. */
  cosign(witnesses: readonly Cosigner[], timestamp?: number): string;
  consistencyProof(from: number, to: number): Uint8Array[];
  inclusionProof(index: number, size: number): Uint8Array[];
  /** The bytes served for a path under /ledger/ ("tile/0/000.p/5"), or undefined (404). */
  read(path: string): Uint8Array | undefined;
}

export function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

export function memoryLog(origin = '127.0.0.1:8080/ledger', logSeed = seed(1)): MemoryLog {
  const signer = noteSignerFromSeed(origin, logSeed);
  const entries: Uint8Array[] = [];
  const tiles = new Map<string, Uint8Array>();
  const bundles = new Map<number, Uint8Array>();
  let latest = '';

  const log: MemoryLog = {
    origin,
    signer,
    entries,
    append(batch) {
      const oldSize = entries.length;
      const result = appendEntries(oldSize, batch, {
        tile: (t) => tiles.get(`${t.level}/${t.index}`) as Uint8Array,
        bundle: (b) => bundles.get(b.index) as Uint8Array,
      });
      for (const { tile, data } of result.tiles) tiles.set(`${tile.level}/${tile.index}`, data);
      for (const { bundle, data } of result.bundles) bundles.set(bundle.index, data);
      entries.push(...batch);
      latest = signNote(formatCheckpoint({ origin, size: result.size, rootHash: result.rootHash, extensions: [] }), [signer]);
      return latest;
    },
    checkpoint: () => latest,
    cosign(witnesses, timestamp = 1_790_000_000) {
      const text = parseNote(latest).text;
      latest += witnesses.map((w) => formatSignatureLine(w.cosign(text, timestamp))).join('');
      return latest;
    },
    consistencyProof: (from, to) => consistencyProof(from, to, memoryHashSource(entries.slice(0, to).map(leafHash))),
    inclusionProof: (index, size) => inclusionProof(index, size, memoryHashSource(entries.slice(0, size).map(leafHash))),
    read(path) {
      let parsed: ReturnType<typeof parseTilePath>;
      try {
        parsed = parseTilePath(path);
      } catch {
        return undefined;
      }
      if (parsed.kind === 'tile') {
        const data = tiles.get(`${parsed.tile.level}/${parsed.tile.index}`);
        if (data === undefined || data.length < parsed.tile.width * HASH_SIZE) return undefined;
        return data.subarray(0, parsed.tile.width * HASH_SIZE);
      }
      const data = bundles.get(parsed.bundle.index);
      if (data === undefined) return undefined;
      const stored = parseEntryBundle(data);
      if (stored.length < parsed.bundle.width) return undefined;
      return encodeEntryBundle(stored.slice(0, parsed.bundle.width));
    },
  };
  return log;
}

export function testWitness(name: string, byte: number): Cosigner {
  return cosignerFromSeed(name, seed(byte));
}

export interface ServedLog {
  readonly url: string;
  /** Path (e.g. "/ledger/tile/0/000") → bytes to serve instead, or an HTTP status. */
  readonly overrides: Map<string, Uint8Array | number>;
  /** Every path requested, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serves a memory log and a /.well-known/rabta.json naming its key and the witnesses'. */
export async function serveLog(log: MemoryLog, witnesses: readonly Cosigner[] = []): Promise<ServedLog> {
  const overrides = new Map<string, Uint8Array | number>();
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://log').pathname;
    requests.push(path);
    const send = (status: number, body: Uint8Array | string, type: string): void => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    const override = overrides.get(path);
    if (typeof override === 'number') return send(override, 'overridden\n', 'text/plain');
    if (override !== undefined) return send(200, override, 'application/octet-stream');
    if (path === '/.well-known/rabta.json') {
      const keys = [
        { use: 'log', vkey: log.signer.verifier.vkey, notBefore: null, notAfter: null },
        ...witnesses.map((w) => ({ use: 'witness', vkey: w.verifier.vkey, name: w.name, url: 'http://witness.invalid/', member: 'PK/GOV/X', notBefore: null, notAfter: null })),
      ];
      return send(200, JSON.stringify({ instance: 'PK', keys }), 'application/json');
    }
    if (path === '/ledger/checkpoint') return log.checkpoint() === '' ? send(404, 'empty\n', 'text/plain') : send(200, log.checkpoint(), 'text/plain; charset=utf-8');
    if (path === '/ledger/vkey') return send(200, `${log.signer.verifier.vkey}\n`, 'text/plain; charset=utf-8');
    const data = path.startsWith('/ledger/') ? log.read(path.slice('/ledger/'.length)) : undefined;
    if (data === undefined) return send(404, 'not found\n', 'text/plain');
    return send(200, data, 'application/octet-stream');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    overrides,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A fetch for verifyLog over the global fetch. */
export async function plainFetch(url: string): Promise<{ status: number; body: Uint8Array }> {
  const response = await fetch(url);
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
}
