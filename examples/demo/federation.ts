/**
 * The demo federation's shape: who the members are, what they offer and who
 * may call what. The seed turns it into registry calls; the upstreams serve it.
 */
export interface DemoService {
  code: string;
  title: string;
  /** path on the demo upstream server */
  upstreamPath: string;
  personal: boolean;
  subjectLocation: string | null;
  description: string;
}

export interface DemoSubsystem {
  code: string;
  name: string;
  services: DemoService[];
  /** the call this subsystem's key file shows as its example */
  example?: { method: string; path: string; headers?: Record<string, string>; body?: unknown };
}

export interface DemoMember {
  memberClass: 'GOV' | 'PROV' | 'BANK' | 'TELCO';
  code: string;
  nameEn: string;
  nameUr: string;
  province: string | null;
  subsystems: DemoSubsystem[];
}

export const PURPOSES = [
  {
    code: 'cash-transfer-disbursement',
    nameEn: 'Cash-transfer disbursement',
    nameUr: 'نقد امداد کی ادائیگی',
    legalBasis: 'statute' as const,
    statute: 'Benazir Income Support Programme Act, 2010 (payments to eligible beneficiaries through partner banks)',
  },
  {
    code: 'identity-verification',
    nameEn: 'Identity verification',
    nameUr: 'شناخت کی تصدیق',
    legalBasis: 'statute' as const,
    statute: 'National Database and Registration Authority Ordinance, 2000 (verification of registered citizens)',
  },
  {
    code: 'sim-verification',
    nameEn: 'SIM ownership verification',
    nameUr: 'سم کی ملکیت کی تصدیق',
    legalBasis: 'statute' as const,
    statute: 'Pakistan Telecommunication (Re-organization) Act, 1996 and PTA SIM regulations (biometric SIM verification)',
  },
  {
    code: 'beneficiary-support',
    nameEn: 'Helping a beneficiary at the branch',
    nameUr: 'برانچ میں مستحق کی مدد',
    legalBasis: 'consent' as const,
    statute: null,
  },
];

export function demoMembers(subject: string, batchExample: unknown): DemoMember[] {
  return [
    {
      memberClass: 'GOV',
      code: 'NADRA',
      nameEn: 'National Database and Registration Authority',
      nameUr: 'نادرا',
      province: 'IS',
      subsystems: [
        {
          code: 'identity',
          name: 'Identity verification',
          services: [
            {
              code: 'verify-identity',
              title: 'Verify a CNIC holder',
              upstreamPath: '/nadra/identity',
              personal: true,
              subjectLocation: 'header',
              description: 'Answers whether the CNIC in Rabta-Subject is valid and alive, with the holder’s district.',
            },
          ],
        },
      ],
    },
    {
      memberClass: 'GOV',
      code: 'BISP',
      nameEn: 'Benazir Income Support Programme',
      nameUr: 'بینظیر انکم سپورٹ پروگرام',
      province: 'IS',
      subsystems: [
        {
          code: 'payments',
          name: 'Kafaalat payments',
          services: [
            {
              code: 'beneficiary-status',
              title: 'Beneficiary and payment status',
              upstreamPath: '/bisp/payments',
              personal: true,
              subjectLocation: 'header',
              description: 'Whether the CNIC in Rabta-Subject is an active beneficiary, and her latest payment.',
            },
          ],
          example: { method: 'POST', path: '/x/PK/BANK/HBL/disbursement/payment-batches/batches/validate', headers: { 'Rabta-Purpose': 'cash-transfer-disbursement', 'Content-Type': 'application/json' }, body: batchExample },
        },
      ],
    },
    {
      memberClass: 'BANK',
      code: 'HBL',
      nameEn: 'Habib Bank Limited',
      nameUr: 'حبیب بینک لمیٹڈ',
      province: 'SD',
      subsystems: [
        {
          code: 'branch-app',
          name: 'Branch and agent application',
          services: [],
          example: { method: 'GET', path: '/x/PK/GOV/BISP/payments/beneficiary-status/beneficiaries/status', headers: { 'Rabta-Purpose': 'cash-transfer-disbursement', 'Rabta-Subject': subject } },
        },
        {
          code: 'disbursement',
          name: 'BISP disbursement',
          services: [
            {
              code: 'payment-batches',
              title: 'Receive a payment batch',
              upstreamPath: '/hbl/disbursement',
              personal: true,
              subjectLocation: 'rows[].cnic',
              description: 'Takes a batch of payments to credit; validates every row and reports bad rows one by one.',
            },
          ],
          example: { method: 'GET', path: '/x/PK/GOV/NADRA/identity/verify-identity/citizens/verify', headers: { 'Rabta-Purpose': 'identity-verification', 'Rabta-Subject': subject } },
        },
        {
          code: 'complaints',
          name: 'Complaints desk',
          services: [],
          example: { method: 'GET', path: '/x/PK/GOV/BISP/payments/beneficiary-status/beneficiaries/status', headers: { 'Rabta-Purpose': 'cash-transfer-disbursement', 'Rabta-Subject': subject } },
        },
      ],
    },
    {
      memberClass: 'BANK',
      code: 'BAFL',
      nameEn: 'Bank Alfalah',
      nameUr: 'بینک الفلاح',
      province: 'SD',
      subsystems: [
        {
          code: 'branch-app',
          name: 'Branch application',
          services: [],
          example: { method: 'GET', path: '/x/PK/GOV/BISP/payments/beneficiary-status/beneficiaries/status', headers: { 'Rabta-Purpose': 'cash-transfer-disbursement', 'Rabta-Subject': subject } },
        },
      ],
    },
    {
      memberClass: 'TELCO',
      code: 'JAZZ',
      nameEn: 'Jazz (Pakistan Mobile Communications)',
      nameUr: 'جاز',
      province: 'IS',
      subsystems: [
        {
          code: 'sim-registration',
          name: 'Biometric SIM registration',
          services: [],
          example: { method: 'GET', path: '/x/PK/GOV/NADRA/identity/verify-identity/citizens/verify', headers: { 'Rabta-Purpose': 'sim-verification', 'Rabta-Subject': subject } },
        },
      ],
    },
  ];
}

/** Who may call what, for which purposes. JAZZ may not call BISP: the demo's "no right" case. */
export const ACCESS = [
  { service: 'PK/GOV/BISP/payments/beneficiary-status', client: 'PK/BANK/HBL/branch-app', purposes: ['cash-transfer-disbursement', 'beneficiary-support'] },
  { service: 'PK/GOV/BISP/payments/beneficiary-status', client: 'PK/BANK/BAFL/branch-app', purposes: ['cash-transfer-disbursement', 'beneficiary-support'] },
  { service: 'PK/GOV/NADRA/identity/verify-identity', client: 'PK/GOV/BISP/payments', purposes: ['identity-verification'] },
  { service: 'PK/GOV/NADRA/identity/verify-identity', client: 'PK/TELCO/JAZZ/sim-registration', purposes: ['sim-verification'] },
  { service: 'PK/GOV/NADRA/identity/verify-identity', client: 'PK/BANK/HBL/disbursement', purposes: ['identity-verification'] },
  { service: 'PK/BANK/HBL/disbursement/payment-batches', client: 'PK/GOV/BISP/payments', purposes: ['cash-transfer-disbursement'] },
  // The complaints desk looks up a beneficiary whose withdrawal failed.
  { service: 'PK/GOV/BISP/payments/beneficiary-status', client: 'PK/BANK/HBL/complaints', purposes: ['cash-transfer-disbursement'] },
];
