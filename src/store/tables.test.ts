import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { tablesOf } from './index.js';
import type { Connection } from './index.js';

interface Mine {
  mine: { id: string };
}
interface Theirs {
  theirs: { id: string };
}

describe('tables per module', () => {
  // A Kysely that never connects: these checks are the compiler's (tsc runs over every *.test.ts).
  const db = new Kysely<Mine>({ dialect: new SqliteDialect({ database: async () => Promise.reject(new Error('no database here')) }) });

  it('lets a module query its own tables and no one else’s', () => {
    expect(db.selectFrom('mine').select('id').compile().sql).toBe('select "id" from "mine"');
    // @ts-expect-error `theirs` is another module's table: not in this module's schema
    expect(() => db.selectFrom('theirs')).not.toThrow();
  });

  it('hands a transaction across modules as a Connection, which names no tables until its receiver views it through its own', () => {
    const crossing: Connection = db;
    // @ts-expect-error a Connection cannot be queried as it is
    expect(crossing.selectFrom).toBeDefined();
    const viewed = tablesOf<Theirs>(crossing);
    expect(viewed).toBe(db);
    expect(viewed.selectFrom('theirs').select('id').compile().sql).toBe('select "id" from "theirs"');
    // @ts-expect-error the receiver's view has the receiver's tables only
    expect(() => viewed.selectFrom('mine')).not.toThrow();
  });

  it('keeps Kysely views of different tables apart: one cannot be passed where the other is expected', () => {
    const takesTheirs = (other: Kysely<Theirs>) => other;
    // @ts-expect-error Kysely<Mine> is not Kysely<Theirs>
    expect(takesTheirs(db)).toBe(db);
  });
});
