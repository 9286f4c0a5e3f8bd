import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';
import type { Connection } from '../store/index.js';
import { buildPackage, sha256Hex } from './datapackage.js';
import { catalog } from './dcat.js';
import type { CatalogRelease } from './dcat.js';
import { releaseTables } from './release-tables.js';
import { analyticsDb, readGrouped } from './rollups.js';
import type { AnalyticsTables } from './tables.js';

/** What the ledger gives the analytics module: a clear leaf per release, and its receipt. */
export interface AnalyticsLedger {
  append(db: Connection, leaf: { ref: string; at: number; record: ReleaseLeaf }): Promise<void>;
  receipt(ref: string): Promise<{ record: unknown; salt: string | null; entry: string; index: number; proof: string } | undefined>;
  /** the log key and the witnesses' keys in force (as /.well-known/rabta.json lists them) */
  keys(): Promise<{ logVkey: string; witnessVkeys: string[] }>;
}

/** The leaf a release commits: public figures only, so it is logged in clear. */
export interface ReleaseLeaf {
  type: 'open-data-release';
  version: string;
  /** SHA-256 hex of the release's datapackage.json */
  digest: string;
  publishedAt: string;
}

export interface Release {
  version: string;
  publishedAt: string;
  digest: string;
  from: string;
  to: string;
  files: Map<string, Buffer>;
}

export interface ReleaseDeps {
  db: Kysely<AnalyticsTables>;
  ledger: AnalyticsLedger;
  publicUrl: string;
  now: () => number;
}

/** A version is the publication time, to the millisecond: it sorts, and says when. */
const versionOf = (at: number) => new Date(at).toISOString().replace(/[-:]/g, '').replace('.', '');

/** Builds a release from the rollups, stores it and logs its digest in one transaction. */
export async function publishRelease(deps: ReleaseDeps, period: { from?: number; to?: number } = {}): Promise<Release> {
  const at = deps.now();
  const from = period.from ?? 0;
  const to = period.to ?? at;
  if (!(from < to)) throw new RabtaError('bad-request', 'a release covers from < to');
  // A release has no time axis: the days are summed in the database.
  const rows = await readGrouped(analyticsDb(deps.db), { from, to, grain: 'd' }, ['member', 'peer', 'dimension', 'district']);
  const version = versionOf(at);
  const publishedAt = new Date(at).toISOString();
  const { files } = buildPackage({ version, created: publishedAt, from: new Date(from).toISOString(), to: new Date(to).toISOString(), publicUrl: deps.publicUrl, tables: releaseTables(rows).tables });
  const digest = sha256Hex(files.get('datapackage.json') as Buffer);
  const stored = JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), files: Object.fromEntries([...files].map(([name, bytes]) => [name, bytes.toString('base64')])) });
  await deps.db.transaction().execute(async (trx) => {
    const exists = await analyticsDb(trx).selectFrom('analytics_releases').select('version').where('version', '=', version).executeTakeFirst();
    if (exists) throw new RabtaError('conflict', `release ${version} exists; publish again in a moment`);
    await analyticsDb(trx).insertInto('analytics_releases').values({ version, published_at: at, digest, files: stored }).execute();
    await deps.ledger.append(trx, { ref: version, at, record: { type: 'open-data-release', version, digest, publishedAt } });
  });
  return { version, publishedAt, digest, from: new Date(from).toISOString(), to: new Date(to).toISOString(), files };
}

function toRelease(row: { version: string; published_at: number; digest: string; files: string }): Release {
  const parsed = JSON.parse(row.files) as { from: string; to: string; files: Record<string, string> };
  return {
    version: row.version,
    publishedAt: new Date(Number(row.published_at)).toISOString(),
    digest: row.digest,
    from: parsed.from,
    to: parsed.to,
    files: new Map(Object.entries(parsed.files).map(([name, b64]) => [name, Buffer.from(b64, 'base64')])),
  };
}

/** One release by version, or the latest with 'latest'. */
export async function findRelease(db: Connection, version: string): Promise<Release | undefined> {
  let query = analyticsDb(db).selectFrom('analytics_releases').selectAll();
  query = version === 'latest' ? query.orderBy('published_at', 'desc').orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  return row ? toRelease(row) : undefined;
}

export async function listReleases(db: Connection): Promise<Release[]> {
  const rows = await analyticsDb(db).selectFrom('analytics_releases').selectAll().orderBy('published_at', 'desc').orderBy('version', 'desc').execute();
  return rows.map(toRelease);
}

/** The DCAT-AP catalogue of every release, newest first. */
export async function releaseCatalog(deps: Pick<ReleaseDeps, 'db' | 'publicUrl'>): Promise<Record<string, unknown>> {
  const releases = await listReleases(deps.db);
  const entries: CatalogRelease[] = releases.map((r) => {
    const descriptor = JSON.parse((r.files.get('datapackage.json') as Buffer).toString('utf8')) as { resources: CatalogRelease['resources'] };
    return { version: r.version, publishedAt: r.publishedAt, from: r.from, to: r.to, digest: r.digest, resources: descriptor.resources };
  });
  return catalog(deps.publicUrl, entries);
}
