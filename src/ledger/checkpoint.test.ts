import { describe, expect, it } from 'vitest';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { LedgerFormatError } from './errors.js';
import { emptyRoot, sha256 } from './hash.js';
import { generateNoteKey, parseNoteSignerKey, parseNoteVerifierKey } from './note.js';
import { readVectorJson } from './test-support.js';

// Vectors: C2SP/C2SP 5ba5ee83 (tlog-checkpoint.md), transparency-dev/formats 0b850f1a (log/checkpoint_test.go).
interface Spec {
  checkpoint: { note: string };
}
interface Formats {
  checkpoints: {
    marshal: { origin: string; size: number; hashBase64: string; want: string }[];
    unmarshal: { desc: string; text: string; ok: boolean; rest?: string }[];
  };
}
const spec = readVectorJson<Spec>('C2SP', 'C2SP', 'spec-examples.json');
const formats = readVectorJson<Formats>('transparency-dev', 'formats', 'vectors.json');

const ROOT = sha256(new TextEncoder().encode('root'));
const ROOT_B64 = Buffer.from(ROOT).toString('base64');

describe('C2SP tlog-checkpoint example', () => {
  it('parses and re-formats byte for byte', () => {
    const text = spec.checkpoint.note.slice(0, spec.checkpoint.note.indexOf('\n\n') + 1);
    const cp = parseCheckpoint(text);
    expect(cp.origin).toBe('example.com/behind-the-sofa');
    expect(cp.size).toBe(20852163);
    expect(cp.rootHash).toHaveLength(32);
    expect(cp.extensions).toEqual([]);
    expect(formatCheckpoint(cp)).toBe(text);
  });
});

describe('transparency-dev/formats checkpoint vectors', () => {
  it('formats the marshal vectors line for line (with 32-byte roots)', () => {
    for (const m of formats.checkpoints.marshal) {
      // Their roots are short strings; the line layout is what we compare.
      expect(() => formatCheckpoint({ origin: m.origin, size: m.size, rootHash: Buffer.from(m.hashBase64, 'base64'), extensions: [] })).toThrow(
        /32 bytes/,
      );
      const text = formatCheckpoint({ origin: m.origin, size: m.size, rootHash: ROOT, extensions: [] });
      expect(text).toBe(m.want.replace(m.hashBase64, ROOT_B64));
    }
  });

  for (const u of formats.checkpoints.unmarshal) {
    it(`unmarshal: ${u.desc}`, () => {
      if (!u.ok) {
        expect(() => parseCheckpoint(u.text)).toThrow(LedgerFormatError);
        return;
      }
      // Documented deviation: their "valid" roots are not 32 bytes, so we refuse them...
      expect(() => parseCheckpoint(u.text)).toThrow(/32 bytes/);
      // ...and with a real root, trailing lines are extensions, which must be non-empty.
      const lines = u.text.split('\n');
      lines[2] = ROOT_B64;
      const fixed = lines.join('\n');
      const restLines = (u.rest ?? '').split('\n').slice(0, -1);
      if (restLines.some((l) => l === '')) {
        expect(() => parseCheckpoint(fixed)).toThrow(/empty extension/);
      } else {
        expect(parseCheckpoint(fixed).extensions).toEqual(restLines);
      }
    });
  }
});

describe('checkpoint rules', () => {
  const base: Checkpoint = { origin: 'rabta.example/ledger', size: 7, rootHash: ROOT, extensions: [] };

  it('round-trips with extension lines', () => {
    const cp = { ...base, extensions: ['ext one', 'ext two'] };
    expect(parseCheckpoint(formatCheckpoint(cp))).toEqual(cp);
  });

  it('accepts size 0 and refuses leading zeros, signs and oversized numbers', () => {
    const zero = formatCheckpoint({ ...base, size: 0, rootHash: emptyRoot() });
    expect(parseCheckpoint(zero).size).toBe(0);
    for (const size of ['07', '-7', '+7', '7.0', ' 7', '9007199254740992', '']) {
      expect(() => parseCheckpoint(`o\n${size}\n${ROOT_B64}\n`), size).toThrow(LedgerFormatError);
    }
    expect(parseCheckpoint(`o\n9007199254740991\n${ROOT_B64}\n`).size).toBe(2 ** 53 - 1);
  });

  it('refuses what the spec forbids', () => {
    expect(() => formatCheckpoint({ ...base, origin: '' })).toThrow(LedgerFormatError);
    expect(() => formatCheckpoint({ ...base, origin: 'a\nb' })).toThrow(LedgerFormatError);
    expect(() => formatCheckpoint({ ...base, extensions: [''] })).toThrow(LedgerFormatError);
    expect(() => formatCheckpoint({ ...base, rootHash: new Uint8Array(31) })).toThrow(LedgerFormatError);
    expect(() => formatCheckpoint({ ...base, size: -1 })).toThrow(RangeError);
    expect(() => parseCheckpoint(`o\n1\n${ROOT_B64}`)).toThrow(/newline/);
    expect(() => parseCheckpoint(`o\n1\n${ROOT_B64.replace('=', '')}\n`)).toThrow(LedgerFormatError);
    expect(() => parseCheckpoint(`o\t\n1\n${ROOT_B64}\n`)).toThrow(LedgerFormatError);
  });
});

describe('signed checkpoints', () => {
  const { signerKey, verifierKey } = generateNoteKey('rabta.example/ledger');
  const signer = parseNoteSignerKey(signerKey);
  const verifier = parseNoteVerifierKey(verifierKey);
  const cp: Checkpoint = { origin: 'rabta.example/ledger', size: 7, rootHash: ROOT, extensions: [] };

  it('signs and opens', () => {
    const signed = signCheckpoint(cp, [signer]);
    const opened = openCheckpoint(signed, { logVerifiers: [verifier] });
    expect(opened.ok && opened.checkpoint).toEqual(cp);
  });

  it('says which check failed', () => {
    const signed = signCheckpoint(cp, [signer]);
    const other = parseNoteVerifierKey(generateNoteKey('rabta.example/ledger').verifierKey);
    expect(openCheckpoint(signed, { logVerifiers: [other] })).toMatchObject({ ok: false, reason: 'no-log-signature' });
    expect(openCheckpoint(signed, { logVerifiers: [verifier], origin: 'elsewhere' })).toMatchObject({
      ok: false,
      reason: 'origin-mismatch',
    });
    expect(openCheckpoint(signed.replace('\n7\n', '\n8\n'), { logVerifiers: [verifier] })).toMatchObject({
      ok: false,
      reason: 'invalid-log-signature',
    });
    expect(openCheckpoint(signed.replace('\n7\n', '\n07\n'), { logVerifiers: [verifier] })).toMatchObject({
      ok: false,
      reason: 'malformed-checkpoint',
    });
    expect(openCheckpoint('nonsense', { logVerifiers: [verifier] })).toMatchObject({ ok: false, reason: 'malformed-note' });
  });

  it('accepts either key during a rotation', () => {
    const next = parseNoteSignerKey(generateNoteKey('rabta.example/ledger').signerKey);
    const signed = signCheckpoint(cp, [next]);
    expect(openCheckpoint(signed, { logVerifiers: [verifier, next.verifier] }).ok).toBe(true);
  });
});
