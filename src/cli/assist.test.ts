import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABELS } from '../assist/index.js';

const MAIN = new URL('./main.ts', import.meta.url).pathname;

function run(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

// Each case starts the whole CLI under tsx: on a loaded machine that takes a while.
describe('rabta assist route', { timeout: 120_000 }, () => {
  it('writes one JSON line per input line, in order, with label, confidence, routed and two alternatives', async () => {
    const inputs = [
      { text: 'bijli nahi 3 din se' },
      { text: 'شناختی کارڈ کی تجدید تین ماہ سے رکی ہوئی ہے', id: 'kept-out' },
      { text: 'The patwari wants Rs 5,000 for my fard' },
      { text: 'SIM block ho gayi cnic renew hone ke baad' },
    ];
    const { code, stdout } = await run(['assist', 'route'], `${inputs.map((i) => JSON.stringify(i)).join('\n')}\n`);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.label)).toEqual(['ELECTRICITY', 'NADRA', 'LAND_REVENUE', 'TELCO']);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['alternatives', 'confidence', 'label', 'routed']);
      expect(LABELS).toContain(l.label);
      expect(typeof l.routed).toBe('boolean');
      const c = l.confidence as number;
      expect(c).toBeGreaterThan(0);
      expect(c).toBeLessThanOrEqual(1);
      const alternatives = l.alternatives as { label: string; confidence: number }[];
      expect(alternatives).toHaveLength(2);
      expect(alternatives.every((a) => a.label !== l.label && a.confidence <= c)).toBe(true);
    }
  });

  it('answers a line it cannot read with a problem document in its place, and goes on', async () => {
    const { code, stdout } = await run(['assist', 'route'], 'not json\n{"txt":"x"}\n{"text":"hospital me doctor nahi"}\n');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ type: 'https://rabta.pk/problems/malformed-json', status: 400 });
    expect(lines[1]).toMatchObject({ type: 'https://rabta.pk/problems/bad-request', status: 400 });
    expect(lines[2]).toMatchObject({ label: 'HEALTH' });
  });
});

describe('rabta assist evaluate', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rabta-assist-'));
  const file = join(dir, 'small.jsonl');
  writeFileSync(
    file,
    [
      { label: 'ELECTRICITY', lang: 'roman', text: 'light nahi hai subah se, transformer jal gaya' },
      { label: 'WATER_SANITATION', lang: 'en', text: 'The sewer is overflowing in our street' },
      { label: 'POLICE', lang: 'ur', text: 'تھانے والے ایف آئی آر درج نہیں کر رہے' },
      // deliberately mislabelled, so that the figures are not all perfect
      { label: 'HEALTH', lang: 'en', text: 'My ATM card was swallowed by the machine' },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );

  it('prints macro-F1 overall and per language, the routed share and its accuracy, and the confusion matrix', async () => {
    const { code, stdout } = await run(['assist', 'evaluate', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/grievances 4: macro-F1 0\.\d{3}, accuracy 75\.0%/);
    expect(stdout).toMatch(/^ {2}en {4}n= {3}2 {2}macro-F1/m);
    expect(stdout).toMatch(/^ {2}roman n= {3}1 {2}macro-F1 1\.000/m);
    expect(stdout).toMatch(/routed \d+\.\d% of grievances, of which \d+\.\d% right/);
    expect(stdout).toContain('confusion (rows: true label, columns: predicted)');
    expect(stdout).toMatch(/^ {2}HEALTH +0 +1 +0/m); // the mislabelled line lands in the BANK column
  });

  it('gives the same figures as one JSON object with --json', async () => {
    const { code, stdout } = await run(['assist', 'evaluate', file, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { n: number; accuracy: number; confusion: number[][]; perLang: Record<string, { n: number }>; model: string };
    expect(result.n).toBe(4);
    expect(result.accuracy).toBe(0.75);
    expect(result.perLang.ur?.n).toBe(1);
    expect(result.confusion[LABELS.indexOf('HEALTH')]?.[LABELS.indexOf('BANK')]).toBe(1);
    expect(result.model).toMatch(/^router-/);
  });

  it('refuses a file with a label that is not one of the ten, saying where', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"label":"WAPDA","lang":"en","text":"no power"}\n');
    const { code, stderr } = await run(['assist', 'evaluate', bad]);
    expect(code).toBe(1);
    expect(stderr).toContain('bad.jsonl:1: label "WAPDA" is not one of the ten');
  });
});
