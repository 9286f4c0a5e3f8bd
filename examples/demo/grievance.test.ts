import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLabel } from '../../src/assist/index.js';
import type { Correction } from '../../src/assist/index.js';
import type { TestInstance } from '../../src/platform/testing.js';
import { assistCorrections } from '../../src/platform/assist.js';
import type { GrievanceReport } from './scenario/grievance.js';
import { GRIEVANCES } from './scenario/grievance.js';
import { startDemoUnderTest } from './testing.js';
import type { DemoUnderTest } from './testing.js';
import { DEMO_CATEGORIES } from './cases.js';

/*
 * `npm start -- --scenario grievance`: a grievance over Open311 that waits
 * for triage and is corrected, one by SMS that the router sends to Jazz by
 * itself, a transfer to NADRA by signed call and a missed deadline that the
 * sweep escalates, and a spike of failed withdrawals that the anomaly job
 * turns into a case — with a working day of 2 s.
 */
describe('demo: the grievance scenario, Open311 and SMS to routed, triaged, transferred and escalated cases', () => {
  let running: DemoUnderTest;
  let t: TestInstance;
  let report: GrievanceReport;

  beforeAll(async () => {
    running = await startDemoUnderTest({ RABTA_EGRESS_ALLOW: 'loopback', RABTA_CASES_WORKING_DAY_MS: '2000', RABTA_CASES_SWEEP_MS: '200' });
    t = running.t;
    report = await running.demo.runScenario('grievance', running.smsc);
  }, 120_000);
  afterAll(async () => running?.close());

  it('has one category per router label, each with a lead', async () => {
    const categories = await t.platform.cases.listCategories();
    expect(categories.map((c) => c.code).filter(isLabel)).toHaveLength(10);
    for (const c of DEMO_CATEGORIES) expect(categories.find((x) => x.code === c.code)?.lead).toBe(c.lead);
  });

  it('takes an Open311 request without a service_code, reads it back, and queues it for triage with three suggestions', () => {
    const o = report.open311;
    expect(o.posted.service_request_id).toBe(o.reference);
    expect(o.posted.service_notice).toContain('awaits triage');
    expect(o.read).toMatchObject({ service_request_id: o.reference, status: 'open', address_id: 'BA-KECH' });
    expect(o.queued?.routed).toBe(false);
    expect(o.queued?.suggestions.map((s) => s.label)).toEqual(['WATER_SANITATION', 'EDUCATION', expect.any(String)]);
  });

  it('stores the triage officer’s correction, which becomes a masked training line', async () => {
    expect(report.open311).toMatchObject({ triagedTo: 'EDUCATION', lead: 'PK/PROV/SED-BA', correction: 'EDUCATION' });
    expect(report.open311.sms).toContain(report.open311.reference);
    const lines: Correction[] = [];
    for await (const c of assistCorrections(t.platform).corrections()) lines.push(c);
    expect(lines).toContainEqual(expect.objectContaining({ text: GRIEVANCES.open311, label: 'EDUCATION', predicted: 'WATER_SANITATION' }));
    // What `rabta assist export-corrections --url` reads: the authority's alone.
    const token = readFileSync(join(t.platform.config.dataDir, 'demo', 'admin-token.txt'), 'utf8').trim();
    const url = `${t.platform.config.publicUrl}/admin/case-corrections`;
    const stored = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<{ category: string; predicted: string }>;
    expect(stored).toContainEqual(expect.objectContaining({ category: 'EDUCATION', predicted: 'WATER_SANITATION' }));
    expect((await fetch(url)).status).toBe(401);
  });

  it('routes the SMS grievance to the telco by itself, with the model version and confidence stored', () => {
    const s = report.sms;
    expect(s.reply).toContain(s.reference);
    expect(s).toMatchObject({ routedTo: 'TELCO', lead: 'PK/TELCO/JAZZ' });
    expect(s.routing).toMatchObject({ label: 'TELCO', routed: true, correctedCategory: null });
    expect(s.routing?.modelVersion).toMatch(/\S/);
    expect(s.routing?.confidence).toBeGreaterThan(0.9);
  });

  it('has Jazz transfer it to NADRA, whose missed first response escalates and is told to NADRA', () => {
    const s = report.sms;
    expect(s.transferredTo).toBe('PK/GOV/NADRA');
    expect(s.escalation).toEqual({ level: 1, role: 'NADRA registration centre in-charge' });
    expect(s.notices.join('\n')).toContain('escalated to level 1');
  });

  it('opens one case for HBL, by itself, when failed withdrawals spike in Kech, with the evidence', async () => {
    const { view, reference } = report.spike;
    expect(view).toMatchObject({ lead: 'PK/BANK/HBL', category: 'BANK', district: 'BA-KECH', channel: 'anomaly', citizen: null });
    expect(view.text).toMatch(/one-day spike.*withdrawal\.failed@PK\/BANK\/HBL for BA-KECH/);
    // Found once: a second run of the hourly job opens nothing more.
    expect((await t.platform.anomalies.runOnce()).opened).toEqual([]);
    expect(report.lines.join('\n')).toContain(reference);
  });

  it('sent every SMS of the story over the demo SMSC', () => {
    const all = running.smsc.received.map((r) => r.text).join('\n');
    expect(all).toContain(report.open311.reference);
    expect(all).toContain(report.sms.reference);
  });
});
