import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Array<{ name: string } | string>;
}

/** One line per broken rule: which rule, which import, and for a cycle the whole circle. */
function describe(violation: Violation): string {
  const circle = violation.cycle?.map((step) => (typeof step === 'string' ? step : step.name)).join(' → ');
  return `${violation.rule.name}: ${violation.from} → ${violation.to}${circle ? ` (circle: ${violation.from} → ${circle})` : ''}`;
}

// The module rules of .dependency-cruiser.cjs: no import cycles in src/, other modules only through their index.ts (tests also through testing.ts).
it('src/ keeps the module rules: no import cycles, one face per module', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [depcruise, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => {
    // depcruise exits non-zero when it finds violations; its report is still on stdout.
    if (error.stdout) return { stdout: error.stdout };
    throw error;
  });
  const report = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  expect(report.summary.totalCruised).toBeGreaterThan(100);
  expect(report.summary.violations.map(describe)).toEqual([]);
}, 120_000);
