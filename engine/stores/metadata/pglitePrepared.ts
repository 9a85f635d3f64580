/**
 * Named prepared statements on PGlite, for the store's few hot statements of fixed text. PGlite's
 * query() parses, analyses and plans every statement anew (the unnamed statement), in five calls
 * into the WASM: beginExecution's CTE upsert took 0.74–0.88 ms of CPU that way, and 0.25–0.32 ms as
 * Bind/Execute of a statement parsed once (bench/README.md). This parses each text once per PGlite instance
 * and then only binds and executes it, with PGlite's own protocol serializer, value serializers and
 * result parser, so rows come back exactly as from drizzle's db.execute on PGlite.
 */
import { parse, protocol, types } from '@electric-sql/pglite';
import type { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { RunRows } from './database';

/**
 * What drizzle's PGlite driver passes to db.execute (drizzle-orm/pglite/session.js rawQueryConfig):
 * dates, times and intervals stay text, so a row parses as it would through drizzle.
 */
const RAW_QUERY_OPTIONS = {
  rowMode: 'object' as const,
  parsers: Object.fromEntries(
    [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map((oid) => [oid, (value: string) => value]),
  ),
};

/**
 * parseResults with `options.parsers` spreads the instance's parsers (318 of them) and those into a
 * new object on every call: ~130 µs of CPU per statement, more than the statement's own Bind/Execute
 * takes in the WASM (bench/README.md, queued profile). So the merged map is made once per instance
 * (again if PGlite replaces its parsers) and passed as the parsers themselves. PGlite adds to its
 * parsers in place only for array types created after start-up (refreshArrayTypes); the schema
 * creates no types of its own, so the merged map cannot miss one.
 */
const ROW_MODE = { rowMode: 'object' as const };
const mergedParsers = new WeakMap<PGlite, { base: PGlite['parsers']; merged: PGlite['parsers'] }>();

function parsersOf(client: PGlite): PGlite['parsers'] {
  const known = mergedParsers.get(client);
  if (known?.base === client.parsers) return known.merged;
  const merged = { ...client.parsers, ...RAW_QUERY_OPTIONS.parsers };
  mergedParsers.set(client, { base: client.parsers, merged });
  return merged;
}

/** More distinct texts than the store's statement shapes (a few dozen): beyond it, unnamed as before. */
const MAX_STATEMENTS = 200;

interface Prepared {
  name: string;
  /** The parameters' types, as the server inferred them (how each value is serialized). */
  paramTypes: number[];
}

/**
 * Each instance's prepared statements by text, shared by every store opened on it (tests open
 * several on one instance), so that no two of them name a different text alike.
 */
const preparedOn = new WeakMap<PGlite, Map<string, Prepared>>();

function statementsOf(client: PGlite): Map<string, Prepared> {
  let statements = preparedOn.get(client);
  if (!statements) preparedOn.set(client, (statements = new Map<string, Prepared>()));
  return statements;
}

/**
 * A RunRows over `client` that prepares each distinct statement text once (a named statement) and
 * binds it on every later call. It takes PGlite's transaction and query locks as query() does, so
 * it never interleaves with another statement or runs inside someone else's transaction.
 */
export function preparedPgliteRows(client: PGlite): RunRows {
  const dialect = new PgDialect();
  const statements = statementsOf(client);
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> =>
    client._runExclusiveTransaction(() => client._runExclusiveQuery(fn));

  async function prepare(text: string): Promise<Prepared> {
    const name = `sluice_${statements.size + 1}`;
    const { messages } = await client.execProtocol(
      join(protocol.serialize.parse({ name, text, types: [] }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync()),
      { syncToFs: false },
    );
    const prepared = { name, paramTypes: parse.parseDescribeStatementResults(messages) };
    statements.set(text, prepared);
    return prepared;
  }

  return async <T>(query: SQL): Promise<T[]> => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    await client.waitReady;
    if (!statements.has(text) && statements.size >= MAX_STATEMENTS) {
      return (await client.query<T>(text, params, RAW_QUERY_OPTIONS)).rows;
    }
    return exclusive(async () => {
      const { name, paramTypes } = statements.get(text) ?? (await prepare(text));
      const values = params.map((param, i) => {
        if (param === null || param === undefined) return null;
        const serialize = client.serializers[paramTypes[i] ?? 0];
        // As query(): the type's serializer; every type without one takes its text form.
        if (serialize) return serialize(param);
        return textOf(param);
      });
      // As query(): Bind, Describe the portal (the row's fields), Execute, Sync; written to disk
      // afterwards (execProtocol's syncToFs) as query() does outside a transaction.
      const { messages } = await client.execProtocol(
        join(
          protocol.serialize.bind({ statement: name, values }),
          protocol.serialize.describe({ type: 'P' }),
          protocol.serialize.execute({}),
          protocol.serialize.sync(),
        ),
      );
      return parse.parseResults(messages, parsersOf(client), ROW_MODE)[0]!.rows as T[];
    });
  };
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value.toString();
  return JSON.stringify(value) ?? '';
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
