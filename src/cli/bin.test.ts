import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_VARIABLES, VARIABLES } from '../config/index.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/rabta.js', import.meta.url));

/*
 * The `rabta` that `npm link` / `npm install -g` installs is bin/rabta.js, run
 * by plain node from anywhere (here from an empty directory, as an institution
 * runs it): it must find its TypeScript sources and its loader by itself.
 */
// Each spawn compiles the CLI afresh through tsx: seconds on a loaded machine.
describe('bin/rabta.js', { timeout: 120_000 }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'rabta-bin-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('prints its help and its commands', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help'], { cwd });
    expect(stdout).toMatch(/^Usage: rabta /);
    for (const command of ['start', 'config', 'call', 'member', 'key', 'ledger', 'consent']) expect(stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
  });

  it('lists the configuration, the demo’s side ports included', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'config'], { cwd });
    for (const name of ['PORT', 'RABTA_DATA_DIR', 'RABTA_SMPP_URL', 'RABTA_DEMO_SMSC_PORT', 'RABTA_DEMO_UPSTREAM_PORT', 'RABTA_DEMO_WITNESS_PORT']) {
      expect(stdout).toMatch(new RegExp(`^${name}\\s+\\S`, 'm'));
    }
  });

  it('fails with a message and exit code 1 on a bad command', async () => {
    const failed = await run(process.execPath, [BIN, 'no-such-command'], { cwd }).catch((error: { code: number; stderr: string }) => error);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain("unknown command 'no-such-command'");
  });

  it('has every variable it lists in the README’s table too', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    for (const name of [...Object.keys(VARIABLES), ...Object.keys(DEMO_VARIABLES)].filter((n) => /^[A-Z_]+$/.test(n))) expect(readme).toContain(`\`${name}\``);
  });
});
