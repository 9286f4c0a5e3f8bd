import { describe, expect, it } from 'vitest';
import { LedgerFormatError } from './errors.js';
import { decodeVerifierKey, encodeVerifierKey, isValidKeyName, SIGNATURE_TYPE } from './keys.js';
import {
  formatNote,
  generateNoteKey,
  noteSignerFromSeed,
  openNote,
  parseNote,
  parseNoteSignerKey,
  parseNoteVerifierKey,
  signNote,
  verifyNote,
  type NoteVerifier,
} from './note.js';
import { readVectorJson, toHex } from './test-support.js';

// Vectors: C2SP/C2SP 5ba5ee83 (signed-note.md), golang/mod fe2ec04f (sumdb/note/note_test.go),
// transparency-dev/formats 0b850f1a (log/note_test.go, note/note_verifier_test.go, witness/witness_test.go).
interface Spec {
  signedNote: { poem: string; example: { vkey: string; note: string } };
}
interface GoMod {
  peter: { skey: string; vkey: string };
  enoch: { vkey: string };
  badVkeys: string[];
  text: string;
  peterSig: string;
  enochSig: string;
  signed: string;
  badMessages: string[];
  badMessageInvalidUtf8Base64: string;
}
interface Formats {
  noteKeyPairs: { pairs: { skey: string; vkey: string }[] };
  sumdbCheckpoint: {
    vkey: string;
    note: string;
    extraVkeys: string[];
    extraSignatureLines: string[];
    unknownSignatureLines: string[];
  };
  noteVkeys: { valid: string[]; ed25519Skey: string; ed25519VkeyNotASigner: string; otherTypes: string[]; invalid: string[] };
}

const spec = readVectorJson<Spec>('C2SP', 'C2SP', 'spec-examples.json');
const gomod = readVectorJson<GoMod>('golang', 'mod', 'vectors.json');
const formats = readVectorJson<Formats>('transparency-dev', 'formats', 'vectors.json');

const peter = parseNoteVerifierKey(gomod.peter.vkey);
const enoch = parseNoteVerifierKey(gomod.enoch.vkey);

describe('C2SP signed-note examples', () => {
  it('parses the example vkey and verifies the example note', () => {
    const v = parseNoteVerifierKey(spec.signedNote.example.vkey);
    expect(v.name).toBe('example.com/foo');
    expect(v.keyId).toBe(0x530d903a);
    expect(toHex(v.publicKey)).toBe('e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4');
    expect(v.vkey).toBe(spec.signedNote.example.vkey);
    const opened = openNote(spec.signedNote.example.note, [v]);
    expect(opened.ok && opened.text).toBe('This is an example message.\n');
  });

  it('splits the poem at its last blank line', () => {
    const note = parseNote(spec.signedNote.poem);
    expect(note.text).toBe('Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n');
    expect(note.signatures.map((s) => s.name)).toEqual(['quasimodo.example/salvatore']);
    expect(formatNote(note)).toBe(spec.signedNote.poem);
    const opened = openNote(spec.signedNote.poem, [peter]);
    expect(opened).toMatchObject({ ok: false, reason: 'no-known-signature' });
  });
});

describe('golang/mod sumdb/note vectors', () => {
  it('derives the public key and key ID from the signer key', () => {
    const signer = parseNoteSignerKey(gomod.peter.skey);
    expect(signer.verifier.vkey).toBe(gomod.peter.vkey);
    expect(signer.keyId).toBe(0xc74f20a3);
  });

  it('signs exactly as the reference implementation (Ed25519 is deterministic)', () => {
    const signer = parseNoteSignerKey(gomod.peter.skey);
    expect(signNote(gomod.text, [signer])).toBe(gomod.signed);
    // A fresh signature replaces an older one by the same key.
    const stale = { name: 'PeterNeumann', keyId: 0xc74f20a3, signature: new Uint8Array([1, 2, 3]) };
    expect(signNote(gomod.text, [signer], [stale])).toBe(gomod.signed);
  });

  it('refuses texts that cannot be signed', () => {
    const signer = parseNoteSignerKey(gomod.peter.skey);
    expect(() => signNote('abc', [signer])).toThrow(LedgerFormatError);
    expect(() => signNote('a\u0007b\n', [signer])).toThrow(LedgerFormatError);
    expect(() => signNote('lone \ud800\n', [signer])).toThrow(LedgerFormatError);
  });

  it('verifies known signatures and keeps unknown ones aside', () => {
    const msg = `${gomod.text}\n${gomod.peterSig}${gomod.enochSig}`;
    const one = openNote(msg, [peter]);
    expect(one.ok).toBe(true);
    if (one.ok) {
      expect(one.text).toBe(gomod.text);
      expect(one.verified.map((v) => v.verifier.name)).toEqual(['PeterNeumann']);
      expect(one.unverified.map((s) => s.name)).toEqual(['EnochRoot']);
    }
    const both = openNote(msg, [peter, enoch]);
    expect(both.ok && both.verified.map((v) => v.verifier.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    expect(openNote(msg, [])).toMatchObject({ ok: false, reason: 'no-known-signature' });
  });

  it('refuses ambiguous verifiers only when a signature needs them', () => {
    expect(openNote(`${gomod.text}\n${gomod.enochSig}`, [enoch, peter, enoch])).toMatchObject({
      ok: false,
      reason: 'ambiguous-verifiers',
    });
    expect(openNote(`${gomod.text}\n${gomod.peterSig}`, [enoch, peter, enoch]).ok).toBe(true);
  });

  it('limits the number of signatures', () => {
    const many = `${gomod.text}\n${gomod.peterSig.repeat(101)}`;
    expect(openNote(many, [peter])).toMatchObject({ ok: false, reason: 'malformed' });
    expect(openNote(many, [])).toMatchObject({ ok: false, reason: 'malformed' });
    // The spec requires accepting at least 16.
    expect(openNote(`${gomod.text}\n${gomod.peterSig.repeat(16)}`, [peter], { maxSignatures: 16 }).ok).toBe(true);
    expect(openNote(`${gomod.text}\n${gomod.peterSig.repeat(17)}`, [peter], { maxSignatures: 16 }).ok).toBe(false);
    expect(openNote(gomod.signed, [peter], { maxBytes: 100 })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('rejects the whole note when a known key signature fails', () => {
    const bad = `${gomod.text}\n${gomod.peterSig.slice(0, 60)}ABCD${gomod.peterSig.slice(60)}`;
    expect(openNote(bad, [peter])).toMatchObject({ ok: false, reason: 'invalid-signature' });
  });

  it('counts repeated signatures once and keeps distinct unknown ones', () => {
    const enochBroken = `${gomod.enochSig.slice(0, 60)}ABCD${gomod.enochSig.slice(60)}`;
    const msg = `${gomod.text}\n${gomod.peterSig}${gomod.peterSig}${gomod.enochSig}${gomod.enochSig}${enochBroken}`;
    const opened = openNote(msg, [peter]);
    expect(opened.ok).toBe(true);
    if (opened.ok) {
      expect(opened.verified).toHaveLength(1);
      expect(opened.unverified).toHaveLength(2);
    }
  });

  it('rejects malformed messages', () => {
    for (const msg of gomod.badMessages) {
      expect(openNote(msg, [peter]), JSON.stringify(msg)).toMatchObject({ ok: false, reason: 'malformed' });
    }
    const invalidUtf8 = new Uint8Array(Buffer.from(gomod.badMessageInvalidUtf8Base64, 'base64'));
    expect(openNote(invalidUtf8, [peter])).toMatchObject({ ok: false, reason: 'malformed' });
    expect(openNote(new Uint8Array(Buffer.from(gomod.signed)), [peter]).ok).toBe(true);
  });

  it('rejects every mangling of a vkey', () => {
    const vkey = gomod.peter.vkey;
    for (let i = 0; i <= vkey.length; i++) {
      for (let j = i + 1; j <= vkey.length; j++) {
        if (i !== 0 || j !== vkey.length) expect(() => parseNoteVerifierKey(vkey.slice(i, j))).toThrow(LedgerFormatError);
      }
    }
    for (let i = 0; i < vkey.length; i++) {
      const mangled = vkey.slice(0, i) + String.fromCharCode(vkey.charCodeAt(i) + 1) + vkey.slice(i + 1);
      expect(() => parseNoteVerifierKey(mangled), mangled).toThrow(LedgerFormatError);
    }
    for (const bad of gomod.badVkeys) expect(() => parseNoteVerifierKey(bad)).toThrow(LedgerFormatError);
  });
});

describe('transparency-dev/formats note vectors', () => {
  it('derives each published vkey from its signer key', () => {
    for (const { skey, vkey } of formats.noteKeyPairs.pairs) {
      expect(parseNoteSignerKey(skey).verifier.vkey).toBe(vkey);
    }
    expect(parseNoteSignerKey(formats.noteVkeys.ed25519Skey).verifier.vkey).toBe(formats.noteVkeys.ed25519VkeyNotASigner);
    expect(() => parseNoteSignerKey(formats.noteVkeys.ed25519VkeyNotASigner)).toThrow(LedgerFormatError);
  });

  it('verifies the sum.golang.org checkpoint and extra known signatures', () => {
    const c = formats.sumdbCheckpoint;
    const log = parseNoteVerifierKey(c.vkey);
    expect(openNote(c.note, [log]).ok).toBe(true);
    const extra = c.extraVkeys.map(parseNoteVerifierKey);
    const all = c.note + [...c.extraSignatureLines, ...c.unknownSignatureLines].map((l) => `${l}\n`).join('');
    const opened = openNote(all, [log, ...extra]);
    expect(opened.ok && opened.verified.map((v) => v.verifier.name)).toEqual(['sum.golang.org', 'monkeys', 'bananas', 'witness']);
    expect(opened.ok && opened.unverified.map((s) => s.name)).toEqual(['random1', 'random2']);
    const onlyMonkeys = openNote(all, [log, extra[0]!]);
    expect(onlyMonkeys.ok && onlyMonkeys.verified).toHaveLength(2);
    expect(onlyMonkeys.ok && onlyMonkeys.unverified).toHaveLength(4);
  });

  it('refuses invalid vkeys and vkeys of other signature types', () => {
    for (const v of formats.noteVkeys.valid) expect(parseNoteVerifierKey(v).vkey).toBe(v);
    for (const v of formats.noteVkeys.invalid) expect(() => parseNoteVerifierKey(v), v).toThrow(LedgerFormatError);
    for (const v of formats.noteVkeys.otherTypes) {
      expect(decodeVerifierKey(v).type).not.toBe(SIGNATURE_TYPE.ed25519);
      expect(() => parseNoteVerifierKey(v)).toThrow(/signature type/);
    }
  });
});

describe('keys and notes', () => {
  it('generates keys that sign and verify', () => {
    const { signerKey, verifierKey } = generateNoteKey('rabta.example/ledger');
    const signer = parseNoteSignerKey(signerKey);
    const verifier = parseNoteVerifierKey(verifierKey);
    expect(signer.verifier.vkey).toBe(verifierKey);
    const note = signNote('hello\n', [signer]);
    expect(openNote(note, [verifier]).ok).toBe(true);
    expect(openNote(note.replace('hello', 'hellO'), [verifier])).toMatchObject({ ok: false, reason: 'invalid-signature' });
  });

  it('ignores a signature that shares only the name or only the key ID of a known key', () => {
    const a = noteSignerFromSeed('a.example', new Uint8Array(32).fill(1));
    const sameName = noteSignerFromSeed('a.example', new Uint8Array(32).fill(2));
    const note = signNote('text\n', [sameName]);
    expect(openNote(note, [a.verifier])).toMatchObject({ ok: false, reason: 'no-known-signature' });
    const impostor: NoteVerifier = { name: 'b.example', keyId: a.keyId, verify: () => true };
    expect(openNote(signNote('text\n', [a]), [impostor])).toMatchObject({ ok: false, reason: 'no-known-signature' });
  });

  it('validates key names like the reference implementation', () => {
    expect(isValidKeyName('example.com/log')).toBe(true);
    expect(isValidKeyName('oid/1.3.6.1.4.1')).toBe(true);
    for (const bad of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u0085b', 'a\u3000b', 'a\tb', 'a\u0001b', '\ud800']) {
      expect(isValidKeyName(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(() => encodeVerifierKey('a b', 1, new Uint8Array(32))).toThrow(LedgerFormatError);
  });

  it('requires canonical base64 and a key ID in signatures', () => {
    const v = parseNoteSignerKey(gomod.peter.skey);
    const line = gomod.peterSig;
    // Flip the last data character's unused bits: same bytes, different spelling.
    const b64 = line.slice(line.lastIndexOf(' ') + 1, -1);
    const last = b64.at(-2)!;
    const twin = b64.slice(0, -2) + String.fromCharCode(last.charCodeAt(0) + 1) + '=';
    expect(Buffer.from(twin, 'base64')).toEqual(Buffer.from(b64, 'base64'));
    expect(openNote(`${gomod.text}\n— PeterNeumann ${twin}\n`, [v.verifier])).toMatchObject({ reason: 'malformed' });
    expect(openNote(`${gomod.text}\n— PeterNeumann AAAA\n`, [v.verifier])).toMatchObject({ reason: 'malformed' });
    expect(verifyNote(parseNote(gomod.signed), [v.verifier]).ok).toBe(true);
  });
});
