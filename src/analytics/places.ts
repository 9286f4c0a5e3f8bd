import { readFileSync } from 'node:fs';
import { districts } from '../cases/index.js';
import type { RollupRow } from './tables.js';

export const SOURCES = {
  census: 'Pakistan Bureau of Statistics, Census 2023, district tables 01 and 12 (CSV by fahad-mirza/pakistan_census_2023_tables, MIT)',
  literacy: 'Pakistan Economic Survey 2022-23, Finance Division (Labour Force Survey 2020-21), literacy age 10+',
  egdi: 'UN DESA, UN E-Government Survey 2022 (EGDI and components)',
} as const;

export const PROVINCES: Record<string, string> = { BA: 'Balochistan', IS: 'Islamabad', KP: 'Khyber Pakhtunkhwa', PB: 'Punjab', SD: 'Sindh' };
/** The literacy table names provinces its own way. */
const LITERACY_NAMES: Record<string, string> = { Punjab: 'PB', Sindh: 'SD', KP: 'KP', Balochistan: 'BA' };

function rows(file: string): string[][] {
  const text = readFileSync(new URL(`./data/${file}`, import.meta.url), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
}

export interface DistrictContext {
  code: string;
  province: string;
  name: string;
  population: number;
  literacyPct: number | null;
}

let districtCache: DistrictContext[] | undefined;

/** The census districts with the cases module's codes, population and literacy. */
export function districtContext(): DistrictContext[] {
  if (districtCache) return districtCache;
  const census = new Map(rows('pk_districts_census2023.csv').map((r) => [`${r[0]}|${r[2]}`, r]));
  districtCache = [...districts().values()].map((d) => {
    const row = census.get(`${d.code.slice(0, 2)}|${d.name}`);
    return { code: d.code, province: d.code.slice(0, 2), name: d.name, population: Number(row?.[3] ?? 0), literacyPct: row ? Number(row[7]) : null };
  });
  return districtCache;
}

export function provinceLiteracy(): Map<string, { male: number; female: number; total: number }> {
  const out = new Map<string, { male: number; female: number; total: number }>();
  for (const [name, male, female, total] of rows('literacy_by_province_2020-21.csv')) {
    const code = name === 'Pakistan' ? 'PK' : LITERACY_NAMES[name as string];
    if (code) out.set(code, { male: Number(male), female: Number(female), total: Number(total) });
  }
  return out;
}

export interface EgdiRow {
  country: string;
  rank: number;
  egdi: number;
  osi: number;
  tii: number;
  hci: number;
  epi: number;
}

export function egdiSouthAsia(): EgdiRow[] {
  return rows('egdi_2022_south_asia.csv').map(([country, rank, egdi, osi, tii, hci, epi]) => ({
    country: country as string,
    rank: Number(rank),
    egdi: Number(egdi),
    osi: Number(osi),
    tii: Number(tii),
    hci: Number(hci),
    epi: Number(epi),
  }));
}

export interface PlaceFigures {
  code: string;
  name: string;
  province: string;
  population: number;
  literacyPct: number | null;
  casesOpened: number;
  /** cases opened per 100,000 people */
  casesPer100k: number | null;
  closed: number;
  confirmed: number;
  /** confirmed share of the cases closed after a resolution, % */
  confirmedPct: number | null;
}

/** The measures the place views read. */
export const PLACE_MEASURES = ['case.opened', 'case.closed'] as const;

const per100k = (n: number, population: number) => (population > 0 ? Math.round((n * 1e7) / population) / 100 : null);
const pct = (num: number, den: number) => (den > 0 ? Math.round((1000 * num) / den) / 10 : null);

/** District and province figures of cases, beside the census and literacy. */
export function placeFigures(rollups: readonly RollupRow[]): { districts: PlaceFigures[]; provinces: PlaceFigures[]; sources: typeof SOURCES; egdi: { pakistan: EgdiRow | undefined; southAsia: EgdiRow[]; worldMean: number } } {
  const byDistrict = new Map<string, { opened: number; closed: number; confirmed: number }>();
  for (const r of rollups) {
    if (!r.district) continue;
    const d = byDistrict.get(r.district) ?? { opened: 0, closed: 0, confirmed: 0 };
    if (r.measure === 'case.opened') d.opened += r.n;
    if (r.measure === 'case.closed' && (r.dimension === 'confirmed' || r.dimension === 'unconfirmed')) {
      d.closed += r.n;
      d.confirmed += r.good;
    }
    byDistrict.set(r.district, d);
  }
  const districtsOut = districtContext().map((c) => {
    const d = byDistrict.get(c.code) ?? { opened: 0, closed: 0, confirmed: 0 };
    return { ...c, casesOpened: d.opened, casesPer100k: per100k(d.opened, c.population), closed: d.closed, confirmed: d.confirmed, confirmedPct: pct(d.confirmed, d.closed) };
  });
  const literacy = provinceLiteracy();
  const provinces = Object.entries(PROVINCES).map(([code, name]) => {
    const within = districtsOut.filter((d) => d.province === code);
    const sum = (f: (d: PlaceFigures) => number) => within.reduce((s, d) => s + f(d), 0);
    const population = sum((d) => d.population);
    const opened = sum((d) => d.casesOpened);
    const closed = sum((d) => d.closed);
    const confirmed = sum((d) => d.confirmed);
    return { code, name, province: code, population, literacyPct: literacy.get(code)?.total ?? null, casesOpened: opened, casesPer100k: per100k(opened, population), closed, confirmed, confirmedPct: pct(confirmed, closed) };
  });
  const southAsia = egdiSouthAsia();
  return { districts: districtsOut, provinces, sources: SOURCES, egdi: { pakistan: southAsia.find((r) => r.country === 'Pakistan'), southAsia, worldMean: 0.6102 } };
}
