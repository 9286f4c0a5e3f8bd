import { collaborationIndex } from './collaboration.js';
import type { Cell } from './csv.js';
import { computeIndicators } from './indicators.js';
import { egdiSouthAsia, placeFigures, provinceLiteracy, PROVINCES, SOURCES } from './places.js';
import { isSmall, suppress } from './suppression.js';
import type { Line } from './suppression.js';
import type { RollupRow } from './tables.js';

/** A Table Schema field; `count` marks the fields that suppression covers. */
export interface Field {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean';
  description: string;
  count?: boolean;
}

/** A table before suppression: count cells are ids into the release's cell values. */
export interface DraftTable {
  name: string;
  title: string;
  description: string;
  fields: Field[];
  primaryKey: string[];
  rows: Array<Record<string, Cell | { cell: string }>>;
  /** rates computed from counts: withheld when one of the counts is */
  derived?: Array<{ field: string; from: string[] }>;
}

export interface ReleaseTable {
  name: string;
  title: string;
  description: string;
  fields: Field[];
  primaryKey: string[];
  rows: Cell[][];
}

export const TOTAL = 'TOTAL';

class Cells {
  readonly values = new Map<string, number>();
  readonly lines: Line[] = [];
  cell(id: string, n: number): { cell: string } {
    this.values.set(id, n);
    return { cell: id };
  }
}

const countField = (name: string, description: string): Field[] => [
  { name, type: 'integer', description: `${description}; empty when withheld (1–9, or to protect such a cell)`, count: true },
  { name: `${name}_suppressed`, type: 'boolean', description: `true when ${name} is withheld` },
];

/**
 * A two-way table of counts with both margins: rows × columns, the row totals
 * (column = TOTAL), the column totals (row = TOTAL) and the grand total.
 */
function pairTable(cells: Cells, spec: { name: string; title: string; description: string; rowKey: string; colKey: string; count: string; countDescription: string; values: Map<string, number> }): DraftTable {
  const rowsOf = new Set<string>();
  const colsOf = new Set<string>();
  for (const key of spec.values.keys()) {
    const [r, c] = key.split('\n') as [string, string];
    rowsOf.add(r);
    colsOf.add(c);
  }
  const id = (r: string, c: string) => `${spec.name}:${r}\n${c}`;
  const out: DraftTable['rows'] = [];
  const rowTotals = new Map<string, number>();
  const colTotals = new Map<string, number>();
  for (const [key, n] of [...spec.values.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [r, c] = key.split('\n') as [string, string];
    out.push({ [spec.rowKey]: r, [spec.colKey]: c, [spec.count]: cells.cell(id(r, c), n) });
    rowTotals.set(r, (rowTotals.get(r) ?? 0) + n);
    colTotals.set(c, (colTotals.get(c) ?? 0) + n);
  }
  for (const r of [...rowsOf].sort()) {
    out.push({ [spec.rowKey]: r, [spec.colKey]: TOTAL, [spec.count]: cells.cell(id(r, TOTAL), rowTotals.get(r) ?? 0) });
    cells.lines.push({ cells: [...colsOf].filter((c) => spec.values.has(`${r}\n${c}`)).map((c) => id(r, c)), total: id(r, TOTAL) });
  }
  for (const c of [...colsOf].sort()) {
    out.push({ [spec.rowKey]: TOTAL, [spec.colKey]: c, [spec.count]: cells.cell(id(TOTAL, c), colTotals.get(c) ?? 0) });
    cells.lines.push({ cells: [...rowsOf].filter((r) => spec.values.has(`${r}\n${c}`)).map((r) => id(r, c)), total: id(TOTAL, c) });
  }
  const grand = [...spec.values.values()].reduce((s, n) => s + n, 0);
  out.push({ [spec.rowKey]: TOTAL, [spec.colKey]: TOTAL, [spec.count]: cells.cell(id(TOTAL, TOTAL), grand) });
  cells.lines.push({ cells: [...rowsOf].map((r) => id(r, TOTAL)), total: id(TOTAL, TOTAL) });
  cells.lines.push({ cells: [...colsOf].map((c) => id(TOTAL, c)), total: id(TOTAL, TOTAL) });
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    fields: [
      { name: spec.rowKey, type: 'string', description: `member id, or ${TOTAL}` },
      { name: spec.colKey, type: 'string', description: `member id, or ${TOTAL}` },
      ...countField(spec.count, spec.countDescription),
    ],
    primaryKey: [spec.rowKey, spec.colKey],
    rows: out,
  };
}

/** One row per key and a TOTAL row; each count column adds up to its total. */
function keyedTable(
  cells: Cells,
  spec: {
    name: string;
    title: string;
    description: string;
    key: string;
    keyDescription: string;
    columns: Array<{ name: string; description: string }>;
    values: Map<string, Record<string, number>>;
    /** columns whose cells are published in another table too (its margin): one cell, so suppression sees both */
    shared?: Record<string, (key: string) => string>;
  },
): DraftTable {
  const keys = [...spec.values.keys()].sort();
  const id = (k: string, c: string) => spec.shared?.[c]?.(k) ?? `${spec.name}:${k}\n${c}`;
  const rows: DraftTable['rows'] = keys.map((k) => ({ [spec.key]: k, ...Object.fromEntries(spec.columns.map((c) => [c.name, cells.cell(id(k, c.name), spec.values.get(k)?.[c.name] ?? 0)])) }));
  rows.push({ [spec.key]: TOTAL, ...Object.fromEntries(spec.columns.map((c) => [c.name, cells.cell(id(TOTAL, c.name), keys.reduce((s, k) => s + (spec.values.get(k)?.[c.name] ?? 0), 0))])) });
  for (const c of spec.columns) cells.lines.push({ cells: keys.map((k) => id(k, c.name)), total: id(TOTAL, c.name) });
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    fields: [{ name: spec.key, type: 'string', description: spec.keyDescription }, ...spec.columns.flatMap((c) => countField(c.name, c.description))],
    primaryKey: [spec.key],
    rows,
  };
}

function sumBy(rows: readonly RollupRow[], measure: string, key: (r: RollupRow) => string, value: (r: RollupRow) => number = (r) => r.n): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) if (r.measure === measure) out.set(key(r), (out.get(key(r)) ?? 0) + value(r));
  return out;
}

function columnsBy(rows: readonly RollupRow[], key: (r: RollupRow) => string, columns: Record<string, (r: RollupRow) => number>): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    for (const [name, f] of Object.entries(columns)) {
      const v = f(r);
      if (v === 0) continue;
      const k = key(r);
      const rec = out.get(k) ?? Object.fromEntries(Object.keys(columns).map((c) => [c, 0]));
      rec[name] = (rec[name] ?? 0) + v;
      out.set(k, rec);
    }
  }
  return out;
}

const when = (measure: string, f: (r: RollupRow) => number = (r) => r.n) => (r: RollupRow) => (r.measure === measure ? f(r) : 0);
const closedAs = (how: string) => (r: RollupRow) => (r.measure === 'case.closed' && r.dimension === how ? r.n : 0);
const pair = (r: RollupRow) => `${r.member || 'none'}\n${r.peer || 'none'}`;

function countTables(cells: Cells, rows: readonly RollupRow[]): DraftTable[] {
  return [
    pairTable(cells, { name: 'exchanges', title: 'Exchanges between institutions', description: 'Authenticated calls mediated by Rabta, client member × provider member, with both margins.', rowKey: 'client', colKey: 'provider', count: 'calls', countDescription: 'calls', values: sumBy(rows, 'exchange.call', pair) }),
    pairTable(cells, { name: 'deliveries', title: 'Event deliveries between institutions', description: 'Successful event deliveries, publisher member × subscriber member, with both margins.', rowKey: 'publisher', colKey: 'subscriber', count: 'delivered', countDescription: 'deliveries', values: sumBy(rows, 'event.delivered', pair) }),
    pairTable(cells, { name: 'consent-requests', title: 'Consent requests between institutions', description: 'Consents institutions asked citizens for, consumer member × provider member (whose data the consent is for), with both margins.', rowKey: 'consumer', colKey: 'provider', count: 'requested', countDescription: 'consent requests', values: sumBy(rows, 'consent.requested', pair) }),
    pairTable(cells, { name: 'joint-cases', title: 'Joint cases', description: 'Partners taken onto cases, lead member × partner member, with both margins.', rowKey: 'lead', colKey: 'partner', count: 'cases', countDescription: 'joint cases', values: sumBy(rows, 'case.joint', pair) }),
    keyedTable(cells, {
      name: 'institutions',
      title: 'Figures per institution',
      description: 'Events published, dead letters, consent requests and their outcomes, and cases led, per member.',
      key: 'member',
      keyDescription: `member id (none: a case not yet triaged), or ${TOTAL}`,
      columns: [
        { name: 'events_published', description: 'events published' },
        { name: 'dead_letters', description: 'deliveries of its events given up' },
        { name: 'consents_requested', description: 'consent requests it made' },
        { name: 'consents_approved', description: 'its requests approved' },
        { name: 'consents_rejected', description: 'its requests rejected' },
        { name: 'consents_revoked', description: 'its consents revoked' },
        { name: 'cases_opened', description: 'cases opened with it as lead' },
        { name: 'resolved_in_time', description: 'resolutions within the deadline' },
        { name: 'resolved_late', description: 'resolutions after the deadline' },
        { name: 'closed_confirmed', description: 'cases closed with the citizen’s confirmation' },
        { name: 'closed_unconfirmed', description: 'cases closed without an answer' },
        { name: 'reopened', description: 'cases the citizen reopened' },
        { name: 'escalations', description: 'escalations' },
      ],
      // A member's requests are the consent-requests table's row total for it: the same cell.
      shared: { consents_requested: (k) => `consent-requests:${k}\n${TOTAL}` },
      values: columnsBy(rows, (r) => r.member || 'none', {
        events_published: when('event.published'),
        dead_letters: when('event.dead'),
        consents_requested: when('consent.requested'),
        consents_approved: when('consent.approved'),
        consents_rejected: when('consent.rejected'),
        consents_revoked: when('consent.revoked'),
        cases_opened: when('case.opened'),
        resolved_in_time: when('case.resolved', (r) => r.good),
        resolved_late: when('case.resolved', (r) => r.n - r.good),
        closed_confirmed: closedAs('confirmed'),
        closed_unconfirmed: closedAs('unconfirmed'),
        reopened: when('case.reopened'),
        escalations: when('case.escalated'),
      }),
    }),
  ];
}

/** Districts, their provinces and Pakistan: district cells add up to the province, provinces to the country. */
function placeTables(cells: Cells, rows: readonly RollupRow[]): DraftTable[] {
  const figures = placeFigures(rows);
  const columns = ['cases_opened', 'closed_confirmed', 'closed_unconfirmed'] as const;
  const id = (place: string, c: string) => `places:${place}\n${c}`;
  const value = (f: { casesOpened: number; confirmed: number; closed: number }, c: (typeof columns)[number]) => (c === 'cases_opened' ? f.casesOpened : c === 'closed_confirmed' ? f.confirmed : f.closed - f.confirmed);
  const fields = (key: Field[]): Field[] => [
    ...key,
    { name: 'population_2023', type: 'integer', description: `population, census 2023 (${SOURCES.census})` },
    { name: 'literacy_pct', type: 'number', description: 'literacy rate, %' },
    ...countField('cases_opened', 'cases and grievances opened'),
    ...countField('closed_confirmed', 'cases closed with the citizen’s confirmation'),
    ...countField('closed_unconfirmed', 'cases closed after a resolution without the citizen’s confirmation'),
    { name: 'cases_per_100k', type: 'number', description: 'cases opened per 100,000 people; empty when the count is withheld' },
    { name: 'confirmed_pct', type: 'number', description: 'share of closed cases confirmed by the citizen, %; empty when either count is withheld' },
  ];
  const derived = [
    { field: 'cases_per_100k', from: ['cases_opened'] },
    { field: 'confirmed_pct', from: ['closed_confirmed', 'closed_unconfirmed'] },
  ];
  const districtRows = figures.districts.map((d) => ({
    district_code: d.code,
    province: d.province,
    district: d.name,
    population_2023: d.population,
    literacy_pct: d.literacyPct,
    ...Object.fromEntries(columns.map((c) => [c, cells.cell(id(d.code, c), value(d, c))])),
    cases_per_100k: d.casesPer100k,
    confirmed_pct: d.confirmedPct,
  }));
  const national = figures.provinces.reduce((s, p) => ({ casesOpened: s.casesOpened + p.casesOpened, confirmed: s.confirmed + p.confirmed, closed: s.closed + p.closed, population: s.population + p.population }), { casesOpened: 0, confirmed: 0, closed: 0, population: 0 });
  const provinceRows = [...figures.provinces, { ...national, code: 'PK', name: 'Pakistan', literacyPct: provinceLiteracy().get('PK')?.total ?? null, casesPer100k: national.population ? Math.round((national.casesOpened * 1e7) / national.population) / 100 : null, confirmedPct: national.closed ? Math.round((1000 * national.confirmed) / national.closed) / 10 : null }].map((p) => ({
    province_code: p.code,
    province: p.name,
    population_2023: p.population,
    literacy_pct: p.literacyPct,
    ...Object.fromEntries(columns.map((c) => [c, cells.cell(id(p.code, c), value(p, c))])),
    cases_per_100k: p.casesPer100k,
    confirmed_pct: p.confirmedPct,
  }));
  for (const c of columns) {
    for (const code of Object.keys(PROVINCES)) cells.lines.push({ cells: figures.districts.filter((d) => d.province === code).map((d) => id(d.code, c)), total: id(code, c) });
    cells.lines.push({ cells: Object.keys(PROVINCES).map((code) => id(code, c)), total: id('PK', c) });
  }
  return [
    {
      name: 'cases-by-district',
      title: 'Cases by district',
      description: `Cases and grievances per census district, beside population and literacy (${SOURCES.census}).`,
      fields: fields([
        { name: 'district_code', type: 'string', description: 'the platform’s district code: province (ISO 3166-2:PK) and census name, e.g. PB-LAHORE' },
        { name: 'province', type: 'string', description: 'province code' },
        { name: 'district', type: 'string', description: 'district name' },
      ]),
      primaryKey: ['district_code'],
      rows: districtRows,
      derived,
    },
    {
      name: 'cases-by-province',
      title: 'Cases by province',
      description: `Cases and grievances per province and for Pakistan, beside literacy (${SOURCES.literacy}); the district rows add up to these.`,
      fields: fields([
        { name: 'province_code', type: 'string', description: 'ISO 3166-2:PK province code, or PK' },
        { name: 'province', type: 'string', description: 'province name' },
      ]),
      primaryKey: ['province_code'],
      rows: provinceRows,
      derived,
    },
  ];
}

/** Indicators that are not counts (the counts are in the tables above), withheld when a count they rest on is 1–9. */
function indicatorTable(rows: readonly RollupRow[]): ReleaseTable {
  const results = computeIndicators(rows).filter((r) => r.unit !== 'count');
  return {
    name: 'indicators',
    title: 'Indicators',
    description: 'Rates, latencies and times, each with its definition; the method is in the package description.',
    fields: [
      { name: 'indicator', type: 'string', description: 'indicator id' },
      { name: 'title', type: 'string', description: 'what it measures' },
      { name: 'unit', type: 'string', description: 'percent, ms or score' },
      { name: 'value', type: 'number', description: 'the value; empty when there is no data or it is withheld' },
      { name: 'withheld', type: 'boolean', description: 'true when the value rests on a count from 1 to 9' },
      { name: 'definition', type: 'string', description: 'how it is computed' },
    ],
    primaryKey: ['indicator'],
    rows: results.map((r) => {
      const basis = r.basis;
      const withheld = basis !== undefined && (isSmall(basis.numerator) || isSmall(basis.denominator - basis.numerator));
      return [r.id, r.title, r.unit, withheld ? null : r.value, withheld, r.description];
    }),
  };
}

function indexTable(rows: readonly RollupRow[]): ReleaseTable {
  const index = collaborationIndex(rows);
  const round2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  return {
    name: 'collaboration-index',
    title: 'Collaboration index per pair of institutions',
    description: 'The Rabta collaboration index (0–100) and its components (0–1); pairs with fewer than 10 interactions are withheld.',
    fields: [
      { name: 'a', type: 'string', description: 'member id' },
      { name: 'b', type: 'string', description: 'member id' },
      { name: 'score', type: 'number', description: 'index, 0–100; empty when withheld' },
      { name: 'volume', type: 'number', description: 'volume component, 0–1' },
      { name: 'reliability', type: 'number', description: 'reliability component, 0–1' },
      { name: 'responsiveness', type: 'number', description: 'responsiveness component, 0–1' },
      { name: 'confirmation', type: 'number', description: 'confirmation component, 0–1' },
      { name: 'withheld', type: 'boolean', description: 'true when the pair has fewer than 10 interactions' },
    ],
    primaryKey: ['a', 'b'],
    rows: index.pairs.map((p) => {
      const withheld = p.volume < 10;
      return withheld ? [p.a, p.b, null, null, null, null, null, true] : [p.a, p.b, p.score, round2(p.components.volume), round2(p.components.reliability), round2(p.components.responsiveness), round2(p.components.confirmation), false];
    }),
  };
}

function egdiTable(): ReleaseTable {
  return {
    name: 'context-egdi-2022',
    title: 'E-Government Development Index 2022, South Asia',
    description: `Context: ${SOURCES.egdi}. World mean EGDI 2022 = 0.6102.`,
    fields: [
      { name: 'country', type: 'string', description: 'country' },
      { name: 'rank_2022', type: 'integer', description: 'EGDI rank of 193' },
      { name: 'egdi', type: 'number', description: 'E-Government Development Index' },
      { name: 'osi', type: 'number', description: 'Online Service Index' },
      { name: 'tii', type: 'number', description: 'Telecommunication Infrastructure Index' },
      { name: 'hci', type: 'number', description: 'Human Capital Index' },
      { name: 'epi', type: 'number', description: 'E-Participation Index' },
    ],
    primaryKey: ['country'],
    rows: egdiSouthAsia().map((r) => [r.country, r.rank, r.egdi, r.osi, r.tii, r.hci, r.epi]),
  };
}

/** Fills a draft's count cells, withholding suppressed ones and the rates that rest on them. */
function render(draft: DraftTable, cells: Cells, withheld: ReadonlySet<string>): ReleaseTable {
  const rows = draft.rows.map((row) => {
    const hidden = new Set<string>();
    const values: Record<string, Cell> = {};
    for (const field of draft.fields) {
      const v = row[field.name];
      if (v !== null && typeof v === 'object') {
        const gone = withheld.has(v.cell);
        if (gone) hidden.add(field.name);
        values[field.name] = gone ? null : (cells.values.get(v.cell) ?? 0);
        values[`${field.name}_suppressed`] = gone;
      } else if (!(field.name in values)) values[field.name] = v ?? null;
    }
    for (const d of draft.derived ?? []) if (d.from.some((f) => hidden.has(f))) values[d.field] = null;
    return draft.fields.map((f) => values[f.name] ?? null);
  });
  return { name: draft.name, title: draft.title, description: draft.description, fields: draft.fields, primaryKey: draft.primaryKey, rows };
}

export interface ReleaseTables {
  tables: ReleaseTable[];
  /** every line a total makes, for the checks */
  lines: Line[];
  withheld: Set<string>;
}

/** Every table of a release, suppressed. */
export function releaseTables(rows: readonly RollupRow[]): ReleaseTables {
  const cells = new Cells();
  const drafts = [...countTables(cells, rows), ...placeTables(cells, rows)];
  const withheld = suppress(cells.values, cells.lines);
  return { tables: [...drafts.map((d) => render(d, cells, withheld)), indicatorTable(rows), indexTable(rows), egdiTable()], lines: cells.lines, withheld };
}
