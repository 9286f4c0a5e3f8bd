import { describe, expect, it } from 'vitest';
import { commitment, encodeLeaf, LEAF_KIND } from './canonical.js';
import { encodeBase64 } from './encoding.js';
import { formatTlogProof } from './proof.js';
import { asReceipt, verifyReceipt, type ReceiptDocument } from './receipt-verify.js';
import { memoryLog, seed, testWitness } from './test-log.js';

const w1 = testWitness('witness.example/w1', 21);
const w2 = testWitness('witness.example/w2', 22);

function issue() {
  const log = memoryLog();
  const record = { id: '0b8a4c1e-8f0a-4a56-9d1c-2f1f0e7d9a11', client: 'PK/BANK/HBL/app', service: 'PK/GOV/BISP/payments/status', status: 200, at: 1_790_000_000_000 };
  const salt = seed(5);
  const filler = Array.from({ length: 12 }, (_, i) => encodeLeaf({ kind: LEAF_KIND.event, time: i, commitment: new Uint8Array(32).fill(i) }));
  const entry = encodeLeaf({ kind: LEAF_KIND.exchange, time: record.at, commitment: commitment(salt, record) });
  const clear = encodeLeaf({ kind: LEAF_KIND.registryChange, time: 1, clear: { action: 'member.create', target: 'PK/GOV/BISP' } });
  log.append([...filler.slice(0, 7), entry, clear, ...filler.slice(7)]);
  log.cosign([w1, w2]);
  const size = log.entries.length;
  const proofFor = (index: number) => formatTlogProof({ index, hashes: log.inclusionProof(index, size), checkpoint: log.checkpoint() });
  const receipt: ReceiptDocument = {
    // Key order differs from the logged one: the commitment is over canonical JSON.
    record: { status: 200, at: record.at, service: record.service, client: record.client, id: record.id },
    salt: encodeBase64(salt),
    entry: encodeBase64(entry),
    index: 7,
    proof: proofFor(7),
    logVkey: log.signer.verifier.vkey,
    witnessVkeys: [w1.verifier.vkey, w2.verifier.vkey],
  };
  const clearReceipt: ReceiptDocument = { record: null, salt: null, entry: encodeBase64(clear), index: 8, proof: proofFor(8), logVkey: receipt.logVkey, witnessVkeys: receipt.witnessVkeys };
  return { log, receipt, clearReceipt };
}

describe('verifyReceipt (rabta ledger receipt verify)', () => {
  it('accepts a genuine receipt, with pinned keys and a quorum', () => {
    const { receipt, log } = issue();
    const result = verifyReceipt(receipt, { quorum: 2, logVkey: log.signer.verifier.vkey, witnessVkeys: [w1.verifier.vkey, w2.verifier.vkey] });
    expect(result).toMatchObject({ ok: true, index: 7, keysPinned: true, leaf: { kind: LEAF_KIND.exchange } });
    if (result.ok) expect(result.witnesses).toHaveLength(2);
    expect(verifyReceipt(receipt, { quorum: 1 })).toMatchObject({ ok: true, keysPinned: false });
  });

  it('refuses a receipt whose record was altered', () => {
    const { receipt } = issue();
    const tampered = { ...receipt, record: { ...(receipt.record as Record<string, unknown>), status: 500 } };
    expect(verifyReceipt(tampered, { quorum: 2 })).toMatchObject({ ok: false, failed: 'record-mismatch' });
    const otherSalt = { ...receipt, salt: encodeBase64(seed(6)) };
    expect(verifyReceipt(otherSalt, { quorum: 2 })).toMatchObject({ ok: false, failed: 'record-mismatch' });
  });

  it('refuses what the proof does not back', () => {
    const { receipt, clearReceipt } = issue();
    expect(verifyReceipt({ ...receipt, proof: clearReceipt.proof, index: 8 }, { quorum: 0 })).toMatchObject({ ok: false, failed: 'inclusion-failed' });
    expect(verifyReceipt(receipt, { quorum: 0, logVkey: memoryLog(undefined, seed(99)).signer.verifier.vkey })).toMatchObject({ ok: false, failed: 'log-signature-missing' });
    const w3 = testWitness('witness.example/w3', 23);
    expect(verifyReceipt(receipt, { quorum: 1, witnessVkeys: [w3.verifier.vkey] })).toMatchObject({ ok: false, failed: 'quorum-not-met' });
    expect(verifyReceipt({ ...receipt, index: 3 }, { quorum: 0 })).toMatchObject({ ok: false, failed: 'malformed-receipt' });
  });

  it('checks receipts of leaves logged in clear', () => {
    const { clearReceipt } = issue();
    expect(verifyReceipt(clearReceipt, { quorum: 2 })).toMatchObject({ ok: true, leaf: { clear: { action: 'member.create' } } });
    expect(verifyReceipt({ ...clearReceipt, record: { target: 'PK/GOV/BISP', action: 'member.create' } }, { quorum: 2 }).ok).toBe(true);
    expect(verifyReceipt({ ...clearReceipt, record: { action: 'member.delete' } }, { quorum: 2 })).toMatchObject({ ok: false, failed: 'record-mismatch' });
  });

  it('says what is wrong with a document that is not a receipt', () => {
    expect(asReceipt([])).toBe('a receipt is a JSON object');
    expect(asReceipt({ record: {}, salt: 1, entry: '', proof: '', logVkey: '', witnessVkeys: [] })).toContain('salt');
    const { receipt } = issue();
    expect(asReceipt(JSON.parse(JSON.stringify(receipt)))).toEqual(receipt);
  });
});
