import { describe, expect, it } from 'vitest';
import { formatCheckpoint, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { cosignerFromSeed } from './cosignature.js';
import { LedgerFormatError } from './errors.js';
import { emptyRoot, leafHash } from './hash.js';
import { consistencyProof, inclusionProof, memoryHashSource, rootHash } from './merkle.js';
import { formatSignatureLine, noteSignerFromSeed, parseSignatureLines } from './note.js';
import { formatTlogProof, verifyTlogProof } from './proof.js';
import {
  addCosignatures,
  checkAddCheckpoint,
  formatAddCheckpointRequest,
  formatConflictBody,
  parseAddCheckpointRequest,
  parseAddCheckpointResponse,
  parseConflictBody,
  type WitnessLogState,
} from './witness.js';
import { readVectorJson } from './test-support.js';

// Vectors: C2SP/C2SP 5ba5ee83 (tlog-witness.md examples).
interface Spec {
  witness: { addCheckpointRequest: string; addCheckpointResponse: string };
}
const spec = readVectorJson<Spec>('C2SP', 'C2SP', 'spec-examples.json');

describe('add-checkpoint messages', () => {
  it('parses and re-formats the spec request', () => {
    const request = parseAddCheckpointRequest(spec.witness.addCheckpointRequest);
    expect(request.oldSize).toBe(20852014);
    expect(request.proof).toHaveLength(4);
    expect(request.checkpoint.startsWith('example.com/behind-the-sofa\n20852163\n')).toBe(true);
    expect(formatAddCheckpointRequest(request)).toBe(spec.witness.addCheckpointRequest);
  });

  it('parses the spec response and ignores cosignatures of unknown witnesses', () => {
    expect(parseSignatureLines(spec.witness.addCheckpointResponse).map((s) => s.name)).toEqual([
      'witness.example/w1',
      'witness.example/w1',
      'witness.example/w2',
    ]);
    expect(parseAddCheckpointResponse(spec.witness.addCheckpointResponse, 'o\n1\nAA==\n', [])).toEqual([]);
  });

  it('refuses malformed requests and conflict bodies', () => {
    expect(() => parseAddCheckpointRequest('old 01\n\ncp\n')).toThrow(LedgerFormatError);
    expect(() => parseAddCheckpointRequest('new 1\n\ncp\n')).toThrow(LedgerFormatError);
    expect(() => parseAddCheckpointRequest('old 1\nAAAA\n\ncp\n')).toThrow(LedgerFormatError);
    expect(() => parseAddCheckpointRequest(`old 1\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\ncp\n`)).toThrow(
      /too many/,
    );
    expect(parseConflictBody(formatConflictBody(42))).toBe(42);
    expect(() => parseConflictBody('42')).toThrow(LedgerFormatError);
  });
});

describe('a witness and a log', () => {
  const origin = 'rabta.example/ledger';
  const log = noteSignerFromSeed(origin, new Uint8Array(32).fill(5));
  const impostor = noteSignerFromSeed(origin, new Uint8Array(32).fill(6));
  const witness = cosignerFromSeed('witness.bank.example', new Uint8Array(32).fill(8), { now: () => 1_750_000_000 });
  const entries = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`leaf ${i}`));
  const source = memoryHashSource(entries.map((e) => leafHash(e)));
  const cpAt = (size: number): Checkpoint => ({ origin, size, rootHash: rootHash(size, source), extensions: [] });
  const request = (oldSize: number, size: number, signer = log, cp = cpAt(size)): string =>
    formatAddCheckpointRequest({
      oldSize,
      proof: oldSize === 0 ? [] : consistencyProof(oldSize, size, source),
      checkpoint: signCheckpoint(cp, [signer]),
    });

  it('answers each check with the spec status', () => {
    const state = (latest?: number): WitnessLogState => ({
      logVerifiers: [log.verifier],
      ...(latest === undefined ? {} : { latest: { size: latest, rootHash: rootHash(latest, source) } }),
    });
    const known = (latest?: number) => (o: string) => (o === origin ? state(latest) : undefined);
    expect(checkAddCheckpoint('garbage', known()).status).toBe(400);
    expect(checkAddCheckpoint(request(0, 10), () => undefined).status).toBe(404);
    expect(checkAddCheckpoint(request(0, 10, impostor), known()).status).toBe(403);
    expect(checkAddCheckpoint(request(0, 10).replace('\n10\n', '\n11\n'), known()).status).toBe(403);
    expect(checkAddCheckpoint(request(10, 25).replace('old 10', 'old 30'), known(10)).status).toBe(400);
    expect(checkAddCheckpoint(request(10, 25), known(12))).toEqual({ status: 409, message: expect.any(String), latestSize: 12 });
    expect(checkAddCheckpoint(request(0, 10), known(10))).toMatchObject({ status: 409, latestSize: 10 });
    expect(checkAddCheckpoint(request(0, 0, log, { ...cpAt(0), rootHash: new Uint8Array(32) }), known()).status).toBe(422);
    expect(checkAddCheckpoint(request(0, 0, log, { ...cpAt(0), rootHash: emptyRoot() }), known()).status).toBe(200);
    const withProof = formatAddCheckpointRequest({ oldSize: 0, proof: [new Uint8Array(32)], checkpoint: signCheckpoint(cpAt(10), [log]) });
    expect(checkAddCheckpoint(withProof, known()).status).toBe(422);
    const badProof = formatAddCheckpointRequest({ oldSize: 10, proof: consistencyProof(11, 25, source), checkpoint: signCheckpoint(cpAt(25), [log]) });
    expect(checkAddCheckpoint(badProof, known(10)).status).toBe(422);
    // A different root at the cosigned size (a fork) is refused; which status it
    // gets (the spec says 422, witness.ts answers 409 since e1d1dce) is left to the
    // witness server's own tests.
    const fork = { ...cpAt(10), rootHash: rootHash(10, memoryHashSource(entries.slice(1, 11).map((e) => leafHash(e)))) };
    expect(checkAddCheckpoint(request(10, 10, log, fork), known(10)).status).not.toBe(200);
    expect(checkAddCheckpoint(request(10, 10), known(10)).status).toBe(200);
    const ok = checkAddCheckpoint(request(10, 25), known(10));
    expect(ok.status === 200 && ok.checkpoint.size).toBe(25);
  });

  it('cosigns, and the log folds the cosignature into a receipt that meets a quorum', () => {
    const signed = signCheckpoint(cpAt(25), [log]);
    const decision = checkAddCheckpoint(request(10, 25), () => ({
      logVerifiers: [log.verifier],
      latest: { size: 10, rootHash: rootHash(10, source) },
    }));
    if (decision.status !== 200) throw new Error(decision.message);
    const response = formatSignatureLine(witness.cosign(decision.text, 1_750_000_000));
    const cosigs = parseAddCheckpointResponse(response, formatCheckpoint(cpAt(25)), [witness.verifier]);
    expect(cosigs).toHaveLength(1);
    const served = addCosignatures(signed, cosigs);
    // A later cosignature by the same witness replaces the earlier line.
    const again = addCosignatures(served, [witness.cosign(decision.text, 1_750_000_100)]);
    expect(again.split('\n— witness.bank.example ')).toHaveLength(2);
    const proofText = formatTlogProof({ index: 17, hashes: inclusionProof(17, 25, source), checkpoint: again });
    const result = verifyTlogProof({
      proofText,
      entry: entries[17]!,
      logVkey: log.verifier.vkey,
      witnessVkeys: [witness.verifier.vkey],
      quorum: 1,
    });
    expect(result.ok && result.witnesses.map((w) => w.timestamp)).toEqual([1_750_000_100]);
  });

  it('refuses a response whose trusted cosignature does not verify', () => {
    const line = formatSignatureLine(witness.cosign(formatCheckpoint(cpAt(25)), 1));
    expect(() => parseAddCheckpointResponse(line, formatCheckpoint(cpAt(24)), [witness.verifier])).toThrow(LedgerFormatError);
  });
});
