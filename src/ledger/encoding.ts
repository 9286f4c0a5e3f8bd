/**
 * The text encodings the C2SP formats share. Every decoder here is strict and
 * canonical: there is exactly one accepted spelling of each value, so that two
 * parties can never disagree about what a signed text says (a lenient decoder
 * would let "the same" checkpoint exist in several byte forms).
 */
import { LedgerFormatError } from './errors.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * RFC 4648 §4 standard alphabet with padding. Re-encoding must reproduce the
 * input, which rejects non-zero pad bits (Node's decoder silently ignores them).
 */
export function decodeBase64(text: string): Uint8Array {
  if (!BASE64.test(text)) throw new LedgerFormatError('base64', 'not canonical standard base64');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new LedgerFormatError('base64', 'not canonical standard base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * ASCII decimal without leading zeros, as the specs require for sizes, indexes
 * and timestamps. Limited to 2^53 − 1: larger values cannot be represented
 * exactly as a JS number, and no Rabta tree or clock gets near them.
 */
export function parseDecimal(text: string, what: string): number {
  if (!DECIMAL.test(text)) throw new LedgerFormatError('decimal', `${what} is not a decimal without leading zeros`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new LedgerFormatError('decimal', `${what} is larger than 2^53 - 1`);
  return value;
}

export function isUint(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

export function assertUint(value: number, what: string): void {
  if (!isUint(value)) throw new RangeError(`${what} must be a safe non-negative integer, got ${value}`);
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, throwing on invalid sequences instead of substituting U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, format: 'note' | 'tlog-proof' | 'witness'): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw new LedgerFormatError(format, 'not valid UTF-8');
  }
}

// A JS string can hold lone surrogates, which have no UTF-8 encoding; TextEncoder
// would silently replace them, so a signature would cover different text.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A key ID (uint32) as the fixed-length lowercase hex of the vkey format. */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

export function parseKeyId(text: string): number {
  if (!/^[0-9a-f]{8}$/.test(text)) throw new LedgerFormatError('key', 'key ID is not 8 lowercase hex digits');
  return Number.parseInt(text, 16);
}

export function readUint32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, false);
}

export function uint32Bytes(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}
