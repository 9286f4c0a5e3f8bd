import { describe, expect, it } from 'vitest';
import { openCheckpoint, formatCheckpoint } from './checkpoint.js';
import {
  cosignatureMessage,
  cosignatureTimestamp,
  cosignerFromSeed,
  generateCosignerKey,
  parseCosignatureVerifierKey,
  parseCosignerKey,
  verifyCosignature,
} from './cosignature.js';
import { LedgerFormatError } from './errors.js';
import { decodeSignerKey } from './keys.js';
import { noteSignerFromSeed, openNote, parseNote, parseNoteVerifierKey, parseSignatureLine, signNote } from './note.js';
import { readVectorJson } from './test-support.js';

// Vectors: transparency-dev/formats 0b850f1a (note/note_cosigv1_test.go), transparency-dev/tessera
// 1811ae1a (internal/witness/client_test.go), C2SP/C2SP 5ba5ee83 (tlog-cosignature.md),
// florolf/tlog-scales dfd5c4bf (a real cosigned checkpoint, tests/test_signing.py).
interface Formats {
  cosignature: {
    nativeVkey: string;
    ed25519VkeyConvertible: string;
    timestamps: { base64: string; timestamp?: number; error?: string }[];
    roundTripText: string;
    extensionText: string;
  };
}
interface Tessera {
  cosigner: { skey: string; cosignatureVkey: string };
}
interface Spec {
  cosignature: { note: string; signedMessage: string };
}
interface Real {
  note: string;
  logVkey: string;
  witnessVkey: string;
}
const formats = readVectorJson<Formats>('transparency-dev', 'formats', 'vectors.json');
const tessera = readVectorJson<Tessera>('transparency-dev', 'tessera', 'keys.json');
const spec = readVectorJson<Spec>('C2SP', 'C2SP', 'spec-examples.json');
const real = readVectorJson<Real>('florolf', 'tlog-scales', 'real-checkpoint.json');

describe('cosignature keys', () => {
  it('parses a native Ed25519 cosignature vkey (type 0x04)', () => {
    const v = parseCosignatureVerifierKey(formats.cosignature.nativeVkey);
    expect(v.name).toBe('remora.n621.de');
    expect(v.keyId).toBe(0xda77ade7);
    expect(v.vkey).toBe(formats.cosignature.nativeVkey);
  });

  it('refuses a note key (type 0x01) as a cosigner key, unlike formats which converts it', () => {
    expect(() => parseCosignatureVerifierKey(formats.cosignature.ed25519VkeyConvertible)).toThrow(/signature type 1/);
    expect(parseNoteVerifierKey(formats.cosignature.ed25519VkeyConvertible).name).toBe('TEST');
    expect(() => parseCosignatureVerifierKey(tessera.cosigner.cosignatureVkey.replace('+112f0455+', '+112f0456+'))).toThrow(
      LedgerFormatError,
    );
  });

  it('derives the cosignature vkey published by tessera from the same seed', () => {
    const seed = decodeSignerKey(tessera.cosigner.skey).key;
    expect(cosignerFromSeed('Wit2', seed).verifier.vkey).toBe(tessera.cosigner.cosignatureVkey);
  });

  it('generates keys that round-trip through their text forms', () => {
    const { signerKey, verifierKey } = generateCosignerKey('witness.bank.example/w1');
    expect(parseCosignerKey(signerKey).verifier.vkey).toBe(verifierKey);
    expect(parseCosignatureVerifierKey(verifierKey).vkey).toBe(verifierKey);
    expect(() => parseCosignerKey(signerKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(LedgerFormatError);
  });
});

describe('cosignature payloads', () => {
  it('reads the timestamps of the formats vectors', () => {
    for (const t of formats.cosignature.timestamps) {
      if (t.timestamp !== undefined) {
        const raw = new Uint8Array(Buffer.from(t.base64, 'base64'));
        expect(cosignatureTimestamp(raw.subarray(4))).toBe(t.timestamp);
      } else {
        expect(() => cosignatureTimestamp(parseSignatureLine(`\u2014 w ${t.base64}`).signature), t.error).toThrow(LedgerFormatError);
      }
    }
  });

  it('builds the signed message of the spec example', () => {
    const note = parseNote(spec.cosignature.note);
    const witness = note.signatures.find((s) => s.name === 'witness.example.com/w1')!;
    const timestamp = cosignatureTimestamp(witness.signature);
    expect(timestamp).toBe(1679315147);
    expect(Buffer.from(cosignatureMessage(note.text, timestamp)).toString()).toBe(spec.cosignature.signedMessage);
  });
});

describe('a real cosigned checkpoint from the public witness network', () => {
  const log = parseNoteVerifierKey(real.logVkey);
  const witness = parseCosignatureVerifierKey(real.witnessVkey);

  it('verifies the log signature, ignoring the RFC 6962 (0x05) signature beside it', () => {
    const opened = openCheckpoint(real.note, { logVerifiers: [log] });
    expect(opened.ok && opened.checkpoint.size).toBe(1432088532);
    expect(opened.ok && opened.note.signatures).toHaveLength(6);
  });

  it('verifies the remora.n621.de cosignature', () => {
    const note = parseNote(real.note);
    const line = note.signatures.find((s) => s.name === 'remora.n621.de')!;
    const verdict = verifyCosignature(witness, note.text, line);
    expect(verdict).toEqual({ ok: true, timestamp: cosignatureTimestamp(line.signature) });
    expect(openNote(real.note, [witness]).ok).toBe(true);
    const tampered = note.text.replace('1432088532', '1432088533');
    expect(verifyCosignature(witness, tampered, line).ok).toBe(false);
    expect(verifyCosignature(witness, note.text, line, { now: 1_700_000_000, maxFutureSeconds: 60 })).toMatchObject({
      ok: false,
    });
  });
});

describe('cosigning', () => {
  const cosigner = cosignerFromSeed('witness.bank.example/w1', new Uint8Array(32).fill(7), { now: () => 1_750_000_000 });

  it('signs as a note signer with the clock, and verifies', () => {
    const signed = signNote(formats.cosignature.roundTripText, [cosigner]);
    const opened = openNote(signed, [cosigner.verifier]);
    expect(opened.ok).toBe(true);
    const line = parseNote(signed).signatures[0]!;
    expect(cosignatureTimestamp(line.signature)).toBe(1_750_000_000);
    expect(verifyCosignature(cosigner.verifier, formats.cosignature.roundTripText, line)).toEqual({
      ok: true,
      timestamp: 1_750_000_000,
    });
  });

  it('covers extension lines and the timestamp', () => {
    const sig = cosigner.cosign(formats.cosignature.extensionText, 1234);
    expect(verifyCosignature(cosigner.verifier, formats.cosignature.extensionText, sig).ok).toBe(true);
    expect(verifyCosignature(cosigner.verifier, formats.cosignature.extensionText.replace('Extendo', 'Extendi'), sig).ok).toBe(
      false,
    );
    const shifted = new Uint8Array(sig.signature);
    shifted[7] = 1235 % 256;
    expect(verifyCosignature(cosigner.verifier, formats.cosignature.extensionText, { ...sig, signature: shifted }).ok).toBe(false);
  });

  it('refuses to cosign anything but a checkpoint', () => {
    expect(() => cosigner.cosign('hello\n', 1)).toThrow(LedgerFormatError);
    expect(() => signNote('just a note\n', [cosigner])).toThrow(LedgerFormatError);
  });

  it('keeps note keys and cosigner keys apart even with one seed', () => {
    const seed = new Uint8Array(32).fill(9);
    const asNote = noteSignerFromSeed('same.example', seed);
    const asCosigner = cosignerFromSeed('same.example', seed);
    expect(asNote.keyId).not.toBe(asCosigner.keyId);
    const text = formatCheckpoint({ origin: 'o', size: 1, rootHash: new Uint8Array(32), extensions: [] });
    expect(openNote(signNote(text, [asCosigner]), [asNote.verifier])).toMatchObject({ ok: false, reason: 'no-known-signature' });
  });
});
