import { createHash } from 'node:crypto';
import { COLLABORATION_METHOD } from './collaboration.js';
import { toCsv } from './csv.js';
import { SOURCES } from './places.js';
import type { ReleaseTable } from './release-tables.js';
import { SMALL_MAX, SMALL_MIN } from './suppression.js';

export const LICENSE = { name: 'CC-BY-4.0', path: 'https://creativecommons.org/licenses/by/4.0/', title: 'Creative Commons Attribution 4.0' } as const;

export const sha256Hex = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

export interface PackageInput {
  version: string;
  created: string;
  from: string;
  to: string;
  /** the instance's public URL */
  publicUrl: string;
  tables: readonly ReleaseTable[];
}

export interface BuiltPackage {
  /** file name → bytes; datapackage.json among them */
  files: Map<string, Buffer>;
  descriptor: Record<string, unknown>;
}

/**
 * A Frictionless (tabular) Data Package, v1 descriptor: one CSV resource per
 * table, each with its Table Schema, byte size and SHA-256, so the one digest
 * of datapackage.json that the ledger keeps covers every file.
 */
export function buildPackage(input: PackageInput): BuiltPackage {
  const files = new Map<string, Buffer>();
  const resources = input.tables.map((t) => {
    const path = `${t.name}.csv`;
    const bytes = Buffer.from(toCsv(t.fields.map((f) => f.name), t.rows), 'utf8');
    files.set(path, bytes);
    return {
      profile: 'tabular-data-resource',
      name: t.name,
      path,
      title: t.title,
      description: t.description,
      format: 'csv',
      mediatype: 'text/csv',
      encoding: 'utf-8',
      bytes: bytes.length,
      hash: `sha256:${sha256Hex(bytes)}`,
      schema: {
        fields: t.fields.map((f) => ({ name: f.name, type: f.type, description: f.description, ...(f.type === 'boolean' ? { trueValues: ['true'], falseValues: ['false'] } : {}) })),
        primaryKey: t.primaryKey,
        missingValues: [''],
      },
    };
  });
  const descriptor = {
    profile: 'tabular-data-package',
    name: 'rabta-open-data',
    id: `${input.publicUrl}/open-data/releases/${input.version}/datapackage.json`,
    title: 'Rabta: how institutions work together',
    description:
      `Figures from Rabta's own records, ${input.from} to ${input.to}: exchanges, events, consents and cases between institutions, per institution, pair, district and province, ` +
      `indicators and the ${COLLABORATION_METHOD.name} (method: ${input.publicUrl}/analytics/collaboration/method). No personal data. ` +
      `Counts from ${SMALL_MIN} to ${SMALL_MAX} are withheld (empty, with a _suppressed flag), and further cells where a total would reveal one. ` +
      `This release's SHA-256 digest (of this file) is a leaf of the instance's transparency log: check it with \`rabta open-data verify <url of this file>\`.`,
    version: input.version,
    created: input.created,
    homepage: `${input.publicUrl}/open-data/`,
    keywords: ['e-government', 'interoperability', 'Pakistan', 'collaboration', 'open data'],
    licenses: [LICENSE],
    sources: [...Object.values(SOURCES).map((title): { title: string; path?: string } => ({ title })), { title: 'Rabta instance records (rollups)', path: `${input.publicUrl}/analytics/indicators` }],
    contributors: [{ title: 'Rabta authority', role: 'publisher' }],
    temporal: { start: input.from, end: input.to },
    resources,
  };
  files.set('datapackage.json', Buffer.from(JSON.stringify(descriptor, null, 2) + '\n', 'utf8'));
  return { files, descriptor };
}
