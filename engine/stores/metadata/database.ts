/**
 * What every concern's drizzle implementation shares: the database type and the few patterns they
 * all repeat (write idempotently then read the stored row, name a refused reference, raw rows).
 * Written once against the pg-core base type so the same code runs on PGlite and PostgreSQL.
 */
import { eq, sql } from 'drizzle-orm';
import type { AnyColumn, SQL } from 'drizzle-orm';
import type { PgColumn, PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core';
import { MetadataStoreError } from './errors';

/** Any drizzle Postgres database (PGlite or node-postgres), or a transaction on one. */
export type MetadataDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/**
 * The idempotent write of a row, then the row as stored. `write` inserts (ON CONFLICT DO NOTHING,
 * or DO UPDATE with a guard), so a retried or concurrent twin changes nothing and the caller gets
 * the row that won, ours or not: under READ COMMITTED a concurrent insert of the same key waits on
 * the unique index for the other to commit, and `read` then sees that row. When `write` already
 * has the row (RETURNING), it is not read again. `what` names the row, e.g. "run r1".
 */
export async function insertAndRead<T>(
  what: string,
  write: () => Promise<T | undefined | void>,
  read: () => Promise<T | undefined>,
): Promise<T> {
  const written = await write();
  const stored = written ?? (await read());
  if (stored === undefined) throw new Error(`${what} vanished right after it was written`);
  return stored;
}

/**
 * Runs `write`; a foreign key it violates (SQLSTATE 23503: the run, execution or experiment it
 * names is not there) becomes MetadataStoreError('not_found') with `message`.
 */
export async function refusingMissingReferences<T>(message: () => string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sqlState(error) === '23503') throw new MetadataStoreError('not_found', message(), { cause: error });
    throw error;
  }
}

/** The SQLSTATE of a driver error, also when drizzle wraps it (DrizzleQueryError's cause). */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Rows of a raw query; both drivers return `{ rows }` from execute(). */
/**
 * Runs one raw statement and gives its rows, as rowsOf does: how a store runs its hot statements of
 * fixed text (on PGlite, named prepared statements: pglitePrepared.ts).
 */
export type RunRows = <T>(query: SQL) => Promise<T[]>;

export async function rowsOf<T>(db: MetadataDatabase, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  const rows = (result as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) throw new Error('the database driver returned no rows array for a raw query');
  return rows as T[];
}

/** Whether a row with this id exists (to tell "no such row" from "a guard kept it" after an update). */
export async function rowExists(db: MetadataDatabase, table: PgTable, idColumn: PgColumn, id: string): Promise<boolean> {
  const found = await db.select({ id: idColumn }).from(table).where(eq(idColumn, id)).limit(1);
  return found.length > 0;
}

/**
 * `column = any($1::text[])`: one array parameter however many ids, where inArray() would spend one
 * parameter per id and fail beyond the protocol's 65,535 on a large lineage graph.
 */
export function anyOf(column: AnyColumn, ids: string[]): SQL {
  return sql`${column} = any(${sql.param(ids)}::text[])`;
}
