import { describe, expect, it } from 'vitest';
import { formatCheckpoint, signCheckpoint } from './checkpoint.js';
import { cosignerFromSeed, generateCosignerKey } from './cosignature.js';
import { LedgerFormatError } from './errors.js';
import { leafHash } from './hash.js';
import { inclusionProof, memoryHashSource, rootHash } from './merkle.js';
import { formatSignatureLine, generateNoteKey, parseNote, parseNoteSignerKey, formatNote } from './note.js';
import { formatTlogProof, parseTlogProof, verifyTlogProof, type TlogProof } from './proof.js';
import { tileHashSource, tilePath } from './tiles.js';
import { readVector, readVectorJson, readVectorText } from './test-support.js';

// Vectors: transparency-dev/formats 0b850f1a (proof/tlog_proof_test.go), C2SP/C2SP 5ba5ee83
// (tlog-proof.md), transparency-dev/tessera 1811ae1a (testdata/log).
interface Formats {
  tlogProof: {
    marshal: { index: number; hashes: string[]; checkpoint: string; extraBase64?: string; want: string }[];
    unmarshalErrors: { desc: string; text: string }[];
  };
}
interface Spec {
  proof: { text: string };
}
interface Tessera {
  log: { vkey: string; entries: string[] };
}
const formats = readVectorJson<Formats>('transparency-dev', 'formats', 'vectors.json');
const spec = readVectorJson<Spec>('C2SP', 'C2SP', 'spec-examples.json');
const tessera = readVectorJson<Tessera>('transparency-dev', 'tessera', 'keys.json');
const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('tlog-proof format', () => {
  it('formats the transparency-dev/formats vectors and parses them back', () => {
    for (const m of formats.tlogProof.marshal) {
      const proof: TlogProof = {
        index: m.index,
        hashes: m.hashes.map(b64),
        checkpoint: m.checkpoint,
        ...(m.extraBase64 === undefined ? {} : { extra: b64(m.extraBase64) }),
      };
      expect(formatTlogProof(proof)).toBe(m.want);
      expect(parseTlogProof(m.want)).toEqual(proof);
    }
  });

  it('refuses the transparency-dev/formats malformed proofs', () => {
    for (const u of formats.tlogProof.unmarshalErrors) expect(() => parseTlogProof(u.text), u.desc).toThrow(LedgerFormatError);
  });

  it('parses the C2SP example', () => {
    const p = parseTlogProof(spec.proof.text);
    expect(p.index).toBe(73894);
    expect(p.hashes).toHaveLength(5);
    expect(Buffer.from(p.extra!).subarray(0, 6).toString()).toBe('age-v1');
    expect(p.checkpoint.startsWith('example.com/fancylog\n109482\n')).toBe(true);
  });

  it('refuses more text than any proof needs, leading zeros and short hashes', () => {
    expect(() => parseTlogProof(`${'c2sp.org/tlog-proof@v1\nindex 0\n'}${'A'.repeat(2 << 20)}\n\nx\n`)).toThrow(LedgerFormatError);
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 01\n\ncheckpoint\n')).toThrow(LedgerFormatError);
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\ncheckpoint\n')).toThrow(LedgerFormatError);
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 1\n\n')).toThrow(LedgerFormatError);
    expect(() => formatTlogProof({ index: 0, hashes: [new Uint8Array(31)], checkpoint: 'c\n' })).toThrow(LedgerFormatError);
  });
});

describe('verifyTlogProof', () => {
  const origin = 'rabta.example/ledger';
  const log = parseNoteSignerKey(generateNoteKey(origin).signerKey);
  const w1 = cosignerFromSeed('w1.bank.example', new Uint8Array(32).fill(1));
  const w2 = cosignerFromSeed('w2.telco.example', new Uint8Array(32).fill(2));
  const w3 = cosignerFromSeed('w3.prov.example', new Uint8Array(32).fill(3));
  const stranger = cosignerFromSeed('stranger.example', new Uint8Array(32).fill(4));
  const witnessVkeys = [w1, w2, w3].map((w) => w.verifier.vkey);

  const entries = Array.from({ length: 1000 }, (_, i) => utf8(`rabta leaf ${i}`));
  const source = memoryHashSource(entries.map((e) => leafHash(e)));
  const size = 1000;
  const cp = { origin, size, rootHash: rootHash(size, source), extensions: [] };
  const text = formatCheckpoint(cp);
  const logSigned = parseNote(signCheckpoint(cp, [log]));
  const cosigned = formatNote({
    text,
    signatures: [...logSigned.signatures, w1.cosign(text, 1_750_000_000), stranger.cosign(text, 1_750_000_001), w2.cosign(text, 1_750_000_002)],
  });
  const receipt = (index: number, checkpoint = cosigned, extra?: Uint8Array): string =>
    formatTlogProof({ index, hashes: inclusionProof(index, size, source), checkpoint, ...(extra ? { extra } : {}) });
  const base = { logVkey: log.verifier.vkey, witnessVkeys, quorum: 2 };

  it('accepts a receipt with a quorum of witnesses', () => {
    const result = verifyTlogProof({ ...base, proofText: receipt(417, cosigned, utf8('ctx')), entry: entries[417]! });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.index).toBe(417);
      expect(result.checkpoint.size).toBe(size);
      expect(result.witnesses.map((w) => [w.name, w.timestamp])).toEqual([
        ['w1.bank.example', 1_750_000_000],
        ['w2.telco.example', 1_750_000_002],
      ]);
      expect(Buffer.from(result.extra!).toString()).toBe('ctx');
    }
    expect(verifyTlogProof({ ...base, proofText: receipt(0), leafHash: leafHash(entries[0]!) }).ok).toBe(true);
  });

  it('says which check failed', () => {
    const r = receipt(417);
    const fails = (input: Partial<Parameters<typeof verifyTlogProof>[0]>): string | undefined => {
      const result = verifyTlogProof({ ...base, proofText: r, entry: entries[417]!, ...input });
      return result.ok ? undefined : result.failed;
    };
    expect(fails({ quorum: 3 })).toBe('quorum-not-met');
    expect(fails({ entry: entries[418]! })).toBe('inclusion-failed');
    expect(fails({ proofText: r.replace('index 417', 'index 416') })).toBe('inclusion-failed');
    expect(fails({ logVkey: generateNoteKey(origin).verifierKey })).toBe('log-signature-missing');
    expect(fails({ origin: 'elsewhere' })).toBe('origin-mismatch');
    expect(fails({ proofText: r.replace('c2sp.org', 'c2sp.net') })).toBe('malformed-proof');
    expect(fails({ proofText: r.replace(`\n${size}\n`, `\n0${size}\n`) })).toBe('malformed-checkpoint');
    expect(fails({ quorum: 4 })).toBe('invalid-policy');
    expect(fails({ witnessVkeys: [...witnessVkeys, witnessVkeys[0]!] })).toBe('invalid-policy');
    expect(fails({ logVkey: witnessVkeys[0]! })).toBe('invalid-policy');
    expect(fails({ leafHash: leafHash(entries[417]!) })).toBe('invalid-policy');
    expect(fails({ maxFutureSeconds: 0, now: 1_700_000_000 })).toBe('witness-signature-invalid');
  });

  it('rejects a tampered log signature or witness cosignature', () => {
    const note = parseNote(cosigned);
    const flip = (i: number): string => {
      const sigs = note.signatures.map((s, k) => {
        if (k !== i) return s;
        const bytes = new Uint8Array(s.signature);
        bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
        return { ...s, signature: bytes };
      });
      return formatNote({ text: note.text, signatures: sigs });
    };
    const run = (checkpoint: string): string | undefined => {
      const result = verifyTlogProof({ ...base, proofText: receipt(5, checkpoint), entry: entries[5]! });
      return result.ok ? undefined : result.failed;
    };
    expect(run(flip(0))).toBe('log-signature-invalid');
    expect(run(flip(1))).toBe('witness-signature-invalid');
    expect(run(flip(2))).toBeUndefined(); // an unknown witness's line is ignored
  });

  it('counts one witness once, however it is listed or repeats itself', () => {
    const twice = `${cosigned}${formatSignatureLine(w1.cosign(text, 1_760_000_000))}`;
    const result = verifyTlogProof({ ...base, quorum: 3, proofText: receipt(9, twice), entry: entries[9]! });
    expect(result).toMatchObject({ ok: false, failed: 'quorum-not-met' });
    // The same public key under a second name would let one witness count twice.
    const alias = cosignerFromSeed('alias.example', new Uint8Array(32).fill(1)).verifier.vkey;
    expect(verifyTlogProof({ ...base, witnessVkeys: [...witnessVkeys, alias], proofText: receipt(9), entry: entries[9]! })).toMatchObject({
      ok: false,
      failed: 'invalid-policy',
    });
  });

  it('accepts a log key rotation and a zero quorum', () => {
    const next = parseNoteSignerKey(generateNoteKey(origin).signerKey);
    const checkpoint = signCheckpoint(cp, [next]);
    const result = verifyTlogProof({
      logVkey: [log.verifier.vkey, next.verifier.vkey],
      witnessVkeys: [generateCosignerKey('w.example').verifierKey],
      quorum: 0,
      proofText: receipt(999, checkpoint),
      entry: entries[999]!,
    });
    expect(result.ok && result.witnesses).toEqual([]);
  });

  it('fails the C2SP example on its elided signatures', () => {
    const result = verifyTlogProof({
      proofText: spec.proof.text,
      leafHash: new Uint8Array(32),
      logVkey: generateNoteKey('example.com/fancylog').verifierKey,
      witnessVkeys: [],
      quorum: 0,
    });
    expect(result).toMatchObject({ ok: false, failed: 'malformed-checkpoint' });
  });

  it('verifies a receipt built from tessera testdata tiles and its signed checkpoint', () => {
    const LOG = ['transparency-dev', 'tessera', 'testdata', 'log'];
    const tiles = tileHashSource(15, (t) => readVector(...LOG, ...tilePath(t).split('/')));
    const index = tessera.log.entries.indexOf('seven');
    const proofText = formatTlogProof({ index, hashes: inclusionProof(index, 15, tiles), checkpoint: readVectorText(...LOG, 'checkpoint') });
    const result = verifyTlogProof({ proofText, entry: utf8('seven'), logVkey: tessera.log.vkey, witnessVkeys: [], quorum: 0 });
    expect(result.ok && result.index).toBe(6);
  });
});
