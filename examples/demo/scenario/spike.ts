import { RabtaError, SYSTEM_ACTOR } from '../../../src/core/index.js';
import { districts } from '../../../src/cases/index.js';
import type { CaseActor, CaseView } from '../../../src/cases/index.js';
import type { Platform } from '../../../src/platform/index.js';
import { RabtaClient, loadKeyFile } from '../../../src/sdk/index.js';

/** HBL's complaints desk reports failed withdrawals per agent district as counts only: no CNIC, nothing personal. */
export const WITHDRAWAL_COUNTS = 'PK/BANK/HBL/complaints/withdrawal.failed';
const HBL_COMPLAINTS = 'PK/BANK/HBL/complaints';
const DAY = 86_400_000;
const WEEKS = 8;
const DEMO_AUTHORITY: CaseActor = { kind: 'authority', by: 'demo-scenario' };

export interface SpikeReport {
  published: number;
  reference: string;
  view: CaseView;
}

/**
 * Eight weeks of failed withdrawals as HBL's desk counted them in twelve
 * Balochistan districts, then a day on which Kech has six times its usual
 * failures (an agent's fingerprint reader broke). Rabta's anomaly job, which
 * runs hourly on one node, is run once here: it finds the spike in the
 * platform's own records and opens one case for HBL with the evidence.
 */
export async function withdrawalSpike(platform: Platform, complaintsKeyFile: string, say: (line: string) => void): Promise<SpikeReport> {
  try {
    await platform.events.createTopic(SYSTEM_ACTOR, HBL_COMPLAINTS, { code: 'withdrawal.failed', title: 'Failed withdrawals at agents, counted per district (no personal data)', schema: { type: 'object' }, retentionDays: 180 });
  } catch (error) {
    if (!(error instanceof RabtaError && error.code === 'conflict')) throw error;
  }
  const key = await loadKeyFile(complaintsKeyFile);
  const desk = new RabtaClient({ baseUrl: platform.config.publicUrl, client: key.client, keyId: key.keyId, privateKey: key.privateKey });
  // A dozen of Balochistan's districts, Kech among them.
  const places = [...districts().keys()].filter((code) => code.startsWith('BA-') && code !== 'BA-KECH').slice(0, 11).concat('BA-KECH');
  const random = lcg(7);
  // An hour ago, and the same hour on each day before: reports are never dated in the future.
  const lastHour = platform.now() - 3_600_000;
  let spikeDay = 0;
  const counts: Array<{ district: string; reason: string; at: string }> = [];
  for (let day = WEEKS * 7; day >= 0; day--) {
    places.forEach((district, i) => {
      const usual = 4 + (i % 4) * 2;
      const n = poisson(day === 0 && district === 'BA-KECH' ? usual * 6 : usual, random);
      if (day === 0 && district === 'BA-KECH') spikeDay = n;
      for (let k = 0; k < n; k++) counts.push({ district, reason: 'biometric-mismatch', at: new Date(lastHour - day * DAY).toISOString() });
    });
  }
  for (let i = 0; i < counts.length; i += 1_000) await desk.publishBatch(WITHDRAWAL_COUNTS, counts.slice(i, i + 1_000));
  say(`HBL's complaints desk reports ${counts.length} failed withdrawals over ${WEEKS} weeks in ${places.length} districts (counts only), the last day ${spikeDay} in Kech`);
  const run = await platform.anomalies.runOnce();
  const opened = run.opened.find((o) => o.anomaly.includes('|BA-KECH|'));
  if (!opened) throw new Error(`the anomaly job opened no case for Kech (it opened ${run.opened.length})`);
  const view = await platform.cases.view(DEMO_AUTHORITY, opened.reference);
  say(`  the anomaly job opens ${opened.reference} for ${view.lead} (${view.category ?? 'triage'}, ${view.district}): ${view.text.split('. ')[0]}`);
  return { published: counts.length, reference: opened.reference, view };
}

function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function poisson(lambda: number, random: () => number): number {
  const limit = Math.exp(-lambda);
  let [k, p] = [0, 1];
  for (;;) {
    p *= random();
    if (p <= limit) return k;
    k++;
  }
}
