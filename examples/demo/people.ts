import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The demo's simulated citizens: BISP Kafaalat beneficiaries (women, paid
 * quarterly through partner banks) in real districts of the 2023 census.
 * Deterministic, so every fresh start shows the same people.
 */
export interface District {
  provinceCode: string;
  province: string;
  district: string;
  population: number;
  literacyFemalePct: number;
}

export interface Beneficiary {
  cnic: string;
  nameEn: string;
  nameUr: string;
  mobile: string;
  language: 'ur' | 'en';
  district: District;
  bank: 'HBL' | 'BAFL';
  quarterlyAmountPkr: number;
  status: 'active' | 'suspended';
}

export function loadDistricts(): District[] {
  const file = fileURLToPath(new URL('./data/pk_districts_census2023.csv', import.meta.url));
  const [, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  return lines.map((line) => {
    const cols = line.split(',');
    return {
      provinceCode: cols[0] as string,
      province: cols[1] as string,
      district: cols[2] as string,
      population: Number(cols[3]),
      literacyFemalePct: Number(cols[9]),
    };
  });
}

const NAMES: Array<[string, string]> = [
  ['Shazia Bibi', 'شازیہ بی بی'],
  ['Nasreen Akhtar', 'نسرین اختر'],
  ['Gul Bano', 'گل بانو'],
  ['Rukhsana Parveen', 'رخسانہ پروین'],
  ['Zainab Baloch', 'زینب بلوچ'],
  ['Sakina Khatoon', 'سکینہ خاتون'],
  ['Fatima Mengal', 'فاطمہ مینگل'],
  ['Amina Begum', 'آمنہ بیگم'],
  ['Hajra Bibi', 'ہاجرہ بی بی'],
  ['Samina Kausar', 'ثمینہ کوثر'],
  ['Bakhtawar Jamali', 'بختاور جمالی'],
  ['Naseem Akhtar', 'نسیم اختر'],
];

/** The usual first digit of a CNIC by province (a convention, not a rule we validate). */
const FIRST_DIGIT: Record<string, string> = { KP: '1', PB: '3', SD: '4', BA: '5', IS: '6' };

function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function demoBeneficiaries(count = 12): Beneficiary[] {
  const districts = loadDistricts();
  // Balochistan first: the founding study's example and the lowest female literacy.
  const chosen = ['Quetta', 'Khuzdar', 'Kech', 'Jhal Magsi', 'Tharparkar', 'Karachi West', 'Rajanpur', 'Muzaffargarh', 'Swat', 'Upper Kohistan', 'Islamabad', 'Lahore'];
  const next = random(2026);
  const people: Beneficiary[] = [];
  for (let i = 0; i < count; i++) {
    const district = districts.find((d) => d.district.startsWith(chosen[i % chosen.length] as string)) ?? (districts[i] as District);
    const digits = `${FIRST_DIGIT[district.provinceCode] ?? '3'}${String(Math.floor(next() * 1e12)).padStart(12, '0')}`;
    const cnic = `${digits.slice(0, 5)}-${digits.slice(5, 12)}-${digits.slice(12)}`;
    // Every third household shares the previous one's phone, as families do.
    const mobile = i % 3 === 2 && people[i - 1] ? (people[i - 1] as Beneficiary).mobile : `+923${String(Math.floor(next() * 1e9)).padStart(9, '0')}`;
    const [nameEn, nameUr] = NAMES[i % NAMES.length] as [string, string];
    people.push({
      cnic,
      nameEn,
      nameUr,
      mobile,
      language: i % 4 === 3 ? 'en' : 'ur',
      district,
      bank: i % 2 === 0 ? 'HBL' : 'BAFL',
      quarterlyAmountPkr: 13_500,
      status: i === 5 ? 'suspended' : 'active',
    });
  }
  return people;
}
