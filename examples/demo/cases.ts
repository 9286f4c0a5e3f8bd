import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_ACTOR } from '../../src/core/changes.js';
import type { CategoryInput } from '../../src/cases/index.js';
import type { Platform } from '../../src/platform/index.js';
import { ignoreConflict } from './seed.js';

/**
 * The demo's case catalogue: one category per label of the grievance router
 * (src/assist/labels.ts), so a routed grievance lands in a real category with
 * a lead, and the offices that lead them. The five institutions of the
 * federation lead their own; the demo adds the Balochistan offices its
 * beneficiaries (Quetta, Khuzdar, Kech…) would complain to, without systems.
 */
const AUTHORITY = { kind: 'authority', by: 'demo seed' } as const;

interface DemoOffice {
  memberClass: 'GOV' | 'PROV';
  code: string;
  nameEn: string;
  nameUr: string;
}

const OFFICES: DemoOffice[] = [
  { memberClass: 'GOV', code: 'QESCO', nameEn: 'Quetta Electric Supply Company', nameUr: 'کوئٹہ الیکٹرک سپلائی کمپنی' },
  { memberClass: 'PROV', code: 'PHED-BA', nameEn: 'Public Health Engineering Department, Balochistan', nameUr: 'محکمہ پبلک ہیلتھ انجینئرنگ، بلوچستان' },
  { memberClass: 'PROV', code: 'POLICE-BA', nameEn: 'Balochistan Police', nameUr: 'بلوچستان پولیس' },
  { memberClass: 'PROV', code: 'HEALTH-BA', nameEn: 'Health Department, Balochistan', nameUr: 'محکمہ صحت، بلوچستان' },
  { memberClass: 'PROV', code: 'SED-BA', nameEn: 'School Education Department, Balochistan', nameUr: 'محکمہ تعلیم، بلوچستان' },
  { memberClass: 'PROV', code: 'BOR-BA', nameEn: 'Board of Revenue, Balochistan', nameUr: 'بورڈ آف ریونیو، بلوچستان' },
];

/** The ten router labels as categories: code = label. `BANK` is the disbursement story's joint case: HBL leads, 3 working days. */
export const DEMO_CATEGORIES: CategoryInput[] = [
  { code: 'BISP', nameEn: 'Benazir payment or eligibility', nameUr: 'بینظیر ادائیگی یا اہلیت', lead: 'PK/GOV/BISP', firstResponseDays: 2, resolutionDays: 10, group: 'social protection', description: 'an instalment not paid or cut, eligibility, a payment agent who takes a share' },
  { code: 'BANK', nameEn: 'Bank, ATM or payment agent', nameUr: 'بینک، اے ٹی ایم یا ایجنٹ', lead: 'PK/BANK/HBL', firstResponseDays: 1, resolutionDays: 3, group: 'payments', description: 'money not dispensed, a failed withdrawal, an account or card problem' },
  { code: 'NADRA', nameEn: 'CNIC and civil registration', nameUr: 'شناختی کارڈ اور اندراج', lead: 'PK/GOV/NADRA', firstResponseDays: 2, resolutionDays: 10, group: 'identity', description: 'a CNIC renewal or correction stuck, biometric verification, family registration' },
  { code: 'TELCO', nameEn: 'Mobile SIM and service', nameUr: 'موبائل سم اور سروس', lead: 'PK/TELCO/JAZZ', firstResponseDays: 1, resolutionDays: 5, group: 'telecom', description: 'a SIM blocked or not verified, mobile service' },
  { code: 'ELECTRICITY', nameEn: 'Electricity supply and bills', nameUr: 'بجلی اور بل', lead: 'PK/GOV/QESCO', firstResponseDays: 1, resolutionDays: 5, group: 'utilities', description: 'no supply, load-shedding beyond schedule, an inflated bill, a transformer' },
  { code: 'WATER_SANITATION', nameEn: 'Water supply and sanitation', nameUr: 'پانی اور صفائی', lead: 'PK/PROV/PHED-BA', firstResponseDays: 2, resolutionDays: 10, group: 'utilities', description: 'no water, dirty water, a blocked or overflowing drain' },
  { code: 'POLICE', nameEn: 'Police', nameUr: 'پولیس', lead: 'PK/PROV/POLICE-BA', firstResponseDays: 1, resolutionDays: 10, group: 'safety', description: 'an FIR not registered, harassment, theft' },
  { code: 'HEALTH', nameEn: 'Health facilities', nameUr: 'صحت کی سہولیات', lead: 'PK/PROV/HEALTH-BA', firstResponseDays: 1, resolutionDays: 10, group: 'services', description: 'a basic health unit without staff or medicine, vaccination' },
  { code: 'EDUCATION', nameEn: 'Schools', nameUr: 'اسکول', lead: 'PK/PROV/SED-BA', firstResponseDays: 2, resolutionDays: 15, group: 'services', description: 'an absent teacher, a closed school, stipends, school buildings' },
  { code: 'LAND_REVENUE', nameEn: 'Land records and revenue', nameUr: 'زمین کا ریکارڈ اور مال', lead: 'PK/PROV/BOR-BA', firstResponseDays: 2, resolutionDays: 15, group: 'land', description: 'a land record changed or not transferred, a patwari, a fard' },
];

/** Escalation levels: the officer role, then the head (HBL's head of complaints is the story's "HBL's head"). */
const LEVELS: Record<string, string[]> = {
  'PK/BANK/HBL': ['HBL head of complaints', 'HBL president'],
  'PK/BANK/BAFL': ['Bank Alfalah complaints officer', 'Bank Alfalah head of complaints'],
  'PK/GOV/BISP': ['BISP tehsil officer', 'BISP director general (grievances)'],
  'PK/GOV/NADRA': ['NADRA registration centre in-charge', 'NADRA director general (operations)'],
  'PK/TELCO/JAZZ': ['Jazz customer relations officer', 'Jazz head of customer care'],
};

export interface DemoCases {
  /** the citizen portal's Open311 api_key, in a file under the data directory */
  open311KeyFile: string;
}

export async function seedDemoCases(platform: Platform): Promise<DemoCases> {
  const { registry, cases } = platform;
  for (const office of OFFICES) await ignoreConflict(() => registry.createMember(SYSTEM_ACTOR, { ...office, province: 'BA' }));
  // A restart changes nothing that is already as seeded.
  for (const category of DEMO_CATEGORIES) {
    const known = await cases.getCategory(category.code).catch(() => undefined);
    if (!known || known.lead !== category.lead || known.nameEn !== category.nameEn) await cases.putCategory(AUTHORITY, category);
    const lead = category.lead as string;
    const roles = LEVELS[lead] ?? [`${lead.split('/').at(-1)} grievance officer`, `head of ${lead.split('/').at(-1)}`];
    const levels = await cases.escalationLevels(lead);
    if (levels.map((l) => l.role).join('\n') !== roles.join('\n')) await cases.setEscalationLevels(AUTHORITY, lead, roles);
  }
  return { open311KeyFile: await ensureOpen311Key(platform) };
}

/** The portal's intake key survives restarts; a revoked or unknown one is replaced. */
async function ensureOpen311Key(platform: Platform): Promise<string> {
  const dir = join(platform.config.dataDir, 'demo');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'open311-api-key.txt');
  if (existsSync(file) && (await platform.cases.intakeOf(readFileSync(file, 'utf8').trim())) !== undefined) return file;
  const { apiKey } = await platform.cases.createIntakeKey(AUTHORITY, { member: null, label: 'demo citizen portal' });
  writeFileSync(file, apiKey + '\n', { mode: 0o600 });
  return file;
}
