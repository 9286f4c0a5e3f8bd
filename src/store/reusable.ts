import { CompiledQuery } from 'kysely';
import type { Compilable, Kysely, QueryResult } from 'kysely';

/**
 * Stands for the i-th value while the statement is built: a string nobody
 * would store, typed `never` so that it fits any column the builder puts it in.
 */
const slot = (i: number): never => `\u0000rabta-slot-${i}\u0000` as never;
const SLOT = /^\u0000rabta-slot-(\d+)\u0000$/;

/**
 * A statement built by Kysely once per database (and shape) and run again
 * with new values, the SQL text and its prepared statement reused. On the
 * exchange's hot path building a query cost more than SQLite's running it.
 *
 * `build` gets `value(i)`, the stand-in of the i-th value the caller will
 * pass, and builds the statement with them where the values go (`shape` says
 * which statement of a family, such as how many rows an insert has); constants
 * it writes itself (an increment's 1) stay as they were compiled. The order in
 * which the compiled statement wants its parameters is read off once, so the
 * caller passes values in the order it declared them, whatever SQL Kysely writes.
 */
export function reusable<DB, Row>(build: (db: Kysely<DB>, value: (i: number) => never, shape: number) => Compilable<Row>) {
  const compiled = new WeakMap<object, Map<number, { sql: string; take: Array<number | { constant: unknown }> }>>();
  return async function run(db: Kysely<DB>, values: readonly unknown[], shape = 0): Promise<QueryResult<Row>> {
    // The adapter belongs to the database's dialect: a transaction shares it with its Kysely instance.
    const adapter = db.getExecutor().adapter;
    let shapes = compiled.get(adapter);
    if (!shapes) compiled.set(adapter, (shapes = new Map()));
    let statement = shapes.get(shape);
    if (!statement) {
      const query = build(db, slot, shape).compile();
      const take = query.parameters.map((p) => {
        const match = typeof p === 'string' ? SLOT.exec(p) : null;
        return match ? Number(match[1]) : { constant: p };
      });
      statement = { sql: query.sql, take };
      shapes.set(shape, statement);
    }
    const parameters = statement.take.map((t) => (typeof t === 'number' ? values[t] : t.constant));
    return db.executeQuery(CompiledQuery.raw(statement.sql, parameters)) as Promise<QueryResult<Row>>;
  };
}
