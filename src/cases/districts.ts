import { readFileSync } from 'node:fs';

/**
 * Pakistan's districts, one coding for the whole platform: `<province>-<NAME>`,
 * the ISO 3166-2:PK province suffix and the district's census name in upper
 * case with runs of anything but letters and digits as `_` (`PB-LAHORE`,
 * `PB-DERA_GHAZI_KHAN`, `BA-KECH`). The code is derived from the census table
 * itself (data/pk_districts_census2023.csv, the shared reference table), so it
 * needs no numbering of its own and stays put when districts are added —
 * Pakistan creates new ones every few years. Cases, Open311's `address_id`
 * and the anomaly detector's series all use it.
 */
export interface District {
  readonly code: string;
  /** ISO 3166-2:PK suffix: BA, IS, KP, PB, SD */
  readonly province: string;
  /** the census name, e.g. Dera Ghazi Khan */
  readonly name: string;
  readonly population: number;
}

/** The code of a district of `province` named `name` (the census spelling). */
export function districtCode(province: string, name: string): string {
  return `${province.trim().toUpperCase()}-${name.trim().toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
}

let cache: Map<string, District> | undefined;

/** The 136 districts of the 2023 census, by code, in the table's order. */
export function districts(): Map<string, District> {
  if (cache) return cache;
  const text = readFileSync(new URL('./data/pk_districts_census2023.csv', import.meta.url), 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] as string).split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`the census table lacks column ${name}`);
    return i;
  };
  const [p, n, pop] = [col('province_code'), col('district'), col('population_2023')];
  cache = new Map();
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const district: District = { code: districtCode(f[p] as string, f[n] as string), province: f[p] as string, name: f[n] as string, population: Number(f[pop]) };
    cache.set(district.code, district);
  }
  return cache;
}

export function findDistrict(code: string): District | undefined {
  return districts().get(code.trim().toUpperCase());
}
