/** Named prepared statements on PGlite give what db.execute gives, and keep PGlite's locking. */
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, sqlState } from './database';
import { preparedPgliteRows } from './pglitePrepared';

describe('preparedPgliteRows', () => {
  const client = new PGlite();
  const db = drizzle({ client });
  const rows = preparedPgliteRows(client);
  beforeAll(async () => {
    await client.exec(`create table parent (id text primary key);
      create table child (id text primary key, parent_id text references parent(id), at timestamptz, n int, ok boolean, doc jsonb)`);
    await client.exec(`insert into parent values ('p')`);
  });
  afterAll(() => client.close());

  const insert = (id: string, parent: string, n: number | null, ok: boolean) =>
    sql`insert into child (id, parent_id, at, n, ok, doc)
      values (${id}, ${parent}, ${'2026-01-02T03:04:05.678Z'}::timestamptz, ${n}::int, ${ok}::boolean, ${JSON.stringify({ a: [1, 'x'] })}::jsonb)
      returning id, at, n, ok, doc, row_to_json(child) as whole`;

  it('returns the rows db.execute returns (timestamps as text, json parsed, nulls), on the first and later calls', async () => {
    const first = await rows(insert('c1', 'p', 7, true));
    const again = await rows(insert('c2', 'p', null, false));
    const viaDrizzle = await rowsOf(db, insert('c3', 'p', null, false));
    expect(first).toEqual([{ id: 'c1', at: expect.any(String) as string, n: 7, ok: true, doc: { a: [1, 'x'] }, whole: expect.objectContaining({ id: 'c1', n: 7 }) as object }]);
    expect(again).toEqual(viaDrizzle.map((r) => ({ ...(r as object), id: 'c2', whole: { ...(r as { whole: object }).whole, id: 'c2' } })));
  });

  it('parses each text once: later calls bind the named statement', async () => {
    const before = await client.query<{ n: number }>('select count(*)::int as n from pg_prepared_statements');
    for (let i = 0; i < 5; i++) await rows(sql`select ${i}::int as i`);
    const after = await client.query<{ n: number }>('select count(*)::int as n from pg_prepared_statements');
    expect(after.rows[0]!.n - before.rows[0]!.n).toBe(1);
    expect(await rows(sql`select ${41}::int + 1 as i`)).toEqual([{ i: 42 }]);
  });

  it('shares the statements of one instance between runners (two stores on one PGlite)', async () => {
    const other = preparedPgliteRows(client);
    expect(await other(sql`select ${'a'}::text as other_first`)).toEqual([{ other_first: 'a' }]);
    expect(await rows(sql`select ${'b'}::text as then_this`)).toEqual([{ then_this: 'b' }]);
    expect(await other(sql`select ${'c'}::text as then_this`)).toEqual([{ then_this: 'c' }]);
  });

  it('keeps the SQLSTATE of an error, and the statement works after it', async () => {
    const error: unknown = await rows(insert('c4', 'missing', 1, true)).catch((e: unknown) => e);
    expect(sqlState(error)).toBe('23503');
    expect(await rows(insert('c4', 'p', 1, true))).toHaveLength(1);
  });

  it('waits for a transaction in progress instead of running inside it', async () => {
    let counted: Promise<unknown[]> | undefined;
    await client
      .transaction(async (tx) => {
        await tx.query(`insert into parent values ('in-tx')`);
        counted = rows(sql`select count(*)::int as n from parent where id = ${'in-tx'}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await tx.rollback();
      })
      .catch(() => undefined);
    expect(await counted).toEqual([{ n: 0 }]);
  });
});
