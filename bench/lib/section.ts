import type { BenchArgs } from './args.js';
import type { DatabaseKind } from './database.js';

/**
 * A part of the bench. run.ts runs the sections in order and merges their
 * JSON pieces into the one object `--json` prints, so a new measurement is a
 * new file in bench/sections/ and one line in run.ts.
 */
export interface Section {
  name: string;
  run(context: BenchContext): Promise<SectionResult>;
}

export interface BenchContext {
  args: BenchArgs;
  /** a progress line on stderr */
  log(line: string): void;
}

export interface SectionResult {
  /** top-level keys of the JSON output */
  json: Record<string, unknown>;
  /** lines of the human report */
  report: string[];
  /** the database the section measured on; unset for a section that opens none (crypto, assist) */
  database?: DatabaseKind;
}

/** A measurement that must not be reported as a figure (e.g. the gateway refused requests). */
export class BenchFailure extends Error {
  override name = 'BenchFailure';
}

/** Fixed-width table: the first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
export const whole = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
