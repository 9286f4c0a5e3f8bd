import { describe, expect, it } from 'vitest';
import { CsvError, formatCountsCsv, parseCountsCsv } from './csv.js';

const error = (text: string): string => {
  try {
    parseCountsCsv(text);
  } catch (e) {
    if (e instanceof CsvError) return e.message;
    throw e;
  }
  throw new Error('no error');
};

describe('reading daily counts from CSV', () => {
  it('takes the columns in any order, ignores others, strips a BOM and blank lines, reads quoted fields', () => {
    const rows = parseCountsCsv('\uFEFFvalue,metric,note,district,date\r\n5,withdrawal.failed,x,PB-LAHORE,2025-01-01\r\n\r\n7,"grievance:BANK","a, b","Dera ""DG"" Khan",2025-01-02\n');
    expect(rows).toEqual([
      { date: '2025-01-01', district: 'PB-LAHORE', metric: 'withdrawal.failed', value: 5 },
      { date: '2025-01-02', district: 'Dera "DG" Khan', metric: 'grievance:BANK', value: 7 },
    ]);
  });

  it('round-trips what it writes', () => {
    const rows = [{ date: '2025-03-01', district: 'A, B', metric: 'm', value: 3 }];
    expect(parseCountsCsv(formatCountsCsv(rows))).toEqual(rows);
  });

  it('names the line of a bad row', () => {
    const head = 'date,district,metric,value\n';
    expect(error('date,district,value\n2025-01-01,A,1\n')).toMatch(/^line 1: .*missing metric/);
    expect(error(`${head}2025-01-01,A,m,1\n2025-02-30,A,m,1\n`)).toMatch(/^line 3: date "2025-02-30" is not a calendar date/);
    expect(error(`${head}2025-01-01,A,m,-1\n`)).toMatch(/^line 2: value "-1" is not a count/);
    expect(error(`${head}2025-01-01,A,m,lots\n`)).toMatch(/^line 2: value "lots"/);
    expect(error(`${head}2025-01-01,A,m\n`)).toMatch(/^line 2: expected 4 fields as in the header, got 3/);
    expect(error(`${head}2025-01-01,,m,1\n`)).toMatch(/^line 2: district is empty/);
    expect(error(`${head}2025-01-01,A,m,1\n2025-01-02,A,m,1\n2025-01-01,A,m,2\n`)).toMatch(/^line 4: 2025-01-01 A m was already given on line 2/);
    expect(error(`${head}2025-01-01,"A,m,1\n`)).toMatch(/^line 2: a quoted field is not closed/);
    expect(error('')).toMatch(/no header row/);
  });
});
