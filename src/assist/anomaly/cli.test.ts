import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDay, parseDay } from './days.js';
import { Random } from './random.js';
import type { DailyCount } from './types.js';

const rabta = (args: string[]) => spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', cwd: join(import.meta.dirname, '../../..') });

describe('rabta assist anomalies', () => {
  it('reads the CSV and writes one JSON line per flagged point', { timeout: 300_000 }, () => {
    const r = new Random(3);
    const rows: DailyCount[] = [];
    for (let t = 0; t < 100; t++)
      for (let d = 0; d < 20; d++) rows.push({ date: formatDay(parseDay('2025-01-01')! + t), district: `D${d}`, metric: 'withdrawal.failed', value: r.poisson(d === 3 && t === 70 ? 150 : 30) });
    const dir = mkdtempSync(join(tmpdir(), 'rabta-anomalies-'));
    const input = join(dir, 'counts.csv');
    // columns in another order than the documented one
    writeFileSync(input, ['value,metric,district,date', ...rows.map((x) => `${x.value},${x.metric},${x.district},${x.date}`)].join('\n'));
    const run = rabta(['assist', 'anomalies', '--input', input]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([{ date: '2025-03-12', district: 'D3', metric: 'withdrawal.failed', value: rows.find((x) => x.district === 'D3' && x.date === '2025-03-12')!.value, expected: expect.any(Number), score: expect.any(Number) }]);

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'date,district,metric,value\n2025-01-01,D1,m,3\n2025-01-02,D1,m,three\n');
    const failed = rabta(['assist', 'anomalies', '--input', bad]);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toContain('line 3: value "three" is not a count');
    expect(failed.stderr).not.toMatch(/\n\s+at /);
  });
});
