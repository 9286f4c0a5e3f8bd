import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';

/**
 * `column` begins with `prefix`, compared exactly on both databases. LIKE is
 * no prefix test here: `_` and `%` are wildcards (member codes may hold `_`)
 * and SQLite's LIKE ignores case, while ids are case-sensitive.
 * Lengths count code points, as substr does on both databases.
 */
export function startsWith(column: string, prefix: string): Expression<SqlBool> {
  return sql<SqlBool>`substr(${sql.ref(column)}, 1, ${sql.lit([...prefix].length)}) = ${prefix}`;
}

/** `column` holds an id below the member `memberId` (its subsystems, services, topics). */
export const underMember = (column: string, memberId: string): Expression<SqlBool> => startsWith(column, `${memberId}/`);
