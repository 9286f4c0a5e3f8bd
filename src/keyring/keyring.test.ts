import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKeyring, rotateKey } from './index.js';

describe('keyring', () => {
  it('generates the instance keys once, privately, and keeps them', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rabta-keys-')), 'keys.json');
    const first = await loadOrCreateKeyring(file, { create: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateKeyring(file, { create: false });
    expect(again.exchange[0]?.kid).toBe(first.exchange[0]?.kid);
    expect(again.subjectSecret.equals(first.subjectSecret)).toBe(true);
    expect(first.exchange[0]?.kid).not.toBe(first.consent[0]?.kid);
    await expect(loadOrCreateKeyring(join(tmpdir(), 'missing-keys.json'), { create: false })).rejects.toThrow(/rabta keys init/);
  });

  it('rotates with an overlap: old and new both in force, the new one signs', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rabta-keys-')), 'keys.json');
    const before = await loadOrCreateKeyring(file, { create: true });
    const kid = await rotateKey(file, 'exchange', 3600_000);
    const after = await loadOrCreateKeyring(file, { create: false });
    expect(after.exchange.map((k) => k.kid)).toEqual([kid, before.exchange[0]?.kid]);
    expect(after.exchange[1]?.notAfter).toBeGreaterThan(Date.now());
    await rotateKey(file, 'exchange', -1000);
    const later = await loadOrCreateKeyring(file, { create: false });
    // a key whose overlap has ended is no longer in force
    expect(later.exchange.map((k) => k.kid)).not.toContain(kid);
  });
});
