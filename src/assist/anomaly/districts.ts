import { districts } from '../../cases/index.js';
import type { Random } from './random.js';

/**
 * The generator's districts: the 136 of the 2023 census, in the platform's
 * one district coding (`<province>-<NAME>`, e.g. `PB-LAHORE`: src/cases/districts.ts), plus as many synthetic districts as
 * asked beyond 136 (Azad Kashmir and Gilgit-Baltistan are not in the table:
 * `JK-SYN01`…, `GB-SYN01`…), sized by drawing from the small half of the
 * census sizes and scaling down, so the sizes span close to three orders of
 * magnitude (Harnai 127,571 to Lahore 13,004,135 in the census alone).
 */
export interface District {
  readonly code: string;
  readonly province: string;
  readonly population: number;
  readonly synthetic: boolean;
}

let census: District[] | undefined;

/** The census districts in the platform's one coding (the cases module's table). */
export function censusDistricts(): District[] {
  census ??= [...districts().values()].map((d) => ({ code: d.code, province: d.province, population: d.population, synthetic: false }));
  return census;
}

export function generatorDistricts(count: number, random: Random): District[] {
  const real = censusDistricts();
  if (count <= real.length) return real.slice(0, count);
  const small = [...real].sort((a, b) => a.population - b.population).slice(0, real.length >> 1);
  const out = [...real];
  for (let i = 0; out.length < count; i++) {
    const province = i % 24 < 10 ? 'JK' : 'GB';
    const serial = province === 'JK' ? (i % 24) + 1 + 10 * Math.floor(i / 24) : (i % 24) - 9 + 14 * Math.floor(i / 24);
    const population = Math.round(random.pick(small).population * random.uniform(0.15, 1));
    out.push({ code: `${province}-SYN${String(serial).padStart(2, '0')}`, province, population, synthetic: true });
  }
  return out;
}
