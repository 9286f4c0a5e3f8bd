import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import type { CasesTables } from './tables.js';

/**
 * Grievances opened between two times (Unix ms) that have a category and a
 * district, for the anomaly series; the cases the anomaly job opened itself
 * are left out, so an anomaly does not feed its own series.
 */
export async function grievancesOpenedBetween(connection: Connection, from: number, to: number): Promise<Array<{ category: string; district: string; openedAt: number }>> {
  const rows = await tablesOf<CasesTables>(connection)
    .selectFrom('cases')
    .select(['category', 'district', 'opened_at'])
    .where('opened_at', '>=', from)
    .where('opened_at', '<=', to)
    .where('category', 'is not', null)
    .where('district', 'is not', null)
    .where('channel', '!=', 'anomaly')
    .execute();
  return rows.map((r) => ({ category: r.category as string, district: r.district as string, openedAt: r.opened_at }));
}
