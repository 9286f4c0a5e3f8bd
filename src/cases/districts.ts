import { readFileSync } from 'node:fs';

export interface District {
  code: string;
  province: string;
  name: string;
}

let cache: Map<string, District> | undefined;

/** The census districts (data/districts.csv, source in data/README.md), by code. */
export function districts(): Map<string, District> {
  if (cache) return cache;
  const text = readFileSync(new URL('./data/districts.csv', import.meta.url), 'utf8');
  cache = new Map();
  for (const line of text.trim().split('\n').slice(1)) {
    const [code, , province, name] = line.split(',') as [string, string, string, string];
    cache.set(code, { code, province, name });
  }
  return cache;
}

export function findDistrict(code: string): District | undefined {
  return districts().get(code.trim().toUpperCase());
}
