import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { collaborationIndex, COLLABORATION_METHOD, scoreInstitutions, scorePairs } from './collaboration.js';
import { parseCsv } from './csv.js';
import { buildPackage } from './datapackage.js';
import { catalog } from './dcat.js';
import { releaseTables, TOTAL } from './release-tables.js';
import { rollupRows } from './rollups.js';
import { recoverable, suppress } from './suppression.js';
import type { Fact } from './facts.js';
import { validateDescriptor, validateTable } from './testing.js';

describe('the collaboration index', () => {
  it('recomputes the published worked example', () => {
    const example = COLLABORATION_METHOD.workedExample;
    const pairs = scorePairs(example.pairs);
    // The published pairs name each pair by its two ids in sorted order.
    const rounded = Object.fromEntries(pairs.map((p) => [[p.a, p.b].sort().join('|'), Math.round(p.score * 10) / 10]));
    expect(rounded).toEqual(example.expected.pairs);
    expect(Object.fromEntries(scoreInstitutions(pairs).map((i) => [i.member, i.score]))).toEqual(example.expected.institutions);
  });

  it('computes the same from rollups of the example’s facts', () => {
    const facts: Fact[] = [];
    const at = Date.UTC(2026, 0, 5);
    const times = (n: number, fact: Omit<Fact, 'at'>) => {
      for (let i = 0; i < n; i++) facts.push({ ...fact, at });
    };
    times(980, { measure: 'exchange.call', member: 'PK/GOV/A', peer: 'PK/BANK/B', good: 1 });
    times(20, { measure: 'exchange.call', member: 'PK/BANK/B', peer: 'PK/GOV/A', good: 0 });
    times(500, { measure: 'event.delivered', member: 'PK/BANK/B', peer: 'PK/GOV/A', good: 1 });
    times(20, { measure: 'event.dead', member: 'PK/BANK/B', peer: 'PK/GOV/A' });
    times(10, { measure: 'case.joint', member: 'PK/BANK/B', peer: 'PK/GOV/A' });
    times(6, { measure: 'case.joint.resolved', member: 'PK/BANK/B', peer: 'PK/GOV/A', good: 1 });
    times(2, { measure: 'case.joint.resolved', member: 'PK/BANK/B', peer: 'PK/GOV/A', good: 0 });
    times(4, { measure: 'case.joint.closed', member: 'PK/BANK/B', peer: 'PK/GOV/A', good: 1 });
    times(1, { measure: 'case.joint.closed', member: 'PK/BANK/B', peer: 'PK/GOV/A', good: 0 });
    times(90, { measure: 'exchange.call', member: 'PK/GOV/A', peer: 'PK/TELCO/C', good: 1 });
    times(10, { measure: 'exchange.call', member: 'PK/GOV/A', peer: 'PK/TELCO/C', good: 0 });
    const index = collaborationIndex(rollupRows(facts).filter((r) => r.grain === 'd'));
    expect(Object.fromEntries(index.pairs.map((p) => [`${p.a}|${p.b}`, p.score]))).toEqual(COLLABORATION_METHOD.workedExample.expected.pairs);
    expect(Object.fromEntries(index.institutions.map((i) => [i.member, i.score]))).toEqual(COLLABORATION_METHOD.workedExample.expected.institutions);
  });
});

describe('suppression', () => {
  // A deterministic pseudo-random source, so a failure can be replayed.
  function random(seed: number) {
    return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  }

  it('leaves no count from 1 to 9 and no cell recoverable from a total, over many random tables', () => {
    const next = random(7);
    for (let round = 0; round < 300; round++) {
      const rows = 1 + Math.floor(next() * 5);
      const cols = 1 + Math.floor(next() * 5);
      const values = new Map<string, number>();
      const lines = [];
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values.set(`${r},${c}`, next() < 0.3 ? Math.floor(next() * 10) : Math.floor(next() * 60));
      for (let r = 0; r < rows; r++) {
        values.set(`${r},T`, [...Array(cols).keys()].reduce((s, c) => s + (values.get(`${r},${c}`) ?? 0), 0));
        lines.push({ cells: [...Array(cols).keys()].map((c) => `${r},${c}`), total: `${r},T` });
      }
      for (let c = 0; c < cols; c++) {
        values.set(`T,${c}`, [...Array(rows).keys()].reduce((s, r) => s + (values.get(`${r},${c}`) ?? 0), 0));
        lines.push({ cells: [...Array(rows).keys()].map((r) => `${r},${c}`), total: `T,${c}` });
      }
      values.set('T,T', [...Array(rows).keys()].reduce((s, r) => s + (values.get(`${r},T`) ?? 0), 0));
      lines.push({ cells: [...Array(rows).keys()].map((r) => `${r},T`), total: 'T,T' });
      lines.push({ cells: [...Array(cols).keys()].map((c) => `T,${c}`), total: 'T,T' });
      const withheld = suppress(values, lines);
      for (const [id, n] of values) if (n >= 1 && n <= 9) expect(withheld.has(id), `${id}=${n}`).toBe(true);
      expect(recoverable(withheld, lines)).toEqual([]);
    }
  });

  it('withholds a second cell of a line whose only small cell a total would give away', () => {
    const values = new Map([
      ['a', 3],
      ['b', 40],
      ['c', 12],
      ['t', 55],
    ]);
    const withheld = suppress(values, [{ cells: ['a', 'b', 'c'], total: 't' }]);
    expect([...withheld].sort()).toEqual(['a', 'c']);
  });
});

function sampleRollups() {
  const facts: Fact[] = [];
  const at = Date.UTC(2026, 2, 2, 10);
  const add = (n: number, fact: Omit<Fact, 'at'>) => {
    for (let i = 0; i < n; i++) facts.push({ ...fact, at: at + i });
  };
  add(120, { measure: 'exchange.call', member: 'PK/BANK/HBL', peer: 'PK/GOV/NADRA', good: 1, ms: 40 });
  add(4, { measure: 'exchange.call', member: 'PK/BANK/HBL', peer: 'PK/GOV/BISP', good: 1, ms: 40 });
  add(33, { measure: 'exchange.call', member: 'PK/GOV/BISP', peer: 'PK/BANK/HBL', good: 1, ms: 40 });
  add(7, { measure: 'exchange.call', member: 'PK/GOV/BISP', peer: 'PK/GOV/NADRA', good: 0, ms: 40 });
  add(25, { measure: 'event.delivered', member: 'PK/BANK/HBL', peer: 'PK/GOV/BISP', good: 1, ms: 200 });
  add(3, { measure: 'case.opened', member: 'PK/BANK/HBL', district: 'PB-LAHORE', dimension: 'sms' });
  add(14, { measure: 'case.opened', member: 'PK/BANK/HBL', district: 'PB-MULTAN', dimension: 'open311' });
  add(11, { measure: 'case.opened', member: 'PK/GOV/BISP', district: 'SD-HYDERABAD', dimension: 'portal' });
  add(2, { measure: 'case.closed', member: 'PK/BANK/HBL', district: 'PB-MULTAN', dimension: 'confirmed', good: 1 });
  add(12, { measure: 'case.closed', member: 'PK/BANK/HBL', district: 'PB-MULTAN', dimension: 'unconfirmed' });
  return rollupRows(facts).filter((r) => r.grain === 'd');
}

describe('an open-data release', () => {
  const { tables, lines, withheld } = releaseTables(sampleRollups());
  const pkg = buildPackage({ version: '20260302T100000000Z', created: '2026-03-02T10:00:00.000Z', from: '2026-03-01T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', publicUrl: 'https://rabta.example.pk', tables });
  const descriptor = JSON.parse((pkg.files.get('datapackage.json') as Buffer).toString('utf8')) as { resources: Array<{ path: string; hash: string; bytes: number; schema: { fields: Array<{ name: string; type: string }>; primaryKey: string[]; missingValues: string[] } }> };

  it('is a tabular Data Package whose every CSV follows its Table Schema, hash and size', () => {
    expect(validateDescriptor(descriptor)).toEqual([]);
    expect(validateDescriptor({ resources: [{ name: 'Bad Name', path: '../x.csv' }] }).length).toBeGreaterThan(0);
    for (const resource of descriptor.resources) {
      const bytes = pkg.files.get(resource.path) as Buffer;
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(resource.hash);
      expect(bytes.length).toBe(resource.bytes);
      expect(validateTable(bytes.toString('utf8'), resource.schema), resource.path).toEqual([]);
    }
  });

  it('withholds the small counts and what would reveal them', () => {
    expect(recoverable(withheld, lines)).toEqual([]);
    const exchanges = parseCsv((pkg.files.get('exchanges.csv') as Buffer).toString('utf8'));
    const row = (client: string, provider: string) => exchanges.find((r) => r[0] === client && r[1] === provider);
    // 4 calls HBL → BISP are withheld, and so is HBL's other cell, else 124 − 120 gives them away.
    expect(row('PK/BANK/HBL', 'PK/GOV/BISP')?.slice(2)).toEqual(['', 'true']);
    expect(row('PK/BANK/HBL', 'PK/GOV/NADRA')?.slice(2)).toEqual(['', 'true']);
    expect(row('PK/BANK/HBL', TOTAL)?.slice(2)).toEqual(['124', 'false']);
    const districts = parseCsv((pkg.files.get('cases-by-district.csv') as Buffer).toString('utf8'));
    const header = districts[0] as string[];
    const pb17 = districts.find((r) => r[0] === 'PB-LAHORE') as string[];
    expect(pb17[header.indexOf('cases_opened')]).toBe('');
    expect(pb17[header.indexOf('cases_per_100k')]).toBe('');
    const pb18 = districts.find((r) => r[0] === 'PB-MULTAN') as string[];
    // 2 confirmed of 14 closed: the count and the share that rests on it are withheld.
    expect(pb18[header.indexOf('closed_confirmed')]).toBe('');
    expect(pb18[header.indexOf('confirmed_pct')]).toBe('');
  });

  it('is described by a DCAT-AP 3 catalogue with the spec’s mandatory properties', () => {
    const doc = catalog('https://rabta.example.pk', [
      { version: '20260302T100000000Z', publishedAt: '2026-03-02T10:00:00.000Z', from: '2026-03-01T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', digest: 'ab'.repeat(32), resources: descriptor.resources as never },
    ]) as Record<string, unknown> & { 'dcat:dataset': Array<Record<string, unknown> & { 'dcat:distribution': Array<Record<string, unknown>> }> };
    expectDcatAp3(doc);
    expect(doc['dcat:dataset'][0]?.['dcat:distribution']).toHaveLength(descriptor.resources.length + 1);
  });
});

/**
 * DCAT-AP 3.0's mandatory properties and their ranges, per class (no SHACL
 * engine is installed, so this is the spec's table of mandatory properties):
 * Catalogue: dct:title, dct:description, dct:publisher (an Agent with foaf:name);
 * Dataset: dct:title, dct:description; Distribution: dcat:accessURL (an IRI);
 * Checksum: spdx:algorithm, spdx:checksumValue; PeriodOfTime: a start or end.
 */
function expectDcatAp3(doc: Record<string, unknown>) {
  const context = doc['@context'] as Record<string, string>;
  expect(context.dcat).toBe('http://www.w3.org/ns/dcat#');
  expect(context.dct).toBe('http://purl.org/dc/terms/');
  expect(doc['@type']).toBe('dcat:Catalog');
  const literal = (v: unknown) => expect(v).toMatchObject({ '@value': expect.any(String) });
  const iri = (v: unknown) => expect(v).toMatchObject({ '@id': expect.stringMatching(/^https?:\/\//) });
  literal(doc['dct:title']);
  literal(doc['dct:description']);
  expect(doc['dct:publisher']).toMatchObject({ '@type': 'foaf:Agent', 'foaf:name': { '@value': expect.any(String) } });
  for (const dataset of doc['dcat:dataset'] as Array<Record<string, unknown>>) {
    expect(dataset['@type']).toBe('dcat:Dataset');
    literal(dataset['dct:title']);
    literal(dataset['dct:description']);
    expect(dataset['dct:issued']).toMatchObject({ '@type': 'xsd:dateTime' });
    expect(dataset['dct:temporal']).toMatchObject({ '@type': 'dct:PeriodOfTime', 'dcat:startDate': { '@type': 'xsd:dateTime' } });
    for (const d of dataset['dcat:distribution'] as Array<Record<string, unknown>>) {
      expect(d['@type']).toBe('dcat:Distribution');
      iri(d['dcat:accessURL']);
      iri(d['dct:format']);
      iri(d['dct:license']);
      expect(d['spdx:checksum']).toMatchObject({ '@type': 'spdx:Checksum', 'spdx:algorithm': { '@id': 'http://spdx.org/rdf/terms#checksumAlgorithm_sha256' }, 'spdx:checksumValue': { '@value': expect.stringMatching(/^[0-9a-f]{64}$/) } });
    }
  }
}
