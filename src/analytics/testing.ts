import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { parseCsv } from './csv.js';
import { isSmall } from './suppression.js';

// ajv-formats is CommonJS with `exports.default`; NodeNext sees the namespace.
const addFormats = ((formats as unknown as { default?: typeof formats }).default ?? formats) as unknown as (ajv: Ajv) => Ajv;

/**
 * The Data Package (v1) and Tabular Data Resource rules, written from the
 * Frictionless specifications' required fields and patterns (the official
 * JSON Schema profile is not shipped with any installed package, so this is
 * our transcription of it; see the report in the analytics README section).
 */
const PATH = { type: 'string', pattern: '^(?=^[^./~])(^((?!\\.{2}).)*$).*$' };
const NAME = { type: 'string', pattern: '^([-a-z0-9._/])+$' };
const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'date', 'time', 'datetime', 'year', 'yearmonth', 'duration', 'geopoint', 'geojson', 'any'];
export const DATA_PACKAGE_SCHEMA = {
  type: 'object',
  required: ['resources'],
  properties: {
    profile: { type: 'string' },
    name: NAME,
    id: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    homepage: { type: 'string', format: 'uri' },
    version: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    keywords: { type: 'array', minItems: 1, items: { type: 'string' } },
    contributors: { type: 'array', minItems: 1, items: { type: 'object', required: ['title'], properties: { title: { type: 'string' }, path: PATH, email: { type: 'string', format: 'email' }, role: { type: 'string' } } } },
    licenses: { type: 'array', minItems: 1, items: { type: 'object', anyOf: [{ required: ['name'] }, { required: ['path'] }], properties: { name: { type: 'string', pattern: '^([-a-zA-Z0-9._])+$' }, path: { type: 'string' }, title: { type: 'string' } } } },
    sources: { type: 'array', items: { type: 'object', required: ['title'], properties: { title: { type: 'string' }, path: { type: 'string' }, email: { type: 'string', format: 'email' } } } },
    resources: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        // A tabular data resource: a name, a path to its CSV and a Table Schema.
        required: ['name', 'path', 'schema', 'profile'],
        properties: {
          profile: { const: 'tabular-data-resource' },
          name: NAME,
          path: PATH,
          title: { type: 'string' },
          description: { type: 'string' },
          format: { type: 'string' },
          mediatype: { type: 'string', pattern: '^(.+)/(.+)$' },
          encoding: { type: 'string' },
          bytes: { type: 'integer', minimum: 0 },
          hash: { type: 'string', pattern: '^([^:]+:[a-fA-F0-9]+|[a-fA-F0-9]{32})$' },
          schema: {
            type: 'object',
            required: ['fields'],
            properties: {
              fields: { type: 'array', minItems: 1, items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, type: { enum: FIELD_TYPES }, description: { type: 'string' }, trueValues: { type: 'array', items: { type: 'string' } }, falseValues: { type: 'array', items: { type: 'string' } } } } },
              primaryKey: { oneOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }] },
              missingValues: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;

export function validateDescriptor(descriptor: unknown): string[] {
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  const validate = ajv.compile(DATA_PACKAGE_SCHEMA);
  return validate(descriptor) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

interface SchemaField {
  name: string;
  type: string;
}

/** Table Schema conformance of one CSV: header = fields, values of their types, a unique primary key. */
export function validateTable(csv: string, schema: { fields: SchemaField[]; primaryKey?: string | string[]; missingValues?: string[] }): string[] {
  const problems: string[] = [];
  const [header, ...rows] = parseCsv(csv);
  if (JSON.stringify(header) !== JSON.stringify(schema.fields.map((f) => f.name))) problems.push(`header ${JSON.stringify(header)} is not the schema's fields`);
  const missing = new Set(schema.missingValues ?? ['']);
  const keys = new Set<string>();
  const pk = typeof schema.primaryKey === 'string' ? [schema.primaryKey] : (schema.primaryKey ?? []);
  rows.forEach((row, i) => {
    if (row.length !== schema.fields.length) problems.push(`row ${i + 2} has ${row.length} cells`);
    schema.fields.forEach((f, j) => {
      const v = row[j] ?? '';
      if (missing.has(v)) return;
      if (f.type === 'integer' && !/^-?[0-9]+$/.test(v)) problems.push(`row ${i + 2} ${f.name}: ${v} is not an integer`);
      if (f.type === 'number' && Number.isNaN(Number(v))) problems.push(`row ${i + 2} ${f.name}: ${v} is not a number`);
      if (f.type === 'boolean' && v !== 'true' && v !== 'false') problems.push(`row ${i + 2} ${f.name}: ${v} is not a boolean`);
    });
    const key = pk.map((k) => row[schema.fields.findIndex((f) => f.name === k)]).join('\n');
    if (pk.length && keys.has(key)) problems.push(`row ${i + 2}: primary key ${key} repeats`);
    keys.add(key);
  });
  return problems;
}

/** Every integer cell of a count column that is from 1 to 9: what suppression must leave none of. */
export function smallCounts(csv: string, countColumns: readonly string[]): string[] {
  const [header = [], ...rows] = parseCsv(csv);
  const found: string[] = [];
  for (const name of countColumns) {
    const j = header.indexOf(name);
    for (const row of rows) if (row[j] !== '' && isSmall(Number(row[j]))) found.push(`${name}=${row[j]} in ${row.join(',')}`);
  }
  return found;
}

/**
 * Withheld cells a reader could recover from the published totals, found from
 * the CSV alone: in every line (the cells of a row or column and its TOTAL),
 * exactly one withheld value gives itself away.
 */
export function recoverableCells(lines: ReadonlyArray<{ cells: Array<string | null>; total: string | null }>): number {
  return lines.filter((line) => [...line.cells, line.total].filter((v) => v === null).length === 1).length;
}
