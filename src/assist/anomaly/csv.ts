import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseDay } from './days.js';
import type { DailyCount } from './types.js';

/**
 * Reads daily counts from CSV: a header row naming the columns `date`,
 * `district`, `metric`, `value` in any order (others are ignored), then one
 * row per day, district and metric. Fields may be quoted ("…", "" inside).
 * Any bad row stops the read with its line number: a detector fed half a
 * file would report a drop that is not there.
 */
export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export const COLUMNS = ['date', 'district', 'metric', 'value'] as const;

export async function readCountsCsv(path: string): Promise<DailyCount[]> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  const parser = new CountsParser();
  for await (const line of lines) parser.line(line);
  return parser.finish();
}

export function parseCountsCsv(text: string): DailyCount[] {
  const parser = new CountsParser();
  for (const line of text.split(/\r?\n/)) parser.line(line);
  return parser.finish();
}

class CountsParser {
  private lineNo = 0;
  private index: number[] | undefined;
  private width = 0;
  private readonly rows: DailyCount[] = [];
  private readonly seen = new Map<string, number>();
  private readonly dates = new Set<string>();

  line(raw: string): void {
    this.lineNo++;
    const text = this.lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') return;
    const fields = splitCsvLine(text, this.lineNo);
    if (this.index === undefined) {
      const names = fields.map((f) => f.trim().toLowerCase());
      const missing = COLUMNS.filter((c) => !names.includes(c));
      if (missing.length > 0) throw new CsvError(this.lineNo, `the header must name the columns ${COLUMNS.join(',')}; missing ${missing.join(', ')} (got ${JSON.stringify(text.slice(0, 120))})`);
      const twice = COLUMNS.find((c) => names.indexOf(c) !== names.lastIndexOf(c));
      if (twice !== undefined) throw new CsvError(this.lineNo, `column ${twice} appears twice in the header`);
      this.index = COLUMNS.map((c) => names.indexOf(c));
      this.width = names.length;
      return;
    }
    if (fields.length !== this.width) throw new CsvError(this.lineNo, `expected ${this.width} fields as in the header, got ${fields.length}`);
    const [date, district, metric, value] = this.index.map((i) => fields[i]!.trim()) as [string, string, string, string];
    if (!this.dates.has(date)) {
      if (parseDay(date) === undefined) throw new CsvError(this.lineNo, `date ${JSON.stringify(date)} is not a calendar date YYYY-MM-DD`);
      this.dates.add(date);
    }
    if (district === '') throw new CsvError(this.lineNo, 'district is empty');
    if (metric === '') throw new CsvError(this.lineNo, 'metric is empty');
    if (!/^\d+(\.\d+)?$/.test(value)) throw new CsvError(this.lineNo, `value ${JSON.stringify(value)} is not a count (a number ≥ 0)`);
    const key = `${date}\u0000${district}\u0000${metric}`;
    const earlier = this.seen.get(key);
    if (earlier !== undefined) throw new CsvError(this.lineNo, `${date} ${district} ${metric} was already given on line ${earlier}`);
    this.seen.set(key, this.lineNo);
    this.rows.push({ date, district, metric, value: Number(value) });
  }

  finish(): DailyCount[] {
    if (this.index === undefined) throw new CsvError(Math.max(1, this.lineNo), `no header row (${COLUMNS.join(',')})`);
    return this.rows;
  }
}

/** One CSV record on one line (RFC 4180 quoting; a quoted newline is not supported and is reported). */
function splitCsvLine(line: string, lineNo: number): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new CsvError(lineNo, 'a quoted field is not closed on this line');
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
      if (i === line.length) return out;
      if (line[i] !== ',') throw new CsvError(lineNo, `unexpected ${JSON.stringify(line[i])} after a quoted field`);
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** CSV of counts, header first; fields quoted only when they need it. */
export function formatCountsCsv(rows: Iterable<DailyCount>): string {
  const parts: string[] = ['date,district,metric,value\n'];
  for (const r of rows) parts.push(`${r.date},${quote(r.district)},${quote(r.metric)},${r.value}\n`);
  return parts.join('');
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
