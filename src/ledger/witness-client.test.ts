import { describe, expect, it } from 'vitest';
import type { Egress } from '../egress/index.js';
import { utf8 } from './encoding.js';
import { addCosignatures } from './witness.js';
import { memoryLog, testWitness } from './test-log.js';
import { pushCheckpoint, WitnessPushError, type WitnessHttpCall, type WitnessHttpRequest } from './witness-client.js';
import { createWitness, logsFromVkeys, startWitnessServer } from './witness-server.js';
import { openWitnessState } from './witness-state.js';
import { verifyTlogProof } from './proof.js';
import { formatTlogProof } from './proof.js';

// The platform passes its egress call as is.
type EgressFits = Egress['call'] extends WitnessHttpCall ? true : false;
const egressFits: EgressFits = true;

const batch = (from: number, n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => utf8(`leaf ${from + i}`));

async function setup() {
  const log = memoryLog();
  const cosigner = testWitness('witness.example/w1', 7);
  const witness = createWitness({ cosigners: [cosigner], logs: logsFromVkeys([log.signer.verifier.vkey]), state: await openWitnessState() });
  const calls: WitnessHttpRequest[] = [];
  const call: WitnessHttpCall = async (request) => {
    calls.push(request);
    const reply = await witness.addCheckpoint(request.body);
    return { status: reply.status, headers: { 'content-type': reply.contentType }, body: utf8(reply.body) };
  };
  const push = (oldSize: number, overrides: Partial<Parameters<typeof pushCheckpoint>[0]> = {}) =>
    pushCheckpoint({
      witnessUrl: 'http://witness.example/',
      witnessVkey: cosigner.verifier.vkey,
      oldSize,
      consistencyProof: async (from, to) => log.consistencyProof(from, to),
      signedCheckpoint: log.checkpoint(),
      call,
      ...overrides,
    });
  return { log, cosigner, calls, push, call };
}

describe('pushCheckpoint (tlog-witness client)', () => {
  it('accepts the platform egress call type', () => {
    expect(egressFits).toBe(true);
  });

  it('gets a cosignature that verifies once added to the checkpoint', async () => {
    const { log, cosigner, calls, push } = await setup();
    log.append(batch(0, 10));
    const result = await push(0);
    expect(calls[0]?.url).toBe('http://witness.example/add-checkpoint');
    expect(calls[0]?.method).toBe('POST');
    expect(result.size).toBe(10);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(/^— witness\.example\/w1 /);
    const cosigned = addCosignatures(log.checkpoint(), result.cosignatures);
    const proof = formatTlogProof({ index: 3, hashes: log.inclusionProof(3, 10), checkpoint: cosigned });
    const verdict = verifyTlogProof({ proofText: proof, entry: log.entries[3], logVkey: log.signer.verifier.vkey, witnessVkeys: [cosigner.verifier.vkey], quorum: 1 });
    expect(verdict.ok).toBe(true);
  });

  it('on 409 retries once from the size the witness reports', async () => {
    const { log, calls, push } = await setup();
    log.append(batch(0, 10));
    await push(0);
    log.append(batch(10, 300));
    const proofs: Array<[number, number]> = [];
    const result = await push(0, {
      consistencyProof: async (from, to) => {
        proofs.push([from, to]);
        return log.consistencyProof(from, to);
      },
    });
    expect(calls).toHaveLength(3);
    expect(result.fromSize).toBe(10);
    expect(result.size).toBe(310);
    expect(proofs).toEqual([[10, 310]]);
  });

  it('gives up when the witness is ahead, or still conflicts after one retry', async () => {
    const { log, push, call } = await setup();
    log.append(batch(0, 10));
    const small = log.checkpoint();
    log.append(batch(10, 5));
    await push(0);
    await expect(push(15, { signedCheckpoint: small })).rejects.toMatchObject({ failure: 'conflict', witnessSize: 15 });

    let n = 0;
    const stubborn: WitnessHttpCall = async (request) => {
      n++;
      if (n === 1) return call(request);
      return { status: 409, headers: { 'content-type': 'text/x.tlog.size' }, body: utf8(`${n}\n`) };
    };
    log.append(batch(15, 1));
    await expect(push(0, { call: stubborn })).rejects.toMatchObject({ failure: 'conflict' });
    expect(n).toBe(2);
  });

  it('reports 422 when the witness rejects the proof', async () => {
    const { log, push } = await setup();
    log.append(batch(0, 10));
    await push(0);
    log.append(batch(10, 10));
    const error = await push(10, { consistencyProof: async (from, to) => log.consistencyProof(from, to).map((h) => new Uint8Array(h).fill(1)) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WitnessPushError);
    expect(error).toMatchObject({ failure: 'inconsistent', status: 422 });
  });

  it('refuses a 200 without a valid cosignature by the expected key', async () => {
    const { log, push, call } = await setup();
    log.append(batch(0, 3));
    const other = testWitness('witness.example/w1', 8); // same name, another key
    await expect(push(0, { witnessVkey: other.verifier.vkey })).rejects.toMatchObject({ failure: 'bad-response' });
    const garbage: WitnessHttpCall = async () => ({ status: 200, headers: {}, body: utf8('ok\n') });
    await expect(push(0, { call: garbage })).rejects.toMatchObject({ failure: 'bad-response' });
    const broken: WitnessHttpCall = async () => ({ status: 404, headers: {}, body: utf8('unknown log\n') });
    await expect(push(0, { call: broken })).rejects.toMatchObject({ failure: 'refused', status: 404 });
    expect((await push(0, { call })).size).toBe(3);
  });

  it('works against the real HTTP witness', async () => {
    const { log, cosigner } = await setup();
    const witness = createWitness({ cosigners: [cosigner], logs: logsFromVkeys([log.signer.verifier.vkey]), state: await openWitnessState() });
    const running = await startWitnessServer(witness, { port: 0, prefix: '/w' });
    try {
      const call: WitnessHttpCall = async (request) => {
        const response = await fetch(request.url, { method: request.method, headers: request.headers, body: Buffer.from(request.body) });
        return { status: response.status, headers: Object.fromEntries(response.headers), body: new Uint8Array(await response.arrayBuffer()) };
      };
      log.append(batch(0, 2));
      const base = { witnessUrl: running.url, witnessVkey: cosigner.verifier.vkey, consistencyProof: async (f: number, t: number) => log.consistencyProof(f, t), call };
      await pushCheckpoint({ ...base, oldSize: 0, signedCheckpoint: log.checkpoint() });
      log.append(batch(2, 2));
      const result = await pushCheckpoint({ ...base, oldSize: 0, signedCheckpoint: log.checkpoint() });
      expect(result.fromSize).toBe(2);
    } finally {
      await running.close();
    }
  });
});
