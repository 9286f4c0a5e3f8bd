import { afterEach, describe, expect, inject, it } from 'vitest';
import { subjectHash } from '../core/index.js';
import { testDialects } from '../store/testing.js';
import type { CaseRouter } from './deps.js';
import { AUTHORITY, CITIZEN, HBL, OTHER_CITIZEN, startCaseInstance } from './testing.js';
import type { CaseTestInstance } from './testing.js';

const postgresUrl = inject('postgresUrl');

/** A router that is never sure: everything goes to triage with three suggestions. */
const unsure: CaseRouter = {
  route: async () => ({ label: 'SIM-BLOCKED', confidence: 0.41, routed: false, alternatives: [{ label: 'PAYMENT-NOT-RECEIVED', confidence: 0.3 }, { label: 'POLICE', confidence: 0.1 }] }),
};

describe.each(testDialects(postgresUrl))('a citizen’s own cases, and triage suggestions, on %s', (dialect) => {
  let t: CaseTestInstance;
  afterEach(async () => t?.close());

  it('files a complaint for the signed-in citizen, lists only her cases, and tells her the reference by SMS', async () => {
    t = await startCaseInstance(dialect, postgresUrl, {}, unsure);
    const cases = t.platform.cases;
    const hashOf = (cnic: string) => subjectHash(t.platform.keyring.subjectSecret, cnic.replace(/-/g, ''));
    const her = { subjectHash: hashOf(CITIZEN.cnic), maskedCnic: '35202-*****67-1' };
    const filed = await cases.citizen.file(her, { text: 'ATM se paise nahi nikle', district: undefined, category: 'PAYMENT-NOT-RECEIVED' });
    // With a category the case goes straight to its lead, with a deadline.
    expect(filed).toMatchObject({ state: 'triaged', lead: 'PK/BANK/HBL', category: 'PAYMENT-NOT-RECEIVED' });
    expect(filed.resolutionDue).not.toBeNull();
    expect(t.lastSms(CITIZEN.mobile)?.text).toContain(filed.reference);
    const queued = await cases.citizen.file(her, { text: 'kuch samajh nahi aa raha' });
    expect(queued.state).toBe('new');
    await cases.citizen.file({ subjectHash: hashOf(OTHER_CITIZEN.cnic), maskedCnic: '42101-*****21-3' }, { text: 'mera masla' });
    expect((await cases.citizen.list(her.subjectHash)).map((c) => c.reference)).toEqual([queued.reference, filed.reference]);
    // A stranger to the registry files nothing from the portal.
    await expect(cases.citizen.file({ subjectHash: hashOf('61101-1111111-1'), maskedCnic: 'x' }, { text: 'test' })).rejects.toMatchObject({ code: 'forbidden' });
    // A district that is not one is refused before anything is written.
    await expect(cases.citizen.file(her, { text: 'test', district: 'XX-NOWHERE' })).rejects.toMatchObject({ code: 'unknown-district' });

    // The triage officer sees the router's suggestions, best first, and which the catalogue has.
    const said = await cases.triageSuggestions(AUTHORITY, queued.reference);
    expect(said.suggestions.map((s) => [s.category, s.inCatalogue])).toEqual([['SIM-BLOCKED', true], ['PAYMENT-NOT-RECEIVED', true], ['POLICE', false]]);
    await expect(cases.triageSuggestions(HBL, queued.reference)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
