/**
 * Failure types of the ledger library. Parsers throw `LedgerFormatError` (the
 * input is not the format it claims to be); verifiers return a `Verdict`, because
 * "this proof does not verify" is an expected answer, not an exceptional one, and
 * callers must not be able to forget it in a try block.
 */

/** Which wire format a parse failure concerns, so callers can map it to a problem type. */
export type LedgerFormat =
  | 'base64'
  | 'decimal'
  | 'note'
  | 'signature-line'
  | 'key'
  | 'checkpoint'
  | 'cosignature'
  | 'tile-path'
  | 'tile'
  | 'entry-bundle'
  | 'tlog-proof'
  | 'witness';

export class LedgerFormatError extends Error {
  override name = 'LedgerFormatError';
  constructor(
    readonly format: LedgerFormat,
    message: string,
  ) {
    super(`${format}: ${message}`);
  }
}

/** A failed verification and why (for logs and reports, not for parsing). */
export interface Refusal {
  readonly ok: false;
  readonly reason: string;
}

/** The answer of a verification: success, or the reason it failed. */
export type Verdict = { readonly ok: true } | Refusal;

export const OK: Verdict = Object.freeze({ ok: true });

export function fail(reason: string): Refusal {
  return { ok: false, reason };
}
