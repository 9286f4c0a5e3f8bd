import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance } from '../../platform/testing.js';
import type { TestInstance } from '../../platform/testing.js';
import { testDialects } from '../../store/testing.js';
import { registerAdminCommands } from './index.js';
import { runCli, listenLocally } from '../testing.js';

const postgresUrl = inject('postgresUrl');

const rabta = (...argv: string[]) => runCli(registerAdminCommands, argv);

describe('rabta key generate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rabta-keygen-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes under the git-ignored data directory by default and says what it wrote and what comes next', async () => {
    const before = process.env.RABTA_DATA_DIR;
    process.env.RABTA_DATA_DIR = join(dir, 'data');
    try {
      const made = await rabta('key', 'generate', '--client', 'PK/PROV/PSPA/case-system');
      const file = join(dir, 'data', 'keys', 'PK-PROV-PSPA-case-system.json');
      expect(made.failed).toBe(false);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // stdout is the key id alone, for scripts; the explanation is on stderr.
      expect(made.out).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(made.err).toContain('PK-PROV-PSPA-case-system.json (mode 0600): the private key of PK/PROV/PSPA/case-system');
      expect(made.err).toContain(`next: rabta key register --key-file `);
      expect(made.err).toContain(`rabta key approve ${made.out}`);
      expect(made.err).not.toContain('warning');
    } finally {
      if (before === undefined) delete process.env.RABTA_DATA_DIR;
      else process.env.RABTA_DATA_DIR = before;
    }
  });

  it('warns when the key would be committed with a git work tree', async () => {
    const clone = join(dir, 'clone');
    execFileSync('git', ['init', '-q', clone]);
    const loose = await rabta('key', 'generate', '--client', 'PK/PROV/PSPA/case-system', '--out', join(clone, 'pspa.json'));
    expect(loose.err).toContain('is inside a git work tree and not ignored');
    const outside = await rabta('key', 'generate', '--client', 'PK/PROV/PSPA/case-system', '--out', join(dir, 'elsewhere', 'pspa.json'));
    expect(outside.err).not.toContain('warning');
  });
});

for (const dialect of testDialects(postgresUrl)) {
  describe(`rabta changes on ${dialect}`, () => {
    let t: TestInstance;
    let url: string;
    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl);
      url = await listenLocally(t.app);
    });
    afterAll(async () => t?.close());

    it('names the operator behind each change, not its id', async () => {
      const auth = ['--url', url, '--token', t.token];
      await rabta('member', 'add', '--class', 'PROV', '--code', 'PSPA', '--name-en', 'PSPA', '--name-ur', 'پی ایس پی اے', ...auth);
      const changes = await rabta('changes', ...auth);
      expect(changes.failed).toBe(false);
      const line = changes.out.split('\n').find((l) => l.includes('member.create'));
      if (!line) throw new Error(changes.out + changes.err);
      expect(line).toContain('test authority');
      expect(line).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
      // --json keeps the ids, for scripts.
      const raw = await rabta('changes', '--json', ...auth);
      const created = (JSON.parse(raw.out) as Array<{ action: string; actor: string }>).find((c) => c.action === 'member.create');
      expect(created?.actor).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    });
  });
}
